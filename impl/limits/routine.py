"""The limits' side of tp4's one training routine, :class:`impl.simulation.Routine` (paper Section 6).

Every limit evaluator in :mod:`impl.limits` takes a :class:`Routine` and optional explicit
:class:`TrainingData` (``data``; default :func:`impl.simulation.training_data` of the routine) and
returns the trajectory ``limit[t, p, k]`` = f̊ₜ(probe p)_k for t = 0..T, shape (T+1, P, d_o);
:func:`finite_outputs` returns the finite-width counterpart from the engine of :mod:`impl.simulation`
on the same routine and data, so the two sides are always compared on the same training.

What a limit reads from the routine: φ (``phi``), the learning rate η (``lr``), the ``loss``, T, d,
d_o, P, whether backprop is ``decoupled`` (depth ≥ 2 only), and the data (inputs ξₜ = ``inputs[t, 0]``,
labels yₜ = ``labels[t, 0]``, probes). The limits are SGD with batch size 1 and no biases:
:func:`limit_data` refuses (ValueError) a routine with ``batch != 1`` or ``bias=True``. ``dtype``
and ``device`` concern only the finite networks (the limits compute in float64 numpy).

χₜ = L′(fₜ(ξₜ), yₜ) is the loss derivative in the first argument: f − y for ``"mse"`` (loss
½(f − y)²) and −y·σ(−yf) for ``"logistic"`` (loss log(1 + e^{−yf}), y ∈ {±1}).

Explicit data: :func:`routine_from_arrays` builds a batch-1 routine and its data from arrays
xs (T, d), ys (T, d_o), probes (P, d); :func:`load_routine` reads them from a JSON file
``{"xs", "ys", "probes", "eta", "loss"}`` (``tp4 limit --routine FILE``) and :func:`routine_json`
writes one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from impl.simulation import Routine, TrainingData, simulate, training_data
from impl.simulation.routine import LOSSES
from impl.theory import Parametrization

__all__ = ["limit_data", "loss_derivative", "routine_from_arrays", "load_routine", "routine_json", "finite_outputs"]


def loss_derivative(loss: str, f: np.ndarray, y: np.ndarray) -> np.ndarray:
    """χ = L′(f, y) elementwise (numpy; the engine's torch twin is ``impl.simulation.losses``)."""
    if loss == "mse":
        return f - y
    if loss == "logistic":
        return -y / (1.0 + np.exp(y * f))
    raise ValueError(f"unknown loss {loss!r} (choose from {', '.join(LOSSES)})")


def limit_data(routine: Routine, data: TrainingData | None = None) -> TrainingData:
    """The data a limit runs on: ``data`` (checked against ``routine``: shapes, finite values, ±1
    labels for the logistic loss) or, when None, :func:`impl.simulation.training_data` of ``routine``.

    ValueError (one line) unless ``routine`` is a :class:`Routine` with ``batch == 1`` and
    ``bias=False`` — the SGD of Section 6 that the limits describe.
    """
    if not isinstance(routine, Routine):
        raise ValueError(f"routine must be an impl.simulation.Routine, got {type(routine).__name__}")
    if routine.batch != 1:
        raise ValueError(f"the infinite-width limits are SGD with batch size 1, got a routine with batch={routine.batch}")
    if routine.bias:
        raise ValueError("the infinite-width limits have no biases, got a routine with bias=True")
    if data is None:
        return training_data(routine)
    if not isinstance(data, TrainingData):
        raise ValueError(f"data must be an impl.simulation.TrainingData or None, got {type(data).__name__}")
    data.check(routine)
    return data


def _matrix(name: str, value: object, cols: int | None = None) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a non-empty list of vectors (or of numbers when the dimension is 1)") from None
    if arr.ndim == 1:  # plain numbers: one coordinate each (d = 1)
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty list of vectors (or of numbers when the dimension is 1)")
    if cols is not None and arr.shape[1] != cols:
        raise ValueError(f"{name} vectors have dimension {arr.shape[1]}, expected {cols}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} has non-finite entries")
    return arr


def routine_from_arrays(xs: Any, ys: Any, probes: Any, *, lr: float = 1.0, loss: str = "mse",
                        **fields: Any) -> tuple[Routine, TrainingData]:
    """A batch-1 :class:`Routine` and its explicit :class:`TrainingData` from training inputs ``xs``
    (T, d), labels ``ys`` (T, d_o) and ``probes`` (P, d) — lists of vectors, or of numbers when the
    dimension is 1. T, d, d_o and P come from the arrays; ``lr``, ``loss`` and any other ``fields``
    (``phi``, ``decoupled``, …) go to the routine. ValueError (one line) on bad arrays."""
    x = _matrix("xs", xs)
    y = _matrix("ys", ys)
    p = _matrix("probes", probes, x.shape[1])
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"{x.shape[0]} inputs but {y.shape[0]} labels")
    routine = Routine(input_dim=x.shape[1], output_dim=y.shape[1], steps=x.shape[0], lr=lr, batch=1,
                      probes=p.shape[0], loss=loss, **fields)
    data = TrainingData(x[:, None, :].copy(), y[:, None, :].copy(), p.copy())
    data.check(routine)
    return routine, data


def routine_json(routine: Routine, data: TrainingData | None = None) -> dict[str, object]:
    """The routine-file document ``{"xs", "ys", "probes", "eta", "loss"}`` of a batch-1 routine and its
    data (default :func:`impl.simulation.training_data`); :func:`load_routine` reads it back."""
    d = limit_data(routine, data)
    return {"xs": d.inputs[:, 0].tolist(), "ys": d.labels[:, 0].tolist(), "probes": d.probes.tolist(),
            "eta": float(routine.lr), "loss": routine.loss}


def load_routine(path: str | Path) -> tuple[Routine, TrainingData]:
    """A routine file ``{"xs", "ys", "probes", "eta", "loss"}`` (η default 1, loss default ``"mse"``) as
    :func:`routine_from_arrays` does it: (:class:`Routine`, :class:`TrainingData`). The routine has
    the other fields at their defaults (φ = tanh, true backprop): set them with ``dataclasses.replace``.
    ValueError (one line) on an unreadable or malformed file."""
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
    eta = doc.get("eta", 1.0)
    if isinstance(eta, bool) or not isinstance(eta, (int, float)) or not (np.isfinite(eta) and eta > 0):
        raise ValueError(f"routine file {path}: eta must be a positive number, got {eta!r}")
    loss = doc.get("loss", "mse")
    if loss not in LOSSES:
        raise ValueError(f"routine file {path}: unknown loss {loss!r} (choose from {', '.join(LOSSES)})")
    try:
        return routine_from_arrays(doc["xs"], doc["ys"], doc["probes"], lr=float(eta), loss=loss)
    except (TypeError, ValueError) as err:
        raise ValueError(f"routine file {path}: {err}") from None


def finite_outputs(p: Parametrization, routine: Routine, width: int, seeds: Sequence[int], *,
                   data: TrainingData | None = None, seed_chunk: int | None = None) -> np.ndarray:
    """fₜ(probes) of finite networks, shape (T+1, S, P, d_o), from :func:`impl.simulation.simulate` of
    ``routine`` (its φ, η, loss, backprop, dtype and device) on ``data`` (default
    :func:`impl.simulation.training_data`)."""
    rec = simulate(p, routine, width, seeds, data=data, seed_chunk=seed_chunk)
    return np.asarray(rec.outputs)
