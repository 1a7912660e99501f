"""Theorem 5.6 with Propositions 5.3 and 5.5 — Section 5.

*In words:* in µP every weight matrix Wˡ (l ≤ L) is updated maximally (r_l = 0, Prop 5.3), and
the output layer is both updated maximally (2a_{L+1} + c = 1) and initialised maximally
(a_{L+1} + b_{L+1} + r = 1, Prop 5.5). µP is the only stable parametrization, modulo the
symmetry of Eq. (5), with all of these properties.

Theory-level check: the maximal-update property holds exactly on the µP class (canonical form
equal to µP's) over draws from every regime and from shifted µP itself. Negative control:
forgetting "initialised maximally" admits non-µP parametrizations (a_{L+1} = ½, A > 1).

Finite-width checks (φ ∈ {tanh, σ-gelu}, random η and data, after one step): in µP (shifted by Eq. 5)
every ``delta_W{l}_x``, ``delta_Wout_x`` and ``Wout0_delta_x`` has width exponent 0; in any other stable draw at least one of
those predicted to vanish is measured at its predicted exponent. Negative controls: µP's
measurements judged with NTP's claims, and NTP's with µP's, must fail.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.strategies import depths, lattice, parametrizations
from impl.theory import Parametrization, classification, presets
from theorem_checks.breakage import maximality_without_init
from theorem_checks.finite import Disagreement, Routine, confirm, finite_settings, routines, theory_claims
from theorem_checks.support import assert_check_fails, theory_settings

SHIFTED_MUP = st.tuples(depths(), lattice(-2, 2)).map(lambda dt: presets.mup(dt[0]).shift(dt[1]))
DRAWS = st.one_of(parametrizations(regime="any"), parametrizations(regime="feature_learning"), SHIFTED_MUP)


def maximal_exactly_on_mup_class(p: Parametrization) -> None:
    c = classification.classify(p)
    has_property = c.stable and classification.maximal_updates(p).all_maximal
    assert has_property == c.mup_class, f"{p}: all-maximal={has_property} but µP class={c.mup_class}"


@theory_settings()
@given(DRAWS)
def test_mup_is_the_unique_maximal_update_parametrization(p: Parametrization) -> None:
    maximal_exactly_on_mup_class(p)


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_mup_updates_every_layer_maximally(depth: int) -> None:
    c = classification.classify(presets.mup(depth))
    assert all(r == 0 for r in c.r_layers) and c.maximal.all_maximal and c.stable


def test_negative_control_forgetting_initialised_maximally(monkeypatch: pytest.MonkeyPatch) -> None:
    maximality_without_init(monkeypatch)
    assert_check_fails(parametrizations(regime="feature_learning"), maximal_exactly_on_mup_class)


# --- Finite width: which updates are Θ(1) (Prop 5.3/5.5), measured at t = 2 ----------------------


def _update_names(depth: int) -> list[str]:
    return [f"delta_W{l}_x" for l in range(1, depth + 1)] + ["delta_Wout_x", "Wout0_delta_x"]


def maximal_iff_mup(p: Parametrization, routine: Routine, claimed: Parametrization | None = None) -> None:
    """µP class: every ΔWˡx^{l−1}, ΔW^{L+1}x^L and W₀^{L+1}Δx^L is Θ(1). Otherwise (stable): at least one of those
    the theory says vanishes does vanish at its predicted rate. Claims from ``claimed`` (default p)."""
    q = claimed or p
    claims = theory_claims(q, _update_names(p.depth))
    if classification.classify(q).mup_class:
        confirm(p, routine, claims)
    else:
        confirm(p, routine, {k: e for k, e in claims.items() if isinstance(e, Fraction) and e < 0}, require="any")


FINITE_DEPTHS = st.integers(1, 3)
FINITE_MUP = st.tuples(FINITE_DEPTHS, lattice(-1, 1)).map(lambda dt: presets.mup(dt[0]).shift(dt[1]))
NOT_MUP = parametrizations(depth=FINITE_DEPTHS, regime="stable").filter(lambda p: not classification.in_mup_class(p))


@finite_settings()
@given(FINITE_MUP, routines())
def test_mup_updates_every_layer_by_theta_1(p: Parametrization, routine: Routine) -> None:
    maximal_iff_mup(p, routine)


@finite_settings()
@given(NOT_MUP, routines())
def test_other_stable_parametrizations_have_a_vanishing_update(p: Parametrization, routine: Routine) -> None:
    maximal_iff_mup(p, routine)


@pytest.mark.parametrize("measured,claimed", [(presets.mup(2), presets.ntp(2)), (presets.ntp(2), presets.mup(2))])
def test_negative_control_measurements_against_the_other_class(measured: Parametrization,
                                                              claimed: Parametrization) -> None:
    maximal_iff_mup(measured, Routine())
    with pytest.raises(Disagreement):
        maximal_iff_mup(measured, Routine(), claimed)
