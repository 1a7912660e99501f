"""Entry point of the ``tp4`` console script."""

from __future__ import annotations

import os
import select
import sys
import traceback
from typing import Sequence

from impl.cli import cache, calibrate, calibrate_checks, check, classify, figure4, kernel, limit, model, paper, report, sweep
from impl.cli.errors import EXIT_ERROR, EXIT_INTERRUPTED, OneLineParser, UsageError, fail
from impl.theory import SpecError

__all__ = ["main", "build_parser"]

EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE, what a shell reports for a writer whose reader closed the pipe."""

COMMANDS = (classify, sweep, check, model, calibrate, calibrate_checks, kernel, report, limit, figure4, paper, cache)


def build_parser() -> OneLineParser:
    from impl import __version__

    parser = OneLineParser(
        prog="tp4",
        description="Property-based checks of Tensor Programs IV: does a parametrization scale with width as the theory predicts?",
    )
    parser.add_argument("--version", action="version", version=f"tp4 {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


def _stdout_reader_gone() -> bool:
    """Whether stdout is a pipe whose reader has closed it (poll reports an error on its write end)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(ev & (select.POLLERR | select.POLLHUP) for _, ev in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll() here, or no real stdout: it was the likeliest pipe
        return True


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows here, inside the handlers, not at interpreter exit
        return code
    except (SpecError, UsageError) as err:
        fail(str(err))
    except BrokenPipeError as err:
        if _stdout_reader_gone():  # `tp4 sweep … | head`: say nothing more, as a shell's SIGPIPE would
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
            return EXIT_BROKEN_PIPE
        fail(f"{type(err).__name__}: {err}")  # another pipe or socket (a dask connection): an error like any
    except OSError as err:  # unreachable dask scheduler, unwritable --json path, ...
        fail(f"{type(err).__name__}: {err}")
    except KeyboardInterrupt:
        fail("interrupted (finished work is kept)", EXIT_INTERRUPTED)
    except Exception as err:  # noqa: BLE001 - a failed job or a bug: never mistaken for a verdict (exit 1)
        if type(err).__name__ != "SweepError":
            traceback.print_exc()
        fail(f"could not run ({type(err).__name__}: {err}); finished jobs are cached", EXIT_ERROR)


if __name__ == "__main__":
    sys.exit(main())
