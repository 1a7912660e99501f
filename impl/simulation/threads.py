"""One torch intra-op thread for a block of work.

The engine's jobs are small kernels on these 2-core machines: a second intra-op thread stalls them
(measured: a 58-case simulation file took 3.5 s on one thread and 10–25 s on two), so every job runs on
one thread and parallelism comes from processes (xdist workers, a process pool, a dask cluster).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import torch

__all__ = ["one_thread"]


@contextmanager
def one_thread() -> Iterator[None]:
    """Run the block with ``torch.set_num_threads(1)``, restoring the previous setting afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
