"""``tp4 report``: atomic writes, baseline drift detection, the JSON schema, the committed example
report (regenerated and compared structurally), statement verdicts and one-line errors.

One ``tiny`` report (µP and SP at L = 1, widths 64…256, 32 seeds, retried up to twice with doubled
seeds) is generated per module into a temporary cache; every other test reuses it (≈ 20 CPU-seconds).
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import torch

from impl.cli.main import main
from impl.atomic import atomic_directory, write_text_atomic
from impl.reporting.baseline import compare, load_baseline
from impl.measurement import Verdict
from impl.reporting.results import TITLES

VERDICTS = {v.value for v in Verdict}

EXAMPLE = Path(__file__).resolve().parents[2] / "reports" / "example"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(report directory, cache directory) of one ``tp4 report --profile tiny`` run."""
    root = tmp_path_factory.mktemp("tiny")
    out, cache = root / "report", root / "cache"
    assert main(["report", "--profile", "tiny", "--out", str(out), "--cache", str(cache), "--no-progress"]) == 0
    return out, cache


def _doc(directory: Path) -> dict[str, Any]:
    def no_nan(token: str) -> None:
        raise AssertionError(f"non-JSON token {token} in report.json")

    return json.loads((directory / "report.json").read_text(encoding="utf-8"), parse_constant=no_nan)


# --- atomic writes -------------------------------------------------------------------------------


def test_atomic_file_write_replaces_or_leaves_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.txt"
    write_text_atomic(target, "old")
    assert target.read_text() == "old"

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_text_atomic(target, "new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temp file left


def test_atomic_directory_is_all_or_nothing(tmp_path: Path) -> None:
    target = tmp_path / "report"
    with atomic_directory(target) as tmp:
        (tmp / "one.txt").write_text("1")
    assert sorted(p.name for p in target.iterdir()) == ["one.txt"]
    with pytest.raises(KeyboardInterrupt):
        with atomic_directory(target) as tmp:
            (tmp / "two.txt").write_text("2")
            raise KeyboardInterrupt  # a crash half-way: the old report must survive untouched
    assert sorted(p.name for p in target.iterdir()) == ["one.txt"]
    with atomic_directory(target) as tmp:
        (tmp / "three.txt").write_text("3")
    assert sorted(p.name for p in target.iterdir()) == ["three.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no temporary directories left


# --- the report and its JSON schema --------------------------------------------------------------


def test_report_json_schema(tiny: tuple[Path, Path]) -> None:
    out, _ = tiny
    doc = _doc(out)
    assert doc["format"] == "tp4-report/2" and doc["profile"] == "tiny"
    assert {"widths", "seeds", "steps", "alpha", "margin", "routine", "lr_routine", "decisions"} <= set(doc["settings"])
    assert doc["status"] == {"disagree": 0, "undecided": 0, "regressions": 0, "drifts": 0, "exit_code": 0}
    assert doc["baseline"] is None
    assert [s["key"] for s in doc["specs"]] == ["mup-L1", "sp-L1"]
    for spec in doc["specs"]:
        assert [s["statement"] for s in spec["statements"]] == list(TITLES)
        assert all(s["verdict"] in VERDICTS and s["reason"] for s in spec["statements"])
        assert all(c["verdict"] in VERDICTS for s in spec["statements"] for c in s["claims"])
        names = {(q["name"], q["step"]) for q in spec["quantities"]}
        assert ("f0", 0) in names and ("delta_f", 2) in names and ("delta_f", 0) not in names
        for q in spec["quantities"]:
            assert len(q["rms"]) == len(spec["widths"]) and len(q["ci"]) == 2
        assert (out / doc["figures"]["coordcheck"][spec["key"]]).is_file()
    mup, sp = doc["specs"]
    assert mup["max_lr"]["predicted"] == "0" and len(mup["max_lr"]["values"]) == 3 and sp["max_lr"] is None
    assert {s["statement"]: s["verdict"] for s in sp["statements"]}["f0"] == "n/a"  # unstable: only Thm 3.3 applies
    assert sum(doc["summary"].values()) == 2 * len(TITLES)


def _shape(obj: Any, path: str = "") -> set[str]:
    """The structure of a JSON document: key paths and list lengths of specs/statements, not numbers."""
    if isinstance(obj, dict):
        return {path} | {p for k, v in obj.items() for p in _shape(v, f"{path}/{k}")}
    if isinstance(obj, list) and path.endswith(("/specs", "/statements")):
        return {f"{path}#{len(obj)}"} | {p for i, v in enumerate(obj) for p in _shape(v, f"{path}/{i}")}
    return {path}


def test_example_report_regenerates_structurally(tiny: tuple[Path, Path]) -> None:
    out, _ = tiny
    assert EXAMPLE.is_dir(), "reports/example is missing: tp4 report --profile tiny --out reports/example"
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in EXAMPLE.iterdir())
    new, old = _doc(out), _doc(EXAMPLE)
    assert _shape(new) == _shape(old)
    assert new["figures"] == old["figures"]
    ids = re.compile(r'<section[^>]* id="([^"]+)"')
    assert ids.findall((out / "report.html").read_text()) == ids.findall((EXAMPLE / "report.html").read_text())
    heads = re.compile(r"^#+ (.*?)(?: — .*)?$", re.M)
    assert heads.findall((out / "report.md").read_text()) == heads.findall((EXAMPLE / "report.md").read_text())


def test_example_pngs_are_small() -> None:
    assert all(p.stat().st_size < 100_000 for p in EXAMPLE.glob("*.png"))


# --- baseline comparison --------------------------------------------------------------------------


def _statement(doc: dict[str, Any], spec: str, key: str) -> dict[str, Any]:
    return next(s for sp in doc["specs"] if sp["key"] == spec for s in sp["statements"] if s["statement"] == key)


def test_baseline_flags_injected_drift_and_changed_verdict(tiny: tuple[Path, Path], tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out, cache = tiny
    doc = _doc(out)
    assert not compare(doc, doc).failed  # the same seeds and data reproduce every exponent exactly

    base = copy.deepcopy(doc)
    q = next(q for q in base["specs"][0]["quantities"] if q["name"] == "delta_W1_x" and q["step"] == 1)
    q["slope"] += 0.5  # the injected drift: interval moved by +0.5, beyond both intervals
    q["ci"] = [q["ci"][0] + 0.5, q["ci"][1] + 0.5]
    _statement(base, "sp-L1", "stability")["verdict"] = "disagree"  # an improvement since: listed, not failing
    now = _statement(doc, "mup-L1", "f0")["verdict"]
    _statement(base, "mup-L1", "f0")["verdict"] = "agree" if now != "agree" else "n/a"
    c = compare(base, doc)
    assert [(d.spec, d.quantity, d.step) for d in c.drifts] == [("mup-L1", "delta_W1_x", 1)]
    assert {(ch.spec, ch.statement, ch.regression) for ch in c.changes} >= {("sp-L1", "stability", False)}
    assert c.failed and c.changes[0].regression == (now != "agree")  # regressions are listed first

    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "report.json").write_text(json.dumps(base))
    rerun = ["report", "--profile", "tiny", "--out", str(tmp_path / "new"), "--cache", str(cache),
             "--baseline", str(tmp_path / "base"), "--no-progress"]
    assert main(rerun) == 1
    html = (tmp_path / "new" / "report.html").read_text()
    assert html.index('id="changes"') < html.index('id="matrix"') and "delta_W1_x" in html
    assert _doc(tmp_path / "new")["status"]["drifts"] == 1
    assert "1 drifted exponents" in capsys.readouterr().out


def test_user_spec_only(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    _, cache = tiny
    out = tmp_path / "mine"
    args = ["report", "--profile", "tiny", "--no-presets", "--spec", "a=-1/2,1/2;b=1/2,1/2;c=0", "--out", str(out),
            "--cache", str(cache), "--no-progress"]
    assert main(args) == 0
    doc = _doc(out)
    assert [s["key"] for s in doc["specs"]] == ["spec1-L1"] and doc["figure4"] is None
    assert doc["specs"][0]["regime"] == "feature_learning" and doc["figures"]["maxlr"] is None


def test_bad_baseline_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text('{"format": "something else"}')
    with pytest.raises(ValueError, match="not a tp4-report/2 report"):
        load_baseline(tmp_path)


# --- statement verdicts: a wrong theory must disagree ---------------------------------------------


def test_wrong_theory_disagrees(tiny: tuple[Path, Path]) -> None:
    """The report's statements are the checks layer's: µP's networks judged with NTP's predictions disagree."""
    from impl.checks import ROUTINE, Sweeps, check_dichotomy, check_maximal_updates
    from impl.reporting.profiles import PROFILES
    from impl.theory import mup, ntp

    _, cache = tiny
    budget, sweeps = PROFILES["tiny"].budget, Sweeps(cache_dir=cache)
    for check in (check_dichotomy, check_maximal_updates):
        assert check(mup(1), ROUTINE, budget, sweeps=sweeps).verdict is Verdict.AGREE
        wrong = check(mup(1), ROUTINE, budget, against=ntp(1), sweeps=sweeps)  # kernel-regime predictions
        assert wrong.verdict is Verdict.DISAGREE, str(wrong)


# --- errors and interruption ----------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["--profile", "bogus"],
    ["--spec", "a=1;b=2"],
    ["--spec", "mfp", "--depth", "2"],
    ["--no-presets"],
    ["--baseline", "/nonexistent/report"],
    ["--out", __file__],
    ["--out", "/proc/no/such/dir"],
    ["--device", "tpu"],
    ["-j", "2", "--dask", "tcp://127.0.0.1:1"],
    *([["--device", "cuda"]] if not torch.cuda.is_available() else []),
])
def test_bad_input_is_one_line_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:  # any other exception (a traceback) fails the test
        main(["report", *args, "--no-cache"])
    err = capsys.readouterr().err
    assert stop.value.code == 2, err
    assert len(err.strip().splitlines()) == 1 and err.startswith("tp4")


def test_ctrl_c_exits_130_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from impl.reporting import collect

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(collect, "collect_report", interrupted)
    with pytest.raises(SystemExit) as stop:
        main(["report", "--profile", "tiny", "--out", str(tmp_path / "r"), "--no-cache"])
    assert stop.value.code == 130 and not (tmp_path / "r").exists()
    assert "interrupted" in capsys.readouterr().err
