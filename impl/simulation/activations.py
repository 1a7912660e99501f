"""Nonlinearities φ with closed-form derivatives φ′ for the manual backward pass.

The paper's classification (Section 3.2, Assumption 3.1) is stated for φ = tanh or σ-gelu
(Definition H.1); Section 6 and Figure 4 (Section 9.1) also use φ(x) = x and φ(x) = x². The others
(relu, gelu, erf) are common choices for which the finite-width simulation is equally valid.

An :class:`Activation` carries both ``fn`` and ``derivative`` as torch callables; a user may
supply their own pair. The reference model (:mod:`impl.simulation.reference`) differentiates
``fn`` with autograd, which is how the closed-form derivatives are checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

__all__ = ["Activation", "ACTIVATIONS", "DEFAULT_SIGMA", "get_activation", "sigma_gelu", "resolve_activation"]

TensorFn = Callable[[torch.Tensor], torch.Tensor]
_INV_SQRT_PI = 1.0 / math.sqrt(math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
DEFAULT_SIGMA = 0.1
"""σ of the registry's ``"sigma_gelu"`` (Assumption 3.1 asks for a small σ; use ``"sigma_gelu:S"``)."""


@dataclass(frozen=True)
class Activation:
    """A nonlinearity φ and its derivative φ′, both elementwise torch callables."""

    name: str
    fn: TensorFn
    derivative: TensorFn

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("an Activation needs a non-empty name")
        if not callable(self.fn) or not callable(self.derivative):
            raise ValueError(f"activation {self.name!r}: fn and derivative must both be callables")


def _relu_derivative(x: torch.Tensor) -> torch.Tensor:
    return (x > 0).to(x.dtype)


def _gelu(x: torch.Tensor) -> torch.Tensor:
    """Exact gelu x·Φ(x) (Φ the standard normal CDF)."""
    return x * (0.5 * (1.0 + torch.erf(x * _INV_SQRT_2)))


def _gelu_derivative(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * (1.0 + torch.erf(x * _INV_SQRT_2)) + x * torch.exp(-0.5 * x * x) * _INV_SQRT_2PI


def sigma_gelu(sigma: float = DEFAULT_SIGMA) -> Activation:
    """σ-gelu of Definition H.1: x ↦ ½·x·erf(x/σ) + σ·e^{−x²/σ²}/(2√π) + x/2.

    Its derivative is ½(1 + erf(x/σ)) (the two e^{−x²/σ²} terms cancel), so σ-gelu is the integral
    of a smoothed step and tends to relu as σ → 0.
    """
    s = float(sigma)
    if not (math.isfinite(s) and s > 0):
        raise ValueError(f"sigma-gelu needs a finite sigma > 0, got {sigma!r}")

    def fn(x: torch.Tensor) -> torch.Tensor:
        u = x / s
        return 0.5 * x * torch.erf(u) + (0.5 * s * _INV_SQRT_PI) * torch.exp(-u * u) + 0.5 * x

    def derivative(x: torch.Tensor) -> torch.Tensor:
        return 0.5 * (1.0 + torch.erf(x / s))

    return Activation(f"sigma_gelu:{s:g}", fn, derivative)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("tanh", torch.tanh, lambda x: 1.0 - torch.tanh(x) ** 2),
        Activation("relu", torch.relu, _relu_derivative),
        Activation("gelu", _gelu, _gelu_derivative),
        Activation("identity", lambda x: x, torch.ones_like),
        Activation("square", lambda x: x * x, lambda x: 2.0 * x),
        Activation("erf", torch.erf, lambda x: (2.0 * _INV_SQRT_PI) * torch.exp(-x * x)),
    )
}
ACTIVATIONS["sigma_gelu"] = sigma_gelu(DEFAULT_SIGMA)
"""The named nonlinearities; ``"sigma_gelu"`` uses σ = :data:`DEFAULT_SIGMA`."""


def get_activation(name: str) -> Activation:
    """The registered activation ``name`` (``-`` and ``_`` are interchangeable).

    ``"sigma_gelu:0.3"`` (or ``"sigma-gelu:0.3"``) gives σ-gelu with σ = 0.3.
    """
    if not isinstance(name, str):
        raise ValueError(f"activation name must be a string, got {name!r}")
    key = name.strip().lower().replace("-", "_")
    if key.startswith("sigma_gelu:"):
        try:
            sigma = float(key.split(":", 1)[1])
        except ValueError:
            raise ValueError(f"bad sigma in activation {name!r}; use e.g. 'sigma_gelu:0.1'") from None
        return sigma_gelu(sigma)
    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(sorted(ACTIVATIONS))}, sigma_gelu:S")
    return ACTIVATIONS[key]


def resolve_activation(phi: "str | Activation") -> Activation:
    """``phi`` itself if it is an :class:`Activation`, else :func:`get_activation` of the name."""
    return phi if isinstance(phi, Activation) else get_activation(phi)
