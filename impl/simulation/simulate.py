"""``simulate``: train S finite-width networks on one training routine and record every quantity.

This is the finite-width side of the paper's comparisons: the same training routine (Section 3,
:class:`Routine`) is run at a given width n for a set of network seeds, and the quantities of
docs/theory.md §3 are recorded at every step on the fixed probe batch (:mod:`.recording`).
"""

from __future__ import annotations

from typing import Sequence

import torch

from impl.simulation.routine import Routine
from impl.simulation.data import TrainingData, training_data
from impl.simulation.engine import Network, SquarePool
from impl.simulation.losses import loss_value
from impl.simulation.memory import chunk_seeds
from impl.simulation.recording import Recorder, Recording, Snapshot, concat_recordings
from impl.simulation.scaling import layer_scales
from impl.simulation.seedwise import seed_map
from impl.simulation.threads import one_thread
from impl.theory import Parametrization

__all__ = ["simulate", "check_run", "auto_chunk"]


def check_run(p: Parametrization, config: Routine, width: int, seeds: Sequence[int]) -> tuple[int, ...]:
    """Validate a run's arguments (``ValueError`` with a one-line message); returns the seeds."""
    if not isinstance(p, Parametrization):
        raise ValueError(f"p must be a Parametrization, got {type(p).__name__}")
    if not isinstance(config, Routine):
        raise ValueError(f"config must be a Routine, got {type(config).__name__}")
    if not isinstance(width, int) or isinstance(width, bool) or width < 1:
        raise ValueError(f"width must be an integer >= 1, got {width!r}")
    if config.decoupled and p.depth < 2:
        raise ValueError("decoupled backprop (Section 6.2) needs depth >= 2 (a hidden n×n weight)")
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("seeds must be a non-empty sequence of integers >= 0")
    for s in seeds:
        if not isinstance(s, int) or isinstance(s, bool) or s < 0:
            raise ValueError(f"network seeds must be integers >= 0, got {s!r}")
    return seeds


def _run(p: Parametrization, c: Routine, width: int, seeds: tuple[int, ...], data: TrainingData,
         pool: SquarePool) -> Recording:
    dt, dev = c.torch_dtype, c.torch_device
    inputs, labels, probes = data.to_torch(dt, dev)
    net = Network(p.depth, c, width, seeds, layer_scales(p, width, float(c.lr)), pool)
    rec = Recorder(width, seeds, c.steps, p.depth, net.Wout0)
    P = c.probes
    for t in range(c.steps + 1):
        batch = min(t, c.steps - 1)  # at t = T the last batch again, for the final loss
        X = torch.cat([probes, inputs[batch]]) if c.steps else probes
        fw = net.forward(X)
        probe_fw, train_fw = fw.columns(slice(0, P)), fw.columns(slice(P, None))
        loss = None
        if c.steps:
            y = labels[batch].t()
            loss = seed_map(lambda f: loss_value(c.loss, f, y, dim=0).mean(), train_fw.f)
        rec.record(t, Snapshot(probe_fw.h, probe_fw.x, probe_fw.delta_W_x, probe_fw.f, probe_fw.delta_Wout_x, loss))
        if t < c.steps:
            net.step(train_fw, inputs[t], labels[t])
    pool.give(net.squares())
    return rec.finish()


def auto_chunk(depth: int, config: Routine, width: int) -> int:
    """Seeds per engine chunk when none is given (:func:`impl.simulation.memory.chunk_seeds`: at most 32 MiB of
    n×n weights per chunk, at least one seed)."""
    return chunk_seeds(depth, width, config.dtype, config.decoupled)


def simulate(
    p: Parametrization,
    config: Routine,
    width: int,
    seeds: Sequence[int],
    *,
    data: TrainingData | None = None,
    seed_chunk: int | None = None,
) -> Recording:
    """Train one network per seed at width ``width`` under ``p`` and record every quantity.

    ``data`` defaults to :func:`training_data` (``config.data_seed``); it is the same for every
    width and seed. ``seed_chunk`` bounds how many seeds run together (memory: about
    ``seed_chunk`` × (L−1) n×n matrices, twice that with decoupled backprop; None: :func:`auto_chunk`); the
    result is identical for every chunking, since each seed's draws and arithmetic are its own, and the n×n
    buffers of one chunk are refilled by the next (:class:`~impl.simulation.engine.SquarePool`).
    Non-finite values never raise: see :attr:`Recording.blowup_step`.
    """
    seeds = check_run(p, config, width, seeds)
    if seed_chunk is not None and (not isinstance(seed_chunk, int) or isinstance(seed_chunk, bool) or seed_chunk < 1):
        raise ValueError(f"seed_chunk must be an integer >= 1 or None, got {seed_chunk!r}")
    if data is None:
        data = training_data(config)
    else:
        data.check(config)
    chunk = seed_chunk or auto_chunk(p.depth, config, width)
    pool = SquarePool()
    with torch.no_grad(), one_thread():
        parts = [_run(p, config, width, seeds[i : i + chunk], data, pool) for i in range(0, len(seeds), chunk)]
    del pool  # the last chunk's n×n buffers, not held beside the recordings while they are joined
    return parts[0] if len(parts) == 1 else concat_recordings(parts)
