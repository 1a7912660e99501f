"""What a computation must hold in memory, known before it starts (a refusal beats an allocation failure).

The engine (:mod:`impl.simulation.engine`) keeps, per seed of a job, the L − 1 hidden matrices W₀ˡ (n × n; their
updates are stored in factored form, never as n × n) and the input and readout weights (n × d, d_o × n). That
is a lower bound on the job's peak (:func:`job_bytes`): activations, probes and the recording add O(n) per seed
and layer on top, which :func:`run_bytes` counts as well. So a job whose lower bound exceeds the memory the
machine has available cannot run, and saying so up front — naming the width, depth, seeds, dtype and both
numbers — replaces a 38-line allocation traceback. README ("Speed and memory") measures the bound against the
peak RSS: width 2¹⁵, L = 3, one float32 seed needs 8 GiB of hidden weights and peaked at 8.6 GiB.

:class:`Need` is the one form every estimate takes (here and in :mod:`impl.limits.memory`): bytes at the peak,
what is computed with its sizes, the part that dominates and which sizes lower it; :meth:`Need.shortfall` is the
one-line refusal.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from impl.simulation.routine import Routine

__all__ = ["Need", "CHUNK_SQUARE_BYTES", "chunk_seeds", "job_bytes", "run_bytes", "available_bytes", "format_bytes", "memory_shortfall", "ITEMSIZE"]

ITEMSIZE = {"float32": 4, "float64": 8}

ACTIVATION_COPIES = 13
"""Copies of each hidden layer's (batch + probes) × n activations a seed holds at the engine's peak (h, x, φ′,
their changes from t = 0, the backward vectors …); with :data:`WORK_BYTES` measured, not derived: the peak RSS of
depth-1 runs above the RSS they start from (VmHWM after resetting it; the increase of ``ru_maxrss`` used first
misses whatever the imports had peaked at), 2 seeds, float64, P = 8: 940, 1045 and 752 bytes per unit and seed at
widths 10⁵, 3·10⁵ and 10⁶ (the allocator's behaviour changes with size); modelled 1032, so the estimate errs high
(0.99–1.37×), never more than 1 % low."""
WORK_BYTES = 64
"""float64 work vectors of the recording (overflow-safe RMS sizes) per unit, seed and hidden layer (measured)."""


@dataclass(frozen=True)
class Need:
    """``bytes`` a computation holds at its peak; ``what`` it computes (with the sizes that matter), ``part``, the
    arrays that dominate, and ``hint``, which sizes lower it — the words of :meth:`shortfall`."""

    bytes: int
    what: str
    part: str
    hint: str

    def plus(self, extra: int) -> "Need":
        """The same need with ``extra`` bytes held beside it (results kept, the data)."""
        return Need(self.bytes + int(extra), self.what, self.part, self.hint)

    def shortfall(self, available: int | None = None) -> str | None:
        """Why it cannot run here (one line naming both numbers), or None when it fits or the machine's memory
        is unknown; ``available`` overrides :func:`available_bytes`."""
        have = available_bytes() if available is None else available
        if have is None or self.bytes <= have:
            return None
        return (f"{self.what} needs at least {format_bytes(self.bytes)} for {self.part}; this machine has "
                f"{format_bytes(have)} available ({self.hint})")


CHUNK_SQUARE_BYTES = 32 * 2**20
"""The n×n weights one engine chunk holds by default (:func:`chunk_seeds`): about this machine's L3 cache. Measured
here (µP, L = 3, tanh, T = 3, B = 32, one thread, ms per seed, chunks of 1 / 2 / 4 / all seeds): float32 n = 4096
620 / 635 / 674 / 679, n = 2048 171 / 171 / 189 / 184, n = 1024 60 / 57 / 58 / 64 (8 seeds), n = 512
29 / 27 / 24 / 26; float64 n = 1024 99 / 96 / 102 / 103. Wide seeds gain from running alone in a reused
buffer, narrow ones from running together."""


def chunk_seeds(depth: int, width: int, dtype: str, decoupled: bool = False) -> int:
    """Seeds per engine chunk when none is given: as many as keep the chunk's n×n weights within
    :data:`CHUNK_SQUARE_BYTES`, at least one (every seed at once without an n×n weight)."""
    per_seed = (int(depth) - 1) * (2 if decoupled else 1) * int(width) ** 2 * ITEMSIZE[dtype]
    return max(1, CHUNK_SQUARE_BYTES // per_seed) if per_seed else 1 << 30


def job_bytes(width: int, depth: int, seeds: int, dtype: str, input_dim: int, output_dim: int) -> int:
    """The lower bound above: seeds · ((L − 1)·n² + n·(d + d_o)) entries of ``dtype``."""
    n = int(width)
    return int(seeds) * ((int(depth) - 1) * n * n + n * (int(input_dim) + int(output_dim))) * ITEMSIZE[dtype]


def run_bytes(depth: int, routine: "Routine", width: int, seeds: int) -> int:
    """The peak of ``seeds`` networks of width n and depth L trained together by ``routine`` (one engine
    chunk), as the engine allocates it. Per seed, entries of the routine's dtype: the hidden W₀ˡ, (L − 1)·n², twice
    that with decoupled backprop (the iid copies Mˡ); their low-rank updates, 2·(L − 1)·T·B·n; W¹, W^{L+1} and their
    updates, 2·n·(d + d_o); the activations, :data:`ACTIVATION_COPIES`·L·n·(B + P); plus :data:`WORK_BYTES`·L·n
    bytes of float64 work. Once per chunk: the float32 n×n buffer the hidden matrices are drawn through unless
    they are float32 on the CPU (the CPU is assumed: a GPU run's weights are in device memory)."""
    r, n, L = routine, int(width), int(depth)
    item = ITEMSIZE[r.dtype]
    hidden = (L - 1) * n * n * (2 if r.decoupled else 1) + 2 * (L - 1) * r.steps * r.batch * n
    entries = hidden + 2 * n * (r.input_dim + r.output_dim) + ACTIVATION_COPIES * L * n * (r.batch + r.probes)
    scratch = n * n * 4 if L >= 2 and r.dtype != "float32" else 0
    return int(seeds) * (entries * item + WORK_BYTES * L * n) + scratch


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
                     output_dim: int, available: int | None = None, slots: int = 1) -> str | None:
    """Why the widest jobs cannot fit (one line), or None when they can or the machine's memory is unknown.

    ``seeds`` of the width are split over ``slots`` jobs running at once, and each job runs its seeds in engine
    chunks of :func:`chunk_seeds`, so min(seeds, slots · min(⌈seeds / slots⌉, chunk)) seeds' weights are held."""
    n, s, k = max(widths), int(seeds), max(1, int(slots))
    held = min(s, k * min(-(-s // k), chunk_seeds(depth, n, dtype)))
    need = Need(job_bytes(n, depth, held, dtype, input_dim, output_dim),
                f"width {n}, L = {depth}, {held} of {s} seeds held at once, {dtype}", "the weights",
                "fewer seeds at once (-j 1), a smaller width or float32 lower it")
    return need.shortfall(available)
