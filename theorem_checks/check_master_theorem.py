"""Theorem 7.4 (Tensor Program Master Theorem) — Section 7 (Definition 7.1, Setup 7.2, Definition 7.3).

*In words:* run any Tensor Program — Gaussian n×n matrices, iid initial vectors, and vectors and
scalars made by MatMul (Wx, Wᵀx), coordinatewise Nonlin and Moment — at width n. As n → ∞ every
scalar θ converges almost surely to the deterministic θ̊ of Definition 7.3, computed from the Z
random variables (Z^{Wx} = Ẑ^{Wx} + Ż^{Wx}, Ẑ jointly Gaussian per matrix, Ż from the Wᵀ-products
through E ∂Z^x/∂Ẑ^{Wᵀy}, here in the Stein form of Remark F.2).

Check (hypothesis over :func:`tensor_programs`: 1–2 matrices, 1–3 initial vectors, MatMuls with and
without transposes, Nonlins x, x², x³, tanh, x + y, x·y and x + tanh(θ)·y, and Moments): every
Moment θ is run at the widths of the profile with S seeds (:mod:`impl.limits.program.finite`) and
θ̊ is Monte Carlo-evaluated (:mod:`impl.limits.program.zeval`). Two statements must hold:

1. *agreement* at the largest width N: |mean_s θ_N − θ̊| ≤ K·√(sd_N²/S + se(θ̊)²);
2. *convergence*: the RMS over seeds of θ_n − θ̊ shrinks like n^{-1/2} (the CLT rate, which these
   smooth programs have; the theorem itself only asserts convergence): the seed-jackknife interval
   of its fitted log-log slope must meet −1/2 ± δ — the ``inconsistent`` rule of
   :mod:`impl.measurement.decision`, at the suite's per-check α.

Negative controls: the Z-evaluator with Ż dropped (``zdot=False``) on programs where Wᵀ acts on a
nonlinear function of Wx, and a limit θ̊ deliberately perturbed (fixed program, and every Moment of
the random programs), must fail the check.

Calibration (dev budget, 292 random programs, 671 Moments, independent seeds): max |z| = 3.3 (so
K = 5 leaves room for the t-tails of 16 seeds and the O(1/n) bias of the finite mean); fitted
slopes −0.49 ± 0.09 (range −0.83 to −0.17), no rate interval outside −1/2 ± δ. The agreement test
resolves a change of θ̊ of about K·√(sd_N²/S + se²): 0.05 (7%) for E[Wᵀtanh(Wx)·x], 1.5 (25%) for
the heavy-tailed E[Wᵀ(Wx)³·x]. One example takes 1–3 s on one core (8 s on a loaded machine).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.limits.program import Program, Scalar, Vector, run_finite, z_evaluate
from impl.measurement import ExponentFit, fit_exponent
from theorem_checks.finite import ALPHA, MARGIN, PROFILE, finite_settings


@dataclass(frozen=True)
class Budget:
    """Widths, seeds per width and Monte Carlo particles of one profile."""

    widths: tuple[int, ...]
    seeds: int
    particles: int


BUDGETS = {
    "dev": Budget((64, 128, 256, 512, 1024), 16, 2**17),
    "ci": Budget((64, 128, 256, 512, 1024), 16, 2**17),
    "nightly": Budget((128, 256, 512, 1024, 2048), 24, 2**18),
}
BUDGET = BUDGETS.get(PROFILE, BUDGETS["dev"])
K = 5.0  # agreement threshold in standard errors (calibration: module docstring)
DELTA = MARGIN  # the rate −1/2 ± δ; judged like every finite-width exponent (impl.measurement.decision)


# --- the strategy -------------------------------------------------------------------------------

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


# --- the check ----------------------------------------------------------------------------------

class MomentCheck(NamedTuple):
    """One Moment: its limit and standard error, finite means and spreads per width, the agreement
    statistic z at the largest width, and the fitted rate with its seed-jackknife interval."""

    name: str
    limit: float
    limit_se: float
    means: np.ndarray
    sds: np.ndarray
    z: float
    slope: float
    slope_ci: tuple[float, float]

    def failures(self) -> list[str]:
        out = []
        if not abs(self.z) <= K:
            out.append(f"{self.name}: mean at n={BUDGET.widths[-1]} is {self.means[-1]:.5g}, limit "
                       f"{self.limit:.5g} ± {self.limit_se:.2g}: z = {self.z:.2f} (|z| > {K})")
        lo, hi = self.slope_ci
        if not (lo <= -0.5 + DELTA and hi >= -0.5 - DELTA):
            out.append(f"{self.name}: RMS deviation from the limit scales like n^{self.slope:.3f} "
                       f"(CI [{lo:.3f}, {hi:.3f}]), not n^(-1/2 ± {DELTA})")
        return out


def master_theorem_checks(program: Program, *, zdot: bool = True,
                          perturb: Callable[[float], float] | None = None, seed: int = 0) -> list[MomentCheck]:
    """Finite moments at every width against their Z-limits; ``zdot`` and ``perturb`` (applied to
    each θ̊) exist for the negative controls."""
    lim = z_evaluate(program, particles=BUDGET.particles, seed=seed, zdot=zdot)
    seeds = range(1000 * seed, 1000 * seed + BUDGET.seeds)
    runs = [run_finite(program, n, seeds) for n in BUDGET.widths]
    checks = []
    for m in program.moments():
        theta, se = lim.estimate(m)
        if perturb is not None:
            theta = perturb(theta)
        vals = np.stack([r[m] for r in runs])  # (W, S)
        means, sds = vals.mean(axis=1), vals.std(axis=1, ddof=1)
        z = (means[-1] - theta) / np.sqrt(sds[-1] ** 2 / BUDGET.seeds + se**2)
        fit = fit_exponent(BUDGET.widths, np.abs(vals - theta), alpha=ALPHA)
        slope, ci = (fit.slope, fit.ci) if isinstance(fit, ExponentFit) else (np.nan, (np.nan, np.nan))
        checks.append(MomentCheck(m.name, theta, se, means, sds, float(z), float(slope), ci))
    return checks


def assert_master_theorem(program: Program, **kwargs: object) -> None:
    """AssertionError listing every Moment that disagrees with Theorem 7.4."""
    bad = [msg for c in master_theorem_checks(program, **kwargs) for msg in c.failures()]  # type: ignore[arg-type]
    assert not bad, f"{program}\n" + "\n".join(bad)


# --- tests --------------------------------------------------------------------------------------

@finite_settings()
@given(tensor_programs())
def test_moments_converge_to_their_z_limits(program: Program) -> None:
    assert_master_theorem(program)


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
    assert_master_theorem(_zdot_program(nonlinearity))


@pytest.mark.parametrize("nonlinearity", [_cube, np.tanh], ids=["cube", "tanh"])
def test_negative_control_zdot_dropped(nonlinearity: Callable[[np.ndarray], np.ndarray]) -> None:
    """Without Ż, θ̊ = E[z·x] is 0 instead of 3σ⁴ (cube) or σ²E tanh′ (tanh): the check must fail."""
    with pytest.raises(AssertionError, match="z = "):
        assert_master_theorem(_zdot_program(nonlinearity), zdot=False)


def _moved(theta: float) -> float:
    return 1.1 * theta + 0.05


def test_negative_control_perturbed_limit() -> None:
    """θ̊ moved by 10% (+0.05) on the tanh program: the agreement check must fail."""
    with pytest.raises(AssertionError, match="z = "):
        assert_master_theorem(_zdot_program(np.tanh), perturb=_moved)


def test_negative_control_perturbed_limits_of_random_programs() -> None:
    """The property itself, with every θ̊ moved the same way, must find a counterexample (at once:
    no shrinking, as in every finite-width check)."""

    @finite_settings()
    @given(tensor_programs())
    def moved(program: Program) -> None:
        assert_master_theorem(program, perturb=_moved)

    with pytest.raises(AssertionError, match="z = "):
        moved()
