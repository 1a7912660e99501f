"""Result tables of the paper's experiments in miniature (its Tables 2 and 3).

One :class:`ExperimentTable` per (experiment, setting): a row per model — finite widths, the µP
limit, kernel / random-feature baselines — each holding one score per seed, in percent. Tables
are plain frozen data (like scipy.stats results): they serialise to JSON and Markdown and are
read back by the CLI, the plots and the nightly report.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

__all__ = ["Row", "ExperimentTable", "RowKind"]

RowKind = Literal["finite", "limit", "baseline"]


@dataclass(frozen=True)
class Row:
    """One model's scores (percent, one per seed). ``width`` is set for finite rows only."""

    label: str
    kind: RowKind
    scores: tuple[float, ...]
    width: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("finite", "limit", "baseline"):
            raise ValueError(f"row kind must be finite, limit or baseline, got {self.kind!r}")
        if (self.kind == "finite") != (self.width is not None):
            raise ValueError(f"row {self.label!r}: finite rows need a width and the others none")
        if not self.scores:
            raise ValueError(f"row {self.label!r} has no scores")

    @property
    def mean(self) -> float:
        """Mean over seeds."""
        return statistics.fmean(self.scores)

    @property
    def sd(self) -> float:
        """Sample standard deviation over seeds (0 for a single seed)."""
        return statistics.stdev(self.scores) if len(self.scores) > 1 else 0.0

    def cell(self) -> str:
        """"mean ± sd" as the paper's tables print it."""
        return f"{self.mean:.1f} ± {self.sd:.1f}"


@dataclass(frozen=True)
class ExperimentTable:
    """A Table 2/3-style table: ``experiment`` (maml | word2vec), ``setting`` (e.g. "digits, image
    split"), ``metric`` (e.g. "5-way 1-shot accuracy %"), the rows, the configuration that produced
    them and free-text ``notes`` (what the miniature can and cannot show)."""

    experiment: str
    setting: str
    metric: str
    rows: tuple[Row, ...]
    config: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def row(self, label: str) -> Row:
        """The row with this label (``KeyError`` naming the labels there are)."""
        for r in self.rows:
            if r.label == label:
                return r
        raise KeyError(f"no row {label!r}; rows: {', '.join(r.label for r in self.rows)}")

    @property
    def finite(self) -> tuple[Row, ...]:
        """Finite-width rows, by width."""
        return tuple(sorted((r for r in self.rows if r.kind == "finite"), key=lambda r: r.width or 0))

    @property
    def limit(self) -> Row | None:
        """The µP-limit row, if there is one."""
        return next((r for r in self.rows if r.kind == "limit"), None)

    @property
    def baselines(self) -> tuple[Row, ...]:
        """Kernel / random-feature baseline rows."""
        return tuple(r for r in self.rows if r.kind == "baseline")

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_json` reads it back."""
        return {"experiment": self.experiment, "setting": self.setting, "metric": self.metric,
                "config": dict(self.config), "notes": list(self.notes),
                "rows": [{"label": r.label, "kind": r.kind, "width": r.width, "scores": list(r.scores),
                          "mean": r.mean, "sd": r.sd} for r in self.rows]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ExperimentTable":
        """Inverse of :meth:`to_json`."""
        rows = tuple(Row(str(r["label"]), r["kind"], tuple(float(s) for s in r["scores"]),
                         None if r["width"] is None else int(r["width"])) for r in data["rows"])
        return cls(str(data["experiment"]), str(data["setting"]), str(data["metric"]), rows,
                   dict(data.get("config", {})), tuple(data.get("notes", ())))

    def to_markdown(self) -> str:
        """The table as Markdown: models as columns (as in the paper), one row of "mean ± sd"."""
        head = [r.label for r in self.rows]
        seeds = {len(r.scores) for r in self.rows}
        n = seeds.pop() if len(seeds) == 1 else math.nan
        lines = [f"**{self.experiment}: {self.setting}** — {self.metric}, mean ± sd over {n} seeds", "",
                 "| " + " | ".join(head) + " |", "|" + "---|" * len(head),
                 "| " + " | ".join(r.cell() for r in self.rows) + " |"]
        lines += [""] + [f"- {note}" for note in self.notes] if self.notes else []
        return "\n".join(lines) + "\n"
