"""``tp4 model TARGET``: check your own PyTorch model against the theory.

TARGET is ``path/file.py:function`` or ``package.module:function``; the function takes the width n and
returns ``(model, optimizer)`` or a dict with ``model``, ``optimizer`` and optionally ``loss`` and
``inputs``. tp4 finds the width-scaled layers, infers the abc-parametrization exactly (multipliers, init
stds, per-group learning rates; Eq. (5) per layer), trains the model with its own optimizer at every width
and decides every applicable statement of the paper on it; ``--expect mup`` names each layer, knob and fix
that differ. Models beyond the paper (Adam, attention, normalisation, …) are judged on the µP desiderata,
labelled as such. Exit codes as ``tp4 check``: 0 agree, 1 disagree, 3 undecided, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from impl.cli.common import add_executor_args, cache_from_args, check_output_path, executor_from_args, int_list, positive_int, seed_count, write_json
from impl.cli.errors import UsageError, plain

if TYPE_CHECKING:
    from impl.checks import CheckResult

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("model", help="check your own PyTorch model (TARGET = file.py:function)", description=plain(__doc__))
    ap.add_argument("target", help="path/file.py:function or package.module:function; function(n) -> (model, optimizer)")
    ap.add_argument("--widths", type=int_list, default=None, help="comma-separated widths (default: the profile's, 64..1024)")
    ap.add_argument("--seeds", type=seed_count, default=None, help="network seeds of a first attempt (default: the profile's, 16)")
    ap.add_argument("--steps", type=positive_int, default=None, help="training steps (default 2)")
    ap.add_argument("--expect", metavar="SPEC", default=None, help="the parametrization you believe it is, e.g. mup")
    ap.add_argument("--profile", choices=("dev", "ci", "nightly"), default=None,
                    help="evidence budget (default: ci when CI is set, else dev)")
    ap.add_argument("--statement", action="append", default=None, metavar="KEY",
                    help="only this statement (repeatable): stability, nontriviality, regime, f0, maximal_updates, "
                         "layerwise_feature_learning, uniform")
    ap.add_argument("--json", metavar="PATH", default=None, help="write the result as JSON")
    add_executor_args(ap)
    ap.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from impl.measurement.report import jsonable
    from impl.models import ModelError, check_model

    check_output_path(args.json)
    started = time.perf_counter()
    print(f"checking {args.target} ...", file=sys.stderr)

    def progress(r: "CheckResult") -> None:
        print(f"  {r.title}: {r.verdict}  ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)

    try:
        with executor_from_args(args) as executor:
            result = check_model(args.target, widths=args.widths, seeds=args.seeds, steps=args.steps, expect=args.expect,
                                 profile=args.profile, executor=executor, statements=args.statement, cache_dir=cache_from_args(args) if args.cache else None,
                                 progress=not args.no_progress and sys.stderr.isatty(), log=progress)
    except ModelError as err:
        raise UsageError(str(err)) from None
    print(result)
    if args.json:
        inferred = result.inferred
        doc = {"target": result.target, "profile": result.profile, "verdict": result.verdict, "exit_code": result.exit_code,
               "beyond_the_paper": result.beyond or None,
               "layers": [{"param": l.param, "module": l.module, "role": l.role, "index": l.index} for l in result.layers],
               "inferred": None if inferred is None else {
                   "spec": inferred.parametrization.spec() if inferred.parametrization else None,
                   "layers": [{"layer": k.label, "multiplier_exponent": -k.alpha,
                               "init_std_exponent": None if k.beta is None else -k.beta,
                               "lr_exponent": None if k.gamma is None else -k.gamma, "a": k.a, "b": k.b}
                              for k in inferred.layers]},
               "diagnosis": {"summary": result.diagnosis.summary, "expected": result.diagnosis.expected,
                             "fixes": [str(f) for f in result.diagnosis.fixes]},
               "statements": [{k: getattr(r, k) for k in ("statement", "title", "says", "verdict", "reason", "claims",
                                                          "attempts", "decisions")} for r in result.statements]}
        write_json(args.json, jsonable(doc), indent=2)
    return result.exit_code
