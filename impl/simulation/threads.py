"""One torch intra-op thread for a block of work.

The engine's jobs are small kernels on these 2-core machines: a second intra-op thread stalls them
(measured: a 58-case simulation file took 3.5 s on one thread and 10–25 s on two), so every job runs on
one thread and parallelism comes from Python threads (each job's kernels release the GIL; tp4's commands use
every core this way by default), processes (xdist workers, a process pool) or a dask cluster. The thread count
also decides the numbers: a product split over two threads rounds differently.

torch's thread count is per Python thread (OpenMP keeps one setting per thread; a new thread starts from the
last one set anywhere), while the BLAS library's may be process-wide. So every thread entering a block sets one
thread for itself, and a count of the blocks running in the whole process decides when to restore: a thread
leaving its outermost block restores its own earlier setting only if no block is running anywhere else (else
its restore could hand a still-running job's BLAS a second thread). A pool thread that leaves while others run
keeps one thread; the thread that leaves last — in tp4, the one that waited for the jobs — restores.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

import torch

__all__ = ["one_thread"]

_LOCK = threading.Lock()
_running = 0  # blocks running in the whole process (their threads' outermost ones)
_local = threading.local()  # per thread: depth (nesting) and before (its setting before its outermost block)


@contextmanager
def one_thread() -> Iterator[None]:
    """Run the block with one torch intra-op thread on this Python thread; see the module docstring for when the
    earlier setting comes back."""
    global _running
    depth = getattr(_local, "depth", 0)
    if depth == 0:
        with _LOCK:
            _local.before = torch.get_num_threads()
            torch.set_num_threads(1)
            _running += 1
    _local.depth = depth + 1
    try:
        yield
    finally:
        _local.depth -= 1
        if _local.depth == 0:
            with _LOCK:
                _running -= 1
                if _running == 0:
                    torch.set_num_threads(_local.before)
