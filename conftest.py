"""Suite-wide configuration of this checkout's tests: the hypothesis profiles.

Profiles (pick with ``HYPOTHESIS_PROFILE=NAME``; the same name picks the theorem suite's budget):

* ``dev`` (default outside CI): few examples, quick feedback while editing;
* ``ci`` (default when ``CI`` is set): derandomized, no example database, no deadline — the same
  examples on every run and every xdist worker;
* ``nightly``: many examples.

The theorem suite (``theorem_checks/``) takes its evidence budget — widths, seeds, retries, examples
per finite-width check — from the same profile name (:data:`impl.checks.BUDGETS`, read in
``theorem_checks/suite.py``). ``--tp4-spec SPEC`` and the ``tp4`` fixtures come from tp4's pytest
plugin (:mod:`impl.pytest_plugin`), which any project gets with ``pip install tp4``.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from theorem_checks.suite import BUDGET, CLAIMS_DECIDED, PROFILE

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=10, **_COMMON)
settings.register_profile("ci", max_examples=20, derandomize=True, database=None, print_blob=True, **_COMMON)
settings.register_profile("nightly", max_examples=200, **_COMMON)
settings.load_profile(PROFILE)


def pytest_report_header() -> str:
    return (f"tp4 suite: hypothesis profile {PROFILE!r}; family α {BUDGET.family_alpha:g} split over at most "
            f"{BUDGET.decisions} claims")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: add a worker's count of decided claims to the session's."""
    stash = node.config.stash
    stash[CLAIMS_DECIDED] = stash.get(CLAIMS_DECIDED, 0) + int(node.workeroutput.get("tp4_claims", 0))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker reports its count; the controller (or a run without xdist) fails the session when the
    suite decided more claims than its α was split over (``theorem_checks/suite.py``)."""
    claims = session.config.stash.get(CLAIMS_DECIDED, 0)
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["tp4_claims"] = claims
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    line = f"tp4 suite: {claims} claims decided; α was split over {BUDGET.decisions}"
    if claims > BUDGET.decisions:
        line += " — more than planned, so the family-wise false-alarm bound does not hold: raise SUITE_CLAIMS"
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if reporter is not None and claims:
        reporter.ensure_newline()
        reporter.write_line(line)
