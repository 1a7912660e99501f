"""Whose predictions a check judges: :class:`Theory` — a parametrization's exact theory, or a wrong one.

Every finite-width check trains the networks of one parametrization p and decides *claims* — how
each measured size scales with width (:data:`impl.measurement.Claim`) — made by a theory. By default
the theory is p's own (:func:`impl.theory.predicted_exponents` / ``predicted_behaviours``); with
``against=q`` it is q's (``tp4 check p --against q``: "does mine behave like µP?"); and for negative
controls and calibration it can be made deliberately wrong — every exponent claim moved by
``offset``, with ``flip`` every behaviour claim replaced by its opposite (Θ(1) ↔ vanishes,
grows ↔ bounded, exactly 0 → Θ(1)), or single claims replaced (``overrides``: e.g. one layer's rate off by ¼ among right
ones; ``single``: the offset moves only the last exponent claim a check decides — the deepest layer's, or the
output's — and leaves the others right). A check that still agrees under a wrong theory cannot detect that mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Mapping

from impl.measurement import Claim
from impl.theory import Behaviour, Classification, Parametrization, classify

__all__ = ["Theory", "OPPOSITE", "theory_of"]

OPPOSITE: dict[Behaviour, Behaviour] = {
    Behaviour.THETA1: Behaviour.VANISHES, Behaviour.VANISHES: Behaviour.THETA1,
    Behaviour.GROWS: Behaviour.BOUNDED, Behaviour.BOUNDED: Behaviour.GROWS,
    Behaviour.ZERO: Behaviour.THETA1,  # "exactly 0" flipped: a nonzero Θ(1) size
}


@dataclass(frozen=True)
class Theory:
    """The theory of ``p`` (exact), optionally perturbed by ``offset``, ``flip`` and ``overrides`` (see the
    module docstring)."""

    p: Parametrization
    offset: Fraction = Fraction(0)
    flip: bool = False
    overrides: Mapping[str, Claim] = field(default_factory=dict)
    single: bool = False

    @property
    def exact(self) -> bool:
        """Whether this is p's theory as the paper states it (no perturbation)."""
        return self.offset == 0 and not self.flip and not self.overrides

    def classify(self) -> Classification:
        """The exact classification of p (a perturbation changes claims, not the class)."""
        return classify(self.p)

    def perturb(self, claims: Mapping[str, Claim]) -> dict[str, Claim]:
        """``claims`` as this theory states them: overridden, exponents moved by ``offset``, behaviours flipped."""
        out: dict[str, Claim] = {}
        moved = [k for k, c in claims.items() if k not in self.overrides and not isinstance(c, Behaviour)]
        for name, claim in claims.items():
            if name in self.overrides:
                out[name] = self.overrides[name]
            elif isinstance(claim, Behaviour):
                out[name] = OPPOSITE[claim] if self.flip else claim
            else:
                out[name] = claim + self.offset if not self.single or name == moved[-1] else claim
        return out

    def describe(self) -> str:
        base = self.p.name or self.p.spec()
        if self.exact:
            return base
        which = "the last exponent" if self.single else "exponents"
        parts = ([f"{which} {'+' if self.offset > 0 else ''}{self.offset}"] if self.offset else []) + (
            ["behaviours flipped"] if self.flip else []) + [f"{k} ~ {v}" for k, v in self.overrides.items()]
        return f"{base} ({', '.join(parts)})"


def theory_of(p: Parametrization, against: "Parametrization | Theory | None") -> Theory:
    """The theory a check of p's networks judges: p's own, or ``against`` (same depth required)."""
    if against is None:
        return Theory(p)
    theory = against if isinstance(against, Theory) else Theory(against)
    if theory.p.depth != p.depth:
        raise ValueError(f"cannot judge depth-{p.depth} networks against a depth-{theory.p.depth} theory")
    return theory
