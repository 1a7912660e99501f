"""Synthetic power-law data and the operating characteristics (false alarms, power) of the decisions.

Model (docs/theory.md §5): the per-seed size at width n is

    scale · n^e · (1 + D · n^{−1/2}) · exp(σ · ε),   ε ~ N(0, 1) iid per (width, seed),

a relative finite-width correction D (biasing the fitted slope by about −0.02·D over 64…8192)
and multiplicative seed noise σ. :func:`decision_rates` repeats fit + decision many times with D
drawn uniformly from a range and reports how often each verdict comes out, with Wilson intervals
(``scipy.stats.binomtest``). Use it to calibrate the margin δ against the noise and bias seen on
real sweeps: with the prediction correct (offset 0), ``disagree`` is a false alarm and
``agree`` is the power; with the prediction off by a lattice step, ``agree`` is a miss.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar, Sequence

import numpy as np

from impl.measurement.decision import DEFAULT_MARGIN, Trend, Verdict, decide
from impl.measurement.fit import DEFAULT_ALPHA, fit_exponent
from impl.measurement.rates import OutcomeCounts

__all__ = ["DEFAULT_WIDTHS", "synthetic_sizes", "OperatingPoint", "decision_rates"]

DEFAULT_WIDTHS: tuple[int, ...] = tuple(2**k for k in range(6, 14))
"""64 … 8192, the practical range of docs/theory.md §5."""


def synthetic_sizes(
    widths: Sequence[int],
    exponent: float,
    n_seeds: int,
    *,
    rng: np.random.Generator,
    noise_sd: float = 0.02,
    bias_d: float = 0.0,
    scale: float = 1.0,
) -> np.ndarray:
    """Per-seed sizes (W, S) following the module's model; ``rng`` draws the noise."""
    n = np.asarray(widths, dtype=np.float64)[:, None]
    correction = 1.0 + bias_d / np.sqrt(n)
    if np.any(correction <= 0):
        raise ValueError(f"1 + D/sqrt(n) must stay positive; D = {bias_d} is too negative for width {n.min():g}")
    noise = np.exp(noise_sd * rng.standard_normal((n.shape[0], n_seeds)))
    return scale * n**exponent * correction * noise


@dataclass(frozen=True)
class OperatingPoint(OutcomeCounts):
    """How often each verdict came out in ``n_reps`` synthetic repetitions.

    ``offset`` is true exponent − prediction (0: the prediction is right). ``counts`` maps every
    :class:`Verdict` value (or, without a prediction, every :class:`Trend` value) to its count; ``rate`` and ``rate_ci`` (Wilson) read them
    (:class:`~impl.measurement.rates.OutcomeCounts`).
    """

    predicted: Fraction | None
    true_exponent: float
    n_reps: int
    n_seeds: int
    noise_sd: float
    bias_range: tuple[float, float]
    margin: float
    alpha: float
    counts: dict[str, int]
    interval_method: ClassVar[str] = "wilson"

    @property
    def offset(self) -> float:
        """True exponent minus prediction (NaN without a prediction)."""
        return float("nan") if self.predicted is None else self.true_exponent - float(self.predicted)

    def summary(self) -> str:
        """One line: offset, noise, bias range and the nonzero verdict rates."""
        rates = ", ".join(f"{k} {v / self.n_reps:.3f}" for k, v in self.counts.items() if v)
        pred = "none" if self.predicted is None else str(self.predicted)
        return (
            f"pred {pred} true {self.true_exponent:+.3f} (offset {self.offset:+.3f}), S={self.n_seeds}, "
            f"sd={self.noise_sd}, D~U{self.bias_range}, δ={self.margin}, α={self.alpha}: {rates} (n={self.n_reps})"
        )


def decision_rates(
    predicted: Fraction | None,
    true_exponent: float,
    *,
    widths: Sequence[int] = DEFAULT_WIDTHS,
    n_seeds: int = 8,
    n_reps: int = 200,
    noise_sd: float = 0.02,
    bias_range: tuple[float, float] = (-3.0, 3.0),
    margin: float = DEFAULT_MARGIN,
    alpha: float = DEFAULT_ALPHA,
    method: str = "jackknife-t",
    n_resamples: int | None = None,
    rng: np.random.Generator | int = 0,
) -> OperatingPoint:
    """Fit and decide ``n_reps`` synthetic data sets; count the verdicts.

    Each repetition draws D ~ U(bias_range) and fresh noise from ``rng`` (deterministic);
    ``method`` and ``n_resamples`` choose the interval (see :func:`fit_exponent`).
    """
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    outcomes: list[Trend] | list[Verdict] = list(Trend) if predicted is None else [Verdict.AGREE, Verdict.DISAGREE,
                                                                                    Verdict.UNDECIDED]
    counts = {v.value: 0 for v in outcomes}
    for _ in range(n_reps):
        bias = gen.uniform(*bias_range)
        sizes = synthetic_sizes(widths, true_exponent, n_seeds, rng=gen, noise_sd=noise_sd, bias_d=bias)
        fit = fit_exponent(widths, sizes, alpha=alpha, method=method, n_resamples=n_resamples, rng=gen)
        d = decide(fit, predicted, margin=margin)
        counts[(d.trend if predicted is None else d.verdict).value] += 1
    pred = None if predicted is None else Fraction(predicted)
    return OperatingPoint(pred, float(true_exponent), n_reps, n_seeds, noise_sd, tuple(bias_range), margin, alpha, counts)  # type: ignore[arg-type]
