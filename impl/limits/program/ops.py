"""Tensor Programs (NETSOR⊤, paper Definition 7.1 and Setup 7.2) as append-only lists of instructions.

A program starts from initial n×n matrices W (iid N(0, σ_W²/n) entries), initial vectors (iid
coordinates: N(0, σ²) or any given coordinate distribution) and initial scalars (θ_n → θ̊), and
grows by three instructions, each producing one new value:

* **MatMul** ``Wx`` or ``Wᵀx`` (a vector);
* **Nonlin** ``ψ(x¹, …, xᵏ; θ₁, …, θ_l)`` applied coordinatewise (a vector);
* **Moment** ``(1/n) Σ_α ψ(x¹_α, …, xᵏ_α; θ₁, …, θ_l)`` (a scalar; k = 0 is allowed — Assumption
  F.4(1) — and then ψ is a continuous function of scalars only, e.g. χ = L′(f, y)).

``ψ`` is a vectorised numpy callable ``ψ(*vectors, *scalars)``: vectors arrive with shape (B, n) and
scalars with shape (B, 1), where B is a batch (network seeds in :mod:`.finite`, independent
particle replicates in :mod:`.zeval`). Instructions and value handles are frozen; a
:class:`Program` can only be appended to, so an executor's snapshot of ``instructions`` never
changes under it.

Builder::

    prog = Program()
    W = prog.matrix("W", std=1.0)
    x = prog.vector_gaussian("x")
    h = prog.matmul(W, x)                  # Wx;  prog.matmul(W.T, y) is Wᵀy
    y = prog.nonlin(np.tanh, h)
    m = prog.moment(lambda a: a ** 2, y)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence, Union

import numpy as np

__all__ = [
    "Vector", "Scalar", "Matrix", "Transposed", "Sampler", "Fn",
    "InitVector", "InitScalar", "InitMatrix", "MatMul", "Nonlin", "Moment", "Instruction",
    "Program",
]

Fn = Callable[..., np.ndarray]
Sampler = Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]
"""``sampler(rng, shape)`` → iid coordinates of a non-Gaussian initial vector."""


@dataclass(frozen=True)
class _Handle:
    index: int
    name: str


class Vector(_Handle):
    """Handle of the vector made by instruction ``index``."""


class Scalar(_Handle):
    """Handle of the scalar made by instruction ``index``."""


class Matrix(_Handle):
    """Handle of an initial matrix; ``W.T`` stands for Wᵀ in :meth:`Program.matmul`."""

    @property
    def T(self) -> "Transposed":
        return Transposed(self)


@dataclass(frozen=True)
class Transposed:
    """Wᵀ of an initial matrix (only as the first argument of :meth:`Program.matmul`)."""

    matrix: Matrix


@dataclass(frozen=True)
class InitVector:
    """An initial vector: iid N(0, std²) coordinates, or iid draws of ``sampler`` (Setup 7.2(2))."""

    name: str
    std: float = 1.0
    sampler: Sampler | None = None


@dataclass(frozen=True)
class InitScalar:
    """An initial scalar: ``value`` (a number, or a function of the width n) tending to ``limit``
    (Setup 7.2(3)); ``limit`` None means it has no finite limit (only finite runs are possible)."""

    name: str
    value: float | Callable[[int], float]
    limit: float | None


@dataclass(frozen=True)
class InitMatrix:
    """An initial n×n matrix with iid N(0, std²/n) entries (Setup 7.2(1), σ_W = ``std``)."""

    name: str
    std: float = 1.0


@dataclass(frozen=True)
class MatMul:
    """``matrix @ x``, or ``matrix.T @ x`` when ``transpose`` (Definition 7.1, MatMul)."""

    name: str
    matrix: Matrix
    x: Vector
    transpose: bool = False


@dataclass(frozen=True)
class _Apply:
    name: str
    fn: Fn
    args: tuple[Vector, ...]
    params: tuple[Scalar, ...] = ()
    label: str = ""


class Nonlin(_Apply):
    """``fn(*args, *params)`` coordinatewise (Definition 7.1, Nonlin)."""


class Moment(_Apply):
    """``mean_α fn(*args, *params)`` (Definition 7.1, Moment)."""


Instruction = Union[InitVector, InitScalar, InitMatrix, MatMul, Nonlin, Moment]
_MAKES: dict[type, type] = {InitVector: Vector, MatMul: Vector, Nonlin: Vector, InitScalar: Scalar, Moment: Scalar,
          InitMatrix: Matrix}


def _positive(value: float, what: str) -> float:
    v = float(value)
    if not (np.isfinite(v) and v > 0):
        raise ValueError(f"{what} must be a positive finite number, got {value!r}")
    return v


class Program:
    """A Tensor Program (Definition 7.1) built instruction by instruction; append-only."""

    def __init__(self) -> None:
        self._instructions: list[Instruction] = []
        self._names: set[str] = set()

    @property
    def instructions(self) -> tuple[Instruction, ...]:
        """The instructions so far (instruction i makes the value with handle index i)."""
        return tuple(self._instructions)

    def __len__(self) -> int:
        return len(self._instructions)

    def __repr__(self) -> str:
        lines = [f"  {i}: {_describe(ins)}" for i, ins in enumerate(self._instructions)]
        return "Program(\n" + "\n".join(lines) + "\n)"

    def scalars(self) -> tuple[Scalar, ...]:
        """Handles of every scalar (initial ones and Moments), in program order."""
        return tuple(Scalar(i, ins.name) for i, ins in enumerate(self._instructions)
                     if isinstance(ins, (InitScalar, Moment)))

    def moments(self) -> tuple[Scalar, ...]:
        """Handles of the Moment scalars, in program order."""
        return tuple(Scalar(i, ins.name) for i, ins in enumerate(self._instructions) if isinstance(ins, Moment))

    def _add(self, ins: Instruction) -> int:
        if ins.name in self._names:
            raise ValueError(f"a value named {ins.name!r} is already in the program")
        self._names.add(ins.name)
        self._instructions.append(ins)
        return len(self._instructions) - 1

    def _name(self, name: str | None, prefix: str) -> str:
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"a value name must be a non-empty string, got {name!r}")
        return name if name is not None else f"{prefix}{len(self._instructions)}"

    def validate(self, handle: object, kind: type) -> None:
        """ValueError unless ``handle`` is a ``kind`` handle (Vector, Scalar, Matrix) of this program."""
        if not (isinstance(handle, (Vector, Scalar, Matrix)) and isinstance(handle, kind) and self._owns(handle)):
            raise ValueError(f"{handle!r} is not a {kind.__name__.lower()} of this program")

    def _owns(self, h: Vector | Scalar | Matrix) -> bool:
        i = h.index
        return (0 <= i < len(self._instructions) and self._instructions[i].name == h.name
                and _MAKES[type(self._instructions[i])] is type(h))

    def matrix(self, name: str | None = None, std: float = 1.0) -> Matrix:
        """An initial matrix W with iid N(0, std²/n) entries (Setup 7.2(1))."""
        ins = InitMatrix(self._name(name, "W"), _positive(std, "matrix std"))
        return Matrix(self._add(ins), ins.name)

    def vector_gaussian(self, name: str | None = None, std: float = 1.0) -> Vector:
        """An initial vector with iid N(0, std²) coordinates, independent of the rest (Setup 7.2(2))."""
        ins = InitVector(self._name(name, "v"), _positive(std, "vector std"))
        return Vector(self._add(ins), ins.name)

    def vector_iid(self, name: str | None, sampler: Sampler) -> Vector:
        """An initial vector with iid coordinates ``sampler(rng, shape)`` (Setup 7.2(2), non-Gaussian)."""
        if not callable(sampler):
            raise ValueError("vector_iid needs a callable sampler(rng, shape)")
        ins = InitVector(self._name(name, "v"), 1.0, sampler)
        return Vector(self._add(ins), ins.name)

    def scalar(self, name: str | None, value: float | Callable[[int], float], *,
               limit: float | None = None) -> Scalar:
        """An initial scalar (Setup 7.2(3)); a number is its own limit, a function of n needs ``limit``
        (None: no finite limit, finite runs only)."""
        if callable(value):
            lim = None if limit is None else float(limit)
        else:
            lim = float(value) if limit is None else float(limit)
            if not np.isfinite(float(value)):
                raise ValueError(f"initial scalar must be finite, got {value!r}")
        ins = InitScalar(self._name(name, "c"), value, lim)
        return Scalar(self._add(ins), ins.name)

    def matmul(self, matrix: Matrix | Transposed, x: Vector, name: str | None = None) -> Vector:
        """MatMul (Definition 7.1): Wx (``matrix`` a :class:`Matrix`) or Wᵀx (``matrix`` is ``W.T``)."""
        transpose = isinstance(matrix, Transposed)
        W = matrix.matrix if isinstance(matrix, Transposed) else matrix
        self.validate(W, Matrix)
        self.validate(x, Vector)
        ins = MatMul(self._name(name, "h"), W, x, transpose)
        return Vector(self._add(ins), ins.name)

    def _fn_args(self, fn: Fn, args: Sequence[Vector],
                 params: Iterable[Scalar]) -> tuple[tuple[Vector, ...], tuple[Scalar, ...]]:
        if not callable(fn):
            raise ValueError(f"nonlinearity must be callable, got {fn!r}")
        for a in args:
            self.validate(a, Vector)
        ps = tuple(params)
        for q in ps:
            self.validate(q, Scalar)
        return tuple(args), ps

    def nonlin(self, fn: Fn, *args: Vector, params: Iterable[Scalar] = (), name: str | None = None,
               label: str | None = None) -> Vector:
        """Nonlin (Definition 7.1): ψ(x¹..xᵏ; θ₁..θ_l) coordinatewise; needs k ≥ 1 vectors."""
        a, ps = self._fn_args(fn, args, params)
        if not a:
            raise ValueError("nonlin needs at least one vector argument")
        ins = Nonlin(self._name(name, "x"), fn, a, ps, label or _label(fn))
        return Vector(self._add(ins), ins.name)

    def moment(self, fn: Fn, *args: Vector, params: Iterable[Scalar] = (), name: str | None = None,
               label: str | None = None) -> Scalar:
        """Moment (Definition 7.1): (1/n) Σ_α ψ(x¹_α..xᵏ_α; θ₁..θ_l); with no vectors, ψ(θ₁..θ_l)
        itself (Assumption F.4(1))."""
        a, ps = self._fn_args(fn, args, params)
        ins = Moment(self._name(name, "m"), fn, a, ps, label or _label(fn))
        return Scalar(self._add(ins), ins.name)


def _label(fn: Fn) -> str:
    return str(getattr(fn, "__name__", type(fn).__name__))


def _describe(ins: Instruction) -> str:
    if isinstance(ins, InitMatrix):
        return f"{ins.name} = matrix(std={ins.std:g})"
    if isinstance(ins, InitVector):
        return f"{ins.name} = vector({'iid sampler' if ins.sampler else f'N(0, {ins.std:g}²)'})"
    if isinstance(ins, InitScalar):
        return f"{ins.name} = scalar(limit={ins.limit})"
    if isinstance(ins, MatMul):
        return f"{ins.name} = {ins.matrix.name}{'ᵀ' if ins.transpose else ''} {ins.x.name}"
    args = ", ".join(a.name for a in ins.args) + ("; " + ", ".join(q.name for q in ins.params) if ins.params else "")
    return f"{ins.name} = {'mean ' if isinstance(ins, Moment) else ''}{ins.label}({args})"
