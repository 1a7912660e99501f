"""The symmetry of Eq. (5) — Section 3.

*In words:* shifting every aₗ up by θ, every bₗ down by θ and c down by 2θ changes nothing about
training: the same random draws give the same function fₜ(ξ) at every width and step. So every
statement of the theory — stability and which conditions fail, nontriviality, regime, r and the
r_l, maximal updates, µP membership, every predicted exponent — must be invariant, and the least
stable c moves by exactly −2θ.

(The finite-width counterpart, identical trajectories, is checked in the engine's tests.)
Negative control: Definition 3.2 with the standalone + c dropped is not invariant.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.strategies import lattice, parametrizations
from impl.theory import Parametrization, classification, exponents
from theorem_checks.breakage import r_without_lr_term
from theorem_checks.support import assert_check_fails, theory_settings

PAIRS = st.tuples(parametrizations(regime="any"), lattice(Fraction(-3), Fraction(3)))


def _verdicts(p: Parametrization) -> tuple:
    c = classification.classify(p)
    return (
        c.stable,
        tuple(v.name for v in c.violated),
        c.nontrivial,
        c.regime,
        c.r,
        c.r_layers,
        c.maximal,
        c.mup_class,
        tuple(exponents.predicted_exponents(p).items()),
        tuple(exponents.predicted_exponents(p, step=1).items()),
    )


def invariant_under_shift(case: tuple[Parametrization, Fraction]) -> None:
    p, theta = case
    q = p.shift(theta)
    assert _verdicts(p) == _verdicts(q), f"{p} vs shift by {theta}"
    assert p.canonical() == q.canonical()
    cp, cq = classification.min_stable_c(p), classification.min_stable_c(q)
    assert (cp is None and cq is None) or (cq == cp - 2 * theta), f"min c {cp} -> {cq}"


@theory_settings()
@given(PAIRS)
def test_every_verdict_and_exponent_is_invariant_under_eq5(case: tuple[Parametrization, Fraction]) -> None:
    invariant_under_shift(case)


def test_negative_control_non_invariant_r(monkeypatch: pytest.MonkeyPatch) -> None:
    r_without_lr_term(monkeypatch)
    assert_check_fails(PAIRS, invariant_under_shift)
