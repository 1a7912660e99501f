"""Jobs on several Python threads: one torch thread while any job runs, the old setting back after the last,
and per-seed results bit-identical to an in-process sweep (the CLI's default executor, issue 16)."""

from __future__ import annotations

import concurrent.futures as cf
import threading

import numpy as np
import torch

from impl.measurement import run_sweep
from impl.measurement.executors import parallel_slots, seed_chunk_for
from impl.simulation import Routine, one_thread
from impl.theory import mup
from tests.simulation.helpers import assert_recordings_identical


def test_overlapping_blocks_keep_one_thread_until_the_last_ends() -> None:
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
        seen: list[int] = []

        def first() -> None:
            with one_thread():
                first_in.set()
                second_in.wait(10)
            first_out.set()

        def second() -> None:
            first_in.wait(10)
            with one_thread():
                second_in.set()
                first_out.wait(10)
                seen.append(torch.get_num_threads())  # the first block has ended: still one thread here

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert seen == [1] and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_seed_chunks_give_every_slot_work() -> None:
    with cf.ThreadPoolExecutor(2) as pool:
        assert parallel_slots(pool) == 2 and seed_chunk_for(5, pool) == 3 and seed_chunk_for(16, pool, 4) == 4
    assert parallel_slots(None) == 1 and seed_chunk_for(16, None) == 16 and seed_chunk_for(40, None, 16) == 16


def test_threaded_sweep_is_bit_identical_to_in_process() -> None:
    routine = Routine(steps=2, probes=8, batch=4, phi="tanh")
    seeds = tuple(range(5))
    alone = run_sweep(mup(2), routine, (32, 64, 128), seeds)
    with cf.ThreadPoolExecutor(2) as pool:
        split = run_sweep(mup(2), routine, (32, 64, 128), seeds, executor=pool, seed_chunk=seed_chunk_for(5, pool))
    assert split.stats.n_jobs == 6
    for k in alone.values:
        assert np.array_equal(alone.values[k], split.values[k], equal_nan=True), k


def test_simulate_runs_on_one_torch_thread_whatever_the_caller_set(monkeypatch) -> None:  # noqa: ANN001
    """The engine's jobs are small kernels: a caller's second intra-op thread would only stall them (`tp4 sweep -j 2`
    on issue 16's grid, two processes with two intra-op threads each, took 22 s where it now takes 6 s), so
    simulate holds one thread itself, and its numbers do not depend on the caller's setting."""
    import impl.simulation.engine as engine
    from impl.simulation import simulate

    seen: list[int] = []
    real = engine.Network.forward

    def forward(self: engine.Network, X: torch.Tensor) -> engine.Forward:
        seen.append(torch.get_num_threads())
        return real(self, X)

    before = torch.get_num_threads()
    routine = Routine(input_dim=4, steps=2, batch=4, probes=40, dtype="float32")
    try:
        torch.set_num_threads(1)
        alone = simulate(mup(2), routine, 1024, [3])
        torch.set_num_threads(2)
        monkeypatch.setattr(engine.Network, "forward", forward)
        shared = simulate(mup(2), routine, 1024, [3])
        assert seen and set(seen) == {1} and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert_recordings_identical(alone, shared)


def test_every_pool_thread_runs_its_blocks_on_one_thread_and_the_caller_keeps_its_setting() -> None:
    """torch keeps one thread count per Python thread: a block entered on a pool thread while another thread's block
    is running must still set one thread for itself (a process-wide counter once left such a job on two threads,
    and its numbers changed), and the caller's own setting survives the pool."""
    import time

    def job(delay: float) -> int:
        time.sleep(delay)
        with one_thread():
            time.sleep(0.03)
            return torch.get_num_threads()

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with cf.ThreadPoolExecutor(2) as pool:
            seen = [n for _ in range(6) for n in pool.map(job, [0.0, 0.015])]
        assert seen == [1] * 12 and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
