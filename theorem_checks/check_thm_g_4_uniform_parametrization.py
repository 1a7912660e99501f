"""Theorem G.4 (uniform parametrizations UP_r) — App. G.

*In words:* for every r ∈ [0, ½] there is exactly one stable parametrization (modulo Eq. 5) whose
r-value is r, whose body is updated uniformly (r_l = r for every hidden layer, Prop. G.2) and whose
output layer is both initialised and updated maximally: UP_r, with aₗ = r − ½·𝟙(l=1) (l ≤ L),
a_{L+1} = ½, bₗ = ½ − r, c = 0. UP₀ = µP, UP_{1/2} = NTP; for r > ½ the same recipe is unstable
(W₀ would be Θ(n^{r−1}) and the initial GP blows up).

Negative control: a UP_r built with a_{L+1} = ½ − r is not the parametrization of the theorem.

Finite width (:mod:`impl.checks.uniform`; φ ∈ {tanh, σ-gelu}, random η and data, r ∈ {⅛, ¼, ⅜, ½},
L = 1–3): every ``delta_W{l}_x`` and ``delta_x{L}`` is measured at exponent −r, ``delta_Wout_x`` and
``Wout0_delta_x`` at 0. Negative control: UP_{1/4}'s measurements judged as UP_0 (µP) and as UP_{1/2}
(NTP), exponents off by ¼, must disagree.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.checks import ROUTINE, check_uniform_parametrization
from impl.checks.uniform import uniform_r
from impl.measurement import Verdict
from impl.simulation import Routine
from impl.strategies import depths, lattice, parametrizations, routines
from impl.theory import Parametrization, classification, presets
from theorem_checks.breakage import up_with_wrong_output_a
from theorem_checks.suite import (
    BUDGET,
    SWEEPS,
    assert_check_fails,
    exact_settings,
    finite_settings,
)

HALF = Fraction(1, 2)
R_AND_DEPTH = st.tuples(lattice(Fraction(0), HALF, Fraction(1, 8)), depths())


def up_r_has_the_properties(case: tuple[Fraction, int]) -> None:
    r, depth = case
    c = classification.classify(presets.up(r, depth))
    assert c.r == r, f"UP_{r}: r-value {c.r}"
    assert uniform_r(c), f"UP_{r} L={depth}: {c}"


def uniform_and_maximal_only_for_up_r(p: Parametrization) -> None:
    c = classification.classify(p)
    if uniform_r(c):
        assert 0 <= c.r <= HALF
        assert p.equivalent(presets.up(c.r, p.depth)), f"{p} is uniform+maximal but not UP_{c.r}"


@exact_settings()
@given(R_AND_DEPTH)
def test_up_r_has_r_value_r_uniform_body_and_maximal_output(case: tuple[Fraction, int]) -> None:
    up_r_has_the_properties(case)


@exact_settings()
@given(parametrizations(regime="any", step=Fraction(1, 8)))
def test_up_r_is_unique_modulo_eq5(p: Parametrization) -> None:
    uniform_and_maximal_only_for_up_r(p)


@pytest.mark.parametrize("r", ["5/8", "3/4", "1"])
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_the_recipe_is_unstable_beyond_one_half(r: str, depth: int) -> None:
    rr = Fraction(r)
    a = [rr - HALF] + [rr] * (depth - 1) + [HALF]
    p = Parametrization.of(a, [HALF - rr] * (depth + 1), 0)
    c = classification.classify(p)
    assert not c.stable and "aL+1+bL+1>=1/2" in [v.name for v in c.violated]


def test_endpoints_are_mup_and_ntp() -> None:
    for depth in (1, 2, 3):
        assert presets.up(0, depth) == presets.mup(depth)
        assert presets.up(HALF, depth) == presets.ntp(depth)


def test_negative_control_wrong_output_multiplier(monkeypatch: pytest.MonkeyPatch) -> None:
    up_with_wrong_output_a(monkeypatch)
    assert_check_fails(R_AND_DEPTH, up_r_has_the_properties)


# --- Finite width: UP_r's measured exponents follow r (after one step) ----------------------------

FINITE_R = st.tuples(st.sampled_from([Fraction(k, 8) for k in range(1, 5)] + [HALF]), st.integers(1, 3))


@finite_settings()
@given(FINITE_R, routines())
def test_up_r_measured_exponents_follow_r(case: tuple[Fraction, int], routine: Routine) -> None:
    r, depth = case
    result = check_uniform_parametrization(presets.up(r, depth), routine, BUDGET, sweeps=SWEEPS)
    assert result.agrees, str(result)


@pytest.mark.parametrize("claimed_r", [Fraction(0), Fraction(1, 2)])
def test_negative_control_up_r_measured_against_a_neighbour(claimed_r: Fraction) -> None:
    p = presets.up(Fraction(1, 4), 2)
    assert check_uniform_parametrization(p, ROUTINE, BUDGET, sweeps=SWEEPS).agrees
    wrong = check_uniform_parametrization(p, ROUTINE, BUDGET, against=presets.up(claimed_r, 2), sweeps=SWEEPS)
    assert wrong.verdict is Verdict.DISAGREE, str(wrong)
