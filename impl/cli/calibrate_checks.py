"""``tp4 calibrate-checks``: false-alarm rate, undecided rate and power of every finite-width theorem check.

Runs each calibration case of :mod:`impl.checks.calibration` (a statement's check on a fixed
parametrization) under ``--runs`` independent routines at the chosen profile's budget, judging each run
against the correct theory and against theories off by ±1/4, ±1/2 or with flipped behaviours, and
prints a Markdown table per statement. Every finished run is appended to ``--log`` at once, so an
interrupted calibration resumes where it stopped.

With ``--draws N`` the cases are not the presets but N random draws per statement from the public
strategies (:mod:`impl.strategies.draws`: the statement's regime, depth 1–4, tanh and σ-gelu, random η
and data seed), each run once; the draws are deterministic, so a rerun resumes too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from impl.cli.common import check_output_path, positive_int, write_json
from impl.cli.errors import UsageError, plain

__all__ = ["add_parser", "run"]

PROFILES = ("dev", "ci", "nightly")


def add_parser(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("calibrate-checks", help="false-alarm rate and power of each theorem check", description=plain(__doc__))
    ap.add_argument("--runs", type=positive_int, default=20, help="independent routines per case (default 20)")
    ap.add_argument("--draws", type=positive_int, default=None, metavar="N",
                    help="calibrate on N random draws per statement instead of the preset cases (one run each)")
    ap.add_argument("--profile", choices=PROFILES, default=None,
                    help="budget of the checks (default: ci when CI is set, else dev)")
    ap.add_argument("--statement", action="append", default=None, help="only this statement (repeatable)")
    ap.add_argument("--log", default="check-calibration.jsonl", help="JSON-lines log, resumable (default ./check-calibration.jsonl)")
    ap.add_argument("--json", metavar="PATH", default=None, help="write the rates as JSON")
    ap.add_argument("--cache", metavar="DIR", default=None, help="job cache (default: the platform cache directory, env TP4_CACHE_DIR)")
    ap.add_argument("-j", "--jobs", type=positive_int, default=1, help="worker processes")
    ap.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from impl.checks import default_profile
    from impl.checks.calibration import CASES, calibrate, format_table, summarize
    from impl.measurement import default_cache_dir
    from impl.strategies.draws import POPULATIONS, drawn_cases

    check_output_path(args.json)
    known = set(POPULATIONS) if args.draws else {c.statement for c in CASES}
    unknown = [s for s in args.statement or () if s not in known]
    if unknown:
        raise UsageError(f"unknown statement {unknown[0]!r} (choose from {', '.join(sorted(known))})")
    log = Path(args.log)
    if log.exists() and log.is_dir():
        raise UsageError(f"--log {log} is a directory")
    check_output_path(str(log), "--log")

    def progress(rec: dict[str, object]) -> None:
        print(f"{rec['statement']} / {rec['case']} run {rec['run']}: {rec['outcomes']}", file=sys.stderr, flush=True)

    cache = args.cache or str(default_cache_dir())
    profile = args.profile or default_profile()
    runs, cases = (1, drawn_cases(args.draws, args.statement)) if args.draws else (args.runs, CASES)
    records = calibrate(runs, log, profile=profile, jobs=args.jobs, statements=args.statement,
                        cache_dir=cache, progress=progress, cases=cases)
    rates = summarize(records)
    what = f"{args.draws} random draws per statement" if args.draws else f"{args.runs} per case"
    print(f"{len(records)} case runs ({what}, profile {profile}); log: {log}")
    print(format_table(rates))
    if args.json:
        write_json(args.json, [{"statement": r.statement, "perturbation": r.perturbation, "counts": r.counts}
                               for r in rates], indent=2)
    return 0
