"""Exact rationals and the exponent ∞: parsing user numbers and printing them as "p/q" strings.

Every decision of the theory layer is taken on :class:`fractions.Fraction` values; floats never
enter it. Decimals are read exactly ("0.1" is 1/10, not the nearest binary float).

One exponent may be infinite: b_{L+1} = ∞, a readout initialised at exactly zero (its entries have
std n^{−∞} = 0). App. H.3 describes it as the limit a_{L+1}+b_{L+1} → ∞ with 2a_{L+1}+c fixed.
:class:`Infinity` is ±∞ with just the exact arithmetic that limit needs — adding a rational, negating,
scaling by a nonzero rational, comparing — so the formulas of Sections 3 and 5 take the limit by
themselves (min(∞, x) = x, ½ − ∞ = −∞); ∞ − ∞ is undefined and raises.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Union

__all__ = ["RationalLike", "Exponent", "Infinity", "INF", "to_fraction", "to_exponent", "format_fraction",
           "is_finite"]

RationalLike = Union[Fraction, int, str]


class Infinity:
    """+∞ or −∞ as an exact exponent (``INF`` and ``-INF``); see the module docstring."""

    __slots__ = ("sign",)
    sign: int

    def __init__(self, sign: int = 1) -> None:
        if sign not in (1, -1):
            raise ValueError(f"sign must be +1 or -1, got {sign!r}")
        object.__setattr__(self, "sign", sign)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Infinity is immutable")

    def __reduce__(self) -> tuple[type, tuple[int]]:
        return Infinity, (self.sign,)

    def __add__(self, other: "Exponent | int") -> "Infinity":
        if isinstance(other, Infinity):
            if other.sign != self.sign:
                raise ValueError("∞ − ∞ is undefined")
            return self
        if isinstance(other, (int, Fraction)) and not isinstance(other, bool):
            return self
        return NotImplemented

    __radd__ = __add__

    def __neg__(self) -> "Infinity":
        return Infinity(-self.sign)

    def __sub__(self, other: "Exponent | int") -> "Infinity":
        return self + (-other)

    def __rsub__(self, other: Fraction | int) -> "Infinity":
        return -self + other

    def __mul__(self, k: Fraction | int) -> "Infinity":
        if isinstance(k, bool) or not isinstance(k, (int, Fraction)):
            return NotImplemented
        if k == 0:
            raise ValueError("0 · ∞ is undefined")
        return self if k > 0 else -self

    __rmul__ = __mul__

    def _key(self, other: object) -> tuple[int, int] | None:
        if isinstance(other, Infinity):
            return self.sign, other.sign
        if isinstance(other, (int, Fraction)) and not isinstance(other, bool):
            return self.sign, 0
        return None

    def __lt__(self, other: "Exponent | int") -> bool:
        k = self._key(other)
        return NotImplemented if k is None else k[0] < k[1]

    def __le__(self, other: "Exponent | int") -> bool:
        k = self._key(other)
        return NotImplemented if k is None else k[0] <= k[1]

    def __gt__(self, other: "Exponent | int") -> bool:
        k = self._key(other)
        return NotImplemented if k is None else k[0] > k[1]

    def __ge__(self, other: "Exponent | int") -> bool:
        k = self._key(other)
        return NotImplemented if k is None else k[0] >= k[1]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Infinity) and other.sign == self.sign

    def __hash__(self) -> int:
        return hash(("Infinity", self.sign))

    def __float__(self) -> float:
        return self.sign * float("inf")

    def __str__(self) -> str:
        return "inf" if self.sign > 0 else "-inf"

    def __repr__(self) -> str:
        return "INF" if self.sign > 0 else "-INF"


INF = Infinity(1)
"""+∞: b_{L+1} of a readout initialised at exactly zero."""

Exponent = Union[Fraction, Infinity]
"""A width exponent of the theory: an exact rational, or ±∞ (an exactly-zero scale)."""


def is_finite(x: Exponent) -> bool:
    """Whether ``x`` is a rational (not ±∞)."""
    return not isinstance(x, Infinity)


def to_fraction(value: RationalLike | float, *, what: str = "number") -> Fraction:
    """Convert an integer, a decimal or a ``p/q`` string (or a float, via its shortest repr) exactly.

    Raises :class:`ValueError` with a one-line message naming ``what`` when the value is not a
    finite rational.
    """
    if isinstance(value, bool):
        raise ValueError(f"{what}: expected a number, got a boolean")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        value = repr(value)
    if not isinstance(value, str):
        raise ValueError(f"{what}: expected a number, got {type(value).__name__}")
    text = value.strip()
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise ValueError(f"{what}: {value!r} is not a number (use an integer, a decimal or p/q)") from None


def to_exponent(value: "RationalLike | float | Infinity", *, what: str = "number") -> Exponent:
    """:func:`to_fraction`, except that ``inf``, ``+inf``, ``∞`` (any case) and a float +∞ read as :data:`INF`.

    Only +∞ is accepted: it is the one infinite exponent a user can set (a zero init, b = ∞).
    """
    if isinstance(value, Infinity):
        if value.sign < 0:
            raise ValueError(f"{what}: -inf is not allowed (only b = inf, a zero init)")
        return value
    text = repr(value) if isinstance(value, float) else value
    if isinstance(text, str) and text.strip().lower().lstrip("+") in ("inf", "infinity", "∞"):
        return INF
    return to_fraction(value, what=what)  # type: ignore[arg-type]


def format_fraction(x: Exponent) -> str:
    """The canonical string of an exact exponent: ``"-1/2"``, ``"0"``, ``"3"``, ``"inf"``."""
    return str(x) if isinstance(x, Infinity) else str(Fraction(x))
