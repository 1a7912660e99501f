"""Speed of a width sweep: tp4's engine vs the naive way vs the floor (pytest-benchmark).

Run with ``make bench`` (no xdist). Targets: tp4 within 1.5× of the floor and at least 2× faster
than the naive implementation in float32. ``python -m tests.benchmarks.ratios FILE`` prints the
ratios from the ``--benchmark-json`` file; README.md records the measured numbers.
"""

from __future__ import annotations

import pytest
import torch

from tests.benchmarks import workloads

# One intra-op thread for every workload: on the project's 2-core VMs torch's second thread makes
# small kernels erratic (±15 ms stalls), which swamps the comparison. Parallelism across widths
# and seed chunks comes from processes (tp4 sweep -j).
torch.set_num_threads(1)

CASES = [(b, dt) for b in (32, 1) for dt in ("float32", "float64")]


@pytest.mark.parametrize("batch,dtype", CASES)
def test_tp4(benchmark, batch: int, dtype: str) -> None:  # noqa: ANN001 - pytest-benchmark fixture
    benchmark.group = f"batch={batch} {dtype}"
    benchmark.pedantic(workloads.tp4_sweep, args=(workloads.config(batch, dtype),), rounds=3, iterations=1, warmup_rounds=1)


@pytest.mark.parametrize("batch,dtype", CASES)
def test_floor(benchmark, batch: int, dtype: str) -> None:  # noqa: ANN001
    benchmark.group = f"batch={batch} {dtype}"
    benchmark.pedantic(workloads.floor, args=(workloads.config(batch, dtype),), rounds=3, iterations=1, warmup_rounds=1)


@pytest.mark.parametrize("batch,dtype", [(32, "float32"), (1, "float32")])
def test_naive(benchmark, batch: int, dtype: str) -> None:  # noqa: ANN001
    benchmark.group = f"batch={batch} {dtype}"
    benchmark.pedantic(workloads.naive_sweep, args=(workloads.config(batch, dtype),), rounds=2, iterations=1, warmup_rounds=0)
