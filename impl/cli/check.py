"""``tp4 check SPEC``: every applicable theorem check, on finite networks, for one parametrization.

Calls :func:`impl.checks.check_parametrization` in-process and prints, per statement and φ, what the
theory says and the verdict — agree, disagree, undecided (with the reason and the claims' table) or
n/a. ``--against SPEC2`` judges SPEC's networks against SPEC2's predictions ("does mine behave like
µP?"); ``--expect SPEC2`` also asserts that SPEC *is* SPEC2 modulo Eq. (5). Exit code 0 when every
applicable claim agrees, 1 when one disagrees, 3 when none disagrees but one is still undecided after
every retry, 2 for bad input. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from impl.cli.common import (
    add_executor_args,
    cache_from_args,
    check_output_path,
    depth_arg,
    executor_from_args,
    write_json,
)
from impl.cli.errors import UsageError, plain

if TYPE_CHECKING:
    from impl.checks import CheckResult

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("check", help="run every applicable theorem check for one parametrization", description=plain(__doc__))
    ap.add_argument("spec", help="preset, 'a=...;b=...;c=...', or a .json/.toml file")
    ap.add_argument("--depth", type=depth_arg, default=None, help="L, hidden layers (presets; default 2)")
    ap.add_argument("--phi", default="tanh",
                    help="φ of Assumption 3.1: tanh (default), sigma-gelu[:σ] (or sigma_gelu), or both")
    ap.add_argument("--profile", choices=("dev", "ci", "nightly"), default=None,
                    help="evidence budget (default: ci when CI is set, else dev)")
    target = ap.add_mutually_exclusive_group()
    target.add_argument("--against", metavar="SPEC2", default=None,
                        help="judge SPEC's networks against SPEC2's predictions")
    target.add_argument("--expect", metavar="SPEC2", default=None,
                        help="assert SPEC is SPEC2 modulo Eq. (5), e.g. --expect mup")
    ap.add_argument("--statement", action="append", default=None, metavar="KEY",
                    help="only this statement (repeatable): stability, nontriviality, regime, f0, maximal_updates, "
                         "layerwise_feature_learning, uniform, max_lr")
    ap.add_argument("--json", metavar="PATH", default=None, help="write the verdicts as JSON")
    add_executor_args(ap)
    ap.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from impl.theory import parse_spec

    p = parse_spec(args.spec, args.depth)  # the specs and the output path first: a typo fails before torch loads
    other = args.against or args.expect
    q = parse_spec(other, p.depth) if other else None
    check_output_path(args.json)
    from impl.checks import STATEMENTS, Sweeps, check_parametrization, default_profile
    from impl.checks.parametrization import phis_of
    from impl.measurement.report import jsonable

    try:
        phis = phis_of(args.phi)
    except ValueError as err:
        raise UsageError(f"--phi: {err}") from None
    unknown = [k for k in args.statement or () if k not in STATEMENTS]
    if unknown:
        raise UsageError(f"--statement {unknown[0]!r}: choose from {', '.join(STATEMENTS)}")
    label = p.name or p.spec()
    judged = f", judged against {q.name or q.spec()}" if q is not None else ""
    profile = args.profile or default_profile()
    print(f"checking {label} (L = {p.depth}{judged}) with profile {profile} ...", file=sys.stderr)
    started = time.perf_counter()

    def progress(r: "CheckResult") -> None:
        print(f"  {r.title} [{r.phi}]: {r.verdict}  ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)

    with executor_from_args(args, threads=True) as executor:
        sweeps = Sweeps(cache_dir=cache_from_args(args), executor=executor,
                        progress=not args.no_progress and sys.stderr.isatty())
        result = check_parametrization(p, phi=phis, profile=profile, against=args.against and q,
                                       expect=args.expect and q, statements=args.statement, sweeps=sweeps, log=progress)
    print(result)
    if args.json:
        doc = {"spec": result.spec, "name": result.name, "depth": result.depth, "profile": result.profile,
               "claimed": result.claimed, "verdict": result.verdict, "exit_code": result.exit_code,
               "counts": result.counts(), "expectation": result.expectation,
               "checks": [{k: getattr(r, k) for k in ("statement", "title", "phi", "says", "verdict", "reason",
                                                      "claims", "attempts", "decisions")} for r in result.results]}
        write_json(args.json, jsonable(doc), indent=2)
    return result.exit_code
