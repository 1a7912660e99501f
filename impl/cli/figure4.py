"""``tp4 figure4 [--out PATH.png] [--json PATH] [--seeds N] [--widths …] [--steps T] [--eta η[,η]]``.

The paper's Figure 4 (Section 9.1): for φ(x) = x² and φ(x) = x, 1-hidden-layer, 2-hidden-layer decoupled
and 2-hidden-layer µP networks trained on random ±1 data, the infinite-width limit's loss curve against
the mean ± std over seeds of finite networks' loss curves at each width, plus the RMS deviation of fₜ
from the limit against width. Defaults as in the paper (widths 1024, 4096; 100 seeds) with η = 0.01 for
x² and 0.2 for x, T = 5 (larger η makes the x² limits diverge; :mod:`impl.limits.figure4`). The paper's
settings take 5 minutes on 2 cores (measured); ``--widths 256,1024 --seeds 16`` about 5 s. Settings whose
estimated memory (:mod:`impl.limits.memory`) exceeds what this machine has available are refused in one line.
"""

from __future__ import annotations

import argparse
import sys
import time

from impl.cli.common import check_need, check_output_path, positive_float, positive_int, write_json
from impl.cli.errors import UsageError, plain
from impl.cli.limit import width_list

__all__ = ["add_parser", "eta_list", "run"]


def eta_list(text: str) -> tuple[float, ...]:
    """``0.01,0.2`` → (0.01, 0.2): one or two positive numbers (x² and x; one value serves both)."""
    parts = [t for t in text.replace(" ", "").split(",") if t]
    if not 1 <= len(parts) <= 2:
        raise argparse.ArgumentTypeError(f"{text!r}: give one η, or two (for x² and x)")
    return tuple(positive_float(t) for t in parts)


def add_parser(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("figure4", help="the paper's Figure 4: finite-width muP networks against their limits",
                        description=plain(__doc__), formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", metavar="PATH.png", default="figure4.png", help="the figure (default figure4.png)")
    ap.add_argument("--json", metavar="PATH", default=None, help="also write the data as JSON")
    ap.add_argument("--seeds", type=positive_int, default=100, help="finite networks per width (default 100)")
    ap.add_argument("--widths", type=width_list, default=(1024, 4096), help="finite widths (default 1024,4096)")
    ap.add_argument("--steps", type=positive_int, default=5, help="T, SGD steps (default 5)")
    ap.add_argument("--eta", type=eta_list, default=(0.01, 0.2), help="η for x² and x (default 0.01,0.2)")
    ap.add_argument("--data-seed", type=int, default=0, help="seed of the ±1 data (default 0)")
    ap.add_argument("--particles", type=positive_int, default=2**19, help="Monte-Carlo particles of the depth-2 limits")
    ap.add_argument("--no-progress", action="store_true", help="no progress lines on stderr")
    ap.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from impl.limits.figure4 import Figure4Settings, figure4_data
    from impl.limits.memory import figure4_need

    check_output_path(args.out, "--out")
    check_output_path(args.json)
    if not args.out.lower().endswith(".png"):
        raise UsageError(f"--out {args.out}: the figure is a PNG; give a path ending in .png")
    etas = args.eta * 2 if len(args.eta) == 1 else args.eta
    try:
        settings = Figure4Settings(etas=etas, widths=args.widths, seeds=args.seeds, steps=args.steps,
                                   data_seed=args.data_seed, particles=args.particles)
    except ValueError as err:
        raise UsageError(str(err)) from None
    check_need(figure4_need(settings))
    started = time.perf_counter()

    def progress(line: str) -> None:
        if not args.no_progress:
            print(f"[{time.perf_counter() - started:6.1f} s] {line}", file=sys.stderr, flush=True)

    try:
        result = figure4_data(settings, progress)
    except ValueError as err:  # a limit diverged at these settings
        raise UsageError(str(err)) from None
    from impl.reporting.figures.figure4 import plot_figure4

    plot_figure4(result, args.out)
    if args.json is not None:
        write_json(args.json, result.to_json())
    print(f"wrote {args.out}" + (f" and {args.json}" if args.json else "") + f" in {time.perf_counter() - started:.1f} s")
    for p in result.panels:
        devs = ", ".join(f"n={w}: {d:.4f}" for w, d in zip(p.widths, p.deviation_rms))
        print(f"  {p.phi:9s} {p.arch:15s} RMS deviation from the limit {devs}")
    return 0
