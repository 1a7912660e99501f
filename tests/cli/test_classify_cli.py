"""``tp4 classify``: JSON schema, readable output and exit codes (run as a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from impl.cli.main import main

KEYS = {"depth", "a", "b", "c", "r", "r_layers", "stable", "violated", "nontrivial", "regime",
        "exponents", "min_stable_c", "maximal", "mup_class", "canonical"}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "impl.cli.main", *args], capture_output=True, text=True)


def test_json_schema_for_mup(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "mup", "--depth", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert KEYS <= set(out)
    assert out["a"] == ["-1/2", "0", "0", "1/2"] and out["r"] == "0" and out["regime"] == "feature_learning"
    assert out["exponents"]["f0"] == "-1/2" and out["exponents"]["delta_W3_x"] == "0"
    for l in (1, 2, 3):
        assert {f"delta_x{l}", f"delta_h{l}", f"delta_W{l}_x"} <= set(out["exponents"])
    assert {"delta_Wout_x", "Wout0_delta_x", "delta_f"} <= set(out["exponents"])
    assert out["canonical"] == {"a": out["a"], "b": out["b"], "c": "0"} and out["mup_class"] is True


def test_json_for_unstable_sp(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "sp", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["stable"] is False and out["regime"] == "unstable" and out["min_stable_c"] == "1"
    assert "2aL+1+c>=1" in out["violated"] and all(v is None for v in out["exponents"].values())


def test_mfp_canonical_form_is_mup(capsys: pytest.CaptureFixture[str]) -> None:
    main(["classify", "mfp", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["canonical"] == {"a": ["-1/2", "1/2"], "b": ["1/2", "1/2"], "c": "0"} and out["min_stable_c"] == "-1"


def test_readable_table_and_preset_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "ntp"]) == 0
    text = capsys.readouterr().out
    assert "kernel" in text and "delta_x2" in text
    assert main(["classify", "--depth", "3"]) == 0
    summary = capsys.readouterr().out
    for name in ("sp", "sp-lr1n", "ntp", "mfp", "mup", "up:1/4"):
        assert f"\n{name} " in summary


@pytest.mark.parametrize(
    "args",
    [
        ["classify", "mfp", "--depth", "2"],
        ["classify", "up:0.7"],
        ["classify", "a=1,2;b=1;c=0"],
        ["classify", "a=x,0;b=0,0;c=0"],
        ["classify", "mup", "--depth", "0"],
        ["classify", "mup", "--depth", "two"],
        ["classify", "nope"],
        ["frobnicate"],
        [],
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str]) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "error" in proc.stderr
