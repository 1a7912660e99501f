"""Speed of the Theorem 6.1 limit (pytest-benchmark): tanh, d = d_o = 1, 10 steps, default accuracy.

Not collected by ``make test`` (pyproject's python_files are test_*.py and check_*.py); run with
``.venv/bin/python -m pytest -p no:xdist --benchmark-only --benchmark-enable tests/benchmarks/bench_limits.py``.
Target: about a second for an error estimate ≤ 1e-6 (the default ``tol``).
"""

from __future__ import annotations

from impl.limits.one_hidden import mlp1_limit
from impl.simulation import Routine

ROUTINE = Routine(inputs="signs", probes=2, label=1.0, input_dim=1, steps=10, data_seed=1, lr=0.5, phi="tanh")
"""Figure 4's ±1 data (Section 9.1), as in tests/limits/test_one_hidden.py."""


def test_mlp1_limit_tanh_10_steps(benchmark) -> None:  # noqa: ANN001 - pytest-benchmark fixture
    benchmark.group = "limits"
    result = benchmark.pedantic(mlp1_limit, args=(ROUTINE,), rounds=5, iterations=1, warmup_rounds=1)
    assert result.error_estimate <= 1e-6 and result.method == "gauss-legendre"
