"""Fuzzing every subcommand's arguments: one line and exit 2, or acceptance — never a traceback, never a hang.

Hypothesis draws a command and a list of arguments: that command's own options, each followed by a random
value (text, numbers of every sign and size, paths to directories, files, /proc and missing places, specs good
and bad), and stray tokens. The work a command would start once its input is accepted (a sweep, a check, a
limit, a report, an experiment) is replaced by a stub that raises :class:`Accepted`, so the test exercises exactly
the validation; cheap commands (``classify``, ``kernel``) run for real. Allowed outcomes: ``Accepted``; an exit
status of 0, 1 or 3 from a command that ran; ``--help``/``--version`` (exit 0); and a usage error — exit 2 with
one error line on stderr (``tp4…: error: …``, the last line; a progress line may precede it) and no traceback.
Anything else fails: another exception, exit 70 (a crash reported as "could not run"), a traceback.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impl.cli import main as cli_main
from impl.cli.main import build_parser, main


class Accepted(BaseException):
    """The command got past its input checks and would start its work now."""


def _accept(*_: Any, **__: Any) -> Any:
    raise Accepted


WORK = [  # (module, attribute): where each command hands its validated input to the work
    ("impl.cli.sweep", "sweeper"), ("impl.cli.calibrate", "sweeper"), ("impl.checks", "check_parametrization"),
    ("impl.models", "check_model"), ("impl.checks.calibration", "calibrate"), ("impl.reporting.collect", "collect_report"),
    ("impl.limits.archs", "limit_for"), ("impl.limits.figure4", "figure4_data"), ("impl.cli.paper", "run_experiment"),
]


def _subparsers(parser: argparse.ArgumentParser | None = None, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    """Every (sub)command's parser by its words, nested ones included ("paper maml"): the leaves, which have options."""
    parser = build_parser() if parser is None else parser
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not actions:
        return {prefix.strip(): parser}
    found: dict[str, argparse.ArgumentParser] = {}
    for name, sub in actions[0].choices.items():
        found.update(_subparsers(sub, f"{prefix} {name}"))
    return found


COMMANDS = _subparsers()
OPTIONS = {name: sorted(o for a in p._actions for o in a.option_strings if o not in ("-h", "--help"))
           for name, p in COMMANDS.items()}


def values(tmp: Path) -> st.SearchStrategy[str]:
    paths = [str(tmp), str(tmp / "out.json"), str(tmp / "missing" / "x.json"), "/proc/x.json", "/proc", "/etc/passwd",
             "/etc/passwd/x", "-", "", "examples/mup_mlp.py:build", "nothere.py:f", "impl.theory:parse_spec"]
    specs = ["mup", "ntp", "sp", "mfp", "up:1/4", "up:0.7", "a=0,1/2;b=0,0;c=0", "a=1;b=;c=0", "a=x;b=0;c=0"]
    numbers = st.one_of(st.integers(-10**12, 10**12).map(str), st.floats(allow_nan=True, allow_infinity=True).map(repr),
                        st.sampled_from(["0", "1", "2", "-1", "1e308", "nan", "inf", "64,128", "64,10000000", "0,1", "1/2"]))
    return st.one_of(st.sampled_from(paths + specs), numbers, st.text(max_size=12))


@st.composite
def invocations(draw: st.DrawFn, tmp: Path) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    argv = command.split()
    for _ in range(draw(st.integers(0, 4))):
        if OPTIONS[command] and draw(st.booleans()):
            argv.append(draw(st.sampled_from(OPTIONS[command])))
        argv.append(draw(values(tmp)))
    return argv


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_arguments_give_one_line_and_exit_2_or_are_accepted(data: st.DataObject, scratch: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import importlib

    for module, name in WORK:
        monkeypatch.setattr(importlib.import_module(module), name, _accept)
    monkeypatch.setenv("TP4_CACHE_DIR", str(scratch / "cache"))
    argv = data.draw(invocations(scratch), label="argv")
    capsys.readouterr()
    try:
        code: Any = main(argv)
    except Accepted:
        return
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    if code == 0 and ("--help" in argv or "--version" in argv or "-h" in argv):
        return
    assert "Traceback" not in err, (argv, err[-2000:])
    if code == 2:  # the error is one line, the last; a progress line ("checking X ...") may precede it
        lines = err.strip().splitlines()
        errors = [line for line in lines if line.startswith("tp4")]
        assert len(errors) == 1 and lines[-1] == errors[0], (argv, err)
        return
    assert code in (0, 1, 3), (argv, code, err[-2000:])


def test_the_stubs_sit_where_the_commands_hand_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """A negative control of the harness: with its stub in place, a valid invocation of each kind is Accepted
    (were a stub in the wrong place, the fuzz would run real sweeps or never reach the work)."""
    import importlib

    for module, name in WORK:
        monkeypatch.setattr(importlib.import_module(module), name, _accept)
    for argv in (["sweep", "mup", "--widths", "64,128"], ["check", "mup"], ["model", "examples/mup_mlp.py:build"],
                 ["limit", "mlp1", "--phi", "tanh"], ["calibrate", "--presets", "mup"], ["paper", "maml"]):
        with pytest.raises(Accepted):
            main(argv)
    assert cli_main is not None
