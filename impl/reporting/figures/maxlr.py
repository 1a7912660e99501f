"""Largest stable learning rate against width (Theorem 4.1), with fitted and predicted exponents.

For each measured parametrization: the per-seed largest stable η (small dots; bisection on a 2^{1/4}
grid by :func:`impl.checks.max_lr.max_stable_lr`), their RMS over seeds (markers), the fitted
power law (dashed) and the predicted one, η_max ~ n^{c − c*} with c* = ``min_stable_c`` (dotted,
anchored at the fitted line's value at the geometric mean width). SP (c = 0, c* = 1) must fall like
n^{−1}; µP and NTP stay flat.
"""

from __future__ import annotations

import math
import os
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from impl.reporting.figures.coordcheck import log_axes, save_png

if TYPE_CHECKING:
    from impl.reporting.results import MaxLRResult

__all__ = ["plot_max_lr"]


def plot_max_lr(results: Sequence[tuple[str, "MaxLRResult"]], path: str | os.PathLike[str]) -> Path:
    """Draw every (label, result) on one log-log panel to ``path`` (PNG)."""
    fig = Figure(figsize=(7.5, 4.8), layout="constrained")
    ax = fig.subplots()
    cmap = colormaps["tab10"]
    for i, (label, r) in enumerate(results):
        colour = cmap(i % 10)
        if not r.values:
            ax.plot([], [], " ", label=f"{label}: not measured — {r.reason[:60]}")
            continue
        widths = np.array(r.widths, dtype=float)
        values = np.array(r.values, dtype=float)
        spread = 1.06 ** np.linspace(-1, 1, values.shape[1]) * 1.035 ** (i - (len(results) - 1) / 2)  # seeds side by side
        ax.loglog((widths[:, None] * spread[None, :]).ravel(), values.ravel(), "o", mfc="none", mec=colour, ms=3.5,
                  mew=0.8, alpha=0.8)
        rms = np.sqrt(np.mean(values ** 2, axis=1))
        lo, hi = r.ci
        ax.loglog(widths, rms, "o", color=colour, ms=5,
                  label=f"{label}: fit {r.slope:+.2f} [{lo:+.2f}, {hi:+.2f}], theory {r.predicted} — {r.verdict}")
        if math.isfinite(r.slope):
            ax.loglog(widths, np.exp(r.intercept) * widths ** r.slope, "--", color=colour, lw=1)
            if r.predicted is not None:
                mid = math.exp(float(np.mean(np.log(widths))))
                anchor = math.exp(r.intercept) * mid ** r.slope
                ax.loglog(widths, anchor * (widths / mid) ** float(Fraction(r.predicted)), ":", color=colour, lw=1.8)
    lo, hi = ax.get_ylim()  # whole octaves around the data, at least two: no point above the top tick
    lo, hi = 2.0 ** math.floor(math.log2(lo)), 2.0 ** math.ceil(math.log2(hi))
    ax.set_ylim(lo, max(hi, 4 * lo))
    log_axes(ax, sorted({w for _, r in results for w in r.widths}))
    ax.set_xlabel("width n")
    ax.set_ylabel("largest η with no divergence in 20 GD steps\n(learning rate η·n^-c; grid 2^(k/4))", fontsize=9)
    ax.set_title("Theorem 4.1: max stable learning rate\nrings: one per seed · dots: RMS over seeds · dashed: fit · "
                 "dotted: theory", fontsize=9)
    ax.legend(fontsize=7, loc="best")
    return save_png(fig, path)
