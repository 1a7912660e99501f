"""``tp4 check``: verdict table, JSON, ``--against``/``--expect`` and the shared exit codes (0/1/2/3)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from impl.checks import Budget
from impl.measurement import EXIT_CODES
from impl.cli.main import main
from impl.measurement import Verdict

# small, fast budget for the CLI plumbing (the statistics are the theorem suite's business)
CHEAP = ["--depth", "1", "--statement", "stability", "--statement", "maximal_updates", "--statement", "f0"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "impl.cli.main", *args], capture_output=True, text=True)


def test_check_mup_agrees_with_table_json_and_progress(tmp_path: Path) -> None:
    out = tmp_path / "check.json"
    proc = run_cli("check", "mup", *CHEAP, "--cache", str(tmp_path / "c"), "--json", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Thm 3.3 stability" in proc.stdout and "overall: agree" in proc.stdout
    assert "Thm 5.6 maximal updates [tanh]: agree" in proc.stderr  # a progress line per finished check
    doc = json.loads(out.read_text())
    assert doc["verdict"] == "agree" and doc["exit_code"] == 0 and doc["counts"]["agree"] == 3
    checks = {c["statement"]: c for c in doc["checks"]}
    assert checks["maximal_updates"]["verdict"] == "agree" and checks["maximal_updates"]["decisions"] >= 3
    assert {c["quantity"] for c in checks["maximal_updates"]["claims"]} == {"delta_W1_x", "delta_Wout_x", "Wout0_delta_x"}


def test_against_another_class_exits_1_and_an_eq5_twin_exits_0(tmp_path: Path) -> None:
    cache = ["--cache", str(tmp_path / "c")]
    wrong = run_cli("check", "ntp", *CHEAP, *cache, "--against", "mup")
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert "judged against mup" in wrong.stdout and "disagree" in wrong.stdout
    twin = run_cli("check", "mup", *CHEAP, *cache, "--against", "a=0,1;b=0,0;c=-1")  # MFP ≡ µP at L = 1
    assert twin.returncode == 0, twin.stdout + twin.stderr


def test_expect_states_the_theory_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "up:1/4", "--depth", "1", "--statement", "f0", "--cache", str(tmp_path / "c"), "--expect", "mup"])
    out = capsys.readouterr().out
    assert code == 1 and "expected mup: disagree" in out and "is not mup" in out and "regime kernel" in out


def test_undecided_exits_3_and_is_never_counted_as_agreement(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # two widths close together and two seeds, no retry: the interval cannot decide
    weak = Budget("weak", (64, 80), seeds=2, retries=0, examples=1, decisions=1)
    monkeypatch.setattr("impl.checks.budget.BUDGETS", {"dev": weak, "ci": weak, "nightly": weak})
    code = main(["check", "mup", "--depth", "1", "--statement", "maximal_updates", "--no-cache"])
    out = capsys.readouterr().out
    assert code == 3 == EXIT_CODES[Verdict.UNDECIDED], out
    assert "0 agree" in out and "1 undecided" in out and "overall: undecided" in out


@pytest.mark.parametrize(
    "args",
    [["check", "mfp", "--depth", "3"], ["check", "up:2"], ["check", "mup", "--profile", "weekly"],
     ["check", "mup", "--json", "/nonexistent/dir/x.json"], ["check", "mup", "--against", "mup", "--expect", "mup"],
     ["check", "mup", "--against", "nonsense"], ["check", "mup", "--phi", "softsign"],
     ["check", "mup", "--statement", "thm9"], ["check", "mup", "--depth", "2", "--against", "mfp"]],
)
def test_bad_check_input_is_one_line_exit_2(args: list[str]) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
