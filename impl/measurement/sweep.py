"""Width sweeps: simulate a parametrization at several widths and seeds, with caching and resumption.

The work is split into (width, seed chunk) jobs; each job calls the simulate function once
(``simulate(p, config, width, seeds)``, the contract of ``impl.simulation``). Because a seed's
initial weights depend only on (seed, width), per-seed results do not depend on the chunking.
With ``cache_dir`` every finished job is written to disk as it completes (see
:mod:`impl.measurement.cache`), so rerunning an interrupted sweep recomputes only missing jobs.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
from tqdm import tqdm

from impl.measurement.cache import JobCache, digest, key_document
from impl.measurement.cache import code_version as default_code_version
from impl.measurement.executors import Job, executor_context, run_jobs
from impl.measurement.records import JobResult, normalise_recording
from impl.theory import Parametrization

__all__ = ["SweepStats", "SweepResult", "plan_jobs", "run_sweep"]


@dataclass(frozen=True)
class SweepStats:
    """How the jobs of a sweep were obtained."""

    n_jobs: int
    n_cached: int
    n_computed: int


@dataclass(frozen=True, eq=False)
class SweepResult:
    """Every measurement of a sweep.

    ``values[name]`` has shape (W, steps+1, S) — width (ascending, as ``widths``), step, seed (as
    ``seeds``); ``blowup_step`` is (W, S), −1 where the run never blew up; ``probe_values[name]``
    (W, steps+1, S, K) holds signed per-probe values where the simulator records them.
    """

    parametrization: Parametrization | None
    config: Any
    widths: tuple[int, ...]
    seeds: tuple[int, ...]
    steps: int
    values: dict[str, np.ndarray]
    blowup_step: np.ndarray
    stats: SweepStats
    probe_values: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def quantity_names(self) -> tuple[str, ...]:
        """The recorded quantities, in the simulator's order."""
        return tuple(self.values)

    def at(self, name: str, step: int) -> np.ndarray:
        """Per-width, per-seed sizes (W, S) of ``name`` after ``step`` steps."""
        if not 0 <= step <= self.steps:
            raise ValueError(f"step must be in 0..{self.steps}, got {step}")
        return self.values[name][:, step, :]

    def probes(self, name: str, step: int) -> np.ndarray | None:
        """Signed per-probe values (W, S, K) of ``name`` after ``step`` steps, or None when not recorded
        (:func:`impl.measurement.decide_quantity` uses them)."""
        if not 0 <= step <= self.steps:
            raise ValueError(f"step must be in 0..{self.steps}, got {step}")
        return self.probe_values[name][:, step] if name in self.probe_values else None

    def same_measurements(self, other: "SweepResult") -> bool:
        """Exact equality of widths, seeds, steps, values (NaN = NaN) and blow-ups."""
        return (
            (self.widths, self.seeds, self.steps) == (other.widths, other.seeds, other.steps)
            and self.values.keys() == other.values.keys()
            and all(np.array_equal(v, other.values[k], equal_nan=True) for k, v in self.values.items())
            and self.probe_values.keys() == other.probe_values.keys()
            and all(np.array_equal(v, other.probe_values[k], equal_nan=True) for k, v in self.probe_values.items())
            and np.array_equal(self.blowup_step, other.blowup_step)
        )


def _validated(widths: Sequence[int], seeds: Sequence[int], seed_chunk: int | None) -> tuple[tuple[int, ...], tuple[int, ...]]:
    ws = tuple(sorted(int(w) for w in widths))
    ss = tuple(int(s) for s in seeds)
    if not ws or any(w < 1 for w in ws) or len(set(ws)) != len(ws):
        raise ValueError(f"widths must be distinct positive integers, got {list(widths)}")
    if not ss or len(set(ss)) != len(ss):
        raise ValueError(f"seeds must be a non-empty sequence of distinct integers, got {list(seeds)}")
    if seed_chunk is not None and (isinstance(seed_chunk, bool) or int(seed_chunk) != seed_chunk or seed_chunk < 1):
        raise ValueError(f"seed_chunk must be a positive integer or None, got {seed_chunk!r}")
    return ws, ss


def plan_jobs(widths: Sequence[int], seeds: Sequence[int], seed_chunk: int | None = None) -> tuple[Job, ...]:
    """The jobs of a sweep, widest first (the slowest start first in a pool)."""
    ws, ss = _validated(widths, seeds, seed_chunk)
    k = len(ss) if seed_chunk is None else int(seed_chunk)
    chunks = [ss[i : i + k] for i in range(0, len(ss), k)]
    return tuple(Job(w, c) for w in reversed(ws) for c in chunks)


def _default_simulate() -> Callable[..., Any]:
    from impl.simulation import simulate  # lazy: the simulation layer is optional for this module

    return simulate


def _assemble(p: Parametrization | None, config: Any, ws: tuple[int, ...], ss: tuple[int, ...], jobs: Sequence[Job],
              done: dict[Job, JobResult], stats: SweepStats) -> SweepResult:
    by_width = {w: [done[j] for j in jobs if j.width == w] for w in ws}
    first = done[jobs[0]]
    names, steps = tuple(first.values), first.steps
    for r in done.values():
        if r.steps != steps or tuple(r.values) != names:
            raise ValueError(f"jobs disagree on steps/quantities: {r.steps} {tuple(r.values)} vs {steps} {names}")
    values = {
        name: np.stack([np.concatenate([r.values[name] for r in by_width[w]], axis=1) for w in ws])
        for name in names
    }
    probes = {
        name: np.stack([np.concatenate([r.probe_values[name] for r in by_width[w]], axis=1) for w in ws])
        for name in first.probe_values if all(name in r.probe_values for r in done.values())
    }
    blow = np.stack([np.concatenate([r.blowup_step for r in by_width[w]]) for w in ws])
    return SweepResult(p, config, ws, ss, steps, values, blow, stats, probes)


def run_sweep(
    p: Parametrization | None,
    config: Any,
    widths: Sequence[int],
    seeds: Sequence[int],
    *,
    executor: Any = None,
    cache_dir: str | os.PathLike[str] | None = None,
    seed_chunk: int | None = None,
    progress: bool = False,
    simulate_fn: Callable[..., Any] | None = None,
    code_version: str | None = None,
) -> SweepResult:
    """Simulate ``p`` under ``config`` at every width and seed; return all measurements. (``p`` is None
    for a job that measures a network outside the abc theory, e.g. a user's model judged on desiderata.)

    ``executor``: None (in-process), a ``concurrent.futures.Executor``, a ``dask.distributed.Client``
    or a scheduler address. ``cache_dir``: where finished jobs are stored and looked up.
    ``seed_chunk``: seeds per job (None: all seeds of a width in one job). ``progress``: a tqdm bar
    on stderr. ``simulate_fn``: defaults to ``impl.simulation.simulate`` (it must be picklable for a
    process pool or a remote cluster; give a process pool a ``forkserver``/``spawn`` context, see
    :mod:`impl.measurement.executors`). ``code_version`` overrides the digest of the simulate code
    (:func:`impl.measurement.cache.code_version`) in the cache key. Raises :class:`SweepError` if
    jobs failed (finished ones stay cached).
    """
    ws, ss = _validated(widths, seeds, seed_chunk)
    jobs = plan_jobs(ws, ss, seed_chunk)
    fn = simulate_fn if simulate_fn is not None else _default_simulate()
    cache = JobCache(cache_dir) if cache_dir is not None else None
    version = code_version if code_version is not None else (default_code_version(fn) if cache else "")
    docs = {j: key_document(p, config, j.width, j.seeds, version) for j in jobs} if cache else {}
    keys = {j: digest(doc) for j, doc in docs.items()}

    done: dict[Job, JobResult] = {}
    if cache is not None:
        for j in jobs:
            hit = cache.load(keys[j], docs[j])
            if hit is not None and hit.width == j.width and hit.seeds == j.seeds:
                done[j] = hit
    n_cached = len(done)
    todo = [j for j in jobs if j not in done]

    label = (p.name or p.spec()) if p is not None else getattr(config, "label", "") or "model"
    with tqdm(total=len(jobs), initial=n_cached, disable=not progress, file=sys.stderr, desc=f"sweep {label}",
              unit="job", leave=False) as bar:

        def on_done(job: Job, recording: Any) -> None:
            result = normalise_recording(recording, job.width, job.seeds)
            if cache is not None:
                cache.store(keys[job], docs[job], result)
            done[job] = result
            bar.update(1)

        with executor_context(executor) as ex:
            run_jobs(fn, (p, config), todo, ex, on_done)

    return _assemble(p, config, ws, ss, jobs, done, SweepStats(len(jobs), n_cached, len(todo)))
