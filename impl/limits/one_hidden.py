"""The 1-hidden-layer µP limit of Theorem 6.1 (Eqs. (18)–(19)), evaluated by deterministic quadrature.

For f(ξ) = Vφ(Uξ) in µP (Eq. (16)), input dimension d and output dimension d_o, each hidden unit
carries Z^U ∈ R^d and Z^{nV} ∈ R^{d_o}, initially iid N(0, 1), and with learning rate η

    f̊ₜ(ξ) = E[Z^{nVₜ} φ(ξᵀZ^{Uₜ})],   χ̊ₜ = L′(f̊ₜ(ξₜ), yₜ),
    Z^{nV_{t+1}} = Z^{nVₜ} − η χ̊ₜ φ(ξₜᵀZ^{Uₜ}),   Z^{U_{t+1}} = Z^{Uₜ} − η (χ̊ₜ·Z^{nVₜ}) φ′(ξₜᵀZ^{Uₜ}) ξₜ

(the paper states η = 1 and d = d_o = 1; the engine's η multiplies the gradient in the same way).
Z^{Uₜ}, Z^{nVₜ} are deterministic functions of the initial Gaussians, so the recursion is run
pointwise on quadrature nodes. Only the projections that matter are integrated: Z^{Uₜ} − Z^{U₀}
stays in span(ξ₀..ξ_{T−1}), so with Q an orthonormal basis of span(inputs ∪ probes) only QᵀZ^{U₀}
(k ≤ d Gaussians) enters; for MSE every χ̊ₜ lies in span(labels) (f̊₀ = 0), so only the m ≤ d_o
projections of Z^{nV₀} on it enter (m = d_o for the logistic loss). The effective dimension is
D = k + m (2 for d = d_o = 1).

Rules (``method`` of the result): ``"gauss-hermite"`` tensor grid, exact for polynomial φ once the
node count covers the integrand's degree (:func:`exact_nodes`); ``"gauss-legendre"`` tensor grid on
[−8, 8]^D against the Gaussian density (mass outside: < 2·10⁻¹⁵ per dimension), the default for
non-polynomial φ because the trained integrand develops thin ridges that Gauss–Hermite, whose
nodes spread to ±√(4N), resolves poorly (measured: tanh, η = 1/2, 10 steps of Figure 4's ±1 data,
data seed 1: error 7e-8 with 400² Hermite nodes vs 3e-10 with 400² Legendre nodes; 1e-5 vs 5e-9 on
another ±1 sequence); ``"sobol-qmc"``, randomised quasi-Monte Carlo,
the default when D ≥ 3 and φ is not a polynomial (measured for tanh, d = 2, D = 3, η = 1/2, 10
steps: a 128³ Legendre grid still differs by 8e-4 from a 96³ one (5 s), while 8 scramblings of 2¹⁶
Sobol' points give a standard error of 5e-5 (1–2 s)). QMC's χ̊ₜ are estimated per scrambling.
Achieved (tests/limits/test_one_hidden.py): tanh, d = d_o = 1, η = 1/2, 10 steps, default tol 1e-6
→ 243² nodes, error 2e-9 (estimate 3e-8) against an independent trapezoid recursion checked by
scipy's dblquad; 0.4–0.5 s on a shared 2-core VM (tests/benchmarks/bench_limits.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce

import numpy as np
from scipy import linalg, special, stats

from impl.limits.activations import NumpyActivation, numpy_activation
from impl.limits.routine import limit_data, loss_derivative
from impl.simulation import Routine, TrainingData

__all__ = ["LimitTrajectory", "exact_nodes", "mlp1_limit", "sobol_points", "RULES", "MAX_POINTS"]

RULES = ("hermite", "legendre", "qmc")
_HALF_WIDTH = 8.0  # Gauss–Legendre box [−8, 8]: Gaussian mass outside is 2Φ(−8) ≈ 1.2e-15
_START_NODES = 48  # first grid of the adaptive refinement (then ×1.5 per level)
_MAX_GRID_DIM = 2  # default tensor grids only up to D = 2 (see the module docstring)
MAX_POINTS = 1 << 21
"""Default cap on a tensor grid's nodes (``max_points`` of :func:`mlp1_limit`)."""
_CHUNK = 1 << 22  # elements per (points × probes) block


@dataclass(frozen=True, eq=False)
class LimitTrajectory:
    """f̊ₜ on the routine's probes: ``outputs[t, p, k]``, shape (T+1, P, d_o); ``chi`` (T, d_o) is χ̊ₜ.

    ``error_estimate`` bounds max |outputs − exact| in the sense stated by ``method``: for a grid,
    the largest difference from the comparison grid (coarser, so it overestimates the error of
    this one; or N+1 nodes when the rule is exact, so it is round-off); for QMC, the largest
    standard error over independent scramblings. ``dim`` is the number of Gaussians integrated,
    ``nodes`` the nodes per dimension (grid) or points per scrambling (QMC), 0 for closed forms;
    ``exact`` says whether the rule is exact in exact arithmetic.
    """

    outputs: np.ndarray
    chi: np.ndarray
    error_estimate: float
    method: str
    dim: int
    nodes: int
    exact: bool


def exact_nodes(degree: int, steps: int) -> int:
    """Gauss–Hermite nodes per dimension that integrate Eqs. (18)–(19) exactly for φ of this degree.

    Degrees are tracked per group of variables, (in QᵀZ^{U₀}, in Z^{nV₀}): Z^{U₀} has (1, 0) and
    Z^{nV₀} (0, 1); Eq. (19) gives v ← max(v, p·u), u ← max(u, v + (p−1)·u) componentwise, and the
    integrands have degree at most v_T + p·u_T in each group, hence in each variable; N nodes are
    exact up to degree 2N − 1 per variable. (For d = d_o = 1 this is tight: for φ = x², 4 steps,
    17 nodes are exact and 16 are not.)
    """
    if degree < 1 or steps < 0:
        raise ValueError(f"need degree >= 1 and steps >= 0, got {degree}, {steps}")
    u, v = np.array([1, 0]), np.array([0, 1])
    for _ in range(steps):
        u, v = np.maximum(u, v + (degree - 1) * u), np.maximum(v, degree * u)
    return int(np.max(v + degree * u)) // 2 + 1


def _basis(vectors: np.ndarray) -> np.ndarray:
    """Orthonormal columns spanning the rows of ``vectors`` (one column if they are all zero)."""
    q = linalg.orth(vectors.T)
    return q if q.shape[1] else np.eye(vectors.shape[1])[:, :1]


def _trajectory(routine: Routine, data: TrainingData, act: NumpyActivation, z: np.ndarray, w: np.ndarray,
                q: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eq. (18)–(19) on points z (M, k+m) with weights w: a = QᵀZ^U (M, k), nv = Z^{nV} (M, d_o)."""
    k, eta, T = q.shape[1], routine.lr, routine.steps
    a, nv = z[:, :k].copy(), z[:, k:] @ r.T
    xt, pt, ys = data.inputs[:, 0] @ q, data.probes @ q, data.labels[:, 0]
    P, step = pt.shape[0], max(1, _CHUNK // max(1, z.shape[0]))
    out = np.empty((T + 1, P, routine.output_dim))
    chis = np.empty((T, routine.output_dim))
    for t in range(T + 1):
        wnv = w[:, None] * nv
        for lo in range(0, P, step):
            out[t, lo:lo + step] = (act.fn(a @ pt[lo:lo + step].T).T @ wnv)
        if t == T:
            break
        h = a @ xt[t]
        x = act.fn(h)
        chi = loss_derivative(routine.loss, x @ wnv, ys[t])
        a -= (eta * (nv @ chi) * act.derivative(h))[:, None] * xt[t][None, :]
        nv -= eta * x[:, None] * chi[None, :]
        chis[t] = chi
    return out, chis


def _grid(rule: str, nodes: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Tensor-product nodes (nodes^dim, dim) and weights for E over dim iid N(0, 1)."""
    if rule == "hermite":
        x, w = special.roots_hermitenorm(nodes)
        w = w / w.sum()
    else:
        x, w = special.roots_legendre(nodes)
        x, w = _HALF_WIDTH * x, _HALF_WIDTH * w * stats.norm.pdf(_HALF_WIDTH * x)
    pts = np.stack([g.ravel() for g in np.meshgrid(*([x] * dim), indexing="ij")], axis=1)
    return pts, reduce(np.multiply.outer, [w] * dim).ravel()


def sobol_points(points: int) -> int:
    """Points per scrambling that QMC draws when asked for ``points``: the next power of two (at least 2)."""
    return 1 << max(1, math.ceil(math.log2(points)))


def _qmc(routine: Routine, data: TrainingData, act: NumpyActivation, q: np.ndarray, r: np.ndarray, points: int,
         replicates: int, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Mean and largest standard error over ``replicates`` scrambled Sobol' runs of 2^⌈log₂ points⌉."""
    dim, m = q.shape[1] + r.shape[1], sobol_points(points).bit_length() - 1
    runs = []
    for child in np.random.SeedSequence([seed, 6_1]).spawn(replicates):
        u = stats.qmc.Sobol(dim, scramble=True, seed=np.random.default_rng(child)).random_base2(m)
        z = special.ndtri(np.clip(u, 1e-300, 1.0 - 2.0 ** -53))
        runs.append(_trajectory(routine, data, act, z, np.full(z.shape[0], 1.0 / z.shape[0]), q, r))
    outs, chis = np.stack([o for o, _ in runs]), np.stack([c for _, c in runs])
    se = outs.std(axis=0, ddof=1) / math.sqrt(replicates)
    return outs.mean(axis=0), chis.mean(axis=0), float(se.max())


def mlp1_limit(routine: Routine, *, data: TrainingData | None = None, tol: float = 1e-6, nodes: int | None = None,
               rule: str | None = None, max_points: int = MAX_POINTS, qmc_points: int = 1 << 16,
               qmc_replicates: int = 8, seed: int = 0) -> LimitTrajectory:
    """f̊ₜ of Theorem 6.1 (Eqs. (18)–(19)) on the probes, for SGD as ``routine`` says — any φ
    (``routine.phi``), d, d_o, η (``routine.lr``) and loss; batch 1, no bias — on ``data`` (default
    :func:`impl.simulation.training_data`; :func:`impl.limits.routine.limit_data` checks both).
    ``routine.decoupled`` is irrelevant at depth 1 (Eq. (20) concerns layers 2..L).

    ``rule`` None: Gauss–Hermite at :func:`exact_nodes` for polynomial φ (identity, square) when
    that grid fits in ``max_points``; else Gauss–Legendre if D ≤ 2 or ``nodes`` is given; else QMC
    (``qmc_replicates`` scramblings of ``qmc_points`` Sobol' points, from ``seed``). With ``nodes``
    given, that grid is used and compared with one of ⌈2N/3⌉ nodes (N + 1 when exact). Otherwise
    the grid is refined from 48 nodes by ×1.5 until two successive grids agree to ``tol`` (the
    finer is returned; its ``error_estimate`` is that difference) or the next grid would exceed
    ``max_points``; check ``error_estimate`` against ``tol`` (relu-like φ converge slowly, ~1e-3).
    Non-finite outputs mean the limit itself (or its quadrature) overflowed.
    """
    if rule is not None and rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
    if nodes is not None and (isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < 2):
        raise ValueError(f"nodes must be an integer >= 2, got {nodes!r}")
    if not tol > 0 or min(max_points, qmc_points) < 2 or qmc_replicates < 2:
        raise ValueError("tol must be > 0, max_points and qmc_points >= 2, qmc_replicates >= 2")
    data = limit_data(routine, data)
    act = numpy_activation(routine.phi)
    q = _basis(np.vstack([data.inputs[:, 0], data.probes]))
    r = _basis(data.labels[:, 0]) if routine.loss == "mse" else np.eye(routine.output_dim)
    dim = q.shape[1] + r.shape[1]
    n_exact = None if act.degree is None else exact_nodes(act.degree, routine.steps)
    exact_fits = n_exact is not None and (n_exact + 1) ** dim <= max_points
    if rule is None:
        rule = "hermite" if exact_fits else "legendre" if nodes is not None or dim <= _MAX_GRID_DIM else "qmc"
    if rule == "qmc":
        out, chi, err = _qmc(routine, data, act, q, r, qmc_points, qmc_replicates, seed)
        return LimitTrajectory(out, chi, err, "sobol-qmc", dim, sobol_points(qmc_points), False)

    def exact(n: int) -> bool:
        return rule == "hermite" and n_exact is not None and n >= n_exact

    def run(n: int) -> tuple[np.ndarray, np.ndarray]:
        if n ** dim > max_points:
            raise ValueError(f"a {n}-node grid in dimension {dim} exceeds max_points={max_points}")
        return _trajectory(routine, data, act, *_grid(rule, n, dim), q, r)

    def coarse_error(n: int, out: np.ndarray) -> float:
        return float(np.max(np.abs(out - run(n + 1 if exact(n) else max(2, math.ceil(2 * n / 3)))[0])))

    if nodes is not None:
        n, (out, chi) = nodes, run(nodes)
        err = coarse_error(n, out)
    else:
        n = n_exact if exact_fits and rule == "hermite" and n_exact else _START_NODES
        out, chi = run(n)
        while True:
            n_next = n + 1 if exact(n) else math.ceil(1.5 * n)
            if n_next ** dim > max_points:
                err = coarse_error(n, out)
                break
            finer, finer_chi = run(n_next)
            err = float(np.max(np.abs(finer - out)))
            if exact(n):  # both grids exact: err is round-off; keep n
                break
            n, out, chi = n_next, finer, finer_chi
            if err <= tol or not np.isfinite(err):
                break
    return LimitTrajectory(out, chi, err, f"gauss-{rule}", dim, n, exact(n))
