"""``tp4 limit`` and ``tp4 figure4``: JSON schema, routine files, table, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

import impl.limits.archs as archs
from impl.cli.main import main
from impl.limits import load_routine, routine_from_arrays, routine_json
from impl.limits.archs import finite_for, limit_for
from impl.limits.figure4 import Figure4Result
from impl.simulation import Routine, training_data

FAST = ["--widths", "32,64", "--seeds", "3", "--steps", "3"]


def run_json(tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "out.json"
    assert main(["limit", *args, "--json", str(out)]) == 0
    return json.loads(out.read_text())


def test_json_schema_and_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(tmp_path, "mlp1", "--phi", "tanh", "--eta", "0.5", "--seed", "2", *FAST)
    assert {"steps", "probes", "limit", "finite"} <= set(doc)
    assert doc["steps"] == 3 and doc["probes"] == [1.0, -1.0] and doc["arch"] == "mlp1" and doc["phi"] == "tanh"
    routine = Routine(inputs="signs", probes=2, label=1.0, input_dim=1, steps=3, data_seed=2, lr=0.5, phi="tanh")
    data = training_data(routine)
    assert doc["routine"] == {"xs": data.inputs[:, 0].tolist(), "ys": data.labels[:, 0].tolist(),
                              "probes": [[1.0], [-1.0]], "eta": 0.5, "loss": "mse"}
    assert np.array_equal(np.array(doc["limit"]), limit_for("mlp1", routine).outputs[..., 0])
    assert set(doc["finite"]) == {"32", "64"} and all(set(v) == {"mean", "std"} for v in doc["finite"].values())
    out = finite_for("mlp1", routine, 64, [0, 1, 2])
    assert np.allclose(doc["finite"]["64"]["mean"], out.mean(axis=1)[..., 0], rtol=0, atol=1e-15)
    assert np.allclose(doc["finite"]["64"]["std"], out.std(axis=1, ddof=1)[..., 0], rtol=0, atol=1e-15)
    assert np.array(doc["finite"]["32"]["mean"]).shape == (4, 2)  # limit[t][p], t = 0..T, plain numbers (d_o = 1)
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert "Theorem 6.1" in lines[0] and "limit" in lines[1] and "n=32 mean±std" in lines[1] and "n=64" in lines[1]
    assert len(lines) == 3 + 4 * 2  # title, header, rule, (T+1)·P rows
    assert "width 32: 3 seeds" in captured.err and "width 64: done" in captured.err


def test_routine_file_round_trip_with_vector_outputs(tmp_path: Path) -> None:
    """A d = 2, d_o = 2 routine file: the document echoes it, each limit[t][p] is a list of d_o numbers."""
    routine, data = routine_from_arrays([[1.0, 0.0], [0.6, -0.8]], [[1.0, -1.0], [0.5, 0.0]],
                                        [[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], lr=0.4)
    path = tmp_path / "routine.json"
    path.write_text(json.dumps(routine_json(routine, data)))
    doc = run_json(tmp_path, "linear1", "--routine", str(path), "--widths", "16", "--seeds", "2")
    assert doc["routine"] == json.loads(path.read_text()) and doc["eta"] == 0.4
    assert np.array(doc["limit"]).shape == (3, 3, 2) and doc["probes"] == data.probes.tolist()
    loaded, loaded_data = load_routine(path)
    assert loaded == routine and all(np.array_equal(getattr(loaded_data, k), getattr(data, k))
                                     for k in ("inputs", "labels", "probes"))
    limit = limit_for("linear1", replace(loaded, phi="identity"), data=loaded_data).outputs
    assert np.array_equal(np.array(doc["limit"]), limit)
    again = run_json(tmp_path, "linear1", "--routine", str(path), "--eta", "0.2", "--widths", "16", "--seeds", "2")
    assert again["eta"] == 0.2 and again["routine"]["eta"] == 0.2 and again["limit"] != doc["limit"]


def test_json_to_stdout_and_mc_limit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["limit", "mlp2-decoupled", "--particles", "8192", *FAST, "--json", "-", "--no-progress"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert captured.err == "" and doc["method"].startswith("monte-carlo") and 0 < doc["error_estimate"] < 0.05


def test_diverging_limit_warns_and_writes_null(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(tmp_path, "mlp1", "--phi", "square", "--eta", "1", "--steps", "6", "--widths", "8", "--seeds", "2",
                   "--no-progress")
    assert np.allclose(doc["limit"][0], 0.0, atol=1e-15) and None in doc["limit"][-1] and doc["error_estimate"] is None
    assert "warning: the mlp1 limit diverges at step" in capsys.readouterr().err


def test_ctrl_c_exits_130_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    calls = []

    def interrupted(*args: object, **kwargs: object) -> np.ndarray:
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return finite_for(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(archs, "finite_for", interrupted)
    out = tmp_path / "out.json"
    with pytest.raises(SystemExit) as exc:
        main(["limit", "mlp1", *FAST, "--json", str(out)])
    assert exc.value.code == 130 and len(calls) == 2
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("tp4: error: interrupted")


@pytest.mark.parametrize("args", [
    ["limit", "mlp3"],
    ["limit", "linear1", "--phi", "tanh"],
    ["limit", "mlp1", "--phi", "softsign"],
    ["limit", "mlp1", "--routine", "/nonexistent/routine.json"],
    ["limit", "mlp1", "--routine", "BADJSON"],
    ["limit", "mlp1", "--routine", "BADROUTINE"],
    ["limit", "mlp1", "--routine", "BADETA"],
    ["limit", "mlp1", "--routine", "GOOD", "--steps", "3"],
    ["limit", "mlp1", "--widths", "64,abc"],
    ["limit", "mlp1", "--widths", "0,64"],
    ["limit", "mlp1", "--seeds", "0"],
    ["limit", "mlp1", "--eta", "-1"],
    ["limit", "mlp1", "--json", "/nonexistent/dir/out.json"],
    ["figure4", "--out", "figure.txt"],
    ["figure4", "--eta", "0.1,0.2,0.3"],
    ["figure4", "--json", "/nonexistent/dir/f.json"],
    ["figure4", "--eta", "1,0.2", "--steps", "5", "--widths", "8,16", "--seeds", "2", "--particles", "4096"],
], ids=["unknown-arch", "linear-tanh", "unknown-phi", "missing-routine", "routine-not-json", "bad-routine", "bad-eta",
        "routine-and-steps", "widths-abc", "widths-0", "seeds-0", "eta-negative", "json-unwritable",
        "figure-not-png", "figure-3-etas", "figure-json-unwritable", "figure-diverges"])
def test_bad_input_is_one_line_exit_2(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """In-process (a subprocess per case costs seconds of imports): an uncaught exception would fail the
    test; the exit must be 2 with exactly one line on stderr and nothing written."""
    files = {"BADJSON": "{not json", "BADROUTINE": json.dumps({"xs": [1, 2], "ys": [1], "probes": [1]}),
             "BADETA": json.dumps({"xs": [1, 2], "ys": [1, 1], "probes": [1], "eta": 0}),
             "GOOD": json.dumps(routine_json(Routine(inputs="signs", probes=2, label=1.0, input_dim=1, steps=2)))}
    for i, a in enumerate(args):
        if a in files:
            (tmp_path / f"{a}.json").write_text(files[a])
            args[i] = str(tmp_path / f"{a}.json")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(args)
    err = capsys.readouterr().err
    assert exc.value.code == 2, err
    assert len(err.strip().splitlines()) == 1 and err.startswith("tp4"), err
    assert list(tmp_path.glob("*.png")) == [] and list(tmp_path.glob(".*.tmp")) == []


def test_console_entry_point_error_has_no_traceback() -> None:
    proc = subprocess.run([sys.executable, "-m", "impl.cli.main", "limit", "linear1", "--phi", "relu"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr == "tp4: error: linear1 needs phi in {identity}, got 'relu'\n"


def test_figure4_writes_a_png_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png, js = tmp_path / "fig.png", tmp_path / "fig.json"
    assert main(["figure4", "--out", str(png), "--json", str(js), "--widths", "32,64", "--seeds", "3", "--steps", "3",
                 "--particles", "8192", "--no-progress"]) == 0
    image = imread(str(png))
    height, width = image.shape[:2]
    assert image.ndim == 3 and width / height == pytest.approx((3.6 * 3 + 3.4) / (3.0 * 2 + 0.6), rel=0.02)
    assert np.ptp(image[..., :3]) > 0.5  # not a blank canvas
    result = Figure4Result.from_json(json.loads(js.read_text()))
    assert [(p.phi, p.arch) for p in result.panels] == [(phi, a) for phi in ("square", "identity")
                                                         for a in ("mlp1", "mlp2-decoupled", "mlp2")]
    panel = result.panel("identity", "mlp1")
    assert panel.widths == (32, 64) and panel.finite.shape == (2, 4, 3, 2, 1) and panel.limit_loss.shape == (3,)
    xs, ys = panel.data.inputs[:, 0, 0], panel.data.labels[:, 0, 0]
    assert np.allclose(panel.limit_loss, 0.5 * (panel.limit[np.arange(3), np.where(xs > 0, 0, 1), 0] - ys) ** 2)
    assert panel.routine == result.settings.routine("identity", "mlp1")
    assert all(np.array_equal(getattr(panel.data, k), getattr(training_data(panel.routine), k))
               for k in ("inputs", "labels", "probes"))
    assert np.allclose(json.loads(js.read_text())["panels"][3]["summary"]["deviation_rms"], panel.deviation_rms)
    assert "RMS deviation from the limit" in capsys.readouterr().out
