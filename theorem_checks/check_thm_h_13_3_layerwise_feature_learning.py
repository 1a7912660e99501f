"""Theorem H.13(3): feature learning propagates forward — App. H.2; the check is :mod:`impl.checks.layerwise`.

*In words:* if a stable parametrization learns features in layer l, it learns features in every later
layer, because a Θ(1) change of xˡ reaches h^{l+1} through W₀^{l+1}. So Δxˡ ~ n^{−min_{m≤l} r_m}: the
first layer updated maximally (r_l = 0) and all after it learn features, even when their own weights
are updated less than maximally; the layers before it do not.

Finite width (φ ∈ {tanh, σ-gelu}, random η and data, after the first step at which features move —
the second under the lag of App. H.3): feature-learning draws of depth 2–3 in which some layer is
*not* updated maximally; every ``delta_x{l}`` has the measured exponent −min_{m≤l} r_m, and
``delta_kernel{l}`` is Θ(1) from the first maximal layer on and vanishes before.

Negative control: a theory without propagation, Δxˡ ~ n^{−r_l} ("each layer learns features only if
its own weights are updated maximally"), must disagree on a µP body whose W² is updated at n^{−1/2}.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from impl.checks import ROUTINE, Theory, check_layerwise_feature_learning
from impl.measurement import Verdict
from impl.simulation import Routine
from impl.strategies import parametrizations, routines
from impl.theory import Parametrization, classify
from theorem_checks.suite import BUDGET, SWEEPS, finite_settings

PARTIALLY_MAXIMAL = parametrizations(depth=st.integers(2, 3), regime="feature_learning").filter(
    lambda p: not all(classify(p).maximal.body)
)


@finite_settings()
@given(PARTIALLY_MAXIMAL, routines())
def test_feature_learning_propagates_from_the_first_maximal_layer(p: Parametrization, routine: Routine) -> None:
    result = check_layerwise_feature_learning(p, routine, BUDGET, sweeps=SWEEPS)
    assert result.agrees, str(result)


# µP body with W² updated at n^{-1/2} (r₂ = ½): layer 1 learns features, and so does layer 2.
ONLY_FIRST_MAXIMAL = Parametrization.of(["-1/2", "1/4", "1/2"], ["1/2", "1/4", "1/2"], 0)


def test_negative_control_no_propagation() -> None:
    p = ONLY_FIRST_MAXIMAL
    assert classify(p).r_layers == (0, Fraction(1, 2))
    assert check_layerwise_feature_learning(p, ROUTINE, BUDGET, sweeps=SWEEPS).agrees
    without_propagation = {f"delta_x{l}": -r for l, r in enumerate(classify(p).r_layers, start=1)}
    wrong = check_layerwise_feature_learning(p, ROUTINE, BUDGET, against=Theory(p, overrides=without_propagation),
                                             sweeps=SWEEPS)
    assert wrong.verdict is Verdict.DISAGREE and wrong.perturbed, str(wrong)
