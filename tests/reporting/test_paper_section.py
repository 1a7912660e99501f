"""The nightly report's "Tables 2 and 3 in miniature" section: tables, notes and the accuracy-vs-width
figure come from the experiments' tables; an experiment that cannot run is reported, not a crash.
The experiments themselves are replaced by a fixed table here (they are tested in tests/experiments)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from impl.cli.main import main
from impl.experiments import ExperimentTable, Row
from impl.reporting import collect, profiles

TABLE = ExperimentTable("maml", "digits, image split", "5-way 1-shot accuracy %",
                        (Row("width 2", "finite", (60.0, 61.0, 59.5), 2), Row("width 64", "finite", (84.0, 85.0, 84.5), 64),
                         Row("µP limit", "limit", (86.0, 86.4, 86.2)), Row("relu NTK", "baseline", (75.0, 75.4, 75.1))),
                        notes=("a fixed table standing in for the experiment",))


def test_paper_tables_are_rendered_and_failures_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(experiment: str, profile: str, **kw: Any) -> list[ExperimentTable]:
        assert profile == "quick"
        if experiment == "word2vec":
            raise ValueError("gensim's test data not found")
        return [TABLE]

    tiny = replace(profiles.PROFILES["tiny"], presets=(("mup", 1),), lr_presets=(), figure4=None, paper="quick")
    monkeypatch.setitem(profiles.PROFILES, "tiny", tiny)
    monkeypatch.setattr(collect, "run_experiment", fake)
    out = tmp_path / "report"
    assert main(["report", "--profile", "tiny", "--out", str(out), "--cache", str(tmp_path / "cache"), "--no-progress"]) == 0
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert ExperimentTable.from_json(doc["paper"]["maml"]["tables"][0]) == TABLE
    assert doc["paper"]["word2vec"] == {"error": "ValueError: gensim's test data not found", "tables": []}
    assert doc["figures"]["paper"] == {"maml": "paper-maml.png"} and (out / "paper-maml.png").stat().st_size > 1000
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="paper"' in html and "86.2 ± 0.2" in html and "gensim&#x27;s test data not found" in html
    assert "| width 2 | width 64 | µP limit | relu NTK |" in (out / "report.md").read_text(encoding="utf-8")
