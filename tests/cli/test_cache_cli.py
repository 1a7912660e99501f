"""``tp4 cache``: where the job cache is, how much it holds, and ``--clear`` deleting only tp4's files."""

from __future__ import annotations

from pathlib import Path

import pytest

from impl.cli.main import main


def test_show_and_clear_touch_only_tp4_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a" * 64 + ".npz", "0" * 64 + ".npz"):
        (tmp_path / name).write_bytes(b"x" * 10)
    (tmp_path / "paper" / "maml").mkdir(parents=True)
    (tmp_path / "paper" / "maml" / "job-1234abcd.json").write_text("{}")
    keep = [tmp_path / "notes.npz", tmp_path / "mine.txt"]
    for p in keep:
        p.write_text("mine")
    assert main(["cache", "--dir", str(tmp_path)]) == 0
    assert f"{tmp_path}: 3 cached jobs" in capsys.readouterr().out
    assert main(["cache", "--dir", str(tmp_path), "--clear"]) == 0
    assert "cleared 3 cached jobs" in capsys.readouterr().out
    assert sorted(tmp_path.iterdir()) == sorted(keep)  # the paper/ tree was emptied and removed, the rest kept


def test_default_directory_honours_tp4_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TP4_CACHE_DIR", str(tmp_path / "c"))
    assert main(["cache"]) == 0
    assert capsys.readouterr().out.strip() == f"{tmp_path / 'c'}: 0 cached jobs, 0 B (not created yet)"
