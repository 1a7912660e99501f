"""Every theorem-suite test runs inside a claim tally (:func:`impl.checks.tally_claims`); the root
``conftest.py`` adds the tallies up and verifies the suite's family (``theorem_checks/suite.py``)."""

from __future__ import annotations

from typing import Iterator

import pytest

from impl.checks import tally_claims
from theorem_checks.suite import CLAIMS_DECIDED


@pytest.fixture(autouse=True)
def _tally_claims(request: pytest.FixtureRequest) -> Iterator[None]:
    with tally_claims() as tally:
        yield
    stash = request.config.stash
    stash[CLAIMS_DECIDED] = stash.get(CLAIMS_DECIDED, 0) + tally.claims
