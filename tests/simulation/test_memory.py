"""The up-front memory bound of a sweep job (impl.simulation.memory) and the CLI's refusals built on it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from impl.cli.main import main
from impl.simulation import Routine
from impl.simulation.memory import ACTIVATION_COPIES, WORK_BYTES, Need, available_bytes, format_bytes, job_bytes, \
    memory_shortfall, run_bytes


def test_job_bytes_counts_the_hidden_matrices_and_the_input_and_readout_weights() -> None:
    # L = 3, width 2^15, one float32 seed: two n×n matrices are 8 GiB (README: peak RSS 8.6 GiB)
    assert job_bytes(2**15, 3, 1, "float32", 16, 1) == (2 * 2**30 + 2**15 * 17) * 4
    assert job_bytes(100, 1, 4, "float64", 16, 2) == 4 * 100 * 18 * 8  # L = 1: no n×n matrix
    assert job_bytes(64, 2, 2, "float64", 16, 1) < job_bytes(64, 2, 2, "float64", 16, 1) * 2 == job_bytes(64, 2, 4, "float64", 16, 1)


def test_shortfall_names_what_is_needed_and_what_there_is() -> None:
    why = memory_shortfall([64, 4096], 3, 8, "float64", 16, 1, available=2**27)
    assert why is not None and "width 4096" in why and "L = 3" in why and "128.0 MiB available" in why
    assert "1 of 8 seeds held at once" in why  # a 4096-wide float64 seed runs alone (chunk_seeds), one job at a time
    assert "2 of 8 seeds held at once" in memory_shortfall([64, 4096], 3, 8, "float64", 16, 1, available=2**27, slots=2)
    assert memory_shortfall([64, 4096], 3, 8, "float64", 16, 1, available=2**30) is None  # 256 MiB held
    assert "3 of 3 seeds" in memory_shortfall([256], 2, 3, "float32", 16, 1, available=2**10, slots=4)
    assert memory_shortfall([64, 128], 2, 8, "float64", 16, 1, available=2**30) is None
    assert format_bytes(1536) == "1.5 KiB" and format_bytes(3) == "3 B"


def test_a_need_refuses_only_what_exceeds_the_memory_available() -> None:
    need = Need(3 * 2**30, "the thing (n = 5)", "its arrays", "a smaller n lowers it")
    assert need.shortfall(available=2**30) == ("the thing (n = 5) needs at least 3.0 GiB for its arrays; this machine "
                                               "has 1.0 GiB available (a smaller n lowers it)")
    assert need.shortfall(available=4 * 2**30) is None and need.plus(2**30).shortfall(available=4 * 2**30) is None
    assert need.plus(2**30 + 1).shortfall(available=4 * 2**30) is not None


def test_run_bytes_counts_the_draw_buffer_decoupled_copies_and_low_rank_updates() -> None:
    """Per seed: W₀ (job_bytes' n² terms), U, V factors of rank T·B, W¹ and W^{L+1} with their updates, activations,
    work; M copies when decoupled; once per chunk the float32 n×n draw buffer of a float64 run with hidden matrices.
    (Measured against the engine's tensors and peak RSS in tests/limits/test_memory.py.)"""
    n, L, T, B, P, d = 512, 3, 4, 2, 8, 16
    r = Routine(steps=T, batch=B, probes=P, input_dim=d, dtype="float32")
    entries = (L - 1) * n * n + 2 * (L - 1) * T * B * n + 2 * n * (d + 1) + ACTIVATION_COPIES * L * n * (B + P)
    work = WORK_BYTES * L * n
    assert run_bytes(L, r, n, 1) == entries * 4 + work > job_bytes(n, L, 1, "float32", d, 1)
    assert run_bytes(L, replace(r, decoupled=True), n, 1) == (entries + (L - 1) * n * n) * 4 + work
    assert run_bytes(L, replace(r, dtype="float64"), n, 2) == 2 * (entries * 8 + work) + n * n * 4
    assert run_bytes(1, replace(r, dtype="float64"), n, 1) == (2 * n * (d + 1) + ACTIVATION_COPIES * n * (B + P)) * 8 \
        + WORK_BYTES * n


def test_a_depth_1_network_allocates_no_square_draw_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The float32 n×n buffer is for drawing hidden matrices: a depth-1 float64 network of width 3·10⁵ once asked for
    360 GB it never touched and failed (tp4 limit mlp1 --widths 300000)."""
    import impl.simulation.engine as engine
    from impl.simulation.scaling import layer_scales
    from impl.theory import mup

    asked: list[tuple[int, int]] = []
    real = engine.SquarePool.take

    def take(self: engine.SquarePool, seeds: int, n: int, *rest: Any) -> Any:
        asked.append((seeds, n))
        return real(self, seeds, n, *rest)

    monkeypatch.setattr(engine.SquarePool, "take", take)
    r = Routine(dtype="float64")
    engine.Network(1, r, 64, [0, 1], layer_scales(mup(1), 64, 1.0))
    assert asked == []
    engine.Network(2, r, 64, [0, 1], layer_scales(mup(2), 64, 1.0))
    assert (1, 64) in asked and (2, 64) in asked  # the float32 draw buffer, then W₀² for both seeds


def test_this_machine_reports_its_memory() -> None:
    have = available_bytes()
    assert have is None or have > 0


@pytest.mark.parametrize("argv, words", [
    (["sweep", "mup", "--widths", "64,10000000", "--seeds", "2", "--no-cache"], "needs at least"),
    (["sweep", "mup", "--depth", "100000", "--widths", "64,128", "--seeds", "2"], "at most 100 hidden layers"),
    (["classify", "mup", "--depth", "100000"], "at most 100 hidden layers"),
])
def test_impossible_sizes_are_refused_in_one_line(argv: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and out == "" and len(err.strip().splitlines()) == 1 and words in err
