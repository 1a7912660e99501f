"""Whole-process start-up of the ``tp4`` command (pytest-benchmark; issue 16's target: ``tp4 --help`` ≤ 0.3 s).

The installed ``tp4`` console script beside the interpreter, as a user's shell runs it; ``floor`` is the bare
interpreter. Run
with ``make bench``; ``tests/cli/test_startup.py`` asserts the deterministic part (no heavy import).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


TP4 = str(Path(sys.executable).with_name("tp4"))


def _run(*argv: str) -> None:
    subprocess.run(list(argv), check=True, capture_output=True, timeout=60)


@pytest.mark.parametrize("argv", [("--help",), ("classify", "mup")], ids=["help", "classify"])
def test_tp4(benchmark, argv: tuple[str, ...]) -> None:  # noqa: ANN001 - pytest-benchmark fixture
    benchmark.group = f"start-up {argv[0]}"
    benchmark.pedantic(_run, args=(TP4, *argv), rounds=10, iterations=1, warmup_rounds=1)


@pytest.mark.parametrize("argv", [("--help",), ("classify", "mup")], ids=["help", "classify"])
def test_floor(benchmark, argv: tuple[str, ...]) -> None:  # noqa: ANN001
    benchmark.group = f"start-up {argv[0]}"
    benchmark.pedantic(_run, args=(sys.executable, "-c", "pass"), rounds=10, iterations=1, warmup_rounds=1)
