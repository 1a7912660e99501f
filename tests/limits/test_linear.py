"""The linear µP network and its limit (impl.limits.linear): Cor 6.2 = Thm D.1 = Algorithm 3 = Thm 6.1 with
φ = id, the exact Gram-matrix reduction of finite networks, and convergence at rate n^{-1/2}."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
from scipy import stats

from impl.limits.linear import (
    cor62_coefficients,
    linear_coefficients,
    linear_finite_reduced,
    linear_from_init,
    linear_limit,
)
from impl.limits.one_hidden import mlp1_limit
from impl.limits.routine import finite_outputs, loss_derivative, routine_from_arrays
from impl.measurement.fit import ExponentFit, fit_exponent
from impl.simulation import Routine, TrainingData
from impl.simulation.draws import standard_normal
from impl.theory import mup
from tests.limits.routines import arrays, pm1

Case = tuple[Routine, TrainingData | None]
"""A routine (φ = id) and its explicit data (None: the routine's own)."""



def _rng(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 62])))


def vector_routine(loss: str = "mse", seed: int = 0) -> Case:
    """d = 3, d_o = 2, T = 8, five probes; Gaussian inputs (labels ±1 for the logistic loss)."""
    rng = _rng(seed)
    ys = rng.choice([-1.0, 1.0], size=(8, 2)) if loss == "logistic" else rng.normal(size=(8, 2))
    return routine_from_arrays(rng.normal(size=(8, 3)) / np.sqrt(3), ys, rng.normal(size=(5, 3)), lr=0.3, loss=loss,
                               phi="identity")


SCALAR: list[Case] = [(pm1(10, s, lr=e, phi="identity"), None) for s, e in ((0, 0.5), (1, 0.5), (2, 0.25))]


def _cor62_sequential(routine: Routine, steps: int) -> np.ndarray:
    """A wrong Cor 6.2: (C, D) updated with the *new* (A, B). f̊ₜ on the probes for t ≤ ``steps``, (steps+1, P)."""
    xs, ys, probes = arrays(routine)
    A, B, C, D, out = 1.0, 0.0, 0.0, 1.0, []
    for t in range(steps + 1):
        out.append((A * C + B * D) * probes[:, 0])
        if t == steps:
            break
        xi = xs[t, 0]
        g = routine.lr * loss_derivative(routine.loss, np.array([(A * C + B * D) * xi]), ys[t])[0] * xi
        A, B = A - g * C, B - g * D
        C, D = C - g * A, D - g * B
    return np.array(out)


@pytest.mark.parametrize("case", SCALAR)
def test_cor62_equals_thm_d1_and_algorithm_3(case: Case) -> None:
    routine, _ = case
    cor, thm = cor62_coefficients(routine), linear_coefficients(routine)
    for a, b in ((cor.A, thm.A), (cor.B, thm.B), (cor.C, thm.C), (cor.D, thm.D), (cor.chi, thm.chi)):
        np.testing.assert_allclose(a, b.reshape(a.shape), rtol=0, atol=1e-14)
    alg3 = linear_limit(routine)
    np.testing.assert_allclose(cor.outputs(arrays(routine)[2]), alg3.outputs[..., 0], rtol=0, atol=1e-13)
    np.testing.assert_allclose(alg3.chi, thm.chi, rtol=0, atol=1e-13)
    wrong = _cor62_sequential(routine, 3)
    assert np.max(np.abs(wrong - alg3.outputs[:4, :, 0])) > 1e-2  # control (3 steps: it diverges later)


@pytest.mark.parametrize("loss", ["mse", "logistic"])
def test_thm_d1_equals_algorithm_3_for_vector_inputs_and_outputs(loss: str) -> None:
    routine, data = vector_routine(loss)
    thm, alg3 = linear_coefficients(routine, data=data), linear_limit(routine, data=data)
    assert thm.A.shape == (9, 2, 2) and thm.B.shape == (9, 2, 3) and thm.C.shape == (9, 2, 3) and thm.D.shape == (9, 3, 3)
    assert alg3.outputs.shape == (9, 5, 2) and alg3.dim == 5
    np.testing.assert_allclose(thm.outputs(arrays(routine, data)[2]), alg3.outputs, rtol=0, atol=1e-13)
    assert np.max(np.abs(alg3.outputs)) > 0.1  # the comparison is not between zeros


def test_linear_functions_need_the_identity() -> None:
    routine, data = vector_routine()
    for fn in (linear_limit, linear_coefficients):
        with pytest.raises(ValueError, match="needs phi = identity, got a routine with phi 'tanh'"):
            fn(replace(routine, phi="tanh"), data=data)
    with pytest.raises(ValueError, match="needs phi = identity"):
        cor62_coefficients(replace(SCALAR[0][0], phi="relu"))


@pytest.mark.parametrize("case", SCALAR[:2] + [vector_routine("mse"), vector_routine("logistic")])
def test_linear_limit_is_theorem_6_1_with_identity(case: Case) -> None:
    """Gauss–Hermite with 2 nodes per dimension is exact for φ = id (the integrands are quadratic)."""
    routine, data = case
    grid = mlp1_limit(routine, data=data)
    assert grid.exact and grid.method == "gauss-hermite"
    np.testing.assert_allclose(grid.outputs, linear_limit(routine, data=data).outputs, rtol=0, atol=1e-10)  # 3e-15
    off = replace(routine, lr=routine.lr * 1.05)
    assert np.max(np.abs(linear_limit(off, data=data).outputs - grid.outputs)) > 1e-4  # control


def _engine_init(routine: Routine, width: int, seeds: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The engine's µP(1) initial U₀ = z (n, d) and V₀ = z/n (d_o, n) for these seeds."""
    U = [standard_normal((width, routine.input_dim), s, width, "weight", 1).numpy() for s in seeds]
    V = [standard_normal((routine.output_dim, width), s, width, "readout", 0).numpy() / width for s in seeds]
    return np.stack(U), np.stack(V)


def _autograd_network(routine: Routine, data: TrainingData | None, U0: np.ndarray, V0: np.ndarray) -> np.ndarray:
    """Eq. (16) with φ = id written plainly: parameters u = U/√n, v = √n·V, torch SGD with lr η."""
    xs, ys, probe_array = arrays(routine, data)
    n = U0.shape[0]
    u = torch.nn.Parameter(torch.from_numpy(U0 / np.sqrt(n)))
    v = torch.nn.Parameter(torch.from_numpy(V0 * np.sqrt(n)))
    opt = torch.optim.SGD([u, v], lr=routine.lr)
    probes = torch.from_numpy(probe_array)
    out = []
    for t in range(routine.steps + 1):
        with torch.no_grad():
            out.append(((v / np.sqrt(n)) @ (np.sqrt(n) * u) @ probes.T).T.numpy().copy())
        if t == routine.steps:
            break
        f = (v / np.sqrt(n)) @ (np.sqrt(n) * u) @ torch.from_numpy(xs[t])
        y = torch.from_numpy(ys[t])
        loss = 0.5 * ((f - y) ** 2).sum() if routine.loss == "mse" else torch.nn.functional.softplus(-y * f).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return np.array(out)


@pytest.mark.parametrize("case", [SCALAR[0], vector_routine("mse"), vector_routine("logistic")])
def test_gram_reduction_is_exact_for_a_finite_network(case: Case) -> None:
    routine, data = case
    width, seeds = 512, [3, 4]
    U0, V0 = _engine_init(routine, width, seeds)
    reduced = linear_from_init(routine, U0, V0, data=data)
    engine = finite_outputs(mup(1), routine, width, seeds, data=data)
    assert reduced.shape == engine.shape == (routine.steps + 1, 2, routine.probes, routine.output_dim)
    np.testing.assert_allclose(reduced, engine, rtol=0, atol=1e-12)  # measured 5e-15
    single = linear_from_init(routine, U0[0], V0[0], data=data)
    np.testing.assert_allclose(single, _autograd_network(routine, data, U0[0], V0[0]), rtol=0, atol=1e-12)
    other = linear_from_init(routine, U0[0], V0[1], data=data)  # control: another seed's readout
    assert np.max(np.abs(other - single)) > 1e-3


def test_bad_arguments_raise() -> None:
    vector, data = vector_routine()
    with pytest.raises(ValueError, match="d = d_o = 1"):
        cor62_coefficients(vector, data=data)
    with pytest.raises(ValueError, match="U0 must be"):
        linear_from_init(SCALAR[0][0], np.zeros((8, 2)), np.zeros((1, 8)))
    with pytest.raises(ValueError, match="width"):
        linear_finite_reduced(vector, 4, [0], data=data)
    with pytest.raises(ValueError, match="seeds"):
        linear_finite_reduced(SCALAR[0][0], 64, [])


def test_gram_reduced_networks_have_the_engines_law() -> None:
    """Two-sample KS on fₜ(ξ = 1), 1600 engine networks vs 1600 Wishart-reduced ones, width 32; the control
    (width 8) must be rejected at p < 1e-4 at every step. With 400 networks each the control's power
    depended on the data (rejected at t = 10 for 16 of 20 data seeds), so the samples are 4× larger: a true
    null still gives a uniform p-value, and the control's D-statistic is resolved 2× finer. Measured
    p-values 0.11, 0.55, 0.30 at t = 1, 5, 10; the control gives p ≤ 1e-12."""
    routine = SCALAR[1][0]
    engine = finite_outputs(mup(1), routine, 32, range(1600))[:, :, 0, 0]
    same = linear_finite_reduced(routine, 32, list(range(10_000, 11_600)))[:, :, 0, 0]
    narrow = linear_finite_reduced(routine, 8, list(range(10_000, 11_600)))[:, :, 0, 0]
    for t in (1, 5, 10):
        assert stats.ks_2samp(engine[t], same[t]).pvalue > 0.01
        assert stats.ks_2samp(engine[t], narrow[t]).pvalue < 1e-4


def _fit(routine: Routine, limit: np.ndarray, widths: list[int], seeds: list[int]) -> ExponentFit:
    dev = [np.sqrt(np.mean((linear_finite_reduced(routine, n, seeds) - limit[:, None]) ** 2, axis=(0, 2, 3)))
           for n in widths]
    fit = fit_exponent(widths, np.array(dev))
    assert isinstance(fit, ExponentFit)
    return fit


def test_finite_linear_networks_converge_at_rate_one_half() -> None:
    """Widths 2⁶..2¹⁶ cost nothing in the reduced form. Over 5 batches of 64 seeds the slope was
    −0.498 (sd 0.012), so the band is ±0.05 (4 sd); with η off by 5% it was −0.134 (sd 0.005)."""
    routine, widths, seeds = SCALAR[1][0], [2**k for k in range(6, 17)], list(range(64))
    assert abs(_fit(routine, linear_limit(routine).outputs, widths, seeds).slope + 0.5) <= 0.05
    off = replace(routine, lr=0.525)  # same data, η 5% too large
    bad = _fit(routine, linear_limit(off).outputs, widths, seeds)
    assert abs(bad.slope + 0.5) > 0.05 and bad.rms[-1] > 0.01, bad  # plateaus at 0.029
