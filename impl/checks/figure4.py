"""Figure 4 (Section 9.1) as a check — the limits of Section 6 (Theorems 6.1, 6.3, 6.4) (docs/theory.md §4.10).

*In words:* µP networks of growing width, trained by SGD on random ±1 data, approach the analytic
infinite-width limit: for φ(x) = x² and φ(x) = x and the three networks (depth 1, depth 2 with decoupled
backprop, depth 2), the finite networks' loss curves ℓₜ = ½(fₜ(ξₜ) − yₜ)² concentrate around the limit's
ℓ̊ₜ, and fₜ − f̊ₜ shrinks with width (:mod:`impl.limits.figure4`).

Settings (:func:`figure4_settings`): the paper uses widths 1024 and 4096 with 100 seeds (``nightly``);
``dev`` and ``ci`` use widths 256 and 1024 with 100 seeds and 2¹⁸ Monte-Carlo particles (the paper's
widths take 5 minutes on 2 cores). η = 0.01 for x² and 0.2 for x, T = 5 steps, data seed 0.

Two claims per panel:

1. *the deviation decreases*: the per-seed RMS over probes and steps of fₜ − f̊ₜ has a fitted width
   exponent whose seed-jackknife interval (level 1 − α) lies entirely below 0 (entirely above: disagree;
   straddling 0: undecided). Not −½ ± δ: with two widths
   the interval is too wide to sit inside the band (±0.2 … ±0.45 with 100 seeds; x² outputs are
   heavy-tailed). At the paper's settings the point estimates are −0.42, −0.50, −0.49 for x² and −0.46,
   −0.52, −0.45 for x (depth 1, depth 2 decoupled, depth 2).
2. *the loss curve agrees with the limit's* at the larger width: the mean over seeds of fₜ(ξₜ) — which
   sets the loss curve ½(mean f − y)² — lies within :data:`K` standard errors √(sem² + err²) of f̊ₜ(ξₜ) at
   every t (err: the limit's own error). The mean *loss* is not compared: it also carries ½ Var fₜ(ξₜ) =
   O(1/n), what the finite curves of the figure sit above the limit by.

Both are rejection tests whose power is measured: correct limits give a largest |z| of 3.86 at n = 1024
(5.1 at n = 256: the O(1/n) bias of the mean) over data seeds 0–7 (48 panels, dev settings); the negative
controls — depth-2 x² networks against Theorem 6.3's limit instead of 6.4's, depth-1 x networks against
the limit at 1.1·η — give at least 20.8 and 22.7; statement 1's interval ends at most at −0.19.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from impl.checks.budget import BUDGETS, Budget
from impl.checks.evidence import Statement
from impl.checks.results import CheckResult, ClaimResult, combine_reason
from impl.checks.tally import record_claims
from impl.limits.archs import LimitResult
from impl.limits.figure4 import Figure4Panel, Figure4Settings, figure4_data
from impl.measurement import BlowUp, ConfidenceInterval, Verdict, fit_exponent

__all__ = ["STATEMENT", "K", "figure4_settings", "figure4_panel", "check_figure4_panel"]

STATEMENT = Statement("figure4", "Figure 4", "Section 9.1")
K = 5.0
"""Agreement threshold on the largest |z| of a panel's T = 5 gaps of the mean fₜ(ξₜ) (module docstring)."""


def figure4_settings(budget: Budget) -> Figure4Settings:
    """The paper's widths and seeds under ``nightly``; widths 256 and 1024 (100 seeds, 2¹⁸ particles) else."""
    if budget.profile == "nightly":
        return Figure4Settings(widths=(1024, 4096), seeds=100, particles=2**19)
    return Figure4Settings(widths=(256, 1024), seeds=100, particles=2**18)


def figure4_panel(settings: Figure4Settings, phi: str, arch: str) -> Figure4Panel:
    """One panel of Figure 4 at ``settings``."""
    eta = settings.etas[settings.phis.index(phi)]
    return figure4_data(replace(settings, phis=(phi,), etas=(eta,), archs=(arch,))).panels[0]


def check_figure4_panel(panel: Figure4Panel, budget: Budget = BUDGETS["dev"], *,
                        limit: LimitResult | None = None) -> CheckResult:
    """Both claims of the module docstring for ``panel`` (against ``limit``, a wrong limit, if given)."""
    if limit is not None:
        panel = panel.against(limit)
    fit = fit_exponent(panel.widths, panel.deviation, alpha=budget.alpha)
    record_claims(1, 1)
    rms = ", ".join(f"n={w}: {d:.4f}" for w, d in zip(panel.widths, panel.deviation_rms))
    if isinstance(fit, BlowUp):
        trend, why, slope, ci = Verdict.DISAGREE, fit.describe(), np.nan, ConfidenceInterval(np.nan, np.nan)
    else:
        slope, ci, why = fit.slope, fit.ci, f"slope {fit.slope:+.3f}, CI {fit.ci}"
        trend = Verdict.AGREE if ci.high < 0 else (Verdict.DISAGREE if ci.low > 0 else Verdict.UNDECIDED)
    rows = [ClaimResult("deviation fₜ − f̊ₜ", None, "decreases (CI below 0)", trend, f"{why}; RMS {rms}", slope, ci,
                        widths=tuple(panel.widths))]
    gap = panel.output_gap
    loss_dist = np.max(np.abs(panel.loss_mean - panel.limit_loss), axis=1)
    detail = (f"{gap[-1]:.1f} standard errors at n={panel.widths[-1]} (every width: "
              f"{', '.join(f'{g:.1f}' for g in gap)}; max |mean loss − ℓ̊| "
              f"{', '.join(f'n={w}: {d:.4f}' for w, d in zip(panel.widths, loss_dist))})")
    rows.append(ClaimResult("mean fₜ(ξₜ)", None, f"within {K:g} standard errors of f̊ₜ(ξₜ)",
                            Verdict.AGREE if gap[-1] <= K else Verdict.DISAGREE, detail))
    verdict = Verdict.combine([r.verdict for r in rows])
    reason = combine_reason(rows, verdict)
    label = f"{panel.phi} / {panel.arch}"
    return CheckResult(STATEMENT.key, STATEMENT.title, label, None if limit is None else "a given limit",
                       panel.routine, "finite µP networks approach the limit", verdict, reason, tuple(rows), 1, 2)

