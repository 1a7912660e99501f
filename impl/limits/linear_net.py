"""The linear 1-hidden-layer µP network of App. D.1.1 (with bias), one SGD step for finite width and limit.

f(ξ) = v·h(ξ), h(ξ) = uξ + b with b = αβ, u ~ N(0, σ_u²/n), v ~ N(0, σ_v²/n), β₀ = 0 (the √n factors of
U = √n·u, V = v/√n, B = α√n·β cancel). Algorithms 2 (width n) and 3 (the limit) are the *same* SGD step
— :func:`linear_net_gradient` (lines 5–12) and :func:`linear_net_step` (lines 13–22: clipping with
threshold g on the (u, v, β) gradient norm, weight decay γ) — and differ only in initialisation and
hidden size r:

* width n: every update is a linear combination of the columns of W₀ = (u₀, v₀ᵀ) ∈ R^{n×(d+d_o)} (and of
  b₀ if it is not 0), so with W₀ = QR the network is *exactly* the same step run on R (hidden size
  r = min(n, d+d_o)): :func:`gram_reduce`. :func:`linear_net_init` draws W₀ and returns R, so a width
  8192 costs what the limit costs;
* the limit (``width=None``): R → diag(σ_u I_d, σ_v I_{d_o}) as n → ∞, Algorithm 3's "diagonal"
  initialisation (Theorem D.1's A₀ = I, D₀ = I, B₀ = C₀ = 0 when σ_u = σ_v = 1).

All arrays carry arbitrary leading batch axes (seeds, tasks): u (…, r, d), v (…, d_o, r), b (…, r).
``alpha = 0`` means no bias (b stays 0 and drops out of the clipping norm).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["LinearNet", "linear_net_output", "linear_net_gradient", "linear_net_step", "draw_linear_net",
           "gram_reduce", "linear_net_init"]


class LinearNet(NamedTuple):
    """Weights (u, v, b) of App. D.1.1 in Algorithm 2's orientation, or their coefficients (Algorithm 3):
    u (…, r, d), v (…, d_o, r), b = αβ (…, r). As a step *direction* the fields hold (du, dv, db)."""

    u: np.ndarray
    v: np.ndarray
    b: np.ndarray

    @property
    def hidden(self) -> int:
        """The hidden size r (n for Algorithm 2, d + d_o for Algorithm 3, min(n, d + d_o) when reduced)."""
        return int(self.u.shape[-2])


def linear_net_output(net: LinearNet, X: np.ndarray) -> np.ndarray:
    """Algorithm 2/3 lines 6–7: H = Ξuᵀ + b, f(Ξ) = Hvᵀ, for inputs Ξ (…, B, d); returns (…, B, d_o)."""
    return _hidden(net, X) @ np.swapaxes(net.v, -1, -2)


def _hidden(net: LinearNet, X: np.ndarray) -> np.ndarray:
    return np.asarray(X, dtype=np.float64) @ np.swapaxes(net.u, -1, -2) + net.b[..., None, :]


def linear_net_gradient(net: LinearNet, X: np.ndarray, chi: np.ndarray, alpha: float) -> LinearNet:
    """Algorithm 2/3 lines 9–12 for χ = L′(f(Ξ), Y) (…, B, d_o): the descent direction
    du = −vᵀχᵀΞ, dv = −χᵀH, db = −α²1ᵀχv (negative gradients of the batch loss Σ_B L)."""
    chi = np.asarray(chi, dtype=np.float64)
    chi_v = chi @ net.v  # (…, B, r)
    du = -np.swapaxes(chi_v, -1, -2) @ np.asarray(X, dtype=np.float64)
    dv = -np.swapaxes(chi, -1, -2) @ _hidden(net, X)
    db = -(alpha**2) * chi_v.sum(axis=-2)
    return LinearNet(du, dv, db)


def linear_net_step(net: LinearNet, direction: LinearNet, eta: float, *, alpha: float, clip: float = np.inf,
                    weight_decay: float = 0.0) -> LinearNet:
    """Algorithm 2/3 lines 13–22: ρ = min(1, g/G) with G² = ‖du‖² + ‖dv‖² + ‖db/α‖² (per leading index),
    then u += ηρdu − ηγu and likewise for v, b. ``clip = inf`` and ``weight_decay = 0`` switch them off."""
    du, dv, db = direction
    if np.isfinite(clip):
        sq = (du**2).sum(axis=(-2, -1)) + (dv**2).sum(axis=(-2, -1))
        if alpha != 0:
            sq = sq + (db**2).sum(axis=-1) / alpha**2
        G = np.sqrt(sq)
        rho = np.minimum(1.0, np.divide(clip, G, out=np.ones_like(G), where=G > 0))
        du, dv, db = du * rho[..., None, None], dv * rho[..., None, None], db * rho[..., None]
    keep = 1.0 - eta * weight_decay
    return LinearNet(keep * net.u + eta * du, keep * net.v + eta * dv, keep * net.b + eta * db)


def draw_linear_net(d: int, d_o: int, width: int, rng: np.random.Generator, *, sigma_u: float = 1.0,
                    sigma_v: float = 1.0, shape: tuple[int, ...] = ()) -> LinearNet:
    """Algorithm 2 lines 1–3: u = σ_u µ/√n, vᵀ = σ_v ν/√n with µ (n, d), ν (n, d_o) standard Gaussian (drawn
    as one (…, n, d + d_o) block from ``rng``), b = 0; a batch of ``shape`` independent networks."""
    _check_dims(d, d_o, width)
    W = rng.standard_normal(shape + (width, d + d_o)) / np.sqrt(width)
    return LinearNet(sigma_u * W[..., :d], sigma_v * np.swapaxes(W[..., d:], -1, -2), np.zeros(shape + (width,)))


def gram_reduce(net: LinearNet) -> LinearNet:
    """The exactly equivalent network of hidden size ≤ d + d_o (+1 if b ≠ 0): W = (u, vᵀ[, b]) = QR with Q
    orthonormal columns, and the weights replaced by their coefficients R. Outputs, gradient norms and
    hence whole Algorithm-2 trajectories (with bias, clipping, weight decay) are unchanged, because f,
    the updates and G only involve inner products of the columns of W."""
    d = net.u.shape[-1]
    cols = [net.u, np.swapaxes(net.v, -1, -2)] + ([net.b[..., None]] if np.any(net.b != 0) else [])
    R: np.ndarray = np.linalg.qr(np.concatenate(cols, axis=-1)).R
    d_o = net.v.shape[-2]
    b = R[..., d + d_o] if len(cols) == 3 else np.zeros(R.shape[:-1])
    return LinearNet(R[..., :d], np.swapaxes(R[..., d:d + d_o], -1, -2), b)


def linear_net_init(d: int, d_o: int, width: int | None, rng: np.random.Generator | None = None, *,
                    sigma_u: float = 1.0, sigma_v: float = 1.0, shape: tuple[int, ...] = ()) -> LinearNet:
    """Initial weights for Algorithms 2/3: ``width=None`` gives Algorithm 3's diagonal initialisation
    (uᵀ, v) = diag(σ_u I_d, σ_v I_{d_o}); an integer n gives :func:`gram_reduce` of
    :func:`draw_linear_net` (hidden size min(n, d + d_o)), the exact stand-in for a width-n network."""
    if width is None:
        _check_dims(d, d_o, 1)
        m = d + d_o
        u = np.zeros(shape + (m, d))
        v = np.zeros(shape + (d_o, m))
        u[..., np.arange(d), np.arange(d)] = sigma_u
        v[..., np.arange(d_o), d + np.arange(d_o)] = sigma_v
        return LinearNet(u, v, np.zeros(shape + (m,)))
    if rng is None:
        raise ValueError("a finite width needs a random generator for its initial weights")
    return gram_reduce(draw_linear_net(d, d_o, width, rng, sigma_u=sigma_u, sigma_v=sigma_v, shape=shape))


def _check_dims(d: int, d_o: int, width: int) -> None:
    for what, k in (("d", d), ("d_o", d_o), ("width", width)):
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"{what} must be an integer >= 1, got {k!r}")
