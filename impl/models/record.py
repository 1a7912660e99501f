"""Training the user's model with the user's optimizer and recording what the theory talks about.

:class:`ModelJob` is a sweep job (``job(p, routine, width, seeds) → Recording``, the contract of
:func:`impl.measurement.run_sweep`): for each network seed it builds the model at the width (torch seeded
with that seed), trains it for ``routine.steps`` steps with the user's optimizer — every learning rate
multiplied by ``routine.lr``, which is 1 unless a check trains at 2η — and the user's loss (default
½‖f − y‖²), on the routine's data (or the user's inputs), and records on the probe inputs, through hooks:

* for a model of the paper's form (:mod:`impl.models.discover`) exactly the quantities of the engine
  (:mod:`impl.simulation.recording`): hˡ (the layer's output, times the parent's multiplier),
  xˡ (the next layer's input), ΔWˡx^{l−1} (the layer at step t minus a copy of it at initialisation, on
  the same input), f, ΔW^{L+1}x^L and W₀^{L+1}Δx^L — so every check of :mod:`impl.checks` runs on it
  unchanged;
* for any other model (:mod:`impl.models.desiderata`), per width-scaled module: for one with a width-sized
  output, the size of its output (``out:NAME``) and of the change of its output caused by its own
  parameters' updates on the same input (``dWx:NAME``); for one whose output does not scale (a readout),
  the change of f its own update causes (f now minus f with that module reverted to its initialisation);
  and f and fₜ − f₀.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Sequence

import numpy as np
import torch

from impl.models.discover import Structure, probe_inputs
from impl.models.hooks import capture, first_tensor, nonzero_weights, owning_modules
from impl.models.knobs import coefficient
from impl.models.target import Built, Target, build_at, loss_of, user_call
from impl.simulation import Routine, training_data
from impl.simulation.recording import Recorder, Recording, Snapshot, concat_recordings
from impl.simulation.seedwise import rms

__all__ = ["ModelJob", "module_delta"]


def module_delta(now: torch.nn.Module, start: torch.nn.Module, name: str, seen: Any) -> torch.Tensor:
    """The module's output now minus its copy at initialisation, on the inputs it saw now."""
    args, kwargs = seen.args[name], seen.kwargs[name]
    with torch.no_grad():
        before = first_tensor(start(*args, **kwargs))
    assert before is not None
    return seen.outputs[name] - before


def _data(inputs: torch.Tensor | None, structure: Structure, routine: Routine,
          dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(training inputs (T, B, …), labels (T, B, d_o), probes (P, …)) in the model's dtype: the routine's data,
    or the user's ``inputs`` cycled, the same for every width and seed."""
    data = training_data(replace(routine, input_dim=structure.input_dim or 1, output_dim=structure.output_dim))
    labels = torch.as_tensor(data.labels, dtype=dtype)
    if inputs is None:
        return torch.as_tensor(data.inputs, dtype=dtype), labels, torch.as_tensor(data.probes, dtype=dtype)
    need = routine.steps * routine.batch
    train = probe_inputs(inputs, None, max(need, 1), inputs.dtype)[:need].reshape(routine.steps, routine.batch, *inputs.shape[1:])
    return train, labels, probe_inputs(inputs, None, routine.probes, inputs.dtype)


def _scale_lr(built: Built, factor: float) -> None:
    if factor != 1.0:
        for group in built.optimizer.param_groups:
            group["lr"] = group["lr"] * factor


def _step(built: Built, x: torch.Tensor, y: torch.Tensor) -> float:
    built.optimizer.zero_grad()
    loss = loss_of(built, user_call("the model's forward pass", built.model, x), y)
    user_call("the backward pass", loss.backward)
    user_call("the optimizer's step", built.optimizer.step)
    return float(loss.detach())


def _stack(snaps: Sequence[Snapshot]) -> Snapshot:
    """One snapshot of every seed, (S, …), from the seeds' (1, …) snapshots."""
    def cat(ts: Sequence[torch.Tensor]) -> torch.Tensor:
        return torch.cat(list(ts))
    losses = [s.loss for s in snaps]
    return Snapshot(tuple(cat(ls) for ls in zip(*(s.h for s in snaps))), tuple(cat(ls) for ls in zip(*(s.x for s in snaps))),
                    tuple(cat(ls) for ls in zip(*(s.delta_W_x for s in snaps))), cat([s.f for s in snaps]),
                    cat([s.delta_Wout_x for s in snaps]),
                    None if any(v is None for v in losses) else cat([v for v in losses if v is not None]))


def _cols(t: torch.Tensor) -> torch.Tensor:
    """(1, features, P) from a (P, features) module output."""
    return t.reshape(t.shape[0], -1).t().unsqueeze(0).double()


@dataclass(frozen=True)
class ModelJob:
    """The sweep job of one user model (module docstring). Picklable: the target re-imports by name."""

    target: Target
    structure: Structure
    desiderata: bool = False
    sized: tuple[tuple[str, bool], ...] = ()
    zero: tuple[str, ...] = ()
    inputs: torch.Tensor | None = None
    parent_exponents: tuple[Fraction, ...] = ()

    def __call__(self, p: Any, routine: Routine, width: int, seeds: Sequence[int]) -> Recording:
        if self.desiderata:
            return concat_recordings([self._desiderata(routine, width, s) for s in seeds])
        runs = [self._theory(routine, width, s) for s in seeds]
        rec = Recorder(width, tuple(seeds), routine.steps, len(self.structure.layers) - 1,
                       torch.cat([readout0 for readout0, _ in runs]))
        for t in range(routine.steps + 1):  # one reduction over every seed (per seed inside, as in the engine)
            rec.record(t, _stack([snaps[t] for _, snaps in runs]))
        return rec.finish()

    def _start(self, routine: Routine, width: int, seed: int) -> tuple[Built, torch.nn.Module, tuple[torch.Tensor, ...]]:
        built = build_at(self.target, width, seed)
        _scale_lr(built, float(routine.lr))
        dtype = next(built.model.parameters()).dtype
        return built, copy.deepcopy(built.model), _data(self.inputs, self.structure, routine, dtype)

    def _theory(self, routine: Routine, width: int, seed: int) -> tuple[torch.Tensor, list[Snapshot]]:
        """W^{L+1}₀ with its multipliers, (1, d_o, n), and the snapshots of t = 0..T of one seed."""
        built, start, (inputs, labels, probes) = self._start(routine, width, seed)
        # the parent's multiplier before φ of each layer l ≤ L, n^{-α} (a constant factor does not matter)
        layers = self.structure.layers
        scales = tuple(float(width) ** -float(a) for a in self.parent_exponents) or (1.0,) * (len(layers) - 1)
        names = [l.module for l in layers]
        modules, modules0 = dict(built.model.named_modules()), dict(start.named_modules())
        readout = layers[-1].module
        w = dict(built.model.named_parameters())[layers[-1].param].detach()
        with nonzero_weights(built.model, [layers[-1].param]) as lent:  # a zero readout hides its multipliers
            seen = capture(built.model, names, probes)
            coef = coefficient(seen.output, seen.outputs[readout])
            mod = coefficient(seen.outputs[readout], torch.nn.functional.linear(seen.inputs[readout], w))
        if lent:
            seen = capture(built.model, names, probes)
        readout0 = (coef * mod * w.double()).unsqueeze(0)  # a copy: w is the live parameter
        snaps: list[Snapshot] = []
        loss_now: float | None = None
        for t in range(routine.steps + 1):
            if t:  # at t = 0 the model is its initial copy: every ΔWx is exactly 0
                seen = capture(built.model, names, probes)

            def delta(name: str) -> torch.Tensor:
                out = seen.outputs[name]
                return torch.zeros_like(out) if t == 0 else module_delta(modules[name], modules0[name], name, seen)

            h = tuple(s * _cols(seen.outputs[l.module]) for s, l in zip(scales, layers))
            x = tuple(_cols(seen.inputs[l.module]) for l in layers[1:])
            dwx = tuple(s * _cols(delta(l.module)) for s, l in zip(scales, layers))
            dout = coef * _cols(delta(readout))
            if t < routine.steps:
                loss_now = _step(built, inputs[t], labels[t])
            elif routine.steps:
                with torch.no_grad():
                    loss_now = float(loss_of(built, user_call("the model's forward pass", built.model, inputs[-1]), labels[-1]))
            loss = None if loss_now is None else torch.tensor([loss_now], dtype=torch.float64)
            snaps.append(Snapshot(h, x, dwx, _cols(seen.output), dout, loss))
        return readout0, snaps

    def _desiderata(self, routine: Routine, width: int, seed: int) -> Recording:
        built, start, (inputs, labels, probes) = self._start(routine, width, seed)
        names = owning_modules(built.model, self.structure.scaled)
        modules, modules0 = dict(built.model.named_modules()), dict(start.named_modules())
        T = routine.steps
        values: dict[str, np.ndarray] = {}
        probe_values: dict[str, np.ndarray] = {}
        f0 = None
        for t in range(T + 1):
            seen = capture(built.model, names, probes)
            if f0 is None:
                f0 = seen.output.double()
            row = {"f": rms(_cols(seen.output)), "delta_f": rms(_cols(seen.output.double() - f0))}
            for name in names:
                if name not in seen.outputs:
                    continue
                if dict(self.sized).get(name, False):
                    row[f"out:{name}"] = rms(_cols(seen.outputs[name]))
                    row[f"dWx:{name}"] = rms(_cols(module_delta(modules[name], modules0[name], name, seen)))
                else:  # its own update's effect on f: f now minus f with this module at its initialisation
                    reverted = capture(built.model, [], probes, substitute=(name, modules0[name])).output
                    row[f"dWx:{name}"] = rms(_cols(seen.output.double() - reverted.double()))
            for k, v in row.items():
                values.setdefault(k, np.full((T + 1, 1), np.nan))[t] = v.numpy()
            change = (seen.output.double() - f0).reshape(1, -1).numpy()
            probe_values.setdefault("delta_f", np.full((T + 1, 1, change.shape[1]), np.nan))[t] = change
            if t < T:
                values.setdefault("loss", np.full((T + 1, 1), np.nan))[t] = _step(built, inputs[t], labels[t])
        bad = [t for t in range(T + 1) if not all(math.isfinite(v[t, 0]) for k, v in values.items() if k != "loss")]
        blow = bad[0] if bad else -1
        if blow >= 0:
            for arr in (*values.values(), *probe_values.values()):
                arr[blow + 1:] = np.nan
        return Recording(width, (seed,), T, values, np.array([blow]), np.zeros((T + 1, 1, 0, 0)), probe_values)

