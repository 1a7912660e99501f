"""Theorem 4.1 — Section 4.

*In words:* an MLP in standard parametrization (PyTorch's default initialisation, Table 1) is
stable only if its learning rate is O(1/n), i.e. c ≥ 1; and then it is in the kernel regime and
does not learn features. So its largest stable learning rate scales like n^{−1} (c* = 1).

Theory-level check over depths 1–4 and c on a 1/4-lattice. Negative control: Definition 3.2 with
the standalone + c dropped makes SP with c = 1 unstable, so the check fails.

Finite-width check of the max-LR exponent (THEORY.md §2, §5): for fixed (a, b) the largest stable
learning rate scales like n^{−c*}, c* = ``min_stable_c(p)`` — SP: n^{−1}; µP, NTP: n^0. Each preset
(depth 2, tanh) is run with c = 0, so the learning rate *is* the constant η and the measured max η
itself scales like n^{−c*}.

* *Diverged*: full-batch gradient descent on 8 fixed examples (labels ±2, MSE, T = 20 steps) at
  η diverges when its training loss is non-finite or exceeds 10× its initial loss at any step ≤ T.
* *Max stable η* at a width, per seed: the largest η on the grid 2^{k/4} (2^{−12} … 2^6) whose run
  does not diverge, found by bisection on the grid — assuming divergence is monotone in η (true in
  every scan we ran: the loss ratio grows with η once the catapult/blow-up sets in). An edge
  outside the grid is :class:`Inconclusive`, never clipped.
* *Fit*: ``fit_exponent`` over the profile's ``lr_widths`` with the per-seed max η as the (W, S)
  sizes, decided against −c* with the default margin. The grid quantises each log2 η to 0.25, i.e.
  a per-seed log-log slope over 64…1024 (4 octaves) to ±0.06; the fit uses the RMS over seeds at
  each width, which averages the quantisation out where seeds straddle a grid point. ``lr_seeds``
  seeds first; while inconclusive, twice the seeds, up to ``BUDGET.retries`` times (SP, whose
  64…1024 slope is ≈ −1.09, close to the −1.15 edge, typically needs 32 seeds).

Negative controls: the same measurements judged against a wrong exponent (SP against 0, µP against
−1) must be ``inconsistent`` (:class:`Disagreement`).
"""

from __future__ import annotations

import functools
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.strategies import depths, lattice
from impl.theory import classification, presets
from theorem_checks.breakage import r_without_lr_term
from impl.measurement import Verdict, decide, fit_exponent
from impl.theory.classification import min_stable_c
from theorem_checks.finite import (
    ALPHA, BUDGET, MARGIN, Disagreement, Inconclusive, Routine, as_judged, max_stable_lr, network_seeds,
)
from theorem_checks.support import assert_check_fails, theory_settings

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


@theory_settings()
@given(SP_WITH_C)
def test_sp_is_stable_iff_c_at_least_one_and_then_kernel(case: tuple[int, Fraction]) -> None:
    sp_needs_lr_one_over_n(case)


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_sp_with_lr_one_over_n_is_the_kernel_regime_preset(depth: int) -> None:
    sp_needs_lr_one_over_n((depth, Fraction(1)))


def test_negative_control_r_without_lr_term(monkeypatch: pytest.MonkeyPatch) -> None:
    r_without_lr_term(monkeypatch)
    assert_check_fails(SP_WITH_C, sp_needs_lr_one_over_n)


LR_ROUTINE = Routine(phi="tanh", data_seed=0, steps=20, label=2.0)
LR_PRESETS = {"sp": presets.sp, "mup": presets.mup, "ntp": presets.ntp}


@functools.cache
def max_lr_chunk(name: str, chunk: int, data_seed: int = 0) -> np.ndarray:
    """Max stable η (not log) of the depth-2 preset with c = 0 for the ``chunk``-th block of
    ``lr_seeds`` seeds, shape (len(lr_widths), lr_seeds). Seeds are independent, so a retry adds
    a block instead of recomputing the first. ``data_seed`` picks the training data (and so the seeds)."""
    p = LR_PRESETS[name](2).with_c(0)
    k = BUDGET.lr_seeds
    routine = replace(LR_ROUTINE, data_seed=data_seed)
    seeds = network_seeds(p, routine, (chunk + 1) * k)[chunk * k:]
    return np.array([2.0 ** max_stable_lr(p, routine, n, seeds) for n in BUDGET.lr_widths])


def judge_max_lr(name: str, claim: Fraction, data_seed: int = 0) -> None:
    """Decide the fitted max-η exponent of preset ``name`` against ``claim``; while inconclusive,
    retry with twice the seeds, up to ``BUDGET.retries`` times, as :func:`finite.confirm` does.
    Other ``data_seed`` values give independent repetitions (:mod:`theorem_checks.calibration`)."""
    claim = Fraction(as_judged({"max_lr": claim})["max_lr"])
    for attempt in range(BUDGET.retries + 1):
        sizes = np.hstack([max_lr_chunk(name, j, data_seed) for j in range(2 ** attempt)])
        d = decide(fit_exponent(BUDGET.lr_widths, sizes, alpha=ALPHA), claim, margin=MARGIN)
        report = (f"{name} max stable η vs n^{claim} over {list(BUDGET.lr_widths)}, {sizes.shape[1]} seeds: "
                  f"{d.verdict} ({d.reason})")
        if d.verdict is Verdict.INCONSISTENT:
            raise Disagreement(report)
        if d.verdict is Verdict.CONSISTENT:
            return
    raise Inconclusive(report)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(LR_PRESETS))
def test_max_stable_lr_scales_like_n_to_minus_c_star(name: str) -> None:
    c_star = min_stable_c(LR_PRESETS[name](2))
    assert c_star == {"sp": 1, "mup": 0, "ntp": 0}[name]
    judge_max_lr(name, -c_star)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "wrong"), [("sp", Fraction(0)), ("mup", Fraction(-1))])
def test_negative_control_max_stable_lr_against_wrong_exponent(name: str, wrong: Fraction) -> None:
    with pytest.raises(Disagreement):
        judge_max_lr(name, wrong)
