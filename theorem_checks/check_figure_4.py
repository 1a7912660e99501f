"""Figure 4 (Section 9.1) reproduced as a test — the limits of Section 6; the check is :mod:`impl.checks.figure4`.

*In words:* µP networks of growing width, trained by SGD on random ±1 data, approach the analytic
infinite-width limit: for φ(x) = x² and φ(x) = x and the three networks (depth 1, depth 2 with decoupled
backprop, depth 2), the finite networks' loss curves concentrate around the limit's, and fₜ − f̊ₜ shrinks
with width. Both claims must hold on all six panels.

Negative controls (same networks, judged against a wrong limit): the depth-2 x² networks against
Theorem 6.3's limit (decoupled backprop) instead of Theorem 6.4's, and the depth-1 x networks against the
limit at 1.1·η, must disagree.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import pytest

from impl.checks.figure4 import check_figure4_panel, figure4_panel, figure4_settings
from impl.limits.archs import limit_for
from impl.limits.figure4 import Figure4Panel
from impl.measurement import Verdict
from theorem_checks.suite import BUDGET

SETTINGS = figure4_settings(BUDGET)


@lru_cache(maxsize=None)
def panel_of(phi: str, arch: str) -> Figure4Panel:
    """One panel, computed once per process (a negative control on another xdist worker recomputes only its own)."""
    return figure4_panel(SETTINGS, phi, arch)


@pytest.mark.slow
def test_figure_4_finite_networks_approach_the_limit() -> None:
    results = [check_figure4_panel(panel_of(phi, arch), BUDGET) for phi in SETTINGS.phis for arch in SETTINGS.archs]
    assert len(results) == 6
    assert all(r.agrees for r in results), "\n".join(str(r) for r in results if not r.agrees)


@pytest.mark.slow
@pytest.mark.parametrize("phi,arch,wrong", [("square", "mlp2", "theorem-6.3"), ("identity", "mlp1", "eta+10%")])
def test_negative_control_wrong_limit_is_rejected(phi: str, arch: str, wrong: str) -> None:
    panel = panel_of(phi, arch)
    routine, data = panel.routine, panel.data
    if wrong == "theorem-6.3":
        limit = limit_for("mlp2-decoupled", replace(routine, decoupled=True), data=data, particles=SETTINGS.particles)
    else:
        limit = limit_for(arch, replace(routine, lr=1.1 * routine.lr), data=data, particles=SETTINGS.particles)
    assert check_figure4_panel(panel, BUDGET).agrees
    result = check_figure4_panel(panel, BUDGET, limit=limit)
    assert result.verdict is Verdict.DISAGREE, str(result)
