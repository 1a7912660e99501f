"""fit_exponent: slopes recovered from synthetic power laws, intervals, blow-ups, zeros, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from hypothesis import given
from hypothesis import strategies as st

from impl.measurement import METHODS, BlowUp, ExponentFit, band_pvalues, fit_exponent, synthetic_sizes

WIDTHS = (64, 128, 256, 512, 1024, 2048, 4096, 8192)


def sizes(exponent: float, *, seed: int = 0, n_seeds: int = 8, noise_sd: float = 0.02, **kw) -> np.ndarray:
    return synthetic_sizes(WIDTHS, exponent, n_seeds, rng=np.random.default_rng(seed), noise_sd=noise_sd, **kw)


@pytest.mark.parametrize("exponent", [-1.0, -0.5, -0.25, 0.0, 0.25, 0.5])
def test_recovers_slope_and_ci_covers_it(exponent: float) -> None:
    fit = fit_exponent(WIDTHS, sizes(exponent))
    assert isinstance(fit, ExponentFit)
    assert fit.slope == pytest.approx(exponent, abs=0.01)
    lo, hi = fit.ci
    assert lo <= fit.slope <= hi
    assert lo - 0.005 <= exponent <= hi + 0.005
    assert hi - lo < 0.03  # sd 0.02 per seed, 8 seeds, 8 widths: a tight interval
    assert (fit.n_seeds, fit.widths, fit.level) == (8, WIDTHS, 0.95)


@given(
    exponent=st.floats(-1.5, 1.5),
    log_scale=st.floats(-5, 5),
    n_seeds=st.integers(2, 6),
)
def test_noiseless_power_law_is_exact(exponent: float, log_scale: float, n_seeds: int) -> None:
    v = np.exp(log_scale) * np.asarray(WIDTHS, float)[:, None] ** exponent * np.ones((1, n_seeds))
    fit = fit_exponent(WIDTHS, v)
    assert isinstance(fit, ExponentFit)
    assert fit.slope == pytest.approx(exponent, abs=1e-9)
    assert fit.intercept == pytest.approx(log_scale, abs=1e-7)
    assert fit.ci == pytest.approx((exponent, exponent), abs=1e-9)


def test_rms_over_seeds_and_scale_invariance() -> None:
    v = sizes(-0.5)
    fit = fit_exponent(WIDTHS, v)
    np.testing.assert_allclose(fit.rms, np.sqrt(np.mean(v**2, axis=1)))
    scaled = fit_exponent(WIDTHS, 1e3 * v)
    assert scaled.slope == pytest.approx(fit.slope, abs=1e-12)
    assert scaled.ci == pytest.approx(fit.ci, abs=1e-12)
    assert scaled.intercept == pytest.approx(fit.intercept + np.log(1e3), abs=1e-9)


def test_widths_order_does_not_matter() -> None:
    v = sizes(0.25)
    perm = np.random.default_rng(1).permutation(len(WIDTHS))
    a = fit_exponent(WIDTHS, v)
    b = fit_exponent([WIDTHS[i] for i in perm], v[perm])
    assert b.slope == pytest.approx(a.slope, abs=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_interval_is_deterministic_and_widens_with_level(method: str) -> None:
    v = sizes(-0.5, noise_sd=0.1)
    a, b = fit_exponent(WIDTHS, v, method=method, rng=7), fit_exponent(WIDTHS, v, method=method, rng=7)
    assert a.ci == b.ci and a.method == method
    assert fit_exponent(WIDTHS, v, method=method, rng=np.random.default_rng(7)).ci == a.ci
    assert a.ci[0] < -0.5 < a.ci[1] and a.se > 0
    wide = fit_exponent(WIDTHS, v, method=method, alpha=0.01)
    narrow = fit_exponent(WIDTHS, v, method=method, alpha=0.2)
    assert wide.level == pytest.approx(0.99) and narrow.level == pytest.approx(0.8)
    assert wide.ci[0] < narrow.ci[0] and wide.ci[1] > narrow.ci[1]


def test_bootstrap_depends_on_rng_and_jackknife_does_not() -> None:
    v = sizes(-0.5, noise_sd=0.1)
    assert fit_exponent(WIDTHS, v, method="percentile", rng=7).ci != fit_exponent(WIDTHS, v, method="percentile", rng=8).ci
    assert fit_exponent(WIDTHS, v, rng=7).ci == fit_exponent(WIDTHS, v, rng=8).ci
    with pytest.raises(ValueError):
        fit_exponent(WIDTHS, v, method="wald")


def test_jackknife_t_interval_is_slope_plus_minus_t_se() -> None:
    v = sizes(-0.5, noise_sd=0.1, n_seeds=5)
    fit = fit_exponent(WIDTHS, v)
    loo = [fit_exponent(WIDTHS, np.delete(v, i, axis=1)).slope for i in range(5)]
    se = np.sqrt(4 / 5 * np.sum((np.array(loo) - np.mean(loo)) ** 2))
    q = stats.t.ppf(0.975, 4)
    assert fit.se == pytest.approx(se, rel=1e-9)
    assert fit.ci == pytest.approx((fit.slope - q * se, fit.slope + q * se), rel=1e-9)
    np.testing.assert_allclose(np.sort(fit.resamples), np.sort(loo), rtol=1e-9)


def test_non_finite_gives_blowup_not_exception() -> None:
    v = sizes(0.5)
    v[5, 3] = np.nan
    v[6, 1] = np.inf
    out = fit_exponent(WIDTHS, v, step=2, seeds=range(10, 18))
    assert out == BlowUp(width=2048, step=2, seed=13, count=2)
    assert "blew up at width 2048, step 2 (seed 13" in out.describe()


def test_simulator_flagged_blowup_counts_only_at_or_before_step() -> None:
    v = sizes(0.5)
    flags = np.full(v.shape, -1)
    flags[2, 4], flags[3, 0] = 3, 1
    assert isinstance(fit_exponent(WIDTHS, v, step=0, blowup_step=flags), ExponentFit)
    out = fit_exponent(WIDTHS, v, step=3, blowup_step=flags)
    assert out == BlowUp(width=256, step=3, seed=4, count=2)
    assert fit_exponent(WIDTHS, v, step=2, blowup_step=flags) == BlowUp(width=512, step=1, seed=0, count=1)


def test_exact_zero_everywhere_and_partial_zeros() -> None:
    zero = fit_exponent(WIDTHS, np.zeros((len(WIDTHS), 4)))
    assert isinstance(zero, ExponentFit) and zero.all_zero
    assert np.isnan(zero.slope) and not zero.ci_finite
    v = sizes(-0.5)
    v[0] = 0.0
    partial = fit_exponent(WIDTHS, v)
    assert partial.zero_widths == (64,) and not partial.all_zero and np.isnan(partial.slope)


def test_some_zero_seeds_are_fine() -> None:
    v = sizes(-0.5, n_seeds=16)
    v[3, 0] = 0.0  # one seed of one width exactly 0: the RMS over seeds is still positive
    fit = fit_exponent(WIDTHS, v)
    assert fit.slope == pytest.approx(-0.5, abs=0.03) and fit.zero_widths == ()


def test_single_seed_has_no_interval() -> None:
    fit = fit_exponent(WIDTHS, sizes(-0.5, n_seeds=1))
    assert fit.slope == pytest.approx(-0.5, abs=0.05) and not fit.ci_finite and fit.resamples.size == 0


@pytest.mark.parametrize(
    "widths, shape",
    [((64, 128), (3, 4)), ((64,), (1, 4)), ((64, 64), (2, 4)), ((0, 64), (2, 4)), ((64, 128), (2, 0))],
)
def test_malformed_input_raises(widths: tuple[int, ...], shape: tuple[int, int]) -> None:
    with pytest.raises(ValueError):
        fit_exponent(widths, np.ones(shape))


@pytest.mark.parametrize("method", ["jackknife-t", "percentile"])
def test_band_pvalues_agree_with_the_interval(method: str) -> None:
    fit = fit_exponent(WIDTHS, sizes(-0.5, noise_sd=0.2, n_seeds=6), method=method, alpha=0.05)
    lo, hi = fit.ci
    tol = 1e-9 if method == "jackknife-t" else 0.01  # the percentile CDF is a step function
    for center in np.linspace(-1.2, 0.2, 57):
        p = band_pvalues(fit, center, 0.15)
        edges = (center - 0.15, center + 0.15)
        if min(abs(end - edge) for end in (lo, hi) for edge in edges) > tol:
            assert (p.inside < 0.05) == (lo >= edges[0] and hi <= edges[1])
            assert (p.outside < 0.05) == (hi < edges[0] or lo > edges[1])
    assert np.isnan(band_pvalues(fit_exponent(WIDTHS, sizes(0.0, n_seeds=1)), 0.0, 0.15).outside)
