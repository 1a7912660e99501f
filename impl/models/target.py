"""The user's model: ``TARGET`` → a build function of the width, and what one call of it returns.

A target is ``path/to/file.py:function`` or ``package.module:function`` (or, from Python, the function
itself). ``function(n)`` builds the model at width ``n`` and returns ``(model, optimizer)`` or a dict
with ``model``, ``optimizer`` and optionally ``loss`` (``callable(output, target) → scalar``) and
``inputs`` (a batch of inputs, rows = examples). tp4 seeds torch before every build
(:func:`build_at`), so the same (width, seed) gives the same network.

Every way this can go wrong — a target that does not import, a missing function, a wrong signature or
return, a build that raises — is a :class:`ModelError` with a one-line message (exit code 2 in the CLI).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

import torch

__all__ = ["ModelError", "Built", "Target", "load_target", "build_at", "user_call", "loss_of"]


class ModelError(ValueError):
    """Bad input about the user's model (one line; the CLI exits with code 2)."""


@dataclass
class Built:
    """One build: the model, its optimizer, the loss (None: ½‖f − y‖² averaged over the batch) and the
    user's inputs (None: tp4 draws its routine's inputs)."""

    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None
    inputs: torch.Tensor | None = None


@dataclass(frozen=True)
class Target:
    """A build function and its name (``file.py:fn`` or ``module:fn``), with a digest of its source file
    (part of every cache key, so editing the model invalidates cached measurements)."""

    name: str
    build: Callable[[int], Any]
    source_digest: str

    @property
    def key(self) -> str:
        """The name without the file's directory (``file.py:fn``): network seeds derive from it, so they are the
        same wherever the checkout lies."""
        where, _, fn = self.name.rpartition(":")
        return f"{Path(where).name}:{fn}" if where.endswith(".py") else self.name

    def __reduce__(self) -> tuple[Any, ...]:  # picklable by name for process pools (functions from files are not)
        return (load_target, (self.name,))


def _load_module(where: str) -> Any:
    if where.endswith(".py") or "/" in where or "\\" in where:
        path = Path(where)
        if not path.is_file():
            raise ModelError(f"model file {where!r} does not exist")
        name = "tp4_user_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ModelError(f"cannot import {where!r} as a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as err:  # noqa: BLE001 - the user's code: one line, not a traceback
            del sys.modules[name]
            raise ModelError(f"importing {where!r} failed: {type(err).__name__}: {err}") from None
        return module
    try:
        return importlib.import_module(where)
    except Exception as err:  # noqa: BLE001
        raise ModelError(f"importing module {where!r} failed: {type(err).__name__}: {err}") from None


def _digest(fn: Callable[..., Any]) -> str:
    try:
        text = Path(inspect.getsourcefile(fn) or "").read_bytes()
    except (OSError, TypeError):
        text = getattr(fn, "__qualname__", repr(fn)).encode()
    return hashlib.sha256(text).hexdigest()[:16]


def load_target(target: "str | Callable[[int], Any]") -> Target:
    """The :class:`Target` of ``'file.py:fn'``, ``'package.module:fn'`` or a build function."""
    if callable(target):
        module = getattr(target, "__module__", "") or ""
        name = f"{module}:{getattr(target, '__qualname__', 'build')}"
        _check_signature(target, name)
        return Target(name, target, _digest(target))
    if not isinstance(target, str) or ":" not in target.strip(":"):
        raise ModelError(f"model target must be 'path/file.py:function' or 'package.module:function', got {target!r}")
    where, _, fn_name = target.rpartition(":")
    module = _load_module(where)
    fn = module
    for part in fn_name.split("."):
        fn = getattr(fn, part, None)
        if fn is None:
            raise ModelError(f"{where!r} has no function {fn_name!r}")
    if not callable(fn):
        raise ModelError(f"{target!r} is not callable")
    _check_signature(fn, target)
    return Target(target, fn, _digest(fn))


def _check_signature(fn: Callable[..., Any], name: str) -> None:
    try:
        inspect.signature(fn).bind(64)
    except TypeError:
        raise ModelError(f"{name} must take the width n as its one argument") from None
    except ValueError:
        pass  # builtins without a signature: find out when called


T = TypeVar("T")


def user_call(what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call the user's code (a forward pass, the loss, an optimizer step); any exception becomes a one-line
    :class:`ModelError` naming ``what`` failed."""
    try:
        return fn(*args, **kwargs)
    except ModelError:
        raise
    except Exception as err:  # noqa: BLE001 - the user's code: one line, not a traceback
        raise ModelError(f"{what} failed: {type(err).__name__}: {' '.join(str(err).split())}") from None


def loss_of(built: Built, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The user's loss (default ½‖f − y‖² averaged over the batch) of ``output`` against the routine's labels
    ``target`` (shape (B, d_o), reshaped to the output's shape when the sizes match)."""
    y = target.reshape(output.shape) if target.numel() == output.numel() else target
    if built.loss is None:
        return 0.5 * ((output - y) ** 2).reshape(output.shape[0], -1).sum(dim=1).mean()
    return user_call("the model's loss", built.loss, output, y)


def build_at(target: Target, width: int, seed: int) -> Built:
    """Seed torch with ``seed``, call the build function at width ``width`` and check what it returns."""
    torch.manual_seed(seed)
    try:
        out = target.build(width)
    except Exception as err:  # noqa: BLE001 - the user's code failed at this width
        raise ModelError(f"{target.name} failed to build at width {width}: {type(err).__name__}: {err}") from None
    if isinstance(out, dict):
        unknown = set(out) - {"model", "optimizer", "loss", "inputs"}
        if unknown or "model" not in out or "optimizer" not in out:
            raise ModelError(f"{target.name} returned a dict with keys {sorted(out)}; it needs 'model' and "
                             f"'optimizer' (optional: 'loss', 'inputs')")
        built = Built(out["model"], out["optimizer"], out.get("loss"), out.get("inputs"))
    elif isinstance(out, (tuple, list)) and len(out) == 2:
        built = Built(out[0], out[1])
    else:
        raise ModelError(f"{target.name} must return (model, optimizer) or a dict with 'model' and 'optimizer', "
                         f"got {type(out).__name__}")
    if not isinstance(built.model, torch.nn.Module):
        raise ModelError(f"{target.name}: the model is a {type(built.model).__name__}, not a torch.nn.Module")
    if not isinstance(built.optimizer, torch.optim.Optimizer):
        raise ModelError(f"{target.name}: the optimizer is a {type(built.optimizer).__name__}, not a torch.optim.Optimizer")
    if built.loss is not None and not callable(built.loss):
        raise ModelError(f"{target.name}: 'loss' must be callable(output, target)")
    if built.inputs is not None:
        if not isinstance(built.inputs, torch.Tensor) or built.inputs.ndim < 2 or built.inputs.shape[0] < 1:
            raise ModelError(f"{target.name}: 'inputs' must be a tensor with a batch dimension first")
    devices = {p.device.type for p in built.model.parameters()}
    if devices - {"cpu"}:
        raise ModelError(f"{target.name}: the model is on {', '.join(sorted(devices))}; tp4 model runs models on the "
                         "CPU (build it there)")
    return built
