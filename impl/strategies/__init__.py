"""Hypothesis strategies, composable and exported, for your own property tests of tp4's theory.

* :func:`parametrizations` — abc-parametrizations of any regime, built constructively (no filtering):
  ``parametrizations(regime="feature_learning", depth=3)``; :func:`lattice`, :func:`depths`;
* :func:`routines` — training routines with φ, η and the data seed drawn (the theorem checks' choices);
* :func:`tensor_programs` — small random Tensor Programs (Definition 7.1) for the Master Theorem.

Usage in a user's own test::

    from hypothesis import given
    from impl.strategies import parametrizations

    @given(parametrizations(regime="feature_learning"))
    def test_my_rule(p):
        ...
"""

from impl.strategies.parametrizations import (
    UNSTABLE_CONDITIONS,
    RegimeName,
    depths,
    lattice,
    parametrizations,
)
from impl.strategies.programs import MOMENTS, NONLINS, tensor_programs
from impl.strategies.routines import routines

__all__ = [
    "MOMENTS",
    "NONLINS",
    "RegimeName",
    "UNSTABLE_CONDITIONS",
    "depths",
    "lattice",
    "parametrizations",
    "routines",
    "tensor_programs",
]
