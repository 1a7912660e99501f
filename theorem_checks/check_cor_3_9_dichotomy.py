"""Corollary 3.9 (Dynamical Dichotomy), with Theorems 3.6 and 3.8 — Section 3.2, App. H.

*In words:* take any stable, nontrivial abc-parametrization of an MLP with φ = tanh or σ-gelu.
Then exactly one of two things happens as width → ∞: it **learns features** (Δx^L_t and the
layer-L feature kernel move by Θ(1); Theorem 3.6: iff r = 0), or it is in the **kernel regime**
(f evolves by kernel gradient descent and features move like n^{−r}; Theorem 3.8: iff r > 0).
Never both, never neither.

Theory-level check: over parametrizations drawn from every regime, the classifier's verdicts
and the predicted exponent of Δx^L agree with this. Negative control: dropping Eq. (7), r ≥ 0,
from the stability test lets a "stable" parametrization with r < 0 be neither.

Finite-width checks: feature-learning draws (without the one-step lag) have ``delta_x{L}`` and
``delta_kernel{L}`` of width exponent 0 and an η-vs-2η nonlinearity (f₁(2η) − f₀) − 2(f₁(η) − f₀)
of exponent 0; kernel-regime draws have ``delta_x{L}`` ~ n^{−r}, a vanishing feature-kernel change
and a vanishing nonlinearity (Def. 3.7: f₁ − f₀ = −ηK(ξ, ξ₀)χ₀ in the limit). Negative controls:
µP's measurements judged with NTP's claims, and NTP's with µP's, must fail.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Sequence

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.measurement import JobResult
from impl.strategies import parametrizations
from impl.theory import Parametrization, Regime, classification, classify, exponents, lag_applies, mup, ntp
from theorem_checks.breakage import stability_without_r
from theorem_checks.finite import SECOND_ORDER_BIAS, Disagreement, Routine, confirm, finite_settings, routines, simulate_routine, theory_claims
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


# --- Finite width (Thm 3.6 / 3.8 at n = 64…1024; φ ∈ {tanh, σ-gelu}; random η and data) -----------


def simulate_eta_pair(p: Parametrization, routine: Routine, width: int, seeds: Sequence[int]) -> JobResult:
    """One SGD step at η and at 2η from the same draws; ``eta_nonlinearity`` is the RMS over probes of
    (f₁(2η) − f₀) − 2(f₁(η) − f₀), zero exactly when f₁ − f₀ is linear in η."""
    one, two = (simulate_routine(p, replace(routine, lr=k * routine.lr, steps=1), width, seeds) for k in (1, 2))
    d1, d2 = one.outputs[1] - one.outputs[0], two.outputs[1] - two.outputs[0]  # (S, P, d_o)
    size = np.sqrt(np.mean((d2 - 2 * d1) ** 2, axis=(1, 2)))
    blow = np.maximum(one.blowup_step, two.blowup_step)
    return JobResult(width, tuple(seeds), 1, {"eta_nonlinearity": np.stack([np.zeros_like(size), size])}, blow)


def regime_shows(p: Parametrization, routine: Routine, claimed: Parametrization | None = None) -> None:
    """Thm 3.6: r = 0 ⇒ Δx^L and the layer-L feature kernel move by Θ(1), f₁ − f₀ nonlinear in η.
    Thm 3.8: r > 0 ⇒ Δx^L ~ n^{−r}, the feature kernel frozen, f₁ − f₀ linear in η (the η-vs-2η
    nonlinearity vanishes). Claims from ``claimed`` (default ``p``), measurements from ``p``."""
    q = claimed or p
    L = p.depth
    confirm(p, routine, theory_claims(q, [f"delta_x{L}", f"delta_kernel{L}"]),
            biased={f"delta_kernel{L}": SECOND_ORDER_BIAS})
    feature_learning = classify(q).regime is Regime.FEATURE_LEARNING
    confirm(p, replace(routine, steps=1), {"eta_nonlinearity": "theta1" if feature_learning else "vanishes"},
            step=1, simulate_fn=simulate_eta_pair, biased={"eta_nonlinearity": SECOND_ORDER_BIAS})


# f₁ − f₀ concerns the first step; under the one-step lag (App. H.3) features only start to move at
# t = 2, so the feature-learning draws for the η comparison are those without it.
UNLAGGED_FEATURE_LEARNING = parametrizations(depth=st.integers(1, 3), regime="feature_learning").filter(
    lambda p: not lag_applies(p)
)


@finite_settings()
@given(UNLAGGED_FEATURE_LEARNING, routines())
def test_feature_learning_moves_features_by_theta_1_nonlinearly(p: Parametrization, routine: Routine) -> None:
    regime_shows(p, routine)


@finite_settings()
@given(parametrizations(depth=st.integers(1, 3), regime="kernel"), routines())
def test_kernel_regime_freezes_features_and_is_linear_in_eta(p: Parametrization, routine: Routine) -> None:
    regime_shows(p, routine)


@pytest.mark.parametrize("measured,claimed", [(mup(2), ntp(2)), (ntp(2), mup(2))])
def test_negative_control_measurements_against_the_other_regime(measured: Parametrization,
                                                                claimed: Parametrization) -> None:
    regime_shows(measured, Routine())
    with pytest.raises(Disagreement):
        regime_shows(measured, Routine(), claimed)
