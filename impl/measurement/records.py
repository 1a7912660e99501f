"""One job's measurements, normalised from whatever the simulator returns.

The simulation layer's contract (``impl.simulation.Recording``) is duck-typed here — any object
with ``width``, ``seeds``, ``steps``, ``values`` (name → (steps+1, S) array), ``blowup_step``
((S,) ints, −1 = never) and optionally ``probe_values`` (name → (steps+1, S, K) signed per-probe
values) will do — so the measurement layer neither imports nor depends on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

__all__ = ["JobResult", "normalise_recording"]


@dataclass(frozen=True, eq=False)
class JobResult:
    """Measurements of one (width, seed chunk) job: ``values[name]`` has shape (steps+1, len(seeds)),
    ``probe_values[name]`` (steps+1, len(seeds), K)."""

    width: int
    seeds: tuple[int, ...]
    steps: int
    values: dict[str, np.ndarray]
    blowup_step: np.ndarray
    probe_values: dict[str, np.ndarray] = field(default_factory=dict)

    def same_as(self, other: "JobResult") -> bool:
        """Exact equality of every field (NaN equal to NaN)."""
        return (
            (self.width, self.seeds, self.steps) == (other.width, other.seeds, other.steps)
            and self.values.keys() == other.values.keys()
            and all(np.array_equal(self.values[k], other.values[k], equal_nan=True) for k in self.values)
            and self.probe_values.keys() == other.probe_values.keys()
            and all(np.array_equal(v, other.probe_values[k], equal_nan=True) for k, v in self.probe_values.items())
            and np.array_equal(self.blowup_step, other.blowup_step)
        )


def normalise_recording(rec: Any, width: int, seeds: Sequence[int]) -> JobResult:
    """Validate a simulator's recording against the job it answers and copy it into a :class:`JobResult`.

    Raises ValueError when the recording's width, seeds or array shapes disagree with the job.
    """
    seeds_t = tuple(int(s) for s in seeds)
    if int(rec.width) != int(width):
        raise ValueError(f"simulator returned width {rec.width} for a job at width {width}")
    if tuple(int(s) for s in rec.seeds) != seeds_t:
        raise ValueError(f"simulator returned seeds {tuple(rec.seeds)} for a job with seeds {seeds_t}")
    steps = int(rec.steps)
    shape = (steps + 1, len(seeds_t))
    values: dict[str, np.ndarray] = {}
    for name, arr in rec.values.items():
        a = np.array(arr, dtype=np.float64, copy=True)
        if a.shape != shape:
            raise ValueError(f"quantity {name!r} has shape {a.shape}, expected (steps+1, n_seeds) = {shape}")
        values[str(name)] = a
    probes: dict[str, np.ndarray] = {}
    for name, arr in getattr(rec, "probe_values", {}).items():
        a = np.array(arr, dtype=np.float64, copy=True)
        if a.ndim != 3 or a.shape[:2] != shape:
            raise ValueError(f"probe values {name!r} have shape {a.shape}, expected (steps+1, n_seeds, K) = {shape + ('K',)}")
        probes[str(name)] = a
    blow = np.array(rec.blowup_step, dtype=np.int64, copy=True).reshape(-1)
    if blow.shape != (len(seeds_t),):
        raise ValueError(f"blowup_step has shape {blow.shape}, expected ({len(seeds_t)},)")
    return JobResult(int(width), seeds_t, steps, values, blow, probes)
