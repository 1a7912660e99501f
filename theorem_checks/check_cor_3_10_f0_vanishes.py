"""Corollary 3.10 (and Theorem H.13(4)) — Section 3.2.

*In words:* any nontrivial stable parametrization that learns features must have an output that
vanishes at initialisation: f₀(ξ) → 0 almost surely, i.e. its width exponent
½ − (a_{L+1} + b_{L+1}) is negative. The converse is false: some kernel-regime
parametrizations also have f₀ → 0 (Theorem H.13(4)); UP_r with 0 < r < ½ is one.

Negative control: an f₀ exponent written ½ − b_{L+1} (forgetting a_{L+1}) violates the corollary.

Finite width (:mod:`impl.checks.f0`; φ ∈ {tanh, σ-gelu}, random data): feature-learning draws have a
measured f₀ width exponent equal to the predicted ½ − (a_{L+1} + b_{L+1}) < 0, and so does UP_{1/4}
(kernel regime, f₀ ~ n^{−1/4}). Negative controls: the same measurements against the exponent ± ¼ or
+ ½, and against the ½ − b_{L+1} mistake, must disagree.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.checks import ROUTINE, Theory, check_f0
from impl.measurement import Verdict
from impl.simulation import Routine
from impl.strategies import parametrizations, routines
from impl.theory import Parametrization, classification, exponents, presets
from theorem_checks.breakage import f0_exponent_from_b_only
from theorem_checks.suite import (
    BUDGET,
    SWEEPS,
    assert_check_fails,
    exact_settings,
    finite_settings,
)


def f0_vanishes_under_feature_learning(p: Parametrization) -> None:
    c = classification.classify(p)
    if c.regime is classification.Regime.FEATURE_LEARNING:
        e = exponents.predicted_exponents(p)["f0"]
        assert e is not None and e < 0, f"{p}: feature learning but f0 ~ n^{e}"


@exact_settings()
@given(parametrizations(regime="feature_learning"))
def test_feature_learning_implies_f0_vanishes(p: Parametrization) -> None:
    f0_vanishes_under_feature_learning(p)


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_converse_fails_kernel_regime_with_vanishing_f0(depth: int) -> None:
    p = presets.up("1/4", depth)
    c = classification.classify(p)
    assert c.regime is classification.Regime.KERNEL
    e = exponents.predicted_exponents(p)["f0"]
    assert e is not None and e < 0


def test_negative_control_wrong_f0_exponent(monkeypatch: pytest.MonkeyPatch) -> None:
    f0_exponent_from_b_only(monkeypatch)
    assert_check_fails(parametrizations(regime="feature_learning"), f0_vanishes_under_feature_learning)


# --- Finite width: the measured f₀ exponent (RMS over 64 probes and the seeds, at t = 0) ----------


@finite_settings()
@given(parametrizations(depth=st.integers(1, 3), regime="feature_learning"), routines(steps=0))
def test_feature_learning_f0_vanishes_at_the_predicted_rate(p: Parametrization, routine: Routine) -> None:
    f0 = exponents.predicted_exponents(p)["f0"]
    assert f0 is not None and f0 < 0
    result = check_f0(p, routine, BUDGET, sweeps=SWEEPS)
    assert result.agrees, str(result)


@finite_settings()
@given(st.integers(1, 3), routines(steps=0))
def test_kernel_regime_up_quarter_also_has_f0_vanishing(depth: int, routine: Routine) -> None:
    p = presets.up("1/4", depth)
    assert classification.classify(p).regime is classification.Regime.KERNEL
    result = check_f0(p, routine, BUDGET, sweeps=SWEEPS)
    assert result.agrees, str(result)


@pytest.mark.parametrize("shift", [Fraction(1, 4), Fraction(-1, 4), Fraction(1, 2)])
def test_negative_control_f0_exponent_off(shift: Fraction) -> None:
    p = presets.up("1/4", 2)
    assert check_f0(p, ROUTINE, BUDGET, sweeps=SWEEPS).agrees
    wrong = check_f0(p, ROUTINE, BUDGET, against=Theory(p, offset=shift), sweeps=SWEEPS)
    assert wrong.verdict is Verdict.DISAGREE and wrong.perturbed, str(wrong)


def test_negative_control_f0_from_b_only_at_finite_width(monkeypatch: pytest.MonkeyPatch) -> None:
    f0_exponent_from_b_only(monkeypatch)  # µP: ½ − b_{L+1} = 0 instead of −½
    wrong = check_f0(presets.mup(2), ROUTINE, BUDGET, sweeps=SWEEPS)
    assert wrong.verdict is Verdict.DISAGREE, str(wrong)
