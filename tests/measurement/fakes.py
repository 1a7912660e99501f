"""A fake simulation layer with the ``impl.simulation`` contract, for the measurement tests.

``fake_simulate`` returns synthetic power laws with known exponents: the theory's prediction for
stable parametrizations (``predicted_exponents`` at each step, so the one-step lag is built in;
−1 where no value is predicted, as measured for NTP's feature-kernel change),
``FakeConfig.growth`` for updates of unstable ones, a relative finite-width correction
(1 + D n^{-1/2}) and multiplicative seed noise. Each (seed, width, step, quantity) draws from its
own generator, so per-seed results do not depend on how seeds are chunked. ``f0`` (the output at
initialisation) is recorded with the same value at every step. A blow-up (``blowup_width``) makes
every other quantity +inf from step 1 on at widths ≥ ``blowup_width`` and sets ``blowup_step`` = 1. Everything here is
module-level, hence picklable for process pools and dask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from impl.measurement.analysis import is_update_quantity
from impl.theory import Parametrization, classify, predicted_exponents, quantity_names


@dataclass(frozen=True)
class FakeConfig:
    """Knobs of the fake (plus ``steps``, as in ``impl.simulation.Routine``)."""

    steps: int = 3
    noise_sd: float = 0.02
    bias_d: float = 0.0
    growth: float = 0.5
    blowup_width: int | None = None


@dataclass(frozen=True)
class FakeRecording:
    width: int
    seeds: tuple[int, ...]
    steps: int
    values: dict[str, np.ndarray]
    blowup_step: np.ndarray


def fake_exponent(p: Parametrization, config: FakeConfig, name: str, step: int) -> float | None:
    """The exponent the fake uses for ``name`` after ``step`` steps (None: exactly zero)."""
    if step == 0 and is_update_quantity(name):
        return None
    pred = predicted_exponents(p, step=step if step >= 1 else None)[name]
    if pred is not None:
        return float(pred)
    if classify(p).stable:  # no value predicted (kernel-regime feature-kernel change): measured ≈ n^-1
        return -1.0
    return config.growth if is_update_quantity(name) else 0.0


def fake_simulate(p: Parametrization, config: FakeConfig, width: int, seeds: Sequence[int]) -> FakeRecording:
    """Synthetic recording of ``p`` at ``width`` for ``seeds``; see the module docstring."""
    seeds = tuple(int(s) for s in seeds)
    names = quantity_names(p.depth)
    blows = config.blowup_width is not None and width >= config.blowup_width
    values = {}
    for idx, name in enumerate(names):
        arr = np.zeros((config.steps + 1, len(seeds)))
        for t in range(config.steps + 1):
            e = fake_exponent(p, config, name, t)
            if e is None:
                continue
            frozen = name == "f0"  # the output at initialisation: the same at every step, never blown up
            if blows and t >= 1 and not frozen:
                arr[t] = np.inf
                continue
            key_t = 0 if frozen else t
            eps = np.array([np.random.default_rng([s, width, key_t, idx]).standard_normal() for s in seeds])
            arr[t] = width**e * (1 + config.bias_d / np.sqrt(width)) * np.exp(config.noise_sd * eps)
        values[name] = arr
    blowup = np.full(len(seeds), 1 if blows else -1, dtype=np.int64)
    return FakeRecording(width, seeds, config.steps, values, blowup)


class CountingSimulate:
    """Wraps :func:`fake_simulate` and logs every call's (width, seeds) (in-process use only)."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, tuple[int, ...]]] = []

    def __call__(self, p: Parametrization, config: FakeConfig, width: int, seeds: Sequence[int]) -> FakeRecording:
        self.calls.append((int(width), tuple(int(s) for s in seeds)))
        return fake_simulate(p, config, width, seeds)


class FailingSimulate:
    """Like :func:`fake_simulate` but raises on every job at ``fail_width`` (an interruption)."""

    def __init__(self, fail_width: int) -> None:
        self.fail_width = fail_width

    def __call__(self, p: Parametrization, config: FakeConfig, width: int, seeds: Sequence[int]) -> FakeRecording:
        if width == self.fail_width:
            raise RuntimeError(f"simulated crash at width {width}")
        return fake_simulate(p, config, width, seeds)


def wrong_shape_simulate(p: Parametrization, config: FakeConfig, width: int, seeds: Sequence[int]) -> FakeRecording:
    """A buggy simulator: drops the last step of every quantity."""
    rec = fake_simulate(p, config, width, seeds)
    return FakeRecording(rec.width, rec.seeds, rec.steps, {k: v[:-1] for k, v in rec.values.items()}, rec.blowup_step)
