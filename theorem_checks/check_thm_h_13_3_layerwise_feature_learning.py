"""Theorem H.13(3): feature learning propagates forward — App. H.2 (with Prop 5.3, Section 5).

*In words:* if a stable parametrization learns features in layer l (Δxˡ and the layer-l feature
kernel move by Θ(1)), it learns features in every later layer l..L, because a Θ(1) change of x^{l}
reaches h^{l+1} through W₀^{l+1}. So with r_l of Prop 5.3, Δxˡ ~ n^{−min_{m≤l} r_m}: the first
layer that is updated maximally (r_l = 0) and all layers after it learn features, even when their own
weights are updated less than maximally (r_l > 0); the layers before it do not.

Finite-width check (φ ∈ {tanh, σ-gelu}, random η and data, after the first step at which features
move — the second under the lag of App. H.3): feature-learning draws of depth 2–3 in which some layer
is *not* updated maximally; every ``delta_x{l}`` has the measured width exponent
−min_{m≤l} r_m, and ``delta_kernel{l}`` is Θ(1) from the first maximal layer on and vanishes before.

Negative control: a theory without propagation, Δxˡ ~ n^{−r_l} ("each layer learns features only
if its own weights are updated maximally"), must fail on a µP body whose W² is updated at n^{−1/2}.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.strategies import parametrizations
from impl.theory import Parametrization, classify
from theorem_checks.finite import (SECOND_ORDER_BIAS, Claim, Disagreement, Routine, confirm, feature_step, finite_settings, routines,
                                   theory_claims)

PARTIALLY_MAXIMAL = parametrizations(depth=st.integers(2, 3), regime="feature_learning").filter(
    lambda p: not all(classify(p).maximal.body)
)


def _names(depth: int) -> list[str]:
    return [f"{q}{l}" for l in range(1, depth + 1) for q in ("delta_x", "delta_kernel")]


def features_propagate(p: Parametrization, routine: Routine, claims: Mapping[str, Claim] | None = None) -> None:
    """Every layer's Δxˡ and feature-kernel change scale as Theorem H.13(3) says (or as ``claims``)."""
    first = 1 + classify(p).r_layers.index(Fraction(0))
    step = feature_step(p)
    expected = theory_claims(p, _names(p.depth), step) if claims is None else claims
    assert all(expected[f"delta_x{l}"] == 0 for l in range(first, p.depth + 1)) or claims is not None
    confirm(p, routine, expected, step=step, biased={f"delta_kernel{l}": SECOND_ORDER_BIAS for l in range(1, p.depth + 1)})


@finite_settings()
@given(PARTIALLY_MAXIMAL, routines())
def test_feature_learning_propagates_from_the_first_maximal_layer(p: Parametrization, routine: Routine) -> None:
    features_propagate(p, routine)


# µP body with W² updated at n^{-1/2} (r₂ = ½): layer 1 learns features, and so does layer 2.
ONLY_FIRST_MAXIMAL = Parametrization.of(["-1/2", "1/4", "1/2"], ["1/2", "1/4", "1/2"], 0)


def test_negative_control_no_propagation() -> None:
    p = ONLY_FIRST_MAXIMAL
    assert classify(p).r_layers == (0, Fraction(1, 2))
    features_propagate(p, Routine())
    without_propagation = {f"delta_x{l}": -r for l, r in enumerate(classify(p).r_layers, start=1)}
    with pytest.raises(Disagreement):
        features_propagate(p, Routine(), without_propagation)
