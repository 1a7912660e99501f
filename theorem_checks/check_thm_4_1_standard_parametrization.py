"""Theorem 4.1 — Section 4; the finite-width check is :mod:`impl.checks.max_lr`.

*In words:* an MLP in standard parametrization (PyTorch's default initialisation, Table 1) is stable
only if its learning rate is O(1/n), i.e. c ≥ 1; and then it is in the kernel regime and does not
learn features. So its largest stable learning rate scales like n^{−1} (c* = 1).

Theory-level check over depths 1–4 and c on a 1/4-lattice. Negative control: Definition 3.2 with the
standalone + c dropped makes SP with c = 1 unstable, so the check fails.

Finite width: for fixed (a, b) the largest stable learning rate scales like n^{c − c*},
c* = ``min_stable_c(p)`` — SP: n^{−1}; µP, NTP: n^0 (each preset at depth 2, tanh, c = 0; the search
is described in :mod:`impl.checks.max_lr`). Negative controls: the same measurements judged against a
wrong exponent (SP against 0, µP against −1) must disagree.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.checks import ROUTINE, Theory, check_max_lr
from impl.measurement import Verdict
from impl.strategies import depths, lattice
from impl.theory import classification, presets
from impl.theory.classification import min_stable_c
from theorem_checks.breakage import r_without_lr_term
from theorem_checks.suite import BUDGET, SWEEPS, assert_check_fails, exact_settings

SP_WITH_C = st.tuples(depths(), lattice(Fraction(-2), Fraction(3)))


def sp_needs_lr_one_over_n(case: tuple[int, Fraction]) -> None:
    depth, c = case
    p = presets.sp(depth).with_c(c)
    v = classification.classify(p)
    assert v.stable == (c >= 1), f"SP L={depth} c={c}: stable={v.stable}"
    assert v.min_stable_c == 1, f"SP L={depth}: min stable c {v.min_stable_c}"
    if v.stable:
        assert v.regime in (classification.Regime.KERNEL, classification.Regime.TRIVIAL)
        assert v.r > 0, f"SP L={depth} c={c}: r = {v.r} (feature learning)"
    if c == 1:
        assert v.regime is classification.Regime.KERNEL


@exact_settings()
@given(SP_WITH_C)
def test_sp_is_stable_iff_c_at_least_one_and_then_kernel(case: tuple[int, Fraction]) -> None:
    sp_needs_lr_one_over_n(case)


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_sp_with_lr_one_over_n_is_the_kernel_regime_preset(depth: int) -> None:
    sp_needs_lr_one_over_n((depth, Fraction(1)))


def test_negative_control_r_without_lr_term(monkeypatch: pytest.MonkeyPatch) -> None:
    r_without_lr_term(monkeypatch)
    assert_check_fails(SP_WITH_C, sp_needs_lr_one_over_n)


LR_PRESETS = {"sp": presets.sp, "mup": presets.mup, "ntp": presets.ntp}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(LR_PRESETS))
def test_max_stable_lr_scales_like_n_to_minus_c_star(name: str) -> None:
    p = LR_PRESETS[name](2).with_c(0)
    assert min_stable_c(p) == {"sp": 1, "mup": 0, "ntp": 0}[name]
    result = check_max_lr(p, ROUTINE, BUDGET, sweeps=SWEEPS)
    assert result.agrees, str(result)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "wrong"), [("sp", Fraction(0)), ("mup", Fraction(-1))])
def test_negative_control_max_stable_lr_against_wrong_exponent(name: str, wrong: Fraction) -> None:
    p = LR_PRESETS[name](2).with_c(0)
    result = check_max_lr(p, ROUTINE, BUDGET, against=Theory(p, overrides={"max_lr": wrong}), sweeps=SWEEPS)
    assert result.verdict is Verdict.DISAGREE and result.perturbed, str(result)
