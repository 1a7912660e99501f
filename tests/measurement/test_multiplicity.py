"""Family-wise error helpers: Bonferroni / Šidák per-check α, Holm's step-down rejections."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.measurement import ci_level, holm_reject, holm_thresholds, per_check_alpha


def test_per_check_alpha() -> None:
    assert per_check_alpha(0.05, 10) == pytest.approx(0.005)
    assert per_check_alpha(0.05, 1) == pytest.approx(0.05)
    sidak = per_check_alpha(0.05, 10, method="sidak")
    assert 0.005 < sidak < 0.0052
    assert 1 - (1 - sidak) ** 10 == pytest.approx(0.05)
    assert ci_level(per_check_alpha(0.05, 10)) == pytest.approx(0.995)


@pytest.mark.parametrize("args", [(0.0, 3), (1.0, 3), (0.05, 0), (0.05, True), (0.05, 2.5)])
def test_per_check_alpha_rejects_bad_input(args: tuple) -> None:
    with pytest.raises(ValueError):
        per_check_alpha(*args)


def test_holm_textbook_example() -> None:
    # m = 4, α = 0.05: thresholds .0125, .01667, .025, .05 against sorted p .01, .02, .03, .04
    assert holm_thresholds(0.05, 4) == pytest.approx((0.0125, 0.05 / 3, 0.025, 0.05))
    assert holm_reject([0.04, 0.01, 0.03, 0.02], 0.05) == (False, True, False, False)
    assert holm_reject([0.001, 0.011, 0.02, 0.04], 0.05) == (True, True, True, True)
    assert holm_reject([float("nan"), 0.001], 0.05) == (False, True)
    assert holm_reject([], 0.05) == ()


@given(st.lists(st.floats(0, 1), min_size=1, max_size=30), st.floats(0.001, 0.2))
def test_holm_is_between_bonferroni_and_unadjusted(p: list[float], alpha: float) -> None:
    rej = np.array(holm_reject(p, alpha))
    pa = np.asarray(p)
    assert np.all(rej[pa <= alpha / len(p)])  # Holm rejects everything Bonferroni rejects
    assert not np.any(rej[pa > alpha])  # and nothing an unadjusted test would keep
