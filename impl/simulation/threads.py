"""One torch intra-op thread for a block of work.

The engine's jobs are small kernels on these 2-core machines: a second intra-op thread stalls them
(measured: a 58-case simulation file took 3.5 s on one thread and 10–25 s on two), so every job runs on
one thread and parallelism comes from Python threads (each job's kernels release the GIL; tp4's commands use
every core this way by default), processes (xdist workers, a process pool) or a dask cluster.

torch's thread count is process-wide, so with jobs on several Python threads the setting is held by a counter:
the first block to enter sets one thread, the last to leave restores what was there (a plain save-and-restore
would let one job's exit hand another, still running, a second intra-op thread).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

import torch

__all__ = ["one_thread"]


_LOCK = threading.Lock()
_held = 0
_before = 1


@contextmanager
def one_thread() -> Iterator[None]:
    """Run the block with ``torch.set_num_threads(1)``; the setting from before the outermost of any
    concurrently running such blocks comes back when the last of them ends."""
    global _held, _before
    with _LOCK:
        if _held == 0:
            _before = torch.get_num_threads()
            torch.set_num_threads(1)
        _held += 1
    try:
        yield
    finally:
        with _LOCK:
            _held -= 1
            if _held == 0:
                torch.set_num_threads(_before)
