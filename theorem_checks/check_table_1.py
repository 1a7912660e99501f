"""Table 1 of the paper, row by row — Section 3.2.

*In words:* the paper tabulates, for SP, SP with learning rate 1/n, NTP, MFP (L = 1) and µP, the
least stable c, r (Definition 3.2), 2a_{L+1} + c, a_{L+1} + b_{L+1} + r, and whether each is
nontrivial, stable, feature learning and in the kernel regime. The classifier must reproduce every
entry at depths 1–4. (Table 1's r = ½ for SP with LR 1/n assumes L ≥ 2: with one hidden layer
only W¹ is in the body and r = r₁ = 3/2; the other entries are unchanged.)

The expected values below are typed in from the paper, not computed. Negative control: Definition
3.2 with the 𝟙(l = 1) term forgotten gets MFP's and µP's r wrong.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from impl.theory import classification, presets
from theorem_checks.breakage import r_without_first_layer_bonus

F = Fraction
# name: (min c, r, 2a+c, A+r, nontrivial, stable, feature learning, kernel)  — Table 1 as printed.
# SP's r and A + r are not printed (it is unstable); they are not checked.
TABLE_1 = {
    "sp": (F(1), None, F(0), None, False, False, False, False),
    "sp-lr1n": (F(1), F(1, 2), F(1), F(1), True, True, False, True),
    "ntp": (F(0), F(1, 2), F(1), F(1), True, True, False, True),
    "mfp": (F(-1), F(0), F(1), F(1), True, True, True, False),
    "mup": (F(0), F(0), F(1), F(1), True, True, True, False),
}
CASES = [(n, d) for n in TABLE_1 for d in ((1,) if n == "mfp" else (1, 2, 3, 4))]


def row(name: str, depth: int) -> tuple:
    p = presets.preset(name, depth)
    c = classification.classify(p)
    rr = c.r
    if name == "sp-lr1n" and depth == 1:
        assert rr == F(3, 2)  # see module docstring
        rr = F(1, 2)
    return (
        c.min_stable_c,
        rr,
        2 * p.a_out + p.c,
        p.a_out + p.b_out + rr,
        c.nontrivial,
        c.stable,
        c.regime is classification.Regime.FEATURE_LEARNING,
        c.regime is classification.Regime.KERNEL,
    )


def matches_table(name: str, depth: int) -> None:
    got, want = row(name, depth), TABLE_1[name]
    for i, (g, w) in enumerate(zip(got, want)):
        assert w is None or g == w, f"{name} L={depth} column {i}: got {g}, Table 1 says {w}"


@pytest.mark.parametrize("name,depth", CASES)
def test_table_1_row(name: str, depth: int) -> None:
    matches_table(name, depth)


def test_negative_control_forgotten_first_layer_term(monkeypatch: pytest.MonkeyPatch) -> None:
    r_without_first_layer_bonus(monkeypatch)
    with pytest.raises(AssertionError):
        for name, depth in CASES:
            matches_table(name, depth)
