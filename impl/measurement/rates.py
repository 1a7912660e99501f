"""Outcome counts as rates with binomial intervals — shared by every calibration result.

A calibration (of the margin, of a theorem check, of the decision rule on synthetic data) counts
how often each outcome came out; its power and false-alarm rate are those counts' proportions, with
an exact (Clopper–Pearson) or Wilson interval from :func:`scipy.stats.binomtest`.
"""

from __future__ import annotations

from typing import ClassVar, Mapping


__all__ = ["OutcomeCounts"]


class OutcomeCounts:
    """Mixin for a frozen result holding ``counts`` (outcome → how often): rates and intervals.

    Outcomes in ``excluded`` (e.g. "n/a") are left out of the total; ``interval_method`` is the
    :meth:`scipy.stats.BinomTestResult.proportion_ci` method of :meth:`rate_ci`.
    """

    counts: Mapping[str, int]
    excluded: ClassVar[tuple[str, ...]] = ()
    interval_method: ClassVar[str] = "exact"

    @property
    def total(self) -> int:
        """How many outcomes count (all but the excluded ones)."""
        return sum(v for k, v in self.counts.items() if k not in self.excluded)

    def _hits(self, outcomes: tuple[str, ...]) -> int:
        return sum(self.counts.get(str(o), 0) for o in outcomes)

    def rate(self, *outcomes: str) -> float:
        """The fraction of outcomes that are any of ``outcomes`` (NaN when nothing counts)."""
        return self._hits(outcomes) / self.total if self.total else float("nan")

    def rate_ci(self, *outcomes: str, level: float = 0.95) -> tuple[float, float]:
        """Two-sided level-``level`` interval of :meth:`rate`."""
        if not self.total:
            return float("nan"), float("nan")
        from scipy.stats import binomtest  # lazily: scipy.stats is slow to import

        ci = binomtest(self._hits(outcomes), self.total).proportion_ci(level, method=self.interval_method)
        return float(ci.low), float(ci.high)

    def upper(self, *outcomes: str, level: float = 0.95) -> float:
        """One-sided level-``level`` upper bound of :meth:`rate` (the two-sided 2·level − 1 interval's top)."""
        return self.rate_ci(*outcomes, level=2 * level - 1)[1]
