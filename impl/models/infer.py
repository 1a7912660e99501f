"""The abc-parametrization of the user's model, exactly: knob exponents fitted across widths, snapped to
rationals, and mapped to (a, b, c) by the per-layer form of Eq. (5).

Section 3.2 notes that changing aₗ, bₗ while keeping aₗ + bₗ "effectively gives wₗ a per-layer learning
rate". Conversely a layer with multiplier n^{−α}, init std n^{−β} and SGD learning rate η·n^{−γ} computes
the same function at every step as the abc layer with aₗ = α + γ/2, bₗ = β − γ/2 and learning rate η·n^0:
the Eq. (5) shift by θ = γ/2 applied to that layer alone (its forward value n^{−a}w and its update
n^{−2a}·n^{−c}∇ both match). So every model of the paper's form is one abc-parametrization with c = 0,
whatever mix of multipliers, inits and per-group learning rates it uses.

Each exponent is the least-squares slope of log(knob) against log n. Multipliers and learning rates are
deterministic, so their log-log points must lie on a line to 10⁻⁶; the init std is a sample statistic
over the weight's entries (pooled over builds, :data:`impl.models.knobs.STD_ENTRIES`), so its slope has a standard error and is snapped only when exactly one
rational with denominator ≤ 12 lies within 5 standard errors (and that band is narrower than 1/24).
Otherwise the knob is *not a power of width* (or not decidable) and tp4 refuses, naming the layer and
the values. An init std that is exactly 0 at every width is β = b = ∞: a zero-initialised readout, which the
theory covers (App. H.3; :mod:`impl.theory.parametrization`); a zero hidden layer is refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import numpy as np

from impl.models.discover import Structure
from impl.models.knobs import Knobs, check_finite, measure_knobs
from impl.models.target import ModelError, Target, build_at
from impl.theory import INF, Exponent, Infinity, Parametrization

__all__ = ["LayerKnobs", "Inference", "infer_parametrization", "snap", "INFERENCE_WIDTHS"]

INFERENCE_WIDTHS: tuple[int, ...] = (64, 128, 256, 512, 1024)
_DETERMINISTIC_TOL = 1e-6
_DENOMINATOR = 12


@dataclass(frozen=True)
class LayerKnobs:
    """One layer's exponents: multiplier n^{−α}, init std n^{−β} (β = ∞ for an exact zero init), SGD learning
    rate n^{−γ} (None beyond plain SGD); the measured values per width; and the abc exponents they give."""

    label: str
    role: str
    alpha: Fraction
    beta: Exponent
    gamma: Fraction | None
    multipliers: tuple[float, ...]
    stds: tuple[float, ...]
    lrs: tuple[float, ...]
    parents: tuple[float, ...] = ()
    parent_alpha: Fraction | None = None

    @property
    def a(self) -> Fraction | None:
        return None if self.gamma is None else self.alpha + self.gamma / 2

    @property
    def b(self) -> Exponent | None:
        return None if self.gamma is None else self.beta - self.gamma / 2


@dataclass(frozen=True)
class Inference:
    """What tp4 inferred: per layer knobs, the widths used, the canonical abc-parametrization (None when the
    optimizer is not plain SGD), and the optimizer note saying why not (empty for plain SGD)."""

    layers: tuple[LayerKnobs, ...]
    widths: tuple[int, ...]
    parametrization: Parametrization | None
    optimizer_note: str

    @property
    def why_none(self) -> str:
        """Why there is no parametrization (empty when there is one): the optimizer is not plain SGD."""
        return self.optimizer_note

    def table(self) -> str:
        """One row per layer: multiplier, init std, learning rate exponents and the (a, b) they give."""
        def fmt(e: Exponent | None, none: str = "—") -> str:
            return none if e is None else ("0 (zero init)" if isinstance(e, Infinity) else "n^0" if e == 0 else f"n^{-e}")
        rows = [("layer", "multiplier", "init std", "lr", "a", "b")]
        for k in self.layers:
            rows.append((k.label, fmt(k.alpha), fmt(k.beta), fmt(k.gamma, "not SGD"),
                         "—" if k.a is None else str(k.a), "—" if k.b is None else str(k.b)))
        w = [max(len(r[i]) for r in rows) for i in range(6)]
        return "\n".join("  " + "  ".join(x.ljust(k) for x, k in zip(r, w)).rstrip() for r in rows)


def snap(value: float, se: float, what: str) -> Fraction:
    """The rational (denominator ≤ 12) within max(5·se, 10⁻⁶) of ``value``; ModelError if none or not decisive."""
    band = max(5 * se, _DETERMINISTIC_TOL)
    candidate = Fraction(value).limit_denominator(_DENOMINATOR)
    if abs(float(candidate) - value) > band or band > 1 / (2 * _DENOMINATOR):
        raise ModelError(f"{what}: width exponent {-value:+.4f} (± {band:.4f}) is not a rational power of width tp4 can name")
    return candidate


def _slope(widths: Sequence[int], values: Sequence[float], weights: Sequence[float] | None = None) -> tuple[float, float, float]:
    """(slope, its standard error from the given per-point log SEs, the largest residual) of log v vs log n."""
    x, y = np.log(np.asarray(widths, float)), np.log(np.asarray(values, float))
    w = np.ones_like(x) if weights is None else 1 / np.asarray(weights, float) ** 2
    xm = np.sum(w * x) / np.sum(w)
    ym = np.sum(w * y) / np.sum(w)
    sxx = np.sum(w * (x - xm) ** 2)
    slope = float(np.sum(w * (x - xm) * (y - ym)) / sxx)
    resid = y - (ym + slope * (x - xm))
    se = float(math.sqrt(1 / sxx)) if weights is not None else 0.0
    return slope, se, float(np.max(np.abs(resid)))


def _deterministic(widths: Sequence[int], values: Sequence[float], what: str) -> Fraction:
    if any(not math.isfinite(v) or v <= 0 for v in values):
        raise ModelError(f"{what}: values {[f'{v:.4g}' for v in values]} at widths {list(widths)} are not positive powers of width")
    slope, _, resid = _slope(widths, values)
    if resid > _DETERMINISTIC_TOL * 10:
        shown = ", ".join(f"{v:.4g}" for v in values)
        raise ModelError(f"{what} is not a power of width: {shown} at widths {', '.join(map(str, widths))}")
    return snap(-slope, 0.0, what)


def _std_exponent(widths: Sequence[int], means: Sequence[float], entries: Sequence[int], what: str) -> Exponent:
    if all(v == 0 for v in means):
        return INF
    if any(v == 0 for v in means):
        raise ModelError(f"{what}: zero at some widths only ({', '.join(f'{v:.3g}' for v in means)})")
    # log-SE of an RMS over N pooled entries: ≈ 1/sqrt(2 N)
    ses = [1 / math.sqrt(2 * n) for n in entries]
    slope, se, _ = _slope(widths, means, ses)
    return snap(-slope, se, what)


def infer_parametrization(target: Target, structure: Structure, widths: Sequence[int] = INFERENCE_WIDTHS,
                          seed_base: int = 0) -> Inference:
    """Measure every layer's knobs at ``widths`` (builds seeded from ``seed_base`` on) and infer the
    abc-parametrization (module docstring)."""
    if not structure.in_theory:
        raise ModelError("the model is beyond the paper's MLP form: " + "; ".join(structure.beyond))
    widths = tuple(sorted(widths))
    ref = build_at(target, widths[0], seed_base)
    knobs: list[Knobs] = []
    for n in widths:
        k = measure_knobs(target, structure, n, seed_base, ref, widths[0])
        check_finite(k, structure)
        knobs.append(k)
    note = next((k.optimizer_note for k in knobs if k.optimizer_note), "")
    layers = []
    for i, l in enumerate(structure.layers):
        parent = [k.parent[i] for k in knobs]
        if i < len(structure.layers) - 1 and not all(math.isfinite(v) for v in parent):
            raise ModelError(f"{l.label}: the map from its output to the next layer changes with width in a way "
                             "that is not a multiplier before an elementwise nonlinearity")
        last = i == len(structure.layers) - 1
        parent_alpha = None if last else _deterministic(widths, parent, f"{l.label} multiplier in the parent's forward")
        mult = [k.module[i] * (1.0 if last else k.parent[i]) for k in knobs]
        alpha = _deterministic(widths, [abs(m) for m in mult], f"{l.label} multiplier")
        beta = _std_exponent(widths, [k.std[i] for k in knobs], [k.entries[i] for k in knobs], f"{l.label} init std")
        lrs = [k.lr[i] for k in knobs]
        gamma = None if note else _deterministic(widths, lrs, f"{l.label} learning rate")
        layers.append(LayerKnobs(l.label, l.role, alpha, beta, gamma, tuple(mult),
                                 tuple(k.std[i] for k in knobs), tuple(lrs), tuple(parent), parent_alpha))
    zero = [k.label for k in layers[:-1] if isinstance(k.beta, Infinity)]
    if zero:
        raise ModelError(f"{zero[0]} is initialised at zero: tp4's theory allows a zero init (b = inf) for the readout only")
    p = None if note else Parametrization.of([k.a or 0 for k in layers], [0 if k.b is None else k.b for k in layers], 0)
    return Inference(tuple(layers), widths, p, note)
