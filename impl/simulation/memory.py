"""What one sweep job must hold in memory, known before it starts (a refusal beats an allocation failure).

The engine (:mod:`impl.simulation.engine`) keeps, per seed of a job, the L − 1 hidden matrices W₀ˡ (n × n; their
updates are stored in factored form, never as n × n) and the input and readout weights (n × d, d_o × n). That
is a lower bound on the job's peak: activations, probes and the recording add O(n) per seed and layer on top.
So a job whose lower bound exceeds the memory the machine has available cannot run, and saying so up front —
naming the width, depth, seeds, dtype and both numbers — replaces a 38-line allocation traceback. README
("Speed and memory") measures the bound against the peak RSS: width 2¹⁵, L = 3, one float32 seed needs 8 GiB of
hidden weights and peaked at 8.6 GiB.
"""

from __future__ import annotations

import os

__all__ = ["job_bytes", "available_bytes", "format_bytes", "memory_shortfall"]

ITEMSIZE = {"float32": 4, "float64": 8}


def job_bytes(width: int, depth: int, seeds: int, dtype: str, input_dim: int, output_dim: int) -> int:
    """The lower bound above: seeds · ((L − 1)·n² + n·(d + d_o)) entries of ``dtype``."""
    n = int(width)
    return int(seeds) * ((int(depth) - 1) * n * n + n * (int(input_dim) + int(output_dim))) * ITEMSIZE[dtype]


def available_bytes() -> int | None:
    """MemAvailable of /proc/meminfo (Linux), else the physical memory; None where neither is known."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def format_bytes(b: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if b < 1024 or unit == "PiB":
            return f"{b:.1f} {unit}" if unit != "B" else f"{int(b)} B"
        b /= 1024
    raise AssertionError("unreachable")


def memory_shortfall(widths: list[int] | tuple[int, ...], depth: int, seeds: int, dtype: str, input_dim: int,
                     output_dim: int, available: int | None = None) -> str | None:
    """Why the largest job cannot fit (one line), or None when it can or the machine's memory is unknown."""
    have = available_bytes() if available is None else available
    if have is None:
        return None
    n = max(widths)
    need = job_bytes(n, depth, seeds, dtype, input_dim, output_dim)
    if need <= have:
        return None
    return (f"width {n}, L = {depth}, {seeds} seeds in one job, {dtype} needs at least {format_bytes(need)} for the "
            f"weights; this machine has {format_bytes(have)} available (fewer seeds, a smaller width or float32 "
            f"lower it)")
