"""``tp4 kernel``: hand-checked values, the --param (abc) kernel, JSON output and one-line usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from impl.cli.main import main
from impl.limits.kernels import abc_kernel, mlp_kernels
from impl.theory import ntp


def inputs(tmp_path: Path, value: object, name: str = "x.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(value) if not isinstance(value, str) else value)
    return str(path)


def run_json(tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "out.json"
    assert main(["kernel", *args, "--json", str(out)]) == 0
    return json.loads(out.read_text())


def test_relu_on_orthogonal_unit_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Σ¹ = I/2 (fan-in 2); NNGP off-diagonal √(¼)/(2π)·1 = 1/(4π), diagonal ¼; NTK diagonal ¼ + ½·½."""
    doc = run_json(tmp_path, "--phi", "relu", "--depth", "1", "--inputs", inputs(tmp_path, [[1, 0], [0, 1]]))
    off = 1 / (4 * np.pi)
    assert np.allclose(doc["nngp"], [[0.25, off], [off, 0.25]], atol=1e-15)
    assert np.allclose(doc["ntk"], [[0.5, off], [off, 0.5]], atol=1e-15)
    assert np.allclose(np.sum(doc["per_layer"], axis=0), doc["ntk"]) and doc["phi"] == "relu" and doc["depth"] == 1
    text = capsys.readouterr().out
    assert "NNGP" in text and "NTK" in text and "0.07957747" in text


def test_erf_on_plain_numbers_with_bias(tmp_path: Path) -> None:
    """d = 1 inputs as plain numbers; Williams' formula with σ_w = 2, σ_b = 0.5 against mlp_kernels."""
    doc = run_json(tmp_path, "--phi", "erf", "--depth", "2", "--inputs", inputs(tmp_path, [1, -0.5, 2.0]),
                   "--w-std", "2", "--b-std", "0.5")
    ref = mlp_kernels("erf", 2, np.array([[1.0], [-0.5], [2.0]]), w_std=2.0, b_std=0.5)
    assert np.allclose(doc["nngp"], ref.nngp, rtol=1e-15) and np.allclose(doc["ntk"], ref.ntk, rtol=1e-15)
    one = run_json(tmp_path, "--phi", "erf", "--depth", "1", "--inputs", inputs(tmp_path, [1.0]))
    assert one["nngp"][0][0] == pytest.approx(2 / np.pi * np.arcsin(2 / 3), abs=1e-15)


def test_param_gives_the_abc_kernel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    X = [[0.6, 0.8, 0.0], [0.0, 1.0, 0.0], [-0.3, 0.1, 0.9]]
    doc = run_json(tmp_path, "--phi", "tanh", "--param", "ntp", "--depth", "2", "--inputs", inputs(tmp_path, X))
    ref = abc_kernel(ntp(2), "tanh", np.array(X))
    assert np.allclose(doc["ntk"], ref.kernel, rtol=1e-14) and doc["layers"] == [1, 2, 3]
    assert doc["scaling"] == "abc" and np.allclose(doc["f0_cov"], ref.base.nngp)
    sp = run_json(tmp_path, "--phi", "relu", "--param", "sp-lr1n", "--depth", "1", "--inputs", inputs(tmp_path, X))
    assert sp["layers"] == [2] and np.allclose(sp["ntk"], sp["nngp"])  # SP, LR 1/n, L = 1: the NNGP
    assert "layers 2" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args,content,message",
    [
        (["--phi", "relu", "--depth", "1"], None, "cannot read"),
        (["--phi", "relu", "--depth", "1"], "[[1, 2], [3", "not JSON"),
        (["--phi", "relu", "--depth", "1"], [[1, 2], [3]], "ragged"),
        (["--phi", "relu", "--depth", "1"], [], "non-empty"),
        (["--phi", "relu", "--depth", "1"], [[1, "a"]], "finite numbers"),
        (["--phi", "swish", "--depth", "1"], [[1.0]], "unknown activation"),
        (["--phi", "relu", "--depth", "0"], [[1.0]], "must be >= 1"),
        (["--phi", "relu", "--depth", "1", "--w-std", "-1"], [[1.0]], "finite number >= 0"),
        (["--phi", "relu", "--depth", "1", "--b-std", "nan"], [[1.0]], "finite number >= 0"),
        (["--phi", "relu"], [[1.0]], "--depth L is required"),
        (["--phi", "tanh", "--param", "mup"], [[1.0]], "not the kernel regime"),
        (["--phi", "tanh", "--param", "ntp", "--w-std", "2"], [[1.0]], "do not apply with --param"),
        (["--phi", "tanh", "--param", "nope"], [[1.0]], "unknown preset"),
        (["--phi", "relu", "--depth", "1", "--json", "/no/such/dir/k.json"], [[1.0]], "does not exist"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                          content: object, message: str) -> None:
    path = str(tmp_path / "missing.json") if content is None else inputs(tmp_path, content)
    with pytest.raises(SystemExit) as exc:
        main(["kernel", *args, "--inputs", path])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and message in err, err


def test_json_dash_prints_one_json_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kernel", "--phi", "identity", "--depth", "2", "--inputs", inputs(tmp_path, [[1, 1]]), "--json", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["nngp"] == [[1.0]] and doc["ntk"] == [[3.0]]  # identity: Σ = ξ·ξ/d = 1 at every layer, Θ = (L+1)Σ
