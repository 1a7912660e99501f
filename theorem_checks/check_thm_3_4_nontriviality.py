"""Theorem 3.4 (nontriviality) at finite width — Section 3.2.

*In words:* a stable abc-parametrization is nontrivial — the function moves by Θ(1) after O(1)
SGD steps, fₜ(ξ) − f₀(ξ) ↛ 0 — iff a_{L+1}+b_{L+1}+r = 1 or 2a_{L+1}+c = 1; otherwise
(trivial) fₜ − f₀ → 0 as width n → ∞.

Finite-width checks (φ ∈ {tanh, σ-gelu}, random η and data): for nontrivial draws the fitted width
exponent of ``delta_f`` = fₜ − f₀ (RMS over probes and seeds, t = 2) is 0 within the margin; for
trivial draws it vanishes (upper confidence bound below −δ).

Negative controls: the nontrivial measurements (µP) judged as trivial, and the trivial ones (µP
with c = ½, where f moves like n^{−1/2}) judged as nontrivial, must both fail.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.strategies import parametrizations
from impl.theory import Parametrization, classify, mup
from theorem_checks.finite import Disagreement, Routine, confirm, finite_settings, routines

DEPTHS = st.integers(1, 3)


def f_moves_iff_nontrivial(p: Parametrization, routine: Routine, claimed: Parametrization | None = None) -> None:
    """delta_f is Θ(1) if ``claimed`` (default ``p``) is nontrivial, else vanishes."""
    nontrivial = classify(claimed or p).nontrivial
    confirm(p, routine, {"delta_f": Fraction(0) if nontrivial else "vanishes"})


@finite_settings()
@given(parametrizations(depth=DEPTHS, regime="nontrivial"), routines())
def test_nontrivial_parametrizations_move_f_by_theta_1(p: Parametrization, routine: Routine) -> None:
    f_moves_iff_nontrivial(p, routine)


@finite_settings()
@given(parametrizations(depth=DEPTHS, regime="trivial"), routines())
def test_trivial_parametrizations_freeze_f(p: Parametrization, routine: Routine) -> None:
    f_moves_iff_nontrivial(p, routine)


NONTRIVIAL = mup(2)
TRIVIAL = NONTRIVIAL.with_c(Fraction(1, 2))


@pytest.mark.parametrize("measured,claimed", [(NONTRIVIAL, TRIVIAL), (TRIVIAL, NONTRIVIAL)])
def test_negative_control_other_class(measured: Parametrization, claimed: Parametrization) -> None:
    assert classify(NONTRIVIAL).nontrivial and classify(TRIVIAL).stable and not classify(TRIVIAL).nontrivial
    f_moves_iff_nontrivial(measured, Routine())
    with pytest.raises(Disagreement):
        f_moves_iff_nontrivial(measured, Routine(), claimed)
