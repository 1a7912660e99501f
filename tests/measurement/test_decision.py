"""decide(): the equivalence rule against a prediction and the descriptive rule without one."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from impl.measurement import DEFAULT_MARGIN, BlowUp, ExponentFit, Verdict, decide, fit_exponent

F = Fraction
WIDTHS = (64, 256, 1024, 4096)


def fit_with_ci(lo: float, hi: float, *, n_seeds: int = 8) -> ExponentFit:
    """A fit whose interval is exactly [lo, hi] (the rule only reads the interval)."""
    return ExponentFit(
        slope=(lo + hi) / 2, intercept=0.0, ci=(lo, hi), level=0.95, n_seeds=n_seeds, widths=WIDTHS,
        rms=np.ones(len(WIDTHS)), stderr=0.0, method="percentile",
    )


@pytest.mark.parametrize(
    "lo, hi, predicted, verdict",
    [
        (-0.55, -0.45, F(-1, 2), Verdict.CONSISTENT),
        (-0.65, -0.35, F(-1, 2), Verdict.CONSISTENT),  # edges are inclusive
        (-0.30, -0.20, F(-1, 2), Verdict.INCONSISTENT),  # entirely above
        (-0.80, -0.70, F(-1, 2), Verdict.INCONSISTENT),  # entirely below
        (-0.40, -0.30, F(-1, 2), Verdict.INCONCLUSIVE),  # straddles the upper edge -0.35
        (-0.70, -0.60, F(-1, 2), Verdict.INCONCLUSIVE),  # straddles the lower edge
        (-0.90, -0.10, F(-1, 2), Verdict.INCONCLUSIVE),  # covers the whole band
        (-0.20, -0.10, F(-1, 4), Verdict.CONSISTENT),
        (0.20, 0.30, F(0), Verdict.INCONSISTENT),
    ],
)
def test_against_prediction(lo: float, hi: float, predicted: Fraction, verdict: Verdict) -> None:
    d = decide(fit_with_ci(lo, hi), predicted)
    assert d.verdict == verdict
    assert d.predicted == predicted and d.margin == DEFAULT_MARGIN and d.reason
    assert d.ci == (lo, hi)


@pytest.mark.parametrize(
    "lo, hi, verdict",
    [
        (0.20, 0.40, Verdict.GROWS),
        (-0.60, -0.40, Verdict.VANISHES),
        (-0.10, 0.10, Verdict.THETA1),
        (-0.15, 0.15, Verdict.THETA1),
        (-0.30, 0.10, Verdict.BOUNDED),
        (-0.30, -0.15, Verdict.BOUNDED),
        (0.10, 0.20, Verdict.INCONCLUSIVE),
        (-0.30, 0.30, Verdict.INCONCLUSIVE),
    ],
)
def test_without_prediction(lo: float, hi: float, verdict: Verdict) -> None:
    assert decide(fit_with_ci(lo, hi), None).verdict == verdict


def test_margin_is_a_parameter() -> None:
    f = fit_with_ci(-0.40, -0.30)
    assert decide(f, F(-1, 2), margin=0.15).verdict == Verdict.INCONCLUSIVE
    assert decide(f, F(-1, 2), margin=0.25).verdict == Verdict.CONSISTENT
    assert decide(f, F(-1, 2), margin=0.05).verdict == Verdict.INCONSISTENT
    with pytest.raises(ValueError):
        decide(f, F(0), margin=0.0)


def test_verdict_is_a_string() -> None:
    d = decide(fit_with_ci(-0.1, 0.1), F(0))
    assert d.verdict == "consistent" and str(d.verdict) == "consistent"


def test_blowup_is_growth_evidence_without_prediction_and_inconclusive_with_one() -> None:
    b = BlowUp(width=1024, step=2, seed=5, count=3)
    grows = decide(b, None)
    assert grows.verdict == Verdict.GROWS and grows.blowup == b and grows.fit is None
    assert "blew up at width 1024, step 2" in grows.reason
    with_pred = decide(b, F(-1, 2))
    assert with_pred.verdict == Verdict.INCONCLUSIVE and "blew up" in with_pred.reason
    assert np.isnan(with_pred.slope) and all(np.isnan(with_pred.ci))


def test_unusable_fits_are_inconclusive_and_zero_is_its_own_verdict() -> None:
    zeros = fit_exponent(WIDTHS, np.zeros((4, 3)))
    assert decide(zeros, F(0)).verdict == Verdict.ZERO
    assert decide(zeros, None).verdict == Verdict.ZERO
    partial = np.ones((4, 3))
    partial[1] = 0.0
    assert decide(fit_exponent(WIDTHS, partial), F(0)).verdict == Verdict.INCONCLUSIVE
    one_seed = fit_exponent(WIDTHS, np.ones((4, 1)))
    d = decide(one_seed, F(0))
    assert d.verdict == Verdict.INCONCLUSIVE and "seed" in d.reason
    assert decide(fit_with_ci(-0.05, 0.05, n_seeds=3), F(0), min_seeds=4).verdict == Verdict.INCONCLUSIVE
    assert decide(fit_with_ci(float("nan"), 0.1), F(0)).verdict == Verdict.INCONCLUSIVE


@pytest.mark.parametrize("offset", [F(1, 4), F(-1, 4), F(1, 2), F(-1, 2)])
@pytest.mark.parametrize("bias_d", [-3.0, 0.0, 3.0])
def test_negative_controls_are_never_consistent(offset: Fraction, bias_d: float) -> None:
    """A prediction off by 1/4 or 1/2 is never 'consistent' at noise sd 0.02, worst-case bias."""
    rng = np.random.default_rng(int(4 * offset) + 10 * int(bias_d) + 100)
    widths = tuple(2**k for k in range(6, 14))
    for _ in range(5):
        n = np.asarray(widths, float)[:, None]
        v = n**-0.5 * (1 + bias_d / np.sqrt(n)) * np.exp(0.02 * rng.standard_normal((len(widths), 8)))
        fit = fit_exponent(widths, v, rng=rng)
        assert decide(fit, F(-1, 2) + offset).verdict != Verdict.CONSISTENT
        assert decide(fit, F(-1, 2)).verdict == Verdict.CONSISTENT  # and the right prediction passes


@pytest.mark.parametrize(
    "lo, hi, expected, verdict",
    [
        (0.20, 0.40, "grows", Verdict.CONSISTENT),
        (-0.10, 0.10, "grows", Verdict.INCONSISTENT),
        (-0.60, -0.40, "grows", Verdict.INCONSISTENT),
        (0.10, 0.20, "grows", Verdict.INCONCLUSIVE),
        (-1.10, -0.90, "vanishes", Verdict.CONSISTENT),
        (-0.10, 0.10, "vanishes", Verdict.INCONSISTENT),
        (-0.20, -0.10, "vanishes", Verdict.INCONCLUSIVE),
        (-0.10, 0.10, "theta1", Verdict.CONSISTENT),
        (0.20, 0.30, "theta1", Verdict.INCONSISTENT),
    ],
)
def test_against_a_qualitative_prediction(lo: float, hi: float, expected: str, verdict: Verdict) -> None:
    d = decide(fit_with_ci(lo, hi), None, expected=expected)
    assert d.verdict == verdict and d.expected == expected and d.reason


def test_qualitative_prediction_and_blowups() -> None:
    b = BlowUp(width=256, step=1, seed=0)
    assert decide(b, None, expected="grows").verdict == Verdict.CONSISTENT
    assert decide(b, None, expected="vanishes").verdict == Verdict.INCONCLUSIVE
    with pytest.raises(ValueError):
        decide(b, None, expected="wiggles")
    # an exponent, when there is one, takes precedence over the behaviour
    assert decide(fit_with_ci(-0.55, -0.45), F(-1, 2), expected="vanishes").verdict == Verdict.CONSISTENT
