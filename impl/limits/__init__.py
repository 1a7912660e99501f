"""Layer 4: infinite-width limits (paper Sections 6–8, App. D, F, H.5) and the kernel limits.

Every limit evaluator takes tp4's one training routine, :class:`impl.simulation.Routine` (φ, η = ``lr``,
loss, T, d, d_o, P, backprop; SGD with batch size 1 and no bias, else ValueError), and optional explicit
:class:`~impl.simulation.TrainingData` (``data=``; default :func:`impl.simulation.training_data`), and
returns f̊ₜ on the probes, shape (T+1, P, d_o); :func:`finite_outputs` gives the finite-width networks'
outputs on the same routine and data (:mod:`impl.limits.routine`; :func:`routine_from_arrays` and
:func:`load_routine` make a routine with explicit data from arrays or a JSON file).

* :func:`mlp1_limit` — Theorem 6.1 (1 hidden layer, any φ) by quadrature;
* :func:`linear_limit` — Corollary 6.2 / Theorem D.1 / Algorithm 3 (linear, any d, d_o), exact;
  :mod:`impl.limits.linear_net` is the one SGD step of App. D's linear net (bias α, weight decay,
  clipping) behind it, finite (Algorithm 2) and limit (Algorithm 3) differing only in the start;
* :func:`mlp2_limit` — Theorems 6.3 (decoupled) and 6.4 (true SGD), Monte Carlo;
* :func:`mlp_kernels` / :func:`abc_kernel` — NNGP and NTK (with per-layer contributions, and the
  kernel of a kernel-regime abc-parametrization), :func:`kernel_descent` (Definition 3.7);
* :mod:`impl.limits.program` — general Tensor Programs: a finite-n executor and the Z-evaluator of
  Definition 7.3; :func:`mlp_limit` is Algorithm 1 for an MLP written once as a program;
* :data:`ARCHS` / :func:`limit_for` / :func:`finite_for` — the four architectures (mlp1, linear1,
  mlp2-decoupled, mlp2) by name: one call for the limit, one for finite networks on the same routine.
"""

from impl.limits.activations import NumpyActivation, numpy_activation
from impl.limits.archs import ARCHS, Arch, LimitResult, check_routine, finite_for, get_arch, limit_for
from impl.limits.kernel_descent import gp_initial_outputs, kernel_descent, kernel_gradient_descent, mse_kernel_regression
from impl.limits.kernels import AbcKernel, KernelResult, abc_kernel, layer_rates, mlp_kernels
from impl.limits.linear import LinearCoefficients, cor62_coefficients, linear_coefficients, linear_finite_reduced, linear_from_init, linear_limit
from impl.limits.linear_net import LinearNet, draw_linear_net, gram_reduce, linear_net_gradient, linear_net_init, linear_net_output, linear_net_step
from impl.limits.one_hidden import LimitTrajectory, mlp1_limit
from impl.limits.program import MLPLimit, Program, mlp_finite, mlp_limit, mlp_sgd_program, run_finite, z_evaluate
from impl.limits.routine import (finite_outputs, limit_data, load_routine, loss_derivative, routine_from_arrays,
                                 routine_json)
from impl.limits.two_hidden import MCTrajectory, mlp2_limit

__all__ = [
    "finite_outputs", "limit_data", "load_routine", "loss_derivative", "routine_from_arrays", "routine_json",
    "NumpyActivation", "numpy_activation",
    "LimitTrajectory", "mlp1_limit",
    "LinearCoefficients", "cor62_coefficients", "linear_coefficients", "linear_finite_reduced", "linear_from_init",
    "linear_limit",
    "LinearNet", "draw_linear_net", "gram_reduce", "linear_net_gradient", "linear_net_init", "linear_net_output",
    "linear_net_step",
    "MCTrajectory", "mlp2_limit",
    "AbcKernel", "KernelResult", "abc_kernel", "layer_rates", "mlp_kernels",
    "gp_initial_outputs", "kernel_descent", "kernel_gradient_descent", "mse_kernel_regression",
    "ARCHS", "Arch", "LimitResult", "check_routine", "finite_for", "get_arch", "limit_for",
    "MLPLimit", "Program", "mlp_finite", "mlp_limit", "mlp_sgd_program", "run_finite", "z_evaluate",
]
