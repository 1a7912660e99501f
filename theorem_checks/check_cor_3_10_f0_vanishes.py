"""Corollary 3.10 (and Theorem H.13(4)) — Section 3.2.

*In words:* any nontrivial stable parametrization that learns features must have an output that
vanishes at initialisation: f₀(ξ) → 0 almost surely, i.e. its width exponent
½ − (a_{L+1} + b_{L+1}) is negative. The converse is false: some kernel-regime
parametrizations also have f₀ → 0 (Theorem H.13(4)); UP_r with 0 < r < ½ is one.

Negative control: an f₀ exponent written ½ − b_{L+1} (forgetting a_{L+1}) violates the corollary.
"""

from __future__ import annotations

import pytest
from hypothesis import given

from impl.strategies import parametrizations
from impl.theory import Parametrization, classification, exponents, presets
from theorem_checks.breakage import f0_exponent_from_b_only
from theorem_checks.support import assert_check_fails, theory_settings


def f0_vanishes_under_feature_learning(p: Parametrization) -> None:
    c = classification.classify(p)
    if c.regime is classification.Regime.FEATURE_LEARNING:
        e = exponents.predicted_exponents(p)["f0"]
        assert e is not None and e < 0, f"{p}: feature learning but f0 ~ n^{e}"


@theory_settings()
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
