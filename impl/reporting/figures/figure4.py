"""Figure 4 of the paper (Section 9.1) drawn from :class:`impl.limits.figure4.Figure4Result`.

A grid with one row per φ and one column per network (depth 1, depth 2 decoupled, depth 2), like the
paper's 2×3 figure: the limit's loss curve ℓ̊ₜ dashed, each width's mean loss over seeds as a solid curve
with a ±1 standard deviation shade. A last column (not in the paper) shows, per network, the RMS
deviation of fₜ from the limit against width on log-log axes with an n^{-1/2} guide (dotted).
Uses matplotlib's object-oriented API with the Agg canvas (no pyplot, no display needed).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from impl.atomic import write_bytes_atomic
from impl.limits.figure4 import Figure4Panel, Figure4Result

__all__ = ["COLUMN_TITLES", "draw_figure4", "figure4_png", "plot_figure4"]

COLUMN_TITLES = {"mlp1": "depth 1", "linear1": "depth 1, linear", "mlp2-decoupled": "depth 2, decoupled", "mlp2": "depth 2"}
_PHI_LABELS = {"square": "φ(x) = x²", "identity": "φ(x) = x"}
_DPI = 100


def _phi_label(phi: str) -> str:
    return _PHI_LABELS.get(phi, f"φ = {phi}")


def draw_figure4(result: Figure4Result) -> Figure:
    """The figure (rows φ, columns the networks plus the deviation panel) on an Agg canvas."""
    s = result.settings
    rows, cols = len(s.phis), len(s.archs)
    fig = Figure(figsize=(3.6 * cols + 3.4, 3.0 * rows + 0.6), layout="constrained")
    FigureCanvasAgg(fig)
    axes = np.asarray(fig.subplots(rows, cols + 1, squeeze=False))
    colours = colormaps["tab10"]
    steps = np.arange(s.steps)
    for i, (phi, eta) in enumerate(zip(s.phis, s.etas)):
        dev_ax = axes[i, cols]
        for j, arch in enumerate(s.archs):
            panel, ax = result.panel(phi, arch), axes[i, j]
            for k, w in enumerate(panel.widths):
                mean, std = panel.loss_mean[k], panel.loss_std[k]
                ax.plot(steps, mean, "-", color=colours(k), lw=1.6, label=f"width {w}")
                ax.fill_between(steps, mean - std, mean + std, color=colours(k), alpha=0.18, lw=0)
            ax.plot(steps, panel.limit_loss, "--", color="black", lw=1.6, label="limit (n = ∞)")
            _clip_to_bulk(ax, panel)
            ax.set_title(f"{COLUMN_TITLES.get(arch, arch)} — {_phi_label(phi)}, η = {eta:g}", fontsize=9)
            ax.set_xticks(steps)
            ax.tick_params(labelsize=7)
            if i == rows - 1:
                ax.set_xlabel("step t", fontsize=8)
            if j == 0:
                ax.set_ylabel("loss ½(f(ξₜ) − yₜ)²", fontsize=8)
                ax.legend(fontsize=7, loc="best")
            widths = np.asarray(panel.widths, dtype=float)
            dev_ax.plot(widths, panel.deviation_rms, "o-", color=colours(j + 3), ms=4, label=COLUMN_TITLES.get(arch, arch))
        _deviation_axes(dev_ax, result, phi)
    title = (f"Figure 4: finite-width µP networks ({s.seeds} seeds; mean ± std shaded) against the infinite-width "
             f"limit; ±1 data, seed {s.data_seed}")
    if cols < 3:  # a narrow figure (one architecture): the title on two lines, or it is clipped on both sides
        title = title.replace(" against", "\nagainst", 1)
    fig.suptitle(title, fontsize=10)
    return fig


def _clip_to_bulk(ax: Axes, panel: Figure4Panel) -> None:
    """y-limits from the limit and the 5–95% range of the finite losses, so that a network that blew up
    (possible at small widths) does not flatten the panel; blown-up runs are counted in the corner."""
    losses = panel.losses  # (W, T, S)
    with np.errstate(invalid="ignore"):
        lo, hi = np.nanpercentile(np.where(np.isfinite(losses), losses, np.nan), [5, 95])
    lo, hi = min(lo, panel.limit_loss.min()), max(hi, panel.limit_loss.max())
    pad = 0.08 * (hi - lo) if hi > lo else 0.1
    ax.set_ylim(lo - pad, hi + pad)
    blown = (~np.isfinite(panel.finite).all(axis=(1, 3, 4))).sum(axis=1)  # per width
    if blown.any():
        text = ", ".join(f"{b} at n={w}" for w, b in zip(panel.widths, blown) if b)
        ax.text(0.02, 0.02, f"blew up: {text}", transform=ax.transAxes, fontsize=7, color="firebrick")


def _deviation_axes(ax: Axes, result: Figure4Result, phi: str) -> None:
    """Log-log axes of the deviation column with the n^{-1/2} guide through the first network's first point."""
    s = result.settings
    first = result.panel(phi, s.archs[0])
    widths = np.asarray(s.widths, dtype=float)
    ax.plot(widths, first.deviation_rms[0] * np.sqrt(widths[0] / widths), ":", color="grey", lw=1.4,
            label="∝ n^(-1/2)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(widths, [str(int(w)) for w in widths])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.tick_params(labelsize=7)
    ax.set_title(f"RMS of fₜ − f̊ₜ — {_phi_label(phi)}", fontsize=9)
    ax.set_xlabel("width n", fontsize=8)
    ax.legend(fontsize=7, loc="best")


def figure4_png(result: Figure4Result) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    draw_figure4(result).savefig(buf, format="png", dpi=_DPI)
    return buf.getvalue()


def plot_figure4(result: Figure4Result, path: str | os.PathLike[str]) -> Path:
    """Draw the figure to ``path`` (PNG), atomically: a reader never sees a half-written file."""
    return write_bytes_atomic(path, figure4_png(result))
