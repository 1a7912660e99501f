"""MFP ≡ µP for L = 1 — Section 3.1, Table 1 and Eq. (5).

*In words:* for a 1-hidden-layer network the mean-field parametrization (a = (0, 1), b = (0, 0),
c = −1) is µP (a = (−½, ½), b = (½, ½), c = 0) in disguise: the Eq. (5) shift θ = −½ maps one
onto the other, so the two train identically at every width.

Negative control: a mistyped MFP (a₂ = ½) is not equivalent to µP.
"""

from __future__ import annotations

from fractions import Fraction

from impl.theory import Parametrization, classification, presets


def mfp_is_mup(mfp: Parametrization) -> bool:
    mup = presets.mup(1)
    return mfp.equivalent(mup) and mfp.shift(Fraction(-1, 2)) == mup


def test_mfp_is_mup_under_eq5() -> None:
    assert mfp_is_mup(presets.mfp(1))
    assert classification.classify(presets.mfp(1)).mup_class


def test_negative_control_mistyped_mfp() -> None:
    wrong = Parametrization.of([0, "1/2"], [0, 0], -1)
    assert not mfp_is_mup(wrong)
