"""Every output path (``--json``, ``--out``, ``--plot``, ``--log``, ``--cache``) is checked before any work: one
line naming the option and what is wrong with the path, exit 2, nothing written to stdout (no sweep ran)."""

from __future__ import annotations

from pathlib import Path

import pytest

from impl.cli.main import main

SWEEP = ["sweep", "mup", "--widths", "32,64", "--seeds", "2", "--steps", "1", "--probes", "4", "--no-progress"]


def cases(tmp: Path) -> list[tuple[list[str], str]]:
    """(argv, the words the error must contain)."""
    a_file = tmp / "a-file"
    a_file.write_text("x")
    ro = Path("/proc")  # no file can be created there, not even by root
    return [
        ([*SWEEP, "--json", str(tmp)], "is a directory"),
        ([*SWEEP, "--json", str(a_file / "out.json")], "is a file, not a directory"),
        ([*SWEEP, "--json", str(tmp / "missing" / "out.json")], "does not exist"),
        ([*SWEEP, "--json", str(ro / "out.json")], "cannot write in /proc"),
        ([*SWEEP, "--cache", str(a_file)], "exists and is not a directory"),
        ([*SWEEP, "--cache", str(ro / "cache")], "cannot write in /proc"),
        (["check", "mup", "--json", str(tmp)], "is a directory"),
        (["report", "--profile", "tiny", "--out", str(a_file)], "exists and is not a directory"),
        (["report", "--profile", "tiny", "--out", str(a_file / "report")], "is a file, not a directory"),
        (["report", "--profile", "tiny", "--out", str(ro / "report")], "cannot write in /proc"),
        (["figure4", "--out", str(tmp)], "--out"),
        (["paper", "maml", "--plot", str(ro / "x.png")], "--plot"),
        (["calibrate-checks", "--runs", "1", "--log", str(tmp)], "--log"),
        (["model", "examples/mup_mlp.py:build", "--json", str(ro / "m.json")], "cannot write in /proc"),
    ]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs a /proc that refuses new files")
@pytest.mark.parametrize("index", range(14))
def test_bad_output_path_is_one_line_before_any_work(index: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv, words = cases(tmp_path)[index]
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and out == "", (argv, out)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tp4: error:") and words in lines[0], (argv, err)
