"""What a statement says about a parametrization names exactly the claims its check judges (report text and
judged quantities agree — issue 15's SP section)."""

from __future__ import annotations

import re

from hypothesis import given

from impl.checks.stability import says
from impl.checks.theory import theory_of
from impl.measurement import theory_claims
from impl.strategies import parametrizations
from impl.theory import Parametrization, parse_spec, quantity_names


@given(parametrizations(regime="unstable"))
def test_stability_text_names_what_is_claimed(p: Parametrization) -> None:
    text = says(theory_of(p, None))
    claims = theory_claims(p, quantity_names(p.depth))
    for name, word in re.findall(r"(\w+) (grows|vanishes)", text):
        assert str(claims.get(name)) == word, (text, name, claims.get(name))
    for name in re.findall(r"(\w+) not claimed", text):
        assert name not in claims, (text, name)


def test_sp_does_not_claim_w0_delta_x_growth() -> None:
    text = says(theory_of(parse_spec("sp", 2), None))
    assert "Wout0_delta_x not claimed" in text and "delta_h2 grows" in text and "delta_f grows" in text
