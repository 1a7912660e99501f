"""Theorem 5.6 with Propositions 5.3 and 5.5 — Section 5.

*In words:* in µP every weight matrix Wˡ (l ≤ L) is updated maximally (r_l = 0, Prop 5.3), and
the output layer is both updated maximally (2a_{L+1} + c = 1) and initialised maximally
(a_{L+1} + b_{L+1} + r = 1, Prop 5.5). µP is the only stable parametrization, modulo the
symmetry of Eq. (5), with all of these properties.

Theory-level check: the maximal-update property holds exactly on the µP class (canonical form
equal to µP's) over draws from every regime and from shifted µP itself. Negative control:
forgetting "initialised maximally" admits non-µP parametrizations (a_{L+1} = ½, A > 1).

Finite width (:mod:`impl.checks.maximal_updates`; φ ∈ {tanh, σ-gelu}, random η and data, after one
step): in µP (shifted by Eq. 5) every ``delta_W{l}_x``, ``delta_Wout_x`` and ``Wout0_delta_x`` has
width exponent 0; in any other stable draw each of them is measured at its own predicted exponent
(Prop 5.3/5.5), so at least one vanishes. Negative controls: µP's measurements judged with NTP's
claims, and NTP's with µP's, must disagree; so must a theory with a single layer's rate off by ¼.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.checks import ROUTINE, Theory, check_maximal_updates
from impl.measurement import Verdict
from impl.simulation import Routine
from impl.strategies import depths, lattice, parametrizations, routines
from impl.theory import Parametrization, classification, presets
from theorem_checks.breakage import maximality_without_init
from theorem_checks.suite import (
    BUDGET,
    SWEEPS,
    assert_check_fails,
    exact_settings,
    finite_settings,
)

SHIFTED_MUP = st.tuples(depths(), lattice(-2, 2)).map(lambda dt: presets.mup(dt[0]).shift(dt[1]))
DRAWS = st.one_of(parametrizations(regime="any"), parametrizations(regime="feature_learning"), SHIFTED_MUP)


def maximal_exactly_on_mup_class(p: Parametrization) -> None:
    c = classification.classify(p)
    has_property = c.stable and classification.maximal_updates(p).all_maximal
    assert has_property == c.mup_class, f"{p}: all-maximal={has_property} but µP class={c.mup_class}"


@exact_settings()
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


# --- Finite width: which updates are Θ(1) (Prop 5.3/5.5), measured after one step -------------------

FINITE_DEPTHS = st.integers(1, 3)
FINITE_MUP = st.tuples(FINITE_DEPTHS, lattice(-1, 1)).map(lambda dt: presets.mup(dt[0]).shift(dt[1]))
NOT_MUP = parametrizations(depth=FINITE_DEPTHS, regime="stable").filter(lambda p: not classification.in_mup_class(p))


@finite_settings()
@given(FINITE_MUP, routines())
def test_mup_updates_every_layer_by_theta_1(p: Parametrization, routine: Routine) -> None:
    result = check_maximal_updates(p, routine, BUDGET, sweeps=SWEEPS)
    assert result.agrees, str(result)


@finite_settings()
@given(NOT_MUP, routines())
def test_other_stable_parametrizations_update_each_layer_at_its_rate(p: Parametrization, routine: Routine) -> None:
    result = check_maximal_updates(p, routine, BUDGET, sweeps=SWEEPS)
    assert result.agrees, str(result)


@pytest.mark.parametrize("measured,claimed", [(presets.mup(2), presets.ntp(2)), (presets.ntp(2), presets.mup(2))])
def test_negative_control_measurements_against_the_other_class(measured: Parametrization,
                                                              claimed: Parametrization) -> None:
    assert check_maximal_updates(measured, ROUTINE, BUDGET, sweeps=SWEEPS).agrees
    wrong = check_maximal_updates(measured, ROUTINE, BUDGET, against=claimed, sweeps=SWEEPS)
    assert wrong.verdict is Verdict.DISAGREE, str(wrong)


def test_negative_control_a_single_wrong_layer_among_right_ones() -> None:
    one_layer_off = Theory(presets.mup(2), overrides={"delta_W2_x": Fraction(-1, 4)})
    wrong = check_maximal_updates(presets.mup(2), ROUTINE, BUDGET, against=one_layer_off, sweeps=SWEEPS)
    assert wrong.verdict is Verdict.DISAGREE, str(wrong)
    bad = [c.quantity for c in wrong.claims if c.verdict is Verdict.DISAGREE]
    assert bad == ["delta_W2_x"], str(wrong)
