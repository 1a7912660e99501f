"""Hypothesis strategies over abc-parametrizations, built constructively (no filtering).

Every strategy draws exponents on a lattice (default step 1/4; any step with ½ a multiple of it,
i.e. 1/2, 1/4, 1/6, 1/8, …) and, unless ``canonical=True``, applies a random Eq. (5) shift θ so
that c ≠ 0 is exercised too. Restricting to a regime is done by construction from the equations
of Theorems 3.3/3.4 (see :func:`parametrizations`), so Hypothesis never rejects a draw.

Usage in a user's own test::

    from hypothesis import given
    from impl.strategies import parametrizations

    @given(parametrizations(regime="feature_learning"))
    def test_my_rule(p):
        ...
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable, Literal

from hypothesis import strategies as st

from impl.theory import Parametrization

__all__ = ["lattice", "depths", "parametrizations", "RegimeName", "UNSTABLE_CONDITIONS"]

RegimeName = Literal["feature_learning", "kernel", "trivial", "unstable", "stable", "nontrivial", "any"]
UNSTABLE_CONDITIONS: tuple[str, ...] = ("init", "r>=0", "2aL+1+c>=1", "aL+1+bL+1+r>=1")
HALF = Fraction(1, 2)


def _check_step(step: Fraction) -> Fraction:
    step = Fraction(step)
    if step <= 0 or (HALF / step).denominator != 1:
        raise ValueError(f"lattice step must be positive with 1/2 a multiple of it (1/2, 1/4, 1/6, ...), got {step}")
    return step


def lattice(lo: Fraction, hi: Fraction, step: Fraction = Fraction(1, 4)) -> st.SearchStrategy[Fraction]:
    """Multiples of ``step`` in [lo, hi] (lo rounded up to the lattice); shrinks towards lo."""
    step = Fraction(step)
    k0 = -((-Fraction(lo)) // step)
    k1 = Fraction(hi) // step
    return st.integers(int(k0), int(k1)).map(lambda k: k * step)


def depths(max_depth: int = 4) -> st.SearchStrategy[int]:
    """L ∈ {1, …, max_depth}."""
    return st.integers(1, max_depth)


def _body(draw: Callable, depth: int, m: Fraction, step: Fraction, spread: int) -> list[Fraction]:
    """a₁..a_L (l ≤ L) with minₗ(2aₗ + 𝟙(l=1)) = m exactly; m must lie on the 2·step lattice.

    A non-empty random subset of layers attains the minimum (r_l = r there); the rest sit
    higher by a random number of lattice steps (they are updated less than maximally).
    """
    attain = draw(st.lists(st.booleans(), min_size=depth, max_size=depth))
    if not any(attain):
        attain[draw(st.integers(0, depth - 1))] = True
    a = []
    for l in range(1, depth + 1):
        base = (m - (1 if l == 1 else 0)) / 2
        extra = 0 if attain[l - 1] else draw(st.integers(1, spread)) * step
        a.append(base + extra)
    return a


@st.composite
def _canonical(draw: Callable, depth: int, regime: str, step: Fraction, spread: int) -> Parametrization:
    """A canonical (c = 0) parametrization in ``regime``: see :func:`parametrizations`."""
    s, s2 = step, 2 * step
    up = lambda lo: draw(lattice(lo, lo + spread * s, s))  # noqa: E731 - local shorthand
    up_strict = lambda lo: draw(lattice(lo + s, lo + (spread + 1) * s, s))  # noqa: E731

    def on_2s_at_least(x: Fraction, strict: bool) -> Fraction:
        k = x // s2
        v = k * s2
        if v < x or (strict and v == x):
            v += s2
        return v + draw(st.integers(0, spread // 2)) * s2

    violate = None
    if regime == "feature_learning":
        # r = 0 forces m = 0; nontrivial forces A = 1 (any a_out ≥ ½) or a_out = ½ (any A ≥ 1).
        if draw(st.booleans()):
            A, a_out = Fraction(1), up(HALF)
        else:
            A, a_out = up(Fraction(1)), HALF
        m = Fraction(0)
    elif regime == "kernel":
        if draw(st.booleans()):  # W^{L+1} updated maximally: 2a_out = 1, any A ≥ ½
            a_out, A = HALF, up(HALF)
            M = min(A, 2 * a_out)
            m = on_2s_at_least(max(1 - M, 2 - A - M), strict=False)
            if M - 1 + m == 0:
                m += s2
        else:  # W^{L+1} initialised maximally: A + r = 1 with ½ ≤ A < 1, 2a_out > 1
            A = draw(lattice(HALF, 1 - s, s))
            a_out = up_strict(HALF)
            m = 2 - 2 * A
    elif regime == "trivial":
        a_out, A = up_strict(HALF), up(HALF)
        M = min(A, 2 * a_out)
        m = on_2s_at_least(max(1 - M, 2 - A - M), strict=False)
        if A + M - 1 + m == 1:
            m += s2
    elif regime == "unstable":
        violate = draw(st.sampled_from(UNSTABLE_CONDITIONS))
        a_out, A = up(HALF), up(HALF)
        if violate == "2aL+1+c>=1":
            a_out = draw(lattice(HALF - spread * s, HALF - s, s))
        M = min(A, 2 * a_out)
        if violate == "r>=0":
            m = on_2s_at_least(-M - spread * s, strict=False)
            if M - 1 + m >= 0:
                m = (((1 - M) // s2) - 1) * s2
        elif violate == "aL+1+bL+1+r>=1":
            A = draw(lattice(HALF, 1 - s, s)) if A >= 1 else A
            M = min(A, 2 * a_out)
            m = on_2s_at_least(1 - M, strict=False)
            while A + M - 1 + m >= 1:
                m -= s2
        else:
            m = on_2s_at_least(max(1 - M, 2 - A - M), strict=False)
    else:
        raise ValueError(f"unknown regime {regime!r}")
    a = _body(draw, depth, m, s, spread)
    b = [-a[0]] + [HALF - x for x in a[1:]]
    b.append(A - a_out)
    if violate == "init":
        layer = draw(st.integers(0, depth))
        if layer == depth:
            b[-1] = b[-1] - A + draw(lattice(HALF - spread * s, HALF - s, s))  # A < ½
        else:
            b[layer] += draw(st.sampled_from([-1, 1])) * draw(st.integers(1, spread)) * s
    return Parametrization(tuple(a + [a_out]), tuple(b), Fraction(0))


_UNIONS = {
    "stable": ("feature_learning", "kernel", "trivial"),
    "nontrivial": ("feature_learning", "kernel"),
    "any": ("feature_learning", "kernel", "trivial", "unstable"),
}


def parametrizations(
    depth: int | st.SearchStrategy[int] | None = None,
    *,
    regime: RegimeName = "any",
    step: Fraction = Fraction(1, 4),
    spread: int = 4,
    canonical: bool = False,
) -> st.SearchStrategy[Parametrization]:
    """abc-parametrizations on a lattice of ``step``, optionally restricted to a regime.

    * ``depth``: an int, a strategy of ints, or None for :func:`depths` (1..4).
    * ``regime``: ``"feature_learning"`` (r = 0, nontrivial), ``"kernel"`` (r > 0, nontrivial),
      ``"trivial"`` (stable, f does not move in the limit), ``"unstable"`` (at least one condition
      of Theorem 3.3 violated, chosen at random among init / r ≥ 0 / 2a_{L+1}+c ≥ 1 /
      a_{L+1}+b_{L+1}+r ≥ 1), or the unions ``"stable"``, ``"nontrivial"``, ``"any"``.
    * ``spread``: how many lattice steps values may move past their lower bounds.
    * ``canonical``: keep c = 0; otherwise apply an Eq. (5) shift by a random lattice θ.

    Construction (canonical form, c = 0; m := minₗ(2aₗ + 𝟙(l=1)), A := a_{L+1}+b_{L+1},
    M := min(A, 2a_{L+1}), so r = M − 1 + m): feature learning needs m = 0 and (A = 1 or
    a_{L+1} = ½ with A ≥ 1); kernel regime either a_{L+1} = ½ with m chosen so r > 0 and A + r ≥ 1,
    or ½ ≤ A < 1, a_{L+1} > ½, m = 2 − 2A (so A + r = 1); trivial has a_{L+1} > ½ and A + r > 1.
    The body a₁..a_L is then built so that a random non-empty set of layers attains m.
    """
    step = _check_step(step)
    depth_st = depths() if depth is None else (st.just(depth) if isinstance(depth, int) else depth)
    names = _UNIONS.get(regime, (regime,))
    for name in names:
        if name not in ("feature_learning", "kernel", "trivial", "unstable"):
            raise ValueError(f"unknown regime {regime!r}")
    base = st.tuples(depth_st, st.sampled_from(names)).flatmap(
        lambda dr: _canonical(dr[0], dr[1], step, spread)
    )
    if canonical:
        return base
    return st.tuples(base, lattice(-spread * step, spread * step, step)).map(lambda pt: pt[0].shift(pt[1]))
