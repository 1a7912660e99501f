"""Shared assertions for the simulation tests."""

from __future__ import annotations

import re

import numpy as np

from impl.simulation import Recording


def base_scale(name: str, rec: Recording) -> float:
    """The size of what quantity ``name`` is a change of (e.g. ``delta_x2`` → max ``x2``; a kernel
    change → max ``x``²). Differences of nearly equal numbers carry absolute rounding error of
    order ε·(this scale), in the engine and the reference alike."""
    m = re.fullmatch(r"delta_(?:h|x|kernel|W)(\d+)(?:_x)?", name)
    if m:
        layer = m.group(1)
        base = f"h{layer}" if name.startswith(("delta_h", "delta_W")) else f"x{layer}"
        scale = float(np.nanmax(rec.values[base]))
        return scale**2 if name.startswith("delta_kernel") else scale
    if name in ("delta_f", "delta_Wout_x", "Wout0_delta_x"):
        return float(max(np.nanmax(rec.values["f"]), np.nanmax(rec.values["Wout0_delta_x"])))
    return 0.0


def assert_recordings_close(got: Recording, want: Recording, rtol: float, atol: float = 1e-14) -> None:
    """Every recorded quantity, the probe outputs and the blow-up steps agree (NaN == NaN).

    A quantity passes when |got − want| ≤ rtol·|want| + atol·(1 + :func:`base_scale`).
    """
    assert got.seeds == want.seeds and got.width == want.width and got.steps == want.steps
    assert got.values.keys() == want.values.keys()
    np.testing.assert_array_equal(got.blowup_step, want.blowup_step)
    for name in want.values:
        tol = atol * (1.0 + base_scale(name, want))
        np.testing.assert_allclose(got.values[name], want.values[name], rtol=rtol, atol=tol, err_msg=name)
    out_scale = float(np.nanmax(np.abs(want.outputs))) if np.isfinite(want.outputs).any() else 0.0
    np.testing.assert_allclose(got.outputs, want.outputs, rtol=rtol, atol=atol * (1.0 + out_scale), err_msg="outputs")


def assert_recordings_identical(got: Recording, want: Recording) -> None:
    """Bitwise equality of every array (NaN positions included)."""
    assert got.seeds == want.seeds and got.values.keys() == want.values.keys()
    np.testing.assert_array_equal(got.blowup_step, want.blowup_step)
    for name in want.values:
        assert np.array_equal(got.values[name], want.values[name], equal_nan=True), name
    assert np.array_equal(got.outputs, want.outputs, equal_nan=True)
