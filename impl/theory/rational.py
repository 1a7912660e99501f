"""Exact rationals: parsing user numbers and printing them as "p/q" strings.

Every decision of the theory layer is taken on :class:`fractions.Fraction` values; floats never
enter it. Decimals are read exactly ("0.1" is 1/10, not the nearest binary float).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Union

RationalLike = Union[Fraction, int, str]

__all__ = ["RationalLike", "to_fraction", "format_fraction"]


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
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{what}: {value!r} is not a number (use an integer, a decimal or p/q)") from None


def format_fraction(x: Fraction) -> str:
    """The canonical string of an exact rational: ``"-1/2"``, ``"0"``, ``"3"``."""
    return str(Fraction(x))
