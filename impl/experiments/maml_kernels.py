"""First-order MAML of the fixed-feature models: Algorithm 4 (App. D.1.2) with the kernels of :mod:`impl.limits.kernels`.

A linear layer W on a fixed embedding Φ, f(ξ) = ⟨W, Φ(ξ)⟩ with K(ξ, ζ) = ⟨Φ(ξ), Φ(ζ)⟩, stays of the form
W = Σ_ζ q_ζ Φ(ζ) over the inputs ζ it was trained on, so f_Q(ξ) = Σ_ζ q_ζ K(ζ, ξ). Algorithm 4 keeps Q as
a growing stack of pairs (ζ, q); every input here comes from a finite pool, so the stack collapses to one
coefficient row q_ζ ∈ R^{d_o} per pool point and K to the pool's Gram matrix (same function, O(pool) memory).

Models (:data:`KERNEL_MODELS`): ``linear-features`` — the NNGP/NTK limit of the linear network, i.e. a
linear model on (ξ, 1) (Section 9.2's "GP/NTK" for φ = identity); ``relu-nngp`` / ``relu-ntk`` — the NNGP
and NTK of a 1-hidden-layer relu MLP (App. D.1.2), from :func:`impl.limits.kernels.mlp_kernels`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from impl.experiments.fewshot import TaskBatch, cross_entropy_chi
from impl.limits.kernels import mlp_kernels

__all__ = ["KERNEL_MODELS", "pool_kernel", "KernelLearner"]

KERNEL_MODELS = ("linear-features", "relu-nngp", "relu-ntk")
_BLOCK = 512  # kernel rows per mlp_kernels call (bounds its temporaries)


def pool_kernel(model: str, x: np.ndarray, *, w_std: float = 1.0, b_std: float = 1.0) -> np.ndarray:
    """The Gram matrix K (N, N) of ``model`` on the pool ``x`` (N, d): for a 1-hidden-layer MLP with weight
    and bias std ``w_std``, ``b_std`` (inputs not divided by d: the pool is scaled to mean ‖ξ‖² = 1), the
    identity-φ NNGP (``linear-features``: ξ·ζ + 2 at the defaults), the relu NNGP or the relu NTK."""
    if model not in KERNEL_MODELS:
        raise ValueError(f"unknown kernel model {model!r}; choose from {', '.join(KERNEL_MODELS)}")
    phi = "identity" if model == "linear-features" else "relu"
    rows = []
    for i in range(0, x.shape[0], _BLOCK):
        k = mlp_kernels(phi, 1, x[i:i + _BLOCK], x, w_std=w_std, b_std=b_std, fan_in_inputs=False)
        rows.append(k.ntk if model == "relu-ntk" else k.nngp)
    return np.concatenate(rows)


@dataclass(eq=False)
class KernelLearner:
    """Algorithm 4 on a pool with Gram matrix ``K`` (N, N): ``q`` (N, d_o) are the coefficients of W
    (Q = {} ⇒ q = 0 ⇒ f = 0 at the start) and ``f`` = Kq its values on the pool, kept in step. An adapted
    model is q plus coefficients on the task's support points (the pairs (ξᵢ, −εχᵢ) of lines 10–12, kept
    per task instead of pushed and popped)."""

    K: np.ndarray
    q: np.ndarray
    f: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.f = self.K @ self.q

    def adapt(self, tasks: TaskBatch, steps: int, eps: float) -> np.ndarray:
        """Lines 5–12, repeated ``steps`` times: support coefficients a (tasks, S, d_o), a −= εχ."""
        k_ss = self.K[tasks.support[:, :, None], tasks.support[:, None, :]]
        base = self.f[tasks.support]
        a = np.zeros(base.shape)
        for _ in range(steps):
            a -= eps * cross_entropy_chi(base + k_ss @ a, tasks.support_labels)
        return a

    def query_logits(self, adapted: np.ndarray, tasks: TaskBatch) -> np.ndarray:
        """f of the adapted models on the query points, (tasks, Q, d_o)."""
        k_qs = self.K[tasks.query[:, :, None], tasks.support[:, None, :]]
        return self.f[tasks.query] + k_qs @ adapted

    def meta_step(self, adapted: np.ndarray, tasks: TaskBatch, eta: float, clip: float) -> None:
        """Lines 13–27 for the task batch at once: the first-order meta-gradient is the mean over tasks of
        Σᵢ χ̂ᵢΦ(ξ̂ᵢ); its RKHS norm G (line 22, over the whole batch) sets ρ = min(1, g/G); push −ρηχ̂/tasks."""
        chi = cross_entropy_chi(self.query_logits(adapted, tasks), tasks.query_labels) / tasks.query.shape[0]
        flat, c = tasks.query.reshape(-1), chi.reshape(-1, chi.shape[-1])
        G = np.sqrt(max(float(np.sum((c @ c.T) * self.K[flat[:, None], flat[None, :]])), 0.0))
        rho = min(1.0, clip / G) if G > 0 else 1.0
        np.add.at(self.q, flat, -eta * rho * c)
        self.f -= self.K[flat].T @ (eta * rho * c)  # K is symmetric: K[:, flat] = K[flat]ᵀ
