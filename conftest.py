"""Suite-wide configuration: hypothesis profiles and the ``--tp4-spec`` option.

Profiles (pick with ``HYPOTHESIS_PROFILE=NAME`` or pytest's ``--hypothesis-profile NAME``):

* ``dev`` (default outside CI): few examples, quick feedback while editing;
* ``ci`` (default when ``CI`` is set): derandomized, no example database, no deadline — the same
  examples on every run and every xdist worker;
* ``nightly``: many examples (theorem checks also use larger widths and more seeds).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=10, **_COMMON)
settings.register_profile("ci", max_examples=20, derandomize=True, database=None, print_blob=True, **_COMMON)
settings.register_profile("nightly", max_examples=200, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def pytest_report_header(config) -> str:  # noqa: ANN001 - pytest hook signature
    return f"tp4: hypothesis profile {settings._current_profile!r}"
