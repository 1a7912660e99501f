"""Argument parsing shared by the commands that simulate networks (sweep, check, report)."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator

from impl.atomic import write_text_atomic
from impl.cli.errors import UsageError

if TYPE_CHECKING:
    from impl.simulation import Routine
    from impl.simulation.memory import Need

__all__ = ["positive_int", "int_list", "add_training_args", "add_executor_args", "cache_from_args", "routine_from_args", "sweeper", "jobs_at_once",
           "executor_from_args", "check_output_path", "write_json", "check_memory", "check_need"]

DEFAULT_WIDTHS = (64, 128, 256, 512, 1024, 2048, 4096)


def positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 1")
    return v


MAX_DEPTH = 100
"""The deepest network a command accepts: every table, sweep and kernel is per layer (600,000 lines at L = 10⁵)."""


def depth_arg(text: str) -> int:
    """``--depth L``: 1 ≤ L ≤ :data:`MAX_DEPTH`."""
    v = positive_int(text)
    if v > MAX_DEPTH:
        raise argparse.ArgumentTypeError(f"{text!r}: at most {MAX_DEPTH} hidden layers (every output is per layer)")
    return v


def seed_count(text: str) -> int:
    """A number of network seeds: at least 2, since a width exponent's interval resamples seeds."""
    v = positive_int(text)
    if v < 2:
        raise argparse.ArgumentTypeError(f"{text!r}: an interval needs at least 2 seeds (one seed gives no error bar)")
    return v


def positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not v > 0 or v != v or v == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive finite number")
    return v


def int_list(text: str) -> tuple[int, ...]:
    """``64,128,256`` → (64, 128, 256), each ≥ 1, at least two, strictly increasing after sorting."""
    parts = [t for t in text.replace(" ", "").split(",") if t]
    try:
        values = tuple(sorted({int(t) for t in parts}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of integers") from None
    if len(values) < 2 or values[0] < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: need at least two distinct widths, all >= 1")
    return values


def add_training_args(ap: argparse.ArgumentParser, *, seeds: int, steps: int) -> None:
    ap.add_argument("--phi", default="tanh", help="nonlinearity: tanh (default), sigma-gelu[:σ], relu, gelu, identity, square, erf")
    ap.add_argument("--widths", type=int_list, default=DEFAULT_WIDTHS, help="comma-separated widths (default 64..4096)")
    ap.add_argument("--seeds", type=seed_count, default=seeds, help=f"network seeds per width, at least 2 (default {seeds})")
    ap.add_argument("--steps", type=positive_int, default=steps, help=f"SGD steps (default {steps})")
    ap.add_argument("--lr", type=positive_float, default=1.0, help="η; the learning rate is η·n^-c (default 1)")
    ap.add_argument("--batch", type=positive_int, default=1, help="examples per SGD step (default 1)")
    ap.add_argument("--probes", type=positive_int, default=32, help="probe inputs measured (default 32)")
    ap.add_argument("--input-dim", type=positive_int, default=16, help="input dimension d (default 16)")
    ap.add_argument("--loss", choices=("mse", "logistic"), default="mse")
    ap.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    ap.add_argument("--device", default="cpu", help="cpu or cuda[:k]")
    ap.add_argument("--data-seed", type=int, default=0, help="seed of inputs, labels and probes (default 0)")


def add_executor_args(ap: argparse.ArgumentParser) -> None:
    group = ap.add_mutually_exclusive_group()
    group.add_argument("-j", "--jobs", type=positive_int, default=None, help="run jobs in N local processes (1: in-process; default: the engine's jobs on a thread per core)")
    group.add_argument("--dask", metavar="ADDRESS", default=None, help="run jobs on a dask.distributed scheduler")
    ap.add_argument("--cache", metavar="DIR", default=None,
                    help="job cache; an interrupted run resumes from it (default: $TP4_CACHE_DIR, else the "
                         "platform cache directory, e.g. ~/.cache/tp4)")
    ap.add_argument("--no-cache", action="store_true", help="do not read or write the job cache")
    ap.add_argument("--no-progress", action="store_true", help="no progress bar")


def cache_from_args(args: argparse.Namespace) -> str | None:
    """The job-cache directory of ``--cache`` / ``--no-cache`` (default :func:`impl.measurement.default_cache_dir`)."""
    if args.no_cache:
        return None
    if args.cache:
        check_output_dir(str(args.cache), "--cache")
        return str(args.cache)
    from impl.measurement import default_cache_dir

    return str(default_cache_dir())


def routine_from_args(args: argparse.Namespace, **overrides: Any) -> "Routine":
    """A :class:`impl.simulation.Routine` from parsed arguments (bad values → UsageError)."""
    from impl.simulation import Routine

    fields = dict(
        phi=args.phi, input_dim=args.input_dim, steps=args.steps, lr=args.lr, batch=args.batch, probes=args.probes,
        loss=args.loss, dtype=args.dtype, device=args.device, data_seed=args.data_seed,
    )
    fields.update(overrides)
    try:
        return Routine(**fields)
    except ValueError as err:
        raise UsageError(str(err)) from None


def check_memory(args: argparse.Namespace, depth: int, routine: "Routine") -> None:
    """Refuse, in one line, a sweep whose largest job cannot fit in this machine's available memory."""
    from impl.simulation.memory import memory_shortfall

    why = memory_shortfall(args.widths, depth, args.seeds, routine.dtype, routine.input_dim, routine.output_dim,
                           slots=jobs_at_once(args))
    if why is not None:
        raise UsageError(why)


def jobs_at_once(args: argparse.Namespace, *, threads: bool = True) -> int:
    """How many jobs of a command run at once on this machine (:func:`executor_from_args`): one under ``--dask`` (a
    cluster's workers hold their own memory) or ``-j 1``, N under ``-j N``, and without ``-j`` one per usable core
    for the engine's jobs (``threads``), else one."""
    if getattr(args, "dask", None):
        return 1
    jobs = getattr(args, "jobs", None)
    if jobs is not None:
        return max(1, int(jobs))
    return usable_cores() if threads else 1


def check_need(need: "Need") -> None:
    """Refuse, in one line naming what is needed and what the machine has, a computation whose estimated peak
    (:mod:`impl.limits.memory`, :mod:`impl.simulation.memory`) exceeds this machine's available memory."""
    why = need.shortfall()
    if why is not None:
        raise UsageError(why)


def _can_create_in(directory: str) -> bool:
    """Whether a file can be created in ``directory``, tried (permission bits say nothing about /proc or a
    read-only mount, and root passes every ``os.access`` test)."""
    try:
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".tp4-probe-")
    except OSError:
        return False
    os.close(fd)
    os.unlink(probe)
    return True


def _check_directory(directory: str, option: str, path: str, *, create: bool) -> None:
    """``directory`` must be one tp4 can write in — or, with ``create``, one it can make: its nearest existing
    ancestor is a directory it can write in."""
    existing = directory
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise UsageError(f"{option} {path}: {existing} is a file, not a directory")
    if existing != directory and not create:
        raise UsageError(f"{option} {path}: directory {directory} does not exist")
    if not _can_create_in(existing):
        raise UsageError(f"{option} {path}: cannot write in {existing}")


def check_output_path(path: str | None, option: str = "--json") -> None:
    """Fail before any work, with one line saying why, when the file ``option PATH`` could not be written."""
    if path is None or path == "-":
        return
    full = os.path.abspath(path)
    if os.path.isdir(full):
        raise UsageError(f"{option} {path} is a directory; give a file path")
    _check_directory(os.path.dirname(full), option, path, create=False)


def check_output_dir(path: str, option: str, *, replaced: bool = False) -> None:
    """Fail before any work when the directory ``option PATH`` could not be created or written in (``replaced``:
    it is built beside itself and swapped in, so its parent is where tp4 writes)."""
    full = os.path.abspath(path)
    if os.path.exists(full) and not os.path.isdir(full):
        raise UsageError(f"{option} {path} exists and is not a directory")
    _check_directory(os.path.dirname(full) if replaced else full, option, path, create=True)


def write_json(path: str, doc: Any, *, indent: int | None = None) -> None:
    """Write ``doc`` as JSON to ``path`` atomically (a crash never leaves half a file); ``-``: stdout."""
    text = json.dumps(doc, indent=indent, allow_nan=False) + "\n"
    if path == "-":
        sys.stdout.write(text)
        return
    write_text_atomic(path, text)


DASK_CONNECT_S = 10
"""Seconds ``--dask ADDRESS`` waits for the scheduler before the command gives up (exit 2)."""


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS says, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@contextmanager
def executor_from_args(args: argparse.Namespace, *, threads: bool = False) -> Iterator[Any]:
    """The executor of ``-j N`` / ``--dask ADDRESS`` for the whole command, closed at the end: one dask
    connection, one process pool for N > 1 (forkserver: fork after torch has run can hang the workers), or
    in-process for ``-j 1``. Without either option, a command whose jobs are the engine's (``threads``) runs them
    on a thread per usable core — the engine's kernels release the GIL and draw from their own generators, so
    per-seed results are bit-identical to in-process (each job holds one torch thread: impl.simulation.threads;
    measured on the issue-16 grid, the jobs took 4.5 s in-process and 2.6 s on 2 cores);
    other commands stay in-process. Ctrl-C waits for the running jobs to end (they are cached)."""
    if args.dask:
        try:
            from distributed import Client  # lazy: dask is an optional dependency
        except ImportError:
            raise UsageError("--dask needs dask.distributed (pip install 'tp4[dask]')") from None
        try:  # a malformed or silent address is bad input: one line, not a traceback or a long hang
            client = Client(args.dask, timeout=DASK_CONNECT_S)
        except (ValueError, TypeError, OSError, TimeoutError) as err:
            raise UsageError(f"--dask {args.dask}: no dask scheduler reachable there ({err})") from None
        with client:
            yield client
    elif (n := jobs_at_once(args, threads=threads)) > 1 and args.jobs:
        with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("forkserver")) as pool:
            yield pool
    elif n > 1:
        with ThreadPoolExecutor(max_workers=n, thread_name_prefix="tp4-job") as pool:
            yield pool
    else:
        yield None


@contextmanager
def sweeper(args: argparse.Namespace) -> Iterator[Callable[[Any, Any], Any]]:
    """A ``run(p, config) -> SweepResult`` bound to the command's seeds, widths, cache and executor."""
    from impl.measurement import run_sweep
    from impl.measurement.executors import seed_chunk_for

    cache_dir = cache_from_args(args)  # checked once, not per sweep
    with executor_from_args(args, threads=True) as executor:
        chunk = seed_chunk_for(args.seeds, executor)

        def run(p: Any, config: Any) -> Any:
            return run_sweep(
                p, config, args.widths, tuple(range(args.seeds)), executor=executor, cache_dir=cache_dir,
                seed_chunk=chunk, progress=not args.no_progress and sys.stderr.isatty(),
            )

        yield run
