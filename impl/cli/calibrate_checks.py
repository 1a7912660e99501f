"""``tp4 calibrate-checks``: false-alarm rate and power of every finite-width theorem check.

Runs each calibration case of ``theorem_checks/calibration.py`` (a statement's check, as the suite
calls it, on a fixed parametrization) under ``--runs`` independent routines, judging each run
against the correct theory and against theories off by ±1/4, ±1/2 or with flipped behaviours, and
prints a Markdown table per statement. Every finished run is appended to ``--log`` at once, so an
interrupted calibration resumes where it stopped. Needs a source checkout (it runs the suite's code).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from impl.cli.common import check_output_path, positive_int, write_json
from impl.cli.errors import UsageError

__all__ = ["add_parser", "run"]

ROOT = Path(__file__).resolve().parents[2]
PROFILES = ("dev", "ci", "nightly")


def add_parser(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("calibrate-checks", help="false-alarm rate and power of each theorem check", description=__doc__)
    ap.add_argument("--runs", type=positive_int, default=20, help="independent routines per case (default 20)")
    ap.add_argument("--profile", choices=PROFILES, default="ci", help="budget of the checks (default ci)")
    ap.add_argument("--statement", action="append", default=None, help="only this statement (repeatable)")
    ap.add_argument("--log", default=".tp4-cache/check-calibration.jsonl", help="JSON-lines log (resumable)")
    ap.add_argument("--json", metavar="PATH", default=None, help="write the rates as JSON")
    ap.add_argument("-j", "--jobs", type=positive_int, default=1, help="worker processes")
    ap.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_output_path(args.json)
    if not (ROOT / "theorem_checks" / "calibration.py").exists():
        raise UsageError(f"calibrate-checks needs a source checkout (no theorem_checks/ in {ROOT})")
    os.environ["HYPOTHESIS_PROFILE"] = args.profile  # the checks read their budget at import
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from theorem_checks.calibration import CASES, calibrate, format_table, summarize

    known = {c.statement for c in CASES}
    unknown = [s for s in args.statement or () if s not in known]
    if unknown:
        raise UsageError(f"unknown statement {unknown[0]!r} (choose from {', '.join(sorted(known))})")
    log = Path(args.log)
    if log.exists() and log.is_dir():
        raise UsageError(f"--log {log} is a directory")

    def progress(rec: dict[str, object]) -> None:
        print(f"{rec['statement']} / {rec['case']} run {rec['run']}: {rec['outcomes']}", file=sys.stderr, flush=True)

    records = calibrate(args.runs, log, jobs=args.jobs, statements=args.statement, progress=progress)
    rates = summarize(records)
    print(f"{len(records)} case runs ({args.runs} per case, profile {args.profile}); log: {log}")
    print(format_table(rates))
    if args.json:
        write_json(args.json, [{"statement": r.statement, "perturbation": r.perturbation, "counts": r.counts}
                               for r in rates], indent=2)
    return 0
