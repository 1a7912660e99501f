"""Overhead of tp4's recording on the user's own model (issue 13): ``tp4 model``'s sweep job vs the model's training.

Both sides build the shipped µP MLP (``examples/mup_mlp.py:build``) at width 1024 for 8 seeds, seeded the
same way, and train it for the theorem checks' routine (2 SGD steps) on the same data. ``floor`` is the
practitioner's loop and nothing else (build, forward, ½‖f − y‖², backward, step); ``tp4`` is
:func:`impl.models.model_job` — the same training plus a copy of the initial model and, before and after
every step, the hooks' capture on the probe inputs and the per-layer ΔWx on the initial copy. Target: ≤ 1.5×.
Run with ``make bench`` (no xdist); ``python -m tests.benchmarks.ratios FILE`` prints tp4/floor.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import torch

from impl.checks import ROUTINE
from impl.models import build_at, discover, infer_parametrization, load_target, model_job
from impl.simulation import training_data

torch.set_num_threads(1)  # as in bench_sweep_speed: one intra-op thread on the 2-core VMs

TARGET = load_target(f"{Path(__file__).resolve().parents[2] / 'examples' / 'mup_mlp.py'}:build")
WIDTH = 1024
SEEDS = tuple(range(8))
STRUCTURE = discover(TARGET)
ROUTINE_HERE = replace(ROUTINE, input_dim=STRUCTURE.input_dim or 1, output_dim=STRUCTURE.output_dim)
JOB = model_job(TARGET, STRUCTURE, infer_parametrization(TARGET, STRUCTURE, widths=(64, 128, 256)))


def floor() -> None:
    data = training_data(ROUTINE_HERE)
    inputs, labels = torch.as_tensor(data.inputs, dtype=torch.float32), torch.as_tensor(data.labels, dtype=torch.float32)
    for seed in SEEDS:
        built = build_at(TARGET, WIDTH, seed)
        for t in range(ROUTINE_HERE.steps):
            built.optimizer.zero_grad()
            loss = 0.5 * ((built.model(inputs[t]) - labels[t]) ** 2).sum(-1).mean()
            loss.backward()
            built.optimizer.step()


def tp4() -> None:
    JOB(None, ROUTINE_HERE, WIDTH, SEEDS)


def test_tp4(benchmark) -> None:  # noqa: ANN001 - pytest-benchmark fixture
    benchmark.group = "model recording"
    benchmark.pedantic(tp4, rounds=5, iterations=1, warmup_rounds=1)


def test_floor(benchmark) -> None:  # noqa: ANN001
    benchmark.group = "model recording"
    benchmark.pedantic(floor, rounds=5, iterations=1, warmup_rounds=1)
