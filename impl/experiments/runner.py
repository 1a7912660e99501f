"""Running an experiment's jobs in-process, in a process pool or on dask, with a per-job cache.

An experiment (:mod:`impl.experiments.maml`, :mod:`impl.experiments.word2vec`) is a list of frozen
jobs — one (setting, model, seed) each, with a stable ``key()`` — and a top-level function
``run(job) -> float`` (a score in percent). :func:`run_jobs_cached` runs the jobs that are not cached
yet and stores each score, atomically, the moment it is known: an interrupted run loses nothing
that had finished and a rerun resumes. The cache key is the job's key plus a digest of the
experiments package's code (:func:`impl.measurement.code_version`), so editing the code recomputes.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence, TypeVar

from impl.atomic import write_text_atomic
from impl.experiments.table import ExperimentTable

__all__ = ["EXPERIMENTS", "ExperimentJob", "run_jobs_cached", "run_experiment"]

EXPERIMENTS = ("maml", "word2vec")


class ExperimentJob(Protocol):
    """What :func:`run_jobs_cached` needs of a job: a stable, file-name-safe ``key()``."""

    def key(self) -> str: ...


J = TypeVar("J", bound=ExperimentJob)


def _cache_file(directory: Path, job: ExperimentJob, version: str) -> Path:
    return directory / f"{job.key()}-{version}.json"


def _load(path: Path) -> float | None:
    try:
        return float(json.loads(path.read_text(encoding="utf-8"))["score"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent, half-foreign or corrupt: recompute


def _store(path: Path, job: ExperimentJob, score: float) -> None:
    doc: dict[str, Any] = {"key": job.key(), "score": score}
    if is_dataclass(job) and not isinstance(job, type):
        doc["job"] = asdict(job)
    write_text_atomic(path, json.dumps(doc, default=str) + "\n")


def _one_thread(run: Callable[[J], float], job: J) -> float:
    """``run(job)`` on one torch thread and one BLAS thread (measured: two threads per MAML job cost 3×
    the CPU and were slower in wall time); parallelism comes from the executor's workers."""
    from threadpoolctl import threadpool_limits

    from impl.simulation import one_thread

    with one_thread(), threadpool_limits(limits=1):
        return run(job)


def run_jobs_cached(jobs: Sequence[J], run: Callable[[J], float], *, cache_dir: str | os.PathLike[str] | None = None,
                    executor: Any = None, progress: Callable[[str], None] = lambda line: None) -> list[float]:
    """``[run(job) for job in jobs]``, reading and writing ``cache_dir`` (None: no cache); ``executor``
    is None (in-process), a ``concurrent.futures.Executor``, a dask ``Client`` or a scheduler address.
    ``progress`` gets one line per finished job. Each job runs on one thread (:func:`_one_thread`). A failing job's error is re-raised (pending jobs are
    cancelled); every job that finished before it stays cached."""
    from impl.measurement import code_version  # here, not at import: `tp4 --help` stays fast
    from impl.measurement.executors import executor_context

    directory = None if cache_dir is None else Path(cache_dir)
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    version = code_version(run)
    scores: list[float | None] = [None] * len(jobs)
    todo = []
    for i, job in enumerate(jobs):
        cached = None if directory is None else _load(_cache_file(directory, job, version))
        if cached is None:
            todo.append(i)
        else:
            scores[i] = cached
    done = len(jobs) - len(todo)
    if done:
        progress(f"{done} of {len(jobs)} jobs from the cache")

    def record(i: int, score: float) -> None:
        nonlocal done
        scores[i] = float(score)
        if directory is not None:
            _store(_cache_file(directory, jobs[i], version), jobs[i], float(score))
        done += 1
        progress(f"[{done}/{len(jobs)}] {jobs[i].key()}: {score:.1f}")

    with executor_context(executor) as pool:
        if pool is None:
            for i in todo:
                record(i, _one_thread(run, jobs[i]))
        else:
            futures = {pool.submit(_one_thread, run, jobs[i]): i for i in todo}
            try:
                for fut in cf.as_completed(futures):
                    record(futures[fut], fut.result())
            except BaseException:
                for other in futures:
                    other.cancel()
                raise
    return [float(s) for s in scores if s is not None]


def run_experiment(experiment: str, profile: str, *, settings: Sequence[str] | None = None,
                   cache_dir: str | os.PathLike[str] | None = None, executor: Any = None,
                   progress: Callable[[str], None] = lambda line: None) -> list[ExperimentTable]:
    """The tables of ``experiment`` (maml | word2vec) under ``profile`` (quick | nightly), every job run
    through :func:`run_jobs_cached` (cache subdirectory ``paper/<experiment>`` of ``cache_dir``).
    ``settings`` selects MAML settings. Bad names raise ValueError."""
    if experiment not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {experiment!r}; choose from {', '.join(EXPERIMENTS)}")
    sub = None if cache_dir is None else Path(cache_dir) / "paper" / experiment
    if experiment == "maml":
        from impl.experiments.maml import maml_jobs, maml_tables, run_maml_job

        jobs = maml_jobs(profile, settings)
        return maml_tables(jobs, run_jobs_cached(jobs, run_maml_job, cache_dir=sub, executor=executor, progress=progress))
    if settings:
        raise ValueError("settings apply to maml only")
    from impl.experiments.word2vec import run_w2v_job, w2v_jobs, w2v_table

    wjobs = w2v_jobs(profile)
    return [w2v_table(wjobs, run_jobs_cached(wjobs, run_w2v_job, cache_dir=sub, executor=executor, progress=progress))]
