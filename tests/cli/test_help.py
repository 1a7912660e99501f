"""``--help`` of every command reads as plain text: no reST roles or inline-literal markup from the docstrings."""

from __future__ import annotations

import pytest

from impl.cli.errors import plain
from impl.cli.main import main
from tests.cli.test_fuzz import COMMANDS


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_has_no_rest_markup(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*command.split(), "--help"])
    text = capsys.readouterr().out
    assert exit_.value.code == 0 and text.startswith("usage: tp4 " + command)
    for markup in ("``", ":mod:`", ":func:`", ":class:`", ":data:`", ":meth:`"):
        assert markup not in text, (command, markup)


def test_plain_keeps_the_words() -> None:
    raw = "See :func:`~impl.checks.check_parametrization`, :mod:`impl.models`, ``tp4 check`` and :class:`the budget <impl.checks.Budget>`."
    assert plain(raw) == "See check_parametrization, impl.models, tp4 check and the budget."


def test_a_reader_that_leaves_early_gets_no_traceback() -> None:
    """`tp4 … | head`: the reader closes the pipe; tp4 exits 141 (128 + SIGPIPE) and writes nothing to stderr."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "impl.cli.main", "classify", "mup"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the interpreter has started: its first write meets a closed pipe
    err = proc.stderr.read()
    assert proc.wait(60) == 141 and err == b""


def test_a_broken_pipe_elsewhere_is_an_error_not_a_quiet_exit(monkeypatch: pytest.MonkeyPatch,
                                                              capfd: pytest.CaptureFixture[str]) -> None:
    """Only stdout's reader leaving is quiet: a broken connection inside a command (a dask socket) is an error."""
    from impl.cli import classify

    def broken(args: object) -> int:
        raise BrokenPipeError(32, "Broken pipe (scheduler connection)")

    real = classify.add_parser

    def add_parser(sub: object) -> None:
        real(sub)  # type: ignore[arg-type]
        sub.choices["classify"].set_defaults(func=broken)  # type: ignore[attr-defined]

    monkeypatch.setattr(classify, "add_parser", add_parser)
    with pytest.raises(SystemExit) as exit_:
        main(["classify", "mup"])
    assert exit_.value.code not in (0, 141) and "scheduler connection" in capfd.readouterr().err
