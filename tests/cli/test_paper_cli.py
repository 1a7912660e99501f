"""``tp4 paper``: tables printed, JSON and the figure written, bad input one line with exit 2, and the
per-job cache resumes (the experiments themselves are tested in tests/experiments)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from impl.cli import paper as paper_cli
from impl.cli.main import main
from impl.experiments import ExperimentTable, Row, run_jobs_cached
from impl.experiments.runner import EXPERIMENTS

TABLE = ExperimentTable("word2vec", "Wikipedia excerpt", "analogy accuracy %",
                        (Row("width 64", "finite", (2.0, 1.5), 64), Row("µP limit", "limit", (15.0, 14.0)),
                         Row("random embeddings (NTK/GP)", "baseline", (0.0, 0.0))))


def test_tables_json_and_figure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    seen: dict[str, Any] = {}

    def fake(experiment: str, profile: str, **kw: Any) -> list[ExperimentTable]:
        seen.update(experiment=experiment, profile=profile, cache=kw["cache_dir"])
        return [TABLE]

    monkeypatch.setattr(paper_cli, "run_experiment", fake)
    out, plot = tmp_path / "t.json", tmp_path / "t.png"
    assert main(["paper", "word2vec", "--json", str(out), "--plot", str(plot), "--no-cache", "--no-progress"]) == 0
    assert seen == {"experiment": "word2vec", "profile": "quick", "cache": None}
    assert [ExperimentTable.from_json(t) for t in json.loads(out.read_text())] == [TABLE]
    assert plot.stat().st_size > 1000
    assert "| 1.8 ± 0.4 | 14.5 ± 0.7 | 0.0 ± 0.0 |" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["paper", "maml", "--setting", "omniglot"], "unknown few-shot setting 'omniglot'"),
    (["paper", "word2vec", "--setting", "digits-images"], "unrecognized arguments: --setting"),
    (["paper", "maml", "--plot", "x.svg"], "give a path ending in .png"),
    (["paper", "maml", "--json", "/no/such/dir/x.json"], "does not exist"),
    (["paper", "glove"], "invalid choice"),
    (["paper"], "required: EXPERIMENT"),
])
def test_bad_input_is_one_line_exit_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(args + ["--no-cache"])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2 and message in err and len(err.splitlines()) == 1


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """(usage, rest) of ``tp4 ARGV --help``: the usage block, and the description and options after it."""
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    usage, _, rest = out.partition("\n\n")
    return usage, rest


def test_each_experiment_has_its_own_help(capsys: pytest.CaptureFixture[str]) -> None:
    """``tp4 paper maml --help`` once printed ``tp4 paper --help``: now the overview lists the experiments and each
    experiment's help describes it (what it runs and prints) with its own options."""
    overview = _help(["paper"], capsys)
    helps = {name: _help(["paper", name], capsys) for name in EXPERIMENTS}
    texts = [overview[1]] + [rest for _, rest in helps.values()]
    assert len(set(texts)) == len(texts)  # the descriptions and options differ, not just the usage line
    assert set(helps) == set(paper_cli.DESCRIPTIONS) == {"maml", "word2vec"}
    assert all(name in overview[1] for name in EXPERIMENTS) and "EXPERIMENT --help" in overview[1]
    for name, words in (("maml", ("MAML", "Table 2", "5-way 1-shot", "--setting", "paper-maml.png")),
                        ("word2vec", ("Word2Vec", "Table 3", "analogy", "paper-word2vec.png"))):
        usage, rest = helps[name]
        assert usage.startswith(f"usage: tp4 paper {name} ") and all(w in rest for w in words), (name, rest)
        assert "--profile" in rest and "--json" in rest and "--plot" in rest and "--dask" in rest
    assert "--setting" not in helps["word2vec"][0] + helps["word2vec"][1]
    assert "Table 3" not in helps["maml"][1] and "Table 2" not in helps["word2vec"][1]


def test_profile_help_matches_the_profiles() -> None:
    """The ``--profile`` help is static text (``--help`` imports no experiment): its numbers are the profiles'."""
    from impl.experiments.maml import MAML_PROFILES
    from impl.experiments.word2vec import W2V_PROFILES

    maml = paper_cli.DESCRIPTIONS["maml"].profiles
    for name, prof in MAML_PROFILES.items():
        assert f"{name}{' (default)' if name == 'quick' else ''}: widths {min(prof.widths)}..{max(prof.widths)}, " \
               f"{prof.seeds} seeds, {prof.meta_steps} meta-steps" in maml
    w2v = paper_cli.DESCRIPTIONS["word2vec"].profiles
    for name, wprof in W2V_PROFILES.items():
        c = wprof.config
        assert f"{name}{' (default)' if name == 'quick' else ''}: top {c.vocab} words, {c.epochs} epochs, widths " \
               f"{min(wprof.widths)}..{max(wprof.widths)}, {len(wprof.seeds)} seeds" in w2v


@dataclass(frozen=True)
class _Job:
    n: int

    def key(self) -> str:
        return f"job{self.n}"


CALLS: list[int] = []


def _score(job: _Job) -> float:
    CALLS.append(job.n)
    if job.n == 2 and len(CALLS) < 4:
        raise KeyboardInterrupt  # the first pass is interrupted at job 2
    return 10.0 * job.n


def test_cache_resumes_after_an_interruption(tmp_path: Path) -> None:
    jobs = [_Job(i) for i in range(4)]
    CALLS.clear()
    with pytest.raises(KeyboardInterrupt):
        run_jobs_cached(jobs, _score, cache_dir=tmp_path)
    assert CALLS == [0, 1, 2]  # jobs 0 and 1 finished and were stored
    assert run_jobs_cached(jobs, _score, cache_dir=tmp_path) == [0.0, 10.0, 20.0, 30.0]
    assert CALLS == [0, 1, 2, 2, 3]  # only the unfinished jobs ran again
