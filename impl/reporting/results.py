"""The report's typed results (JSON-serialisable) and the one verdict style shared by its views.

:class:`Report` holds one :class:`SpecReport` per parametrization: every statement of the paper as the
checks layer decided it (:class:`impl.checks.CheckResult`), every quantity's fit at every step for the
coordinate checks (:class:`QuantityRecord`), and the largest-stable-learning-rate measurement
(:class:`MaxLRResult`). ``to_dict`` gives the JSON form documented in ``reports/README.md``. Nothing
here computes or draws: :mod:`impl.reporting.collect` fills these, :mod:`impl.reporting.figures` and
:mod:`impl.reporting.render` read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from impl.checks import STATEMENTS, CheckResult
from impl.measurement import Analysis, Verdict
from impl.measurement.report import jsonable
from impl.reporting.baseline import REPORT_FORMAT
from impl.theory import Parametrization

__all__ = ["REPORT_FORMAT", "VERDICT_STYLE", "TITLES", "QuantityRecord", "MaxLRResult", "SpecReport", "Report",
           "quantity_records", "spec_key"]

VERDICT_STYLE: dict[str, tuple[str, str, str]] = {  # verdict → (fill colour, symbol, legend text)
    Verdict.AGREE.value: ("#8fd19e", "✓", "agree: every claim consistent with the theory"),
    Verdict.DISAGREE.value: ("#f28b82", "✗", "disagree: a measurement contradicts the theory"),
    Verdict.UNDECIDED.value: ("#fdd663", "?", "undecided after every retry: not a pass (reason given)"),
    Verdict.NOT_APPLICABLE.value: ("#e8eaed", "–", "n/a: the statement does not apply (or was not measured)"),
}
TITLES: dict[str, str] = {key: statement.title for key, (statement, _) in STATEMENTS.items()}
"""statement key → its title in tables (the checks layer's :data:`impl.checks.STATEMENTS`)."""


@dataclass(frozen=True)
class QuantityRecord:
    """One quantity at one step: RMS size per width, fitted exponent (slope, natural-log intercept, CI)
    and the measurement layer's decision against the theory's claim (``claim`` "p/q" or a behaviour)."""

    name: str
    step: int
    rms: tuple[float, ...]
    slope: float
    intercept: float
    ci: tuple[float, float]
    claim: str | None
    verdict: str
    trend: str
    reason: str


@dataclass(frozen=True)
class MaxLRResult:
    """Theorem 4.1's measurement: per width and seed the max stable η, the fitted exponent and its verdict.
    The prediction for η·n^{-c} is n^{c − c*}, c* = ``min_stable_c`` (the learning rate scales like n^{-c*})."""

    widths: tuple[int, ...]
    values: tuple[tuple[float, ...], ...]
    slope: float
    intercept: float
    ci: tuple[float, float]
    predicted: str | None
    verdict: str
    reason: str


@dataclass(frozen=True)
class SpecReport:
    """Everything measured and decided for one parametrization."""

    key: str
    label: str
    spec: str
    name: str | None
    depth: int
    regime: str
    r: str
    stable: bool
    widths: tuple[int, ...]
    seeds: int
    steps: int
    jobs: dict[str, int]
    blowups: int
    statements: tuple[CheckResult, ...]
    quantities: tuple[QuantityRecord, ...]
    max_lr: MaxLRResult | None = None

    def verdicts(self) -> dict[str, str]:
        """statement key → verdict."""
        return {s.statement: s.verdict.value for s in self.statements}


@dataclass(frozen=True)
class Report:
    """A whole report (``to_dict`` gives the JSON form documented in ``reports/README.md``)."""

    created: str
    profile: str
    settings: dict[str, Any]
    environment: dict[str, Any]
    specs: tuple[SpecReport, ...]
    timing: dict[str, float | None]
    figure4: dict[str, Any] | None = None
    paper: dict[str, Any] | None = None
    format: str = REPORT_FORMAT

    def summary(self) -> dict[str, int]:
        """How many (parametrization, statement) cells have each verdict."""
        counts = {v.value: 0 for v in Verdict}
        for s in self.specs:
            for v in s.verdicts().values():
                counts[v] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (NaN → null, tuples → lists), with the verdict summary."""
        return {**jsonable(self), "summary": self.summary()}


def quantity_records(analyses: Mapping[int, Analysis]) -> tuple[QuantityRecord, ...]:
    """Every analysed quantity at every step, as plain records."""
    out = []
    for t, analysis in sorted(analyses.items()):
        for q in analysis.values():
            fit, d = q.fit, q.decision
            out.append(QuantityRecord(
                q.name, t, tuple(float(x) for x in fit.rms) if fit is not None else (), q.slope,
                fit.intercept if fit is not None else float("nan"), tuple(q.ci),  # type: ignore[arg-type]
                None if d.claim is None else str(d.claim), d.verdict.value, d.trend.value, d.reason))
    return tuple(out)


def spec_key(p: Parametrization, index: int) -> str:
    """A file-name-safe key: ``mup-L2``, ``up-1_4-L3``; user specs without a name: ``spec{index}-L{depth}``."""
    base = p.name or f"spec{index}"
    return "".join(ch if ch.isalnum() or ch in "-_" else ("_" if ch == "/" else "-") for ch in base) + f"-L{p.depth}"
