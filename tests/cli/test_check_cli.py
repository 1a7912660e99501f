"""``tp4 check``: verdict table, JSON and exit codes (one real run on a cheap depth-1 spec)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "impl.cli.main", *args], capture_output=True, text=True)


def test_check_ntp_depth_1_agrees(tmp_path: Path) -> None:
    out = tmp_path / "check.json"
    proc = run_cli("check", "ntp", "--depth", "1", "--json", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Thm 3.3 stability" in proc.stdout and "agrees" in proc.stdout
    doc = json.loads(out.read_text())
    measured = {c["statement"]: c["measured"] for c in doc["checks"]}
    assert measured["Thm 3.6/3.8 dichotomy"] == "agrees" and doc["theory"]["regime"] == "kernel"
    assert measured["Thm H.13(3) layerwise"] == "not applicable"
    assert "test_user_spec_stability[tanh] PASSED" in proc.stderr  # progress lines


@pytest.mark.parametrize(
    "args",
    [["check", "mfp", "--depth", "3"], ["check", "up:2"], ["check", "mup", "--profile", "weekly"],
     ["check", "mup", "--json", "/nonexistent/dir/x.json"]],
)
def test_bad_check_input_is_one_line_exit_2(args: list[str]) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_junit_outcomes_show_known_bias_warnings_apart_from_agreement(tmp_path: Path) -> None:
    from impl.cli.check import _outcomes

    junit = tmp_path / "j.xml"
    junit.write_text(
        '<testsuites><testsuite>'
        '<testcase name="test_user_spec_stability[tanh]"><properties>'
        '<property name="inconclusive_warning" value="known bias — Wout0_delta_x: slow"/></properties></testcase>'
        '<testcase name="test_user_spec_f0[tanh]"/>'
        '<testcase name="test_user_spec_regime[tanh]"><failure message="Inconclusive: x"/></testcase>'
        '</testsuite></testsuites>', encoding="utf-8")
    rows = {r["key"]: (r["measured"], r["detail"]) for r in _outcomes(junit)}
    assert rows == {"stability": ("inconclusive (known bias)", "known bias — Wout0_delta_x: slow"),
                    "f0": ("agrees", ""), "regime": ("inconclusive", "Inconclusive: x")}
