"""``tp4 calibrate-checks``: the per-check calibration runs, resumes from its log and rejects bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from impl.checks import Theory
from impl.theory import Behaviour, mup


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "impl.cli.main", *args], capture_output=True, text=True)


def test_wrong_theories_move_exponents_flip_behaviours_and_override_claims() -> None:
    claims = {"delta_f": Fraction(0), "f0": Fraction(-1, 2), "delta_x2": Behaviour.VANISHES, "h1": Behaviour.BOUNDED}
    p = mup(2)
    assert Theory(p, offset=Fraction(1, 4)).perturb(claims) == {**claims, "delta_f": Fraction(1, 4), "f0": Fraction(-1, 4)}
    assert Theory(p, flip=True).perturb(claims) == {**claims, "delta_x2": Behaviour.THETA1, "h1": Behaviour.GROWS}
    assert Theory(p, overrides={"f0": Fraction(0)}).perturb(claims) == {**claims, "f0": Fraction(0)}
    one = Theory(p, offset=Fraction(-1, 4), single=True)  # a single wrong claim among right ones: the last exponent
    assert one.perturb(claims) == {**claims, "f0": Fraction(-3, 4)} and "the last exponent -1/4" in one.describe()
    assert Theory(p).perturb(claims) == claims and Theory(p).exact and not Theory(p, flip=True).exact


def test_calibration_of_one_statement_counts_and_resumes(tmp_path: Path) -> None:
    log, out = tmp_path / "log.jsonl", tmp_path / "rates.json"
    args = ["calibrate-checks", "--runs", "1", "--statement", "Thm 3.4", "--profile", "dev", "--log", str(log),
            "--cache", str(tmp_path / "cache")]
    proc = run_cli(*args, "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert {r["case"] for r in records} == {"µP moves f", "trivial freezes f"} and {r["profile"] for r in records} == {"dev"}
    by_case = {r["case"]: r["outcomes"] for r in records}
    # the correct theory agrees; a wrong exponent is caught — µP's delta_f ~ n^0, the trivial one's n^{-1/2} (an
    # exponent, Prop 5.5, not "vanishes": there is no behaviour left to flip)
    assert by_case["µP moves f"]["correct"] == "agree" and by_case["µP moves f"]["+1/2"] == "disagree"
    assert by_case["trivial freezes f"]["+1/4"] == "disagree" and by_case["trivial freezes f"]["flipped"] == "n/a"
    rates = {(r["statement"], r["perturbation"]): r["counts"] for r in json.loads(out.read_text())}
    assert rates[("Thm 3.4", "correct")] == {"agree": 2}
    assert "| Thm 3.4 | 2 |" in proc.stdout and "profile dev" in proc.stdout
    again = run_cli(*args)
    assert again.returncode == 0 and log.read_text().count("\n") == 2  # nothing re-run


@pytest.mark.parametrize("args", [["--statement", "Thm 9.9"], ["--runs", "0"], ["--profile", "weekly"],
                                  ["--json", "/nonexistent/dir/x.json"], ["--log", "/nonexistent/dir/log.jsonl"]])
def test_bad_calibration_input_is_one_line_exit_2(args: list[str]) -> None:
    proc = run_cli("calibrate-checks", *args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
