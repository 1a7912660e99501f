"""Theorem 4.1 and the largest stable learning rate — Section 4, Section 3.2 (docs/theory.md §2.9, §2.11).

*In words:* for fixed (a, b) the least c that keeps a parametrization stable is c* (Theorem 3.3's
conditions; ``min_stable_c``), so with learning rate η·n^{−c} the largest stable η scales like
n^{c − c*}. Standard parametrization (Theorem 4.1) needs c* = 1: its largest stable learning rate is
Θ(1/n), and then it is in the kernel regime; µP and NTP have c* = 0.

The check: per width and seed, the largest stable η on the grid 2^{k/4} (2^{−12} … 2^6), found by
bisection; *diverged* means full-batch gradient descent on 8 fixed examples (labels ±2, MSE, the
routine's φ and data seed, T = 20 steps, float32 — the same edges as float64 on every measured seed,
and faster) has a non-finite training loss or one above 10× the initial loss at some step ≤ T. The
bisection assumes divergence is monotone in η (true in every scan we ran: the loss ratio grows with η
once the catapult or blow-up sets in). An edge outside the grid is undecided, never clipped. The
per-seed max η over the budget's ``lr_widths`` is fitted like any size (``lr_seeds`` seeds first,
doubled while undecided) and decided against c − c*. The grid quantises each log2 η to 0.25, i.e. a
per-seed slope over 4 octaves to ±0.06; the fit uses the RMS over seeds at each width, which averages
the quantisation out where seeds straddle a grid point.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Sequence

import numpy as np

from impl.checks.budget import BUDGETS, Budget
from impl.checks.evidence import (
    ROUTINE,
    Evidence,
    Statement,
    Sweeps,
    check_result,
    confirm,
    not_applicable,
)
from impl.checks.results import CheckResult
from impl.checks.theory import Theory, theory_of
from impl.measurement import JobResult, SweepError, Verdict
from impl.simulation import Routine, one_thread, simulate, training_data
from impl.theory import Parametrization, min_stable_c

__all__ = ["STATEMENT", "LR_GRID", "GridEdge", "says", "lr_routine", "max_stable_lr", "max_lr_job", "check_max_lr"]

STATEMENT = Statement("max_lr", "Thm 4.1 max stable LR", "Section 4, Thm 4.1")
LR_GRID = np.arange(-48, 25) / 4
"""log2 η on a 2^{1/4} grid, 2^-12 … 2^6: wide enough for c = 0 SP (≈ 2^{-2.5}·(n/64)^{-1}) to n = 4096."""


class GridEdge(ValueError):
    """A seed's largest stable η lies outside :data:`LR_GRID` (never clipped: the claim stays undecided)."""


def says(theory: Theory) -> str:
    c_star = min_stable_c(theory.p)
    return "n/a (unstable at init for every c)" if c_star is None else f"max η ~ n^{theory.p.c - c_star}"


def lr_routine(routine: Routine) -> Routine:
    """The search's routine: ``routine``'s φ and data, 20 full-batch steps on 8 examples, float32."""
    return replace(routine, steps=20, batch=8, probes=1, dtype="float32", lr=1.0,
                   label=2.0 if routine.label is None else routine.label)


def _diverged(p: Parametrization, routine: Routine, width: int, seeds: Sequence[int], log2_lr: float) -> np.ndarray:
    """Per seed: whether full-batch GD at η = 2^log2_lr diverges (module docstring)."""
    r = replace(routine, lr=float(2.0 ** log2_lr))
    one = training_data(replace(r, steps=1))
    data = replace(one, inputs=np.repeat(one.inputs, r.steps, axis=0), labels=np.repeat(one.labels, r.steps, axis=0))
    loss = simulate(p, r, width, seeds, data=data).values["loss"]
    with np.errstate(invalid="ignore"):
        return ~np.all(np.isfinite(loss) & (loss <= 10 * loss[0]), axis=0)


def max_stable_lr(p: Parametrization, routine: Routine, width: int, seeds: Sequence[int]) -> np.ndarray:
    """Per seed, the largest stable log2 η on :data:`LR_GRID`, by bisection; seeds whose brackets share a
    midpoint run together. Raises :class:`GridEdge` when a seed's edge lies outside the grid."""
    lo = np.full(len(seeds), -1)  # index of the largest grid value known stable (-1: below the grid)
    hi = np.full(len(seeds), LR_GRID.size)  # index of the least known to diverge (size: above it)
    with one_thread():
        while np.any(hi - lo > 1):
            mid = (lo + hi) // 2
            for m in np.unique(mid[hi - lo > 1]):
                idx = np.flatnonzero((mid == m) & (hi - lo > 1))
                bad = _diverged(p, routine, width, [seeds[int(i)] for i in idx], float(LR_GRID[m]))
                hi[idx[bad]], lo[idx[~bad]] = m, m
    if np.any(lo < 0) or np.any(hi >= LR_GRID.size):
        raise GridEdge(f"{p} n={width}: max stable η outside 2^[{LR_GRID[0]}, {LR_GRID[-1]}] for some seed")
    return LR_GRID[lo]


def max_lr_job(p: Parametrization, routine: Routine, width: int, seeds: Sequence[int]) -> JobResult:
    """One cacheable job: per seed the largest stable η (not its log), as quantity ``max_lr`` at step 0."""
    log2 = max_stable_lr(p, routine, width, seeds)
    return JobResult(width, tuple(seeds), 0, {"max_lr": (2.0 ** log2)[None, :]}, np.full(len(seeds), -1))


def check_max_lr(p: Parametrization, routine: Routine = ROUTINE, budget: Budget = BUDGETS["dev"], *,
                 against: "Parametrization | Theory | None" = None, sweeps: Sweeps | None = None) -> CheckResult:
    """The largest stable η's width exponent on the networks of ``p``, judged against c − c* of
    ``against``'s theory (default p's)."""
    theory = theory_of(p, against)
    c_star = min_stable_c(theory.p)
    search = lr_routine(routine)
    if c_star is None:
        return not_applicable(STATEMENT, p, theory, search, says(theory), "unstable at initialisation for every c")
    lr_budget = replace(budget, widths=budget.lr_widths, seeds=budget.lr_seeds)
    claim = {"max_lr": Fraction(theory.p.c - c_star)}
    try:
        evidence = confirm(p, search, claim, step=0, budget=lr_budget, theory=theory, sweeps=sweeps, job=max_lr_job)
    except SweepError as err:
        edge = next((f.error for f in err.failures if isinstance(f.error, GridEdge)), None)
        if edge is None:
            raise
        evidence = Evidence(Verdict.UNDECIDED, str(edge), (), 1, 0, theory.perturb(claim) != claim)
    return check_result(STATEMENT, p, theory, search, says(theory), [evidence])
