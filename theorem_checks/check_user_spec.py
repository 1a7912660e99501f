"""Every applicable finite-width theorem check, on the parametrization given by ``--tp4-spec``.

``pytest theorem_checks/check_user_spec.py --tp4-spec 'a=-1/2,1/4,1/2;b=1/2,1/4,1/2;c=0'`` runs, for
that one parametrization (φ ∈ {tanh, σ-gelu}, η = 1), the checks of the statement modules that
apply to its class: Theorem 3.3 (bounded, or its violated conditions' quantities grow), Theorem 3.4
(f moves iff nontrivial), Theorems 3.6/3.8 (regime), Corollary 3.10 (f₀ exponent), Theorem 5.6
(maximal updates) and Theorem H.13(3) (layerwise feature learning). Without the option every test
here is skipped. Each check's negative controls live in its own module.

A claim with a documented finite-width bias that stays undecided ends as an
``InconclusiveWarning`` (not a failure); each test records those as the JUnit property
``inconclusive_warning`` so that ``tp4 check`` can show them instead of a plain "agrees".
"""

from __future__ import annotations

import warnings
from typing import Callable, Iterator

import pytest

from impl.theory import Parametrization, Regime, classify, lag_applies
from theorem_checks.check_cor_3_9_dichotomy import regime_shows
from theorem_checks.check_cor_3_10_f0_vanishes import f0_scales_as_predicted
from theorem_checks.check_thm_3_3_stability import everything_bounded, governed_quantities_misbehave
from theorem_checks.check_thm_3_4_nontriviality import f_moves_iff_nontrivial
from theorem_checks.check_thm_5_6_mup_uniqueness import maximal_iff_mup
from theorem_checks.check_thm_h_13_3_layerwise_feature_learning import features_propagate
from theorem_checks.finite import PHIS, InconclusiveWarning, Routine

PHI = pytest.mark.parametrize("phi", PHIS, ids=list(PHIS))


@pytest.fixture(autouse=True)
def _record_bias_warnings(record_property: Callable[[str, object], None]) -> Iterator[None]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InconclusiveWarning)
        yield
    for w in caught:
        if issubclass(w.category, InconclusiveWarning):
            record_property("inconclusive_warning", str(w.message).splitlines()[-1])
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _stable(p: Parametrization) -> None:
    if not classify(p).stable:
        pytest.skip(f"{p} is unstable: only Theorem 3.3 applies")


@PHI
def test_user_spec_stability(tp4_spec: Parametrization, phi: str) -> None:
    check = everything_bounded if classify(tp4_spec).stable else governed_quantities_misbehave
    check(tp4_spec, Routine(phi=phi))


@PHI
def test_user_spec_nontriviality(tp4_spec: Parametrization, phi: str) -> None:
    _stable(tp4_spec)
    f_moves_iff_nontrivial(tp4_spec, Routine(phi=phi))


@PHI
def test_user_spec_regime(tp4_spec: Parametrization, phi: str) -> None:
    _stable(tp4_spec)
    c = classify(tp4_spec)
    if not c.nontrivial or (c.regime is Regime.FEATURE_LEARNING and lag_applies(tp4_spec)):
        pytest.skip("the dichotomy check needs a nontrivial parametrization (feature learning without the lag)")
    regime_shows(tp4_spec, Routine(phi=phi))


@PHI
def test_user_spec_f0(tp4_spec: Parametrization, phi: str) -> None:
    _stable(tp4_spec)
    f0_scales_as_predicted(tp4_spec, Routine(phi=phi, steps=0))


@PHI
def test_user_spec_maximal_updates(tp4_spec: Parametrization, phi: str) -> None:
    _stable(tp4_spec)
    maximal_iff_mup(tp4_spec, Routine(phi=phi))


@PHI
def test_user_spec_layerwise_feature_learning(tp4_spec: Parametrization, phi: str) -> None:
    _stable(tp4_spec)
    if classify(tp4_spec).regime is not Regime.FEATURE_LEARNING:
        pytest.skip("Theorem H.13(3) is about feature-learning parametrizations")
    features_propagate(tp4_spec, Routine(phi=phi))
