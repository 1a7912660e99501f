"""Coordinate-check figures with the theory drawn on them (the width-scaling plots of ``tp4 report``).

One figure per parametrization: columns are SGD steps t = 0 … T, rows are groups of quantities
(features hˡ, xˡ, Δhˡ, Δxˡ; weight updates ΔWˡx, ΔW^{L+1}x, W₀^{L+1}Δx; output f₀, Δf and the
feature-kernel changes). Each quantity's RMS size (over seeds) is plotted against width on log-log
axes, with the least-squares fit n^{slope} (dashed) and the predicted slope n^{e} of
:func:`impl.theory.predicted_exponents` (dotted, anchored at the fitted line's value at the geometric
mean width, so only the slopes are compared — Section 3, Table 1; docs/theory.md §5). Legend marks: ✓
agree, ✗ disagree, ? undecided (the measurement layer's decision of the theory's claim).
"""

from __future__ import annotations

import io
import math
import os
import re
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator
from PIL import Image

from impl.atomic import write_atomic

if TYPE_CHECKING:
    from impl.reporting.results import QuantityRecord, SpecReport

__all__ = ["DPI", "GROUPS", "group_of", "log_axes", "save_png", "plot_coordcheck"]

DPI = 72
GROUPS: tuple[tuple[str, str], ...] = (
    ("features", r"(h|x|delta_h|delta_x)\d+"),
    ("weight updates", r"delta_W\d+_x|delta_Wout_x|Wout0_delta_x"),
    ("output & kernels", r"f0|delta_f|delta_kernel\d+"),
)
MARK = {"agree": "✓", "disagree": "✗", "undecided": "?"}


def _exponent(claim: str | None) -> Fraction | None:
    """The claimed exponent ("-1/2"), or None for a behaviour claim ("vanishes") or no claim."""
    try:
        return None if claim is None else Fraction(claim)
    except ValueError:
        return None


def group_of(name: str) -> int | None:
    """Row index of a quantity name in :data:`GROUPS` (None: not plotted, e.g. ``f`` or ``loss``)."""
    return next((i for i, (_, pattern) in enumerate(GROUPS) if re.fullmatch(pattern, name)), None)


def save_png(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Save ``fig`` at :data:`DPI` as a 256-colour palette PNG (a third of the RGBA size, visually the same),
    atomically (:func:`impl.atomic.write_atomic`): a reader never sees a half-written figure."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    buf.seek(0)
    with Image.open(buf) as image:
        palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        return write_atomic(path, lambda fh: palette.save(fh, format="PNG", optimize=True))


def log_axes(ax: Any, widths: Sequence[float]) -> None:
    """Log-log axes labelled at the measured widths and at powers of 2 in y (short ranges stay labelled).
    Call it after plotting: the y ticks depend on the data range."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(list(widths), [str(int(w)) for w in widths])
    ax.xaxis.set_minor_locator(NullLocator())
    lo, hi = ax.get_ylim()
    if hi / lo < 4:  # under two octaves: five evenly spaced (in log) labelled ticks instead of powers of 2
        ticks = np.geomspace(lo, hi, 7)[1:-1]
        ax.set_yticks(ticks, [f"{v:.3g}" for v in ticks])
    else:
        ax.yaxis.set_major_locator(LogLocator(base=2, numticks=8))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.tick_params(labelsize=7)
    ax.grid(True, which="major", alpha=0.3)


def _label(q: "QuantityRecord") -> str:
    fit = "—" if not math.isfinite(q.slope) else f"{q.slope:+.2f}"
    return f"{q.name} {MARK.get(q.verdict, '')}: fit {fit}, theory {q.claim or '—'}"


def _draw(ax: object, widths: np.ndarray, q: "QuantityRecord", colour: object) -> None:
    rms = np.array(q.rms, dtype=float)
    ok = np.isfinite(rms) & (rms > 0)
    ax.loglog(widths[ok], rms[ok], "o", color=colour, ms=4, label=_label(q))  # type: ignore[attr-defined]
    if not (math.isfinite(q.slope) and math.isfinite(q.intercept)):
        return
    fitted = np.exp(q.intercept) * widths ** q.slope
    ax.loglog(widths, fitted, "--", color=colour, lw=1)  # type: ignore[attr-defined]
    exponent = _exponent(q.claim)
    if exponent is not None:
        mid = math.exp(float(np.mean(np.log(widths))))
        anchor = math.exp(q.intercept) * mid ** q.slope
        predicted = anchor * (widths / mid) ** float(exponent)
        ax.loglog(widths, predicted, ":", color=colour, lw=1.6)  # type: ignore[attr-defined]


def plot_coordcheck(spec: "SpecReport", path: str | os.PathLike[str]) -> Path:
    """Draw the coordinate check of one parametrization's sweep to ``path`` (PNG)."""
    widths = np.array(spec.widths, dtype=float)
    steps = sorted({q.step for q in spec.quantities})
    fig = Figure(figsize=(4.6 * len(steps), 3.3 * len(GROUPS)))
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.06, top=0.93, wspace=0.18, hspace=0.28)  # fixed: fast
    axes = fig.subplots(len(GROUPS), len(steps), squeeze=False)
    for col, t in enumerate(steps):
        rows: list[list["QuantityRecord"]] = [[] for _ in GROUPS]
        for q in spec.quantities:
            g = group_of(q.name)
            if q.step == t and g is not None and q.rms and not (q.name == "f0" and t > 0):  # f0 is fixed at init
                rows[g].append(q)
        for row, (title, _) in enumerate(GROUPS):
            ax = axes[row][col]
            ax.set_title(f"t = {t} · {title}", fontsize=9)
            if not rows[row]:
                empty = "0 at t = 0 (updates)" if t == 0 else "—"
                ax.text(0.5, 0.5, empty, ha="center", va="center", transform=ax.transAxes)
                ax.set_axis_off()
                continue
            colours = _colours(len(rows[row]))
            for q, colour in zip(rows[row], colours):
                _draw(ax, widths, q, colour)
            log_axes(ax, spec.widths)
            ax.legend(fontsize=6.5, loc="best", framealpha=0.7)
            if col == 0:
                ax.set_ylabel("RMS size", fontsize=8)
            if row == len(GROUPS) - 1:
                ax.set_xlabel("width n", fontsize=8)
    fig.suptitle(f"{spec.label} — {spec.regime.replace('_', ' ')}, r = {spec.r}: markers measured (RMS over "
                 f"{spec.seeds} seeds), dashed fitted slope, dotted predicted slope", fontsize=10)
    return save_png(fig, path)


def _colours(n: int) -> Sequence[object]:
    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]
