"""The symmetry of Eq. (5) — Section 3.

*In words:* shifting every aₗ up by θ, every bₗ down by θ and c down by 2θ changes nothing about
training: the same random draws give the same function fₜ(ξ) at every width and step. So every
statement of the theory — stability and which conditions fail, nontriviality, regime, r and the
r_l, maximal updates, µP membership, every predicted exponent — must be invariant, and the least
stable c moves by exactly −2θ.

Negative control: Definition 3.2 with the standalone + c dropped is not invariant.

Finite width (:mod:`impl.checks.symmetry`): p and its Eq. (5) shift, simulated from the same draws
(φ ∈ {tanh, σ-gelu}, random η and data), record bit-identical quantities at every width of the profile
and every step. Negative control: shifting a and b without c → c − 2θ changes the trajectories.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.checks import ROUTINE, check_symmetry
from impl.measurement import Verdict
from impl.simulation import Routine
from impl.strategies import lattice, parametrizations, routines
from impl.theory import Parametrization, classification, exponents, mup
from theorem_checks.breakage import r_without_lr_term
from theorem_checks.suite import (
    BUDGET,
    SWEEPS,
    assert_check_fails,
    exact_settings,
    finite_settings,
)

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


@exact_settings()
@given(PAIRS)
def test_every_verdict_and_exponent_is_invariant_under_eq5(case: tuple[Parametrization, Fraction]) -> None:
    invariant_under_shift(case)


def test_negative_control_non_invariant_r(monkeypatch: pytest.MonkeyPatch) -> None:
    r_without_lr_term(monkeypatch)
    assert_check_fails(PAIRS, invariant_under_shift)


# --- Finite width: identical trajectories at every width -----------------------------------------


@finite_settings()
@given(parametrizations(depth=st.integers(1, 3), regime="any"), lattice(Fraction(-1), Fraction(1)), routines())
def test_eq5_shifted_parametrizations_train_identically_at_every_width(p: Parametrization, theta: Fraction,
                                                                       routine: Routine) -> None:
    result = check_symmetry(p, p.shift(theta), routine, BUDGET, sweeps=SWEEPS)
    assert result.agrees, str(result)


def test_negative_control_shift_without_the_learning_rate_term() -> None:
    p = mup(2)
    assert check_symmetry(p, p.shift(Fraction(1, 2)), ROUTINE, BUDGET, sweeps=SWEEPS).agrees
    wrong = check_symmetry(p, p.shift(Fraction(1, 2)).with_c(p.c), ROUTINE, BUDGET, sweeps=SWEEPS)
    assert wrong.verdict is Verdict.DISAGREE, str(wrong)
