"""The three computations the benchmarks compare (issue: engine speed targets).

* :func:`tp4_sweep` — the engine: every seed of a width batched, W = W₀ + low-rank updates.
* :func:`naive_sweep` — the same training and recording written the naive way: a dense autograd
  ``nn.Module`` trained by ``torch.optim.SGD``, seed by seed (:mod:`impl.simulation.reference`).
* :func:`floor` — what no implementation can avoid: drawing W₀'s Gaussians plus the products
  with W₀ that the forward passes (training batch and probes, every step) and the backward passes
  (training batch) need, batched over seeds.

Workload: a 3-hidden-layer tanh MLP 16→n→n→n→1, 3 SGD steps, 5 seeds, widths 64…4096.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import torch

from impl.simulation import Routine, simulate
from impl.simulation.routine import DTYPES
from impl.simulation.draws import fill_standard_normal
from impl.simulation.reference import simulate_reference
from impl.theory import Parametrization, mup

__all__ = ["WIDTHS", "SEEDS", "DEPTH", "config", "tp4_sweep", "naive_sweep", "floor"]

WIDTHS: tuple[int, ...] = (64, 128, 256, 512, 1024, 2048, 4096)
SEEDS: tuple[int, ...] = tuple(range(5))
DEPTH = 3
PARAM: Parametrization = mup(DEPTH)


def config(batch: int, dtype: str) -> Routine:
    return Routine(phi="tanh", input_dim=16, steps=3, batch=batch, probes=32, dtype=dtype)


def tp4_sweep(cfg: Routine, widths: Sequence[int] = WIDTHS) -> None:
    for n in widths:
        simulate(PARAM, cfg, n, SEEDS)


def naive_sweep(cfg: Routine, widths: Sequence[int] = WIDTHS) -> None:
    for n in widths:
        simulate_reference(PARAM, cfg, n, SEEDS)


def floor(cfg: Routine, widths: Sequence[int] = WIDTHS) -> None:
    """Draw every W₀ and do the unavoidable W₀ products, seed by seed (one ``mm`` each, row form).

    Per seed: each W₀ is drawn once (same generator routine as the engine, into buffers reused across seeds);
    the forward pass of the training batch and the probes at every recorded step multiplies by every W₀; the
    backward pass of the training batch multiplies by every hidden W₀ at every step. Gradients are kept as
    rows (g @ W), the fast layout on CPU.
    """
    dt = DTYPES[cfg.dtype]
    d, T, B, P = cfg.input_dim, cfg.steps, cfg.batch, cfg.probes
    for n in widths:
        # one set of n×n buffers per width, refilled for every seed (no fresh pages per seed: the engine's SquarePool)
        buffers = [torch.empty(n, n, dtype=dt) for _ in range(2, DEPTH + 1)]
        scratch = torch.empty(n, n, dtype=torch.float32) if dt != torch.float32 else None
        for seed in SEEDS:
            first = fill_standard_normal(torch.empty(n, d, dtype=dt), seed, n, "weight", 1)
            hidden = [fill_standard_normal(w, seed, n, "weight", l, scratch) for l, w in enumerate(buffers, start=2)]
            out = fill_standard_normal(torch.empty(n, 1, dtype=dt), seed, n, "readout")
            xs = torch.ones(B + P, d, dtype=dt)
            for _ in range(T + 1):  # forward: batch + probes, rows
                v = torch.mm(xs, first.t())
                for w in hidden:
                    v = torch.mm(v, w.t())
                torch.mm(v, out)
            g = torch.ones(B, n, dtype=dt)
            for _ in range(T):  # backward through the hidden W₀, rows
                for w in reversed(hidden):
                    g = torch.mm(g, w)


def with_dtype(cfg: Routine, dtype: str) -> Routine:
    return replace(cfg, dtype=dtype)
