"""The training routine's data: a fixed sequence of T batches (ξₜ, yₜ) and P probe inputs.

The theory (Section 3; Definitions 3.2–3.7) compares the *same* training routine as n → ∞, so the
data here is a function of :class:`Routine` alone (``data_seed``, d, d_o, T, B, P, loss) — never
of the width or of the network seeds.

Input distributions (``Routine.inputs``; our choices — the paper leaves ξ to the user):

* ``"clustered"`` (default): inputs and probes ξ = (u + z)/√2 with z ~ N(0, I_d/d) and one fixed
  unit direction u shared by all of them, so ‖ξ‖² ≈ 1 (h¹ = W¹ξ has Θ(1) coordinates when
  a₁ + b₁ = 0, Eq. (6), whatever d is) and any two inputs have cosine ≈ ½. Why not plain
  N(0, I_d/d): in d = 16 such inputs are nearly orthogonal, and with an odd φ (tanh) the limiting
  kernels between a training input and a probe are then close to 0, so the O(n^{−1/2}) finite-width
  fluctuations are large *relative* to the quantities measured. Width sweeps showed it: µP's
  ΔW^{L+1}x^L fitted a slope of −0.113 over 64…4096 with iid inputs (theory 0) and +0.028 with the
  shared direction;
* ``"sphere"``: inputs and probes iid uniform on the unit sphere of R^d (nearly orthogonal probes:
  many independent directions per seed, which the limit checks want);
* ``"signs"``: inputs ξ ∈ {±1}^d uniformly at random, probes the all-ones vector and its negative
  (Figure 4's data, Section 9.1; exactly 2 probes).

Labels: y ~ N(0, 1) per output for ``"mse"``, y uniform on {−1, +1} for ``"logistic"``; with
``Routine.label`` = y₀ the MSE labels are ±y₀ with the signs of those draws.

Inputs, labels and probes come from three independent streams of
``numpy.random.SeedSequence([data_seed, k])``, each filled in C order, so e.g. a longer run
(larger T) starts with the same batches as a shorter one, and changing P leaves the training batches
alone. Users wanting other data pass their own :class:`TrainingData` to
:func:`impl.simulation.simulate` (and to the limits).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from impl.simulation.routine import Routine

__all__ = ["TrainingData", "training_data"]

_INPUTS, _LABELS, _PROBES, _DIRECTION = 0, 1, 2, 3


@dataclass(frozen=True)
class TrainingData:
    """``inputs`` (T, B, d), ``labels`` (T, B, d_o) and ``probes`` (P, d), all float64 arrays."""

    inputs: np.ndarray
    labels: np.ndarray
    probes: np.ndarray

    def check(self, routine: Routine) -> None:
        """Raise ``ValueError`` unless the shapes match ``routine`` and every value is finite."""
        c = routine
        want = {
            "inputs": (c.steps, c.batch, c.input_dim),
            "labels": (c.steps, c.batch, c.output_dim),
            "probes": (c.probes, c.input_dim),
        }
        for name, shape in want.items():
            arr = getattr(self, name)
            if not isinstance(arr, np.ndarray) or arr.shape != shape:
                got = getattr(arr, "shape", type(arr).__name__)
                raise ValueError(f"training data {name} must be an array of shape {shape}, got {got}")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"training data {name} has non-finite entries")
        if c.loss == "logistic" and not np.all(np.abs(self.labels) == 1):
            raise ValueError("logistic loss needs labels in {-1, +1}")

    def to_torch(self, dtype: torch.dtype, device: torch.device) -> tuple[torch.Tensor, ...]:
        """(inputs, labels, probes) as tensors in the compute dtype on ``device``."""
        return tuple(torch.as_tensor(a, dtype=dtype, device=device) for a in (self.inputs, self.labels, self.probes))


def _rng(data_seed: int, stream: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([data_seed, stream])))


def _unit_rows(z: np.ndarray) -> np.ndarray:
    return z / np.linalg.norm(z, axis=-1, keepdims=True)


def _inputs_and_probes(r: Routine) -> tuple[np.ndarray, np.ndarray]:
    shape, d = (r.steps, r.batch, r.input_dim), r.input_dim
    draw_inputs, draw_probes = _rng(r.data_seed, _INPUTS), _rng(r.data_seed, _PROBES)
    if r.inputs == "signs":
        return np.where(draw_inputs.random(shape) < 0.5, -1.0, 1.0), np.stack([np.ones(d), -np.ones(d)])
    if r.inputs == "sphere":
        return _unit_rows(draw_inputs.standard_normal(shape)), _unit_rows(draw_probes.standard_normal((r.probes, d)))
    u = _unit_rows(_rng(r.data_seed, _DIRECTION).standard_normal(d))
    scale = 1.0 / np.sqrt(d)
    inputs = (u + draw_inputs.standard_normal(shape) * scale) / np.sqrt(2.0)
    probes = (u + draw_probes.standard_normal((r.probes, d)) * scale) / np.sqrt(2.0)
    return inputs, probes


def training_data(routine: Routine) -> TrainingData:
    """The inputs, labels and probes of ``routine`` (a function of the routine alone: its
    ``data_seed``, ``inputs``, ``label``, d, d_o, T, B, P and loss)."""
    r = routine
    inputs, probes = _inputs_and_probes(r)
    label_rng = _rng(r.data_seed, _LABELS)
    shape = (r.steps, r.batch, r.output_dim)
    if r.loss == "logistic":
        labels = np.where(label_rng.random(shape) < 0.5, -1.0, 1.0)
    else:
        labels = label_rng.standard_normal(shape)
        if r.label is not None:
            labels = np.where(labels < 0, -float(r.label), float(r.label))
    return TrainingData(inputs, labels, probes)
