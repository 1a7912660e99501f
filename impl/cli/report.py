"""``tp4 report``: the width-scaling report — sweeps, theorem verdicts, figures, and what changed.

Runs the profile's suite (SP, SP with LR 1/n, NTP, MFP (L = 1), µP and UP_{1/4} at depths 1–3)
plus any ``--spec``, decides every statement of the paper per parametrization, and writes DIR
(default ``reports/latest``): ``report.json``, ``report.html``, ``report.md`` and PNG figures,
atomically. Exit code 0 when every verdict agrees (or does not apply), 1 when a verdict disagrees
with the theory, regressed against ``--baseline`` or an exponent drifted, 3 when none of that
happened but a verdict is still undecided after every retry, 2 for bad input, 70 when a job failed,
130 when interrupted (finished jobs stay in the cache; a rerun resumes).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from impl.cli.common import add_executor_args, cache_from_args, check_output_dir, depth_arg, executor_from_args
from impl.cli.errors import EXIT_ERROR, UsageError, fail, plain
from impl.theory import parse_spec

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("report", help="run the width-scaling report (HTML, Markdown, JSON, figures)",
                        description=plain(__doc__))
    ap.add_argument("--profile", choices=("quick", "nightly", "tiny"), default="quick",
                    help="quick (default, minutes on 2 cores), nightly (more widths and seeds), tiny (tests, example)")
    ap.add_argument("--spec", action="append", default=[], metavar="SPEC",
                    help="an extra parametrization: preset, 'a=...;b=...;c=...' or .json/.toml (repeatable)")
    ap.add_argument("--depth", type=depth_arg, default=None, help="L for preset --spec values (default 2)")
    ap.add_argument("--no-presets", action="store_true", help="only the --spec parametrizations")
    ap.add_argument("--out", metavar="DIR", default="reports/latest", help="report directory (default reports/latest)")
    ap.add_argument("--baseline", metavar="DIR", default=None, help="an earlier report to compare with")
    ap.add_argument("--device", default="cpu", help="cpu (default) or cuda[:k]")
    add_executor_args(ap)
    ap.set_defaults(func=run)


def _validated(args: argparse.Namespace) -> tuple[list[Any], Any]:
    """Parse the specs, the output directory, the device and the baseline before any work."""
    specs = [parse_spec(text, args.depth) for text in args.spec]
    if args.no_presets and not specs:
        raise UsageError("--no-presets needs at least one --spec")
    out = Path(args.out).absolute()
    check_output_dir(args.out, "--out", replaced=True)  # the report is built in a sibling temporary directory
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"--out {args.out}: cannot create {out.parent}: {err.strerror}") from None
    from impl.simulation import Routine

    try:
        Routine(device=args.device)
    except ValueError as err:
        raise UsageError(f"--device: {err}") from None
    baseline = None
    if args.baseline:
        from impl.reporting.baseline import load_baseline

        try:
            baseline = load_baseline(args.baseline)
        except ValueError as err:
            raise UsageError(str(err)) from None
    return specs, baseline


def _cpu_seconds() -> float:
    """CPU time of this process and its reaped children (pool workers under a forkserver are not counted)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _matrix_text(report: Any) -> str:
    from impl.reporting.results import TITLES, VERDICT_STYLE

    width = max([len("parametrization")] + [len(s.label) for s in report.specs])
    heads = [TITLES[k].split(" ", 2)[-1][:12] for k in TITLES]
    lines = [f"{'parametrization':<{width}}  " + "  ".join(f"{h:<12}" for h in heads)]
    for s in report.specs:
        verdicts = s.verdicts()
        cells = [f"{VERDICT_STYLE[verdicts[k]][1]} {verdicts[k]}" for k in TITLES]
        lines.append(f"{s.label:<{width}}  " + "  ".join(f"{c:<12}" for c in cells))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    specs, baseline = _validated(args)
    from impl.measurement import SweepError
    from impl.reporting import baseline as compare_mod
    from impl.reporting import collect, profiles, render

    profile = profiles.PROFILES[args.profile]
    started, cpu0 = time.perf_counter(), _cpu_seconds()

    def log(line: str) -> None:
        print(f"{line}  [{time.perf_counter() - started:.0f} s]", file=sys.stderr, flush=True)

    try:
        with executor_from_args(args, threads=True) as executor:
            report = collect.collect_report(
                profile, specs, device=args.device, executor=executor, cache_dir=cache_from_args(args),
                progress=not args.no_progress and sys.stderr.isatty(), presets=not args.no_presets, log=log)
    except SweepError as err:
        fail(f"a job failed (finished jobs are cached): {err}", EXIT_ERROR)
    in_process = not args.dask and (args.jobs or 1) == 1  # pool and dask workers' CPU time is not visible here
    report = replace(report, timing={"wall_s": round(time.perf_counter() - started, 2),
                                      "cpu_s": round(_cpu_seconds() - cpu0, 2) if in_process else None,
                                      "workers": 0 if args.dask else args.jobs or 1})
    try:
        comparison = compare_mod.compare(baseline, report.to_dict(), args.baseline) if baseline is not None else None
    except (KeyError, TypeError, AttributeError) as err:  # a hand-edited or truncated baseline
        raise UsageError(f"--baseline {args.baseline}: malformed report.json ({type(err).__name__}: {err})") from None
    out = render.write_report(report, args.out, comparison)
    status = render.exit_status(report, comparison)
    print(_matrix_text(report))
    print(render.headline(report, comparison))
    print(f"open file://{os.path.abspath(out / 'report.html')}", file=sys.stderr)
    return int(status["exit_code"])
