"""``tp4 model``: the user's model from a file target, the report, JSON and the exit codes (0/1/2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
QUICK = ["--widths", "64,128,256,512", "--seeds", "8"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "impl.cli.main", *args], capture_output=True, text=True)


def test_adam_model_gets_a_desiderata_verdict_with_json(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = run_cli("model", f"{EXAMPLES / 'mup_adam.py'}:build", *QUICK, "--json", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "beyond the paper" in proc.stdout and "µP desiderata" in proc.stdout
    doc = json.loads(out.read_text())
    assert doc["verdict"] == "agree" and doc["inferred"]["spec"] is None
    assert [l["lr_exponent"] for l in doc["inferred"]["layers"]] == [None, None, None]


def test_planted_bug_exits_1_naming_the_layer_knob_and_fix() -> None:
    proc = run_cli("model", f"{EXAMPLES / 'mup_mlp.py'}:input_lr_not_scaled", *QUICK, "--expect", "mup",
                   "--profile", "dev", "--statement", "maximal_updates")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "W1 (fc1.weight): learning rate n^0; mup needs n^1" in proc.stdout
    assert "a=0,0,1/2;b=0,1/2,1/2;c=0" in proc.stdout


@pytest.mark.parametrize("args", [
    ["model", "nowhere.py:build"],
    ["model", f"{EXAMPLES / 'mup_mlp.py'}:nope"],
    ["model", "os:getcwd"],
    ["model", f"{EXAMPLES / 'mup_mlp.py'}:build", "--widths", "64"],
    ["model", f"{EXAMPLES / 'mup_mlp.py'}:build", "--json", "/nonexistent/dir/x.json"],
    ["model", f"{EXAMPLES / 'mup_mlp.py'}:build", "--expect", "up:2", "--seeds", "2", "--widths", "64,128"],
    ["model", f"{EXAMPLES / 'mup_mlp.py'}:build", "--statement", "max_lr"],
])
def test_bad_model_input_is_one_line_exit_2(args: list[str]) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) <= 2
    assert proc.stderr.strip().splitlines()[-1].startswith("tp4")
