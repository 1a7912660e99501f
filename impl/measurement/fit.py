"""Fitting a width exponent: size ~ n^e, with a seed-resampling confidence interval (docs/theory.md §5).

The size at width n is the RMS over seeds of the per-seed sizes (each itself an RMS coordinate
size or an RMS over probe inputs); e is the least-squares slope of log(size) against log(n)
(:func:`scipy.stats.linregress`). The confidence interval resamples *seeds* and refits the slope;
see :mod:`impl.measurement.intervals` for the methods and why the default is jackknife-t
(the small-sample bootstrap undercovers).

Non-finite sizes, or runs the simulator flagged as blown up at or before the step, never raise:
:func:`fit_exponent` returns a :class:`BlowUp` instead of a fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, NamedTuple, Sequence

import numpy as np

from impl.measurement.intervals import (
    METHODS,
    auto_resamples,
    bootstrap_interval,
    jackknife_t_interval,
    jackknife_t_seed_mean_interval,
    seed_mean_sizes,
    slope_statistic,
)
from impl.measurement.multiplicity import ci_level

__all__ = ["DEFAULT_ALPHA", "METHODS", "ConfidenceInterval", "ExponentFit", "BlowUp", "BandPValues", "fit_exponent",
           "band_pvalues"]

DEFAULT_ALPHA = 0.05
"""Per-check α; the confidence level is 1 − α. Use :func:`per_check_alpha` for a suite."""


class ConfidenceInterval(NamedTuple):
    """An interval (as :class:`scipy.stats` returns one): ``low``, ``high``; NaN where none exists."""

    low: float
    high: float

    def __str__(self) -> str:
        return f"[{self.low:+.3f}, {self.high:+.3f}]"


@dataclass(frozen=True, eq=False)
class ExponentFit:
    """A fitted width exponent (like a ``scipy.stats`` result object).

    ``rms[i]`` is the RMS over seeds at ``widths[i]``; ``ci`` is the seed-resampling interval at
    ``level`` by ``method`` (NaN when it cannot be computed: fewer than 2 seeds, or a width whose
    size is exactly 0). ``zero_widths`` lists the widths where every seed's size is exactly 0;
    ``slope`` is NaN then. ``se`` is the seed-resampling standard error of the slope (jackknife, or
    the bootstrap standard deviation); ``stderr`` the ordinary least-squares one (informational:
    it treats widths, not seeds, as the replicates). ``resamples`` holds the leave-one-seed-out
    slopes (jackknife-t) or the bootstrap distribution (empty when none were drawn).
    """

    slope: float
    intercept: float
    ci: ConfidenceInterval
    level: float
    n_seeds: int
    widths: tuple[int, ...]
    rms: np.ndarray
    stderr: float
    method: str
    se: float = float("nan")
    zero_widths: tuple[int, ...] = ()
    resamples: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)

    @property
    def alpha(self) -> float:
        """1 − level."""
        return 1.0 - self.level

    @property
    def all_zero(self) -> bool:
        """Whether the size is exactly 0 at every width (e.g. an untrained layer, or updates at step 0)."""
        return len(self.zero_widths) == len(self.widths)

    @property
    def ci_finite(self) -> bool:
        """Whether both ends of the interval are finite numbers."""
        return bool(np.all(np.isfinite(self.ci)))


@dataclass(frozen=True)
class BlowUp:
    """A blow-up: a non-finite size (or a simulator-flagged divergence) instead of a fit.

    ``width``/``seed``/``step`` locate the first one (smallest width, then earliest step, then seed
    order); ``count`` is how many (width, seed) runs blew up in all. ``step`` is None when unknown.
    """

    width: int
    step: int | None
    seed: int
    count: int = 1

    def describe(self) -> str:
        """A one-line description, e.g. ``"blew up at width 512, step 2 (seed 3; 5 runs in all)"``."""
        at_step = "" if self.step is None else f", step {self.step}"
        return f"blew up at width {self.width}{at_step} (seed {self.seed}; {self.count} run(s) in all)"


@dataclass(frozen=True)
class BandPValues:
    """p-values for the band [center − margin, center + margin], matching the fit's interval.

    ``outside`` is small when the slope is confidently outside the band (evidence for
    *disagree*); ``inside`` is small when it is confidently inside (evidence for *agree*).
    A level-(1 − α) jackknife-t or percentile interval lies outside (inside) the band exactly when
    the corresponding p-value is below α (for the percentile method, up to resampling granularity).
    """

    inside: float
    outside: float


def _find_blowup(
    widths: np.ndarray, values: np.ndarray, seeds: Sequence[int], step: int | None, blowup_step: np.ndarray | None
) -> BlowUp | None:
    bad = ~np.isfinite(values)
    first_step = np.full(values.shape, -1 if step is None else step, dtype=np.int64)
    if blowup_step is not None:
        flagged = (blowup_step >= 0) & ((blowup_step <= step) if step is not None else True)
        first_step = np.where(flagged, blowup_step, first_step)
        bad |= flagged
    if not bad.any():
        return None
    order = np.argsort(widths, kind="stable")
    for i in order:
        cols = np.flatnonzero(bad[i])
        if cols.size:
            j = cols[np.argmin(first_step[i, cols])]
            t = int(first_step[i, j])
            return BlowUp(int(widths[i]), None if t < 0 else t, int(seeds[j]), int(bad.sum()))
    raise AssertionError("unreachable")


def fit_exponent(
    widths: Sequence[int],
    values: np.ndarray,
    *,
    alpha: float = DEFAULT_ALPHA,
    method: str = "jackknife-t",
    n_resamples: int | None = None,
    rng: np.random.Generator | int = 0,
    step: int | None = None,
    seeds: Sequence[int] | None = None,
    blowup_step: np.ndarray | None = None,
) -> ExponentFit | BlowUp:
    """Fit size ~ n^e over ``widths`` from per-seed sizes ``values`` of shape (W, S) — the size at a width
    is their RMS over seeds — or from signed per-probe values of shape (W, S, K) — the size at a width is
    then the RMS over the K probes of the mean over seeds (:func:`~impl.measurement.intervals.seed_mean_sizes`;
    for quantities whose limit is deterministic, it removes the n^{-1/2} fluctuation from the size; only
    the jackknife-t interval is offered for it).

    ``alpha`` sets the interval level 1 − α; ``method`` is one of :data:`METHODS` (see the module
    docstring); for the bootstrap methods ``rng`` (a Generator or an integer seed) makes the
    interval deterministic and ``n_resamples`` defaults to :func:`auto_resamples`. ``step``,
    ``seeds`` and ``blowup_step`` (W, S; −1 = never) only detect and label blow-ups. Returns a
    :class:`BlowUp` if any size is non-finite or any run was flagged at or before ``step``.
    Raises ValueError only for malformed input (shapes, fewer than 2 distinct widths, a method).
    """
    w = np.asarray(widths, dtype=np.int64)
    v = np.asarray(values, dtype=np.float64)
    if w.ndim != 1 or v.ndim not in (2, 3) or v.shape[0] != w.size:
        raise ValueError(f"values must have shape (len(widths), n_seeds) = ({w.size}, S) or (len(widths), S, K), "
                         f"got {v.shape}")
    if v.ndim == 3 and method != "jackknife-t":
        raise ValueError(f"per-probe values (W, S, K) are fitted with the jackknife-t interval only, not {method!r}")
    if np.unique(w).size < 2 or np.any(w < 1):
        raise ValueError(f"need at least 2 distinct positive widths, got {w.tolist()}")
    if v.shape[1] < 1:
        raise ValueError("need at least one seed")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    seed_labels = list(range(v.shape[1])) if seeds is None else [int(s) for s in seeds]
    per_seed = v if v.ndim == 2 else np.where(np.isfinite(v).all(axis=2), 0.0, np.nan)  # (W, S) for blow-ups
    bs = None if blowup_step is None else np.asarray(blowup_step, dtype=np.int64).reshape(per_seed.shape)
    blown = _find_blowup(w, per_seed, seed_labels, step, bs)
    if blown is not None:
        return blown

    level = ci_level(alpha)
    if v.ndim == 2:  # scaled by the largest size, so that tiny nonzero sizes do not underflow to an RMS of 0
        top = np.max(np.abs(v), axis=1, keepdims=True)
        rms = top[:, 0] * np.sqrt(np.mean(np.square(v / np.where(top > 0, top, 1.0)), axis=1))
    else:
        rms = seed_mean_sizes(v)
    zero = tuple(int(x) for x in w[rms == 0.0])
    common = dict(level=level, n_seeds=v.shape[1], widths=tuple(int(x) for x in w), rms=rms, method=method)
    nan = float("nan")
    if zero:
        return ExponentFit(nan, nan, ConfidenceInterval(nan, nan), stderr=nan, zero_widths=zero, **common)  # type: ignore[arg-type]

    log_w = np.log(w.astype(np.float64))
    slope, intercept, stderr = least_squares_line(log_w, np.log(rms))
    ci, se, resamples = (nan, nan), nan, np.empty(0)
    if v.shape[1] >= 2 and v.ndim == 3:
        ci, se, resamples = jackknife_t_seed_mean_interval(v, log_w, level)
    elif v.shape[1] >= 2:
        statistic = slope_statistic(log_w)
        if method == "jackknife-t":
            ci, se, resamples = jackknife_t_interval(v, statistic, level)
        else:
            gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
            n_res = auto_resamples(alpha) if n_resamples is None else int(n_resamples)
            ci, se, resamples = bootstrap_interval(v, statistic, level, method, n_res, gen)
    return ExponentFit(
        slope, intercept, ConfidenceInterval(*ci), stderr=stderr, se=se, resamples=resamples, **common  # type: ignore[arg-type]
    )


def least_squares_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(slope, intercept, slope's standard error) of the least-squares line — the arithmetic of
    :func:`scipy.stats.linregress`, step for step (so bit-identical), without importing scipy.stats (≈ 1 s)."""
    n = len(x)
    xmean, ymean = np.mean(x, None), np.mean(y, None)
    ssxm, ssxym, _, ssym = np.cov(x, y, bias=True).flat
    if ssxm == 0.0 or ssym == 0.0:
        r = np.nan if ssxym == 0 else 0.0
    else:
        r = float(np.clip(ssxym / np.sqrt(ssxm * ssym), -1.0, 1.0))
    slope = ssxym / ssxm
    intercept = ymean - slope * xmean
    stderr = 0.0 if n == 2 else np.sqrt((1 - r ** 2) * ssym / ssxm / (n - 2))
    return float(slope), float(intercept), float(stderr)


def _cdf(fit: ExponentFit) -> Callable[[float], float] | None:
    """The sampling CDF of the slope that the fit's interval inverts (None when there is none)."""
    if fit.method == "jackknife-t":
        if not (fit.n_seeds >= 2 and np.isfinite(fit.se) and np.isfinite(fit.slope)):
            return None
        if fit.se == 0.0:
            return lambda x: float(x >= fit.slope)
        from scipy.special import stdtr  # Student's t CDF (what scipy.stats.t.cdf evaluates), without scipy.stats

        df, loc, scale = fit.n_seeds - 1, fit.slope, fit.se
        return lambda x: float(stdtr(df, (x - loc) / scale))
    b = fit.resamples[np.isfinite(fit.resamples)]
    if b.size == 0:
        return None
    return lambda x: float(np.mean(b <= x))


def band_pvalues(fit: ExponentFit, center: float, margin: float) -> BandPValues:
    """p-values for "slope outside" / "slope inside" the band center ± margin.

    With F the sampling CDF the interval inverts (Student t for jackknife-t, the empirical
    bootstrap CDF for the percentile method): outside = 2·min(F(c+δ), 1 − F(c−δ)) and
    inside = 2·max(F(c−δ), 1 − F(c+δ)), capped at 1; NaN when there is no interval.
    Feed the ``outside`` p-values of a family to :func:`holm_reject` for Holm's procedure.
    (For the BCa and basic bootstrap the correspondence with the interval is only approximate.)
    """
    cdf = _cdf(fit)
    if cdf is None:
        return BandPValues(float("nan"), float("nan"))
    lo, hi = float(center) - margin, float(center) + margin
    f_lo, f_hi = cdf(lo), cdf(hi)
    return BandPValues(inside=min(1.0, 2 * max(f_lo, 1.0 - f_hi)), outside=min(1.0, 2 * min(f_hi, 1.0 - f_lo)))
