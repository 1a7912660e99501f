"""NNGP and NTK of an L-hidden-layer MLP, layer by layer, and the kernel of a kernel-regime abc-parametrization.

Recursion (Jacot et al. 2018; the paper's Section 3, Def. 3.7, and App. H.6, Def. H.29 / Thm H.32):

    Σ¹(ξ, ξ′) = σ_w² ξ·ξ′/d₀ + σ_b²,      Σ^{l+1} = σ_w² E φ(u)φ(v) + σ_b²,    Σ̇^l = σ_w² E φ′(u)φ′(v),
    Θ¹ = Σ¹,                              Θ^{l+1} = Σ^{l+1} + Σ̇^l Θ^l,

with (u, v) ~ N(0, [[Σ^l(ξ,ξ), Σ^l(ξ,ξ′)], [·, Σ^l(ξ′,ξ′)]]); d₀ = d ("fan-in" inputs, the usual NTK
scaling W/√fan_in) or 1 (the engine's first layer, std n^{-(a₁+b₁)} = 1 whatever d is). The output's
NNGP is Σ^{L+1} and its NTK Θ^{L+1} = Σ_l K_l, where K_l = Σ^l Σ̇^l ⋯ Σ̇^L is the contribution of the
parameters of layer l = 1..L+1 (paper's Σ_{l−1,L}, Def. H.29).

Gaussian expectations (the "dual activations") are closed forms for relu (arc-cosine kernel, Cho & Saul),
erf (Williams' arcsine formula), σ-gelu (φ′ = Φ(√2x/σ): an orthant probability, and E φφ by Price's
theorem ∂_c E φ(u)φ(v) = E φ′(u)φ′(v)), identity and x²; tanh, gelu and any other φ use 2-D Gauss–Hermite
quadrature over the bivariate Gaussian with the numpy twins of the engine's φ and φ′
(:mod:`impl.limits.activations`). :func:`dual` with ``method="quadrature"`` forces quadrature for any φ.

:func:`abc_kernel`: in the kernel regime (Thm 3.8, r > 0) fₜ₊₁(ξ) = fₜ(ξ) − ηK(ξ, ξₜ)χₜ in the limit with
K = Σ_{l: eₗ = 0} K_l in the engine's scaling, where n^{eₗ} is the width factor of layer l's first-step
contribution to f₁ − f₀ (:func:`layer_rates`; Thm H.32's θ′_{L+1}, θ′_{Lf}ϑ_l).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from fractions import Fraction
from typing import Callable, NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import roots_hermitenorm

from impl.limits.activations import numpy_activation
from impl.simulation.activations import Activation, get_activation, resolve_activation
from impl.theory import INF, Exponent, Infinity, Parametrization, Regime, classify, r_layers

__all__ = ["CLOSED_FORMS", "Dual", "dual", "KernelResult", "mlp_kernels", "layer_rates", "AbcKernel", "abc_kernel"]

QUAD_DEGREE = 96
"""Gauss–Hermite nodes per axis for variances ≤ 1 (more for larger ones: see :func:`_quadrature`)."""
MAX_NODES = 1536
_CHUNK = 1 << 21  # quadrature points per batch (memory bound)
CLOSED_FORMS = ("relu", "erf", "identity", "square", "sigma_gelu")


class Dual(NamedTuple):
    """E φ(u)φ(v) and E φ′(u)φ′(v) for (u, v) ~ N(0, [[a, c], [c, b]])."""

    phiphi: np.ndarray
    dphidphi: np.ndarray


def _corr(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(√(ab), c/√(ab) clipped to [−1, 1]; 0 where ab = 0)."""
    s = np.sqrt(a * b)
    rho = np.divide(c, s, out=np.zeros_like(s), where=s > 0)
    return s, np.clip(rho, -1.0, 1.0)


def _relu(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> Dual:
    s, rho = _corr(a, b, c)
    theta = np.arccos(rho)
    return Dual(s * (np.sin(theta) + (np.pi - theta) * rho) / (2 * np.pi), (np.pi - theta) / (2 * np.pi))


def _erf(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> Dual:
    pa, pb = 1 + 2 * a, 1 + 2 * b
    return Dual(2 / np.pi * np.arcsin(np.clip(2 * c / np.sqrt(pa * pb), -1, 1)), 4 / np.pi / np.sqrt(pa * pb - 4 * c * c))


def _sigma_gelu(sigma: float) -> Callable[[np.ndarray, np.ndarray, np.ndarray], Dual]:
    """φ′(x) = Φ(αx), α = √2/σ: E φ′φ′ = P(αu > e₁, αv > e₂) = ¼ + arcsin(kc)/(2π), k = α²/√((α²a+1)(α²b+1));
    E φφ = Eφ(u)·Eφ(v) + ∫₀^c E φ′φ′ dc′ (Price), with Eφ(u) = aα/√(2π(1+α²a)) + σ/(2√(π(1+2a/σ²)))."""
    al2 = 2.0 / sigma**2

    def mean(a: np.ndarray) -> np.ndarray:
        return a * np.sqrt(al2 / (2 * np.pi * (1 + al2 * a))) + sigma / (2 * np.sqrt(np.pi * (1 + 2 * a / sigma**2)))

    def dual_fn(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> Dual:
        k = al2 / np.sqrt((al2 * a + 1) * (al2 * b + 1))
        kc = np.clip(k * c, -1.0, 1.0)
        integral = c / 4 + (c * np.arcsin(kc) + (np.sqrt(1 - kc * kc) - 1) / k) / (2 * np.pi)
        return Dual(mean(a) * mean(b) + integral, 0.25 + np.arcsin(kc) / (2 * np.pi))

    return dual_fn


_CLOSED: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], Dual]] = {
    "relu": _relu,
    "erf": _erf,
    "identity": lambda a, b, c: Dual(np.array(c, dtype=np.float64), np.ones_like(c)),
    "square": lambda a, b, c: Dual(a * b + 2 * c * c, 4 * c),
}


@lru_cache(maxsize=8)
def _nodes(degree: int) -> tuple[np.ndarray, np.ndarray]:
    """Probabilists' Gauss–Hermite nodes and weights normalised to sum 1 (E over N(0, 1))."""
    z, w = roots_hermitenorm(degree)
    return z, w / w.sum()


def _quadrature(act: Activation, a: np.ndarray, b: np.ndarray, c: np.ndarray, degree: int) -> Dual:
    """2-D Gauss–Hermite: u = √a z₁, v = √b (ρz₁ + √(1−ρ²) z₂), z iid N(0, 1) (scipy roots_hermitenorm).

    A pair with max(a, b) = v uses degree·2^⌈log₂ v⌉ nodes per axis (v ≥ 1; at most :data:`MAX_NODES`):
    φ(√v z) varies on the scale 1/√v, and this keeps tanh's error ≲ 1e-11 up to v = 16 (measured against
    twice the nodes); larger variances get :data:`MAX_NODES` and less accuracy.
    """
    s, rho = _corr(a, b, c)
    twin = numpy_activation(act)
    fns = (twin.fn, twin.derivative)
    if np.array_equal(a, b) and np.array_equal(a, c):  # variances only: 1-D, E g(√a z)²
        z, w = _nodes(MAX_NODES)
        u = np.sqrt(a).ravel()[:, None] * z
        return Dual(*((g(u) ** 2 @ w).reshape(s.shape) for g in fns))
    sa, sb, rho = (x.ravel() for x in (np.sqrt(a), np.sqrt(b), rho))
    top = max(0, int(np.log2(MAX_NODES / degree)))
    tier = np.minimum(np.ceil(np.log2(np.maximum(np.maximum(sa, sb) ** 2, 1.0))), top).astype(int)
    out = np.empty((2, sa.size))
    for k in np.unique(tier):
        z, w = _nodes(degree << k)
        idx = np.flatnonzero(tier == k)
        for i in range(0, idx.size, max(1, _CHUNK // z.size**2)):
            sl = idx[i : i + max(1, _CHUNK // z.size**2)]
            r = rho[sl, None, None]
            u = sa[sl, None] * z[None, :]
            v = sb[sl, None, None] * (r * z[None, :, None] + np.sqrt(1 - r * r) * z)
            for pair, g in enumerate(fns):
                out[pair, sl] = np.einsum("ni,i,nij,j->n", g(u), w, g(v), w)
    return Dual(out[0].reshape(s.shape), out[1].reshape(s.shape))


def dual(phi: str | Activation, a: ArrayLike, b: ArrayLike, c: ArrayLike, *, method: str = "auto",
         degree: int = QUAD_DEGREE) -> Dual:
    """E φ(u)φ(v), E φ′(u)φ′(v) for (u, v) ~ N(0, [[a, c], [c, b]]) (broadcast), by closed form when φ has
    one (:data:`CLOSED_FORMS`; ``method="auto"``) or by 2-D Gauss–Hermite quadrature (``"quadrature"``)."""
    if method not in ("auto", "quadrature"):
        raise ValueError(f"method must be 'auto' or 'quadrature', got {method!r}")
    act = resolve_activation(phi)
    va, vb, cov = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (a, b, c)))
    if np.any(va < 0) or np.any(vb < 0):
        raise ValueError("variances must be >= 0")
    name = act.name.split(":")[0]
    if method == "auto" and name == "sigma_gelu":
        return _sigma_gelu(float(act.name.split(":")[1]))(va, vb, cov)
    if method == "auto" and name in _CLOSED and act is get_activation(name):
        return _CLOSED[name](va, vb, cov)
    return _quadrature(act, va, vb, cov, degree)


@dataclass(frozen=True, eq=False)
class KernelResult:
    """Kernels of the output between X (N, d) and X2 (M, d), each (N, M).

    ``nngp`` = Σ^{L+1}; ``ntk`` = Θ^{L+1} = Σ per_layer; ``per_layer[l-1]`` = K_l (layer l's parameters);
    ``sigma[l-1]`` = Σ^l (l = 1..L+1) and ``sigma_dot[l-1]`` = Σ̇^l (l = 1..L).
    """

    phi: str
    depth: int
    nngp: np.ndarray
    ntk: np.ndarray
    per_layer: tuple[np.ndarray, ...]
    sigma: tuple[np.ndarray, ...]
    sigma_dot: tuple[np.ndarray, ...]


def _inputs(X: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be a finite (N, d) array with N, d >= 1, got shape {arr.shape}")
    return arr


def mlp_kernels(phi: str | Activation, depth: int, X: np.ndarray, X2: np.ndarray | None = None, *,
                w_std: float = 1.0, b_std: float = 0.0, fan_in_inputs: bool = True, method: str = "auto") -> KernelResult:
    """NNGP and NTK (Jacot et al.; Def. H.29 / Thm H.32) of an L = ``depth`` hidden-layer MLP in NTK scaling
    hˡ⁺¹ = σ_w Wˡ⁺¹xˡ/√fan_in + σ_b bˡ⁺¹, W, b iid N(0, 1); ``fan_in_inputs=False`` drops the 1/d of the
    first layer (the engine's convention). Kernels are (N, M); X2 defaults to X."""
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 1:
        raise ValueError(f"depth must be an integer >= 1, got {depth!r}")
    for what, v in (("w_std", w_std), ("b_std", b_std)):
        if not (np.isfinite(v) and v >= 0):
            raise ValueError(f"{what} must be a finite number >= 0, got {v!r}")
    act = resolve_activation(phi)
    X = _inputs(X, "X")
    Y = X if X2 is None else _inputs(X2, "X2")
    if Y.shape[1] != X.shape[1]:
        raise ValueError(f"X has dimension {X.shape[1]} but X2 has {Y.shape[1]}")
    d0 = X.shape[1] if fan_in_inputs else 1
    w2, b2 = float(w_std) ** 2, float(b_std) ** 2
    qx, qy = w2 * np.sum(X * X, 1) / d0 + b2, w2 * np.sum(Y * Y, 1) / d0 + b2
    sigma, sigma_dot = [w2 * (X @ Y.T) / d0 + b2], []
    for _ in range(depth):
        cross = dual(act, qx[:, None], qy[None, :], sigma[-1], method=method)
        qx, qy = (w2 * dual(act, q, q, q, method=method).phiphi + b2 for q in (qx, qy))
        sigma.append(w2 * cross.phiphi + b2)
        sigma_dot.append(w2 * cross.dphidphi)
    per_layer = [sigma[l] * np.prod(sigma_dot[l:], axis=0) for l in range(depth + 1)]  # K_{l+1}
    return KernelResult(act.name, depth, sigma[-1], np.sum(per_layer, axis=0), tuple(per_layer), tuple(sigma),
                        tuple(sigma_dot))


def layer_rates(p: Parametrization) -> tuple[Exponent, ...]:
    """e₁..e_{L+1}: layer l's first-step contribution to f₁ − f₀ is n^{eₗ}·(−ηχ₀K_l) in the engine's scaling.

    ΔWˡ = −ηn^{-(c+2aₗ)}χ₀∇_{Wˡ}f, ∇f·∇f′ = (dhˡ·dhˡ′)(x^{l−1}·x^{l−1}′) with dhˡ·dhˡ′ ≈ n^{1−2A}Σ̇ˡ⋯Σ̇^L
    (A = a_{L+1}+b_{L+1}) and x·x′ ≈ nΣˡ (ξ·ξ′ for l = 1), so eₗ = 1 − A − rₗ with rₗ of Prop 5.3 taken with
    A (the first step, App. H.3), and e_{L+1} = 1 − 2a_{L+1} − c (Prop 5.5). Stable ⇒ every eₗ ≤ 0. A zero
    readout (A = ∞) gives eₗ = −∞ for every body layer: its first step moves only the readout.
    """
    A = p.readout_init
    out = 1 - 2 * p.a_out - p.c
    if isinstance(A, Infinity):
        return (-INF,) * p.depth + (out,)
    return tuple(1 - A - r for r in r_layers(p, out_term=A)) + (out,)


@dataclass(frozen=True, eq=False)
class AbcKernel:
    """The limiting kernel of an abc-parametrization in the engine's scaling.

    ``kernel`` (N, M) = Σ_{l ∈ layers} K_l; ``layers`` the contributing layers (1..L+1); ``rates`` the
    eₗ of :func:`layer_rates`; ``f0_cov`` the covariance of the limiting f̊₀ (Σ^{L+1} when
    a_{L+1}+b_{L+1} = ½, else 0: f₀ → 0); ``base`` the layer-wise kernels.
    """

    parametrization: Parametrization
    kernel: np.ndarray
    layers: tuple[int, ...]
    rates: tuple[Exponent, ...]
    f0_cov: np.ndarray
    base: KernelResult


def abc_kernel(p: Parametrization, phi: str | Activation, X: np.ndarray, X2: np.ndarray | None = None, *,
               require_kernel_regime: bool = True, method: str = "auto") -> AbcKernel:
    """K of Def. 3.7 / Thm H.32 for ``p`` as the engine runs it (weights n^{-(a+b)}·N(0, 1), no bias,
    first layer not divided by √d): the layers whose contribution to fₜ₊₁ − fₜ is Θ(1) (eₗ = 0).

    For NTP every layer contributes (the full NTK); for SP with LR 1/n every layer but the first (r₁ = 3/2 >
    r = ½), so at L = 1 only the readout: K = NNGP. In the kernel regime this set is the same at every step
    (with the one-step lag, 2a_{L+1}+c = 1 < A and no body layer ever contributes). Raises ValueError outside
    the kernel regime unless ``require_kernel_regime=False`` (then K is the first step's linearisation).
    """
    c = classify(p)
    if require_kernel_regime and c.regime is not Regime.KERNEL:
        raise ValueError(f"{p} is in the {c.regime} regime, not the kernel regime (Thm 3.8 needs stable, nontrivial, r > 0)")
    if not c.stable_at_init:
        raise ValueError(f"{p} is unstable at initialisation: no limiting kernel")
    base = mlp_kernels(phi, p.depth, X, X2, fan_in_inputs=False, method=method)
    rates = layer_rates(p)
    layers = tuple(l for l, e in enumerate(rates, start=1) if e == 0)
    kernel = np.sum([base.per_layer[l - 1] for l in layers], axis=0) if layers else np.zeros_like(base.ntk)
    f0_cov = base.nngp if p.readout_init == Fraction(1, 2) else np.zeros_like(base.nngp)
    return AbcKernel(p, kernel, layers, rates, f0_cov, base)
