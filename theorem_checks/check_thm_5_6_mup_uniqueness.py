"""Theorem 5.6 with Propositions 5.3 and 5.5 — Section 5.

*In words:* in µP every weight matrix Wˡ (l ≤ L) is updated maximally (r_l = 0, Prop 5.3), and
the output layer is both updated maximally (2a_{L+1} + c = 1) and initialised maximally
(a_{L+1} + b_{L+1} + r = 1, Prop 5.5). µP is the only stable parametrization, modulo the
symmetry of Eq. (5), with all of these properties.

Theory-level check: the maximal-update property holds exactly on the µP class (canonical form
equal to µP's) over draws from every regime and from shifted µP itself. Negative control:
forgetting "initialised maximally" admits non-µP parametrizations (a_{L+1} = ½, A > 1).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.strategies import depths, lattice, parametrizations
from impl.theory import Parametrization, classification, presets
from theorem_checks.breakage import maximality_without_init
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
