"""The theorem suite's family check (root ``conftest.py``): a session that decides more claims than
``theorem_checks.suite.SUITE_CLAIMS`` states fails, since the α split over them no longer bounds its false alarms;
one that stays within it passes and says how many it decided. Run on the real conftest in a scratch project."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"

DECIDES = """
from theorem_checks.suite import BUDGET, CLAIMS_DECIDED


def test_decides(request):
    stash = request.config.stash
    stash[CLAIMS_DECIDED] = stash.get(CLAIMS_DECIDED, 0) + BUDGET.decisions + {extra}
"""


@pytest.mark.parametrize("extra, code", [(1, pytest.ExitCode.TESTS_FAILED), (0, pytest.ExitCode.OK)])
def test_a_session_over_its_stated_family_fails(pytester: pytest.Pytester, extra: int, code: int) -> None:
    from theorem_checks.suite import BUDGET

    pytester.makeconftest(ROOT_CONFTEST.read_text())
    pytester.makepyfile(test_family=DECIDES.format(extra=extra))
    result = pytester.runpytest("-p", "no:xdist", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert result.ret == code
    result.stdout.fnmatch_lines([f"tp4 suite: {BUDGET.decisions + extra} claims decided; α was split over {BUDGET.decisions}*"])
    assert ("more than planned" in result.stdout.str()) == (extra > 0)
