"""``tp4 calibrate``: measure the false-alarm rate and power of the exponent decisions on real sweeps.

Sweeps stable presets (whose predictions are correct) at several depths and independent data seeds
with the default sweep settings, then decides every predicted quantity against the correct
exponent and against exponents off by ±1/4 and ±1/2, for each margin δ asked for.
"""

from __future__ import annotations

import argparse
import sys

from impl.cli.common import (
    MAX_DEPTH, add_executor_args, add_training_args, check_memory, check_output_path, positive_int, routine_from_args, sweeper,
    write_json,
)
from impl.cli.errors import UsageError, plain
from impl.theory import classify, parse_spec

__all__ = ["add_parser", "run"]


def _floats(text: str) -> tuple[float, ...]:
    try:
        vals = tuple(float(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of numbers") from None
    if not vals or any(not 0 < v < 1 for v in vals):
        raise argparse.ArgumentTypeError(f"{text!r}: margins must lie in (0, 1)")
    return vals


def add_parser(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("calibrate", help="false-alarm rate and power of exponent decisions", description=plain(__doc__))
    ap.add_argument("--presets", default="mup,ntp,sp-lr1n,up:1/4", help="stable specs to sweep (comma-separated)")
    ap.add_argument("--depths", default="1,2,3", help="depths (comma-separated)")
    ap.add_argument("--data-seeds", type=positive_int, default=4, help="independent training routines per case")
    ap.add_argument("--margins", type=_floats, default=(0.1, 0.15, 0.2), help="margins δ to evaluate")
    ap.add_argument("--json", metavar="PATH", default=None, help="write the counts as JSON")
    add_training_args(ap, seeds=8, steps=3)
    add_executor_args(ap)
    ap.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from impl.measurement import analyze
    from impl.measurement.margin_calibration import format_rates, margin_rates

    check_output_path(args.json)
    try:
        depths = [int(d) for d in args.depths.split(",")]
    except ValueError:
        raise UsageError(f"--depths {args.depths!r} is not a comma-separated list of integers") from None
    specs = [parse_spec(s, d) for s in args.presets.split(",") for d in depths if not (s.strip() == "mfp" and d != 1)]
    unstable = [p for p in specs if not classify(p).stable]
    if unstable:
        raise UsageError(f"calibration needs stable parametrizations; {unstable[0]} is not")
    if any(not 1 <= d <= MAX_DEPTH for d in depths):
        raise UsageError(f"--depths {args.depths}: each L must lie in 1..{MAX_DEPTH}")
    check_memory(args, max(p.depth for p in specs), routine_from_args(args))
    analyses = []
    with sweeper(args) as sweep:
        for p in specs:
            for k in range(args.data_seeds):
                config = routine_from_args(args, data_seed=args.data_seed + k)
                analyses.append(analyze(sweep(p, config), p))
                print(f"swept {p.name} L={p.depth} data_seed={config.data_seed}", file=sys.stderr)
    tables = {m: margin_rates(analyses, m) for m in args.margins}
    print(f"{len(analyses)} sweeps: {args.presets} at depths {args.depths}, {args.data_seeds} data seeds, "
          f"widths {','.join(map(str, args.widths))}, {args.seeds} seeds, {args.steps} steps, phi={args.phi}")
    for rows in tables.values():
        print(format_rates(rows))
    if args.json:
        doc = {str(m): [{"offset": str(r.offset), "counts": r.counts} for r in rows] for m, rows in tables.items()}
        write_json(args.json, doc, indent=2)
    return 0


