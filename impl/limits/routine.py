"""The training routine that a limit and its finite networks share (paper Section 6, batch size 1).

A :class:`LimitRoutine` is width-independent data: T training pairs (ξₜ, yₜ), one per SGD step,
P probe inputs on which f̊ₜ is reported, the learning rate η and the loss. Every limit evaluator in
:mod:`impl.limits` takes one and returns the trajectory ``limit[t, p, k]`` = f̊ₜ(probe p)_k for
t = 0..T, shape (T+1, P, d_o); :func:`finite_outputs` returns the finite-width counterpart from the
engine of :mod:`impl.simulation`, so the two sides are always compared on the same routine.

χₜ = L′(fₜ(ξₜ), yₜ) is the loss derivative in the first argument: f − y for ``"mse"`` (loss
½(f − y)²) and −y·σ(−yf) for ``"logistic"`` (loss log(1 + e^{−yf}), y ∈ {±1}).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from impl.simulation import TrainConfig, TrainingData, simulate
from impl.theory import Parametrization

__all__ = ["LimitRoutine", "loss_derivative", "pm1_routine", "load_routine", "finite_outputs"]

LOSSES = ("mse", "logistic")


def loss_derivative(loss: str, f: np.ndarray, y: np.ndarray) -> np.ndarray:
    """χ = L′(f, y) elementwise (numpy; the engine's torch twin is ``impl.simulation.losses``)."""
    if loss == "mse":
        return f - y
    if loss == "logistic":
        return -y / (1.0 + np.exp(y * f))
    raise ValueError(f"unknown loss {loss!r} (choose from {', '.join(LOSSES)})")


def _matrix(name: str, value: object, cols: int | None = None) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 1:  # plain numbers: one coordinate each (d = 1)
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty list of vectors (or of numbers when the dimension is 1)")
    if cols is not None and arr.shape[1] != cols:
        raise ValueError(f"{name} vectors have dimension {arr.shape[1]}, expected {cols}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} has non-finite entries")
    return arr


@dataclass(frozen=True)
class LimitRoutine:
    """``xs`` (T, d) inputs, ``ys`` (T, d_o) labels, ``probes`` (P, d); SGD with batch 1, step η."""

    xs: np.ndarray
    ys: np.ndarray
    probes: np.ndarray
    eta: float = 1.0
    loss: str = "mse"

    def __post_init__(self) -> None:
        xs = _matrix("xs", self.xs)
        ys = _matrix("ys", self.ys)
        probes = _matrix("probes", self.probes, xs.shape[1])
        if ys.shape[0] != xs.shape[0]:
            raise ValueError(f"{xs.shape[0]} inputs but {ys.shape[0]} labels")
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r} (choose from {', '.join(LOSSES)})")
        if self.loss == "logistic" and not np.all(np.abs(ys) == 1):
            raise ValueError("logistic loss needs labels in {-1, +1}")
        if not (isinstance(self.eta, (int, float)) and np.isfinite(self.eta) and self.eta > 0):
            raise ValueError(f"eta must be a positive number, got {self.eta!r}")
        object.__setattr__(self, "xs", xs)
        object.__setattr__(self, "ys", ys)
        object.__setattr__(self, "probes", probes)
        object.__setattr__(self, "eta", float(self.eta))

    @property
    def steps(self) -> int:
        return int(self.xs.shape[0])

    @property
    def input_dim(self) -> int:
        return int(self.xs.shape[1])

    @property
    def output_dim(self) -> int:
        return int(self.ys.shape[1])

    def chi(self, f: np.ndarray, t: int) -> np.ndarray:
        """χₜ for output(s) ``f`` at the training pair of step t."""
        return loss_derivative(self.loss, f, self.ys[t])

    def train_config(self, phi: str, *, decoupled: bool = False, dtype: str = "float64", device: str = "cpu") -> TrainConfig:
        """The engine's :class:`TrainConfig` of this routine (batch 1)."""
        return TrainConfig(phi=phi, input_dim=self.input_dim, output_dim=self.output_dim, steps=self.steps,
                           lr=self.eta, batch=1, probes=self.probes.shape[0], loss=self.loss,
                           decoupled=decoupled, dtype=dtype, device=device)

    def training_data(self) -> TrainingData:
        return TrainingData(self.xs[:, None, :].copy(), self.ys[:, None, :].copy(), self.probes.copy())

    def to_json(self) -> dict[str, object]:
        return {"xs": self.xs.tolist(), "ys": self.ys.tolist(), "probes": self.probes.tolist(),
                "eta": self.eta, "loss": self.loss}


def pm1_routine(steps: int, seed: int, *, eta: float = 1.0, input_dim: int = 1) -> LimitRoutine:
    """Figure 4's data (Section 9.1): ξₜ ∈ {±1}^d and yₜ ∈ {±1} uniformly at random (MSE), from a
    SeedSequence of ``seed``; the probes are the all-ones vector and its negative."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 9_1])))
    xs = rng.choice([-1.0, 1.0], size=(steps, input_dim))
    ys = rng.choice([-1.0, 1.0], size=(steps, 1))
    probes = np.stack([np.ones(input_dim), -np.ones(input_dim)])
    return LimitRoutine(xs, ys, probes, eta=eta, loss="mse")


def load_routine(path: str | Path) -> LimitRoutine:
    """A routine from a JSON file ``{"xs", "ys", "probes", "eta", "loss"}`` (ValueError, one line)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise ValueError(f"cannot read routine file {path}: {err.strerror or err}") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"routine file {path} is not JSON: {err.msg} at line {err.lineno}") from None
    if not isinstance(doc, dict):
        raise ValueError(f"routine file {path} must hold a JSON object")
    missing = [k for k in ("xs", "ys", "probes") if k not in doc]
    if missing:
        raise ValueError(f"routine file {path} lacks {', '.join(missing)}")
    unknown = sorted(set(doc) - {"xs", "ys", "probes", "eta", "loss"})
    if unknown:
        raise ValueError(f"routine file {path} has unknown keys {', '.join(unknown)}")
    try:
        return LimitRoutine(doc["xs"], doc["ys"], doc["probes"], eta=doc.get("eta", 1.0), loss=doc.get("loss", "mse"))
    except (TypeError, ValueError) as err:
        raise ValueError(f"routine file {path}: {err}") from None


def finite_outputs(p: Parametrization, routine: LimitRoutine, phi: str, width: int, seeds: Sequence[int], *,
                   decoupled: bool = False, dtype: str = "float64", device: str = "cpu",
                   seed_chunk: int | None = None) -> np.ndarray:
    """fₜ(probe) of finite networks, shape (T+1, S, P, d_o), from :func:`impl.simulation.simulate`."""
    config = routine.train_config(phi, decoupled=decoupled, dtype=dtype, device=device)
    rec = simulate(p, config, width, seeds, data=routine.training_data(), seed_chunk=seed_chunk)
    return np.asarray(rec.outputs)
