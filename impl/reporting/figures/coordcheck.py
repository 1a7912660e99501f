"""Coordinate-check figures with the theory drawn on them (the width-scaling plots of ``tp4 report``).

One figure per parametrization: columns are SGD steps t = 0 … T, rows are groups of quantities
(features hˡ, xˡ, Δhˡ, Δxˡ; weight updates ΔWˡx, ΔW^{L+1}x, W₀^{L+1}Δx; output f₀, Δf and the
feature-kernel changes). Each quantity's RMS size (over seeds) is divided by its fitted size at the smallest
width, so every series starts near 1 and is read as practitioners read a coordinate check — flat is Θ(1) —
on log-log axes: markers measured, the least-squares fit (n/n₀)^{slope} dashed and the prediction
(n/n₀)^{e} of :func:`impl.theory.predicted_exponents` dotted, both through 1 at n₀, so the gap between them at
the widest width is the slope error (Section 3, Table 1; docs/theory.md §5). Series are nudged sideways so
equal sizes stay visible; the legend, outside the panel, gives per quantity the fitted slope, the theory and
the verdict (✓ agree, ✗ disagree, ? undecided: the measurement layer's decision of the theory's claim).
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
    return f"{MARK.get(q.verdict, '·')} {q.name}: fit {fit}, theory {q.claim or '—'}"


def _draw(ax: Any, widths: np.ndarray, q: "QuantityRecord", colour: object, nudge: float) -> tuple[float, float]:
    """One series, normalised by its fitted size at the smallest width; returns the (min, max) plotted."""
    rms = np.array(q.rms, dtype=float)
    ok = np.isfinite(rms) & (rms > 0)
    fitted_ok = math.isfinite(q.slope) and math.isfinite(q.intercept)
    n0 = widths[0]
    scale = math.exp(q.intercept) * n0 ** q.slope if fitted_ok else (rms[ok][0] if ok.any() else 1.0)
    y = rms / scale
    ax.loglog(widths[ok] * nudge, y[ok], "o", color=colour, ms=4, label=_label(q))
    shown = [y[ok]]
    if fitted_ok:
        ax.loglog(widths, (widths / n0) ** q.slope, "--", color=colour, lw=1)
        exponent = _exponent(q.claim)
        if exponent is not None:
            predicted = (widths / n0) ** float(exponent)
            ax.loglog(widths, predicted, ":", color=colour, lw=1.8)
            shown.append(predicted)
    values = np.concatenate(shown) if shown else np.array([1.0])
    return float(np.min(values, initial=1.0)), float(np.max(values, initial=1.0))


def _ratio_axes(ax: Any, widths: Sequence[float], lo: float, hi: float) -> None:
    """Log-log axes: x at the measured widths, y at powers of 2 around 1 — at least ½…2, so flat stays flat."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(list(widths), [str(int(w)) for w in widths])
    ax.xaxis.set_minor_locator(NullLocator())
    top, bottom = max(2.0, hi * 1.3), min(0.5, lo / 1.3)
    ax.set_ylim(bottom, top)
    powers = [k for k in range(math.floor(math.log2(bottom)), math.ceil(math.log2(top)) + 1) if bottom <= 2.0 ** k <= top]
    every = max(1, math.ceil(len(powers) / 6))  # at most ~6 labels, 1 always among them
    shown = [2.0 ** k for k in powers if k % every == 0]
    ax.set_yticks(shown, [_power_of_two(v) for v in shown])
    ax.yaxis.set_minor_locator(NullLocator())
    ax.axhline(1.0, color="0.6", lw=0.8, zorder=0)
    ax.tick_params(labelsize=8)
    ax.grid(True, which="major", alpha=0.3)


def _power_of_two(v: float) -> str:
    k = round(math.log2(v))
    return str(2 ** k) if k >= 0 else f"1/{2 ** -k}"


def plot_coordcheck(spec: "SpecReport", path: str | os.PathLike[str]) -> Path:
    """Draw the coordinate check of one parametrization's sweep to ``path`` (PNG)."""
    widths = np.array(spec.widths, dtype=float)
    steps = sorted({q.step for q in spec.quantities})
    fig = Figure(figsize=(7.4 * len(steps), 3.6 * len(GROUPS)))
    fig.subplots_adjust(left=0.04, right=0.86, bottom=0.06, top=0.92, wspace=0.95, hspace=0.32)  # fixed: fast
    axes = fig.subplots(len(GROUPS), len(steps), squeeze=False)
    for col, t in enumerate(steps):
        rows: list[list["QuantityRecord"]] = [[] for _ in GROUPS]
        for q in spec.quantities:
            g = group_of(q.name)
            if q.step == t and g is not None and q.rms and not (q.name == "f0" and t > 0):  # f0 is fixed at init
                rows[g].append(q)
        for row, (title, _) in enumerate(GROUPS):
            ax = axes[row][col]
            ax.set_title(f"t = {t} · {title}", fontsize=10)
            if not rows[row]:
                empty = "weight updates are 0 at t = 0" if t == 0 else "—"
                ax.text(0.5, 0.5, empty, ha="center", va="center", transform=ax.transAxes, fontsize=9, color="0.4")
                ax.set_axis_off()
                continue
            colours = _colours(len(rows[row]))
            k = len(rows[row])
            spans = [_draw(ax, widths, q, colour, 1.045 ** (i - (k - 1) / 2))
                     for i, (q, colour) in enumerate(zip(rows[row], colours))]
            _ratio_axes(ax, spec.widths, min(s[0] for s in spans), max(s[1] for s in spans))
            ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False)
            if col == 0:
                ax.set_ylabel("size / size at n₀ (fitted)", fontsize=8)
            if row == len(GROUPS) - 1:
                ax.set_xlabel("width n", fontsize=9)
    fig.suptitle(f"{spec.label} — {spec.regime.replace('_', ' ')}, r = {spec.r}: RMS size over {spec.seeds} seeds "
                 f"relative to the fit at n₀ = {int(widths[0])}; markers measured, dashed fitted slope, dotted "
                 f"theory's slope (✓ agree, ✗ disagree, ? undecided)", fontsize=11)
    return save_png(fig, path)


def _colours(n: int) -> Sequence[object]:
    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]
