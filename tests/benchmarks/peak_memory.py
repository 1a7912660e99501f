"""Peak memory of one tp4 simulation at a large width (L = 3, tanh, float32, one seed).

Usage: ``python -m tests.benchmarks.peak_memory 32768`` — prints the width, wall time and the
process's peak resident memory; run each width in a fresh process.
"""

from __future__ import annotations

import resource
import sys
import time

from impl.simulation import Routine, simulate
from impl.theory import mup


def main(width: int) -> int:
    cfg = Routine(phi="tanh", input_dim=16, steps=3, batch=32, probes=32, dtype="float32")
    t0 = time.perf_counter()
    rec = simulate(mup(3), cfg, width, [0])
    dt = time.perf_counter() - t0
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    n2_gib = width * width * 4 / 2**30
    print(f"width {width}: {dt:.1f} s, peak RSS {peak_gib:.2f} GiB (one n×n float32 matrix is {n2_gib:.2f} GiB); "
          f"delta_x3 at t=3: {float(rec.values['delta_x3'][3, 0]):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
