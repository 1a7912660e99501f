"""Counting the claims a run decides, so that a suite can verify the family its α was split over.

A run splits its family α over the claims it may decide (:mod:`impl.checks.budget`). ``tp4 check`` and
``tp4 report`` count those claims before running (:func:`impl.checks.planned_decisions`); a test suite
that calls the checks from many tests cannot, so it states its family in advance and verifies it
afterwards: inside ``with tally_claims() as tally:`` every claim a check decides — once per claim, whatever
its retries (they spend the claim's own α, :meth:`~impl.checks.Budget.alpha_at`) — and every decision made
are added to ``tally``. Tallies nest, and they are context-local (:mod:`contextvars`): a tally opened in
one thread or task does not see another's checks. Outside any tally, nothing is recorded.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterator

__all__ = ["ClaimTally", "tally_claims", "record_claims"]


@dataclass
class ClaimTally:
    """Claims decided (each once) and decisions made (retries included) inside :func:`tally_claims`."""

    claims: int = 0
    decisions: int = 0


_OPEN: ContextVar[tuple[ClaimTally, ...]] = ContextVar("tp4_claim_tallies", default=())


@contextmanager
def tally_claims() -> Iterator[ClaimTally]:
    """Count the claims and decisions of every check run inside the ``with`` block (module docstring)."""
    tally = ClaimTally()
    token = _OPEN.set(_OPEN.get() + (tally,))
    try:
        yield tally
    finally:
        _OPEN.reset(token)


def record_claims(claims: int, decisions: int) -> None:
    """Add ``claims`` claims and ``decisions`` decisions to every open tally (called by the checks)."""
    for tally in _OPEN.get():
        tally.claims += claims
        tally.decisions += decisions
