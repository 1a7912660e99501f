"""Activations (Definition H.1 and the rest), configuration validation and data defaults."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from impl.simulation import ACTIVATIONS, Activation, Routine, get_activation, sigma_gelu, simulate, training_data
from impl.simulation.data import TrainingData
from impl.theory import mup


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_autograd(name: str) -> None:
    act = get_activation(name)
    x = torch.linspace(-4, 4, 801, dtype=torch.float64).requires_grad_(True)
    (grad,) = torch.autograd.grad(act.fn(x).sum(), x)
    mask = x.detach() != 0  # relu's kink
    torch.testing.assert_close(act.derivative(x.detach())[mask], grad[mask], rtol=1e-12, atol=1e-12)


def test_sigma_gelu_is_definition_h1() -> None:
    """x ↦ ½x·erf(x/σ) + σe^{−x²/σ²}/(2√π) + x/2, tending to relu as σ → 0."""
    xs = np.linspace(-3, 3, 61)
    for sigma in (0.05, 0.5, 2.0):
        want = [0.5 * x * math.erf(x / sigma) + sigma * math.exp(-(x * x) / sigma**2) / (2 * math.sqrt(math.pi)) + x / 2 for x in xs]
        got = sigma_gelu(sigma).fn(torch.from_numpy(xs)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(sigma_gelu(1e-3).fn(torch.from_numpy(xs)).numpy(), np.maximum(xs, 0), atol=1e-3)
    assert get_activation("sigma-gelu:0.3").name == "sigma_gelu:0.3"
    assert get_activation("sigma_gelu") is ACTIVATIONS["sigma_gelu"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"phi": "softsign"},
        {"phi": "sigma_gelu:-1"},
        {"input_dim": 0},
        {"output_dim": 1.5},
        {"steps": -1},
        {"lr": float("nan")},
        {"lr": -1.0},
        {"lr": True},
        {"batch": 0},
        {"probes": 0},
        {"loss": "hinge"},
        {"bias": 1},
        {"dtype": "float16"},
        {"device": "tpu"},
        {"device": "not a device"},
        {"data_seed": -3},
    ],
)
def test_bad_config_raises_value_error(kwargs: dict) -> None:
    with pytest.raises(ValueError) as err:
        Routine(**kwargs)
    assert "\n" not in str(err.value)


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA present: 'cuda' is then accepted")
def test_cuda_is_refused_only_when_absent() -> None:
    with pytest.raises(ValueError, match="CUDA is not available"):
        Routine(device="cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_runs_match_cpu() -> None:
    cfg = dict(input_dim=4, steps=3, batch=2, probes=5, bias=True, decoupled=True)
    cpu = simulate(mup(3), Routine(**cfg), 256, [0, 1])
    gpu = simulate(mup(3), Routine(device="cuda", **cfg), 256, [0, 1])  # same draws: made on the CPU
    for k in cpu.values:
        np.testing.assert_allclose(gpu.values[k], cpu.values[k], rtol=1e-9, atol=1e-12, err_msg=k)


@pytest.mark.parametrize(
    "call",
    [
        lambda: simulate(mup(2), Routine(), 0, [0]),
        lambda: simulate(mup(2), Routine(), 16, []),
        lambda: simulate(mup(2), Routine(), 16, [-1]),
        lambda: simulate(mup(2), Routine(), 16, [0], seed_chunk=0),
        lambda: simulate(mup(1), Routine(decoupled=True), 16, [0]),
        lambda: simulate("mup", Routine(), 16, [0]),  # type: ignore[arg-type]
        lambda: simulate(mup(2), Routine(steps=2), 16, [0], data=training_data(Routine(steps=3))),
    ],
)
def test_bad_simulate_arguments_raise_value_error(call) -> None:  # noqa: ANN001
    with pytest.raises(ValueError):
        call()


def test_default_data_distribution() -> None:
    """ξ = (u + z)/√2, ‖ξ‖² ≈ 1, pairwise cosine ≈ ½; labels N(0, 1) for mse and ±1 for logistic."""
    data = training_data(Routine(input_dim=50, steps=40, batch=10, probes=200))
    assert np.mean(np.sum(data.probes**2, axis=1)) == pytest.approx(1.0, abs=0.05)
    unit = data.probes / np.linalg.norm(data.probes, axis=1, keepdims=True)
    cosines = (unit @ unit.T)[np.triu_indices(200, k=1)]
    assert np.mean(cosines) == pytest.approx(0.5, abs=0.05)
    assert np.std(data.labels) == pytest.approx(1.0, abs=0.1)
    logistic = training_data(Routine(steps=20, batch=5, loss="logistic"))
    assert set(np.unique(logistic.labels)) == {-1.0, 1.0}


def test_user_data_is_used_and_checked() -> None:
    """Figure 4-style data: ξ ∈ {±1} with d = 1 (Section 9.1)."""
    config = Routine(input_dim=1, steps=2, probes=2, loss="logistic")
    data = TrainingData(np.array([[[1.0]], [[-1.0]]]), np.array([[[1.0]], [[-1.0]]]), np.array([[1.0], [-1.0]]))
    rec = simulate(mup(1), config, 64, [0], data=data)
    assert rec.values["loss"][0, 0] == pytest.approx(np.log1p(np.exp(-rec.outputs[0, 0, 0, 0])), rel=1e-10)
    with pytest.raises(ValueError, match="logistic"):
        TrainingData(data.inputs, data.labels * 0.5, data.probes).check(config)


def test_activation_needs_callables() -> None:
    with pytest.raises(ValueError):
        Activation("broken", torch.tanh, None)  # type: ignore[arg-type]
