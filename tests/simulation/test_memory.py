"""The up-front memory bound of a sweep job (impl.simulation.memory) and the CLI's refusals built on it."""

from __future__ import annotations

import pytest

from impl.cli.main import main
from impl.simulation.memory import available_bytes, format_bytes, job_bytes, memory_shortfall


def test_job_bytes_counts_the_hidden_matrices_and_the_input_and_readout_weights() -> None:
    # L = 3, width 2^15, one float32 seed: two n×n matrices are 8 GiB (README: peak RSS 8.6 GiB)
    assert job_bytes(2**15, 3, 1, "float32", 16, 1) == (2 * 2**30 + 2**15 * 17) * 4
    assert job_bytes(100, 1, 4, "float64", 16, 2) == 4 * 100 * 18 * 8  # L = 1: no n×n matrix
    assert job_bytes(64, 2, 2, "float64", 16, 1) < job_bytes(64, 2, 2, "float64", 16, 1) * 2 == job_bytes(64, 2, 4, "float64", 16, 1)


def test_shortfall_names_what_is_needed_and_what_there_is() -> None:
    why = memory_shortfall([64, 4096], 3, 8, "float64", 16, 1, available=2**30)
    assert why is not None and "width 4096" in why and "L = 3" in why and "8 seeds" in why and "1.0 GiB available" in why
    assert memory_shortfall([64, 128], 2, 8, "float64", 16, 1, available=2**30) is None
    assert format_bytes(1536) == "1.5 KiB" and format_bytes(3) == "3 B"


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
