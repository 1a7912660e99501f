"""The JSON report of an analysed sweep (always valid JSON: NaN and ±inf become null).

Schema (``format`` = ``tp4-sweep-report/1``)::

    {"format", "spec", "name", "depth", "regime", "predictions_from", "widths", "seeds", "steps",
     "config", "margin", "alpha", "ci_level", "step", "jobs": {"total", "cached", "computed"},
     "blowups": [{"width", "seed", "step"}],
     "quantities": {NAME: {"step", "slope", "intercept", "ci": [lo, hi], "predicted": "p/q" | null,
                           "expected": "grows" | "vanishes" | "theta1" | null, "decision", "reason", "n_seeds", "rms": [per width],
                           "values": [[per seed] per width], "blowup": {...} | null}}}
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import os
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from impl.atomic import write_text_atomic
from impl.measurement.analysis import Analysis, QuantityResult
from impl.measurement.sweep import SweepResult
from impl.theory import Infinity, classify

__all__ = ["REPORT_FORMAT", "jsonable", "report_dict", "dumps_report", "write_report"]

REPORT_FORMAT = "tp4-sweep-report/1"


def jsonable(obj: Any) -> Any:
    """Convert to plain JSON types: non-finite floats → None, Fractions → "p/q", ±∞ exponents → "inf"/"-inf",
    arrays → lists."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, enum.Enum):
        return jsonable(obj.value)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, (Fraction, Infinity)):
        return str(obj)
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(x) for x in obj]
    return str(obj)


def _quantity(q: QuantityResult) -> dict[str, Any]:
    d, fit = q.decision, q.decision.fit
    return {
        "step": q.step,
        "slope": d.slope,
        "intercept": fit.intercept if fit is not None else None,
        "ci": list(d.ci),
        "claim": d.claim,
        "verdict": d.verdict,
        "trend": d.trend,
        "reason": d.reason,
        "n_seeds": len(q.seeds),
        "rms": fit.rms if fit is not None else None,
        "values": q.values,
        "blowup": d.blowup,
    }


def report_dict(result: SweepResult, analysis: Analysis) -> dict[str, Any]:
    """The report as a JSON-ready dict (see the module docstring for the schema)."""
    p = result.parametrization
    if p is None:
        raise ValueError("a report needs the sweep of a parametrization")
    blown = np.argwhere(result.blowup_step >= 0)
    doc = {
        "format": REPORT_FORMAT,
        "spec": p.spec(),
        "name": p.name,
        "depth": p.depth,
        "regime": classify(p).regime,
        "predictions_from": analysis.parametrization.spec(),
        "widths": result.widths,
        "seeds": result.seeds,
        "steps": result.steps,
        "config": result.config,
        "margin": analysis.margin,
        "alpha": analysis.alpha,
        "ci_level": 1.0 - analysis.alpha,
        "step": analysis.step,
        "jobs": {"total": result.stats.n_jobs, "cached": result.stats.n_cached, "computed": result.stats.n_computed},
        "blowups": [
            {"width": result.widths[i], "seed": result.seeds[j], "step": result.blowup_step[i, j]} for i, j in blown
        ],
        "quantities": {name: _quantity(q) for name, q in analysis.items()},
    }
    return jsonable(doc)


def dumps_report(result: SweepResult, analysis: Analysis, *, indent: int | None = 2) -> str:
    """The report as JSON text (strict: ``allow_nan=False`` guarantees no NaN/Infinity tokens)."""
    return json.dumps(report_dict(result, analysis), indent=indent, allow_nan=False, ensure_ascii=False)


def write_report(path: str | os.PathLike[str], result: SweepResult, analysis: Analysis) -> Path:
    """Write the report to ``path`` (atomically: a temporary file, then ``os.replace``)."""
    return write_text_atomic(path, dumps_report(result, analysis) + "\n")
