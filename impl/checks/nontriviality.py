"""Theorem 3.4 (nontriviality) at finite width — Section 3.2 (docs/theory.md §2.4).

*In words:* a stable abc-parametrization is nontrivial — the function moves by Θ(1) after O(1) SGD
steps, fₜ(ξ) − f₀(ξ) ↛ 0 — iff a_{L+1}+b_{L+1}+r = 1 or 2a_{L+1}+c = 1; otherwise (trivial)
fₜ − f₀ → 0 as the width n → ∞.

The check: ``delta_f`` = f₁ − f₀ (RMS over probes of its mean over seeds) after the first step has the
width exponent the theory gives it — 0 when nontrivial; when trivial, the larger of the exponents of its two
terms ΔW^{L+1}x^L and W₀^{L+1}Δx^L (Prop 5.5; :func:`impl.theory.predicted_exponents`), which is negative.
Claiming "vanishes" for the trivial case would accept any exponent below −δ, so a theory that gets the rate
of the vanishing wrong would pass (on the random trivial draws of the calibration the fitted exponents were
−0.48 … −1.50, within 0.05 of the predicted ones at widths 128…4096). When the theory gives the two terms
different exponents the claim is decided on the two terms, the leading one at the sum's exponent
(:func:`impl.checks.evidence.on_leading_term`): the other is a deterministic relative correction of known order
that biases the sum's slope. Step 1: there χ₀ = f₀ − y with |y| = 2,
so no Θ(1) update can cancel; at t = 2, χ₁ can nearly cancel χ₀'s contribution for some data, leaving the
n^{−1/2} fluctuation to dominate at n ≤ 1024 (measured: a kernel-regime draw's f₂ − f₀ fitted −0.31,
predicted 0).
"""

from __future__ import annotations

from impl.checks.budget import BUDGETS, Budget
from impl.checks.evidence import (
    ROUTINE,
    Statement,
    Sweeps,
    check_result,
    confirm,
    not_applicable,
)
from impl.checks.results import CheckResult
from impl.checks.theory import Theory, theory_of
from impl.simulation import Routine
from impl.measurement import describe_claim, theory_claims
from impl.theory import Parametrization

__all__ = ["STATEMENT", "says", "check_nontriviality"]

STATEMENT = Statement("nontriviality", "Thm 3.4 nontriviality", "Section 3.2", lambda L: 2)
"""At most two claims: fₜ − f₀, or its two terms (:func:`impl.checks.evidence.on_leading_term`)."""


def says(theory: Theory) -> str:
    c = theory.classify()
    if not c.stable:
        return "n/a (unstable)"
    if c.nontrivial:
        return "nontrivial: f moves by Θ(1)"
    return f"trivial: f - f0 ~ {describe_claim(theory_claims(theory.p, ['delta_f'], step=1)['delta_f'])}"


def check_nontriviality(p: Parametrization, routine: Routine = ROUTINE, budget: Budget = BUDGETS["dev"], *,
                        against: "Parametrization | Theory | None" = None,
                        sweeps: Sweeps | None = None) -> CheckResult:
    """Theorem 3.4 on the networks of ``p``, judged against ``against``'s theory (default p's)."""
    theory = theory_of(p, against)
    c = theory.classify()
    if not c.stable:
        return not_applicable(STATEMENT, p, theory, routine, says(theory), "unstable: only Theorem 3.3 applies")
    claims = theory_claims(theory.p, ["delta_f"], step=1)  # n^0 when nontrivial (Thm 3.4), else Prop 5.5's rate
    evidence = confirm(p, routine, claims, step=1, budget=budget, theory=theory, sweeps=sweeps)
    return check_result(STATEMENT, p, theory, routine, says(theory), [evidence])
