"""Theorem 3.4 (nontriviality) — Section 3.2; the check is :mod:`impl.checks.nontriviality`.

*In words:* a stable abc-parametrization is nontrivial — the function moves by Θ(1) after O(1) SGD
steps — iff a_{L+1}+b_{L+1}+r = 1 or 2a_{L+1}+c = 1; otherwise fₜ − f₀ → 0 as width n → ∞.

Finite width (φ ∈ {tanh, σ-gelu}, random η and data): nontrivial draws move f by Θ(1) after the first
step; trivial draws' f₁ − f₀ vanishes at the rate the theory gives (Prop 5.5).

Negative controls: the nontrivial measurements (µP) judged as trivial, and the trivial ones (µP with
c = ½, where f moves like n^{−1/2}) judged as nontrivial, must both disagree; so must the trivial ones judged
by a trivial theory with another rate (µP with c = 1: n^{−1}), and networks that move f by Θ(1) through
W₀^{L+1}Δx^L judged by a trivial theory whose rate n^{−1/2} is right for their other term, ΔW^{L+1}x^L.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.checks import ROUTINE, check_nontriviality
from impl.measurement import Verdict
from impl.simulation import Routine
from impl.strategies import parametrizations, routines
from impl.theory import Parametrization, classify, mup, parse_spec
from theorem_checks.suite import BUDGET, SWEEPS, finite_settings

DEPTHS = st.integers(1, 3)


@finite_settings()
@given(parametrizations(depth=DEPTHS, regime="nontrivial"), routines())
def test_nontrivial_parametrizations_move_f_by_theta_1(p: Parametrization, routine: Routine) -> None:
    result = check_nontriviality(p, routine, BUDGET, sweeps=SWEEPS)
    assert result.agrees, str(result)


@finite_settings()
@given(parametrizations(depth=DEPTHS, regime="trivial"), routines())
def test_trivial_parametrizations_freeze_f(p: Parametrization, routine: Routine) -> None:
    result = check_nontriviality(p, routine, BUDGET, sweeps=SWEEPS)
    assert result.agrees, str(result)


NONTRIVIAL = mup(2)
TRIVIAL = NONTRIVIAL.with_c(Fraction(1, 2))


@pytest.mark.parametrize("measured,claimed", [(NONTRIVIAL, TRIVIAL), (TRIVIAL, NONTRIVIAL)])
def test_negative_control_other_class(measured: Parametrization, claimed: Parametrization) -> None:
    assert classify(NONTRIVIAL).nontrivial and classify(TRIVIAL).stable and not classify(TRIVIAL).nontrivial
    assert check_nontriviality(measured, ROUTINE, BUDGET, sweeps=SWEEPS).agrees
    wrong = check_nontriviality(measured, ROUTINE, BUDGET, against=claimed, sweeps=SWEEPS)
    assert wrong.verdict is Verdict.DISAGREE, str(wrong)


def test_negative_control_trivial_with_the_wrong_rate() -> None:
    slower = NONTRIVIAL.with_c(Fraction(1))
    assert not classify(slower).nontrivial and classify(slower).stable
    wrong = check_nontriviality(TRIVIAL, ROUTINE, BUDGET, against=slower, sweeps=SWEEPS)
    assert wrong.verdict is Verdict.DISAGREE, str(wrong)


def test_negative_control_trivial_whose_rate_is_right_for_the_other_term() -> None:
    moves = parse_spec("a=0,3/4;b=0,-1/4;c=0", 1)  # f1 - f0 Θ(1) through W0 dx, dW x ~ n^-1/2
    trivial = parse_spec("a=0,-1/4;b=0,3/4;c=2", 1)  # f1 - f0 ~ n^-1/2 through dW x, W0 dx ~ n^-2
    assert classify(moves).nontrivial and classify(trivial).stable and not classify(trivial).nontrivial
    wrong = check_nontriviality(moves, ROUTINE, BUDGET, against=trivial, sweeps=SWEEPS)
    assert wrong.verdict is Verdict.DISAGREE, str(wrong)
