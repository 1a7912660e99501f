"""Tensor Programs (paper Section 7): programs, their finite-width execution and their limits.

* :mod:`.ops` — the program representation (Definition 7.1) and its builder :class:`Program`;
* :mod:`.finite` — :func:`run_finite`, the program at width n for a batch of seeds (Setup 7.2);
* :mod:`.zeval` — :func:`z_evaluate`, Z and θ̊ by Monte Carlo (Definition 7.3, Remark F.2), the
  limits of the Master Theorem (Theorem 7.4);
* :mod:`.mlp` — SGD of an abc-parametrized MLP written once as a program (Algorithm 1, App. H).
"""

from impl.limits.program.finite import FiniteRun, run_finite
from impl.limits.program.mlp import MLPLimit, MLPProgram, engine_draws, mlp_finite, mlp_limit, mlp_sgd_program
from impl.limits.program.ops import Matrix, Program, Scalar, Transposed, Vector
from impl.limits.program.zeval import Estimate, ZResult, z_evaluate

__all__ = [
    "Estimate", "FiniteRun", "MLPLimit", "MLPProgram", "Matrix", "Program", "Scalar", "Transposed", "Vector",
    "ZResult", "engine_draws", "mlp_finite", "mlp_limit", "mlp_sgd_program", "run_finite", "z_evaluate",
]
