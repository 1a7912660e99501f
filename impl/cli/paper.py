"""``tp4 paper maml|word2vec [--profile quick|nightly] [--json PATH] [--plot PATH.png] [-j N | --dask ADDRESS]``.

The paper's experiments in miniature (Sections 9.2–9.3, App. D): finite µP widths, the µP limit and
kernel baselines on data shipped inside packages — scikit-learn's 8×8 digits and a synthetic task
family for first-order MAML (Table 2's pattern), gensim's Wikipedia excerpt and the Google analogy
questions for Word2Vec (Table 3's pattern). Prints the Table 2/3-style tables (mean ± sd over seeds),
draws accuracy against log₂ width with the limit and kernel lines, and writes the tables as JSON.
Every (setting, model, seed) job is cached as soon as it ends, so an interrupted run resumes.
``tp4 paper EXPERIMENT --help`` describes one experiment and its options.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import NamedTuple

from impl.cli.common import add_executor_args, cache_from_args, check_output_path, executor_from_args, write_json
from impl.cli.errors import OneLineParser, UsageError, plain
from impl.experiments.runner import EXPERIMENTS, run_experiment

__all__ = ["add_parser", "run", "DESCRIPTIONS"]


class Description(NamedTuple):
    """An experiment's one-line ``summary`` (in ``tp4 paper --help``), its ``text`` (its own ``--help``; reST
    inline markup allowed, :func:`plain` drops it) and what ``--profile`` chooses between (``profiles``)."""

    summary: str
    text: str
    profiles: str


DESCRIPTIONS: dict[str, Description] = {
    "maml": Description(
        "first-order MAML, 5-way 1-shot, on digits and a synthetic family (Table 2)",
        """``tp4 paper maml [--profile quick|nightly] [--setting S …] [--json PATH] [--plot PATH.png] [-j N | --dask ADDRESS]``.

Table 2 of the paper (Section 9.2, App. D.1) in miniature: first-order MAML, 5-way 1-shot (task batch 32,
1 adaptation step at meta-train, 20 at meta-test), run with µP linear networks of finite widths, with their
µP limit (Algorithm 3: the same training from the identity in width d + d_o) and with fixed-feature kernel
baselines (linear GP/NTK, relu NNGP and relu NTK). Three settings (--setting, repeatable; default all):
scikit-learn's 8×8 digits split by images (digits-images) or by classes (digits-classes), and a synthetic
task family (synthetic). Prints one Table 2-style table per setting — meta-test accuracy in %, mean ± sd
over seeds, one column per width, then the µP limit and the kernels — draws accuracy against log₂ width with
the limit and kernel lines (--plot, default paper-maml.png) and writes the tables as JSON (--json). Needs the
paper extra (scikit-learn): pip install 'tp4[paper]'.
""",
        "quick (default): widths 2..1024, 3 seeds, 1000 meta-steps; nightly: widths 2..8192, 5 seeds, 10000 meta-steps"),
    "word2vec": Description(
        "CBOW with negative sampling on a Wikipedia excerpt, judged on analogies (Table 3)",
        """``tp4 paper word2vec [--profile quick|nightly] [--json PATH] [--plot PATH.png] [-j N | --dask ADDRESS]``.

Table 3 of the paper (Section 9.3, App. D.2) in miniature: Word2Vec's CBOW with negative sampling, trained
on gensim's shortened Wikipedia excerpt at finite µP widths, as its µP limit (the same training in width
2|V| from Algorithm 3's one-hot initialisation) and as the NTK/GP baseline (random embeddings, which never
move in that limit), and judged by 3CosAdd on the Google analogy questions whose four words are in the
top-K vocabulary. Prints one Table 3-style table — analogy accuracy in %, mean ± sd over seeds, per width,
then the µP limit and the baseline — draws accuracy against log₂ width (--plot, default
paper-word2vec.png) and writes the table as JSON (--json). Needs the paper extra (gensim's test data):
pip install 'tp4[paper]'.
""",
        "quick (default): top 1000 words, 2 epochs, widths 16..1024, 3 seeds; nightly: top 2000 words, 15 epochs, "
        "widths 64..4096, 3 seeds"),
}
"""What each of :data:`impl.experiments.runner.EXPERIMENTS` runs and prints (static text: ``--help`` must not import
the experiments; ``tests/cli/test_paper_cli.py`` checks the profile numbers against the experiments' profiles)."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("paper", help="the paper's MAML and Word2Vec experiments in miniature (Tables 2, 3)",
                        description=plain(__doc__), formatter_class=argparse.RawDescriptionHelpFormatter)
    experiments = ap.add_subparsers(dest="experiment", required=True, metavar="EXPERIMENT", parser_class=OneLineParser)
    for name in EXPERIMENTS:
        what = DESCRIPTIONS[name]
        ep = experiments.add_parser(name, help=what.summary, description=plain(what.text),
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
        ep.add_argument("--profile", choices=("quick", "nightly"), default="quick", help=what.profiles)
        if name == "maml":
            ep.add_argument("--setting", action="append", default=None,
                            help="digits-images, digits-classes or synthetic (repeatable; default all)")
        ep.add_argument("--json", metavar="PATH", default=None, help="write the tables as JSON ('-': stdout)")
        ep.add_argument("--plot", metavar="PATH.png", default=None, help=f"accuracy against width (default paper-{name}.png)")
        add_executor_args(ep)
        ep.set_defaults(func=run, setting=None)


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
