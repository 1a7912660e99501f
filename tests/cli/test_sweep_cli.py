"""``tp4 sweep``: table, JSON report, cache resumption and one-line errors (small widths: fast)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from impl.cli.main import main

SMALL = ["--widths", "32,64,128", "--seeds", "3", "--steps", "2", "--probes", "8", "--no-progress"]


def test_sweep_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mup.json"
    args = ["sweep", "mup", "--depth", "2", *SMALL, "--cache", str(tmp_path / "cache"), "--json", str(out)]
    code = main(args)
    table = capsys.readouterr().out
    assert "delta_W2_x" in table and "verdict" in table
    doc = json.loads(out.read_text())
    assert {"spec", "depth", "widths", "steps", "quantities"} <= set(doc)
    assert doc["widths"] == [32, 64, 128] and doc["depth"] == 2 and doc["steps"] == 2
    q = doc["quantities"]["delta_W1_x"]
    assert {"step", "slope", "ci", "claim", "verdict", "trend", "values"} <= set(q)
    assert q["claim"] == "0" and q["step"] == 2 and len(q["values"]) == 3 and len(q["values"][0]) == 3
    assert doc["quantities"]["f0"]["claim"] == "-1/2"
    verdicts = {q["verdict"] for q in doc["quantities"].values()}
    # the exit code is the judging commands' (3 widths × 3 seeds rarely decide everything: 3 is honest)
    assert code == (1 if "disagree" in verdicts else 3 if "undecided" in verdicts else 0)
    # the second run is served from the cache
    assert main(args) == code
    cached = re.search(r"(\d+)/(\d+) jobs cached", capsys.readouterr().out)  # jobs: widths × seed chunks (threads)
    assert cached is not None and cached.group(1) == cached.group(2) and int(cached.group(2)) >= 3


def test_unstable_sp_has_no_exponent_claims(tmp_path: Path) -> None:
    out = tmp_path / "sp.json"
    assert main(["sweep", "sp", "--depth", "2", *SMALL, "--no-cache", "--json", str(out)]) in (0, 1, 3)
    doc = json.loads(out.read_text())
    assert all(q["claim"] in (None, "grows", "vanishes") for q in doc["quantities"].values())
    assert doc["quantities"]["delta_f"]["claim"] == "grows"


@pytest.mark.parametrize(
    "args",
    [
        ["sweep", "mfp", "--depth", "2"],
        ["sweep", "mup", "--widths", "64"],
        ["sweep", "mup", "--widths", "64,abc"],
        ["sweep", "mup", "--seeds", "0"],
        ["sweep", "mup", "--lr", "-1"],
        ["sweep", "mup", "--steps", "2", "--step", "3"],
        ["sweep", "mup", "--phi", "softsign"],
        ["sweep", "mup", "--margin", "2"],
        ["sweep", "mup", "-j", "2", "--dask", "tcp://127.0.0.1:1"],
    ],
)
def test_bad_sweep_input_is_one_line_exit_2(args: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "impl.cli.main", *args], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["sweep", "mup"], ["calibrate", "mup"], ["model", "examples/mup_mlp.py:build"]])
def test_one_seed_is_refused_before_any_work(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """One seed gives no interval (every row would be [nan, nan], undecided): refused, naming why."""
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--seeds", "1"])
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "at least 2 seeds" in err
