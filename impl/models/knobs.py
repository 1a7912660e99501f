"""The three width knobs of each layer of the user's model, measured deterministically at one width.

For layer l with weight w (the trainable parameter), at width n:

* **multiplier** m: the module's output over ``F.linear(input, w)`` (least squares; a weight that is exactly
  zero lends a nonzero draw for this, :func:`impl.models.hooks.nonzero_weights`), times — for the
  readout — the model's output over the readout's, and — for the other layers — the factor s by which
  the parent's forward scales the layer's output before the elementwise map to the next layer, found by
  replacing the output with a grid z and matching the next layer's input g_n(z) to g_ref(s·z) at the
  reference width (a 1-D search; φ itself is never needed, only how it is fed);
* **init std**: the root mean square of w's entries at initialisation, pooled over builds with successive
  seeds (0 for an exact zero init);
* **learning rate**: −Δw/∇w after SGD steps, which must be one number over every entry and step
  (plain SGD); momentum, weight decay, Adam and the like are detected as not being that.

:mod:`impl.models.infer` fits their exponents across widths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from scipy.optimize import minimize_scalar
import torch.nn.functional as F

from impl.models.discover import Layer, Structure, probe_inputs
from impl.models.hooks import capture, nonzero_weights
from impl.models.target import Built, ModelError, Target, build_at, loss_of, user_call

__all__ = ["Knobs", "measure_knobs", "parent_scale", "sgd_rates", "coefficient", "STD_ENTRIES"]

_GRID = 64


@dataclass(frozen=True)
class Knobs:
    """One width's measurements per layer (in :attr:`Structure.layers` order): the module multiplier, the
    parent's scale relative to the reference width (1 at the reference; NaN for the readout, whose parent
    multiplier is absolute and folded into ``module``), the init std (pooled over ``entries`` entries) and the SGD learning rate
    (NaN when the optimizer is not plain SGD; ``optimizer_note`` says why)."""

    width: int
    module: tuple[float, ...]
    parent: tuple[float, ...]
    std: tuple[float, ...]
    entries: tuple[int, ...]
    lr: tuple[float, ...]
    optimizer_note: str


def coefficient(out: torch.Tensor, z: torch.Tensor) -> float:
    """The least-squares m with out ≈ m·z (both flattened)."""
    out, z = out.double().reshape(-1), z.double().reshape(-1)
    return float((out * z).sum() / (z * z).sum())


def _g(built: Built, layers: Sequence[str], x: torch.Tensor, before: str, after: str, z: torch.Tensor) -> np.ndarray:
    value = z.reshape(1, -1).expand(x.shape[0], -1)
    seen = capture(built.model, layers, x, replace=(before, value))
    return seen.inputs[after][0].double().numpy()


def parent_scale(ref: Built, other: Built, structure: Structure, l: int, x_ref: torch.Tensor,
                 x_other: torch.Tensor, ref_width: int, width: int) -> float:
    """s with g_width(z) = g_ref(s·z) for the map from layer l's output to layer l+1's input (module docstring);
    NaN when no s fits (the map changes with width otherwise than by a multiplier before it)."""
    names = [m.module for m in structure.layers]
    before, after = structure.layers[l].module, structure.layers[l + 1].module
    z = torch.linspace(-1.0, 1.0, _GRID, dtype=x_ref.dtype)
    pad_other = torch.cat([z, torch.zeros(width - _GRID, dtype=z.dtype)]) if width > _GRID else z[:width]
    target = _g(other, names, x_other, before, after, pad_other)[: min(_GRID, width)]
    zz = z[: min(_GRID, width)]

    def loss(log_s: float) -> float:
        scaled = torch.cat([zz * math.exp(log_s), torch.zeros(ref_width - len(zz), dtype=z.dtype)])
        got = _g(ref, names, x_ref, before, after, scaled)[: len(zz)]
        return float(np.mean((got - target) ** 2))

    grid = np.linspace(-math.log(256.0), math.log(256.0), 97)
    best = int(np.argmin([loss(v) for v in grid]))
    bracket = (grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)])
    s = float(minimize_scalar(loss, bounds=bracket, method="bounded", options={"xatol": 1e-11}).x)
    scale = float(np.mean(target ** 2)) or 1.0
    return math.exp(s) if loss(s) <= 1e-10 * scale else math.nan


def _grad(param: torch.Tensor) -> torch.Tensor:
    return param.grad.detach().double().clone() if param.grad is not None else torch.zeros_like(param, dtype=torch.float64)


def _group_lr(optimizer: torch.optim.Optimizer, param: torch.Tensor) -> float | None:
    for group in optimizer.param_groups:
        if any(p is param for p in group["params"]):
            return float(group["lr"]) if "lr" in group else None
    return None


def sgd_rates(built: Built, structure: Structure, x: torch.Tensor, y: torch.Tensor, steps: int = 3) -> tuple[tuple[float, ...], str]:
    """Per layer, the learning rate ρ with Δw = −ρ∇w over ``steps`` steps on (x, y) — the parameter group's
    ``lr`` when it is that ρ, else the fitted ρ — when one ρ fits every entry and step (to 10⁻³ of ‖Δw‖ beyond
    the rounding of w − w′), else NaN, with a note naming what the optimizer does beyond plain SGD (empty when
    it is plain SGD)."""
    params = dict(built.model.named_parameters())
    rates: list[list[float]] = [[] for _ in structure.layers]
    note = ""
    name = type(built.optimizer).__name__
    for group in built.optimizer.param_groups:
        for key in ("momentum", "weight_decay"):
            if group.get(key):
                note = f"{name} with {key.replace('_', ' ')} {group[key]} is not plain SGD"
    for _ in range(steps):
        before = {l.param: params[l.param].detach().clone() for l in structure.layers}
        built.optimizer.zero_grad(set_to_none=False)
        loss = loss_of(built, user_call("the model's forward pass", built.model, x), y)
        user_call("the backward pass", loss.backward)
        grads = {l.param: _grad(params[l.param]) for l in structure.layers}
        user_call("the optimizer's step", built.optimizer.step)
        for i, l in enumerate(structure.layers):
            g = grads[l.param]
            w = params[l.param].detach()
            dw = (w - before[l.param]).double()
            if float(g.norm()) == 0.0:
                continue
            rho = float(-(dw * g).sum() / (g * g).sum())
            floor = 4 * torch.finfo(w.dtype).eps * float(before[l.param].double().norm())
            if float((dw + rho * g).norm()) > 1e-3 * float(dw.norm()) + floor or not math.isfinite(rho):
                note = note or f"{name} does not update w by a fixed multiple of its gradient (not plain SGD)"
            rates[i].append(rho)
    out = []
    for i, rs in enumerate(rates):
        if note or not rs:
            out.append(math.nan)
            continue
        if max(rs) - min(rs) > 1e-3 * max(abs(v) for v in rs):
            note = f"{name}'s step size on {structure.layers[i].param} changes between steps (not plain SGD)"
            out.append(math.nan)
            continue
        rho = float(np.mean(rs))
        lr = _group_lr(built.optimizer, params[structure.layers[i].param])
        out.append(lr if lr is not None and abs(lr - rho) <= 1e-3 * abs(rho) else rho)
    if note:
        out = [math.nan] * len(out)
    return tuple(out), note


STD_ENTRIES = 1 << 14
"""Entries pooled (over builds with successive seeds) per layer and width for the init std: its log has
standard error ≈ 1/√(2·16384) ≈ 0.0055 per width."""


def _stds(target: Target, structure: Structure, width: int, seed: int, first: Built) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """Per layer, the std of the weight's entries pooled over enough builds for :data:`STD_ENTRIES` entries."""
    sizes = [dict(first.model.named_parameters())[l.param].numel() for l in structure.layers]
    need = min(256, max(-(-STD_ENTRIES // s) for s in sizes))
    sums = [[0.0, 0] for _ in sizes]
    for k in range(need):
        built = first if k == 0 else build_at(target, width, seed + k)
        params = dict(built.model.named_parameters())
        for i, l in enumerate(structure.layers):
            if k * sizes[i] < STD_ENTRIES or k == 0:
                w = params[l.param].detach().double()
                sums[i][0] += float((w * w).sum())
                sums[i][1] += w.numel()
    return tuple(math.sqrt(s / n) for s, n in sums), tuple(int(n) for _, n in sums)


def measure_knobs(target: Target, structure: Structure, width: int, seed: int, ref: Built, ref_width: int) -> Knobs:
    """The knobs of every layer at ``width`` from builds with seeds ``seed``, ``seed`` + 1, … (module
    docstring); ``ref`` is a build at ``ref_width``."""
    built = build_at(target, width, seed)
    dtype = next(built.model.parameters()).dtype
    x = probe_inputs(built.inputs, structure.input_dim, 8, dtype)
    x_ref = probe_inputs(ref.inputs, structure.input_dim, 8, dtype)
    names = [l.module for l in structure.layers]
    params = dict(built.model.named_parameters())
    module, parent = [], []
    last = len(structure.layers) - 1
    with nonzero_weights(built.model, [l.param for l in structure.layers]):  # a zero readout hides its multiplier
        seen = capture(built.model, names, x)
        for i, l in enumerate(structure.layers):
            w = params[l.param].detach()
            m = coefficient(seen.outputs[l.module], F.linear(seen.inputs[l.module].to(w.dtype), w))
            if i == last:
                m *= coefficient(seen.output, seen.outputs[l.module])
                parent.append(math.nan)
            else:
                parent.append(1.0 if width == ref_width else parent_scale(ref, built, structure, i, x_ref, x, ref_width, width))
            module.append(m)
    std, entries = _stds(target, structure, width, seed, built)
    y = torch.where(torch.arange(x.shape[0]) % 2 == 0, 2.0, -2.0).to(dtype).reshape(-1, 1).expand(-1, structure.output_dim)
    lr, note = sgd_rates(built, structure, x, y.contiguous())
    return Knobs(width, tuple(module), tuple(parent), std, entries, lr, note)


def check_finite(knobs: Knobs, structure: Structure) -> None:
    """Refuse a width where a multiplier could not be measured."""
    for l, m in zip(structure.layers, knobs.module):
        if not math.isfinite(m) or m == 0:
            why = "the layer's output is exactly 0" if m == 0 else "not finite"
            raise ModelError(f"{l.label}: the multiplier at width {knobs.width} is {m} ({why})")
