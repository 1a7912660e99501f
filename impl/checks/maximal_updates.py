"""Theorem 5.6 with Propositions 5.3 and 5.5 at finite width — Section 5 (docs/theory.md §2.10).

*In words:* Wˡ (l ≤ L) is updated maximally iff r_l = 0 (Prop 5.3; in general ΔWˡx^{l−1} ~ n^{−r_l}),
and the output layer is updated maximally iff 2a_{L+1}+c = 1 (ΔW^{L+1}x^L ~ n^{1−2a_{L+1}−c}) and
initialised maximally iff a_{L+1}+b_{L+1}+r = 1 (W₀^{L+1}Δx^L ~ n^{1−(a_{L+1}+b_{L+1})−r}) (Prop 5.5).
µP is the only stable parametrization, modulo Eq. (5), with all of these Θ(1) (Theorem 5.6).

The check, after the first step: every ``delta_W{l}_x``, ``delta_Wout_x`` and ``Wout0_delta_x`` at its
predicted exponent — all 0 exactly in the µP class, and for any other stable parametrization each
one at its own rate (so a single layer with the wrong rate is caught, not only "some update
vanishes"). Under the one-step lag the step-1 exponents are the lagged ones
(:func:`impl.theory.predicted_exponents` with ``step=1``). With a zero-initialised readout (App. H.3) the
step-1 hidden updates are exactly 0 and say nothing about r_l, so each ``delta_W{l}_x`` is decided at step 2
as well, at −r_l: the first step at which the backward pass runs through a nonzero W^{L+1}.
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
from impl.measurement import describe_claim, theory_claims
from impl.simulation import Routine
from impl.theory import Parametrization

__all__ = ["STATEMENT", "says", "update_names", "check_maximal_updates"]

STATEMENT = Statement("maximal_updates", "Thm 5.6 maximal updates", "Section 5, Prop 5.3/5.5", lambda L: 2 * L + 2)


def update_names(depth: int) -> list[str]:
    """ΔWˡx^{l−1} for l ≤ L, ΔW^{L+1}x^L and W₀^{L+1}Δx^L."""
    return [f"delta_W{l}_x" for l in range(1, depth + 1)] + ["delta_Wout_x", "Wout0_delta_x"]


def says(theory: Theory) -> str:
    c = theory.classify()
    if not c.stable:
        return "n/a (unstable)"
    if c.mup_class:
        return "µP: all updates Θ(1)"
    short = {"delta_Wout_x": "ΔWout", "Wout0_delta_x": "W0Δx"}

    def listed(step: int, names: list[str]) -> str:
        claims = theory_claims(theory.p, names, step=step)
        return ", ".join(f"{short.get(k, k.replace('delta_', 'Δ').removesuffix('_x'))} {describe_claim(v)}"
                         for k, v in claims.items())
    text = "not µP: " + listed(1, update_names(theory.p.depth))
    if theory.p.zero_readout:
        text += "; at step 2: " + listed(2, update_names(theory.p.depth)[:-2])
    return text


def check_maximal_updates(p: Parametrization, routine: Routine = ROUTINE, budget: Budget = BUDGETS["dev"], *,
                          against: "Parametrization | Theory | None" = None,
                          sweeps: Sweeps | None = None) -> CheckResult:
    """Every update's width exponent on the networks of ``p``, judged against ``against``'s theory."""
    theory = theory_of(p, against)
    if not theory.classify().stable:
        return not_applicable(STATEMENT, p, theory, routine, says(theory), "unstable: only Theorem 3.3 applies")
    claims = theory_claims(theory.p, update_names(p.depth), step=1)
    evidence = [confirm(p, routine, claims, step=1, budget=budget, theory=theory, sweeps=sweeps)]
    if theory.p.zero_readout:
        later = theory_claims(theory.p, update_names(p.depth)[:-2], step=2)
        evidence.append(confirm(p, routine, later, step=2, budget=budget, theory=theory, sweeps=sweeps))
    return check_result(STATEMENT, p, theory, routine, says(theory), evidence)
