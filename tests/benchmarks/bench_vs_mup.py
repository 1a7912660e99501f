"""Whole-process speed against the µP package's coordinate check (issue 16: target ≥ 2× on 2 cores).

Both sides as a user runs them, each in a fresh interpreter: ``tp4 sweep`` on the grid of issue 16 (µP, L = 3,
tanh, widths 64…4096, 3 steps, 5 seeds, batch 32, float32, no cache; its default executor) and
``python -m tests.benchmarks.mup_coord`` (mup's ``get_coord_data`` on the same grid). tp4 records more (probe
batch, every quantity of the paper, fits with intervals); mup records the l1 size of each module's output.
Skipped when ``mup`` is not installed (``make bench`` installs it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mup")

TP4 = str(Path(sys.executable).with_name("tp4"))
GRID = ["sweep", "mup", "--depth", "3", "--phi", "tanh", "--widths", "64,128,256,512,1024,2048,4096", "--steps", "3",
        "--seeds", "5", "--batch", "32", "--dtype", "float32", "--no-cache", "--no-progress"]


def _run(*argv: str) -> None:
    done = subprocess.run(list(argv), capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1, 3), done.stderr[-2000:]  # a sweep's verdict codes; anything else failed


def test_tp4(benchmark) -> None:  # noqa: ANN001 - pytest-benchmark fixture
    benchmark.group = "vs mup (process)"
    benchmark.pedantic(_run, args=(TP4, *GRID), rounds=3, iterations=1, warmup_rounds=1)


def test_mup(benchmark) -> None:  # noqa: ANN001
    benchmark.group = "vs mup (process)"
    benchmark.pedantic(_run, args=(sys.executable, "-m", "tests.benchmarks.mup_coord"), rounds=3, iterations=1,
                       warmup_rounds=1)
