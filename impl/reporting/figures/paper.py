"""Accuracy against width for the paper's experiments in miniature (its Figures 2–3 / Tables 2–3).

One panel per :class:`~impl.experiments.ExperimentTable`: finite µP widths as mean ± sd over seeds
against log₂ width (markers, error bars, per-seed dots), the µP limit as a solid horizontal line with
its ± sd band, and each kernel / random-feature baseline as a dashed line — the feature-learning limit
above the kernel lines, finite widths rising towards it, is the pattern the paper reports.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from impl.experiments.table import ExperimentTable
from impl.reporting.figures.coordcheck import save_png

__all__ = ["plot_tables"]


def _panel(ax: Axes, table: ExperimentTable) -> None:
    finite = table.finite
    if finite:
        x = np.log2([r.width or 1 for r in finite])
        for xi, r in zip(x, finite):
            ax.plot(np.full(len(r.scores), xi), r.scores, ".", color="C0", ms=3, alpha=0.4)
        ax.errorbar(x, [r.mean for r in finite], yerr=[r.sd for r in finite], fmt="o-", color="C0",
                    capsize=3, label="finite µP width (mean ± sd)")
        ax.set_xticks(x, [str(r.width) for r in finite])
    lim = table.limit
    if lim is not None:
        ax.axhline(lim.mean, color="C3", lw=2, label=f"{lim.label} {lim.cell()}")
        ax.axhspan(lim.mean - lim.sd, lim.mean + lim.sd, color="C3", alpha=0.15)
    cmap = colormaps["Dark2"]
    for i, b in enumerate(table.baselines):
        ax.axhline(b.mean, color=cmap(i % 8), ls="--", lw=1.4, label=f"{b.label} {b.cell()}")
    ax.set_xlabel("width n (log₂ scale)")
    ax.set_ylabel(table.metric)
    ax.set_title(f"{table.experiment}: {table.setting}", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(alpha=0.3)


def plot_tables(tables: Sequence[ExperimentTable], path: str | os.PathLike[str]) -> Path:
    """Draw one panel per table, side by side, to ``path`` (PNG)."""
    if not tables:
        raise ValueError("no tables to plot")
    fig = Figure(figsize=(5.2 * len(tables), 4.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(tables)))
    for ax, table in zip(axes, tables):
        _panel(ax, table)
    return save_png(fig, path)
