"""Hypothesis strategies over training routines: φ, η and data seed drawn around a base routine.

By default as the theorem checks draw them: φ from Assumption 3.1's two nonlinearities (tanh and
σ-gelu; a linear φ breaks the dichotomy), η from :data:`impl.checks.LRS` (moderate: why, there).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from hypothesis import strategies as st

from impl.checks import LRS, PHIS, ROUTINE
from impl.simulation import Routine

__all__ = ["routines"]


def routines(base: Routine = ROUTINE, *, phis: Sequence[str] = PHIS, lrs: Sequence[float] = LRS,
             steps: int | None = None) -> st.SearchStrategy[Routine]:
    """``base`` (default: the theorem checks' routine) with φ from ``phis``, η from ``lrs``, any data
    seed in 0…9999, and ``steps`` SGD steps if given."""
    fixed = base if steps is None else replace(base, steps=steps)
    return st.builds(lambda phi, lr, seed: replace(fixed, phi=phi, lr=lr, data_seed=seed),
                     st.sampled_from(list(phis)), st.sampled_from(list(lrs)), st.integers(0, 9999))
