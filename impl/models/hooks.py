"""Forward hooks on the user's model: what each module saw and returned, and replacing a module's output.

Everything the models layer measures comes through :func:`capture`: one forward pass of the user's own
``model(inputs)`` with a forward hook on each named module, recording its first input and its output
(detached), optionally replacing one module's output (the intervention that reveals an elementwise map,
and a multiplier, applied by the parent's forward between two layers).

A weight initialised at exactly zero (a zero readout) hides its layer's multiplier and linearity: its
output is 0 whatever the layer computes. :func:`nonzero_weights` lends such weights a deterministic
standard-normal draw for the duration of a measurement and restores the zeros after.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

import torch

from impl.models.target import ModelError, user_call

__all__ = ["Seen", "capture", "as_matrix", "first_tensor", "owning_modules", "nonzero_weights"]


@dataclass
class Seen:
    """One forward pass: the model output, and per hooked module (in call order) its input and output."""

    output: torch.Tensor
    inputs: dict[str, torch.Tensor] = field(default_factory=dict)
    outputs: dict[str, torch.Tensor] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    args: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    kwargs: dict[str, dict[str, Any]] = field(default_factory=dict)


def first_tensor(out: Any) -> torch.Tensor | None:
    """A module's output, or the first tensor of a tuple output (attention modules return tuples)."""
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, (tuple, list)) and out and isinstance(out[0], torch.Tensor):
        return out[0]
    return None


def _detached(obj: Any) -> Any:
    if isinstance(obj, torch.Tensor):
        return obj.detach()
    if isinstance(obj, tuple):
        return tuple(_detached(x) for x in obj)
    return obj


def as_matrix(t: torch.Tensor) -> torch.Tensor:
    """(examples, features): every leading dimension folded into the rows."""
    return t.reshape(-1, t.shape[-1]) if t.ndim != 1 else t.reshape(1, -1)


def capture(model: torch.nn.Module, names: Sequence[str], x: torch.Tensor, *, replace: "tuple[str, torch.Tensor] | None" = None,
            substitute: "tuple[str, torch.nn.Module] | None" = None, grad: bool = False) -> Seen:
    """Run ``model(x)`` recording the first input and the output of every module in ``names``; with
    ``replace=(name, value)`` that module's output is replaced by ``value``, with ``substitute=(name, module)``
    by what ``module`` returns on the same arguments. Without ``grad`` no graph is kept."""
    modules = dict(model.named_modules())
    seen = Seen(output=torch.empty(0))
    handles = []

    def hook_for(name: str) -> Any:
        def hook(module: torch.nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any) -> Any:
            seen.calls[name] = seen.calls.get(name, 0) + 1
            if name not in seen.order:
                seen.order.append(name)
                seen.args[name], seen.kwargs[name] = _detached(args), {k: _detached(v) for k, v in kwargs.items()}
                if args and isinstance(args[0], torch.Tensor):
                    seen.inputs[name] = args[0].detach()
                tensor = first_tensor(out)
                if tensor is not None:
                    seen.outputs[name] = tensor.detach()
            if replace is not None and replace[0] == name:
                return replace[1].to(dtype=out.dtype, device=out.device).reshape(out.shape)
            if substitute is not None and substitute[0] == name:
                return substitute[1](*args, **kwargs)
            return None
        return hook

    for name in dict.fromkeys([*names, *([substitute[0]] if substitute else [])]):
        handles.append(modules[name].register_forward_hook(hook_for(name), with_kwargs=True))
    try:
        with torch.set_grad_enabled(grad):
            out = user_call("the model's forward pass", model, x)
    finally:
        for h in handles:
            h.remove()
    if not isinstance(out, torch.Tensor):
        raise ModelError(f"the model returned a {type(out).__name__}, not a tensor")
    seen.output = out if grad else out.detach()
    return seen


def owning_modules(model: torch.nn.Module, params: Sequence[str]) -> list[str]:
    """The names of the modules that own the given parameters directly, in module order."""
    owned = []
    for mname, module in model.named_modules():
        for pname, _ in module.named_parameters(recurse=False):
            if (f"{mname}.{pname}" if mname else pname) in params and mname not in owned:
                owned.append(mname)
    return owned


@contextmanager
def nonzero_weights(model: torch.nn.Module, params: Sequence[str], seed: int = 0) -> Iterator[tuple[str, ...]]:
    """Within the block, every parameter named in ``params`` that is exactly zero holds a standard-normal draw
    (generator seeded by ``seed``); the zeros are restored on exit. Yields the names that were replaced."""
    named = dict(model.named_parameters())
    zero = tuple(name for name in params if not bool(named[name].detach().any()))
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name in zero:
            t = named[name]
            t.copy_(torch.randn(t.shape, generator=generator, dtype=torch.float64).to(t.dtype))
    try:
        yield zero
    finally:
        with torch.no_grad():
            for name in zero:
                named[name].zero_()
