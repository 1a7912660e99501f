"""The report's summary matrix as a figure: parametrization × statement → agree / disagree / undecided / n/a.

Rows are the report's parametrizations (preset and depth), columns the paper's statements
(:data:`impl.checks.STATEMENTS`). Each cell is coloured by its verdict and carries its symbol
(✓ agree, ✗ disagree, ? undecided, – n/a), so it stays readable in grey scale. A legend sits underneath.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from impl.reporting.figures.coordcheck import save_png
from impl.reporting.results import TITLES, VERDICT_STYLE

if TYPE_CHECKING:
    from impl.reporting.results import Report

__all__ = ["plot_matrix"]


def plot_matrix(report: "Report", path: str | os.PathLike[str]) -> Path:
    """Draw the verdict matrix of ``report`` to ``path`` (PNG)."""
    keys = list(TITLES)
    rows = list(report.specs)
    fig = Figure(figsize=(1.55 * len(keys) + 2.6, 0.36 * len(rows) + 2.2), layout="constrained")
    ax = fig.subplots()
    for i, spec in enumerate(rows):
        verdicts = spec.verdicts()
        for j, key in enumerate(keys):
            verdict = verdicts.get(key, "n/a")
            colour, symbol, _ = VERDICT_STYLE[verdict]
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=colour, edgecolor="white", lw=2))
            text = f"{symbol} {verdict}"
            ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=8,
                    fontweight="bold" if verdict == "disagree" else "normal")
    ax.set_xlim(0, len(keys))
    ax.set_ylim(len(rows), 0)
    ax.set_xticks([j + 0.5 for j in range(len(keys))], [_wrap(TITLES[k]) for k in keys], fontsize=8)
    labels = [f"{s.label} · {s.regime.replace('_', ' ')}" for s in rows]
    ax.set_yticks([i + 0.5 for i in range(len(rows))], labels, fontsize=8)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    handles = [Patch(facecolor=c, edgecolor="grey", label=f"{sym} {text}") for c, sym, text in VERDICT_STYLE.values()]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=7, frameon=False)
    return save_png(fig, path)


def _wrap(title: str) -> str:
    """"Thm 3.3 stability" → "Thm 3.3" over "stability"."""
    parts = title.split(" ", 2)
    return " ".join(parts[:2]) + ("\n" + parts[2] if len(parts) > 2 else "")
