"""One-line errors and exit codes shared by every ``tp4`` command.

Exit codes of every command that judges (``check``, ``report``, ``sweep``; :data:`impl.measurement.EXIT_CODES`): 0 every
applicable claim agrees, 1 a claim disagrees with the theory, 3 none disagrees but one is still
undecided after every retry (so CI can choose), 2 bad input (one line on stderr, never a traceback),
70 tp4 could not run (a job failed, or a bug: not a verdict; the traceback of a bug is printed),
130 interrupted (finished work is kept).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from typing import NoReturn

__all__ = ["UsageError", "OneLineParser", "EXIT_OK", "EXIT_DISAGREE", "EXIT_USAGE", "EXIT_UNDECIDED", "EXIT_ERROR",
           "EXIT_INTERRUPTED"]

EXIT_OK, EXIT_DISAGREE, EXIT_USAGE, EXIT_UNDECIDED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 3, 70, 130


class UsageError(ValueError):
    """Bad input from the user; its message is printed as one line and the exit code is 2."""


def one_line(text: str) -> str:
    """``text`` on one line: whitespace runs (newlines of a multi-line exception message included) collapsed to one
    space, other control characters (a carriage return typed into an argument) written as escapes."""
    shown = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else ch.encode("unicode_escape").decode("ascii")
                    for ch in str(text))
    return " ".join(shown.split())


_ROLE = re.compile(r":[a-z]+:`~?([^`<]*?)\s*(?:<[^`>]*>)?`")


def plain(doc: str | None) -> str:
    """A module docstring as ``--help`` text: reST roles (:mod:`x`, :func:`~a.b`) and inline literals (``x``) as plain
    words (a ``~`` target keeps its last part, as Sphinx shows it)."""
    def role(m: re.Match[str]) -> str:
        return m.group(1).rsplit(".", 1)[-1] if "`~" in m.group(0) else m.group(1)

    return _ROLE.sub(role, doc or "").replace("``", "")


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (``tp4: error: …``) and exit with code 2."""

    def error(self, message: str) -> NoReturn:
        prog = self.prog.split()[0] if self.prog else "tp4"
        sub = " ".join(self.prog.split()[1:])
        where = f" {sub}" if sub else ""
        self.exit(EXIT_USAGE, f"{prog}{where}: error: {one_line(message)} (see --help)\n")


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``tp4: error: message`` on one line and exit."""
    print(f"tp4: error: {one_line(message)}", file=sys.stderr)
    raise SystemExit(code)
