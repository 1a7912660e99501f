"""Run the report's measurements and collect them into a typed, JSON-serialisable :class:`Report`.

For every parametrization of the suite (the presets of Table 1 — SP, SP with LR 1/n, NTP, MFP
(L = 1), µP — and UP_{1/4} of Theorem G.4, at depths 1–3, plus user specs) one width sweep is run
under the theorem checks' training routine (:class:`theorem_checks.finite.Routine`: tanh, η = 1,
batch 1, labels ±2, 64 probes, T = 2 steps) and every quantity is fitted and decided at every step
by :func:`impl.measurement.analyze`. Those per-quantity decisions are grouped into the statements
of the paper (:mod:`impl.reporting.statements`), each mapped to agree / disagree / inconclusive /
n/a. The largest stable learning rate (Theorem 4.1) is measured for a few presets with
:func:`theorem_checks.finite.max_stable_lr`. Every job goes through the measurement layer's
on-disk cache, keyed per (parametrization, routine, width, seed chunk), so an interrupted run
resumes. No plotting here: :mod:`impl.reporting.render` draws and writes the files.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np
import torch

from impl.experiments.runner import EXPERIMENTS, run_experiment
from impl.limits.archs import ARCHS
from impl.limits.figure4 import Figure4Settings, figure4_data
from impl.measurement import (
    DEFAULT_MARGIN, SweepError, Verdict, analyze, decide, fit_exponent, per_check_alpha, run_sweep,
)
from impl.measurement import code_version as code_digest
from impl.measurement.report import jsonable
from impl.reporting.profiles import (
    DISPLAY, MAX_LR_JOB_VERSION, DeviceRoutine, Profile, lr_routine_on, max_lr_job, sweep_job,
)
from impl.reporting.statements import INCONCLUSIVE, NOT_APPLICABLE, QuantityRecord, StatementResult, judge_statements, verdict_of
from impl.simulation import simulate
from impl.theory import Parametrization, classify, min_stable_c, preset, quantity_names
from theorem_checks.finite import Inconclusive, Routine, simulate_routine

__all__ = ["REPORT_FORMAT", "MaxLRResult", "SpecReport", "Report", "spec_key", "collect_spec", "collect_report"]

REPORT_FORMAT = "tp4-report/1"


@dataclass(frozen=True)
class MaxLRResult:
    """Theorem 4.1's measurement: per width and seed the max stable η, the fitted exponent and its verdict.
    The prediction for η·n^{-c} is n^{c − c*}, c* = ``min_stable_c`` (the learning rate scales like n^{-c*})."""

    widths: tuple[int, ...]
    values: tuple[tuple[float, ...], ...]
    slope: float
    intercept: float
    ci: tuple[float, float]
    predicted: str | None
    verdict: str
    reason: str


@dataclass(frozen=True)
class SpecReport:
    """Everything measured and decided for one parametrization."""

    key: str
    label: str
    spec: str
    name: str | None
    depth: int
    regime: str
    r: str
    stable: bool
    widths: tuple[int, ...]
    seeds: int
    steps: int
    jobs: dict[str, int]
    blowups: int
    statements: tuple[StatementResult, ...]
    quantities: tuple[QuantityRecord, ...]
    max_lr: MaxLRResult | None = None

    def verdicts(self) -> dict[str, str]:
        """statement key → verdict."""
        return {s.key: s.verdict for s in self.statements}


@dataclass(frozen=True)
class Report:
    """A whole report (``to_dict`` gives the JSON form documented in ``reports/README.md``)."""

    created: str
    profile: str
    settings: dict[str, Any]
    environment: dict[str, Any]
    specs: tuple[SpecReport, ...]
    timing: dict[str, float | None]
    figure4: dict[str, Any] | None = None
    paper: dict[str, Any] | None = None
    format: str = REPORT_FORMAT

    def summary(self) -> dict[str, int]:
        """How many (parametrization, statement) cells have each verdict."""
        counts = {v: 0 for v in ("agree", "disagree", "inconclusive", NOT_APPLICABLE)}
        for s in self.specs:
            for v in s.verdicts().values():
                counts[v] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (NaN → null, tuples → lists), with the verdict summary."""
        return {**jsonable(self), "summary": self.summary()}


def spec_key(p: Parametrization, index: int) -> str:
    """A file-name-safe key: ``mup-L2``, ``up-1_4-L3``; user specs without a name: ``spec{index}-L{depth}``."""
    base = p.name or f"spec{index}"
    return "".join(ch if ch.isalnum() or ch in "-_" else ("_" if ch == "/" else "-") for ch in base) + f"-L{p.depth}"


def _max_lr(p: Parametrization, profile: Profile, routine: Routine, run: Callable[..., Any],
            alpha: float) -> MaxLRResult:
    """Fit and decide the max-LR exponent; while inconclusive, retry with twice the seeds (the first come
    from the cache), ``profile.lr_retries`` times, as the Theorem 4.1 check does."""
    c_star = min_stable_c(p)
    predicted = None if c_star is None else str(p.c - c_star)
    nan = float("nan")
    for attempt in range(profile.lr_retries + 1):
        try:
            seeds = tuple(range(profile.lr_seeds * 2 ** attempt))
            result = run(p, routine, profile.lr_widths, seeds, simulate_fn=max_lr_job)
        except SweepError as err:  # an edge outside the η grid (Inconclusive), never clipped
            why = err.failures[0].error if isinstance(err.failures[0].error, Inconclusive) else err
            return MaxLRResult(tuple(profile.lr_widths), (), nan, nan, (nan, nan), predicted, "inconclusive", str(why))
        sizes = result.at("max_lr", 0)
        d = decide(fit_exponent(result.widths, sizes, alpha=alpha), None if predicted is None else Fraction(predicted),
                   margin=DEFAULT_MARGIN)
        if d.verdict in (Verdict.CONSISTENT, Verdict.INCONSISTENT):
            break
    assert d.fit is not None
    return MaxLRResult(result.widths, tuple(map(tuple, sizes.tolist())), d.slope, d.fit.intercept, d.ci,
                       predicted, verdict_of(d), f"{sizes.shape[1]} seeds: {d.reason}")


def collect_spec(p: Parametrization, key: str, profile: Profile, routine: Routine, run: Callable[..., Any],
                 alpha: float, max_lr: bool, log: Callable[[str], None] = lambda line: None) -> SpecReport:
    """Sweep ``p``, analyse every step, group the decisions into statements, optionally measure max LR.
    ``run(p, config, widths, seeds, simulate_fn=...)`` is :func:`run_sweep` bound to an executor and cache."""
    for attempt in range(profile.retries + 1):  # escalate while a statement is undecided
        result = run(p, routine, profile.widths, tuple(range(profile.seeds * 2 ** attempt)), simulate_fn=sweep_job)
        analyses = {t: analyze(result, p, step=t, margin=DEFAULT_MARGIN, alpha=alpha) for t in range(result.steps + 1)}
        statements, records = judge_statements(p, analyses)
        open_keys = [s.key for s in statements if s.verdict == INCONCLUSIVE and s.key != "max_lr"]
        if not open_keys:
            break
        if attempt < profile.retries:
            log(f"  {', '.join(open_keys)} inconclusive with {len(result.seeds)} seeds: "
                f"again with {profile.seeds * 2 ** (attempt + 1)}")
    lr = _max_lr(p, profile, lr_routine_on(routine), run, alpha) if max_lr else None
    if lr is not None:
        statements = tuple(replace(s, verdict=lr.verdict, reason=lr.reason) if s.key == "max_lr" else s
                           for s in statements)
    c = classify(p)
    name = DISPLAY.get(p.name or "", (p.name or p.spec()).replace("up:", "UP_"))
    label = f"{name}, L={p.depth}"
    stats = result.stats
    return SpecReport(key, label, p.spec(), p.name, p.depth, c.regime.value, str(c.r), c.stable, result.widths,
                      len(result.seeds), result.steps,
                      {"total": stats.n_jobs, "cached": stats.n_cached, "computed": stats.n_computed},
                      int(np.sum(result.blowup_step >= 0)), statements, records, lr)


def _figure4(settings: Figure4Settings, alpha: float, log: Callable[[str], None]) -> dict[str, Any]:
    """Figure 4's data (:func:`impl.limits.figure4.figure4_data`) and, per panel, the RMS deviation
    |fₜ − f̊ₜ| from the limit (Theorems 6.1, 6.3, 6.4) fitted against width and described without a
    prediction (vanishes / bounded / …: the theorems give no rate, and this fluctuation is heavy-tailed,
    so it is shown, not judged, and stays out of the verdict matrix)."""
    try:
        result = figure4_data(settings, progress=lambda line: log(f"  figure 4: {line}"))
    except ValueError as err:  # a diverging limit: reported, never a crash
        return {"error": str(err), "result": None, "fits": []}
    fits = []
    for panel in result.panels:
        d = decide(fit_exponent(panel.widths, panel.deviation, alpha=alpha), None, margin=DEFAULT_MARGIN)
        fits.append({"phi": panel.phi, "arch": panel.arch, "depth": ARCHS[panel.arch].depth,
                     "theorem": ARCHS[panel.arch].theorem, "widths": panel.widths, "slope": d.slope, "ci": d.ci,
                     "deviation_rms": panel.deviation_rms, "verdict": d.verdict.value, "reason": d.reason})
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


def _n_decisions(specs: Sequence[Parametrization], n_lr: int, retries: int, lr_retries: int) -> int:
    """The decisions that can turn a statement to ``disagree``: every quantity (stability) plus the
    f₀, Δf, Δx^L and L + 2 update decisions of each parametrization, plus one per max-LR fit — each
    counted once per attempt it may get (a union bound over the retries)."""
    per_attempt = sum(len(quantity_names(p.depth)) + p.depth + 5 for p in specs)
    return per_attempt * (1 + retries) + n_lr * (1 + lr_retries)


def collect_report(profile: Profile, user_specs: Sequence[Parametrization] = (), *, device: str = "cpu",
                   executor: Any = None, cache_dir: str | None = None, progress: bool = False,
                   presets: bool = True, log: Callable[[str], None] = lambda line: None) -> Report:
    """Run the profile's suite (if ``presets``) plus ``user_specs``; ``log`` receives one progress line per step."""
    specs = [preset(n, d) for n, d in profile.presets] if presets else []
    specs += list(user_specs)
    lr_set = set(profile.lr_presets) if presets else set()
    fig4 = profile.figure4 if presets else None
    alpha = per_check_alpha(profile.family_alpha, _n_decisions(specs, len(lr_set), profile.retries, profile.lr_retries))
    routine = DeviceRoutine(device=device)
    version = code_digest(simulate) + code_digest(simulate_routine)

    def run(p: Parametrization, config: Any, widths: Sequence[int], seeds: Sequence[int], simulate_fn: Any) -> Any:
        return run_sweep(p, config, widths, seeds, executor=executor, cache_dir=cache_dir, progress=progress,
                         seed_chunk=min(profile.seed_chunk, len(seeds)), simulate_fn=simulate_fn,
                         code_version=version + (MAX_LR_JOB_VERSION if simulate_fn is max_lr_job else ""))

    out, keys = [], set()
    for i, p in enumerate(specs, start=1):
        key = spec_key(p, i)
        key = key if key not in keys else f"{key}-{i}"  # a --spec repeating a preset
        keys.add(key)
        with_lr = (p.name, p.depth) in lr_set
        log(f"[{i}/{len(specs)}] {p.name or p.spec()} L={p.depth}: sweeping {len(profile.widths)} widths × "
            f"{profile.seeds} seeds" + (" + max-LR search" if with_lr else ""))
        out.append(collect_spec(p, key, profile, routine, run, alpha, with_lr, log))
    figure4 = None
    if fig4 is not None:
        log(f"Figure 4: {len(fig4.phis)} × {len(fig4.archs)} panels, widths {list(fig4.widths)} × {fig4.seeds} seeds")
        figure4 = _figure4(fig4, alpha, log)
    paper = _paper(profile.paper, cache_dir, executor, log) if presets and profile.paper else None
    settings = {"widths": profile.widths, "seeds": profile.seeds, "steps": routine.steps, "routine": routine,
                "lr_routine": lr_routine_on(routine), "lr_widths": profile.lr_widths, "lr_seeds": profile.lr_seeds,
                "margin": DEFAULT_MARGIN, "family_alpha": profile.family_alpha, "alpha": alpha}
    env = {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
           "code_version": version, "machine": platform.machine(), "device": device,
           "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    return Report(env["created_utc"], profile.name, jsonable(settings), env, tuple(out), {}, jsonable(figure4), paper)
