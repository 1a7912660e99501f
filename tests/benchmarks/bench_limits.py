"""Speed of the Theorem 6.1 limit (pytest-benchmark): tanh, d = d_o = 1, 10 steps, default accuracy.

Not collected by ``make test`` (pyproject's python_files are test_*.py and check_*.py); run with
``.venv/bin/python -m pytest -p no:xdist --benchmark-only --benchmark-enable tests/benchmarks/bench_limits.py``.
Target: about a second for an error estimate ≤ 1e-6 (the default ``tol``).
"""

from __future__ import annotations

from impl.limits.one_hidden import mlp1_limit
from impl.limits.routine import pm1_routine

ROUTINE = pm1_routine(10, 1, eta=0.5)


def test_mlp1_limit_tanh_10_steps(benchmark) -> None:  # noqa: ANN001 - pytest-benchmark fixture
    benchmark.group = "limits"
    result = benchmark.pedantic(mlp1_limit, args=(ROUTINE, "tanh"), rounds=5, iterations=1, warmup_rounds=1)
    assert result.error_estimate <= 1e-6 and result.method == "gauss-legendre"
