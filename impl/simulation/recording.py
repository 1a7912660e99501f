"""Reducing a run to the width-scaling quantities of docs/theory.md §3 (paper Sections 3.2, 5; App. H.3).

Every quantity is measured on the fixed probe batch, per step t = 0..T and per seed:

* vectors v ∈ Rⁿ by their RMS coordinate √(‖v‖²/n), then the quadratic mean over the P probes
  (i.e. √(mean over coordinates and probes of v²)): ``h{l}``, ``x{l}``, ``delta_h{l}`` = hˡₜ − hˡ₀,
  ``delta_x{l}``, ``delta_W{l}_x`` = (Wˡₜ − Wˡ₀)x^{l−1}ₜ (x⁰ = ξ; biases excluded);
* ``delta_kernel{l}``: RMS over all P² ordered probe pairs (diagonal included) of
  (xˡₜ(ξ)·xˡₜ(ζ) − xˡ₀(ξ)·xˡ₀(ζ))/n (feature-kernel evolution, Definition 3.5 / H.11);
* scalars by their RMS over probes and outputs: ``f0`` (constant in t), ``f``, ``delta_f`` = fₜ − f₀,
  ``delta_Wout_x`` = (W^{L+1}ₜ − W^{L+1}₀)x^Lₜ, ``Wout0_delta_x`` = W^{L+1}₀(x^Lₜ − x^L₀);
* ``loss``: the mean training loss of the step's batch before its update (t < T); at t = T the loss
  of the final weights on the last batch (NaN when T = 0).

Besides these per-seed sizes, ``probe_values`` keeps the *signed* per-probe values of the scalar
quantities whose limit is deterministic given the data — ``delta_f``, ``delta_Wout_x``,
``Wout0_delta_x`` (one entry per probe and output) and ``delta_kernel{l}`` (the kernel change at the
probe pairs (i, i) and (i, i+1 mod P)) — so that a Θ(1) claim can be judged on the seed-averaged size,
free of the n^{−1/2} fluctuation that inflates every seed's RMS (:func:`impl.measurement.fit_exponent`).

RMS values are overflow-safe and computed seed by seed (:mod:`.seedwise`). The first step at which
any quantity of a seed is non-finite is its ``blowup_step`` (−1 if none); that step keeps what was
computed (inf or NaN), every later step of that seed is NaN.

Caution (measured, not a theorem): in the kernel regime the feature-kernel change shrinks faster
than Δx. Its cross term (2/n)x₀·Δx averages a Θ(n^{−r}) vector against an (asymptotically)
uncorrelated x₀, so ``delta_kernel{l}`` came out ≈ n^{−2r} (NTP, L = 2, tanh: slope −0.88) rather
than n^{−r}; for r = 0 both are Θ(1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import torch

from impl.simulation.seedwise import rms, seed_matmul
from impl.theory import quantity_names

__all__ = ["Recording", "Snapshot", "Recorder", "recorded_names", "rms", "concat_recordings"]


def recorded_names(depth: int) -> tuple[str, ...]:
    """The keys of :attr:`Recording.values`: :func:`impl.theory.quantity_names` plus ``f``, ``loss``."""
    return quantity_names(depth) + ("f", "loss")


@dataclass(frozen=True, eq=False)
class Recording:
    """Per-step, per-seed quantities of one width.

    ``values[name]`` has shape (steps+1, len(seeds)); ``blowup_step`` shape (len(seeds),), −1 = never;
    ``outputs`` holds fₜ on the probes, shape (steps+1, len(seeds), P, d_o); ``probe_values[name]`` the
    signed per-probe values of the module docstring, shape (steps+1, len(seeds), K).
    """

    width: int
    seeds: tuple[int, ...]
    steps: int
    values: dict[str, np.ndarray]
    blowup_step: np.ndarray
    outputs: np.ndarray
    probe_values: dict[str, np.ndarray] = field(default_factory=dict)

    def select(self, seeds: Sequence[int]) -> "Recording":
        """The columns of the given seeds (in that order)."""
        idx = [self.seeds.index(s) for s in seeds]
        return Recording(
            self.width,
            tuple(seeds),
            self.steps,
            {k: v[:, idx] for k, v in self.values.items()},
            self.blowup_step[idx],
            self.outputs[:, idx],
            {k: v[:, idx] for k, v in self.probe_values.items()},
        )


def concat_recordings(parts: Sequence[Recording]) -> Recording:
    """Join recordings of the same width and steps over disjoint seed lists (in order)."""
    if not parts:
        raise ValueError("concat_recordings needs at least one recording")
    first = parts[0]
    if any(r.width != first.width or r.steps != first.steps or r.values.keys() != first.values.keys() for r in parts):
        raise ValueError("can only concatenate recordings of the same width, steps and quantities")
    return Recording(
        first.width,
        tuple(s for r in parts for s in r.seeds),
        first.steps,
        {k: np.concatenate([r.values[k] for r in parts], axis=1) for k in first.values},
        np.concatenate([r.blowup_step for r in parts]),
        np.concatenate([r.outputs for r in parts], axis=1),
        {k: np.concatenate([r.probe_values[k] for r in parts], axis=1) for k in first.probe_values},
    )


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Probe-batch tensors of one step, each with a leading seed axis.

    ``h``, ``x``, ``delta_W_x``: per hidden layer, shape (S, n, P); ``f``, ``delta_Wout_x``:
    (S, d_o, P); ``loss``: (S,) or None (recorded as NaN).
    """

    h: tuple[torch.Tensor, ...]
    x: tuple[torch.Tensor, ...]
    delta_W_x: tuple[torch.Tensor, ...]
    f: torch.Tensor
    delta_Wout_x: torch.Tensor
    loss: torch.Tensor | None


def _pairs(kernel: torch.Tensor) -> torch.Tensor:
    """(S, 2P) entries of (S, P, P) kernels at the probe pairs (i, i) and (i, i+1 mod P)."""
    idx = torch.arange(kernel.shape[1], device=kernel.device)
    return torch.cat([kernel[:, idx, idx], kernel[:, idx, (idx + 1) % kernel.shape[1]]], dim=1)


def _gram(x: torch.Tensor) -> torch.Tensor:
    """(S, P, P) feature kernel xᵀx/n of (S, n, P) features."""
    return seed_matmul(x.transpose(1, 2), x) / x.shape[1]


class Recorder:
    """Accumulates :class:`Snapshot` s at t = 0..T into a :class:`Recording`.

    ``readout0`` is W^{L+1}₀, shape (S, d_o, n), for ``Wout0_delta_x``.
    """

    def __init__(self, width: int, seeds: Sequence[int], steps: int, depth: int, readout0: torch.Tensor) -> None:
        self.width, self.seeds, self.steps, self.depth = width, tuple(seeds), steps, depth
        self.readout0 = readout0
        S = len(self.seeds)
        self.values = {k: np.full((steps + 1, S), np.nan) for k in recorded_names(depth)}
        self.probe_values: dict[str, np.ndarray] = {}
        self.outputs: np.ndarray | None = None
        self.first: Snapshot | None = None
        self.kernel0: tuple[torch.Tensor, ...] = ()

    def record(self, t: int, snap: Snapshot) -> None:
        """Reduce the snapshot of step ``t`` (t = 0 first; it fixes the reference values)."""
        if t == 0:
            self.first = snap
            self.kernel0 = tuple(_gram(x) for x in snap.x)
        first = self.first
        assert first is not None, "step 0 must be recorded first"
        kernel_change = [_gram(snap.x[l]) - self.kernel0[l] for l in range(self.depth)]
        w0_dx = seed_matmul(self.readout0, snap.x[-1] - first.x[-1])
        out: dict[str, torch.Tensor] = {"f0": rms(first.f)}
        for l in range(self.depth):
            tag = l + 1
            out[f"h{tag}"] = rms(snap.h[l])
            out[f"x{tag}"] = rms(snap.x[l])
            out[f"delta_W{tag}_x"] = rms(snap.delta_W_x[l])
            out[f"delta_h{tag}"] = rms(snap.h[l] - first.h[l])
            out[f"delta_x{tag}"] = rms(snap.x[l] - first.x[l])
            out[f"delta_kernel{tag}"] = rms(kernel_change[l])
        out["delta_Wout_x"] = rms(snap.delta_Wout_x)
        out["Wout0_delta_x"] = rms(w0_dx)
        out["delta_f"] = rms(snap.f - first.f)
        out["f"] = rms(snap.f)
        for k, v in out.items():
            self.values[k][t] = v.detach().to("cpu", torch.float64).numpy()
        signed = {"delta_f": snap.f - first.f, "delta_Wout_x": snap.delta_Wout_x, "Wout0_delta_x": w0_dx}
        signed.update({f"delta_kernel{l + 1}": _pairs(kernel_change[l]) for l in range(self.depth)})
        for k, v in signed.items():
            arr = v.detach().to("cpu", torch.float64).numpy().reshape(v.shape[0], -1)  # (S, K)
            if k not in self.probe_values:
                self.probe_values[k] = np.full((self.steps + 1,) + arr.shape, np.nan)
            self.probe_values[k][t] = arr
        if snap.loss is not None:
            self.values["loss"][t] = snap.loss.detach().to("cpu", torch.float64).numpy()
        f = snap.f.detach().to("cpu", torch.float64).numpy().transpose(0, 2, 1)  # (S, P, d_o)
        if self.outputs is None:
            self.outputs = np.full((self.steps + 1,) + f.shape, np.nan)
        self.outputs[t] = f

    def finish(self) -> Recording:
        """The :class:`Recording`, with blow-up steps found and post-blow-up values set to NaN."""
        S = len(self.seeds)
        bad = np.zeros((self.steps + 1, S), dtype=bool)
        for k, v in self.values.items():
            bad |= ~np.isfinite(v) if k != "loss" else np.isinf(v)
        if self.steps > 0:  # loss at T is NaN only when T = 0; NaN anywhere else is a blow-up
            bad |= np.isnan(self.values["loss"])
        blow = np.where(bad.any(axis=0), bad.argmax(axis=0), -1).astype(np.int64)
        assert self.outputs is not None, "nothing was recorded"
        for s, b in enumerate(blow):
            if b >= 0:
                for v in (*self.values.values(), *self.probe_values.values()):
                    v[b + 1 :, s] = np.nan
                self.outputs[b + 1 :, s] = np.nan
        return Recording(self.width, self.seeds, self.steps, self.values, blow, self.outputs, self.probe_values)
