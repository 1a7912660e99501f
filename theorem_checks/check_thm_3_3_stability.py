"""Theorem 3.3 (stability) — Section 3.2, App. H.4; the check is :mod:`impl.checks.stability`.

*In words:* an abc-parametrization is stable — every pre-activation, activation and the output stay
O(1) coordinatewise as width n → ∞, at initialisation and after O(1) SGD steps — iff a₁+b₁ = 0,
aₗ+bₗ = ½ (2 ≤ l ≤ L), a_{L+1}+b_{L+1} ≥ ½, r ≥ 0, 2a_{L+1}+c ≥ 1 and a_{L+1}+b_{L+1}+r ≥ 1.

Finite width (φ ∈ {tanh, σ-gelu}, random η and data): a stable draw keeps every quantity bounded, each
first-order one at the exponent the theory gives it after the first step; an unstable draw that violates
one condition makes the quantity that condition governs grow (or vanish, for a too-small initial scale).

Negative controls: µP's measurements judged with the claims of an unstable twin (µP with the output
multiplier a_{L+1} = ¼, the body rebalanced so that only 2a_{L+1}+c ≥ 1 fails) must disagree, and so
must the twin's measurements judged with µP's claims; and µP's judged with NTP's — stable too, but with
other exponents — must disagree: "bounded" alone could not tell them apart.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from impl.checks import ROUTINE, check_stability
from impl.measurement import Verdict
from impl.simulation import Routine
from impl.strategies import UNSTABLE_CONDITIONS, parametrizations, routines
from impl.theory import Parametrization, classify, mup, ntp
from theorem_checks.suite import BUDGET, SWEEPS, finite_settings

UNSTABLE = st.sampled_from(UNSTABLE_CONDITIONS).flatmap(
    lambda v: parametrizations(depth=st.integers(1, 3), regime="unstable", violate=v)
)


@finite_settings()
@given(parametrizations(depth=st.integers(1, 3), regime="stable"), routines())
def test_stable_parametrizations_keep_every_quantity_bounded(p: Parametrization, routine: Routine) -> None:
    result = check_stability(p, routine, BUDGET, sweeps=SWEEPS)
    assert result.agrees, str(result)


@finite_settings(factor=2)
@given(UNSTABLE, routines())
def test_each_violated_condition_makes_its_quantity_grow(p: Parametrization, routine: Routine) -> None:
    result = check_stability(p, routine, BUDGET, sweeps=SWEEPS)
    assert result.agrees, str(result)


STABLE = mup(2)
UNSTABLE_TWIN = Parametrization.of(["-1/4", "1/4", "1/4"], ["1/4", "1/4", "3/4"], 0)  # 2a_{L+1}+c = 1/2


def test_negative_control_stable_measurements_against_unstable_claims() -> None:
    assert [c.name for c in classify(UNSTABLE_TWIN).violated] == ["2aL+1+c>=1"]
    assert check_stability(STABLE, ROUTINE, BUDGET, sweeps=SWEEPS).agrees
    wrong = check_stability(STABLE, ROUTINE, BUDGET, against=UNSTABLE_TWIN, sweeps=SWEEPS)
    assert wrong.verdict is Verdict.DISAGREE, str(wrong)


def test_negative_control_unstable_measurements_against_bounded_claim() -> None:
    assert check_stability(UNSTABLE_TWIN, ROUTINE, BUDGET, sweeps=SWEEPS).agrees
    wrong = check_stability(UNSTABLE_TWIN, ROUTINE, BUDGET, against=STABLE, sweeps=SWEEPS)
    assert wrong.verdict is Verdict.DISAGREE, str(wrong)


def test_negative_control_stable_measurements_against_another_stable_theory() -> None:
    assert classify(ntp(2)).stable
    wrong = check_stability(STABLE, ROUTINE, BUDGET, against=ntp(2), sweeps=SWEEPS)
    assert wrong.verdict is Verdict.DISAGREE, str(wrong)
