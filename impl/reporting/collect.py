"""Run a report's checks and measurements into a typed, JSON-serialisable :class:`~impl.reporting.results.Report`.

For every parametrization of the profile (the presets of Table 1 — SP, SP with LR 1/n, NTP, MFP
(L = 1), µP — and UP_{1/4} of Theorem G.4, at depths 1–3, plus user specs) every statement of
:data:`impl.checks.STATEMENTS` is decided by the checks layer on the theorem checks' routine
(:data:`impl.checks.ROUTINE`, on the chosen device), with the profile's budget: its widths and first
seeds, doubled while a statement is undecided. The largest stable learning rate (Theorem 4.1) is
measured only for the profile's ``lr_presets``. Every quantity of the routine's sweep is then fitted
at every step for the coordinate-check figures (the sweep comes back from the job cache). Every job goes
through the measurement layer's on-disk cache, keyed per (parametrization, routine, width, seed chunk),
so an interrupted run resumes. No plotting here: :mod:`impl.reporting.render` draws and writes the files.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import platform
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

import numpy as np
import torch

from impl.checks import (
    ROUTINE,
    STATEMENTS,
    Budget,
    CheckResult,
    Sweeps,
    Theory,
    planned_decisions,
)
from impl.checks.evidence import not_applicable
from impl.checks.max_lr import lr_routine, max_lr_job
from impl.checks.parametrization import statement_routine
from impl.experiments.runner import EXPERIMENTS, run_experiment
from impl.limits.archs import ARCHS
from impl.limits.figure4 import Figure4Settings, figure4_data
from impl.measurement import DEFAULT_MARGIN, analyze, code_version, decide, fit_exponent
from impl.measurement.report import jsonable
from impl.reporting.profiles import DISPLAY, Profile
from impl.reporting.results import (
    MaxLRResult,
    Report,
    SpecReport,
    quantity_records,
    spec_key,
)
from impl.simulation import Routine, simulate
from impl.theory import Parametrization, classify, preset

__all__ = ["collect_spec", "collect_report"]

_MAIN = ("stability", "nontriviality", "maximal_updates", "layerwise_feature_learning", "uniform", "regime")
"""Statements decided on the routine's own sweep (the coordinate checks show its largest seed count)."""


def _max_lr(p: Parametrization, result: CheckResult, routine: Routine, budget: Budget, sweeps: Sweeps) -> MaxLRResult:
    """The max-LR verdict with its per-seed values (from the cache) for the figure."""
    claim = result.claims[0] if result.claims else None
    nan = math.nan
    if claim is None:  # an edge outside the η grid: undecided, no fit
        return MaxLRResult(tuple(budget.lr_widths), (), nan, nan, (nan, nan), None, result.verdict.value, result.reason)
    sweep = sweeps.run(p, lr_routine(routine), budget.lr_widths, claim.seeds, job=max_lr_job)
    sizes = sweep.at("max_lr", 0)
    fit = fit_exponent(sweep.widths, sizes, alpha=budget.alpha)
    intercept = getattr(fit, "intercept", nan)
    predicted = claim.claim.removeprefix("n^")
    return MaxLRResult(sweep.widths, tuple(map(tuple, sizes.tolist())), claim.slope, intercept, (claim.ci.low, claim.ci.high),
                       predicted, result.verdict.value, f"{claim.seeds} seeds: {claim.reason}")


def collect_spec(p: Parametrization, key: str, profile: Profile, routine: Routine, sweeps: Sweeps, budget: Budget,
                 max_lr: bool, log: Callable[[str], None] = lambda line: None) -> SpecReport:
    """Every statement for ``p`` (the max-LR search only if ``max_lr``), then the quantity records."""
    results = []
    for skey, (statement, fn) in STATEMENTS.items():
        if skey == "max_lr" and not max_lr:
            results.append(not_applicable(statement, p, Theory(p), routine, "—", "not measured in this profile"))
            continue
        own = replace(statement_routine(skey, str(routine.phi)), device=routine.device)
        result = fn(p, own, budget, sweeps=sweeps)
        log(f"  {statement.title}: {result.verdict}" + (f" ({result.reason[:120]})" if not result.agrees else ""))
        results.append(result)
    seeds = max((c.seeds for r in results if r.statement in _MAIN for c in r.claims), default=budget.seeds)
    sweep = sweeps.run(p, routine, budget.widths, seeds)
    analyses = {t: analyze(sweep, p, step=t, margin=budget.margin, scalar_margin=budget.scalar_margin,
                            alpha=budget.alpha) for t in range(sweep.steps + 1)}
    lr = _max_lr(p, results[list(STATEMENTS).index("max_lr")], routine, budget, sweeps) if max_lr else None
    c = classify(p)
    name = DISPLAY.get(p.name or "", (p.name or p.spec()).replace("up:", "UP_"))
    stats = sweep.stats
    return SpecReport(key, f"{name}, L={p.depth}", p.spec(), p.name, p.depth, c.regime.value, str(c.r), c.stable,
                      sweep.widths, len(sweep.seeds), sweep.steps,
                      {"total": stats.n_jobs, "cached": stats.n_cached, "computed": stats.n_computed},
                      int(np.sum(sweep.blowup_step >= 0)), tuple(results), quantity_records(analyses), lr)


def _figure4(settings: Figure4Settings, alpha: float, log: Callable[[str], None]) -> dict[str, Any]:
    """Figure 4's data (:func:`impl.limits.figure4.figure4_data`) and, per panel, the RMS deviation
    |fₜ − f̊ₜ| from the limit (Theorems 6.1, 6.3, 6.4) fitted against width and described by its trend
    (the theorems give no rate, and this fluctuation is heavy-tailed, so it is shown, not judged, and
    stays out of the verdict matrix; the theorem suite judges it: ``theorem_checks/check_figure_4.py``)."""
    try:
        result = figure4_data(settings, progress=lambda line: log(f"  figure 4: {line}"))
    except ValueError as err:  # a diverging limit: reported, never a crash
        return {"error": str(err), "result": None, "fits": []}
    fits = []
    for panel in result.panels:
        d = decide(fit_exponent(panel.widths, panel.deviation, alpha=alpha), None, margin=DEFAULT_MARGIN)
        fits.append({"phi": panel.phi, "arch": panel.arch, "depth": ARCHS[panel.arch].depth,
                     "theorem": ARCHS[panel.arch].theorem, "widths": panel.widths, "slope": d.slope, "ci": d.ci,
                     "deviation_rms": panel.deviation_rms, "trend": d.trend.value, "reason": d.reason})
    return {"error": None, "result": result.to_json(), "fits": fits}


def _paper(profile: str, cache_dir: str | None, executor: Any, log: Callable[[str], None]) -> dict[str, Any]:
    """The paper's experiments in miniature (Tables 2, 3; :mod:`impl.experiments`): per experiment its
    tables as JSON, or the one-line error that stopped it (missing package data, …) — never a crash."""
    out: dict[str, Any] = {}
    for experiment in EXPERIMENTS:
        log(f"paper: {experiment} ({profile} profile)")
        try:
            tables = run_experiment(experiment, profile, cache_dir=cache_dir, executor=executor,
                                    progress=lambda line: log(f"  {experiment}: {line}"))
        except (ValueError, ImportError, OSError) as err:
            out[experiment] = {"error": f"{type(err).__name__}: {err}", "tables": []}
        else:
            out[experiment] = {"error": None, "tables": [t.to_json() for t in tables]}
    return out


def collect_report(profile: Profile, user_specs: Sequence[Parametrization] = (), *, device: str = "cpu",
                   executor: Any = None, cache_dir: str | None = None, progress: bool = False,
                   presets: bool = True, log: Callable[[str], None] = lambda line: None) -> Report:
    """Run the profile's suite (if ``presets``) plus ``user_specs``; ``log`` receives one progress line per step.

    Each claim's α is the profile's family α split over every claim the report may decide
    (:func:`impl.checks.planned_decisions`), spent over the claim's retries (:meth:`Budget.alpha_at`), so
    the chance of any false ``disagree`` in the whole report is ≤ family α / 2."""
    specs = [preset(n, d) for n, d in profile.presets] if presets else []
    specs += list(user_specs)
    lr_set = set(profile.lr_presets) if presets else set()
    fig4 = profile.figure4 if presets else None
    keys = [k for k in STATEMENTS if k != "max_lr"]
    n = planned_decisions([p.depth for p in specs], profile.budget, keys) + len(lr_set)
    budget = replace(profile.budget, decisions=n)
    routine = replace(ROUTINE, device=device)
    sweeps = Sweeps(cache_dir=cache_dir, executor=executor, progress=progress)
    out, seen = [], set()
    for i, p in enumerate(specs, start=1):
        key = spec_key(p, i)
        key = key if key not in seen else f"{key}-{i}"  # a --spec repeating a preset
        seen.add(key)
        with_lr = (p.name, p.depth) in lr_set
        log(f"[{i}/{len(specs)}] {p.name or p.spec()} L={p.depth}: every statement over widths "
            f"{list(budget.widths)}, {budget.seeds}+ seeds" + (" + max-LR search" if with_lr else ""))
        out.append(collect_spec(p, key, profile, routine, sweeps, budget, with_lr, log))
    figure4 = None
    if fig4 is not None:
        log(f"Figure 4: {len(fig4.phis)} × {len(fig4.archs)} panels, widths {list(fig4.widths)} × {fig4.seeds} seeds")
        figure4 = _figure4(fig4, budget.alpha, log)
    # the experiments set process-wide BLAS limits per job: on threads they would race, so they run in-process then
    paper_executor = None if isinstance(executor, cf.ThreadPoolExecutor) else executor
    paper = _paper(profile.paper, cache_dir, paper_executor, log) if presets and profile.paper else None
    settings = {"widths": budget.widths, "seeds": budget.seeds, "retries": budget.retries, "steps": routine.steps,
                "routine": routine, "lr_routine": lr_routine(routine), "lr_widths": budget.lr_widths,
                "lr_seeds": budget.lr_seeds, "margin": budget.margin, "scalar_margin": budget.scalar_margin, "family_alpha": budget.family_alpha,
                "decisions": budget.decisions, "alpha": budget.alpha}
    env = {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
           "code_version": code_version(simulate), "machine": platform.machine(), "device": device,
           "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    return Report(env["created_utc"], profile.name, jsonable(settings), env, tuple(out), {}, jsonable(figure4), paper)
