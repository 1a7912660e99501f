"""Which parameters of the user's model scale with the width, which layer each is, and whether the model is
an MLP of the paper's form (Section 3, Eq. (1)).

Built at two widths, every parameter whose shape changes is *width-scaled*: a 2-D weight is an
**input** layer when only its fan-out scales (n × d), **hidden** when both do (n × n) and the
**readout** when only its fan-in does (d_o × n). One forward pass with hooks on the modules that own
them gives their order. The model is *in the paper's theory* — and tp4 infers its abc-parametrization —
when it is exactly h¹ = W¹ξ, xˡ = φ(hˡ), hˡ⁺¹ = Wˡ⁺¹xˡ, f = W^{L+1}x^L up to width-dependent multipliers:

* the width-scaled parameters are one input layer, L − 1 hidden layers and one readout, all weights,
  each owned by a module called once per forward whose output is a multiple of
  ``F.linear(input, weight)`` (no bias; App. C.1's biases are not modelled here);
* consecutive layers are joined by an elementwise map (checked by permuting coordinates), the input
  layer reads the model's input and the model's output is a multiple of the readout's.

Anything else — attention, normalisation, embeddings, convolutions, biases, several heads — is beyond
the paper's theorems; :mod:`impl.models.desiderata` judges such models instead, and
:attr:`Structure.beyond` says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
import torch.nn.functional as F

from impl.models.hooks import Seen, as_matrix, capture, nonzero_weights
from impl.models.target import Built, ModelError, Target, build_at

__all__ = ["Layer", "Structure", "discover", "probe_inputs", "DISCOVERY_WIDTHS"]

DISCOVERY_WIDTHS: tuple[int, int] = (64, 128)
"""The two widths whose shapes reveal the width-scaled parameters."""
_LINEAR_TOL = 1e-5


@dataclass(frozen=True)
class Layer:
    """One width-scaled weight: its parameter and module names, role (``input``, ``hidden``, ``readout``
    — or ``other`` beyond the paper) and index l = 1..L+1 in the forward order (0 when unknown)."""

    param: str
    module: str
    role: str
    index: int

    @property
    def label(self) -> str:
        """``W1 (fc1.weight)``-style label; ``Wout`` for the readout."""
        tag = "out" if self.role == "readout" else str(self.index)
        return f"W{tag} ({self.param})" if self.index else self.param


@dataclass(frozen=True)
class Structure:
    """What :func:`discover` found: the width-scaled layers in forward order, the input and output
    dimensions, and why the model is beyond the paper's theory (empty when it is an MLP of Eq. (1))."""

    layers: tuple[Layer, ...]
    input_dim: int | None
    output_dim: int
    beyond: tuple[str, ...]
    scaled: tuple[str, ...]

    @property
    def in_theory(self) -> bool:
        return not self.beyond

    @property
    def depth(self) -> int:
        """L, the hidden layers (meaningful in the theory)."""
        return len(self.layers) - 1


def probe_inputs(inputs: torch.Tensor | None, input_dim: int | None, rows: int, dtype: torch.dtype) -> torch.Tensor:
    """The user's ``inputs`` (cycled to ``rows``) or ``rows`` standard normal inputs of dimension ``input_dim``
    scaled to unit norm (a deterministic draw: a fixed generator)."""
    if inputs is not None:
        x = inputs
        reps = -(-rows // x.shape[0])
        return torch.cat([x] * reps)[:rows]
    if input_dim is None:
        raise ModelError("cannot find the model's input dimension (no n×d input layer): return 'inputs' from the build function")
    g = torch.Generator().manual_seed(12345)
    z = torch.randn(rows, input_dim, generator=g, dtype=torch.float64)
    return (z / z.norm(dim=1, keepdim=True)).to(dtype)


def _param_dtype(model: torch.nn.Module) -> torch.dtype:
    for p in model.parameters():
        return p.dtype
    raise ModelError("the model has no parameters")


def _owners(model: torch.nn.Module) -> dict[str, tuple[str, str]]:
    """parameter name → (owning module name, attribute)."""
    out = {}
    for mname, module in model.named_modules():
        for pname, _ in module.named_parameters(recurse=False):
            out[f"{mname}.{pname}" if mname else pname] = (mname, pname)
    return out


def _scaled(a: Built, b: Built, widths: Sequence[int]) -> dict[str, tuple[bool, ...]]:
    pa, pb = dict(a.model.named_parameters()), dict(b.model.named_parameters())
    if pa.keys() != pb.keys():
        raise ModelError(f"the model's parameters differ between widths {widths[0]} and {widths[1]}: "
                         f"{sorted(pa.keys() ^ pb.keys())[:3]}")
    ratio = widths[1] / widths[0]
    out = {}
    for name, t in pa.items():
        u = pb[name]
        if t.ndim != u.ndim:
            raise ModelError(f"parameter {name} has {t.ndim} dimensions at width {widths[0]} and {u.ndim} at {widths[1]}")
        dims = tuple(x != y for x, y in zip(t.shape, u.shape))
        if any(d and y != x * ratio for d, x, y in zip(dims, t.shape, u.shape)):
            raise ModelError(f"parameter {name}: shape {tuple(t.shape)} at width {widths[0]} and {tuple(u.shape)} at "
                             f"{widths[1]} does not scale in proportion to the width")
        if any(dims):
            out[name] = dims
    return out


def _role(dims: tuple[bool, ...], shape: torch.Size, width: int) -> str:
    if len(dims) != 2:
        return "other"
    if dims == (True, False) and shape[0] == width:
        return "input"
    if dims == (True, True) and shape == (width, width):
        return "hidden"
    if dims == (False, True) and shape[1] == width:
        return "readout"
    return "other"


def _is_multiple(z: torch.Tensor, out: torch.Tensor) -> bool:
    """Whether ``out`` is a nonzero scalar multiple of ``z`` (same number of entries)."""
    if z.numel() != out.numel():
        return False
    z, out = z.reshape(-1).double(), out.reshape(-1).double()
    m = (out * z).sum() / (z * z).sum().clamp_min(1e-300)
    return bool((out - m * z).norm() <= _LINEAR_TOL * max(out.norm().item(), 1e-300) and m.abs() > 0)


def _is_linear(inp: torch.Tensor, out: torch.Tensor, weight: torch.Tensor) -> bool:
    """Whether ``out`` is a scalar multiple of F.linear(inp, weight) (no bias)."""
    return _is_multiple(F.linear(inp.to(weight.dtype), weight.detach()), out)


def _elementwise(model: torch.nn.Module, names: Sequence[str], x: torch.Tensor, before: str, after: str,
                 z: torch.Tensor) -> bool:
    """Whether the map from ``before``'s output to ``after``'s input acts coordinate by coordinate, the same
    map for every coordinate: permuting the replaced output permutes the next input the same way, and
    changing one coordinate changes only that coordinate (which rules out centring, normalisation, softmax)."""
    perm = torch.randperm(z.shape[-1], generator=torch.Generator().manual_seed(7))
    one = capture(model, names, x, replace=(before, z)).inputs.get(after)
    two = capture(model, names, x, replace=(before, z[..., perm])).inputs.get(after)
    bumped = z.clone()
    bumped[..., 0] += 0.5
    three = capture(model, names, x, replace=(before, bumped)).inputs.get(after)
    if one is None or two is None or three is None or one.shape != z.shape:
        return False
    local = torch.allclose(three[..., 1:], one[..., 1:], rtol=1e-6, atol=1e-9) and not torch.allclose(three[..., 0], one[..., 0])
    return bool(local and torch.allclose(one[..., perm], two, rtol=1e-6, atol=1e-9))


def discover(target: Target, widths: Sequence[int] = DISCOVERY_WIDTHS, seed: int = 0) -> Structure:
    """The width-scaled layers of the target's model and whether it is an MLP of the paper's form."""
    a, b = build_at(target, widths[0], seed), build_at(target, widths[1], seed)
    scaled = _scaled(a, b, widths)
    if not scaled:
        raise ModelError(f"{target.name}: no parameter changes shape between widths {widths[0]} and {widths[1]}; "
                         "the build function must use its argument n as the width")
    n = widths[0]
    params = dict(a.model.named_parameters())
    owners = _owners(a.model)
    beyond: list[str] = []
    roles = {name: _role(dims, params[name].shape, n) for name, dims in scaled.items()}
    weights = {k: r for k, r in roles.items() if owners[k][1] == "weight" and r != "other"}
    others = [name for name in roles if name not in weights]
    if others:
        beyond.append(", ".join(others) + (" is" if len(others) == 1 else " are") + " not an MLP weight (n×d, n×n or d_o×n)")
    inputs = [k for k, r in weights.items() if r == "input"]
    input_dim = int(params[inputs[0]].shape[1]) if len(inputs) == 1 else None
    x = probe_inputs(a.inputs, input_dim, 8, _param_dtype(a.model))
    modules = sorted({owners[k][0] for k in weights})
    try:
        seen = capture(a.model, modules, x)
    except Exception as err:  # noqa: BLE001 - the user's forward
        raise ModelError(f"{target.name}: the forward pass failed at width {n}: {type(err).__name__}: {err}") from None
    if not torch.all(torch.isfinite(seen.output)):
        raise ModelError(f"{target.name}: the model's output at initialisation is not finite at width {n}")
    output_dim = int(seen.output.shape[-1]) if seen.output.ndim > 1 else 1
    by_module = {owners[k][0]: k for k in weights}
    order = [m for m in seen.order if m in by_module]
    for m in modules:
        if m not in seen.order:
            beyond.append(f"module {m!r} is never called in the forward pass")
        elif seen.calls.get(m, 0) > 1:
            beyond.append(f"module {m!r} is called {seen.calls[m]} times per forward pass")
    layers = tuple(Layer(by_module[m], m, weights[by_module[m]], i) for i, m in enumerate(order, start=1))
    expected = ["input"] + ["hidden"] * (len(layers) - 2) + ["readout"]
    if [l.role for l in layers] != expected or len(layers) < 2:
        beyond.append("the width-scaled weights are not one input layer, hidden layers and one readout in that order")
    if a.inputs is not None and a.inputs.ndim != 2:
        beyond.append(f"the inputs have shape {tuple(a.inputs.shape)}: the paper's MLP takes vectors (batch × d)")
    if not beyond:
        with nonzero_weights(a.model, [l.param for l in layers]) as lent:
            if lent:  # a zero-initialised weight says nothing about its layer: look again with a nonzero one
                seen = capture(a.model, modules, x)
            beyond += _not_paper_mlp(a.model, modules, layers, seen, params, x, n)
    return Structure(layers, input_dim, output_dim, tuple(beyond), tuple(scaled))


def _not_paper_mlp(model: torch.nn.Module, modules: Sequence[str], layers: Sequence[Layer], seen: Seen,
                   params: dict[str, torch.nn.Parameter], x: torch.Tensor, n: int) -> list[str]:
    """What keeps an MLP-shaped model from being the paper's MLP: a layer that is not a multiple of F.linear, an
    input layer that does not read the input, a map between layers that is not elementwise, an output that is
    not a multiple of the readout's."""
    beyond: list[str] = []
    for l in layers:
        if not _is_linear(seen.inputs[l.module], seen.outputs[l.module], params[l.param]):
            beyond.append(f"module {l.module!r} is not a multiple of F.linear(input, {l.param}) (a bias, or not linear)")
    if seen.inputs.get(layers[0].module) is not None and not torch.equal(as_matrix(seen.inputs[layers[0].module]), as_matrix(x)):
        beyond.append(f"the input layer {layers[0].module!r} does not read the model's input")
    z = torch.linspace(-1.0, 2.0, n, dtype=x.dtype).repeat(x.shape[0], 1)  # mean ≠ 0: centring shows
    for prev, nxt in zip(layers, layers[1:]):
        if not beyond and not _elementwise(model, modules, x, prev.module, nxt.module, z):
            beyond.append(f"the map from {prev.module!r} to {nxt.module!r} is not elementwise")
    if not beyond and not _is_multiple(seen.outputs[layers[-1].module], seen.output):
        beyond.append(f"the model's output is not a multiple of the readout {layers[-1].module!r}'s output")
    return beyond
