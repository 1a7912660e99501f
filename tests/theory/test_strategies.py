"""The public hypothesis strategies produce what they promise, without filtering."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings

from impl.strategies import UNSTABLE_CONDITIONS, parametrizations
from impl.theory import Parametrization, classify


@pytest.mark.parametrize("regime", ["feature_learning", "kernel", "trivial", "unstable"])
def test_regime_restriction_is_exact(regime: str) -> None:
    @settings(max_examples=200, derandomize=True, database=None)
    @given(parametrizations(regime=regime))  # type: ignore[arg-type]
    def run(p: Parametrization) -> None:
        assert classify(p).regime.value == regime

    run()


@pytest.mark.parametrize("violate", [v for v in UNSTABLE_CONDITIONS if v != "init"])
def test_each_training_condition_can_be_violated_alone(violate: str) -> None:
    @settings(max_examples=100, derandomize=True, database=None)
    @given(parametrizations(regime="unstable", violate=violate))
    def run(p: Parametrization) -> None:
        assert [v.name for v in classify(p).violated] == [violate]

    run()


@given(parametrizations(regime="unstable", violate="init"))
def test_init_violations_break_eq6(p: Parametrization) -> None:
    assert not classify(p).stable_at_init


@given(parametrizations(depth=3, step=Fraction(1, 8), canonical=True))
def test_depth_step_and_canonical_options(p: Parametrization) -> None:
    assert p.depth == 3 and p.c == 0
    assert all((x * 8).denominator == 1 for x in p.a + p.b)


def test_bad_options() -> None:
    with pytest.raises(ValueError):
        parametrizations(step=Fraction(1, 3))
    with pytest.raises(ValueError):
        parametrizations(regime="kernel", violate="r>=0")
    with pytest.raises(ValueError):
        parametrizations(regime="sideways")  # type: ignore[arg-type]
