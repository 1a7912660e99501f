"""Limits and kernels too large for this machine are refused before any work: one line naming what is needed and
what the machine has, exit code 2, no traceback — and sizes that fit still run (impl.limits.memory)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

import impl.simulation.memory as memory
from impl.cli.main import main


def _no_work(*_: Any, **__: Any) -> Any:
    raise AssertionError("the work started before the memory check refused it")


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any computation the refused commands could start fails the test (the refusal must come first)."""
    import impl.limits.archs
    import impl.limits.figure4
    import impl.limits.kernels
    import impl.simulation

    for module, name in ((impl.limits.archs, "limit_for"), (impl.limits.archs, "finite_for"),
                         (impl.limits.figure4, "figure4_data"), (impl.limits.kernels, "mlp_kernels"),
                         (impl.limits.kernels, "abc_kernel"), (impl.simulation, "training_data")):
        monkeypatch.setattr(module, name, _no_work)


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The one error line of ``tp4 ARGV``, which must exit 2 within seconds and print nothing on stdout."""
    capsys.readouterr()
    started = time.perf_counter()
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    elapsed = time.perf_counter() - started
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert exit_.value.code == 2 and out == "" and len(lines) == 1 and "Traceback" not in err, (argv, err)
    assert elapsed < 5, (argv, elapsed)
    assert "needs at least" in lines[0] and "available" in lines[0], lines[0]
    return lines[0]


def many_inputs(tmp_path: Path, n: int) -> str:
    path = tmp_path / "inputs.json"
    path.write_text(json.dumps([i / n for i in range(n)]))
    return str(path)


@pytest.mark.parametrize("argv, words", [
    (["limit", "mlp2", "--particles", str(10**12)], ("10000000000", "particles", "TiB")),
    (["limit", "mlp2-decoupled", "--steps", str(10**8)], ("T = 100000000", "Monte-Carlo particles")),
    (["limit", "mlp1", "--particles", str(10**15), "--routine", "ROUTINE_D2"], ("quasi-Monte-Carlo points",)),
    (["limit", "mlp1", "--steps", str(10**13)], ("steps",)),
    (["limit", "mlp2", "--widths", "32,1000000", "--seeds", "4"], ("width 1000000", "float64")),
    (["limit", "linear1", "--widths", "32,10000000000", "--seeds", "4"], ("width 10000000000",)),
    (["figure4", "--particles", str(10**12)], ("Monte-Carlo particles",)),
    (["figure4", "--widths", "64,1000000", "--seeds", "2"], ("width 1000000",)),
])
def test_absurd_limit_sizes_are_refused_in_one_line(argv: list[str], words: tuple[str, ...], tmp_path: Path,
                                                   no_work: None, capsys: pytest.CaptureFixture[str]) -> None:
    if "ROUTINE_D2" in argv:  # d = 2: three Gaussians, so mlp1's quadrature falls back to quasi-Monte Carlo
        path = tmp_path / "routine.json"
        path.write_text(json.dumps({"xs": [[1, 0], [0, 1]], "ys": [1, -1], "probes": [[1, 1], [1, -1]]}))
        argv = [str(path) if a == "ROUTINE_D2" else a for a in argv]
    line = refused(argv + ["--no-progress"], capsys)
    assert all(w in line for w in words), line


@pytest.mark.parametrize("extra", [["--depth", "100"], ["--param", "ntp"], ["--depth", "3", "--json", "OUT"]])
def test_too_many_kernel_inputs_are_refused_in_one_line(extra: list[str], tmp_path: Path, no_work: None,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    extra = [str(tmp_path / "k.json") if a == "OUT" else a for a in extra]
    line = refused(["kernel", "--phi", "relu", "--inputs", many_inputs(tmp_path, 200_000), *extra], capsys)
    assert "200000 inputs" in line and "200000 × 200000" in line
    assert not (tmp_path / "k.json").exists()


def test_the_refusal_compares_with_what_this_machine_has(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """300 inputs at L = 3 need ~10 MiB: refused on a machine with 1 MiB available, run where memory is unknown."""
    inputs = many_inputs(tmp_path, 300)
    monkeypatch.setattr(memory, "available_bytes", lambda: 2**20)
    line = refused(["kernel", "--phi", "relu", "--depth", "3", "--inputs", inputs], capsys)
    assert "this machine has 1.0 MiB available" in line
    monkeypatch.setattr(memory, "available_bytes", lambda: None)
    assert main(["kernel", "--phi", "relu", "--depth", "3", "--inputs", inputs]) == 0


def test_normal_sizes_still_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The defaults of each command fit (a few hundred MiB at most): small runs of each go through."""
    assert main(["limit", "mlp2", "--particles", "8192", "--widths", "32,64", "--seeds", "2", "--steps", "2",
                 "--no-progress"]) == 0
    assert main(["kernel", "--phi", "tanh", "--depth", "2", "--inputs", many_inputs(tmp_path, 5)]) == 0
    out = tmp_path / "f4.png"
    assert main(["figure4", "--widths", "16,32", "--seeds", "2", "--steps", "2", "--particles", "4096",
                 "--out", str(out), "--no-progress"]) == 0
    assert out.stat().st_size > 1000


def test_the_defaults_fit_an_ordinary_machine() -> None:
    """What ``tp4 limit``, ``tp4 figure4`` and a 1000-input ``tp4 kernel`` need by default, estimated: Figure 4's
    largest step is one width-4096 decoupled network at a time (the engine's chunk: at most 32 MiB of n×n weights,
    at least one seed; 2·(4096²) float64 entries, 256 MiB), and the outputs of all 100."""
    from impl.limits.figure4 import Figure4Settings
    from impl.limits.memory import comparison_need, figure4_need, kernel_need
    from impl.simulation import Routine

    r = Routine(phi="tanh", input_dim=1, steps=5, lr=0.5, probes=2, inputs="signs", label=1.0)
    for arch in ("mlp1", "linear1", "mlp2"):
        assert comparison_need(arch, r, 2**17, (256, 1024), 16).bytes < 2**29
    assert 2**28 < figure4_need(Figure4Settings()).bytes < 2**29
    assert kernel_need("relu", 1000, 3).bytes < 2**28


def test_jobs_at_once_is_the_executors_and_the_memory_refusals_count() -> None:
    """-j N runs N jobs at once, --dask one here (the cluster's workers hold their own memory), and no -j a thread
    per usable core for the engine's jobs, one otherwise."""
    from argparse import Namespace

    from impl.cli.common import jobs_at_once, usable_cores

    assert jobs_at_once(Namespace(jobs=3, dask=None)) == 3 and jobs_at_once(Namespace(jobs=1, dask=None)) == 1
    assert jobs_at_once(Namespace(jobs=None, dask="tcp://x:1")) == 1
    assert jobs_at_once(Namespace(jobs=None, dask=None)) == usable_cores()
    assert jobs_at_once(Namespace(jobs=None, dask=None), threads=False) == 1
