"""The reductions of :mod:`impl.simulation.recording` against plain numpy."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from impl.simulation import Routine, concat_recordings, simulate
from impl.simulation.recording import Recorder, Snapshot, rms
from impl.theory import mup


def test_rms_matches_numpy_and_survives_huge_values() -> None:
    v = np.random.default_rng(0).standard_normal((3, 50, 7))
    np.testing.assert_allclose(rms(torch.from_numpy(v)).numpy(), np.sqrt((v**2).mean(axis=(1, 2))), rtol=1e-13)
    huge = torch.full((1, 10, 2), 1e200, dtype=torch.float64)
    assert float(rms(huge)[0]) == pytest.approx(1e200, rel=1e-12)  # naive v² would overflow
    odd = torch.tensor([[0.0, 0.0], [1.0, float("inf")], [1.0, float("nan")]], dtype=torch.float64)
    out = rms(odd)
    assert out[0] == 0 and torch.isinf(out[1]) and torch.isnan(out[2])


def _snapshot(rng: np.random.Generator, S: int, n: int, P: int, loss: float) -> Snapshot:
    t = lambda *shape: torch.from_numpy(rng.standard_normal(shape))  # noqa: E731
    return Snapshot((t(S, n, P),), (t(S, n, P),), (t(S, n, P),), t(S, 2, P), t(S, 2, P), torch.full((S,), loss))


def test_recorder_definitions() -> None:
    """Each quantity by its definition (docs/theory.md §3), on random tensors, one hidden layer."""
    rng = np.random.default_rng(1)
    S, n, P = 2, 30, 4
    readout0 = torch.from_numpy(rng.standard_normal((S, 2, n)))
    rec = Recorder(n, (0, 1), 1, 1, readout0)
    s0, s1 = _snapshot(rng, S, n, P, 1.0), _snapshot(rng, S, n, P, 2.0)
    rec.record(0, s0)
    rec.record(1, s1)
    out = rec.finish()
    x0, x1 = s0.x[0].numpy(), s1.x[0].numpy()
    for i in range(S):
        dk = (x1[i].T @ x1[i] - x0[i].T @ x0[i]) / n
        assert out.values["delta_kernel1"][1, i] == pytest.approx(np.sqrt((dk**2).mean()), rel=1e-12)
        wdx = readout0[i].numpy() @ (x1[i] - x0[i])
        assert out.values["Wout0_delta_x"][1, i] == pytest.approx(np.sqrt((wdx**2).mean()), rel=1e-12)
        dh = s1.h[0][i].numpy() - s0.h[0][i].numpy()
        assert out.values["delta_h1"][1, i] == pytest.approx(np.sqrt((dh**2).mean()), rel=1e-12)
        assert out.values["f0"][1, i] == pytest.approx(np.sqrt((s0.f[i].numpy() ** 2).mean()), rel=1e-12)
    assert out.values["loss"][:, 0].tolist() == [1.0, 2.0]
    np.testing.assert_array_equal(out.outputs[1], s1.f.numpy().transpose(0, 2, 1))


def test_blow_up_bookkeeping() -> None:
    """First non-finite step is kept (inf stays inf), later steps become NaN, other seeds untouched."""
    rng = np.random.default_rng(2)
    rec = Recorder(5, (0, 1), 3, 1, torch.zeros(2, 2, 5, dtype=torch.float64))
    for t in range(4):
        snap = _snapshot(rng, 2, 5, 3, 1.0)
        if t == 2:
            snap.f[0, 0, 0] = float("inf")
        rec.record(t, snap)
    out = rec.finish()
    assert out.blowup_step.tolist() == [2, -1]
    assert np.isinf(out.values["f"][2, 0]) and np.isfinite(out.values["h1"][2, 0])
    assert np.isnan(out.values["h1"][3, 0]) and np.isfinite(out.values["h1"][3, 1])


def test_select_and_concat_round_trip() -> None:
    config = Routine(input_dim=3, steps=2, probes=4)
    rec = simulate(mup(2), config, 16, [4, 8, 15])
    again = concat_recordings([rec.select([4]), rec.select([8, 15])])
    assert again.seeds == rec.seeds
    for k in rec.values:
        assert np.array_equal(again.values[k], rec.values[k])
    with pytest.raises(ValueError):
        concat_recordings([rec, simulate(mup(2), config, 32, [1])])
