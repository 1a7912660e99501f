"""One registry of the architectures whose µP limit tp4 can compute (paper Section 6).

Each :class:`Arch` ties together what the CLI (``tp4 limit``), Figure 4 and the convergence checks
need, so the dispatch is written once:

* ``"mlp1"`` — f = Vφ(Uξ) in µP (``mup(1)``, Eq. (16)); limit of Theorem 6.1 by quadrature
  (:func:`impl.limits.one_hidden.mlp1_limit`);
* ``"linear1"`` — the same network with φ = id (required); limit of Corollary 6.2 / Theorem D.1,
  exact (:func:`impl.limits.linear.linear_limit`, Algorithm 3);
* ``"mlp2-decoupled"`` — f = Vφ(Wφ(Uξ)) in µP (``mup(2)``) trained with the partially decoupled
  backprop of Eq. (20); limit of Theorem 6.3 by Monte Carlo (:func:`impl.limits.two_hidden.mlp2_limit`);
* ``"mlp2"`` — the same network trained by true SGD; limit of Theorem 6.4 by Monte Carlo.

:func:`limit_for` returns f̊ₜ on the routine's probes with a per-entry error (quadrature error
estimate, 0 for the exact linear limit, the Monte-Carlo standard error); :func:`finite_for` runs the
engine's finite networks of the same architecture on the same routine (:func:`finite_outputs`).

Both take one :class:`~impl.simulation.Routine` (φ, η, loss, T, d, d_o, P; batch 1, no bias) and optional
explicit ``data``, and check that the routine fits the architecture instead of overriding it
(:func:`check_routine`): its φ must be one the architecture allows (``linear1``: identity), and at
depth 2 its ``decoupled`` flag must be the architecture's (True for ``mlp2-decoupled``, False for
``mlp2``; at depth 1 the flag changes nothing and either is accepted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from impl.limits.linear import linear_limit
from impl.limits.one_hidden import mlp1_limit
from impl.limits.routine import finite_outputs, limit_data
from impl.limits.two_hidden import mlp2_limit
from impl.simulation import Routine, TrainingData
from impl.simulation.activations import Activation, resolve_activation
from impl.simulation.memory import chunk_seeds
from impl.theory import Parametrization, mup

__all__ = ["ARCHS", "Arch", "DEFAULT_PARTICLES", "QMC_REPLICATES", "LimitResult", "get_arch", "resolve_phi",
           "check_routine", "limit_for", "finite_for", "finite_chunk", "qmc_points"]

DEFAULT_PARTICLES = 2**17
"""Sample size of the sampled limits: Monte-Carlo particles of the depth-2 limits (16 replicas of 8192,
≥ 4096 each as mlp2_limit asks), and the quasi-Monte-Carlo points of ``mlp1`` when its quadrature
falls back to QMC (effective dimension ≥ 3: ``particles``/8 Sobol' points in each of 8 scramblings)."""
QMC_REPLICATES = 8
"""Scramblings of ``mlp1``'s quasi-Monte Carlo (:func:`qmc_points` points each)."""


@dataclass(frozen=True, eq=False)
class LimitResult:
    """f̊ₜ(probe p)_k as ``outputs[t, p, k]`` (T+1, P, d_o) and ``error`` of the same shape.

    ``error`` is the quadrature error estimate (the same number everywhere), 0 for an exact limit,
    or the Monte-Carlo standard error of each entry; ``method`` names how it was computed.
    """

    arch: str
    phi: str
    outputs: np.ndarray
    error: np.ndarray
    method: str

    @property
    def error_estimate(self) -> float:
        """The largest entry of ``error`` (NaN when the limit is not finite)."""
        return float(np.max(self.error)) if self.finite else float("nan")

    @property
    def finite(self) -> bool:
        """Whether every f̊ₜ is a finite number (φ = x² at a large η diverges: Section 9.1)."""
        return bool(np.all(np.isfinite(self.outputs)))

    @property
    def diverged_at(self) -> int | None:
        """The first step t at which some f̊ₜ is not finite, or None."""
        bad = ~np.isfinite(self.outputs).all(axis=(1, 2))
        return int(np.argmax(bad)) if bad.any() else None


@dataclass(frozen=True)
class Arch:
    """One architecture: its µP ``parametrization`` (depth 1 or 2), the φ it allows (``phis`` None:
    any activation of the engine), the default φ (:func:`resolve_phi` of None, e.g. for ``tp4 limit``),
    whether backprop is ``decoupled`` (Eq. (20); a routine for this architecture carries the same flag),
    and the paper's result for its limit (``theorem``)."""

    name: str
    depth: int
    phis: tuple[str, ...] | None
    default_phi: str
    decoupled: bool
    theorem: str

    @property
    def parametrization(self) -> Parametrization:
        """``mup(depth)``: Eq. (16) for depth 1, Section 6.2's µP for depth 2."""
        return mup(self.depth)


ARCHS: dict[str, Arch] = {
    a.name: a
    for a in (
        Arch("mlp1", 1, None, "tanh", False, "Theorem 6.1"),
        Arch("linear1", 1, ("identity",), "identity", False, "Corollary 6.2 / Theorem D.1"),
        Arch("mlp2-decoupled", 2, None, "tanh", True, "Theorem 6.3"),
        Arch("mlp2", 2, None, "tanh", False, "Theorem 6.4"),
    )
}


def get_arch(name: str) -> Arch:
    """The registered architecture ``name`` (ValueError naming the known ones otherwise)."""
    if name not in ARCHS:
        raise ValueError(f"unknown architecture {name!r} (choose from {', '.join(ARCHS)})")
    return ARCHS[name]


def resolve_phi(arch: str, phi: "str | Activation | None") -> "str | Activation":
    """φ for ``arch``: its default when None, a canonical engine name for a string (``"sigma-gelu"``
    → ``"sigma_gelu:0.1"``), an :class:`Activation` as is; ValueError if ``arch`` does not allow it."""
    a = get_arch(arch)
    if phi is None:
        return a.default_phi
    act = resolve_activation(phi)
    if a.phis is not None and act.name not in a.phis:
        raise ValueError(f"{arch} needs phi in {{{', '.join(a.phis)}}}, got {act.name!r}")
    return act.name if isinstance(phi, str) else act


def check_routine(arch: str, routine: Routine, data: TrainingData | None = None) -> TrainingData:
    """The data of ``routine`` (:func:`impl.limits.routine.limit_data`: batch 1, no bias; ``data`` checked,
    or :func:`impl.simulation.training_data`) after checking that ``routine`` fits ``arch``: φ allowed
    (:func:`resolve_phi`) and, at depth 2, ``routine.decoupled`` equal to the architecture's. ValueError
    (one line) otherwise."""
    a = get_arch(arch)
    data = limit_data(routine, data)
    resolve_phi(arch, routine.phi)
    if a.depth > 1 and routine.decoupled != a.decoupled:
        backprop = "partially decoupled backprop (Eq. (20))" if a.decoupled else "true SGD backprop"
        raise ValueError(f"{arch} is trained with {backprop}: the routine needs decoupled={a.decoupled}, "
                         f"got {routine.decoupled}")
    return data


def qmc_points(particles: int) -> int:
    """The Sobol' points per scrambling that ``mlp1`` asks for, given a sample size of ``particles``."""
    return max(2, particles // QMC_REPLICATES)


def finite_chunk(arch: str, width: int, dtype: str = "float64") -> int:
    """Seeds :func:`finite_for` runs at once by default: the engine's own default chunk
    (:func:`impl.simulation.memory.chunk_seeds`: as many as keep its n×n weights — one per seed, two when
    decoupled — within 32 MiB, at least one)."""
    a = get_arch(arch)
    return chunk_seeds(a.depth, width, dtype, a.decoupled)


def _mlp1(routine: Routine, data: TrainingData, tol: float, particles: int, seed: int) -> LimitResult:
    res = mlp1_limit(routine, data=data, tol=tol, qmc_points=qmc_points(particles), qmc_replicates=QMC_REPLICATES,
                     seed=seed)
    return LimitResult("mlp1", routine.activation.name, res.outputs, np.full(res.outputs.shape, res.error_estimate),
                       res.method)


def _linear(routine: Routine, data: TrainingData, tol: float, particles: int, seed: int) -> LimitResult:
    res = linear_limit(routine, data=data)
    return LimitResult("linear1", "identity", res.outputs, np.zeros(res.outputs.shape), res.method)


def _mlp2(routine: Routine, data: TrainingData, tol: float, particles: int, seed: int) -> LimitResult:
    res = mlp2_limit(routine, data=data, particles=particles, seed=seed)
    name = "mlp2-decoupled" if routine.decoupled else "mlp2"
    return LimitResult(name, routine.activation.name, res.outputs, res.stderr, f"monte-carlo ({res.particles} particles)")


_LIMITS: dict[str, Callable[[Routine, TrainingData, float, int, int], LimitResult]] = {
    "mlp1": _mlp1, "linear1": _linear, "mlp2-decoupled": _mlp2, "mlp2": _mlp2}


def limit_for(arch: str, routine: Routine, *, data: TrainingData | None = None, tol: float = 1e-6,
              particles: int = DEFAULT_PARTICLES, seed: int = 0) -> LimitResult:
    """f̊ₜ on the probes for ``arch`` (module docstring names the theorem of each) trained by ``routine``
    (φ = ``routine.phi``, η = ``routine.lr``, its loss) on ``data`` (default
    :func:`impl.simulation.training_data`); ValueError if the routine does not fit ``arch``
    (:func:`check_routine`).

    ``tol`` is the grid-quadrature tolerance of ``mlp1``; ``particles`` the sample size of the
    Monte-Carlo limits (``mlp2-decoupled``, ``mlp2``) and of ``mlp1``'s quasi-Monte Carlo (see
    :data:`DEFAULT_PARTICLES`); ``seed`` their SeedSequence entropy; the exact ``linear1`` uses none.
    Non-finite outputs mean the limit itself diverged (see :attr:`LimitResult.diverged_at`); numpy's
    overflow warnings are silenced, since that is how a divergence is reported.
    """
    data = check_routine(arch, routine, data)
    run = _LIMITS[get_arch(arch).name]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return run(routine, data, tol, particles, seed)


def finite_for(arch: str, routine: Routine, width: int, seeds: Sequence[int], *, data: TrainingData | None = None,
               seed_chunk: int | None = None) -> np.ndarray:
    """fₜ(probes) of width-``width`` µP networks of ``arch``, one per seed, trained by ``routine`` (its φ,
    η, loss, backprop, dtype and device) on ``data``: shape (T+1, S, P, d_o) (:func:`finite_outputs` with
    ``arch``'s parametrization; the routine is checked by :func:`check_routine`). ``seed_chunk`` None: the
    engine's default chunk (:func:`finite_chunk`)."""
    data = check_routine(arch, routine, data)
    chunk = finite_chunk(arch, width, routine.dtype) if seed_chunk is None else seed_chunk
    return finite_outputs(get_arch(arch).parametrization, routine, width, seeds, data=data, seed_chunk=chunk)
