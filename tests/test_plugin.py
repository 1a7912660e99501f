"""tp4's pytest plugin in a scratch project that holds only a ``tests/`` folder (``pytester``).

The plugin comes from the installed distribution's ``pytest11`` entry point, exactly as a user gets
it after ``pip install tp4``: ``--tp4-spec`` collects the theorem checks as tests of the run, the
``tp4`` fixture and :func:`impl.check_parametrization` judge a parametrization from the user's own
tests, and ``expect=`` fails with the theory's reason and the claims' table.
"""

from __future__ import annotations

import pytest

USER_TESTS = '''
import pytest
from impl import check_parametrization

MUP_L1 = "a=-1/2,1/2;b=1/2,1/2;c=0"
CHEAP = ["stability", "maximal_updates", "f0"]


def test_mine_is_mup(tp4):
    assert tp4.profile == "dev" and tp4.budget.seeds == 16
    tp4.check(MUP_L1, expect="mup", statements=CHEAP).assert_agrees()


def test_mfp_is_mup_modulo_eq5():
    check_parametrization("mfp", depth=1, expect="mup", statements=CHEAP).assert_agrees()


def test_wrong_belief_fails_with_the_table(tp4):
    tp4.check("ntp", depth=1, expect="mup", statements=CHEAP).assert_agrees()
'''


@pytest.fixture
def project(pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("TP4_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "tp4-plugin-cache"))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("HYPOTHESIS_PROFILE", raising=False)
    pytester.mkpydir("tests")
    return pytester


def test_user_tests_pass_for_a_right_expect_and_fail_with_the_table_for_a_wrong_one(project: pytest.Pytester) -> None:
    (project.path / "tests" / "test_mine.py").write_text(USER_TESTS)
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "tests")
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    assert "test_wrong_belief_fails_with_the_table" in out and "TheoryMismatch" in out
    assert "expected mup: disagree" in out and "is not mup" in out and "Cor 3.10 f0" in out and "quantity" in out
    assert "tp4: profile dev" in out  # the report header


def test_tp4_spec_collects_the_theorem_checks(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "--tp4-spec", "mup",
                                          "--tp4-depth", "1", "-k", "stability or maximal or f0 or layerwise", "-v")
    out = result.stdout.str()
    assert "tp4[mup-L1-tanh-stability]" in out and "tp4[mup-L1-tanh-maximal_updates]" in out
    result.assert_outcomes(passed=4)
    assert "checking mup (L=1)" in out and "collected 9 items / 5 deselected / 4 selected" in out


def test_tp4_spec_against_another_theory_fails(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "--tp4-spec", "ntp",
                                          "--tp4-depth", "1", "--tp4-against", "mup", "-k", "maximal or f0")
    result.assert_outcomes(failed=2)
    out = result.stdout.str()
    assert "judged against mup" in out and "disagree" in out


WEAK_BUDGET = """
from impl.checks import Budget, budget

# two nearby widths, two seeds, no retry: no interval can fit inside ±δ, so every claim stays undecided
WEAK = Budget("dev", (64, 80), seeds=2, retries=0, examples=1, decisions=1)
budget.BUDGETS.update(dev=WEAK, ci=WEAK)
"""


def test_an_undecided_check_never_passes(project: pytest.Pytester) -> None:
    (project.path / "conftest.py").write_text(WEAK_BUDGET)
    (project.path / "tests" / "test_mine.py").write_text(
        "def test_undecided_is_not_agreement(tp4):\n"
        "    result = tp4.check('mup', depth=1, statements=['maximal_updates'])\n"
        "    assert result.verdict.value == 'undecided' and not result.agrees and result.exit_code == 3\n")
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "--tp4-spec", "mup",
                                          "--tp4-depth", "1", "-k", "maximal or undecided", "tests")
    result.assert_outcomes(passed=1, failed=1)  # the user's assertion passes; the collected check fails
    out = result.stdout.str()
    assert "tp4[mup-L1-tanh-maximal_updates]" in out and "undecided" in out and "too wide to decide" in out


def test_tp4_spec_fixture_parametrizes_the_users_tests(project: pytest.Pytester) -> None:
    (project.path / "tests" / "test_specs.py").write_text(
        "def test_each(tp4_spec):\n    assert tp4_spec.depth == 1\n")
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "tests", "--tp4-spec", "mup",
                                          "--tp4-spec", "ntp", "--tp4-depth", "1", "-k", "test_each")
    result.assert_outcomes(passed=2)
    skipped = project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "tests", "-k", "test_each")
    skipped.assert_outcomes(skipped=1)


@pytest.mark.parametrize("args", [["--tp4-spec", "up:2"], ["--tp4-spec", "mup", "--tp4-depth", "0"],
                                  ["--tp4-profile", "weekly"], ["--tp4-spec", "mup", "--tp4-against", "a=0;b=0;c=0"]])
def test_bad_options_are_usage_errors(project: pytest.Pytester, args: list[str]) -> None:
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", *args)
    assert result.ret in (pytest.ExitCode.USAGE_ERROR, 2), result.stderr.str()
    assert "Traceback" not in result.stderr.str()


def test_tp4_model_collects_a_check_of_the_users_model(project: pytest.Pytester) -> None:
    from pathlib import Path

    adam = f"{Path(__file__).resolve().parents[1] / 'examples' / 'mup_adam.py'}:build"
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "-v", "--tp4-model", adam)
    result.assert_outcomes(passed=1)
    assert "tp4-model[" in result.stdout.str()
    # an expectation that cannot be judged beyond the paper is undecided: the item fails, never passes
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "--tp4-model", adam,
                                          "--tp4-expect", "mup")
    result.assert_outcomes(failed=1)
    assert "expected mup: undecided" in result.stdout.str()
