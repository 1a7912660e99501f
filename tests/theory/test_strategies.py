"""The public hypothesis strategies produce what they promise, without filtering."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings

from impl.strategies import UNSTABLE_CONDITIONS, parametrizations
from impl.theory import Parametrization, classify


@pytest.mark.parametrize("zero", [False, True])
@pytest.mark.parametrize("regime", ["feature_learning", "kernel", "trivial", "unstable"])
def test_regime_restriction_is_exact(regime: str, zero: bool) -> None:
    @settings(max_examples=200, derandomize=True, database=None)
    @given(parametrizations(regime=regime, zero_readout=zero))  # type: ignore[arg-type]
    def run(p: Parametrization) -> None:
        assert classify(p).regime.value == regime and p.zero_readout == zero

    run()


@pytest.mark.parametrize("zero", [False, True])
@pytest.mark.parametrize("violate", [v for v in UNSTABLE_CONDITIONS if v != "init"])
def test_each_training_condition_can_be_violated_alone(violate: str, zero: bool) -> None:
    if zero and violate == "aL+1+bL+1+r>=1":
        with pytest.raises(ValueError, match="zero-initialised readout"):
            parametrizations(regime="unstable", violate=violate, zero_readout=True)
        return

    @settings(max_examples=100, derandomize=True, database=None)
    @given(parametrizations(regime="unstable", violate=violate, zero_readout=zero))
    def run(p: Parametrization) -> None:
        assert [v.name for v in classify(p).violated] == [violate] and p.zero_readout == zero

    run()


@given(parametrizations(regime="unstable", violate="init", zero_readout=None))
def test_init_violations_break_eq6(p: Parametrization) -> None:
    assert not classify(p).stable_at_init


def test_zero_readout_none_draws_both() -> None:
    seen: set[bool] = set()

    @settings(max_examples=100, derandomize=True, database=None)
    @given(parametrizations(zero_readout=None))
    def run(p: Parametrization) -> None:
        seen.add(p.zero_readout)

    run()
    assert seen == {True, False}


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
