"""Theorem 7.4 (the Tensor Program Master Theorem) at finite width — Section 7 (docs/theory.md §4.6).

*In words:* run any Tensor Program — Gaussian n×n matrices, iid initial vectors, and vectors and
scalars made by MatMul (Wx, Wᵀx), coordinatewise Nonlin and Moment — at width n. As n → ∞ every scalar
θ converges almost surely to the deterministic θ̊ of Definition 7.3, computed from the Z random
variables (Z^{Wx} = Ẑ^{Wx} + Ż^{Wx}, Ẑ jointly Gaussian per matrix, Ż from the Wᵀ-products through
E ∂Z^x/∂Ẑ^{Wᵀy}, here in the Stein form of Remark F.2).

The claim, per Moment θ of a program run at the profile's widths with S seeds
(:mod:`impl.limits.program.finite`) against its Monte Carlo Z-limit (:mod:`impl.limits.program.zeval`):
*agreement* at the largest width N, |mean_s θ_N − θ̊| ≤ K·√(sd_N²/S + se(θ̊)²). It is a goodness-of-fit
test — it agrees when nothing rejects the limit — so what it can resolve is stated with it: a change of
θ̊ of about K·√(sd_N²/S + se²), measured 0.05 (7%) for E[Wᵀtanh(Wx)·x] and 1.5 (25%) for the heavy-tailed
E[Wᵀ(Wx)³·x]. Calibration (dev budget, 292 random programs, 671 Moments, independent seeds): max |z| = 3.3,
so K = 5 leaves room for the t-tails of 16 seeds and the O(1/n) bias of the finite mean.

The rate at which the RMS over seeds of θ_n − θ̊ shrinks is shown with each Moment (``n/a``: measured,
not claimed — the theorem asserts convergence, not a rate; the CLT rate n^{−1/2} is typical: slopes
−0.49 ± 0.09 over the calibration, range −0.83 to −0.17, but with 16 seeds the interval rarely fits inside
a band, and the limit's own Monte Carlo error floors the deviation at large n).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from impl.checks.budget import BUDGETS, Budget
from impl.checks.evidence import Statement
from impl.checks.results import CheckResult, ClaimResult, combine_reason
from impl.limits.program import Program, run_finite, z_evaluate
from impl.measurement import ConfidenceInterval, ExponentFit, Verdict, fit_exponent

__all__ = ["STATEMENT", "K", "ProgramBudget", "PROGRAM_BUDGETS", "check_master_theorem"]

STATEMENT = Statement("master_theorem", "Thm 7.4 Master Theorem", "Section 7, Def 7.3, Thm 7.4")
K = 5.0
"""Agreement threshold in standard errors (calibration: module docstring)."""


@dataclass(frozen=True)
class ProgramBudget:
    """Widths, seeds per width and Monte Carlo particles of the Master Theorem check under one profile."""

    widths: tuple[int, ...]
    seeds: int
    particles: int


PROGRAM_BUDGETS = {
    "dev": ProgramBudget((64, 128, 256, 512, 1024), 16, 2**17),
    "ci": ProgramBudget((64, 128, 256, 512, 1024), 16, 2**17),
    "nightly": ProgramBudget((128, 256, 512, 1024, 2048), 24, 2**18),
}


def check_master_theorem(program: Program, budget: Budget = BUDGETS["dev"], *, zdot: bool = True,
                         perturb: Callable[[float], float] | None = None, seed: int = 0) -> CheckResult:
    """Every Moment of ``program`` at finite widths against its Z-limit. ``zdot=False`` (Ż dropped) and
    ``perturb`` (applied to each θ̊) make deliberately wrong limits, for negative controls."""
    pb = PROGRAM_BUDGETS.get(budget.profile, PROGRAM_BUDGETS["dev"])
    lim = z_evaluate(program, particles=pb.particles, seed=seed, zdot=zdot)
    seeds = range(1000 * seed, 1000 * seed + pb.seeds)
    runs = [run_finite(program, n, seeds) for n in pb.widths]
    rows = []
    for m in program.moments():
        theta, se = lim.estimate(m)
        if perturb is not None:
            theta = perturb(theta)
        vals = np.stack([r[m] for r in runs])  # (W, S)
        mean, sd = vals[-1].mean(), vals[-1].std(ddof=1)
        z = float((mean - theta) / np.sqrt(sd**2 / pb.seeds + se**2))
        ok = abs(z) <= K
        rows.append(ClaimResult(m.name, None, f"→ θ̊ = {theta:.5g} ± {se:.2g} (|z| ≤ {K:g})",
                                Verdict.AGREE if ok else Verdict.DISAGREE,
                                f"mean at n={pb.widths[-1]} is {mean:.5g}: z = {z:.2f}", seeds=pb.seeds))
        fit = fit_exponent(pb.widths, np.abs(vals - theta), alpha=budget.alpha)
        slope, ci = (fit.slope, fit.ci) if isinstance(fit, ExponentFit) else (np.nan, ConfidenceInterval(np.nan, np.nan))
        rows.append(ClaimResult(f"{m.name} deviation", None, "shown, not claimed", Verdict.NOT_APPLICABLE,
                                f"RMS deviation from the limit ~ n^{slope:+.3f}, CI {ci}", float(slope), ci, pb.seeds,
                                pb.widths))
    verdict = Verdict.combine([r.verdict for r in rows])
    reason = combine_reason(rows, verdict)
    if verdict is not Verdict.AGREE:
        reason += f"\n{program}"
    wrong = " and ".join(([] if zdot else ["Ż dropped"]) + ([] if perturb is None else ["θ̊ perturbed"]))
    return CheckResult(STATEMENT.key, STATEMENT.title, f"a Tensor Program with {len(rows) // 2} Moment(s)",
                       f"Definition 7.3 with {wrong}" if wrong else None, None,
                       "every Moment converges to its Z-limit (Definition 7.3)", verdict, reason, tuple(rows), 1,
                       len(rows))
