"""Compare a report with an earlier one (``tp4 report --baseline DIR``): what changed since last night.

Two kinds of change are found, both on the JSON form of the reports (``report.json``):

* **changed verdicts** — a (parametrization, statement) cell whose verdict differs. It is a
  *regression* when it got worse on the scale agree < undecided < disagree (``n/a`` on either
  side is a change of scope, listed but not a regression);
* **drifted exponents** — a fitted width exponent (every quantity at every step, the max-LR
  exponent, and the Figure 4 deviation slopes) whose confidence interval no longer overlaps the
  baseline's: the two level-(1 − α) intervals are disjoint, so the difference is beyond both runs'
  seed noise. Reports use the same seeds and data every night, so on unchanged code the exponents
  are identical; a drift means the code or the environment changed what is measured.

Parametrizations present on one side only are listed as added / removed. A baseline taken with
other widths or seeds is still compared, with a warning (finite-width biases differ).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from impl.measurement.report import jsonable

__all__ = ["RANK", "REPORT_FORMAT", "VerdictChange", "Drift", "Comparison", "load_baseline", "compare"]

RANK = {"agree": 0, "undecided": 1, "disagree": 2}
REPORT_FORMAT = "tp4-report/2"
"""The report JSON's format (defined here, in the module that reads old reports, which imports no torch)."""


@dataclass(frozen=True)
class VerdictChange:
    """A (parametrization, statement) verdict that differs from the baseline's."""

    spec: str
    statement: str
    before: str
    after: str

    @property
    def regression(self) -> bool:
        """Worse than before (agree < undecided < disagree); a change to or from n/a is not."""
        return self.before in RANK and self.after in RANK and RANK[self.after] > RANK[self.before]


@dataclass(frozen=True)
class Drift:
    """A fitted exponent whose interval is disjoint from the baseline's (``quantity`` "max_lr" for Thm 4.1)."""

    spec: str
    quantity: str
    step: int
    before: float
    before_ci: tuple[float, float]
    after: float
    after_ci: tuple[float, float]


@dataclass(frozen=True)
class Comparison:
    """Everything that changed since the baseline; ``failed`` when a verdict regressed or an exponent drifted."""

    baseline: str
    baseline_created: str
    changes: tuple[VerdictChange, ...] = ()
    drifts: tuple[Drift, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def regressions(self) -> tuple[VerdictChange, ...]:
        return tuple(c for c in self.changes if c.regression)

    @property
    def failed(self) -> bool:
        return bool(self.regressions or self.drifts)

    def to_dict(self) -> dict[str, Any]:
        """JSON form, with each change's ``regression`` flag and the ``failed`` summary."""
        doc = jsonable(self)
        for c, d in zip(self.changes, doc["changes"]):
            d["regression"] = c.regression
        return {**doc, "failed": self.failed}


def load_baseline(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The baseline's ``report.json`` (``path`` is a report directory or the file itself).
    Raises ValueError with a one-line message when it is missing, unreadable or not a tp4 report."""
    p = Path(path)
    file = p / "report.json" if p.is_dir() else p
    if not file.is_file():
        raise ValueError(f"--baseline {path}: no report.json there")
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"--baseline {path}: cannot read {file.name}: {err}") from None
    if not isinstance(doc, dict) or doc.get("format") != REPORT_FORMAT or not isinstance(doc.get("specs"), list):
        raise ValueError(f"--baseline {path}: {file.name} is not a {REPORT_FORMAT} report")
    for spec in doc["specs"]:
        ok = (isinstance(spec, dict) and isinstance(spec.get("key"), str)
              and all(isinstance(s, dict) and {"statement", "verdict"} <= set(s) for s in spec.get("statements", []))
              and all(isinstance(q, dict) and {"name", "step"} <= set(q) for q in spec.get("quantities", [])))
        if not ok:
            raise ValueError(f"--baseline {path}: {file.name} is malformed (a spec without key/statements/quantities)")
    return doc


def _interval(rec: Mapping[str, Any]) -> tuple[float, float, float] | None:
    slope, ci = rec.get("slope"), rec.get("ci") or [None, None]
    values = (slope, ci[0], ci[1])
    if any(not isinstance(v, (int, float)) or not math.isfinite(v) for v in values):
        return None
    return float(values[0]), float(values[1]), float(values[2])  # type: ignore[arg-type]


def _drift(spec: str, name: str, step: int, old: Mapping[str, Any], new: Mapping[str, Any]) -> Drift | None:
    a, b = _interval(old), _interval(new)
    if a is None or b is None or (a[2] >= b[1] and b[2] >= a[1]):  # overlapping intervals: no drift
        return None
    return Drift(spec, name, step, a[0], (a[1], a[2]), b[0], (b[1], b[2]))


def _spec_changes(key: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[list[VerdictChange], list[Drift]]:
    before = {s["statement"]: s["verdict"] for s in old.get("statements", [])}
    changes = [VerdictChange(key, s["statement"], before[s["statement"]], s["verdict"]) for s in new.get("statements", [])
               if s["statement"] in before and before[s["statement"]] != s["verdict"]]
    old_q = {(q["name"], q["step"]): q for q in old.get("quantities", [])}
    drifts = [d for q in new.get("quantities", []) if (q["name"], q["step"]) in old_q
              for d in [_drift(key, q["name"], q["step"], old_q[(q["name"], q["step"])], q)] if d is not None]
    if old.get("max_lr") and new.get("max_lr"):
        d = _drift(key, "max_lr", 0, old["max_lr"], new["max_lr"])
        drifts += [d] if d is not None else []
    return changes, drifts


def compare(old: Mapping[str, Any], new: Mapping[str, Any], source: str = "") -> Comparison:
    """Compare report ``new`` with baseline ``old`` (both in their JSON form; ``source`` names the baseline)."""
    old_specs = {s["key"]: s for s in old.get("specs", [])}
    new_specs = {s["key"]: s for s in new.get("specs", [])}
    changes: list[VerdictChange] = []
    drifts: list[Drift] = []
    for key in new_specs.keys() & old_specs.keys():
        c, d = _spec_changes(key, old_specs[key], new_specs[key])
        changes += c
        drifts += d
    old_fits = {(f["arch"], f["phi"]): f for f in (old.get("figure4") or {}).get("fits", [])}
    for f in (new.get("figure4") or {}).get("fits", []):
        if (f["arch"], f["phi"]) in old_fits:
            moved = _drift("figure4", f"deviation {f['arch']} φ={f['phi']}", 0, old_fits[(f["arch"], f["phi"])], f)
            drifts += [moved] if moved is not None else []
    warnings = []
    for setting in ("widths", "seeds", "steps"):
        was, now = old.get("settings", {}).get(setting), new.get("settings", {}).get(setting)
        if was != now:
            warnings.append(f"baseline {setting} {was} differ from this report's {now}: exponents compared anyway")
    order = [*new_specs, "figure4"]
    changes.sort(key=lambda c: (not c.regression, order.index(c.spec)))
    drifts.sort(key=lambda d: (order.index(d.spec), d.step, d.quantity))
    return Comparison(source, str(old.get("created", "")), tuple(changes), tuple(drifts),
                      tuple(k for k in new_specs if k not in old_specs),
                      tuple(k for k in old_specs if k not in new_specs),
                      tuple(warnings))
