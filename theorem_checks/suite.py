"""The theorem suite's settings — the active profile, its budget, the sweeps, hypothesis settings — and the
negative-control helper that proves an exact check can fail.

The profile comes from ``HYPOTHESIS_PROFILE`` (or ``ci`` when ``CI`` is set, else ``dev``), the same
name the root ``conftest.py`` loads into hypothesis; its :class:`impl.checks.Budget` gives the widths,
seeds, retries and examples of every finite-width check. Sweeps are cached under
:func:`impl.measurement.default_cache_dir` (``TP4_CACHE_DIR``), so reruns are fast.

The suite's family (:data:`SUITE_CLAIMS`): every check of every test draws its α from one split of the
family α over the claims the whole suite may decide. A suite cannot count them before it runs, so the
count is stated here — measured, with headroom — and verified afterwards: each theorem-suite test runs
inside :func:`impl.checks.tally_claims` (``theorem_checks/conftest.py``), the root ``conftest.py`` sums
the tallies over xdist workers, and a session that decided more claims than :data:`SUITE_CLAIMS` fails,
since its false-alarm bound would not hold.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Callable, TypeVar

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from impl.checks import BUDGETS, Sweeps
from impl.measurement import default_cache_dir

__all__ = ["PROFILE", "SUITE_CLAIMS", "CLAIMS_DECIDED", "BUDGET", "SWEEPS", "finite_settings", "EXACT_EXAMPLE_FACTOR", "exact_settings",
           "holds_for_all", "assert_check_fails"]

T = TypeVar("T")
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
SUITE_CLAIMS: dict[str, int] = {"dev": 450, "ci": 500, "nightly": 2000}
"""The most claims one run of the whole suite decides, per profile (module docstring): measured 332 at dev and
387 at ci (2026-12-07, after Thm 3.3 began claiming exponents: 241 and 293 before); nightly (12 examples per
finite-width test against ci's 3, not measured here) is an estimate the end-of-session check guards."""
CLAIMS_DECIDED = pytest.StashKey[int]()
"""Where a pytest session keeps the count of claims its theorem-suite tests decided."""
BUDGET = replace(BUDGETS.get(PROFILE, BUDGETS["dev"]), decisions=SUITE_CLAIMS.get(PROFILE, SUITE_CLAIMS["dev"]))
SWEEPS = Sweeps(cache_dir=default_cache_dir())
EXACT_EXAMPLE_FACTOR = 15
"""Exact (theory-level) properties are cheap: they run this many times the profile's ``max_examples``."""


def finite_settings(factor: int = 1) -> settings:
    """Hypothesis settings of a finite-width check: the budget's examples, no shrinking (shrinking a
    statistical failure would re-run sweeps for nothing)."""
    return settings(max_examples=BUDGET.examples * factor, phases=(Phase.explicit, Phase.generate), deadline=None)


def exact_settings() -> settings:
    """Settings for exact (theory-level) property checks under the active profile."""
    return settings(max_examples=settings().max_examples * EXACT_EXAMPLE_FACTOR)


def holds_for_all(strategy: st.SearchStrategy[T], prop: Callable[[T], None], max_examples: int | None = None) -> None:
    """Run ``prop`` (which raises AssertionError on a counterexample) over ``strategy``."""
    n = max_examples or exact_settings().max_examples

    @settings(max_examples=n, derandomize=True, database=None, deadline=None)
    @given(strategy)
    def run(x: T) -> None:
        prop(x)

    run()


def assert_check_fails(strategy: st.SearchStrategy[T], prop: Callable[[T], None], max_examples: int = 500) -> None:
    """Negative control: under a deliberately broken theory, ``prop`` must find a counterexample."""
    with pytest.raises(AssertionError):
        holds_for_all(strategy, prop, max_examples)
