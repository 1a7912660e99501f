"""Monte-Carlo µP limit of the 2-hidden-layer MLP (paper Section 6.2–6.3, Theorems 6.3 and 6.4).

The network is f(ξ) = V φ(W φ(Uξ)) in µP (``impl.theory.mup(2)``), trained by SGD with batch 1 and
learning rate η (the theorems take η = 1; a general η multiplies every χ̊ₜ). Its limit is a system of
random variables Z driven by Z^{U₀} ∈ ℝ^d, Z^{nV₀} ∈ ℝ^{d_o} (iid N(0, 1)) and two centred Gaussian
families, independent of each other and of Z^{U₀}, Z^{nV₀}:

* Ẑ^{Wx} over every vector x that W multiplies (xₜ(ξₜ) and xₜ(probe)), Cov(Ẑ^{Wx}, Ẑ^{Wx′}) = E Zˣ Z^{x′};
* Ẑ^{Wᵀg} over the backward vectors gₜ (W̃ᵀ in Theorem 6.3, Wᵀ in Theorem 6.4), Cov = E Z^{gₜ} Z^{gₛ}.

Here gₜ := φ′(Z^{h̄ₜ}) Σₖ χ̊ₜₖ Z^{nVₜ,k} is χ̊ₜ·Z^{dh̄ₜ} of the paper (this form also covers d_o > 1), so

    Z^{h̄ₜ(ξ)} = Ẑ^{Wxₜ(ξ)} + Ż^{Wxₜ(ξ)} − η Σ_{s<t} Z^{gₛ} E Z^{xₛ} Z^{xₜ(ξ)}           (Eq. 25)
    Z^{dxₜ}   = Ẑ^{Wᵀgₜ}  + Ż^{Wᵀgₜ}  − η Σ_{s<t} Z^{xₛ} E Z^{gₛ} Z^{gₜ}                (Eq. 26)
    Z^{nV_{t+1}} = Z^{nVₜ} − η χ̊ₜ Z^{x̄ₜ},   Z^{U_{t+1}} = Z^{Uₜ} − η ξₜ φ′(Z^{hₜ}) Z^{dxₜ},
    f̊ₜ(ξ) = E Z^{nVₜ} φ(Z^{h̄ₜ(ξ)}),

with Ż ≡ 0 for partially decoupled backprop (Theorem 6.3) and, for true SGD (Theorem 6.4),
Ż^{Wx} = Σᵣ Z^{gᵣ} E ∂Zˣ/∂Ẑ^{Wᵀgᵣ} and Ż^{Wᵀg} = Σᵢ Z^{xᵢ} E ∂Z^g/∂Ẑ^{Wxᵢ}.

**Particles.** Each Z is an array of N particles, split into K independent replicas of M = N/K
particles (every expectation is a mean within one replica). A Gaussian family is built by
Gram–Schmidt in the particle inner product ⟨a, b⟩ = mean(ab): its inputs so far span an orthonormal
basis e₁..e_m, and each eⱼ owns a fresh standard normal particle array εⱼ. A new input x with
coordinates αⱼ = ⟨x, eⱼ⟩ and residual r gets Ẑ = Σⱼ αⱼεⱼ + ‖r‖ε_{m+1} (r/‖r‖ becoming e_{m+1}), which
is exactly the conditional (regression) draw given the earlier Ẑ's: the family is jointly Gaussian
with covariance the particle Gram matrix, for any order of the inputs. Ż uses the derivative-free
Stein form of Remark F.2: with Cᵢⱼ = E Z^{yᵢ}Z^{yⱼ}, bᵢ = E Ẑ^{Wᵀyᵢ}Zˣ and a = C⁺b, Ż^{Wx} = Σᵢ aᵢZ^{yᵢ}.
Writing yᵢ = Σⱼ βᵢⱼeⱼ (so C = ββᵀ, b = βc with cⱼ = E εⱼZˣ) gives Σᵢ aᵢyᵢ = eᵀβᵀ(ββᵀ)⁺βc = Σⱼ cⱼeⱼ,
which is what :meth:`_GaussianFamily.stein` computes (no pseudo-inverse of a possibly singular C).

**Cost.** Section 8 notes that integrating the limit exactly costs exponentially in t for nonlinear
φ (the number of Gaussians grows with t). With particles a step t adds at most P + 1 forward and one
backward Gaussian, each costing O(N·m) for m ≤ (t+1)(P+1) basis vectors: total time O(N·T²·P) and
memory O(N·T·P). The error is O(N^{-1/2}) (plus an O(K/N) bias of the interacting particle system);
``stderr`` is the standard error over the K independent replicas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from impl.limits.activations import numpy_activation
from impl.limits.routine import limit_data, loss_derivative
from impl.simulation import Routine, TrainingData

__all__ = ["MCTrajectory", "mlp2_limit", "REPLICAS"]

REPLICAS = 16
"""Default number of independent particle systems (``replicas`` of :func:`mlp2_limit`)."""
_REL_TOL = 1e-10  # residual norm below this fraction of ‖x‖: x already lies in the family's span


@dataclass(frozen=True)
class MCTrajectory:
    """f̊ₜ on the probes, ``outputs[t, p, k]`` (T+1, P, d_o), and its Monte-Carlo standard error."""

    outputs: np.ndarray
    stderr: np.ndarray
    particles: int
    replicas: int
    seed: int
    decoupled: bool


def _mean(a: np.ndarray) -> np.ndarray:
    """E over the particles of each replica, kept as (K, 1) for broadcasting."""
    return a.mean(axis=-1, keepdims=True)


class _GaussianFamily:
    """The Ẑ's of one matrix (W, or the backward W̃ᵀ / Wᵀ) over its inputs so far, by Gram–Schmidt."""

    def __init__(self, rng: np.random.Generator, replicas: int, per_replica: int, capacity: int) -> None:
        self.rng, self.m = rng, 0
        self.basis = np.zeros((replicas, capacity, per_replica))  # e_j: orthonormal in ⟨·,·⟩
        self.noise = np.zeros((replicas, capacity, per_replica))  # ε_j: iid N(0, 1) particles

    def _coords(self, stack: np.ndarray, z: np.ndarray) -> np.ndarray:
        """⟨z, stack_j⟩ for j < m, shape (K, m, 1)."""
        return stack[:, : self.m] @ z[:, :, None] / z.shape[-1]

    def _combine(self, stack: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """Σ_j coef_j stack_j, shape (K, M)."""
        return (stack[:, : self.m].transpose(0, 2, 1) @ coef)[:, :, 0]

    def hat(self, x: np.ndarray) -> np.ndarray:
        """Ẑ for the new input x: jointly Gaussian with the earlier Ẑ's, Cov = particle Gram matrix."""
        z, r = np.zeros_like(x), x
        if self.m:  # classical Gram–Schmidt, twice (enough for orthogonality to machine precision)
            alpha = self._coords(self.basis, x)
            r = x - self._combine(self.basis, alpha)
            again = self._coords(self.basis, r)
            r = r - self._combine(self.basis, again)
            z = self._combine(self.noise, alpha + again)  # Σⱼ αⱼεⱼ: the regression on earlier Ẑ's
        norm = np.sqrt(_mean(r * r))
        keep = norm > _REL_TOL * np.sqrt(_mean(x * x))
        if np.any(keep):
            eps = self.rng.standard_normal(x.shape)
            self.basis[:, self.m] = np.where(keep, r / np.where(keep, norm, 1.0), 0.0)
            self.noise[:, self.m] = eps
            self.m += 1
            z = z + np.where(keep, norm, 0.0) * eps
        return z

    def stein(self, z: np.ndarray) -> np.ndarray:
        """Σᵢ aᵢ Z^{yᵢ} with a = C⁺b, bᵢ = E Ẑ^{yᵢ} Z (Remark F.2), computed as Σⱼ E[εⱼ Z] eⱼ."""
        if self.m == 0:
            return np.zeros_like(z)
        return self._combine(self.basis, self._coords(self.noise, z))


def _check(particles: int, replicas: int, seed: int) -> None:
    for name, value, low in (("replicas", replicas, 2), ("seed", seed, 0)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if not isinstance(particles, (int, np.integer)) or isinstance(particles, bool) or particles < 2 * replicas:
        raise ValueError(f"particles must be an integer >= 2*replicas = {2 * replicas}, got {particles!r}")


def mlp2_limit(routine: Routine, *, data: TrainingData | None = None, particles: int = 2**16,
               replicas: int = REPLICAS, seed: int = 0) -> MCTrajectory:
    """f̊ₜ(probes) of the 2-hidden-layer µP MLP trained by ``routine`` (φ = ``routine.phi``, η =
    ``routine.lr``, its loss; batch 1, no bias) on ``data`` (default :func:`impl.simulation.training_data`):
    Theorem 6.3 when ``routine.decoupled`` (Eq. (20)'s partially decoupled backprop, Ż = 0), else
    Theorem 6.4 (true SGD, Ż by Remark F.2), by ``particles`` particles (rounded down to a multiple of
    ``replicas``) in ``replicas`` independent systems (module docstring). Keep ≥ 4096 particles per
    replica: below that the O(K/N) bias and the spread of the replica means make ``stderr``
    optimistic. Non-finite outputs mean the limit diverged (e.g. φ = x² at moderate η, as in Section 9.1).

    Draws come from ``SeedSequence([seed, 62])`` in an order that does not depend on ``decoupled``,
    so both theorems share their Gaussians for one seed (common random numbers; f̊₀ is identical).
    """
    data = limit_data(routine, data)
    _check(particles, replicas, seed)
    decoupled = routine.decoupled
    act = numpy_activation(routine.phi)
    fn, dfn = act.fn, act.derivative
    train_xs, train_ys, probes = data.inputs[:, 0], data.labels[:, 0], data.probes
    K, M = int(replicas), int(particles) // int(replicas)
    T, P, eta = routine.steps, routine.probes, routine.lr
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed), 62])))
    U = rng.standard_normal((K, M, routine.input_dim))
    nV = rng.standard_normal((K, M, routine.output_dim))
    fwd = _GaussianFamily(rng, K, M, (T + 1) * (P + 1))
    bwd = _GaussianFamily(rng, K, M, max(T, 1))
    past_x: list[np.ndarray] = []  # Z^{x_s}, s < t (training inputs)
    past_g: list[np.ndarray] = []  # Z^{g_s} = χ̊_s Z^{dh̄_s}
    out = np.empty((K, T + 1, P, routine.output_dim))

    def forward(xi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(Z^{h_t(ξ)}, Z^{x_t(ξ)}, Z^{h̄_t(ξ)}) by Eq. (25) (Theorem 6.4's form when not decoupled)."""
        h = U @ xi
        x = fn(h)
        hbar = fwd.hat(x) if decoupled else fwd.hat(x) + bwd.stein(x)
        for xs, gs in zip(past_x, past_g):
            hbar = hbar - eta * gs * _mean(xs * x)
        return h, x, hbar

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(T + 1):
            for p in range(P):
                out[:, t, p] = np.mean(nV * fn(forward(probes[p])[2])[:, :, None], axis=1)
            if t == T:
                break
            h, x, hbar = forward(train_xs[t])
            xbar = fn(hbar)
            f = np.mean(nV * xbar[:, :, None], axis=1)
            chi = loss_derivative(routine.loss, f, train_ys[t])  # (K, d_o): one χ̊ₜ per replica
            g = dfn(hbar) * (nV @ chi[:, :, None])[:, :, 0]
            dx = bwd.hat(g) if decoupled else bwd.hat(g) + fwd.stein(g)  # Eq. (26)
            for xs, gs in zip(past_x, past_g):
                dx = dx - eta * xs * _mean(gs * g)
            nV = nV - eta * chi[:, None, :] * xbar[:, :, None]
            U = U - eta * (dfn(h) * dx)[:, :, None] * train_xs[t]
            past_x.append(x)
            past_g.append(g)
    return MCTrajectory(out.mean(axis=0), out.std(axis=0, ddof=1) / np.sqrt(K), K * M, K, int(seed), decoupled)
