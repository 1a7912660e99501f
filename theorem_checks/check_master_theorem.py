"""Theorem 7.4 (Tensor Program Master Theorem) — Section 7; the check is :mod:`impl.checks.master_theorem`.

*In words:* run any Tensor Program — Gaussian n×n matrices, iid initial vectors, and vectors and
scalars made by MatMul (Wx, Wᵀx), coordinatewise Nonlin and Moment — at width n. As n → ∞ every
scalar θ converges almost surely to the deterministic θ̊ of Definition 7.3.

Check (hypothesis over :func:`impl.strategies.tensor_programs`): every Moment agrees with its Z-limit at
the largest width and its deviation shrinks at a rate consistent with n^{−1/2}.

Negative controls: the Z-evaluator with Ż dropped (``zdot=False``) on programs where Wᵀ acts on a
nonlinear function of Wx, and a limit θ̊ deliberately perturbed (a fixed program, and every Moment of
the random programs), must fail the agreement test.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest
from hypothesis import given

from impl.checks import CheckResult
from impl.checks.master_theorem import check_master_theorem
from impl.limits.program import Program
from impl.measurement import Verdict
from impl.strategies import tensor_programs
from theorem_checks.suite import BUDGET, finite_settings


def _agreement_fails(result: CheckResult) -> bool:
    """Whether some Moment's agreement test (|z| ≤ K) rejected the limit."""
    return any(c.verdict is Verdict.DISAGREE and "z = " in c.reason for c in result.claims)


def _cube(a: np.ndarray) -> np.ndarray:
    return a * a * a


def _sq(a: np.ndarray) -> np.ndarray:
    return a * a


def _prod(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a * b


@finite_settings()
@given(tensor_programs())
def test_moments_converge_to_their_z_limits(program: Program) -> None:
    result = check_master_theorem(program, BUDGET)
    assert result.agrees, str(result)


def _zdot_program(nonlinearity: Callable[[np.ndarray], np.ndarray]) -> Program:
    """z = Wᵀψ(Wx): Ż^{Wᵀψ(Wx)} = σ²·x·E ψ′(Ẑ^{Wx}) carries all of E[z·x]."""
    prog = Program()
    W, x = prog.matrix("W", std=1.2), prog.vector_gaussian("x")
    z = prog.matmul(W.T, prog.nonlin(nonlinearity, prog.matmul(W, x)))
    prog.moment(_prod, z, x, label="x*y")
    prog.moment(_sq, z, label="x^2")
    return prog


@pytest.mark.parametrize("nonlinearity", [_cube, np.tanh], ids=["cube", "tanh"])
def test_zdot_programs_pass(nonlinearity: Callable[[np.ndarray], np.ndarray]) -> None:
    result = check_master_theorem(_zdot_program(nonlinearity), BUDGET)
    assert result.agrees, str(result)


@pytest.mark.parametrize("nonlinearity", [_cube, np.tanh], ids=["cube", "tanh"])
def test_negative_control_zdot_dropped(nonlinearity: Callable[[np.ndarray], np.ndarray]) -> None:
    """Without Ż, θ̊ = E[z·x] is 0 instead of 3σ⁴ (cube) or σ²E tanh′ (tanh): the check must fail."""
    result = check_master_theorem(_zdot_program(nonlinearity), BUDGET, zdot=False)
    assert _agreement_fails(result), str(result)


def _moved(theta: float) -> float:
    return 1.1 * theta + 0.05


def test_negative_control_perturbed_limit() -> None:
    """θ̊ moved by 10% (+0.05) on the tanh program: the agreement check must fail."""
    result = check_master_theorem(_zdot_program(np.tanh), BUDGET, perturb=_moved)
    assert _agreement_fails(result), str(result)


def test_negative_control_perturbed_limits_of_random_programs() -> None:
    """The property itself, with every θ̊ moved the same way, must find a counterexample (at once:
    no shrinking, as in every finite-width check)."""

    @finite_settings()
    @given(tensor_programs())
    def moved(program: Program) -> None:
        result = check_master_theorem(program, BUDGET, perturb=_moved)
        assert not _agreement_fails(result), str(result)

    with pytest.raises(AssertionError, match="z = "):
        moved()
