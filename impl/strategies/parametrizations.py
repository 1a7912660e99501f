"""Hypothesis strategies over abc-parametrizations, built constructively (no filtering) — Section 3.

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

from impl.theory import INF, Exponent, Parametrization

__all__ = ["lattice", "depths", "parametrizations", "RegimeName", "UNSTABLE_CONDITIONS"]

RegimeName = Literal["feature_learning", "kernel", "trivial", "unstable", "stable", "nontrivial", "any"]
UNSTABLE_CONDITIONS: tuple[str, ...] = ("init", "r>=0", "2aL+1+c>=1", "aL+1+bL+1+r>=1")
HALF = Fraction(1, 2)


def _check_step(step: Fraction) -> Fraction:
    step = Fraction(step)
    if step <= 0 or (HALF / step).denominator != 1:
        raise ValueError(f"lattice step must be positive with 1/2 a multiple of it (1/2, 1/4, 1/6, ...), got {step}")
    return step


def lattice(lo: Fraction | int, hi: Fraction | int, step: Fraction = Fraction(1, 4)) -> st.SearchStrategy[Fraction]:
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


class _Lattice:
    """Drawing helpers on the lattice of one step ``s`` (and its double, where m = minₗ(2aₗ+𝟙) lives)."""

    def __init__(self, draw: Callable, step: Fraction, spread: int) -> None:
        self.draw, self.s, self.s2, self.spread = draw, step, 2 * step, spread

    def at_least(self, lo: Fraction, strict: bool = False) -> Fraction:
        """A lattice value ≥ lo (> lo if strict), up to ``spread`` steps above."""
        lo = lo + self.s if strict else lo
        return self.draw(lattice(lo, lo + self.spread * self.s, self.s))

    def below(self, hi: Fraction) -> Fraction:
        """A lattice value < hi, up to ``spread`` steps below."""
        return self.draw(lattice(hi - self.spread * self.s, hi - self.s, self.s))

    def ceil2(self, lo: Fraction, strict: bool = False) -> Fraction:
        """The least value of the 2s-lattice ≥ lo (> lo if strict)."""
        v = (lo // self.s2) * self.s2
        return v + self.s2 if v < lo or (strict and v == lo) else v

    def extra2(self) -> Fraction:
        """A random non-negative multiple of 2s (at most spread/2 of them)."""
        return self.draw(st.integers(0, self.spread // 2)) * self.s2


def _feature_learning(lat: _Lattice) -> tuple[Fraction, Fraction, Fraction]:
    # r = 0 forces m = 0; nontrivial then forces A = 1 (any a_out ≥ ½) or a_out = ½ (any A ≥ 1).
    if lat.draw(st.booleans()):
        return lat.at_least(HALF), Fraction(1), Fraction(0)
    return HALF, lat.at_least(Fraction(1)), Fraction(0)


def _kernel(lat: _Lattice) -> tuple[Fraction, Fraction, Fraction]:
    if lat.draw(st.booleans()):  # W^{L+1} updated maximally: 2a_out = 1, A ≥ ½; r > 0 and A + r ≥ 1
        A = lat.at_least(HALF)
        M = min(A, Fraction(1))
        return HALF, A, max(lat.ceil2(1 - M, strict=True), lat.ceil2(2 - A - M)) + lat.extra2()
    # W^{L+1} initialised maximally: A + r = 1 with ½ ≤ A < 1, 2a_out > 1, m = 2 − 2A.
    A = lat.draw(lattice(HALF, 1 - lat.s, lat.s))
    return lat.at_least(HALF, strict=True), A, 2 - 2 * A


def _trivial(lat: _Lattice) -> tuple[Fraction, Fraction, Fraction]:
    # 2a_out > 1, r ≥ 0 and A + r > 1.
    a_out, A = lat.at_least(HALF, strict=True), lat.at_least(HALF)
    M = min(A, 2 * a_out)
    return a_out, A, max(lat.ceil2(1 - M), lat.ceil2(2 - A - M, strict=True)) + lat.extra2()


def _unstable_training(lat: _Lattice, violate: str) -> tuple[Fraction, Fraction, Fraction]:
    """Violate exactly one training condition of Theorem 3.3 (init conditions hold)."""
    if violate == "r>=0":  # r < 0 but A + r ≥ 1 and 2a_out ≥ 1: M = 2a_out ≤ A
        a_out, r = lat.at_least(HALF), -lat.draw(st.integers(1, lat.spread)) * lat.s
        if (r + 1 - 2 * a_out) % lat.s2:
            r -= lat.s
        A = max(1 - r, 2 * a_out) + lat.draw(st.integers(0, lat.spread)) * lat.s
        return a_out, A, r + 1 - 2 * a_out
    if violate == "2aL+1+c>=1":  # 2a_out < 1, r ≥ 0, A + r ≥ 1
        a_out, A = lat.below(HALF), lat.at_least(HALF)
        M = min(A, 2 * a_out)
        return a_out, A, max(lat.ceil2(1 - M), lat.ceil2(2 - A - M)) + lat.extra2()
    if violate == "aL+1+bL+1+r>=1":  # r ≥ 0, 2a_out ≥ 1, A + r < 1: ½ ≤ A < 1, M = A, 1 − A ≤ m < 2 − 2A
        A = lat.draw(lattice(HALF, 1 - lat.s, lat.s))
        while lat.ceil2(1 - A) >= 2 - 2 * A:
            A -= lat.s
        return lat.at_least(HALF), A, lat.ceil2(1 - A)
    raise ValueError(f"unknown condition to violate {violate!r} (one of {', '.join(UNSTABLE_CONDITIONS)})")


def _zero_readout(lat: _Lattice, regime: str, violate: str | None) -> tuple[Fraction, Fraction]:
    """(a_out, m) for a zero-initialised readout (A = ∞): M = 2a_out, r = 2a_out − 1 + m, A + r ≥ 1 always
    holds, and nontrivial means 2a_out = 1."""
    if regime == "feature_learning":
        return HALF, Fraction(0)
    if regime == "kernel":
        return HALF, lat.s2 + lat.extra2()
    if regime == "trivial" or violate == "init":
        a_out = lat.at_least(HALF, strict=regime == "trivial")
        return a_out, lat.ceil2(1 - 2 * a_out) + lat.extra2()
    if violate == "r>=0":
        a_out = lat.at_least(HALF)
        return a_out, lat.ceil2(1 - 2 * a_out) - lat.s2 - lat.extra2()
    a_out = lat.below(HALF)  # 2aL+1+c>=1 fails, r ≥ 0
    return a_out, lat.ceil2(1 - 2 * a_out) + lat.extra2()


@st.composite
def _canonical(
    draw: Callable, depth: int, regime: str, step: Fraction, spread: int, violate: str | None, zero: bool = False
) -> Parametrization:
    """A canonical (c = 0) parametrization in ``regime``: see :func:`parametrizations`."""
    lat = _Lattice(draw, step, spread)
    if regime == "unstable":
        choices = [v for v in UNSTABLE_CONDITIONS if not (zero and v == "aL+1+bL+1+r>=1")]
        violate = violate or draw(st.sampled_from(choices))
    A: Exponent
    if zero:
        (a_out, m), A = _zero_readout(lat, regime, violate), INF
    elif regime == "feature_learning":
        a_out, A, m = _feature_learning(lat)
    elif regime == "kernel":
        a_out, A, m = _kernel(lat)
    elif regime == "trivial":
        a_out, A, m = _trivial(lat)
    elif violate == "init":  # start from any stable one, then break Eq. (6) below
        a_out, A, m = draw(st.sampled_from([_feature_learning, _kernel, _trivial]))(lat)
    elif regime == "unstable":
        a_out, A, m = _unstable_training(lat, violate)  # type: ignore[arg-type]
    else:
        raise ValueError(f"unknown regime {regime!r}")
    a = _body(draw, depth, m, step, spread)
    b = [-a[0]] + [HALF - x for x in a[1:]] + [A - a_out]
    if violate == "init":  # break one of Eq. (6): a₁+b₁ = 0, aₗ+bₗ = ½, or A ≥ ½ (never broken by A = ∞)
        layer = draw(st.integers(0, depth - 1 if zero else depth))
        if layer == depth:
            b[-1] = lat.below(HALF) - a_out
        else:
            b[layer] += draw(st.sampled_from([-1, 1])) * draw(st.integers(1, spread)) * step
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
    violate: str | None = None,
    zero_readout: bool | None = False,
) -> st.SearchStrategy[Parametrization]:
    """abc-parametrizations on a lattice of ``step``, optionally restricted to a regime.

    * ``depth``: an int, a strategy of ints, or None for :func:`depths` (1..4).
    * ``regime``: ``"feature_learning"`` (r = 0, nontrivial), ``"kernel"`` (r > 0, nontrivial),
      ``"trivial"`` (stable, f does not move in the limit), ``"unstable"`` (at least one condition
      of Theorem 3.3 violated, chosen at random among init / r ≥ 0 / 2a_{L+1}+c ≥ 1 /
      a_{L+1}+b_{L+1}+r ≥ 1), or the unions ``"stable"``, ``"nontrivial"``, ``"any"``.
    * ``violate``: with ``regime="unstable"``, which condition to break (one of
      :data:`UNSTABLE_CONDITIONS`); the others hold (for "init", training conditions may fail too).
    * ``spread``: how many lattice steps values may move past their lower bounds.
    * ``canonical``: keep c = 0; otherwise apply an Eq. (5) shift by a random lattice θ.
    * ``zero_readout``: True draws only readouts initialised at zero (b_{L+1} = ∞, App. H.3), None draws
      either, False (the default) none. With A = ∞ nontrivial means 2a_{L+1}+c = 1, and the condition
      a_{L+1}+b_{L+1}+r ≥ 1 cannot be violated (asking for it raises ValueError).

    Construction (canonical form, c = 0; m := minₗ(2aₗ + 𝟙(l=1)), A := a_{L+1}+b_{L+1},
    M := min(A, 2a_{L+1}), so r = M − 1 + m): feature learning needs m = 0 and (A = 1 or
    a_{L+1} = ½ with A ≥ 1); kernel regime either a_{L+1} = ½ with m chosen so r > 0 and A + r ≥ 1,
    or ½ ≤ A < 1, a_{L+1} > ½, m = 2 − 2A (so A + r = 1); trivial has a_{L+1} > ½ and A + r > 1.
    The body a₁..a_L is then built so that a random non-empty set of layers attains m.
    """
    step = _check_step(step)
    if violate is not None and (regime != "unstable" or violate not in UNSTABLE_CONDITIONS):
        raise ValueError(f"violate={violate!r} needs regime='unstable' and one of {UNSTABLE_CONDITIONS}")
    depth_st = depths() if depth is None else (st.just(depth) if isinstance(depth, int) else depth)
    names = _UNIONS.get(regime, (regime,))
    for name in names:
        if name not in ("feature_learning", "kernel", "trivial", "unstable"):
            raise ValueError(f"unknown regime {regime!r}")
    if zero_readout and violate == "aL+1+bL+1+r>=1":
        raise ValueError("a zero-initialised readout (A = inf) cannot violate aL+1+bL+1+r>=1")
    zeros = st.just(zero_readout) if zero_readout is not None else st.booleans()
    if zero_readout is None and violate == "aL+1+bL+1+r>=1":
        zeros = st.just(False)
    base = st.tuples(depth_st, st.sampled_from(names), zeros).flatmap(
        lambda drz: _canonical(drz[0], drz[1], step, spread, violate, drz[2])
    )
    if canonical:
        return base
    return st.tuples(base, lattice(-spread * step, spread * step, step)).map(lambda pt: pt[0].shift(pt[1]))
