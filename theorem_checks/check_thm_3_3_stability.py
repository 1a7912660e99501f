"""Theorem 3.3 (stability) at finite width — Section 3.2, App. H.4.

*In words:* an abc-parametrization is stable — at initialisation and after any O(1) SGD steps
every pre-activation, activation and the output stay O(1) coordinatewise as width n → ∞ — iff
a₁+b₁ = 0, aₗ+bₗ = ½ (2 ≤ l ≤ L), a_{L+1}+b_{L+1} ≥ ½ (Eq. 6, Thm H.19), r ≥ 0 (Eq. 7),
2a_{L+1}+c ≥ 1 and a_{L+1}+b_{L+1}+r ≥ 1 (Eq. 8).

Finite-width checks (φ ∈ {tanh, σ-gelu}, random η and data): a stable draw keeps every tracked
quantity bounded (no fitted width exponent above +δ) after two steps; an unstable draw that
violates one condition makes the quantity that condition governs (``Condition.governs``) grow —
and, for a too-small initial scale, vanish (at initialisation for Eq. 6; for Eqs. 7–8 after the first
step, or the second when the one-step lag of App. H.3 applies — later, saturation of φ can hide it).

Negative controls: µP's measurements judged with the claims of an unstable twin (µP with the output
multiplier a_{L+1} = ¼, the body rebalanced so that only 2a_{L+1}+c ≥ 1 fails) must fail, and so must
the twin's measurements judged with the stable claim "everything bounded".

Finding (not a check): when r < 0 *and* a_{L+1}+b_{L+1}+r < 1 fail together with a_{L+1}+b_{L+1} = 1
(e.g. µP with c = −½), ``predicted_behaviours`` says W₀^{L+1}Δx^L grows, but with a bounded φ the
exploding Δh saturates Δx at Θ(1), so W₀^{L+1}Δx^L = Θ(n^{1−a_{L+1}−b_{L+1}}) = Θ(1): measured slope
+0.005 (tanh, widths 64–1024). The strategies violate one training condition at a time, so the
checks below never meet that case.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.strategies import UNSTABLE_CONDITIONS, parametrizations
from impl.theory import Parametrization, classify, mup, quantity_names
from theorem_checks.finite import SLOW_CORRECTION_BIAS, STEPS, Disagreement, feature_step, Routine, confirm, finite_settings, routines, theory_claims

UNSTABLE = st.sampled_from(UNSTABLE_CONDITIONS).flatmap(
    lambda v: parametrizations(depth=st.integers(1, 3), regime="unstable", violate=v)
)


def everything_bounded(p: Parametrization, routine: Routine) -> None:
    """Stable ⇒ no tracked quantity grows with width (Theorem 3.3, "stable" half). With 0 < r < ½
    the n^{−r} corrections decay slowly, so an undecided claim there ends as a warning
    (:data:`SLOW_CORRECTION_BIAS`); a quantity that clearly grows still fails."""
    names = quantity_names(p.depth)
    slow = Fraction(0) < classify(p).r < Fraction(1, 2)
    confirm(p, routine, {name: "bounded" for name in names}, step=STEPS,
            biased={name: SLOW_CORRECTION_BIAS for name in names} if slow else None)


def governed_quantities_misbehave(p: Parametrization, routine: Routine) -> None:
    """Each violated condition ⇒ its governed quantity grows (or vanishes, for a small init scale)."""
    violated = classify(p).violated
    init = [c.governs for c in violated if c.phase == "init"]
    claims = theory_claims(p, quantity_names(p.depth))
    if init:  # Eq. (6) is about initialisation: measure at t = 0, before training can blow up
        confirm(p, routine, {k: v for k, v in claims.items() if k in init}, step=0)
    trained = {k: v for k, v in claims.items() if k not in init}
    if trained:
        confirm(p, routine, trained, step=feature_step(p))


@finite_settings()
@given(parametrizations(depth=st.integers(1, 3), regime="stable"), routines())
def test_stable_parametrizations_keep_every_quantity_bounded(p: Parametrization, routine: Routine) -> None:
    everything_bounded(p, routine)


@finite_settings(factor=2)
@given(UNSTABLE, routines())
def test_each_violated_condition_makes_its_quantity_grow(p: Parametrization, routine: Routine) -> None:
    governed_quantities_misbehave(p, routine)


CONTROL = Routine()
STABLE = mup(2)
UNSTABLE_TWIN = Parametrization.of(["-1/4", "1/4", "1/4"], ["1/4", "1/4", "3/4"], 0)  # 2a_{L+1}+c = 1/2


def test_negative_control_stable_measurements_against_unstable_claims() -> None:
    assert [c.name for c in classify(UNSTABLE_TWIN).violated] == ["2aL+1+c>=1"]
    everything_bounded(STABLE, CONTROL)
    with pytest.raises(Disagreement):
        confirm(STABLE, CONTROL, theory_claims(UNSTABLE_TWIN, quantity_names(2)))


def test_negative_control_unstable_measurements_against_bounded_claim() -> None:
    governed_quantities_misbehave(UNSTABLE_TWIN, CONTROL)
    with pytest.raises(Disagreement):
        everything_bounded(UNSTABLE_TWIN, CONTROL)
