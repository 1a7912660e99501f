"""Suite-wide configuration: hypothesis profiles and the ``--tp4-spec`` option.

Profiles (pick with ``HYPOTHESIS_PROFILE=NAME`` or pytest's ``--hypothesis-profile NAME``):

* ``dev`` (default outside CI): few examples, quick feedback while editing;
* ``ci`` (default when ``CI`` is set): derandomized, no example database, no deadline — the same
  examples on every run and every xdist worker;
* ``nightly``: many examples (theorem checks also use larger widths and more seeds).

The finite-width theorem checks read the active profile through ``theorem_checks/finite.py`` (its
``BUDGETS``: widths, seeds, examples). ``--tp4-spec SPEC`` (with ``--tp4-depth L`` for a preset)
also runs them on a parametrization of your own: ``theorem_checks/check_user_spec.py``.
"""

from __future__ import annotations

import os

import pytest

from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=10, **_COMMON)
settings.register_profile("ci", max_examples=20, derandomize=True, database=None, print_blob=True, **_COMMON)
settings.register_profile("nightly", max_examples=200, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def pytest_report_header(config) -> str:  # noqa: ANN001 - pytest hook signature
    return f"tp4: hypothesis profile {settings._current_profile!r}"


def pytest_addoption(parser) -> None:  # noqa: ANN001 - pytest hook signature
    parser.addoption(
        "--tp4-spec",
        action="store",
        default=None,
        metavar="SPEC",
        help="run the finite-width theorem checks on this parametrization too (tp4 spec grammar, e.g. "
        "'up:1/4' or 'a=-1/2,0,1/2;b=1/2,1/2,1/2;c=0'; depth from --tp4-depth, default 2)",
    )
    parser.addoption("--tp4-depth", action="store", default=None, type=int, metavar="L",
                     help="depth L for a preset --tp4-spec (default 2)")


@pytest.fixture
def tp4_spec(request):  # noqa: ANN001, ANN201 - pytest fixture
    """The user's parametrization from ``--tp4-spec`` (skips the test when none was given)."""
    from impl.theory import SpecError, parse_spec

    spec = request.config.getoption("--tp4-spec")
    if spec is None:
        pytest.skip("no --tp4-spec given")
    try:
        return parse_spec(spec, depth=request.config.getoption("--tp4-depth"))
    except (SpecError, ValueError) as err:
        raise pytest.UsageError(f"--tp4-spec {spec!r}: {err}") from None
