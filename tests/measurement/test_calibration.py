"""False-alarm rate and power of the decision rule on synthetic data with realistic bias and noise.

Model (impl.measurement.calibration): size = n^e (1 + D n^{-1/2}) exp(σ ε), D ~ U[-3, 3] per
repetition (slope bias up to about +0.09 / −0.07 over 64…8192), widths 64…8192, δ = 0.15, α = 0.05.
Every test prints its operating points (``pytest -s`` shows them). Bounds are stated per test;
the RNG is fixed, so the numbers are reproducible.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from impl.measurement import Trend, Verdict, decision_rates, per_check_alpha
from impl.measurement.calibration import DEFAULT_WIDTHS, synthetic_sizes

F = Fraction
E = F(-1, 2)  # the true exponent in every test (Δh of NTP, say)

# (seeds, per-seed noise sd): docs/theory.md §5 coordinate sizes (sd 0.01–0.03) and f0 over 32 probes (~0.15)
NOISE = [(8, 0.02), (4, 0.03), (8, 0.15)]


@pytest.mark.parametrize("n_seeds, noise_sd", NOISE)
def test_correct_prediction_false_alarm_and_power(n_seeds: int, noise_sd: float) -> None:
    """Right prediction, bias D ∈ [−3, 3]: false alarm ('disagree') ≤ 2 %, power ('agree') ≥ 95 %."""
    op = decision_rates(E, float(E), n_seeds=n_seeds, noise_sd=noise_sd, n_reps=400, rng=11)
    print(op.summary())
    assert op.rate_ci(Verdict.DISAGREE)[1] <= 0.02
    assert op.rate(Verdict.AGREE) >= 0.95


@pytest.mark.parametrize("n_seeds, noise_sd", NOISE)
@pytest.mark.parametrize("offset", [F(1, 4), F(-1, 4), F(1, 2), F(-1, 2)])
def test_wrong_prediction_never_agrees(n_seeds: int, noise_sd: float, offset: Fraction) -> None:
    """Prediction off by a lattice step: never 'agree'; 'disagree' ≥ 90 % (¼) / ≥ 99 % (½)."""
    op = decision_rates(E + offset, float(E), n_seeds=n_seeds, noise_sd=noise_sd, n_reps=300, rng=12)
    print(op.summary())
    assert op.counts[Verdict.AGREE] == 0
    assert op.rate(Verdict.DISAGREE) >= (0.99 if abs(offset) == F(1, 2) else 0.90)


@pytest.mark.parametrize("n_seeds", [3, 8])
def test_error_rates_at_the_band_edge_are_near_alpha_over_two(n_seeds: int) -> None:
    """The worst case of the guarantee: the slope estimand exactly on the edge e + δ (no bias).

    Either verdict is then a coin flip of the interval's coverage: each must come out at about
    α/2 = 0.025 (the designed per-check error); we require ≤ 0.04 over 1500 repetitions.
    """
    op = decision_rates(E, float(E) + 0.15, n_seeds=n_seeds, noise_sd=0.15, n_reps=1500, bias_range=(0.0, 0.0), rng=13)
    print(op.summary())
    assert op.rate(Verdict.DISAGREE) <= 0.04
    assert op.rate(Verdict.AGREE) <= 0.04
    assert op.rate(Verdict.DISAGREE) + op.rate(Verdict.AGREE) >= 0.02  # the interval is not absurdly wide


@pytest.mark.parametrize(
    "true_exponent, verdict",
    [(0.5, Trend.GROWS), (0.25, Trend.GROWS), (0.0, Trend.THETA1), (-0.5, Trend.VANISHES)],
)
def test_trends_without_prediction(true_exponent: float, verdict: Trend) -> None:
    """Unstable parametrizations: 'grows' when e ≥ 1/4, Θ(1) and vanishing recognised, ≥ 95 % each."""
    op = decision_rates(None, true_exponent, n_seeds=8, noise_sd=0.03, n_reps=300, rng=14)
    print(op.summary())
    assert op.rate(verdict) >= 0.95
    if verdict != Trend.GROWS:
        assert op.counts[Trend.GROWS] == 0  # no false 'grows' on a bounded quantity


def test_family_wise_false_alarms_with_bonferroni() -> None:
    """A suite of 20 correct checks, all at the worst-case edge, α = per_check_alpha(0.05, 20).

    Bonferroni bounds the family-wise rate of a false 'disagree' by 20 · α/2 = 2.5 % (if the
    interval's tails were exact; measured per-check ≈ 0.0017 vs 0.00125 nominal at this α, so
    ≈ 3.3 % expected). Required: ≤ 6 % over 300 suites (the sd of the estimate is ≈ 1 %).
    """
    m, n_suites = 20, 300
    alpha = per_check_alpha(0.05, m)
    rng = np.random.default_rng(15)
    suites_with_alarm = 0
    for _ in range(n_suites):
        op = decision_rates(E, float(E) + 0.15, n_seeds=8, noise_sd=0.15, n_reps=m, bias_range=(0.0, 0.0),
                            alpha=alpha, rng=rng)
        suites_with_alarm += op.counts[Verdict.DISAGREE] > 0
    print(f"family-wise false-alarm rate {suites_with_alarm / n_suites:.3f} over {n_suites} suites of {m} checks")
    assert suites_with_alarm / n_suites <= 0.06


def test_synthetic_sizes_model() -> None:
    rng = np.random.default_rng(0)
    v = synthetic_sizes(DEFAULT_WIDTHS, -0.5, 4, rng=rng, noise_sd=0.0, bias_d=2.0, scale=3.0)
    n = np.asarray(DEFAULT_WIDTHS, float)[:, None]
    np.testing.assert_allclose(v, np.broadcast_to(3.0 * n**-0.5 * (1 + 2.0 / np.sqrt(n)), (8, 4)))
    with pytest.raises(ValueError):
        synthetic_sizes(DEFAULT_WIDTHS, 0.0, 2, rng=rng, bias_d=-9.0)


@pytest.mark.parametrize("n_seeds", [3, 4, 8, 16])
def test_jackknife_t_covers_and_small_sample_bootstrap_does_not(n_seeds: int) -> None:
    """Why the default interval is jackknife-t: one-sided miss rates of a nominal 95 % interval."""
    rng = np.random.default_rng(16)
    n_reps = 400
    miss = {"jackknife-t": 0, "percentile": 0}
    from impl.measurement import fit_exponent

    for _ in range(n_reps):
        v = synthetic_sizes(DEFAULT_WIDTHS, -0.5, n_seeds, rng=rng, noise_sd=0.15)
        for method in miss:
            lo, hi = fit_exponent(DEFAULT_WIDTHS, v, method=method, n_resamples=1000, rng=rng).ci
            miss[method] += not (lo <= -0.5 <= hi)
    rates = {k: v / n_reps for k, v in miss.items()}
    print(f"S={n_seeds}: two-sided miss rates (nominal 0.05) {rates}")
    assert rates["jackknife-t"] <= 0.08
    if n_seeds <= 4:
        assert rates["percentile"] >= 0.12  # documents the bootstrap's small-sample undercoverage
