"""A zero-initialised readout, b_{L+1} = ∞ (App. H.3): exact arithmetic, the classification and the
predictions as limits of a_{L+1}+b_{L+1} → ∞, and the spec grammar."""

from __future__ import annotations

import pickle
from fractions import Fraction as F

import pytest
from hypothesis import given, settings, strategies as st

from impl.theory import (
    INF,
    Behaviour,
    Parametrization,
    SpecError,
    classify,
    exact_zeros,
    feature_step,
    lag_applies,
    min_stable_c,
    mup,
    ntp,
    parse_spec,
    predicted_behaviours,
    predicted_exponents,
    readout_correction,
)
from impl.theory.rational import to_exponent

MUP0 = "a=-1/2,0,1/2;b=1/2,1/2,inf;c=0"


def with_b_out(p: Parametrization, b_out: object) -> Parametrization:
    return Parametrization.of(p.a, p.b[:-1] + (b_out,), p.c)  # type: ignore[arg-type]


def test_infinity_arithmetic_is_the_limit() -> None:
    assert F(1, 2) + INF == INF and F(1, 2) - INF == -INF and -(-INF) == INF
    assert min(INF, F(3)) == F(3) and max(F(0), 1 - INF) == F(0)
    assert F(10**9) < INF and INF >= F(1, 2) and -INF < F(-10**9) and INF != F(1)
    assert 2 * INF == INF and F(-1, 2) * INF == -INF
    assert float(INF) == float("inf") and 64.0 ** float(-INF) == 0.0
    assert pickle.loads(pickle.dumps(INF)) == INF and str(INF) == "inf"
    with pytest.raises(ValueError):
        INF - INF
    with pytest.raises(ValueError):
        0 * INF
    for text in ("inf", "+inf", "Infinity", "∞", " INF "):
        assert to_exponent(text) == INF
    with pytest.raises(ValueError):
        to_exponent("-inf")


def test_spec_reads_and_writes_inf_for_the_readout_only() -> None:
    p = parse_spec(MUP0)
    assert p.zero_readout and p.b_out == INF and p.spec() == MUP0 and parse_spec(p.spec()) == p
    assert p.shift(1) .b_out == INF and p.canonical() == p and p.equivalent(p.shift(F(1, 3)))
    assert not mup(2).zero_readout and p != mup(2)
    with pytest.raises(SpecError, match="only the readout"):
        parse_spec("a=-1/2,0,1/2;b=1/2,inf,inf;c=0")
    with pytest.raises(SpecError, match="a\\[2\\]"):
        parse_spec("a=-1/2,inf,1/2;b=1/2,1/2,inf;c=0")
    with pytest.raises(SpecError):
        parse_spec("a=-1/2,0,1/2;b=1/2,1/2,1/2;c=inf")


def test_mup_with_a_zero_readout_is_feature_learning_but_not_mup() -> None:
    c = classify(parse_spec(MUP0))
    assert c.stable and c.nontrivial and c.regime.value == "feature_learning" and c.r == 0
    assert all(c.maximal.body) and c.maximal.out_updated and not c.maximal.out_initialized
    assert not c.mup_class  # Theorem 5.6 asks W^{L+1} initialised maximally
    assert c.min_stable_c == 0
    assert all(cond.holds for cond in c.conditions)


def test_predictions_of_a_zero_readout() -> None:
    p = parse_spec(MUP0)
    assert lag_applies(p) and feature_step(p) == 2 and readout_correction(p) is None
    one, later = predicted_behaviours(p, step=1), predicted_behaviours(p)
    zeros_1 = {"f0", "Wout0_delta_x"} | {f"{q}{l}" for l in (1, 2) for q in ("delta_h", "delta_x", "delta_kernel")} | {
        "delta_W1_x", "delta_W2_x"}
    assert exact_zeros(p, 1) == zeros_1 and exact_zeros(p) == {"f0", "Wout0_delta_x"}
    assert {k for k, v in one.items() if v is Behaviour.ZERO} == zeros_1
    assert {k for k, v in later.items() if v is Behaviour.ZERO} == {"f0", "Wout0_delta_x"}
    e1, e = predicted_exponents(p, step=1), predicted_exponents(p)
    assert all(e1[k] is None for k in zeros_1) and e1["delta_Wout_x"] == 0 and e1["delta_f"] == 0
    assert e["delta_W1_x"] == e["delta_x2"] == e["delta_kernel2"] == e["delta_f"] == 0
    assert exact_zeros(mup(2), 1) == frozenset()


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.sampled_from(["mup", "ntp", "sp", "up:1/4", "sp-lr1n"]), st.integers(-2, 2))
def test_a_zero_readout_is_the_limit_of_a_growing_readout_init(depth: int, name: str, shift: int) -> None:
    """Every prediction that does not involve W^{L+1}₀ equals the one at a large finite b_{L+1}, and r, the
    regime, stability and the max-LR exponent do too (App. H.3: A → ∞ with 2a_{L+1}+c fixed)."""
    base = parse_spec(name, depth).shift(F(shift, 4))
    zero, far = with_b_out(base, "inf"), with_b_out(base, base.b_out + 40)
    cz, cf = classify(zero), classify(far)
    assert (cz.r, cz.regime, cz.stable, cz.r_layers, cz.min_stable_c) == (cf.r, cf.regime, cf.stable, cf.r_layers, cf.min_stable_c)
    for step in (1, 2, None):
        ez, ef = predicted_exponents(zero, step), predicted_exponents(far, step)
        for k in ez:
            if k in exact_zeros(zero, step):
                assert ef[k] is None or ef[k] < -30  # the finite readout's version vanishes ever faster
            elif k not in ("Wout0_delta_x",):
                assert ez[k] == ef[k], (k, step)


def test_ntp_with_a_zero_readout_trains_only_the_readout_first() -> None:
    p = with_b_out(ntp(2), INF)
    c = classify(p)
    assert c.stable and c.regime.value == "kernel" and min_stable_c(p) is not None
    assert predicted_behaviours(p, step=1)["delta_x2"] is Behaviour.ZERO
