"""Per-check calibration: each finite-width theorem check's false-alarm rate and power.

A *case* is one check function of a statement module, exactly as the suite calls it, applied to one
parametrization. A *run* is the case under one training routine: φ, η and data seed vary with the
run index (and so do the network seeds, which are derived from the routine), so runs are
independent repetitions of what a hypothesis example does. Each run is judged against

* the **correct** theory — an ``inconsistent`` verdict (:class:`Disagreement`) is a *false alarm*;
  an :class:`Inconclusive` after the retries also turns the suite red, so it is counted too;
* **wrong** theories (:class:`finite.Perturbation`): every exponent claim off by ±1/4 or ±1/2, or
  every behaviour claim flipped (Θ(1) ↔ vanishes, grows ↔ bounded). The *power* is the rate at
  which the check then fails (disagrees, or stays inconclusive); a wrong theory that the check
  accepts is a miss. A perturbation that changes none of a case's claims is ``n/a``.

The wrong theories reuse the correct run's sweeps from the job cache, so they only cost the retries
they trigger. Each finished run is appended to a JSON-lines file at once, so an interrupted
calibration resumes where it stopped (:func:`calibrate`).
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, ClassVar, Iterable, Iterator, Sequence

import torch

from impl.measurement.rates import OutcomeCounts
from impl.theory import Parametrization, classify, parse_spec
from impl.theory.classification import min_stable_c
from theorem_checks import finite
from theorem_checks.finite import LRS, PHIS, Disagreement, Inconclusive, InconclusiveWarning, Perturbation, Routine

__all__ = ["Case", "CASES", "PERTURBATIONS", "routine_for", "run_case", "calibrate", "summarize", "format_table"]

PERTURBATIONS: dict[str, Perturbation] = {
    "correct": Perturbation(),
    "+1/4": Perturbation(Fraction(1, 4)),
    "-1/4": Perturbation(Fraction(-1, 4)),
    "+1/2": Perturbation(Fraction(1, 2)),
    "-1/2": Perturbation(Fraction(-1, 2)),
    "flipped": Perturbation(flip=True),
}
OUTCOMES = ("agree", "warned", "inconclusive", "disagree", "n/a")


@dataclass(frozen=True)
class Case:
    """``check(p, routine)`` of statement ``statement``; ``steps`` of the routine (0: at init)."""

    statement: str
    label: str
    check: Callable[..., None]
    spec: str
    depth: int
    steps: int = finite.STEPS

    @property
    def p(self) -> Parametrization:
        return parse_spec(self.spec, self.depth)


def routine_for(case: Case, run: int) -> Routine:
    """The run-th routine: φ and η cycle through the suite's choices, data seed 10 000 + run."""
    return Routine(phi=PHIS[run % len(PHIS)], lr=LRS[run % len(LRS)], data_seed=10_000 + run, steps=case.steps)


def _cases() -> tuple[Case, ...]:
    from theorem_checks.check_cor_3_9_dichotomy import regime_shows
    from theorem_checks.check_cor_3_10_f0_vanishes import f0_scales_as_predicted
    from theorem_checks.check_thm_3_3_stability import everything_bounded, governed_quantities_misbehave
    from theorem_checks.check_thm_3_4_nontriviality import f_moves_iff_nontrivial
    from theorem_checks.check_thm_5_6_mup_uniqueness import maximal_iff_mup
    from theorem_checks.check_thm_g_4_uniform_parametrization import up_r_follows_r
    from theorem_checks.check_thm_h_13_3_layerwise_feature_learning import ONLY_FIRST_MAXIMAL, features_propagate

    from theorem_checks.check_thm_4_1_standard_parametrization import judge_max_lr

    def up_r(p: Parametrization, routine: Routine) -> None:
        up_r_follows_r((classify(p).r, p.depth), routine)

    def max_lr(p: Parametrization, routine: Routine) -> None:  # tanh, its own GD routine; data seed varies
        c_star = min_stable_c(p)
        assert p.name is not None and c_star is not None, f"{p}: max-LR cases are stable presets"
        judge_max_lr(p.name, -c_star, data_seed=routine.data_seed)

    return (
        Case("Thm 3.3 stable", "bounded µP", everything_bounded, "mup", 2),
        Case("Thm 3.3 stable", "bounded NTP", everything_bounded, "ntp", 2),
        Case("Thm 3.3 unstable", "SP grows", governed_quantities_misbehave, "sp", 2),
        Case("Thm 3.3 unstable", "init violated", governed_quantities_misbehave, "a=0,0,1/2;b=0,0,1/2;c=0", 2),
        Case("Thm 3.3 unstable", "a+b+r violated", governed_quantities_misbehave, "a=-1/4,1/4,1/2;b=1/4,1/4,0;c=0", 2),
        Case("Thm 3.4", "µP moves f", f_moves_iff_nontrivial, "mup", 2),
        Case("Thm 3.4", "trivial freezes f", f_moves_iff_nontrivial, "a=-1/2,0,1/2;b=1/2,1/2,1/2;c=1/2", 2),
        Case("Thm 3.6/3.8", "µP learns features", regime_shows, "mup", 2),
        Case("Thm 3.6/3.8", "NTP kernel regime", regime_shows, "ntp", 2),
        Case("Cor 3.10", "µP f0", f0_scales_as_predicted, "mup", 2, steps=0),
        Case("Cor 3.10", "UP_1/4 f0", f0_scales_as_predicted, "up:1/4", 2, steps=0),
        Case("Thm 5.6", "µP maximal", maximal_iff_mup, "mup", 2),
        Case("Thm 5.6", "NTP not maximal", maximal_iff_mup, "ntp", 2),
        Case("Thm H.13(3)", "layer 1 only maximal", features_propagate, ONLY_FIRST_MAXIMAL.spec(), 2),
        Case("Thm G.4", "UP_1/4", up_r, "up:1/4", 2),
        Case("Thm G.4", "UP_1/2", up_r, "up:1/2", 1),
        Case("Thm 4.1 max LR", "SP ~ n^-1", max_lr, "sp", 2),
        Case("Thm 4.1 max LR", "µP ~ n^0", max_lr, "mup", 2),
    )


CASES: tuple[Case, ...] = _cases()


def _outcome(case: Case, routine: Routine, perturbation: Perturbation) -> str:
    with finite.perturbed(perturbation), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InconclusiveWarning)
        try:
            case.check(case.p, routine)
            result = "agree"
        except Disagreement:
            result = "disagree"
        except Inconclusive:
            result = "inconclusive"
        changed = any(finite.CHANGED)
    if perturbation != PERTURBATIONS["correct"] and not changed:
        return "n/a"
    if result == "agree" and any(issubclass(w.category, InconclusiveWarning) for w in caught):
        return "warned"
    return result


def run_case(index: int, run: int) -> dict[str, object]:
    """Every perturbation of case ``index`` under the run-th routine (one record of the log)."""
    torch.set_num_threads(1)
    case = CASES[index]
    routine = routine_for(case, run)
    outcomes = {name: _outcome(case, routine, pert) for name, pert in PERTURBATIONS.items()}
    return {"statement": case.statement, "case": case.label, "run": run, "routine": str(routine),
            "profile": finite.PROFILE, "outcomes": outcomes}


def _done(log: Path) -> set[tuple[str, int]]:
    if not log.exists():
        return set()
    out = set()
    for line in log.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            out.add((rec["case"], int(rec["run"])))
    return out


def calibrate(runs: int, log: Path, *, jobs: int = 1, statements: Sequence[str] | None = None,
              progress: Callable[[dict[str, object]], None] | None = None) -> list[dict[str, object]]:
    """Run every case ``runs`` times (skipping runs already in ``log``), appending each record to
    ``log`` as it finishes; returns all records of the log for the selected statements."""
    chosen = [i for i, c in enumerate(CASES) if statements is None or c.statement in statements]
    done = _done(log)
    todo = [(i, k) for k in range(runs) for i in chosen if (CASES[i].label, k) not in done]
    log.parent.mkdir(parents=True, exist_ok=True)

    def record(rec: dict[str, object]) -> None:
        with log.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(rec) + "\n")
        if progress:
            progress(rec)

    if jobs <= 1:
        for i, k in todo:
            record(run_case(i, k))
    else:
        with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
            for rec in _as_completed(pool, todo):
                record(rec)
    labels = {CASES[i].label for i in chosen}
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()
            if line.strip() and json.loads(line)["case"] in labels and int(json.loads(line)["run"]) < runs]


def _as_completed(pool: ProcessPoolExecutor, todo: Iterable[tuple[int, int]]) -> Iterator[dict[str, object]]:
    from concurrent.futures import as_completed

    futures = [pool.submit(run_case, i, k) for i, k in todo]
    for fut in as_completed(futures):
        yield fut.result()


@dataclass(frozen=True)
class CheckRates(OutcomeCounts):
    """Outcome counts of one statement's cases under one perturbation; "n/a" outcomes do not count
    (rates with Clopper–Pearson bounds: :class:`~impl.measurement.rates.OutcomeCounts`)."""

    excluded: ClassVar[tuple[str, ...]] = ("n/a",)
    statement: str
    perturbation: str
    counts: dict[str, int]


def summarize(records: Iterable[dict[str, object]]) -> list[CheckRates]:
    """Counts per (statement, perturbation), in the order of :data:`CASES` and :data:`PERTURBATIONS`."""
    counts: dict[tuple[str, str], Counter[str]] = {}
    for rec in records:
        for pert, outcome in rec["outcomes"].items():  # type: ignore[attr-defined]
            counts.setdefault((str(rec["statement"]), pert), Counter())[outcome] += 1
    order = list(dict.fromkeys(c.statement for c in CASES))
    return [CheckRates(s, p, dict(counts[(s, p)])) for s in order for p in PERTURBATIONS if (s, p) in counts]


def format_table(rates: Sequence[CheckRates]) -> str:
    """Markdown: per statement, runs, false alarms (+ inconclusive) under the correct theory, and the
    failure rate (disagree or inconclusive) under each wrong theory."""
    wrong = [p for p in PERTURBATIONS if p != "correct"]
    head = ("| statement | case runs | false alarm (95% upper) | inconclusive | warned | "
            + " | ".join(f"fails when {p}" for p in wrong) + " |")
    out = [head, "|" + "---|" * (5 + len(wrong))]
    by = {(r.statement, r.perturbation): r for r in rates}
    for s in dict.fromkeys(r.statement for r in rates):
        ok = by.get((s, "correct"))
        if ok is None:
            continue
        cells = [s, str(ok.total), f"{ok.rate('disagree'):.2f} ({ok.upper('disagree'):.2f})",
                 f"{ok.rate('inconclusive'):.2f}", f"{ok.rate('warned'):.2f}"]
        for p in wrong:
            r = by.get((s, p))
            cells.append("n/a" if r is None or not r.total else f"{r.rate('disagree', 'inconclusive'):.2f} ({r.total})")
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)
