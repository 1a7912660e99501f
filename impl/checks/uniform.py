"""Theorem G.4 (uniform parametrizations UP_r) at finite width — App. G (docs/theory.md §1.2, §2.10).

*In words:* for every r ∈ [0, ½] there is exactly one stable parametrization (modulo Eq. 5) whose
r-value is r, whose body is updated uniformly (r_l = r for every hidden layer, Prop G.2) and whose
output layer is both initialised and updated maximally: UP_r, with aₗ = r − ½·𝟙(l=1) (l ≤ L),
a_{L+1} = ½, bₗ = ½ − r, c = 0. UP₀ = µP, UP_{1/2} = NTP.

The check, for a parametrization of that class, after the first step: every ``delta_W{l}_x`` and
``delta_x{L}`` at exponent −r, ``delta_Wout_x`` and ``Wout0_delta_x`` at 0.
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
from impl.measurement import theory_claims
from impl.simulation import Routine
from impl.theory import Classification, Parametrization

__all__ = ["STATEMENT", "says", "uniform_r", "check_uniform_parametrization"]

STATEMENT = Statement("uniform", "Thm G.4 UP_r", "App. G, Thm G.4", lambda L: L + 3)


def uniform_r(c: Classification) -> bool:
    """Whether a classification is Theorem G.4's: stable, uniform body, output initialised and updated maximally."""
    return c.stable and all(x == c.r for x in c.r_layers) and c.maximal.out_updated and c.maximal.out_initialized


def says(theory: Theory) -> str:
    c = theory.classify()
    return f"UP_{c.r}: updates ~ n^{-c.r}, output terms Θ(1)" if uniform_r(c) else "n/a (not a UP_r)"


def _names(depth: int) -> list[str]:
    return [f"delta_W{l}_x" for l in range(1, depth + 1)] + [f"delta_x{depth}", "delta_Wout_x", "Wout0_delta_x"]


def check_uniform_parametrization(p: Parametrization, routine: Routine = ROUTINE, budget: Budget = BUDGETS["dev"], *,
                                  against: "Parametrization | Theory | None" = None,
                                  sweeps: Sweeps | None = None) -> CheckResult:
    """UP_r's exponents on the networks of ``p``, judged against ``against``'s theory (default p's)."""
    theory = theory_of(p, against)
    c = theory.classify()
    if not uniform_r(c):
        return not_applicable(STATEMENT, p, theory, routine, says(theory),
                              "not uniform with a maximal output layer: Theorem G.4 does not apply")
    evidence = confirm(p, routine, theory_claims(theory.p, _names(p.depth), step=1), step=1, budget=budget,
                       theory=theory, sweeps=sweeps)
    return check_result(STATEMENT, p, theory, routine, says(theory), [evidence])
