"""Running a Tensor Program at a finite width n (paper Setup 7.2), batched over network seeds.

Every initial matrix is sampled as W = σ_W·z/√n and every Gaussian initial vector as std·z, with z
standard normal from ``numpy.random.SeedSequence([TAG, seed, n, i])`` for the value made by
instruction i — so a seed's numbers depend neither on the other seeds of the batch nor on the
chunking. A ``draws`` hook can supply z instead (e.g. the finite-width engine's own draws, so that a
program reproduces :func:`impl.limits.finite_outputs` exactly). Nonlin and Moment act on the
(S, n) batch directly; the only n×n arrays are the initial matrices themselves, and seeds are
processed in chunks so that at most ``memory`` bytes of them are alive at once.

:func:`interpret` is the instruction loop shared with the Z-evaluator (:mod:`.zeval`): a
:class:`Backend` realises the initial values and MatMul, Nonlin and Moment are the same for both,
and every value is freed after its last use (:func:`last_uses`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Protocol, Sequence

import numpy as np

from impl.limits.program.ops import (
    InitMatrix, InitScalar, InitVector, Instruction, MatMul, Moment, Nonlin, Program, Scalar, Vector,
)

__all__ = ["Backend", "interpret", "apply_fn", "last_uses", "DrawFn", "FiniteRun", "standard_draw", "run_finite"]


def apply_fn(ins: Nonlin | Moment, values: Mapping[int, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """Evaluate a Nonlin (→ shape (B, n)) or Moment (→ (B,)) on the batch ``values`` (vectors
    (B, n), scalars (B,)); shared by the finite executor and the Z-evaluator."""
    scal = [values[q.index][:, None] for q in ins.params]
    out = np.asarray(ins.fn(*(values[a.index] for a in ins.args), *scal), dtype=np.float64)
    try:
        out = np.broadcast_to(out, shape)
    except ValueError:
        raise ValueError(f"{ins.name}: {ins.label} returned shape {out.shape}, not broadcastable to {shape}") from None
    if isinstance(ins, Moment):  # with no vector arguments, ψ(θ) itself (no averaging round-off)
        return np.mean(out, axis=1) if ins.args else np.array(out[:, 0])
    return np.array(out)


def last_uses(instructions: Sequence[Instruction]) -> list[int]:
    """For each instruction, the index of the last instruction that reads its value (itself if none).

    A MatMul's input counts as read by every later MatMul of the same matrix (either orientation),
    since ZHat and ZDot (Definition 7.3) look back at all of them."""
    last = list(range(len(instructions)))
    last_matmul: dict[int, int] = {}
    for i, ins in enumerate(instructions):
        if isinstance(ins, MatMul):
            last_matmul[ins.matrix.index] = i
    for i, ins in enumerate(instructions):
        if isinstance(ins, MatMul):
            last[ins.x.index] = max(last[ins.x.index], last_matmul[ins.matrix.index])
            last[ins.matrix.index] = max(last[ins.matrix.index], i)
            last[i] = max(last[i], last_matmul[ins.matrix.index])
        elif isinstance(ins, (Nonlin, Moment)):
            for j in [a.index for a in ins.args] + [q.index for q in ins.params]:
                last[j] = max(last[j], i)
    return last


class Backend(Protocol):
    """How one executor realises the initial values and MatMul (:func:`interpret` does the rest)."""

    shape: tuple[int, int]

    def init_vector(self, i: int, ins: InitVector) -> np.ndarray: ...

    def init_scalar(self, i: int, ins: InitScalar) -> np.ndarray: ...

    def init_matrix(self, i: int, ins: InitMatrix) -> None: ...

    def matmul(self, i: int, ins: MatMul, values: Mapping[int, np.ndarray]) -> np.ndarray: ...

    def release(self, i: int) -> None: ...


def interpret(program: Program, backend: Backend, keep: Iterable[int]) -> dict[int, np.ndarray]:
    """Run ``program`` on ``backend``, freeing each value after its last use; return the values of
    the instruction indices in ``keep``."""
    instructions = program.instructions
    kept = set(keep)
    freed: dict[int, list[int]] = {}
    for j, last in enumerate(last_uses(instructions)):
        freed.setdefault(last, []).append(j)
    values: dict[int, np.ndarray] = {}
    for i, ins in enumerate(instructions):
        if isinstance(ins, InitVector):
            values[i] = backend.init_vector(i, ins)
        elif isinstance(ins, InitScalar):
            values[i] = backend.init_scalar(i, ins)
        elif isinstance(ins, InitMatrix):
            backend.init_matrix(i, ins)
        elif isinstance(ins, MatMul):
            values[i] = backend.matmul(i, ins, values)
        else:
            values[i] = apply_fn(ins, values, backend.shape)
        for j in freed.get(i, ()):
            if isinstance(instructions[j], (InitMatrix, MatMul)):
                backend.release(j)
            if j not in kept:
                values.pop(j, None)
    return {j: values[j] for j in kept}


_TAG = 0x7F4E
DrawFn = Callable[[int, str, int, int], np.ndarray]
"""``draws(index, name, seed, width)`` → the standard-normal z of a Gaussian initial value: shape
(n,) for a vector, (n, n) for a matrix."""


def _rng(seed: int, width: int, index: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([_TAG, seed, width, index]))


def standard_draw(index: int, seed: int, width: int, shape: tuple[int, ...]) -> np.ndarray:
    """The default z (standard normal, ``shape``) of the initial value made by instruction ``index``
    (what :func:`run_finite` uses when no ``draws`` hook is given)."""
    return _rng(seed, width, index).standard_normal(shape)


@dataclass(frozen=True)
class FiniteRun:
    """Values of one program at width ``width``: ``scalars[name]`` (S,), ``vectors[name]`` (S, n)
    for the vectors asked for; index either with a handle: ``run[h]``."""

    width: int
    seeds: tuple[int, ...]
    scalars: Mapping[str, np.ndarray]
    vectors: Mapping[str, np.ndarray]

    def __getitem__(self, handle: Scalar | Vector) -> np.ndarray:
        return self.scalars[handle.name] if isinstance(handle, Scalar) else self.vectors[handle.name]


class _FiniteBackend:
    def __init__(self, width: int, seeds: Sequence[int], draws: DrawFn | None) -> None:
        self.width, self.seeds, self.draws = width, list(seeds), draws
        self.shape = (len(self.seeds), width)
        self.matrices: dict[int, np.ndarray] = {}

    def _z(self, i: int, name: str, matrix: bool) -> np.ndarray:
        want = (self.width, self.width) if matrix else (self.width,)
        out = np.empty((len(self.seeds), *want))
        for k, s in enumerate(self.seeds):
            if self.draws is None:
                _rng(s, self.width, i).standard_normal(out=out[k])
                continue
            z = np.asarray(self.draws(i, name, s, self.width), dtype=np.float64)
            if z.shape != want:
                raise ValueError(f"draws for {name!r} must have shape {want}, got {z.shape}")
            out[k] = z
        return out

    def init_vector(self, i: int, ins: InitVector) -> np.ndarray:
        if ins.sampler is None:
            return ins.std * self._z(i, ins.name, False)
        draws = [np.asarray(ins.sampler(_rng(s, self.width, i), (self.width,)), dtype=np.float64) for s in self.seeds]
        return np.stack(draws)

    def init_scalar(self, i: int, ins: InitScalar) -> np.ndarray:
        value = ins.value(self.width) if callable(ins.value) else ins.value
        return np.full(len(self.seeds), float(value))

    def init_matrix(self, i: int, ins: InitMatrix) -> None:
        z = self._z(i, ins.name, True)
        z *= ins.std / np.sqrt(self.width)
        self.matrices[i] = z

    def matmul(self, i: int, ins: MatMul, values: Mapping[int, np.ndarray]) -> np.ndarray:
        W, x = self.matrices[ins.matrix.index], values[ins.x.index]
        out = np.empty_like(x)
        for k in range(x.shape[0]):  # one BLAS matrix-vector product per seed
            out[k] = (W[k].T if ins.transpose else W[k]) @ x[k]
        return out

    def release(self, i: int) -> None:
        self.matrices.pop(i, None)


def run_finite(program: Program, width: int, seeds: Sequence[int], *, keep: Iterable[Vector] = (),
               draws: DrawFn | None = None, memory: float = 2.0**29) -> FiniteRun:
    """Execute ``program`` at width n for each seed (Definition 7.1 at finite n): every scalar's
    value (S,), and the vectors in ``keep`` (S, n)."""
    if not isinstance(width, (int, np.integer)) or isinstance(width, bool) or width < 1:
        raise ValueError(f"width must be an integer >= 1, got {width!r}")
    seeds = tuple(int(s) for s in seeds)
    if not seeds or any(s < 0 for s in seeds):
        raise ValueError("seeds must be a non-empty sequence of integers >= 0")
    keep = tuple(keep)
    for v in keep:
        program.validate(v, Vector)
    n_mat = sum(isinstance(ins, InitMatrix) for ins in program.instructions)
    chunk = max(1, int(memory // max(1, n_mat * width * width * 8)))
    scalars = program.scalars()
    wanted = [s.index for s in scalars] + [v.index for v in keep]
    parts: list[dict[int, np.ndarray]] = []
    for k in range(0, len(seeds), chunk):
        parts.append(interpret(program, _FiniteBackend(int(width), seeds[k:k + chunk], draws), wanted))
    joined = {j: np.concatenate([p[j] for p in parts]) for j in wanted}
    return FiniteRun(int(width), seeds, {s.name: joined[s.index] for s in scalars},
                     {v.name: joined[v.index] for v in keep})
