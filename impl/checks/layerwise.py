"""Theorem H.13(3): feature learning propagates forward — App. H.2, with Prop 5.3 (docs/theory.md §2.8).

*In words:* if a stable parametrization learns features in layer l (Δxˡ and the layer-l feature
kernel move by Θ(1)), it learns features in every later layer, because a Θ(1) change of xˡ reaches
h^{l+1} through W₀^{l+1}. So Δxˡ ~ n^{−min_{m≤l} r_m}: the first layer updated maximally (r_l = 0) and
all layers after it learn features, even when their own weights are updated less than maximally; the
layers before it do not.

The check, after the first step at which features move (the second under the lag of App. H.3): every
``delta_x{l}`` at its exponent −min_{m≤l} r_m, every ``delta_kernel{l}`` Θ(1) from the first maximal
layer on and vanishing before it — except where the lag's slow n^{−g} correction (0 < g < ½) leaves the
kernel changes, second order, undecidable: there only the Δxˡ decide (:func:`impl.checks.evidence.claimable`).
"""

from __future__ import annotations

from impl.checks.budget import BUDGETS, Budget
from impl.checks.evidence import (
    ROUTINE,
    Statement,
    Sweeps,
    check_result,
    claimable,
    confirm,
    not_applicable,
)
from impl.checks.results import CheckResult
from impl.checks.theory import Theory, theory_of
from impl.measurement import theory_claims
from impl.simulation import Routine
from impl.theory import Parametrization, Regime, feature_step

__all__ = ["STATEMENT", "says", "feature_names", "check_layerwise_feature_learning"]

STATEMENT = Statement("layerwise_feature_learning", "Thm H.13(3) layerwise", "App. H.2, Thm H.13(3)", lambda L: 2 * L)


def feature_names(depth: int) -> list[str]:
    return [f"{q}{l}" for l in range(1, depth + 1) for q in ("delta_x", "delta_kernel")]


def says(theory: Theory) -> str:
    c = theory.classify()
    if not c.stable or c.regime is not Regime.FEATURE_LEARNING:
        return "n/a"
    first = 1 + list(c.r_layers).index(min(c.r_layers))
    return f"features learned from layer {first} on"


def check_layerwise_feature_learning(p: Parametrization, routine: Routine = ROUTINE, budget: Budget = BUDGETS["dev"], *,
                                     against: "Parametrization | Theory | None" = None,
                                     sweeps: Sweeps | None = None) -> CheckResult:
    """Every layer's Δxˡ and feature-kernel change on the networks of ``p``, judged against ``against``'s theory."""
    theory = theory_of(p, against)
    c = theory.classify()
    if not c.stable or c.regime is not Regime.FEATURE_LEARNING:
        return not_applicable(STATEMENT, p, theory, routine, says(theory),
                              "Theorem H.13(3) is about stable feature-learning parametrizations")
    step = feature_step(theory.p)
    claims = claimable(p, theory_claims(theory.p, feature_names(p.depth), step=step), step)
    evidence = confirm(p, routine, claims, step=step, budget=budget, theory=theory, sweeps=sweeps)
    return check_result(STATEMENT, p, theory, routine, says(theory), [evidence])
