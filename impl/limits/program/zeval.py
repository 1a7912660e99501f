"""The Z random variables and limits θ̊ of a Tensor Program (paper Definition 7.3), by Monte Carlo.

Each vector h is represented by particles of Z^h, each scalar θ by its limit θ̊:

* ZInit: Gaussian (or sampled) initial vectors; initial scalars are replaced by their limits.
* ZNonlin / ZMoment: ψ applied to the particles; θ̊ = E ψ(Z…) is the particle mean.
* ZMatMul: Z^{Wx} = Ẑ^{Wx} + Ż^{Wx}.
  - ZHat: the Ẑ^{Wx} over all x multiplied by the same W (Wᵀ counts as another matrix) are jointly
    Gaussian, Cov(Ẑ^{Wx}, Ẑ^{Wy}) = σ_W² E Z^x Z^y, independent of every other Ẑ. They are sampled
    in program order, each conditionally on the earlier ones of the same W: with G the Gram matrix
    E Z^{xᵢ}Z^{xⱼ} of the earlier inputs and g = (E Z^{xᵢ}Z^x)ᵢ, Ẑ^{Wx} = Σᵢ βᵢẐ^{Wxᵢ} + σ_W·s·ξ with
    β = G⁺g, s² = E(Z^x)² − gᵀG⁺g and ξ a fresh N(0, 1) particle array.
  - ZDot in the Stein form of Remark F.2: for the Wᵀyᵢ introduced before x (x itself included, if
    x = Wᵀy), with Cᵢⱼ = E Z^{yᵢ}Z^{yⱼ} and bᵢ = E Ẑ^{Wᵀyᵢ} Z^x, a = C⁺b (= σ_W² E ∂Z^x/∂Ẑ^{Wᵀyᵢ})
    and Ż^{Wx} = Σᵢ aᵢ Z^{yᵢ} (Eq. (31)).
    No derivative of any ψ is needed, so non-differentiable ψ are fine too.

Error estimate: the particles are split into R independent replicates of M = N/R particles, each a
complete, separate evaluation (its own Gram matrices, Stein coefficients and θ̊'s). θ̊ is reported as
the mean of the R replicate values and its standard error as their standard deviation / √R, which
includes the error that estimated θ̊'s, β's and a's pass on to everything downstream (∝ N^{-1/2}).

Bias: within a replicate the Gram matrices, Stein coefficients and θ̊'s are estimated from the same
particles they are then applied to, and later steps are nonlinear in them, so each replicate value
has a bias of order 1/M (e.g. for θ = E[(Wᵀ(Wx)³)·x] with x ~ N(0, 1) the replicate mean is
3(1 + 2/M) instead of 3, measured in the tests). Relative to the standard error (∝ 1/√N) it is
of order R/√N — 1/16 at the defaults N = 2¹⁶, R = 16 (M = 4096) — and it shrinks as N grows
with R fixed. Averaging replicates does not remove it; only larger M does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, NamedTuple

import numpy as np

from impl.limits.program.finite import interpret
from impl.limits.program.ops import InitMatrix, InitScalar, InitVector, MatMul, Program, Scalar, Vector

__all__ = ["Estimate", "ZResult", "z_evaluate"]

_TAG = 0x2E7A
_RCOND = 1e-9  # relative eigenvalue cut-off of the pseudo-inverses G⁺ and C⁺


class Estimate(NamedTuple):
    """A limit θ̊ and the Monte Carlo standard error of its estimate."""

    value: float
    stderr: float


@dataclass(frozen=True)
class ZResult:
    """θ̊ of every scalar (``values``, ``stderr``, per-replicate ``replicate_values`` (R,)) and
    Z-particles (R, M) of the vectors asked for; ``result[handle]`` gives an :class:`Estimate`
    (scalars) or the particles (vectors)."""

    particles: int
    replicates: int
    values: Mapping[str, float]
    stderr: Mapping[str, float]
    replicate_values: Mapping[str, np.ndarray]
    vectors: Mapping[str, np.ndarray]

    def __getitem__(self, handle: Scalar | Vector) -> Estimate | np.ndarray:
        if isinstance(handle, Scalar):
            return Estimate(self.values[handle.name], self.stderr[handle.name])
        return self.vectors[handle.name]

    def estimate(self, handle: Scalar) -> Estimate:
        """The :class:`Estimate` of one scalar."""
        return Estimate(self.values[handle.name], self.stderr[handle.name])


def _mean_prod(stack: np.ndarray, x: np.ndarray) -> np.ndarray:
    """E[Aᵢ·x] per replicate: (m, R, M), (R, M) → (R, m)."""
    return np.einsum("mrk,rk->rm", stack, x) / x.shape[1]


def _solve(gram: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """G⁺·rhs per replicate: (R, m, m), (R, m) → (R, m)."""
    return np.einsum("rij,rj->ri", np.linalg.pinv(gram, rcond=_RCOND, hermitian=True), rhs)


class _ZBackend:
    def __init__(self, shape: tuple[int, int], seed: int, zdot: bool) -> None:
        self.shape, self.seed, self.zdot = shape, seed, zdot
        self.std: dict[int, float] = {}
        # per (matrix index, transposed): MatMul indices and input indices in program order, Gram
        self.calls: dict[tuple[int, bool], list[tuple[int, int]]] = {}
        self.gram: dict[tuple[int, bool], np.ndarray] = {}
        self.hat: dict[int, np.ndarray] = {}

    def _normal(self, i: int) -> np.ndarray:
        return np.random.default_rng(np.random.SeedSequence([_TAG, self.seed, i])).standard_normal(self.shape)

    def init_vector(self, i: int, ins: InitVector) -> np.ndarray:
        if ins.sampler is None:
            return ins.std * self._normal(i)
        rng = np.random.default_rng(np.random.SeedSequence([_TAG, self.seed, i]))
        return np.array(np.broadcast_to(np.asarray(ins.sampler(rng, self.shape), dtype=np.float64), self.shape))

    def init_scalar(self, i: int, ins: InitScalar) -> np.ndarray:
        if ins.limit is None:
            raise ValueError(f"initial scalar {ins.name!r} has no finite limit (Setup 7.2(3) needs one)")
        return np.full(self.shape[0], ins.limit)

    def init_matrix(self, i: int, ins: InitMatrix) -> None:
        self.std[i] = ins.std

    def matmul(self, i: int, ins: MatMul, values: Mapping[int, np.ndarray]) -> np.ndarray:
        key, opp = (ins.matrix.index, ins.transpose), (ins.matrix.index, not ins.transpose)
        x = values[ins.x.index]
        g00 = np.mean(x * x, axis=1)
        calls = self.calls.setdefault(key, [])
        if calls:  # ZHat: condition on the earlier Ẑ of the same matrix
            g = _mean_prod(np.stack([values[j] for _, j in calls]), x)
            beta = _solve(self.gram[key], g)
            resid = np.maximum(g00 - np.einsum("ri,ri->r", beta, g), 0.0)
            hat = np.einsum("ri,irk->rk", beta, np.stack([self.hat[m] for m, _ in calls]))
            hat += self.std[ins.matrix.index] * np.sqrt(resid)[:, None] * self._normal(i)
            old = self.gram[key]
            gram = np.concatenate([np.concatenate([old, g[:, :, None]], 2),
                                   np.concatenate([g, g00[:, None]], 1)[:, None, :]], 1)
        else:
            hat = self.std[ins.matrix.index] * np.sqrt(g00)[:, None] * self._normal(i)
            gram = g00[:, None, None]
        calls.append((i, ins.x.index))
        self.gram[key], self.hat[i] = gram, hat
        before = [(m, j) for m, j in self.calls.get(opp, []) if m <= ins.x.index]
        if not (self.zdot and before):
            return hat.copy()
        # ZDot, Remark F.2: a = C⁺b, Ż = Σ aᵢ Z^{yᵢ}
        b = _mean_prod(np.stack([self.hat[m] for m, _ in before]), x)
        a = _solve(self.gram[opp][:, : len(before), : len(before)], b)
        return hat + np.einsum("ri,irk->rk", a, np.stack([values[j] for _, j in before]))

    def release(self, i: int) -> None:
        self.hat.pop(i, None)


def z_evaluate(program: Program, *, particles: int = 2**16, replicates: int = 16, seed: int = 0,
               keep: Iterable[Vector] = (), zdot: bool = True) -> ZResult:
    """θ̊ for every scalar of ``program`` (Definition 7.3) from ``particles`` Monte Carlo particles in
    ``replicates`` independent groups; ``zdot=False`` drops Ż (a deliberately wrong limit, for
    negative controls only)."""
    for what, count in (("particles", particles), ("replicates", replicates)):
        if not isinstance(count, (int, np.integer)) or isinstance(count, bool) or count < 2:
            raise ValueError(f"{what} must be an integer >= 2, got {count!r}")
    if particles // replicates < 2:
        raise ValueError(f"need at least 2 particles per replicate, got {particles} for {replicates} replicates")
    keep = tuple(keep)
    for v in keep:
        program.validate(v, Vector)
    scalars = program.scalars()
    shape = (int(replicates), int(particles) // int(replicates))
    got = interpret(program, _ZBackend(shape, int(seed), zdot),
                    [s.index for s in scalars] + [v.index for v in keep])
    reps = {s.name: got[s.index] for s in scalars}
    return ZResult(shape[0] * shape[1], shape[0],
                   {k: float(np.mean(r)) for k, r in reps.items()},
                   {k: float(np.std(r, ddof=1) / np.sqrt(shape[0])) for k, r in reps.items()},
                   reps, {v.name: got[v.index] for v in keep})
