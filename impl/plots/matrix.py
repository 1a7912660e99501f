"""The report's summary matrix as a figure: parametrization × statement → agree / disagree / inconclusive.

Rows are the report's parametrizations (preset and depth), columns the paper's statements
(Theorems 3.3, 3.4, 3.6/3.8, Corollary 3.10, Theorem 5.6, Theorem 4.1; see
:mod:`impl.reporting.statements`). Each cell is coloured by its verdict and carries its symbol
(✓ agree, ✗ disagree, ? inconclusive, – n/a), so it stays readable in grey scale; † marks an
inconclusive verdict explained by a documented finite-width bias. A legend sits underneath.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from impl.plots.coordcheck import save_png
from impl.reporting.statements import KNOWN_BIAS_MARK, TITLES, VERDICT_STYLE

if TYPE_CHECKING:
    from impl.reporting.collect import Report

__all__ = ["plot_matrix"]


def plot_matrix(report: "Report", path: str | os.PathLike[str]) -> Path:
    """Draw the verdict matrix of ``report`` to ``path`` (PNG)."""
    keys = list(TITLES)
    rows = list(report.specs)
    fig = Figure(figsize=(1.55 * len(keys) + 2.6, 0.36 * len(rows) + 2.2), layout="constrained")
    ax = fig.subplots()
    for i, spec in enumerate(rows):
        cells = {s.key: s for s in spec.statements}
        for j, key in enumerate(keys):
            s = cells.get(key)
            verdict = s.verdict if s is not None else "n/a"
            colour, symbol, _ = VERDICT_STYLE[verdict]
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=colour, edgecolor="white", lw=2))
            text = f"{symbol} {verdict}" + (KNOWN_BIAS_MARK if s is not None and s.note else "")
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
    bias = f"{KNOWN_BIAS_MARK} inconclusive with a documented finite-width bias"
    handles.append(Patch(facecolor="white", edgecolor="white", label=bias))
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=7, frameon=False)
    return save_png(fig, path)


def _wrap(title: str) -> str:
    """"Thm 3.3 stability" → "Thm 3.3" over "stability"."""
    parts = title.split(" ", 2)
    return " ".join(parts[:2]) + ("\n" + parts[2] if len(parts) > 2 else "")
