"""The linear 1-hidden-layer µP network and its limit: Corollary 6.2, Theorem D.1, Algorithms 2–3.

For f(ξ) = VUξ in µP (Eq. (36); U = √n·u, V = v/√n, u, v ~ N(0, 1/n), SGD with step η on u, v) the
output is f = v·u·ξ, and every update lies in the span of the initial weights: du = −vᵀχξᵀ and
dvᵀ = −uξχᵀ only mix the columns of W = (u, vᵀ) ∈ R^{n×(d+d_o)}. So Wₜ = W₀Kₜ, and with W₀ = QR
(Q with orthonormal columns) the network is *exactly* the same SGD run on the width-(d+d_o)
weights R·Kₜ — a network started from R, i.e. from the Gram matrix W₀ᵀW₀ = RᵀR. As n → ∞ the Gram
matrix tends to the identity, which is Algorithm 3's "diagonal" initialisation (App. D.1, with
σ_u = σ_v = 1 and no bias, clipping or weight decay; the general step, with bias, clipping and weight
decay, is :mod:`impl.limits.linear_net`, which this module runs) and Theorem D.1's A₀ = I, D₀ = I, B₀ = C₀ = 0.

The coefficient form (Theorem D.1; Corollary 6.2 for d = d_o = 1): Z^{nVₜ} = AₜZ^{nV₀} + BₜZ^{U₀},
Z^{Uₜ} = CₜᵀZ^{nV₀} + DₜᵀZ^{U₀} with A (d_o×d_o), B (d_o×d), C (d_o×d), D (d×d), so that
f̊ₜ(ξ) = (AₜCₜ + BₜDₜ)ξ. (The paper prints C₀ ∈ R^{d×d_o}; its own updates ηχ̊⊗Cξ and ηAᵀχ̊⊗ξ need
C ∈ R^{d_o×d}.) In Algorithm 3's weights: A = v[:, d:], B = v[:, :d], C = u[d:], D = u[:d].

Every function takes the training :class:`~impl.simulation.Routine` (η = ``routine.lr``, its loss; batch
1, no bias) and optional explicit ``data`` (default :func:`impl.simulation.training_data`); the routine's
φ must be the identity (ValueError otherwise: this is the linear network).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats

from impl.limits.linear_net import (LinearNet, gram_reduce, linear_net_gradient, linear_net_init, linear_net_output,
                                    linear_net_step)
from impl.limits.one_hidden import LimitTrajectory
from impl.limits.routine import limit_data, loss_derivative
from impl.simulation import Routine, TrainingData

__all__ = [
    "LinearCoefficients",
    "linear_coefficients",
    "cor62_coefficients",
    "linear_limit",
    "linear_from_init",
    "linear_finite_reduced",
]

_TAG = 0xD1  # SeedSequence tag of the Gram-matrix draws of linear_finite_reduced


def _rng(seed: int, width: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([_TAG, seed, width])))


def _linear_data(routine: Routine, data: TrainingData | None) -> TrainingData:
    """:func:`limit_data`, and φ must be the identity."""
    data = limit_data(routine, data)
    if routine.activation.name != "identity":
        raise ValueError(f"the linear network needs phi = identity, got a routine with phi {routine.activation.name!r}")
    return data


@dataclass(frozen=True, eq=False)
class LinearCoefficients:
    """Aₜ, Bₜ, Cₜ, Dₜ for t = 0..T (leading axis T+1) and χ̊ₜ (T, d_o) of Theorem D.1.

    For Corollary 6.2 (d = d_o = 1) every array is (T+1,) and ``chi`` is (T,).
    """

    A: np.ndarray
    B: np.ndarray
    C: np.ndarray
    D: np.ndarray
    chi: np.ndarray

    def outputs(self, probes: np.ndarray) -> np.ndarray:
        """f̊ₜ(ξ) = (AₜCₜ + BₜDₜ)ξ for each probe row ξ: shape (T+1, P, d_o) (or (T+1, P) for Cor 6.2)."""
        if self.A.ndim == 1:
            return (self.A * self.C + self.B * self.D)[:, None] * np.asarray(probes, dtype=np.float64).reshape(1, -1)
        m = self.A @ self.C + self.B @ self.D
        return np.einsum("tod,pd->tpo", m, np.asarray(probes, dtype=np.float64))


def cor62_coefficients(routine: Routine, *, data: TrainingData | None = None) -> LinearCoefficients:
    """Corollary 6.2 with learning rate η (d = d_o = 1): scalars A, B, C, D, from A₀ = D₀ = 1."""
    data = _linear_data(routine, data)
    if routine.input_dim != 1 or routine.output_dim != 1:
        raise ValueError(f"Corollary 6.2 needs d = d_o = 1, got d = {routine.input_dim}, d_o = {routine.output_dim}")
    T, xs, ys = routine.steps, data.inputs[:, 0, 0], data.labels[:, 0]
    A, B, C, D, chi = np.ones(T + 1), np.zeros(T + 1), np.zeros(T + 1), np.ones(T + 1), np.zeros(T)
    for t in range(T):
        xi = xs[t]
        chi[t] = loss_derivative(routine.loss, np.array([(A[t] * C[t] + B[t] * D[t]) * xi]), ys[t])[0]
        g = routine.lr * chi[t] * xi
        A[t + 1], B[t + 1] = A[t] - g * C[t], B[t] - g * D[t]
        C[t + 1], D[t + 1] = C[t] - g * A[t], D[t] - g * B[t]
    return LinearCoefficients(A, B, C, D, chi)


def linear_coefficients(routine: Routine, *, data: TrainingData | None = None) -> LinearCoefficients:
    """Theorem D.1: (A, B) −= ηχ̊ₜ⊗(Cξₜ, Dξₜ), (C, D) −= η(Aᵀχ̊ₜ, Bᵀχ̊ₜ)⊗ξₜ, from A₀ = I, D₀ = I."""
    data = _linear_data(routine, data)
    d, do, T, eta = routine.input_dim, routine.output_dim, routine.steps, routine.lr
    A, B, C, D = np.eye(do), np.zeros((do, d)), np.zeros((do, d)), np.eye(d)
    hist, chis = [(A, B, C, D)], np.zeros((T, do))
    for t in range(T):
        xi = data.inputs[t, 0]
        chi = loss_derivative(routine.loss, (A @ C + B @ D) @ xi, data.labels[t, 0])
        A, B, C, D = (A - eta * np.outer(chi, C @ xi), B - eta * np.outer(chi, D @ xi),
                      C - eta * np.outer(A.T @ chi, xi), D - eta * np.outer(B.T @ chi, xi))
        hist.append((A, B, C, D))
        chis[t] = chi
    A_, B_, C_, D_ = (np.stack(m) for m in zip(*hist))
    return LinearCoefficients(A_, B_, C_, D_, chis)


def _sgd(routine: Routine, data: TrainingData, net: LinearNet) -> tuple[np.ndarray, np.ndarray]:
    """Algorithms 2/3 (batch 1, no bias, clipping or weight decay) for S networks at once, by the one SGD
    step of :mod:`impl.limits.linear_net`. ``net`` has u (S, r, d), v (S, d_o, r). Returns f on the
    probes (T+1, S, P, d_o) and χ (T, S, d_o).
    """
    T, S = routine.steps, net.u.shape[0]
    out = np.empty((T + 1, S, routine.probes, routine.output_dim))
    chis = np.empty((T, S, routine.output_dim))
    for t in range(T + 1):
        out[t] = linear_net_output(net, data.probes)
        if t == T:
            break
        xi = data.inputs[t]  # a batch of one input, (1, d)
        chi = loss_derivative(routine.loss, linear_net_output(net, xi)[:, 0], data.labels[t, 0])  # (S, d_o)
        net = linear_net_step(net, linear_net_gradient(net, xi, chi[:, None, :], 0.0), routine.lr, alpha=0.0)
        chis[t] = chi
    return out, chis


def linear_limit(routine: Routine, *, data: TrainingData | None = None) -> LimitTrajectory:
    """The µP limit of Theorem D.1 computed as Algorithm 3: a width-(d+d_o) linear network with the
    "diagonal" initialisation u = (I_d; 0), v = (0, I_{d_o}). Exact up to round-off."""
    data = _linear_data(routine, data)
    d, do = routine.input_dim, routine.output_dim
    out, chi = _sgd(routine, data, linear_net_init(d, do, None, shape=(1,)))
    return LimitTrajectory(out[:, 0], chi[:, 0], 0.0, "algorithm-3", d + do, 0, True)


def linear_from_init(routine: Routine, U0: np.ndarray, V0: np.ndarray, *,
                     data: TrainingData | None = None) -> np.ndarray:
    """fₜ(probes) of the width-n linear µP network with initial weights U₀ (n, d), V₀ (d_o, n) in
    Eq. (16)'s convention (U = √n·u, V = v/√n: the engine's W¹ and readout), computed exactly as
    Algorithm 3 started from R of W₀ = (u₀, v₀ᵀ) = QR instead of the identity. Leading seed axes
    (S, n, d), (S, d_o, n) are allowed; returns (T+1, P, d_o) or (T+1, S, P, d_o).
    """
    data = _linear_data(routine, data)
    U, V = np.asarray(U0, dtype=np.float64), np.asarray(V0, dtype=np.float64)
    single = U.ndim == 2
    U, V = (U[None], V[None]) if single else (U, V)
    d, do = routine.input_dim, routine.output_dim
    if U.ndim != 3 or V.ndim != 3 or U.shape[2] != d or V.shape[1] != do or V.shape[2] != U.shape[1] \
            or V.shape[0] != U.shape[0]:
        raise ValueError(f"U0 must be (n, {d}) and V0 ({do}, n) (optionally with a common seed axis), "
                         f"got {np.shape(U0)} and {np.shape(V0)}")
    n = U.shape[1]
    out, _ = _sgd(routine, data, gram_reduce(LinearNet(U / np.sqrt(n), np.sqrt(n) * V, np.zeros(U.shape[:2]))))
    return out[:, 0] if single else out


def linear_finite_reduced(routine: Routine, width: int, seeds: Sequence[int], *,
                          data: TrainingData | None = None) -> np.ndarray:
    """fₜ(probes) of width-n linear µP networks, (T+1, S, P, d_o), at O(1) cost in n.

    The Gram matrix W₀ᵀW₀ of W₀ = (u₀, v₀ᵀ) with iid N(0, 1/n) entries is Wishart(n, I/n); each seed
    draws one (scipy.stats.wishart, from SeedSequence([tag, seed, width])) and runs Algorithm 3
    from its Cholesky factor. Same law as the engine's networks, not the same draws (use
    :func:`linear_from_init` for those).
    """
    data = _linear_data(routine, data)
    m = routine.input_dim + routine.output_dim
    if isinstance(width, bool) or not isinstance(width, int) or width < m:
        raise ValueError(f"width must be an integer >= d + d_o = {m}, got {width!r}")
    if len(seeds) == 0 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0 for s in seeds):
        raise ValueError(f"seeds must be a non-empty sequence of integers >= 0, got {seeds!r}")
    law = stats.wishart(df=width, scale=np.eye(m) / width)
    grams = [np.reshape(law.rvs(random_state=_rng(int(s), width)), (m, m)) for s in seeds]
    R = np.linalg.cholesky(np.stack(grams)).transpose(0, 2, 1)
    d = routine.input_dim
    net = LinearNet(R[:, :, :d], R[:, :, d:].transpose(0, 2, 1), np.zeros(R.shape[:2]))
    return _sgd(routine, data, net)[0]
