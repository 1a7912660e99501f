"""The named parametrizations of Table 1 and the uniform family UP_r of Theorem G.4.

Table 1 (Section 3.2): SP, SP with learning rate 1/n, NTP, MFP (L = 1 only) and µP.
Theorem G.4: UP_r, r ∈ [0, 1/2], has aₗ = r − ½·𝟙(l=1) (l ≤ L), a_{L+1} = ½, bₗ = ½ − r for every
l ∈ [L+1], c = 0. UP₀ = µP and UP_{1/2} = NTP.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable

from impl.theory.parametrization import Parametrization
from impl.theory.rational import RationalLike, to_fraction

__all__ = ["PRESET_NAMES", "preset", "sp", "sp_lr1n", "ntp", "mfp", "mup", "up"]

HALF = Fraction(1, 2)


def _check_depth(depth: int) -> None:
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 1:
        raise ValueError(f"depth L must be an integer >= 1, got {depth!r}")


def sp(depth: int = 2) -> Parametrization:
    """Standard parametrization (PyTorch default init, Θ(1) learning rate): Table 1, column SP."""
    _check_depth(depth)
    return Parametrization.of([0] * (depth + 1), [0] + [HALF] * depth, 0, name="sp")


def sp_lr1n(depth: int = 2) -> Parametrization:
    """SP with learning rate Θ(1/n), i.e. c = 1: Table 1, column 'SP (w/ LR 1/n)'."""
    return sp(depth).with_c(1).renamed("sp-lr1n")


def ntp(depth: int = 2) -> Parametrization:
    """Neural tangent parametrization: a₁ = 0, aₗ = ½ (l ≥ 2), b = 0, c = 0 (Table 1, NTP)."""
    _check_depth(depth)
    return Parametrization.of([0] + [HALF] * depth, [0] * (depth + 1), 0, name="ntp")


def mfp(depth: int = 1) -> Parametrization:
    """Mean-field parametrization, defined for L = 1 only: a = (0, 1), b = (0, 0), c = −1 (Table 1)."""
    _check_depth(depth)
    if depth != 1:
        raise ValueError(f"mfp is defined for 1 hidden layer only (Table 1); got depth {depth}")
    return Parametrization.of([0, 1], [0, 0], -1, name="mfp")


def mup(depth: int = 2) -> Parametrization:
    """Maximal update parametrization µP: a₁ = −½, aₗ = 0 (2 ≤ l ≤ L), a_{L+1} = ½, b = ½, c = 0."""
    return up(0, depth).renamed("mup")


def up(r: RationalLike, depth: int = 2) -> Parametrization:
    """UP_r of Theorem G.4 for r ∈ [0, 1/2]."""
    _check_depth(depth)
    rr = to_fraction(r, what="up:R")
    if not 0 <= rr <= HALF:
        raise ValueError(f"up:R needs 0 <= R <= 1/2 (Theorem G.4; larger r is unstable at init), got {rr}")
    a = [rr - HALF] + [rr] * (depth - 1) + [HALF]
    return Parametrization.of(a, [HALF - rr] * (depth + 1), 0, name=f"up:{rr}")


_PRESETS: dict[str, Callable[[int], Parametrization]] = {
    "sp": sp,
    "sp-lr1n": sp_lr1n,
    "ntp": ntp,
    "mfp": mfp,
    "mup": mup,
}
_ALIASES = {"µp": "mup", "μp": "mup", "mu-p": "mup"}

PRESET_NAMES: tuple[str, ...] = (*_PRESETS, "up:R")


def preset(name: str, depth: int | None = None) -> Parametrization:
    """A Table 1 preset or ``up:R`` by name; ``depth`` defaults to 2 (to 1 for ``mfp``)."""
    key = _ALIASES.get(name.strip().lower(), name.strip().lower())
    if key.startswith("up:"):
        return up(key[3:], 2 if depth is None else depth)
    if key not in _PRESETS:
        raise KeyError(key)
    if depth is None:
        depth = 1 if key == "mfp" else 2
    return _PRESETS[key](depth)
