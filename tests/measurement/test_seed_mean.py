"""The seed-averaged size (``fit_exponent`` on signed per-probe values (W, S, K)): bias, coverage, power.

Model: each seed's value at probe k and width n is Aₖ + B·n^{-1/2}·εₛₖ (a deterministic Θ(1) limit plus a
CLT fluctuation, εₛₖ iid N(0, 1)), widths 64…1024, B/A = 10 — the regime where each seed's RMS,
√(A² + B²/n), falls with width although the limit is Θ(1). The RNG is fixed: the counts are reproducible.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from impl.measurement import Verdict, decide, fit_exponent

WIDTHS = np.array([64, 128, 256, 512, 1024])
K, ALPHA, REPS = 64, 0.05 / 180, 40


def signed(rng: np.random.Generator, seeds: int, a: float = 0.3, b: float = 3.0, e: float = 0.0) -> np.ndarray:
    """(W, S, K) values: Aₖ·n^e + B·n^{-1/2}·ε, with Aₖ = a·(±1 pattern) fixed across seeds."""
    amp = a * np.where(np.arange(K) % 2 == 0, 1.0, -0.7)
    n = WIDTHS[:, None, None].astype(float)
    return amp[None, None, :] * n**e + b / np.sqrt(n) * rng.standard_normal((len(WIDTHS), seeds, K))


@pytest.mark.parametrize("seeds", [16, 64])
def test_the_seed_average_removes_the_bias_a_wrong_claim_could_agree_with(seeds: int) -> None:
    rng = np.random.default_rng(seeds)
    right = wrong_quarter = wrong_vanish = biased = 0
    for _ in range(REPS):
        v = signed(rng, seeds)
        fit = fit_exponent(WIDTHS, v, alpha=ALPHA)
        right += decide(fit, Fraction(0)).verdict is Verdict.AGREE
        wrong_quarter += decide(fit, Fraction(-1, 4)).verdict is Verdict.AGREE
        wrong_vanish += decide(fit, "vanishes").verdict is Verdict.AGREE
        per_seed = fit_exponent(WIDTHS, np.sqrt(np.mean(v**2, axis=2)), alpha=ALPHA)
        biased += per_seed.slope < -0.1
    assert right >= 0.9 * REPS and wrong_quarter == 0 and wrong_vanish == 0
    assert biased >= 0.9 * REPS  # the per-seed RMS is biased here: the reason the seed average exists


def test_a_vanishing_quantity_keeps_its_exponent_under_the_seed_average() -> None:
    rng = np.random.default_rng(7)
    for e in (-0.5, -0.25):
        fits = [fit_exponent(WIDTHS, signed(rng, 32, a=1.0, b=0.3, e=e), alpha=ALPHA) for _ in range(10)]
        assert all(decide(f, Fraction(e).limit_denominator(8)).verdict is Verdict.AGREE for f in fits), e
        assert all(decide(f, Fraction(0)).verdict is Verdict.DISAGREE for f in fits), e
    # a pure mean-zero fluctuation (no deterministic part) keeps its n^{-1/2}: the mean of S draws is
    # n^{-1/2}/√S — a noisier estimate (intervals ≈ ±0.22 here), but never contradicting −1/2, always 0
    pure = [fit_exponent(WIDTHS, signed(rng, 32, a=0.0, b=1.0), alpha=ALPHA) for _ in range(10)]
    assert abs(np.mean([f.slope for f in pure]) + 0.5) < 0.05
    assert all(decide(f, Fraction(-1, 2)).verdict is not Verdict.DISAGREE for f in pure)
    assert all(decide(f, Fraction(0)).verdict is Verdict.DISAGREE for f in pure)


def test_seed_average_interval_covers_its_estimand() -> None:
    """Nominal 90% two-sided: each side should miss ≈ 5%; required ≤ 10% over 300 repetitions. The
    estimand is the log-log slope of √(mean A² + B²/(nS)) (the seed mean keeps B²/(nS) of the noise)."""
    rng = np.random.default_rng(3)
    seeds, b = 16, 1.0
    amp2 = np.mean((0.3 * np.where(np.arange(K) % 2 == 0, 1.0, -0.7)) ** 2)
    log_n = np.log(WIDTHS.astype(float))
    target = 0.5 * np.log(amp2 + b**2 / (WIDTHS * seeds))
    estimand = float(np.polyfit(log_n, target, 1)[0])
    low = high = 0
    for _ in range(300):
        fit = fit_exponent(WIDTHS, signed(rng, seeds, b=b), alpha=0.10)
        low += fit.ci.low > estimand
        high += fit.ci.high < estimand
    assert low / 300 <= 0.10 and high / 300 <= 0.10, (low, high, estimand)


def test_per_probe_values_validation() -> None:
    v = signed(np.random.default_rng(0), 4)
    with pytest.raises(ValueError, match="jackknife-t"):
        fit_exponent(WIDTHS, v, method="percentile")
    v[2, 1, 3] = np.nan
    assert fit_exponent(WIDTHS, v, seeds=[10, 11, 12, 13]).describe().startswith("blew up at width 256")


def _sweep(v: np.ndarray, name: str = "q", steps: int = 1):  # noqa: ANN202 - a SweepResult holding one quantity
    from impl.measurement import SweepResult
    from impl.measurement.sweep import SweepStats
    from impl.theory import mup

    W, S, _ = v.shape
    values = np.stack([np.zeros_like(v)] + [v] * steps, axis=1)  # (W, steps + 1, S, K)
    per_seed = np.sqrt(np.mean(values**2, axis=3))
    return SweepResult(mup(1), None, tuple(int(w) for w in WIDTHS), tuple(range(S)), steps, {name: per_seed},
                       np.full((W, S), -1), SweepStats(W, 0, W), {name: values})


def test_decide_quantity_uses_the_seed_average_for_exponents_and_lets_it_veto_behaviours() -> None:
    from impl.measurement import decide_quantity

    rng = np.random.default_rng(11)
    theta1 = _sweep(signed(rng, 64))  # Θ(1) limit, each seed's RMS biased down (≈ −0.15)
    assert decide_quantity(theta1, "q", 1, Fraction(0), alpha=ALPHA).verdict is Verdict.AGREE
    # scalar_margin judges the seed-averaged scalars whose bias is not modelled: second-order ones at any step,
    # every one from step 2 on; a first-order scalar after one step gets margin (too narrow a band cannot agree)
    v = signed(rng, 64)
    for name, steps, step, used in [("q", 1, 1, 0.5), ("delta_kernel1", 1, 1, 1e-4), ("eta_nonlinearity", 1, 1, 1e-4),
                                    ("q", 2, 2, 1e-4), ("q", 2, 1, 0.5)]:
        judged = decide_quantity(_sweep(v, name, steps), name, step, Fraction(0), alpha=ALPHA, margin=0.5, scalar_margin=1e-4)
        assert judged.margin == used and (judged.verdict is not Verdict.AGREE) == (used == 1e-4), (name, step)
    assert decide_quantity(theta1, "q", 1, Fraction(-1, 4), alpha=ALPHA).verdict is not Verdict.AGREE
    vanish = decide_quantity(theta1, "q", 1, "vanishes", alpha=ALPHA)
    assert vanish.verdict is Verdict.DISAGREE and vanish.reason.startswith("seed-averaged size")
    # a small quantity with a mostly random (mean-zero) value: the average is noisy, the per-seed size decides
    random = _sweep(signed(rng, 16, a=0.0, b=1.0, e=0.0) * 1e-3)
    assert decide_quantity(random, "q", 1, "bounded", alpha=ALPHA).verdict is Verdict.AGREE


@pytest.mark.parametrize("seeds", [16, 64])
def test_wrong_claims_never_agree_through_decide_quantity(seeds: int) -> None:
    """Each seed's RMS alone agrees with n^{-1/4} in 40 of 40 here and with "vanishes" in 13 (16 seeds) to 40
    (64 seeds) of 40; through decide_quantity neither ever agrees."""
    from impl.measurement import decide_quantity

    rng = np.random.default_rng(100 + seeds)
    for _ in range(REPS):
        r = _sweep(signed(rng, seeds))
        assert decide_quantity(r, "q", 1, "vanishes", alpha=ALPHA).verdict is Verdict.DISAGREE
        assert decide_quantity(r, "q", 1, Fraction(-1, 4), alpha=ALPHA).verdict is not Verdict.AGREE
        assert decide_quantity(r, "q", 1, Fraction(0), alpha=ALPHA).verdict is Verdict.AGREE
