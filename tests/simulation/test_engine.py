"""Properties of :func:`impl.simulation.simulate`: seed batching, determinism, blow-ups, widths."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from impl.simulation import Routine, recorded_names, simulate, training_data
from impl.simulation.simulate import auto_chunk
from impl.simulation.draws import standard_normal, tensor_seed
from impl.theory import mup, ntp, sp
from tests.simulation.helpers import assert_recordings_identical

SMALL = Routine(input_dim=4, steps=3, batch=2, probes=6, bias=True)


@pytest.mark.parametrize(
    "config,threads,depth",
    [
        (SMALL, 1, 3),
        # the caller's two threads: simulate holds one itself, so the numbers are the one-thread run's; kept
        # small because on this VM a two-thread MKL call was seen to cost a fixed ~15 ms, whatever its size
        (Routine(input_dim=4, steps=2, batch=4, probes=40, decoupled=True, dtype="float32"), 2, 2),
    ],
)
def test_seed_columns_do_not_depend_on_the_batch_of_seeds(config: Routine, threads: int, depth: int) -> None:
    """Bitwise: simulate(seeds=[3, 7, 11]) column i == simulate(seeds=[sᵢ]); chunking changes nothing."""
    torch.set_num_threads(threads)  # restored by the conftest fixture
    width, seeds = 1024, [3, 7, 11][: 4 - threads]  # n·P > 32768, torch's grain size for splitting work
    together = simulate(mup(depth), config, width, seeds, seed_chunk=len(seeds))
    for s in seeds:
        assert_recordings_identical(together.select([s]), simulate(mup(depth), config, width, [s]))
    assert_recordings_identical(together, simulate(mup(depth), config, width, seeds, seed_chunk=2))
    assert_recordings_identical(together, simulate(mup(depth), config, width, seeds, seed_chunk=1))  # buffers reused
    assert_recordings_identical(together, simulate(mup(depth), config, width, seeds))  # auto_chunk


def test_wide_seeds_run_alone_and_narrow_ones_together() -> None:
    """auto_chunk: a chunk's n×n weights stay within CHUNK_SQUARE_BYTES (32 MiB), at least one seed."""
    f32, f64 = Routine(dtype="float32"), Routine(dtype="float64")
    assert auto_chunk(3, f32, 4096) == 1 and auto_chunk(3, f32, 2048) == 1 and auto_chunk(3, f32, 1024) == 4
    assert auto_chunk(3, f64, 1024) == 2 and auto_chunk(2, f64, 1024) == 4
    assert auto_chunk(3, Routine(decoupled=True), 1024) == 1 and auto_chunk(3, f32, 64) == 1024
    assert auto_chunk(1, f64, 10**6) >= 10**6  # no n×n weight: every seed at once


RANDOM_CONFIGS = st.builds(
    Routine,
    phi=st.sampled_from(["tanh", "sigma_gelu", "gelu", "erf", "relu"]),
    input_dim=st.integers(1, 17),
    output_dim=st.integers(1, 3),
    steps=st.just(2),
    batch=st.integers(1, 9),
    probes=st.integers(1, 40),
    loss=st.sampled_from(["mse", "logistic"]),
    bias=st.booleans(),
    decoupled=st.booleans(),
    dtype=st.sampled_from(["float32", "float64"]),
)


@settings(max_examples=12, deadline=None)
@given(
    RANDOM_CONFIGS,
    st.integers(1, 3),
    st.sampled_from([7, 37, 129, 301]),
    st.lists(st.integers(0, 99), min_size=2, max_size=4, unique=True),
)
def test_seed_batching_invariance_on_random_shapes(config: Routine, depth: int, width: int, seeds: list[int]) -> None:
    """Odd sizes hit vector tails and unaligned slices, where naive batching changed the last bits."""
    depth = max(depth, 2) if config.decoupled else depth
    together = simulate(ntp(depth), config, width, seeds)
    for s in seeds:
        assert_recordings_identical(together.select([s]), simulate(ntp(depth), config, width, [s]))


def test_determinism_and_seed_sensitivity() -> None:
    a, b = simulate(ntp(2), SMALL, 64, [0, 1]), simulate(ntp(2), SMALL, 64, [0, 1])
    assert_recordings_identical(a, b)
    assert a.values["f0"][0, 0] != a.values["f0"][0, 1]


def test_recording_layout() -> None:
    rec = simulate(mup(2), SMALL, 32, [5, 2])
    assert rec.width == 32 and rec.seeds == (5, 2) and rec.steps == 3
    assert tuple(rec.values) == recorded_names(2)
    assert all(v.shape == (4, 2) and v.dtype == np.float64 for v in rec.values.values())
    assert rec.outputs.shape == (4, 2, SMALL.probes, SMALL.output_dim)
    assert rec.blowup_step.dtype == np.int64 and list(rec.blowup_step) == [-1, -1]
    for name in ("delta_h1", "delta_x2", "delta_kernel2", "delta_W1_x", "delta_f", "Wout0_delta_x"):
        assert rec.values[name][0].tolist() == [0.0, 0.0] and np.all(rec.values[name][1:] > 0), name
    assert np.all(rec.values["f0"] == rec.values["f0"][0])
    np.testing.assert_allclose(rec.values["f"][0], rec.values["f0"][0])
    rms_f = np.sqrt(np.mean(rec.outputs**2, axis=(2, 3)))
    np.testing.assert_allclose(rec.values["f"], rms_f, rtol=1e-12)


def test_zero_steps_and_zero_learning_rate() -> None:
    rec = simulate(mup(2), Routine(steps=0, probes=3), 16, [0])
    assert rec.values["h1"].shape == (1, 1) and np.isnan(rec.values["loss"][0, 0]) and rec.blowup_step[0] == -1
    frozen = simulate(mup(2), Routine(steps=3, lr=0.0, probes=3), 16, [0])
    for name in ("delta_h2", "delta_W2_x", "delta_f", "delta_kernel1"):
        assert np.all(frozen.values[name] == 0), name
    assert np.all(frozen.values["loss"] > 0)


def test_draws_are_keyed_by_seed_width_role_layer() -> None:
    assert tensor_seed(3, 64, "weight", 2) == tensor_seed(3, 64, "weight", 2)
    keys = {tensor_seed(s, n, r, l) for s in (0, 1) for n in (64, 128) for r in ("weight", "backward") for l in (1, 2)}
    assert len(keys) == 16
    z = standard_normal((400, 400), 0, 400, "weight", 2)
    assert abs(float(z.mean())) < 0.01 and abs(float(z.std()) - 1) < 0.01
    with pytest.raises(ValueError):
        tensor_seed(-1, 64, "weight", 1)


def test_training_data_is_width_and_seed_free() -> None:
    """The data is a function of the config: the same routine at every width (Section 3)."""
    d1, d2 = training_data(SMALL), training_data(SMALL)
    assert np.array_equal(d1.inputs, d2.inputs) and np.array_equal(d1.probes, d2.probes)
    longer = training_data(Routine(input_dim=4, steps=5, batch=2, probes=6, bias=True))
    assert np.array_equal(longer.inputs[:3], d1.inputs)
    a = simulate(mup(1), SMALL, 32, [0])
    b = simulate(mup(1), SMALL, 64, [0], data=d1)
    assert a.values["loss"].shape == b.values["loss"].shape


@pytest.mark.parametrize("dtype,lr,steps,width", [("float32", 1e3, 12, 512), ("float64", 1e4, 40, 2048)])
def test_blow_up_is_recorded_not_raised(dtype: str, lr: float, steps: int, width: int) -> None:
    """SP with c = 0 (Thm 4.1: unstable) and a huge η overflows; the run reports where, then NaN."""
    config = Routine(steps=steps, lr=lr, probes=8, dtype=dtype)
    rec = simulate(sp(2), config, width, [0, 1])
    assert np.all((rec.blowup_step >= 1) & (rec.blowup_step <= steps))
    for i, b in enumerate(rec.blowup_step):
        before = np.stack([v[:b, i] for v in rec.values.values()])
        assert np.all(np.isfinite(before))
        at = np.array([v[b, i] for v in rec.values.values()])
        assert not np.all(np.isfinite(at))
        assert all(np.all(np.isnan(v[b + 1 :, i])) for v in rec.values.values())
        assert np.all(np.isnan(rec.outputs[b + 1 :, i]))
    assert rec.values["f"][1, 0] > 10 * rec.values["f"][0, 0]  # it grew before overflowing


def _size_ratio(p, name: str, small: int = 256, large: int = 2048) -> np.ndarray:
    """RMS over 16 seeds of ``name`` at t = 1..3, width ``large`` over width ``small``.

    16 seeds, not fewer: in NTP each seed's first update is proportional to its own random
    χ₀ = f₀(ξ₀) − y₀ (f₀ is a Θ(1) Gaussian process there), so an RMS over 4 seeds is noisy.
    """
    config = Routine(phi="tanh", steps=3, probes=32)
    sizes = [np.sqrt(np.mean(simulate(p, config, n, range(16)).values[name][1:] ** 2, axis=1)) for n in (small, large)]
    return sizes[1] / sizes[0]


def test_feature_learning_in_mup_and_not_in_ntp() -> None:
    """docs/theory.md §3: Δx^L ~ n^{−r}; µP has r = 0 (Θ(1)), NTP r = ½ (shrinks like (2048/256)^{−½} ≈ 0.35)."""
    mu = _size_ratio(mup(2), "delta_x2")
    assert np.all((mu > 0.77) & (mu < 1.3)), mu
    nt = _size_ratio(ntp(2), "delta_x2")
    assert np.all((nt > 0.25) & (nt < 0.5)), nt
