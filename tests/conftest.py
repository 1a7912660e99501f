"""Run the unit tests single-threaded.

The tests use small matrices, where intra-op threading is pure overhead; on the 2-vCPU machines this
project runs on, OpenMP hand-offs for such ops were seen to cost ~50× the work itself, at random
(a 58-case simulation file took 3.5 s on one thread and 10–25 s on two; the limits' engine set-up
45 s instead of 2 s under load). Under ``pytest -n auto`` each worker gets a core anyway. The
previous setting is restored after each test.
"""

from __future__ import annotations

from typing import Iterator

import pytest
import torch

pytest_plugins = ["pytester"]  # tests/test_plugin.py runs tp4's plugin in scratch projects


@pytest.fixture(autouse=True)
def _single_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)

