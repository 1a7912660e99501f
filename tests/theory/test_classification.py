"""Unit tests of the exact classification beyond the theorem checks."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.strategies import lattice, parametrizations
from impl.theory import (
    Parametrization,
    classify,
    lag_applies,
    min_stable_c,
    parse_spec,
    predicted_exponents,
    presets,
    quantity_names,
    readout_correction,
)

F = Fraction


@given(parametrizations(regime="any"))
def test_min_stable_c_matches_a_brute_force_scan(p: Parametrization) -> None:
    """The closed form agrees with scanning c on a fine lattice (1/8 ⊂ the draws' 1/4 lattice)."""
    got = min_stable_c(p)
    grid = [F(k, 8) for k in range(-80, 120)]
    stable_cs = [c for c in grid if classify(p.with_c(c)).stable]
    if got is None:
        assert not stable_cs
    else:
        assert stable_cs and stable_cs[0] == got
        assert all(c >= got for c in stable_cs) and len(stable_cs) == len([c for c in grid if c >= got])


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_sp_violations_name_the_quantities_they_govern(depth: int) -> None:
    c = classify(presets.sp(depth))
    governs = {v.name: v.governs for v in c.violated}
    assert governs["2aL+1+c>=1"] == "delta_Wout_x"
    assert governs["aL+1+bL+1+r>=1"] == "Wout0_delta_x"
    if depth >= 2:
        assert governs["r>=0"] == "delta_h2"  # r_2 = -1 is the first minimum


def test_exponent_table_for_mup_and_ntp() -> None:
    mup = predicted_exponents(presets.mup(3))
    assert mup["f0"] == F(-1, 2) and all(mup[k] == 0 for k in mup if k != "f0")
    ntp = predicted_exponents(presets.ntp(2))
    assert ntp["f0"] == 0 and ntp["delta_x2"] == F(-1, 2) and ntp["delta_f"] == 0
    assert list(mup) == list(quantity_names(3))


def test_unstable_exponents_are_all_none() -> None:
    e = predicted_exponents(presets.sp(2))
    assert set(e) == set(quantity_names(2)) and all(v is None for v in e.values())


def test_one_step_lag_when_output_init_is_smaller_than_its_update() -> None:
    # a_out + b_out = 3/2 > 2 a_out + c = 1: W0^{L+1} is smaller than ΔW^{L+1}.
    p = Parametrization.of(["-1/2", 0, "1/2"], ["1/2", "1/2", 1], 0)
    assert lag_applies(p) and classify(p).stable
    later, first = predicted_exponents(p), predicted_exponents(p, step=1)
    assert later["delta_W1_x"] == 0 and first["delta_W1_x"] == F(-1, 2)
    assert not lag_applies(presets.mup(2))
    assert predicted_exponents(presets.mup(2), step=1) == predicted_exponents(presets.mup(2))
    with pytest.raises(ValueError):
        predicted_exponents(p, step=0)


@pytest.mark.parametrize(("spec", "first", "later"), [
    ("a=-1/2,0,1/2;b=1/2,1/2,3/4;c=0", F(-1, 2), F(-1, 2)),  # g = ¼: the LLN part of step 1 leads
    ("a=-1/2,0,1/2;b=1/2,1/2,1;c=0", F(-1), F(-1)),          # g = ½: both parts n^-1
    ("a=-1/2,0,1/2;b=1/2,1/2,3/2;c=0", F(-2), F(-3, 2)),     # g = 1: the CLT part leads
    ("a=0,1/2,1/2;b=0,0,3/4;c=0", F(-3, 2), F(-3, 2)),       # kernel regime, r = 1
])
def test_lagged_init_readout_term_after_step_two(spec: str, first: F, later: F) -> None:
    """W₀^{L+1}Δx^L under the lag (docs/theory.md §3.5): n^{1−A−r−g} at t = 1 and n^{1−A−r−min(g, ½)} from t = 2
    (an LLN sum over the part of Δx^L that the W₀^{L+1}-driven steps made, a CLT sum over the rest); measured
    at t = 3 over 64…2048: −0.47, −0.94, −1.46, −1.48 for the four rows."""
    p = parse_spec(spec)
    assert lag_applies(p)
    assert predicted_exponents(p, step=1)["Wout0_delta_x"] == first
    assert predicted_exponents(p)["Wout0_delta_x"] == later


def test_readout_correction_is_the_gap_between_the_readout_update_and_its_init() -> None:
    """q = |(2a_{L+1}+c) − (a_{L+1}+b_{L+1})|, named only when 0 < q < ½ (slower than the n^{-1/2} noise)."""
    assert readout_correction(presets.up(F(1, 4), 2)) == F(1, 4)
    assert readout_correction(presets.mup(2)) is None  # q = 0: the readout update is as large as its init
    assert readout_correction(presets.ntp(2)) is None  # q = ½: as fast as the fluctuations
    assert readout_correction(Parametrization.of(["-1/2", 0, "1/2"], ["1/2", "1/2", 1], 0)) is None  # lag, q = ½
    assert readout_correction(Parametrization.of(["-1/2", 0, "1/2"], ["1/2", "1/2", "3/4"], 0)) == F(1, 4)  # lag, q = ¼


@given(st.integers(1, 4), lattice(F(0), F(1, 2), F(1, 8)))
def test_up_r_exponents_follow_r(depth: int, r: Fraction) -> None:
    e = predicted_exponents(presets.up(r, depth))
    for l in range(1, depth + 1):
        assert e[f"delta_W{l}_x"] == e[f"delta_x{l}"] == -r
    assert e["f0"] == r - F(1, 2) and e["delta_f"] == 0
