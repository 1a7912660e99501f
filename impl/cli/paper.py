"""``tp4 paper maml|word2vec [--profile quick|nightly] [--json PATH] [--plot PATH.png] [-j N | --dask ADDRESS]``.

The paper's experiments in miniature (Sections 9.2–9.3, App. D): finite µP widths, the µP limit and
kernel baselines on data shipped inside packages — scikit-learn's 8×8 digits and a synthetic task
family for first-order MAML (Table 2's pattern), gensim's Wikipedia excerpt and the Google analogy
questions for Word2Vec (Table 3's pattern). Prints the Table 2/3-style tables (mean ± sd over seeds),
draws accuracy against log₂ width with the limit and kernel lines, and writes the tables as JSON.
Every (setting, model, seed) job is cached as soon as it ends, so an interrupted run resumes.
"""

from __future__ import annotations

import argparse
import sys
import time

from impl.cli.common import add_executor_args, cache_from_args, check_output_path, executor_from_args, write_json
from impl.cli.errors import UsageError, plain
from impl.experiments.runner import EXPERIMENTS, run_experiment

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("paper", help="the paper's MAML and Word2Vec experiments in miniature (Tables 2, 3)",
                        description=plain(__doc__), formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("experiment", choices=EXPERIMENTS,
                    help="maml: first-order MAML, 5-way 1-shot, on digits and a synthetic family (Table 2); "
                         "word2vec: CBOW with negative sampling on a Wikipedia excerpt, judged on analogies (Table 3)")
    ap.add_argument("--profile", choices=("quick", "nightly"), default="quick", help="how much to run (default quick)")
    ap.add_argument("--setting", action="append", default=None,
                    help="MAML only: digits-images, digits-classes or synthetic (repeatable; default all)")
    ap.add_argument("--json", metavar="PATH", default=None, help="write the tables as JSON ('-': stdout)")
    ap.add_argument("--plot", metavar="PATH.png", default=None, help="accuracy against width (default paper-<experiment>.png)")
    add_executor_args(ap)
    ap.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    plot = args.plot or f"paper-{args.experiment}.png"
    if not plot.lower().endswith(".png"):
        raise UsageError(f"--plot {plot}: the figure is a PNG; give a path ending in .png")
    check_output_path(plot, "--plot")
    check_output_path(args.json)
    started = time.perf_counter()

    def progress(line: str) -> None:
        if not args.no_progress:
            print(f"[{time.perf_counter() - started:6.1f} s] {line}", file=sys.stderr, flush=True)

    try:
        with executor_from_args(args) as executor:
            tables = run_experiment(args.experiment, args.profile, settings=args.setting,
                                    cache_dir=cache_from_args(args), executor=executor, progress=progress)
    except ValueError as err:  # an unknown setting, missing package data, ...
        raise UsageError(str(err)) from None
    except ImportError as err:  # scikit-learn / gensim are the optional 'paper' extra
        raise UsageError(f"{err}: install the paper extra (pip install 'tp4[paper]')") from None
    from impl.reporting.figures.paper import plot_tables

    plot_tables(tables, plot)
    if args.json is not None:
        write_json(args.json, [t.to_json() for t in tables], indent=2)
    if args.json != "-":
        for t in tables:
            print(t.to_markdown())
        print(f"wrote {plot}" + (f" and {args.json}" if args.json else "") + f" in {time.perf_counter() - started:.0f} s")
    return 0
