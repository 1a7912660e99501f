"""``tp4 sweep SPEC``: measure every quantity's width exponent and decide it against the theory.

Prints one row per quantity: the step it was fitted at, the measured slope of log size against
log width, its confidence interval (seeds resampled), the theory's claim (an exponent or a behaviour)
and the verdict — agree, disagree or undecided (with its reason); where the theory claims nothing,
the trend the fit shows (grows, vanishes, theta1, bounded, unresolved). Exit code 0 when every claim
agrees, 1 when one disagrees, 3 when none disagrees but one is undecided (a sweep does not retry:
``tp4 check`` does), 2 for bad input.
"""

from __future__ import annotations

import argparse
import math
import time
from typing import TYPE_CHECKING

from impl.cli.common import (
    add_executor_args,
    add_training_args,
    check_memory,
    check_output_path,
    depth_arg,
    positive_int,
    routine_from_args,
    sweeper,
)
from impl.cli.errors import UsageError, plain
from impl.theory import classify, parse_spec

if TYPE_CHECKING:
    from impl.measurement import Analysis

__all__ = ["add_parser", "run", "render"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("sweep", help="measure width exponents of a parametrization", description=plain(__doc__))
    ap.add_argument("spec", help="preset, 'a=...;b=...;c=...', or a .json/.toml file")
    ap.add_argument("--depth", type=depth_arg, default=None, help="L, hidden layers (presets; default 2)")
    add_training_args(ap, seeds=8, steps=3)
    ap.add_argument("--step", type=positive_int, default=None, help="step at which updates are fitted (default: last)")
    ap.add_argument("--margin", type=float, default=None, help="equivalence margin δ (default: calibrated)")
    ap.add_argument("--json", metavar="PATH", default=None, help="write the full report as JSON")
    add_executor_args(ap)
    ap.set_defaults(func=run)


def _fmt(x: float) -> str:
    return "nan" if not math.isfinite(x) else f"{x:+.3f}"


def render(analysis: "Analysis", init_analysis: "Analysis") -> str:
    """One table of every analysed quantity (initialisation quantities at step 0)."""
    from impl.measurement import Trend, Verdict, describe_claim

    rows = [("quantity", "step", "slope", "interval", "theory", "verdict")]
    for part in (init_analysis, analysis):
        for name, q in part.items():
            lo, hi = q.ci
            d = q.decision
            if d.verdict is Verdict.NOT_APPLICABLE:
                verdict = f"({d.trend})"
            else:
                verdict = d.verdict.value + (f" — {d.reason}" if d.verdict is Verdict.UNDECIDED else "")
            if d.blowup is not None and d.verdict is not Verdict.UNDECIDED:
                verdict += f" ({d.blowup.describe()})"
            measured = ("—", "exactly 0") if d.trend is Trend.ZERO else (_fmt(q.slope), f"[{_fmt(lo)}, {_fmt(hi)}]")
            rows.append((name, str(q.step), *measured, describe_claim(d.claim), verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from impl.measurement import analyze, write_report
    from impl.measurement.decision import DEFAULT_MARGIN

    p = parse_spec(args.spec, args.depth)
    check_output_path(args.json)
    config = routine_from_args(args)
    check_memory(args, p.depth, config)
    if args.step is not None and args.step > args.steps:
        raise UsageError(f"--step {args.step} is past the last step {args.steps}")
    margin = DEFAULT_MARGIN if args.margin is None else args.margin
    if not 0 < margin < 1:
        raise UsageError(f"--margin must lie in (0, 1), got {margin}")
    started = time.perf_counter()
    with sweeper(args) as sweep:
        result = sweep(p, config)
    analysis = analyze(result, p, step=args.step, margin=margin)
    init = analyze(result, p, step=0, margin=margin)
    elapsed = time.perf_counter() - started
    c = classify(p)
    print(f"{p.name or p.spec()} (L = {p.depth}, {c.regime.value}, r = {c.r})  phi={args.phi}  "
          f"widths={','.join(map(str, result.widths))}  seeds={len(result.seeds)}  steps={result.steps}  "
          f"margin={margin}  [{elapsed:.1f} s, {result.stats.n_cached}/{result.stats.n_jobs} jobs cached]")
    print(render(analysis, init))
    if args.json:
        write_report(args.json, result, analysis)
    from impl.measurement import EXIT_CODES, Verdict

    return EXIT_CODES[Verdict.combine([q.verdict for part in (init, analysis) for q in part.values()])]
