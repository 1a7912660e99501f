"""Small routine helpers shared by the limits tests (not a test module: pytest collects ``test_*.py`` only)."""

from __future__ import annotations

from typing import Any

import numpy as np

from impl.limits.routine import limit_data
from impl.simulation import Routine, TrainingData


def pm1(steps: int, data_seed: int, *, lr: float = 1.0, input_dim: int = 1, **fields: Any) -> Routine:
    """Figure 4's data (Section 9.1): ξₜ ∈ {±1}^d and yₜ ∈ {±1} uniformly at random (MSE), probes the
    all-ones vector and its negative — ``Routine(inputs="signs", probes=2, label=1.0, …)``."""
    return Routine(inputs="signs", probes=2, label=1.0, steps=steps, data_seed=data_seed, lr=lr, input_dim=input_dim,
                   **fields)


def arrays(routine: Routine, data: TrainingData | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The batch-1 data of ``routine`` as plain arrays: xs (T, d), ys (T, d_o), probes (P, d)."""
    d = limit_data(routine, data)
    return d.inputs[:, 0], d.labels[:, 0], d.probes
