"""Hypothesis strategy over small Tensor Programs (Definition 7.1, Section 7): :func:`tensor_programs`.

Programs are built constructively: 1–2 Gaussian n×n matrices, 1–3 initial vectors, MatMuls with and
without transposes, Nonlins x, x², x³, tanh, x + y, x·y and x + tanh(θ)·y, and Moments x, x², x·y.
Polynomial degrees are capped (vectors ≤ 3, moments ≤ 4; tanh counts as degree 0) so the moments stay
light-tailed and their finite-width fluctuations are CLT-sized.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
from hypothesis import strategies as st

from impl.limits.program import Program, Scalar, Vector

__all__ = ["NONLINS", "MOMENTS", "tensor_programs"]


def _x(a: np.ndarray) -> np.ndarray:
    return a


def _sq(a: np.ndarray) -> np.ndarray:
    return a * a


def _cube(a: np.ndarray) -> np.ndarray:
    return a * a * a


def _sum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a + b


def _prod(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a * b


def _axpy(a: np.ndarray, b: np.ndarray, theta: np.ndarray) -> np.ndarray:
    return a + np.tanh(theta) * b


class _Op(NamedTuple):
    fn: Callable[..., np.ndarray]
    arity: int
    uses_scalar: bool
    degree: Callable[[int, int], int]  # polynomial degree of the result from those of the arguments


# tanh counts as degree 0 (bounded); degrees are capped so moments stay light-tailed
NONLINS: dict[str, _Op] = {
    "x": _Op(_x, 1, False, lambda d, _: d),
    "x^2": _Op(_sq, 1, False, lambda d, _: 2 * d),
    "x^3": _Op(_cube, 1, False, lambda d, _: 3 * d),
    "tanh": _Op(np.tanh, 1, False, lambda d, _: 0),
    "x+y": _Op(_sum, 2, False, max),
    "x*y": _Op(_prod, 2, False, lambda d, e: d + e),
    "x+tanh(t)y": _Op(_axpy, 2, True, max),
}
MOMENTS: dict[str, _Op] = {
    "x": _Op(_x, 1, False, lambda d, _: d),
    "x^2": _Op(_sq, 1, False, lambda d, _: 2 * d),
    "x*y": _Op(_prod, 2, False, lambda d, e: d + e),
}
MAX_VECTOR_DEGREE, MAX_MOMENT_DEGREE = 3, 4


@st.composite
def tensor_programs(draw: st.DrawFn, max_instructions: int = 8, max_matrices: int = 2,
                    max_vectors: int = 3) -> Program:
    """Random small Tensor Programs (Definition 7.1), built constructively: polynomial degrees of
    vectors ≤ 3 and of moments ≤ 4; the first instruction is a MatMul, the last ones Moments."""
    prog = Program()
    mats = [prog.matrix(f"W{k}", std=draw(st.sampled_from((0.5, 1.0, 1.5))))
            for k in range(draw(st.integers(1, max_matrices)))]
    vecs: list[tuple[Vector, int]] = [(prog.vector_gaussian(f"z{k}", std=draw(st.sampled_from((0.5, 1.0)))), 1)
                                      for k in range(draw(st.integers(1, max_vectors)))]
    scalars: list[Scalar] = []
    fed: dict[tuple[int, bool], int] = {}  # highest degree fed into each (matrix, transposed)

    def pick(max_degree: int) -> tuple[Vector, int] | None:
        ok = [v for v in vecs if v[1] <= max_degree]
        return ok[draw(st.integers(0, len(ok) - 1))] if ok else None

    def matmul() -> None:
        W, T = mats[draw(st.integers(0, len(mats) - 1))], draw(st.booleans())
        x, d = vecs[draw(st.integers(0, len(vecs) - 1))]
        fed[(W.index, T)] = max(fed.get((W.index, T), 0), d)
        vecs.append((prog.matmul(W.T if T else W, x), max(1, fed.get((W.index, not T), 0))))

    def moment() -> None:
        name = draw(st.sampled_from(sorted(MOMENTS)))
        op = MOMENTS[name]
        a = pick(MAX_MOMENT_DEGREE if name == "x" else MAX_MOMENT_DEGREE // 2)
        assert a is not None
        b = pick(MAX_MOMENT_DEGREE - a[1]) if op.arity == 2 else None
        args = (a[0],) if b is None else (a[0], b[0])
        scalars.append(prog.moment(op.fn, *args, label=name))

    matmul()
    for _ in range(draw(st.integers(1, max_instructions - 2))):
        kind = draw(st.sampled_from(("matmul", "nonlin", "nonlin", "moment")))
        if kind == "matmul":
            matmul()
        elif kind == "moment":
            moment()
        else:
            name = draw(st.sampled_from(sorted(NONLINS)))
            op = NONLINS[name]
            if op.uses_scalar and not scalars:
                continue
            cap = {"x^2": 1, "x^3": 1}.get(name, MAX_VECTOR_DEGREE)
            a = pick(cap if name not in ("x*y",) else MAX_VECTOR_DEGREE - 1)
            if a is None:
                continue
            b = pick(MAX_VECTOR_DEGREE - a[1] if name == "x*y" else MAX_VECTOR_DEGREE) if op.arity == 2 else None
            if op.arity == 2 and b is None:
                continue
            params = (scalars[draw(st.integers(0, len(scalars) - 1))],) if op.uses_scalar else ()
            args = (a[0],) if b is None else (a[0], b[0])
            vecs.append((prog.nonlin(op.fn, *args, params=params, label=name),
                         op.degree(a[1], 0 if b is None else b[1])))
    for _ in range(draw(st.integers(1, 2))):
        moment()
    return prog
