"""Calibrating the equivalence margin δ on real sweeps of correct theory (docs/theory.md §5).

Take sweeps of parametrizations whose predictions are right (stable presets), fit every quantity
with a predicted exponent e, and decide the same fit against e + offset for offsets 0 (correct:
``disagree`` is a false alarm, ``undecided`` a lost decision) and ±1/4, ±1/2 (wrong: the
power is the rate of ``disagree``; ``agree`` there is a missed error). The synthetic
counterpart, with a known bias model, is :mod:`impl.measurement.calibration`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Sequence

from impl.measurement.analysis import Analysis
from impl.measurement.decision import decide
from impl.measurement.rates import OutcomeCounts

__all__ = ["OFFSETS", "RateRow", "margin_rates", "format_rates"]

OFFSETS: tuple[Fraction, ...] = (Fraction(0), Fraction(1, 4), Fraction(-1, 4), Fraction(1, 2), Fraction(-1, 2))


@dataclass(frozen=True)
class RateRow(OutcomeCounts):
    """Verdict counts for one offset of the prediction, over every fitted quantity of every sweep
    (rates with Clopper–Pearson intervals: :class:`~impl.measurement.rates.OutcomeCounts`)."""

    offset: Fraction
    margin: float
    counts: dict[str, int]


def margin_rates(
    analyses: Iterable[Analysis], margin: float, offsets: Sequence[Fraction] = OFFSETS
) -> tuple[RateRow, ...]:
    """Decide every predicted quantity of every analysis against prediction + offset."""
    counts = {off: Counter[str]() for off in offsets}
    for analysis in analyses:
        for q in analysis.values():
            if q.predicted is None or q.fit is None:
                continue
            for off in offsets:
                counts[off][decide(q.fit, q.predicted + off, margin=margin).verdict.value] += 1
    return tuple(RateRow(off, margin, dict(counts[off])) for off in offsets)


def format_rates(rows: Sequence[RateRow]) -> str:
    """A Markdown table: per offset, the rates of agree / undecided / disagree."""
    out = ["| δ | prediction off by | fits | agree | undecided | disagree (95% CI) |", "|---|---|---|---|---|---|"]
    for r in rows:
        lo, hi = r.rate_ci("disagree")
        out.append(
            f"| {r.margin:g} | {r.offset} | {r.total} | {r.rate('agree'):.3f} | {r.rate('undecided'):.3f} "
            f"| {r.rate('disagree'):.3f} [{lo:.3f}, {hi:.3f}] |"
        )
    return "\n".join(out)
