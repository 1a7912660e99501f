"""Which claims the exponent-claiming checks make: Thm 3.3's exponents, fₜ − f₀ on its two terms, the α bound.

Exact (no sweeps): the claims a check states are a function of the theory alone, so their count and their
content are checked over the strategies' stable parametrizations.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impl.checks import ROUTINE, check_stability
from impl.checks.evidence import on_leading_term
from impl.checks.nontriviality import STATEMENT as NONTRIVIALITY
from impl.checks.stability import STATEMENT as STABILITY
from impl.checks.stability import exponent_claims
from impl.measurement import theory_claims
from impl.strategies import parametrizations
from impl.theory import Behaviour, Parametrization, leading_output_term, mup, parse_spec, predicted_exponents, quantity_names, readout_correction

NTK_LIKE = parse_spec("a=0,3/4;b=0,-1/4;c=0", 1)  # nontrivial through W0 dx; dW x ~ n^-1/2
TRIVIAL_OTHER_LEAD = parse_spec("a=0,-1/4;b=0,3/4;c=2", 1)  # trivial: f1 - f0 ~ n^-1/2 through dW x; W0 dx ~ n^-2


def test_the_leading_output_term_is_the_one_with_the_larger_exponent() -> None:
    assert leading_output_term(mup(2), 1) is None  # both Θ(1)
    assert leading_output_term(NTK_LIKE, 1) == "Wout0_delta_x"
    assert leading_output_term(TRIVIAL_OTHER_LEAD, 1) == "delta_Wout_x"
    assert leading_output_term(parse_spec("a=-1/2,0,1/2;b=1/2,1/2,inf;c=0"), 1) is None  # W0 = 0: f1 - f0 = dW x


def test_f_minus_f0_is_claimed_on_both_terms_so_another_leading_term_cannot_agree() -> None:
    assert on_leading_term(NTK_LIKE, {"delta_f": F(0)}, 1) == {"Wout0_delta_x": F(0), "delta_Wout_x": F(-1, 2)}
    # judged against the trivial theory, the networks of NTK_LIKE are held to both of its terms' exponents: its
    # W0 dx claim (-2) is wrong for them (0), though its leading-term claim (-1/2) is right for their dW x
    judged = on_leading_term(TRIVIAL_OTHER_LEAD, theory_claims(TRIVIAL_OTHER_LEAD, ["delta_f"], step=1), 1)
    measured = predicted_exponents(NTK_LIKE, 1)
    assert judged == {"delta_Wout_x": F(-1, 2), "Wout0_delta_x": F(-2)}
    assert any(judged[k] != measured[k] for k in judged)
    assert on_leading_term(mup(2), {"delta_f": F(0), "f0": F(-1, 2)}, 1) == {"delta_f": F(0), "f0": F(-1, 2)}
    assert on_leading_term(NTK_LIKE, {"delta_f": Behaviour.VANISHES}, 1) == {"delta_f": Behaviour.VANISHES}


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(parametrizations(depth=st.integers(1, 4), regime="stable"))
def test_claims_stay_within_the_statements_alpha_bookkeeping(p: Parametrization) -> None:
    exact = exponent_claims(p)
    assert exact and "f0" not in exact and not any(k.startswith("delta_kernel") for k in exact)
    assert all(isinstance(v, F) or v is Behaviour.ZERO for v in exact.values())
    bounded = {n: Behaviour.BOUNDED for n in quantity_names(p.depth)}
    if readout_correction(p) is None:
        decided = len(on_leading_term(p, exact, 1)) + len(bounded)
    else:
        decided = len(on_leading_term(p, {**bounded, **exact}, 1))
    assert decided <= STABILITY.max_claims(p.depth)
    stated = on_leading_term(p, theory_claims(p, ["delta_f"], step=1), 1)
    assert 1 <= len(stated) <= NONTRIVIALITY.max_claims(p.depth)
    assert all(isinstance(v, F) or v is Behaviour.ZERO for v in stated.values())


def test_theorem_3_3_needs_a_step_for_its_exponents() -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match="0 steps"):
        check_stability(mup(2), replace(ROUTINE, steps=0))
