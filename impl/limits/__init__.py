"""Layer 4: infinite-width limits (paper Sections 6–8, App. D, F, H.5) and the kernel limits.

Every limit evaluator takes a :class:`LimitRoutine` and returns f̊ₜ on its probes, shape (T+1, P, d_o);
:func:`finite_outputs` gives the finite-width networks' outputs on the same routine.
"""

from impl.limits.routine import LimitRoutine, finite_outputs, load_routine, loss_derivative, pm1_routine

__all__ = ["LimitRoutine", "finite_outputs", "load_routine", "loss_derivative", "pm1_routine"]
