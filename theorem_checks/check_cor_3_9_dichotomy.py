"""Corollary 3.9 (Dynamical Dichotomy), with Theorems 3.6 and 3.8 — Section 3.2, App. H.

*In words:* take any stable, nontrivial abc-parametrization of an MLP with φ = tanh or σ-gelu.
Then exactly one of two things happens as width → ∞: it **learns features** (Δx^L_t and the
layer-L feature kernel move by Θ(1); Theorem 3.6: iff r = 0), or it is in the **kernel regime**
(f evolves by kernel gradient descent and features move like n^{−r}; Theorem 3.8: iff r > 0).
Never both, never neither.

Theory-level check: over parametrizations drawn from every regime, the classifier's verdicts
and the predicted exponent of Δx^L agree with this. Negative control: dropping Eq. (7), r ≥ 0,
from the stability test lets a "stable" parametrization with r < 0 be neither.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given

from impl.strategies import parametrizations
from impl.theory import Parametrization, classification, exponents
from theorem_checks.breakage import stability_without_r
from theorem_checks.support import assert_check_fails, theory_settings


def dichotomy_holds(p: Parametrization) -> None:
    c = classification.classify(p)
    if not (c.stable and c.nontrivial):
        return
    dx = exponents.predicted_exponents(p)[f"delta_x{p.depth}"]
    assert dx is not None
    feature_learning = dx == 0  # Θ(1) change of x^L (Thm 3.6)
    kernel = dx < 0  # x^L frozen in the limit (Thm 3.8)
    assert feature_learning != kernel, f"{p}: Δx^L exponent {dx} is neither/both"
    assert feature_learning == (c.r == 0) and kernel == (c.r > Fraction(0)), f"{p}: r = {c.r}"
    expected = classification.Regime.FEATURE_LEARNING if feature_learning else classification.Regime.KERNEL
    assert c.regime is expected, f"{p}: regime {c.regime} but Δx^L ~ n^{dx}"


@theory_settings()
@given(parametrizations(regime="any"))
def test_every_nontrivial_stable_parametrization_is_in_exactly_one_regime(p: Parametrization) -> None:
    dichotomy_holds(p)


@theory_settings()
@given(parametrizations(regime="nontrivial"))
def test_dichotomy_on_nontrivial_draws(p: Parametrization) -> None:
    dichotomy_holds(p)


def test_negative_control_stability_without_r_breaks_the_dichotomy(monkeypatch: pytest.MonkeyPatch) -> None:
    stability_without_r(monkeypatch)
    assert_check_fails(parametrizations(regime="unstable"), dichotomy_holds)
