"""Hypothesis strategies over training routines: φ, η and data seed drawn around a base routine.

The theorem checks draw φ from Assumption 3.1's two nonlinearities (tanh and σ-gelu; a linear φ
breaks the dichotomy) and a moderate η: nothing saturates or diverges. Not η = 0.5: there the Θ(1)
part of an update can be smaller than its n^{-1/2} correction up to n ≈ 256 (a depth-3 draw with only
W¹ maximal: ``delta_f`` fell by 26% from n = 64 to 128, then stayed flat to 4096), which biases a
64–1024 slope by ≈ −0.18.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from hypothesis import strategies as st

from impl.checks import PHIS, ROUTINE
from impl.simulation import Routine

__all__ = ["LRS", "routines"]

LRS: tuple[float, ...] = (0.75, 1.0, 1.25, 1.5)
"""The η of the theorem checks' routines (module docstring)."""


def routines(base: Routine = ROUTINE, *, phis: Sequence[str] = PHIS, lrs: Sequence[float] = LRS,
             steps: int | None = None) -> st.SearchStrategy[Routine]:
    """``base`` (default: the theorem checks' routine) with φ from ``phis``, η from ``lrs``, any data
    seed in 0…9999, and ``steps`` SGD steps if given."""
    fixed = base if steps is None else replace(base, steps=steps)
    return st.builds(lambda phi, lr, seed: replace(fixed, phi=phi, lr=lr, data_seed=seed),
                     st.sampled_from(list(phis)), st.sampled_from(list(lrs)), st.integers(0, 9999))
