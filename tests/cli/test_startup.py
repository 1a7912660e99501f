"""Start-up stays light: the CLI's parser, ``--help`` and ``tp4 classify`` import none of the heavy libraries.

Import *time* is a benchmark (``tests/benchmarks/bench_startup.py``, in ``make bench``), not an assertion here;
what keeps it low, and is deterministic, is which modules get imported. Each case runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "scipy", "torch", "matplotlib", "dask", "sklearn", "gensim", "hypothesis", "pytest")

PROBE = """
import contextlib, io, json, sys
from impl.cli.main import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(json.dumps(sorted(m for m in {heavy} if m in sys.modules)))
"""


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["classify", "mup"], ["classify", "a=0,1/2;b=0,0;c=0", "--json"],
                                  ["check", "nonsense"], ["sweep", "mup", "--widths", "0"], ["model", "--help"]])
def test_cli_start_up_imports_nothing_heavy(argv: list[str]) -> None:
    code = PROBE.format(heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [], (argv, out.stdout, out.stderr)
