"""Running sweep jobs in-process, on any ``concurrent.futures.Executor``, or on a dask cluster.

* ``None`` — in-process, one job after another, no pool; the first failure stops the sweep.
* a :class:`concurrent.futures.Executor` (``ThreadPoolExecutor``, ``ProcessPoolExecutor``, …) —
  every job is submitted at once and handled in completion order.
* a ``dask.distributed.Client``, or a scheduler address string (a client is then opened and
  closed here) — jobs go through ``client.submit(..., pure=False)`` via the client's
  ``concurrent.futures``-compatible executor (``Client.get_executor``).

With a pool, the first failure cancels the jobs not yet started; jobs already running are still
harvested (and so cached) before :class:`SweepError` is raised. ``dask.distributed`` is imported
only when an address string is given.

Process pools and torch: a *forked* worker of a parent that has already run torch code can
deadlock (torch's intra-op thread pool does not survive ``fork``; seen with the real simulator:
a ``ProcessPoolExecutor()`` with Linux's default ``fork`` hangs). Use
``ProcessPoolExecutor(mp_context=multiprocessing.get_context("forkserver"))`` (or ``"spawn"``);
:func:`executor_context` warns when it sees a fork-based pool while torch is imported.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import sys
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

__all__ = ["Job", "JobFailure", "SweepError", "executor_context", "run_jobs", "parallel_slots", "seed_chunk_for"]


def parallel_slots(executor: Any) -> int:
    """How many jobs ``executor`` runs at once: a pool's workers, a dask cluster's threads, 1 in-process."""
    if executor is None or isinstance(executor, str):
        return 1
    workers = getattr(executor, "_max_workers", None)  # concurrent.futures pools (CPython)
    if isinstance(workers, int):
        return max(1, workers)
    nthreads = getattr(executor, "nthreads", None)  # dask.distributed.Client
    if callable(nthreads):
        try:
            return max(1, sum(nthreads().values()))
        except Exception:  # noqa: BLE001 - a cluster that does not answer: no split
            return 1
    return 1


def seed_chunk_for(n_seeds: int, executor: Any, most: int | None = None) -> int:
    """Seeds per job so that every slot of ``executor`` has work at the widest width (whose jobs dominate a
    sweep): ⌈n / slots⌉, at most ``most``. Per-seed results do not depend on the split (bit for bit)."""
    chunk = -(-int(n_seeds) // parallel_slots(executor))
    return max(1, min(chunk, int(n_seeds) if most is None else int(most)))


@dataclass(frozen=True)
class Job:
    """One unit of work: all ``seeds`` of a seed chunk at one ``width``."""

    width: int
    seeds: tuple[int, ...]


@dataclass(frozen=True)
class JobFailure:
    """A job that raised (in the simulator, or while validating/storing its result)."""

    job: Job
    error: BaseException


class SweepError(RuntimeError):
    """One or more jobs failed; finished jobs were kept (and cached, when caching is on)."""

    def __init__(self, failures: Sequence[JobFailure]) -> None:
        self.failures = tuple(failures)
        first = self.failures[0]
        super().__init__(
            f"{len(self.failures)} sweep job(s) failed; first at width {first.job.width}, "
            f"seeds {list(first.job.seeds)}: {type(first.error).__name__}: {first.error}"
        )


def _is_dask_client(obj: Any) -> bool:
    return callable(getattr(obj, "get_executor", None)) and callable(getattr(obj, "submit", None))


def _warn_if_fork_with_torch(executor: cf.Executor | None) -> None:
    if not isinstance(executor, cf.ProcessPoolExecutor) or "torch" not in sys.modules:
        return
    ctx = getattr(executor, "_mp_context", None)  # private, but the only way to ask; best effort
    method = ctx.get_start_method() if ctx is not None else multiprocessing.get_start_method(allow_none=True)
    if method == "fork":
        warnings.warn(
            "a fork-based ProcessPoolExecutor with torch imported can deadlock; pass "
            "mp_context=multiprocessing.get_context('forkserver') (or 'spawn')",
            RuntimeWarning,
            stacklevel=4,
        )


@contextmanager
def executor_context(executor: Any) -> Iterator[cf.Executor | None]:
    """Resolve the ``executor`` argument of :func:`run_sweep` into an Executor (or None: in-process)."""
    if executor is None or isinstance(executor, cf.Executor):
        _warn_if_fork_with_torch(executor)
        yield executor
    elif isinstance(executor, str):
        from distributed import Client  # lazy: dask is an optional dependency

        client = Client(executor)
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
    elif _is_dask_client(executor):
        yield executor.get_executor(pure=False)
    else:
        raise TypeError(
            f"executor must be None, a concurrent.futures.Executor, a dask Client or an address, "
            f"got {type(executor).__name__}"
        )


def _finish(job: Job, result: Any, on_done: Callable[[Job, Any], None], failures: list[JobFailure]) -> None:
    try:
        on_done(job, result)
    except Exception as err:  # noqa: BLE001 - a bad recording is a job failure, not a crash
        failures.append(JobFailure(job, err))


def run_jobs(
    fn: Callable[..., Any],
    fixed_args: tuple[Any, ...],
    jobs: Sequence[Job],
    executor: cf.Executor | None,
    on_done: Callable[[Job, Any], None],
) -> None:
    """Call ``fn(*fixed_args, job.width, job.seeds)`` for every job and ``on_done(job, result)`` as each ends.

    Raises :class:`SweepError` (chained to the first error) if any job failed; KeyboardInterrupt
    and other BaseExceptions cancel pending jobs and propagate unchanged.
    """
    failures: list[JobFailure] = []
    if executor is None:
        for job in jobs:
            try:
                result = fn(*fixed_args, job.width, job.seeds)
            except Exception as err:  # noqa: BLE001
                failures.append(JobFailure(job, err))
            else:
                _finish(job, result, on_done, failures)
            if failures:
                break
    else:
        futures = {executor.submit(fn, *fixed_args, job.width, job.seeds): job for job in jobs}
        try:
            for fut in cf.as_completed(futures):
                if fut.cancelled():
                    continue
                problem = fut.exception()
                if problem is None:
                    _finish(futures[fut], fut.result(), on_done, failures)
                else:
                    failures.append(JobFailure(futures[fut], problem))
                if failures:
                    for other in futures:
                        other.cancel()
        except BaseException:
            for other in futures:
                other.cancel()
            raise
    if failures:
        raise SweepError(failures) from failures[0].error
