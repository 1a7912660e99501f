"""Calibration cases drawn from the public strategies: deterministic, in each statement's population, and
runnable end to end through the calibration driver (one cheap statement, one draw)."""

from __future__ import annotations

from pathlib import Path

from impl.checks import Budget
from impl.checks.calibration import calibrate, summarize
from impl.strategies.draws import POPULATIONS, drawn_cases
from impl.theory import classify


def test_draws_are_deterministic_and_in_their_population() -> None:
    one, two = drawn_cases(6), drawn_cases(6)
    assert one == two and len(one) == 6 * len(POPULATIONS)
    assert len({c.label for c in one}) == len(one)
    for c in one:
        regime, stable = classify(c.p).regime.value, classify(c.p).stable
        if c.statement in ("Thm 3.3 stable", "Thm 3.4", "Cor 3.10", "Thm 5.6"):
            assert stable
        elif c.statement == "Thm 3.3 unstable":
            assert not stable
        elif c.statement == "Thm 3.6/3.8":
            assert regime in ("feature_learning", "kernel")
        elif c.statement == "Thm H.13(3)":
            assert regime == "feature_learning"
    assert len({(c.p.depth, c.routine.phi) for c in one}) > 3  # not one corner of the space


def test_a_drawn_calibration_runs_and_resumes(tmp_path: Path) -> None:
    cases = drawn_cases(1, ["Cor 3.10"])
    cheap = Budget("cheap", (64, 128, 256), seeds=8, retries=1, examples=1, decisions=10)
    log = tmp_path / "log.jsonl"
    records = calibrate(1, log, profile=cheap, cases=cases, cache_dir=str(tmp_path / "cache"))
    assert len(records) == 1 and set(records[0]["outcomes"]) >= {"correct", "+1/8", "-1/8", "flipped"}
    assert records[0]["spec"] == cases[0].p.spec()
    again = calibrate(1, log, profile=cheap, cases=cases, cache_dir=str(tmp_path / "cache"))
    assert again == records and len(log.read_text().splitlines()) == 1  # resumed: nothing rerun
    assert {r.perturbation for r in summarize(records)} >= {"correct", "+1/8"}
