"""Deliberately wrong versions of the theory, injected by the negative controls.

Each returns a context manager (pytest's ``monkeypatch``) that swaps one formula of
:mod:`impl.theory` for a plausible-looking mistake. A theorem check that still passes under it
cannot detect that mistake, so every check module pairs itself with one of these.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from impl.theory import classification, exponents, presets
from impl.theory.parametrization import Parametrization

__all__ = [
    "r_without_first_layer_bonus",
    "r_without_lr_term",
    "stability_without_r",
    "maximality_without_init",
    "f0_exponent_from_b_only",
    "up_with_wrong_output_a",
]


def r_without_first_layer_bonus(mp: pytest.MonkeyPatch) -> None:
    """Definition 3.2 with the 𝟙(l = 1) term forgotten."""

    def wrong(p: Parametrization, *, out_term: Fraction | None = None) -> tuple[Fraction, ...]:
        m = min(p.a_out + p.b_out, 2 * p.a_out + p.c) if out_term is None else out_term
        return tuple(m + p.c - 1 + 2 * a for a in p.a[:-1])

    mp.setattr(classification, "r_layers", wrong)
    mp.setattr(exponents, "r_layers", wrong)


def r_without_lr_term(mp: pytest.MonkeyPatch) -> None:
    """Definition 3.2 with the standalone + c dropped (not Eq. 5 invariant)."""

    def wrong(p: Parametrization, *, out_term: Fraction | None = None) -> tuple[Fraction, ...]:
        m = min(p.a_out + p.b_out, 2 * p.a_out + p.c) if out_term is None else out_term
        return tuple(m - 1 + 2 * a + (1 if l == 1 else 0) for l, a in enumerate(p.a[:-1], start=1))

    mp.setattr(classification, "r_layers", wrong)
    mp.setattr(exponents, "r_layers", wrong)


def stability_without_r(mp: pytest.MonkeyPatch) -> None:
    """Theorem 3.3 without Eq. (7), r ≥ 0 (feature blow-up ignored)."""
    original = classification.stability_conditions

    def wrong(p: Parametrization) -> tuple[classification.Condition, ...]:
        return tuple(c for c in original(p) if c.name != "r>=0")

    mp.setattr(classification, "stability_conditions", wrong)


def maximality_without_init(mp: pytest.MonkeyPatch) -> None:
    """Proposition 5.5 misread: W^{L+1} 'initialised maximally' always reported true."""
    original = classification.maximal_updates

    def wrong(p: Parametrization) -> classification.MaximalUpdates:
        m = original(p)
        return classification.MaximalUpdates(m.body, m.out_updated, True)

    mp.setattr(classification, "maximal_updates", wrong)


def f0_exponent_from_b_only(mp: pytest.MonkeyPatch) -> None:
    """f₀ exponent written ½ − b_{L+1} (forgetting a_{L+1})."""
    original = exponents.predicted_exponents

    def wrong(p: Parametrization, step: int | None = None) -> dict[str, Fraction | None]:
        out = original(p, step)
        if out["f0"] is not None:
            out["f0"] = Fraction(1, 2) - p.b_out
        return out

    mp.setattr(exponents, "predicted_exponents", wrong)


def up_with_wrong_output_a(mp: pytest.MonkeyPatch) -> None:
    """UP_r with a_{L+1} = ½ − r instead of ½."""
    original = presets.up

    def wrong(r: object, depth: int = 2) -> Parametrization:
        p = original(r, depth)  # type: ignore[arg-type]
        rr = Fraction(str(r))
        return Parametrization(p.a[:-1] + (Fraction(1, 2) - rr,), p.b, p.c, p.name)

    mp.setattr(presets, "up", wrong)
