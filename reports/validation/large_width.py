"""Large-width validation of a theorem check's routine (run on a GPU when one is lent).

Re-runs exactly the routine a finite-width theorem check uses (:data:`impl.checks.ROUTINE`: default
inputs, labels ±2, with the check's network seeds) at widths beyond the suite's 64…1024 and prints, per width, the RMS over
seeds of each named quantity at a step, and the local log-log slope between consecutive widths.
It separates a finite-width correction (slopes drifting toward the predicted exponent as n grows)
from a real disagreement (slopes staying off).

    python reports/validation/large_width.py up:1/4 --depth 2 --quantity Wout0_delta_x --step 2 \
        --widths 256,1024,4096,16384 --seeds 16 --device cuda
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np

from impl.checks import ROUTINE, network_seeds
from impl.simulation import simulate
from impl.theory import parse_spec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("spec")
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--quantity", action="append", required=True)
    ap.add_argument("--step", type=int, default=2)
    ap.add_argument("--widths", default="256,1024,4096,16384")
    ap.add_argument("--seeds", type=int, default=16)
    ap.add_argument("--phi", default="tanh")
    ap.add_argument("--lr", type=float, default=1.0)
    ap.add_argument("--data-seed", type=int, default=0)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--dtype", default="float64")
    ap.add_argument("--chunk", type=int, default=4)
    args = ap.parse_args()
    p = parse_spec(args.spec, args.depth)
    routine = replace(ROUTINE, phi=args.phi, lr=args.lr, data_seed=args.data_seed, steps=max(args.step, ROUTINE.steps))
    seeds = network_seeds(p, routine, args.seeds)  # the check's seeds (device and dtype are not part of them)
    config = replace(routine, device=args.device, dtype=args.dtype)
    widths = [int(w) for w in args.widths.split(",")]
    sizes = {q: [] for q in args.quantity}
    print(f"{p} {routine} step {args.step}, {args.seeds} seeds, {args.device} {args.dtype}")
    for n in widths:
        rec = simulate(p, config, n, seeds, seed_chunk=args.chunk)
        for q in args.quantity:
            vals = np.asarray(rec.values[q][args.step])
            sizes[q].append(float(np.sqrt(np.mean(vals ** 2))))
        print(f"n={n}: " + ", ".join(f"{q}={sizes[q][-1]:.5g}" for q in args.quantity), flush=True)
    for q in args.quantity:
        s = np.log2(sizes[q])
        slopes = np.diff(s) / np.diff(np.log2(widths))
        print(f"{q}: local slopes " + ", ".join(f"{a}->{b}: {v:+.3f}" for a, b, v in zip(widths, widths[1:], slopes)))


if __name__ == "__main__":
    main()
