"""φ and φ′ as float64 numpy functions for the limit evaluators (the engine's are torch).

Closed forms for the engine's named activations (tanh, relu, gelu, identity, square, erf and
σ-gelu of Definition H.1 with any σ); ``degree`` marks the polynomial ones, whose Gaussian
expectations quadrature can integrate exactly. Any other :class:`impl.simulation.Activation`
falls back to its own torch φ and φ′ applied to float64 arrays, so every activation the engine
accepts has a limit-side twin. ``tests/limits/test_one_hidden.py`` checks them against the engine.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np
import torch
from scipy import special, stats

from impl.simulation.activations import Activation, resolve_activation

__all__ = ["ArrayFn", "NumpyActivation", "numpy_activation"]

ArrayFn = Callable[[np.ndarray], np.ndarray]


class NumpyActivation(NamedTuple):
    """φ and φ′ as numpy callables; ``degree`` is φ's degree if it is a polynomial."""

    name: str
    fn: ArrayFn
    derivative: ArrayFn
    degree: int | None


def _sigma_gelu(s: float) -> NumpyActivation:
    def fn(x: np.ndarray) -> np.ndarray:
        u = x / s
        return 0.5 * x * special.erf(u) + (0.5 * s / math.sqrt(math.pi)) * np.exp(-u * u) + 0.5 * x

    return NumpyActivation(f"sigma_gelu:{s:g}", fn, lambda x: 0.5 * (1.0 + special.erf(x / s)), None)


_NUMPY: dict[str, NumpyActivation] = {
    a.name: a
    for a in (
        NumpyActivation("tanh", np.tanh, lambda x: 1.0 - np.tanh(x) ** 2, None),
        NumpyActivation("relu", lambda x: np.maximum(x, 0.0), lambda x: (x > 0).astype(np.float64), None),
        NumpyActivation("gelu", lambda x: x * special.ndtr(x), lambda x: special.ndtr(x) + x * stats.norm.pdf(x), None),
        NumpyActivation("identity", lambda x: x, np.ones_like, 1),
        NumpyActivation("square", lambda x: x * x, lambda x: 2.0 * x, 2),
        NumpyActivation("erf", special.erf, lambda x: (2.0 / math.sqrt(math.pi)) * np.exp(-x * x), None),
    )
}


def _lifted(act: Activation) -> NumpyActivation:
    def lift(fn: Callable[[torch.Tensor], torch.Tensor]) -> ArrayFn:
        return lambda z: fn(torch.from_numpy(np.ascontiguousarray(z, dtype=np.float64))).numpy()

    return NumpyActivation(act.name, lift(act.fn), lift(act.derivative), None)


def numpy_activation(phi: "str | Activation") -> NumpyActivation:
    """The numpy twin of the engine's activation ``phi`` (a name such as ``"sigma_gelu:0.5"``, or an
    :class:`Activation`; ``"sigma_gelu"`` is σ-gelu with the engine's default σ)."""
    act = resolve_activation(phi)
    if act.name.startswith("sigma_gelu:"):
        return _sigma_gelu(float(act.name.split(":", 1)[1]))
    return _NUMPY.get(act.name) or _lifted(act)
