"""decide(): the equivalence rule against an exponent, the thresholds of a behaviour, and the trend."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from impl.measurement import DEFAULT_MARGIN, BlowUp, ConfidenceInterval, ExponentFit, Trend, Verdict, decide, describe_claim, fit_exponent
from impl.theory import Behaviour

F = Fraction
WIDTHS = (64, 256, 1024, 4096)


def fit_with_ci(lo: float, hi: float, *, n_seeds: int = 8) -> ExponentFit:
    """A fit whose interval is exactly [lo, hi] (the rule only reads the interval)."""
    return ExponentFit(
        slope=(lo + hi) / 2, intercept=0.0, ci=ConfidenceInterval(lo, hi), level=0.95, n_seeds=n_seeds, widths=WIDTHS,
        rms=np.ones(len(WIDTHS)), stderr=0.0, method="percentile",
    )


@pytest.mark.parametrize(
    "lo, hi, predicted, verdict",
    [
        (-0.55, -0.45, F(-1, 2), Verdict.AGREE),
        (-0.65, -0.35, F(-1, 2), Verdict.AGREE),  # edges are inclusive
        (-0.30, -0.20, F(-1, 2), Verdict.DISAGREE),  # entirely above
        (-0.80, -0.70, F(-1, 2), Verdict.DISAGREE),  # entirely below
        (-0.40, -0.30, F(-1, 2), Verdict.UNDECIDED),  # straddles the upper edge -0.35
        (-0.70, -0.60, F(-1, 2), Verdict.UNDECIDED),  # straddles the lower edge
        (-0.90, -0.10, F(-1, 2), Verdict.UNDECIDED),  # covers the whole band
        (-0.20, -0.10, F(-1, 4), Verdict.AGREE),
        (0.20, 0.30, F(0), Verdict.DISAGREE),
    ],
)
def test_against_prediction(lo: float, hi: float, predicted: Fraction, verdict: Verdict) -> None:
    d = decide(fit_with_ci(lo, hi), predicted)
    assert d.verdict == verdict
    assert d.claim == predicted and d.exponent == predicted and d.margin == DEFAULT_MARGIN and d.reason
    assert d.ci == (lo, hi) and d.ci.low == lo and d.ci.high == hi


@pytest.mark.parametrize(
    "lo, hi, trend",
    [
        (0.20, 0.40, Trend.GROWS),
        (-0.60, -0.40, Trend.VANISHES),
        (-0.10, 0.10, Trend.THETA1),
        (-0.15, 0.15, Trend.THETA1),
        (-0.30, 0.10, Trend.BOUNDED),
        (-0.30, -0.15, Trend.BOUNDED),
        (0.10, 0.20, Trend.UNRESOLVED),
        (-0.30, 0.30, Trend.UNRESOLVED),
    ],
)
def test_without_a_claim_the_verdict_is_na_and_the_trend_describes_the_fit(lo: float, hi: float, trend: Trend) -> None:
    d = decide(fit_with_ci(lo, hi), None)
    assert d.verdict == Verdict.NOT_APPLICABLE and d.trend == trend and d.claim is None
    assert decide(fit_with_ci(lo, hi), Fraction(0)).trend == trend  # the trend does not depend on the claim


def test_margin_is_a_parameter() -> None:
    f = fit_with_ci(-0.40, -0.30)
    assert decide(f, F(-1, 2), margin=0.15).verdict == Verdict.UNDECIDED
    assert decide(f, F(-1, 2), margin=0.25).verdict == Verdict.AGREE
    assert decide(f, F(-1, 2), margin=0.05).verdict == Verdict.DISAGREE
    with pytest.raises(ValueError):
        decide(f, F(0), margin=0.0)


def test_verdict_is_a_string() -> None:
    d = decide(fit_with_ci(-0.1, 0.1), F(0))
    assert d.verdict == "agree" and str(d.verdict) == "agree"


def test_combine_is_all_of() -> None:
    A, D, U, N = Verdict.AGREE, Verdict.DISAGREE, Verdict.UNDECIDED, Verdict.NOT_APPLICABLE
    assert Verdict.combine([A, A, N]) is A
    assert Verdict.combine([A, U, N]) is U
    assert Verdict.combine([U, D, A]) is D
    assert Verdict.combine([N]) is N and Verdict.combine([]) is N


def test_blowup_is_growth_evidence_without_a_claim_and_undecided_against_an_exponent() -> None:
    b = BlowUp(width=1024, step=2, seed=5, count=3)
    grows = decide(b, None)
    assert grows.trend == Trend.GROWS and grows.verdict == Verdict.NOT_APPLICABLE and grows.blowup == b and grows.fit is None
    assert "blew up at width 1024, step 2" in grows.reason
    with_pred = decide(b, F(-1, 2))
    assert with_pred.verdict == Verdict.UNDECIDED and "blew up" in with_pred.reason
    assert np.isnan(with_pred.slope) and all(np.isnan(with_pred.ci))


def test_unusable_fits_are_undecided_and_zero_is_its_own_trend() -> None:
    zeros = fit_exponent(WIDTHS, np.zeros((4, 3)))
    assert decide(zeros, F(0)).verdict == Verdict.DISAGREE and decide(zeros, F(0)).trend == Trend.ZERO
    assert decide(zeros, None).trend == Trend.ZERO and decide(zeros, None).verdict == Verdict.NOT_APPLICABLE
    assert decide(zeros, Behaviour.BOUNDED).verdict == Verdict.AGREE  # exactly 0 does not grow
    partial = np.ones((4, 3))
    partial[1] = 0.0
    assert decide(fit_exponent(WIDTHS, partial), F(0)).verdict == Verdict.UNDECIDED
    one_seed = fit_exponent(WIDTHS, np.ones((4, 1)))
    d = decide(one_seed, F(0))
    assert d.verdict == Verdict.UNDECIDED and "seed" in d.reason
    assert decide(fit_with_ci(-0.05, 0.05, n_seeds=3), F(0), min_seeds=4).verdict == Verdict.UNDECIDED
    assert decide(fit_with_ci(float("nan"), 0.1), F(0)).verdict == Verdict.UNDECIDED


@pytest.mark.parametrize("offset", [F(1, 4), F(-1, 4), F(1, 2), F(-1, 2)])
@pytest.mark.parametrize("bias_d", [-3.0, 0.0, 3.0])
def test_negative_controls_never_agree(offset: Fraction, bias_d: float) -> None:
    """A prediction off by 1/4 or 1/2 is never 'agree' at noise sd 0.02, worst-case bias."""
    rng = np.random.default_rng(int(4 * offset) + 10 * int(bias_d) + 100)
    widths = tuple(2**k for k in range(6, 14))
    for _ in range(5):
        n = np.asarray(widths, float)[:, None]
        v = n**-0.5 * (1 + bias_d / np.sqrt(n)) * np.exp(0.02 * rng.standard_normal((len(widths), 8)))
        fit = fit_exponent(widths, v, rng=rng)
        assert decide(fit, F(-1, 2) + offset).verdict != Verdict.AGREE
        assert decide(fit, F(-1, 2)).verdict == Verdict.AGREE  # and the right prediction passes


@pytest.mark.parametrize(
    "lo, hi, claim, verdict",
    [
        (0.20, 0.40, "grows", Verdict.AGREE),
        (-0.10, 0.10, "grows", Verdict.DISAGREE),
        (-0.60, -0.40, "grows", Verdict.DISAGREE),
        (0.10, 0.20, "grows", Verdict.UNDECIDED),
        (-1.10, -0.90, "vanishes", Verdict.AGREE),
        (-0.10, 0.10, "vanishes", Verdict.DISAGREE),
        (-0.20, -0.10, "vanishes", Verdict.UNDECIDED),
        (-0.10, 0.10, "theta1", Verdict.AGREE),
        (0.20, 0.30, "theta1", Verdict.DISAGREE),
        (-0.60, 0.15, "bounded", Verdict.AGREE),
        (-0.10, 0.10, "bounded", Verdict.AGREE),
        (0.10, 0.20, "bounded", Verdict.UNDECIDED),
        (0.20, 0.40, "bounded", Verdict.DISAGREE),
    ],
)
def test_against_a_behaviour(lo: float, hi: float, claim: str, verdict: Verdict) -> None:
    d = decide(fit_with_ci(lo, hi), claim)
    assert d.verdict == verdict and d.claim == Behaviour(claim) and d.reason


def test_behaviours_and_blowups() -> None:
    b = BlowUp(width=256, step=1, seed=0)
    assert decide(b, "grows").verdict == Verdict.AGREE
    assert decide(b, "vanishes").verdict == Verdict.UNDECIDED
    assert decide(b, "bounded").verdict == Verdict.DISAGREE
    with pytest.raises(ValueError):
        decide(b, "wiggles")
    assert decide(fit_with_ci(-0.55, -0.45), "-1/2").claim == F(-1, 2)  # exponents may be given as text


def test_exactly_zero_is_decided_exactly() -> None:
    """Behaviour.ZERO (a zero readout's f₀): all zeros agree; one nonzero size disagrees, whatever its slope; a
    blow-up is undecided. An all-zero size refutes every claim of a nonzero size and agrees with vanishing."""
    zeros = fit_exponent(WIDTHS, np.zeros((4, 3)))
    assert decide(zeros, Behaviour.ZERO).verdict == Verdict.AGREE and decide(zeros, "zero").verdict == Verdict.AGREE
    assert decide(zeros, Behaviour.VANISHES).verdict == Verdict.AGREE
    for claim in (F(-1, 2), Behaviour.THETA1, Behaviour.GROWS):
        assert decide(zeros, claim).verdict == Verdict.DISAGREE
    tiny = np.zeros((4, 3))
    tiny[2, 1] = 1e-300
    d = decide(fit_exponent(WIDTHS, tiny), Behaviour.ZERO)
    assert d.verdict == Verdict.DISAGREE and str(WIDTHS[2]) in d.reason
    noisy = fit_exponent(WIDTHS, np.exp(np.random.default_rng(0).normal(-5, 0.1, (4, 3))))
    assert decide(noisy, Behaviour.ZERO).verdict == Verdict.DISAGREE
    blown = decide(BlowUp(width=1024, step=2, seed=0), Behaviour.ZERO)
    assert blown.verdict == Verdict.UNDECIDED and "exactly 0" in blown.reason
    assert describe_claim(Behaviour.ZERO) == "= 0"
