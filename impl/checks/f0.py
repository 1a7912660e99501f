"""Corollary 3.10 (and Theorem H.13(4)) at finite width — Section 3.2 (docs/theory.md §2.8).

*In words:* a nontrivial stable parametrization that learns features has an output that vanishes at
initialisation: f₀(ξ) → 0, its width exponent ½ − (a_{L+1}+b_{L+1}) being negative. The converse is
false: some kernel-regime parametrizations also have f₀ → 0 (Theorem H.13(4)); UP_r with 0 < r < ½.

The check, for any stable parametrization: f₀ (RMS over 64 probes and the seeds, at t = 0) has the
predicted width exponent ½ − (a_{L+1}+b_{L+1}). It needs many seeds — for a φ that is not odd
(σ-gelu) f₀(ξ) ≈ (Σᵢ vᵢ)·E φ(h) + …, so its RMS over probes is nearly one |Gaussian| per seed — and
initialisation alone is cheap, so the first attempt has :data:`F0_SEEDS`. With a zero-initialised readout
(b_{L+1} = ∞, App. H.3) f₀ is exactly 0, decided exactly.
"""

from __future__ import annotations

from dataclasses import replace

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
from impl.theory import Behaviour, Parametrization

__all__ = ["STATEMENT", "F0_SEEDS", "says", "check_f0"]

STATEMENT = Statement("f0", "Cor 3.10 f0", "Section 3.2, Thm H.13(4)")
F0_SEEDS = 64


def says(theory: Theory) -> str:
    if not theory.classify().stable:
        return "n/a (unstable)"
    claim = theory_claims(theory.p, ["f0"])["f0"]
    return "f0 = 0 (zero readout)" if claim is Behaviour.ZERO else f"f0 ~ {describe_claim(claim)}"


def check_f0(p: Parametrization, routine: Routine = ROUTINE, budget: Budget = BUDGETS["dev"], *,
             against: "Parametrization | Theory | None" = None, sweeps: Sweeps | None = None) -> CheckResult:
    """f₀'s width exponent on the networks of ``p`` (at initialisation: the routine runs 0 steps),
    judged against ``against``'s theory (default p's)."""
    theory = theory_of(p, against)
    at_init = replace(routine, steps=0)
    if not theory.classify().stable:
        return not_applicable(STATEMENT, p, theory, at_init, says(theory), "unstable: only Theorem 3.3 applies")
    evidence = confirm(p, at_init, theory_claims(theory.p, ["f0"]), step=0, budget=budget, theory=theory,
                       sweeps=sweeps, seeds=max(F0_SEEDS, budget.seeds))
    return check_result(STATEMENT, p, theory, at_init, says(theory), [evidence])
