"""Per-example losses ℓ(f, y) and their derivatives χ = ∂ℓ/∂f (the paper's L′, Section 6).

For output dimension d_o the per-example loss sums over outputs; a batch's loss is the mean over
its B examples, so the SGD gradient is (1/B)·Σᵢ χᵢ ∂fᵢ/∂w.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["loss_value", "loss_derivative"]


def loss_value(kind: str, f: torch.Tensor, y: torch.Tensor, dim: int) -> torch.Tensor:
    """Per-example loss summed over the output axis ``dim``.

    ``"mse"``: ½‖f − y‖²; ``"logistic"``: Σ_j log(1 + e^{−y_j f_j}), computed as softplus(−y f) so
    that large |f| does not overflow.
    """
    if kind == "mse":
        return 0.5 * ((f - y) ** 2).sum(dim)
    if kind == "logistic":
        return F.softplus(-y * f).sum(dim)
    raise ValueError(f"unknown loss {kind!r}")


def loss_derivative(kind: str, f: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """χ = ∂ℓ/∂f elementwise: f − y (mse) or −y·σ(−y f) (logistic)."""
    if kind == "mse":
        return f - y
    if kind == "logistic":
        return -y * torch.sigmoid(-y * f)
    raise ValueError(f"unknown loss {kind!r}")
