"""Per-check calibration: each finite-width check's false-alarm rate, undecided rate and power.

A *case* is one check of :mod:`impl.checks` applied to one parametrization. A *run* is the case under
one training routine: φ, η and data seed vary with the run index (and so do the network seeds, which
are derived from the routine), so runs are independent repetitions of what a hypothesis example does.
Each run is judged against

* the **correct** theory — ``disagree`` is a *false alarm*; ``undecided`` after the retries fails the
  suite too (never a pass), so it is counted apart;
* **wrong** theories (:class:`~impl.checks.Theory`): every exponent claim off by ±1/8, ±1/4 or ±1/2, only
  the last exponent claim off by ±1/4 (a single wrong layer among right ones), or every behaviour claim flipped (Θ(1) ↔ vanishes, grows ↔ bounded). The *power* is the rate at which the
  check then does not agree (disagrees, or stays undecided); a wrong theory that agrees is a miss. A
  perturbation that changes none of a case's claims is ``n/a``.

The budget is an argument (profile ``dev``, ``ci`` or ``nightly``; its α is the suite's: the checks are
calibrated as the suite runs them). The wrong theories reuse the correct run's sweeps from the job cache,
so they only cost the retries they trigger. Each finished run is appended to a JSON-lines log at once,
with the profile and a digest of the code that decided it, so an interrupted calibration resumes where
it stopped — and a log written by other code is not counted as this code's results.
"""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from fractions import Fraction
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, ClassVar, Iterable, Iterator, Sequence

from impl.checks import (
    dichotomy,
    f0,
    layerwise,
    max_lr,
    maximal_updates,
    nontriviality,
    stability,
    uniform,
)
from impl.checks.budget import Budget, budget_for
from impl.checks.evidence import LRS, PHIS, ROUTINE, Sweeps
from impl.checks.results import CheckResult
from impl.checks.theory import Theory
from impl.measurement import OutcomeCounts, Verdict, code_version, decide
from impl.simulation import Routine, one_thread, simulate
from impl.theory import Parametrization, parse_spec, predicted_exponents

__all__ = ["Case", "CASES", "PERTURBATIONS", "routine_for", "run_case", "calibrate", "calibrated_code", "summarize",
           "format_table", "CheckRates"]

PERTURBATIONS: dict[str, tuple[Fraction, bool, bool]] = {
    "correct": (Fraction(0), False, False),
    "+1/8": (Fraction(1, 8), False, False),
    "-1/8": (Fraction(-1, 8), False, False),
    "+1/4": (Fraction(1, 4), False, False),
    "-1/4": (Fraction(-1, 4), False, False),
    "+1/2": (Fraction(1, 2), False, False),
    "-1/2": (Fraction(-1, 2), False, False),
    "one +1/4": (Fraction(1, 4), False, True),
    "one -1/4": (Fraction(-1, 4), False, True),
    "flipped": (Fraction(0), True, False),
}
"""name → (exponent offset, flip behaviours, offset on one claim only: a single wrong layer among right ones)."""
CheckFn = Callable[..., CheckResult]


@dataclass(frozen=True)
class Case:
    """``check(p, routine, budget, against=…)`` of ``statement`` on the parametrization ``spec`` (depth).

    ``routine`` fixes the training routine (a case drawn at random, :mod:`impl.strategies.draws`); without one
    the run index chooses it (:func:`routine_for`)."""

    statement: str
    label: str
    check: CheckFn
    spec: str
    depth: int
    routine: Routine | None = None

    @property
    def p(self) -> Parametrization:
        return parse_spec(self.spec, self.depth)


CASES: tuple[Case, ...] = (
    Case("Thm 3.3 stable", "bounded µP", stability.check_stability, "mup", 2),
    Case("Thm 3.3 stable", "bounded NTP", stability.check_stability, "ntp", 2),
    Case("Thm 3.3 unstable", "SP grows", stability.check_stability, "sp", 2),
    Case("Thm 3.3 unstable", "init violated", stability.check_stability, "a=0,0,1/2;b=0,0,1/2;c=0", 2),
    Case("Thm 3.3 unstable", "a+b+r violated", stability.check_stability, "a=-1/4,1/4,1/2;b=1/4,1/4,0;c=0", 2),
    Case("Thm 3.4", "µP moves f", nontriviality.check_nontriviality, "mup", 2),
    Case("Thm 3.4", "trivial freezes f", nontriviality.check_nontriviality, "a=-1/2,0,1/2;b=1/2,1/2,1/2;c=1/2", 2),
    Case("Thm 3.6/3.8", "µP learns features", dichotomy.check_dichotomy, "mup", 2),
    Case("Thm 3.6/3.8", "NTP kernel regime", dichotomy.check_dichotomy, "ntp", 2),
    Case("Cor 3.10", "µP f0", f0.check_f0, "mup", 2),
    Case("Cor 3.10", "UP_1/4 f0", f0.check_f0, "up:1/4", 2),
    Case("Thm 5.6", "µP maximal", maximal_updates.check_maximal_updates, "mup", 2),
    Case("Thm 5.6", "NTP not maximal", maximal_updates.check_maximal_updates, "ntp", 2),
    Case("Thm H.13(3)", "layer 1 only maximal", layerwise.check_layerwise_feature_learning,
         "a=-1/2,1/4,1/2;b=1/2,1/4,1/2;c=0", 2),
    Case("Thm G.4", "UP_1/4", uniform.check_uniform_parametrization, "up:1/4", 2),
    Case("Thm G.4", "UP_1/2", uniform.check_uniform_parametrization, "up:1/2", 1),
    Case("Thm 4.1 max LR", "SP ~ n^-1", max_lr.check_max_lr, "sp", 2),
    Case("Thm 4.1 max LR", "µP ~ n^0", max_lr.check_max_lr, "mup", 2),
)


def routine_for(case: Case, run: int) -> Routine:
    """The run-th routine: φ and η cycle through the suite's choices, data seed 10 000 + run. (The
    max-LR search keeps tanh, as the suite's check does, and varies the data seed.)"""
    if case.routine is not None:
        return case.routine
    phi = "tanh" if case.check is max_lr.check_max_lr else PHIS[run % len(PHIS)]
    return replace(ROUTINE, phi=phi, lr=LRS[run % len(LRS)], data_seed=10_000 + run)


def calibrated_code() -> str:
    """A digest of the code a calibration record depends on: the theory, the checks, the engine, the decisions
    (every ``.py`` file of those packages, :func:`impl.measurement.code_version`)."""
    return (code_version(predicted_exponents) + code_version(stability.check_stability) + code_version(simulate)
            + code_version(decide))


def _outcome(result: CheckResult, perturbed: bool) -> str:
    if perturbed and not result.perturbed:
        return "n/a"
    return result.verdict.value


def run_case(case: Case, run: int, profile: "str | Budget" = "ci", cache_dir: str | None = None) -> dict[str, object]:
    """Every perturbation of ``case`` under the run-th routine (one record of the log)."""
    budget = budget_for(profile)
    routine = routine_for(case, run)
    sweeps = Sweeps(cache_dir=cache_dir)
    outcomes = {}
    with one_thread():
        for name, (offset, flip, single) in PERTURBATIONS.items():
            theory = Theory(case.p, offset=offset, flip=flip, single=single)
            result = case.check(case.p, routine, budget, against=theory, sweeps=sweeps)
            outcomes[name] = _outcome(result, name != "correct")
    return {"statement": case.statement, "case": case.label, "run": run, "spec": case.p.spec(), "routine": repr(routine),
            "profile": budget.profile, "code": calibrated_code(), "outcomes": outcomes}


def _records(log: Path, profile: str, code: str) -> list[dict[str, object]]:
    """The log's records of this profile and this code."""
    if not log.exists():
        return []
    out = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in out if r.get("profile") == profile and r.get("code") == code]


def calibrate(runs: int, log: Path, *, profile: "str | Budget" = "ci", jobs: int = 1,
              statements: Sequence[str] | None = None, cache_dir: str | None = None,
              progress: Callable[[dict[str, object]], None] | None = None,
              cases: Sequence[Case] = CASES) -> list[dict[str, object]]:
    """Run every case (default the presets, :data:`CASES`) ``runs`` times under ``profile`` (skipping runs
    already in ``log`` for that profile), appending each record to ``log`` as it finishes; returns the log's
    records for the selected cases, statements and profile."""
    budget, code = budget_for(profile), calibrated_code()
    chosen = [c for c in cases if statements is None or c.statement in statements]
    done = {(str(r["case"]), int(r["run"])) for r in _records(log, budget.profile, code)}  # type: ignore[call-overload]
    todo = [(c, k) for k in range(runs) for c in chosen if (c.label, k) not in done]
    log.parent.mkdir(parents=True, exist_ok=True)

    def record(rec: dict[str, object]) -> None:
        with log.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(rec) + "\n")
        if progress:
            progress(rec)

    if jobs <= 1:
        for c, k in todo:
            record(run_case(c, k, budget, cache_dir))
    else:
        with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
            for rec in _as_completed(pool, todo, budget, cache_dir):
                record(rec)
    labels = {c.label for c in chosen}
    return [r for r in _records(log, budget.profile, code) if r["case"] in labels and int(r["run"]) < runs]  # type: ignore[call-overload]


def _as_completed(pool: ProcessPoolExecutor, todo: Iterable[tuple[Case, int]], budget: Budget,
                  cache_dir: str | None) -> Iterator[dict[str, object]]:
    futures = [pool.submit(run_case, c, k, budget, cache_dir) for c, k in todo]
    for fut in as_completed(futures):
        yield fut.result()


@dataclass(frozen=True)
class CheckRates(OutcomeCounts):
    """Outcome counts of one statement's cases under one perturbation; "n/a" outcomes do not count
    (rates with Clopper–Pearson bounds: :class:`~impl.measurement.OutcomeCounts`)."""

    excluded: ClassVar[tuple[str, ...]] = (Verdict.NOT_APPLICABLE.value,)
    statement: str
    perturbation: str
    counts: dict[str, int]


def summarize(records: Iterable[dict[str, object]]) -> list[CheckRates]:
    """Counts per (statement, perturbation), in the order of :data:`CASES` and :data:`PERTURBATIONS`."""
    counts: dict[tuple[str, str], Counter[str]] = {}
    for rec in records:
        for pert, outcome in rec["outcomes"].items():  # type: ignore[attr-defined]
            counts.setdefault((str(rec["statement"]), pert), Counter())[outcome] += 1
    order = list(dict.fromkeys([c.statement for c in CASES] + [s for s, _ in counts]))
    return [CheckRates(s, p, dict(counts[(s, p)])) for s in order for p in PERTURBATIONS if (s, p) in counts]


def format_table(rates: Sequence[CheckRates]) -> str:
    """Markdown: per statement, runs, false alarms under the correct theory (with a 95% upper bound),
    undecided runs, and the rate at which each wrong theory is not agreed with (the power)."""
    wrong = [p for p in PERTURBATIONS if p != "correct"]
    head = ("| statement | case runs | false alarm (95% upper) | undecided | "
            + " | ".join(f"fails when {p}" for p in wrong) + " |")
    out = [head, "|" + "---|" * (4 + len(wrong))]
    by = {(r.statement, r.perturbation): r for r in rates}
    for s in dict.fromkeys(r.statement for r in rates):
        ok = by.get((s, "correct"))
        if ok is None:
            continue
        cells = [s, str(ok.total), f"{ok.rate('disagree'):.2f} ({ok.upper('disagree'):.2f})", f"{ok.rate('undecided'):.2f}"]
        for p in wrong:
            r = by.get((s, p))
            cells.append("n/a" if r is None or not r.total else f"{r.rate('disagree', 'undecided'):.2f} ({r.total})")
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)
