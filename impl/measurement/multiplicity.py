"""Family-wise error control for a suite of exponent checks (Bonferroni, Šidák, Holm).

A suite makes many decisions (every quantity of every parametrization at every width sweep). If
each decision's confidence interval has level 1 − α, each one can raise a false alarm with
probability ≤ α/2 (see :mod:`impl.measurement.decision`), so m of them raise at least one with
probability ≤ m·α/2. :func:`per_check_alpha` chooses α for a stated family-wise rate.

Holm's step-down procedure is uniformly more powerful than Bonferroni but needs p-values;
:func:`impl.measurement.fit.band_pvalues` supplies p-values matching the same band
decisions, and :func:`holm_reject` turns a family of them into rejections.
"""

from __future__ import annotations

import math
from typing import Literal, Sequence

import numpy as np

__all__ = ["per_check_alpha", "ci_level", "holm_thresholds", "holm_reject"]

Method = Literal["bonferroni", "sidak"]


def _check_alpha(alpha: float, what: str = "alpha") -> float:
    a = float(alpha)
    if not 0.0 < a < 1.0:
        raise ValueError(f"{what} must lie in (0, 1), got {alpha!r}")
    return a


def per_check_alpha(family_alpha: float, n_checks: int, method: Method = "bonferroni") -> float:
    """The per-check α that keeps the family-wise error rate of ``n_checks`` checks ≤ ``family_alpha``.

    ``bonferroni``: α/m (valid under any dependence). ``sidak``: 1 − (1 − α)^{1/m}, slightly larger,
    exact for independent checks and valid for positively dependent ones.
    """
    a = _check_alpha(family_alpha, "family_alpha")
    if isinstance(n_checks, bool) or not isinstance(n_checks, (int, np.integer)) or n_checks < 1:
        raise ValueError(f"n_checks must be an integer >= 1, got {n_checks!r}")
    if method == "bonferroni":
        return a / int(n_checks)
    if method == "sidak":
        return -math.expm1(math.log1p(-a) / int(n_checks))
    raise ValueError(f"method must be 'bonferroni' or 'sidak', got {method!r}")


def ci_level(alpha: float) -> float:
    """The two-sided confidence level 1 − α that a decision at per-check level α uses."""
    return 1.0 - _check_alpha(alpha)


def holm_thresholds(family_alpha: float, n_checks: int) -> tuple[float, ...]:
    """Holm's step-down thresholds α/m, α/(m−1), …, α/1 for the sorted p-values."""
    a = _check_alpha(family_alpha, "family_alpha")
    if isinstance(n_checks, bool) or not isinstance(n_checks, (int, np.integer)) or n_checks < 1:
        raise ValueError(f"n_checks must be an integer >= 1, got {n_checks!r}")
    m = int(n_checks)
    return tuple(a / (m - i) for i in range(m))


def holm_reject(p_values: Sequence[float], family_alpha: float) -> tuple[bool, ...]:
    """Holm–Bonferroni: which hypotheses to reject, in the order given, at family-wise rate α.

    Sort the p-values ascending and reject while p₍ᵢ₎ ≤ α/(m − i); stop at the first that fails.
    A NaN p-value is never rejected (and counts toward m).
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ValueError("p_values must be a flat sequence")
    if p.size == 0:
        return ()
    thresholds = holm_thresholds(family_alpha, p.size)
    order = np.argsort(np.where(np.isnan(p), np.inf, p), kind="stable")
    reject = np.zeros(p.size, dtype=bool)
    for rank, idx in enumerate(order):
        if not p[idx] <= thresholds[rank]:
            break
        reject[idx] = True
    return tuple(bool(x) for x in reject)
