"""Shared machinery of the theorem checks: running a property over a strategy, and the
negative-control helper that proves a check can fail.

Theory-level properties are exact and cheap, so they run many more examples than the active
hypothesis profile's ``max_examples`` (:data:`THEORY_EXAMPLE_FACTOR` times as many).
"""

from __future__ import annotations

from typing import Callable, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

__all__ = ["THEORY_EXAMPLE_FACTOR", "theory_settings", "holds_for_all", "assert_check_fails"]

T = TypeVar("T")
THEORY_EXAMPLE_FACTOR = 15


def theory_settings() -> settings:
    """Settings for exact (theory-level) property checks under the active profile."""
    return settings(max_examples=settings().max_examples * THEORY_EXAMPLE_FACTOR)


def holds_for_all(strategy: st.SearchStrategy[T], prop: Callable[[T], None], max_examples: int | None = None) -> None:
    """Run ``prop`` (which raises AssertionError on a counterexample) over ``strategy``."""
    n = max_examples or theory_settings().max_examples

    @settings(max_examples=n, derandomize=True, database=None, deadline=None)
    @given(strategy)
    def run(x: T) -> None:
        prop(x)

    run()


def assert_check_fails(strategy: st.SearchStrategy[T], prop: Callable[[T], None], max_examples: int = 500) -> None:
    """Negative control: under a deliberately broken theory, ``prop`` must find a counterexample."""
    with pytest.raises(AssertionError):
        holds_for_all(strategy, prop, max_examples)
