"""abc-parametrizations of an L-hidden-layer MLP (paper Section 3, Eq. (1)–(5)).

The MLP is h¹ = W¹ξ, xˡ = φ(hˡ), hˡ⁺¹ = Wˡ⁺¹xˡ, f = W^{L+1}x^L with Wˡ = n^{-aₗ} wˡ, the trainable
wˡ initialised iid N(0, n^{-2bₗ}), and SGD learning rate η·n^{-c}.

Eq. (5): for any θ, (aₗ, bₗ, c) → (aₗ + θ, bₗ − θ, c − 2θ) leaves fₜ(ξ) unchanged for every t and ξ,
at every finite width, given the same underlying random draws. The canonical representative of a
class is the one with c = 0 (θ = c/2).

A readout initialised at exactly zero has b_{L+1} = ∞ (:data:`~impl.theory.rational.INF`, ``inf`` in a
spec): the limit a_{L+1}+b_{L+1} → ∞ with 2a_{L+1}+c fixed that App. H.3 describes (W^{L+1}₀ = 0, and
every weight gradient at initialisation is 0 but the readout's). Eq. (5) keeps it at ∞. Only the readout
may be infinite: a zero hidden weight makes hˡ ≡ 0, outside the paper's MLP.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable

from impl.theory.rational import Exponent, RationalLike, format_fraction, is_finite, to_exponent, to_fraction

__all__ = ["Parametrization"]


@dataclass(frozen=True)
class Parametrization:
    """An abc-parametrization: exponents a₁..a_{L+1}, b₁..b_{L+1} and c, all exact rationals except that
    b_{L+1} may be ∞ (a zero-initialised readout; module docstring).

    ``a[l-1]`` is aₗ (layer l = 1..L+1; l = L+1 is the output layer). ``name`` is informative only
    and does not take part in equality.
    """

    a: tuple[Fraction, ...]
    b: tuple[Exponent, ...]
    c: Fraction
    name: str | None = None

    def __post_init__(self) -> None:
        a = tuple(to_fraction(x, what="a") for x in self.a)
        b = tuple(to_exponent(x, what="b") for x in self.b)
        hidden_zero = [l for l, x in enumerate(b[:-1], start=1) if not is_finite(x)]
        if hidden_zero:
            raise ValueError(f"b{hidden_zero[0]} = inf: only the readout may be initialised at zero (b_{{L+1}} = inf)")
        if len(a) != len(b):
            raise ValueError(f"a has {len(a)} entries but b has {len(b)}; both need L+1 (one per layer)")
        if len(a) < 2:
            raise ValueError(f"a and b need at least 2 entries (L >= 1 hidden layer), got {len(a)}")
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "c", to_fraction(self.c, what="c"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Parametrization):
            return NotImplemented
        return (self.a, self.b, self.c) == (other.a, other.b, other.c)

    def __hash__(self) -> int:
        return hash((self.a, self.b, self.c))

    @classmethod
    def of(
        cls,
        a: Iterable[RationalLike],
        b: Iterable[RationalLike | Exponent],
        c: RationalLike,
        name: str | None = None,
    ) -> "Parametrization":
        """Build from any mix of ints, decimal strings and ``"p/q"`` strings (``"inf"`` for a zero readout)."""
        return cls(tuple(a), tuple(b), c, name)  # type: ignore[arg-type]

    @property
    def depth(self) -> int:
        """L, the number of hidden layers."""
        return len(self.a) - 1

    @property
    def a_out(self) -> Fraction:
        """a_{L+1}."""
        return self.a[-1]

    @property
    def b_out(self) -> Exponent:
        """b_{L+1} (∞ for a zero-initialised readout)."""
        return self.b[-1]

    @property
    def zero_readout(self) -> bool:
        """Whether W^{L+1} is initialised at exactly zero (b_{L+1} = ∞)."""
        return not is_finite(self.b_out)

    @property
    def readout_init(self) -> Exponent:
        """a_{L+1}+b_{L+1}: W^{L+1}₀ has entries of size n^{-(a_{L+1}+b_{L+1})} (∞: exactly zero)."""
        return self.a_out + self.b_out

    def shift(self, theta: RationalLike) -> "Parametrization":
        """The Eq. (5) image: aₗ + θ, bₗ − θ, c − 2θ (same function at every width and step)."""
        t = to_fraction(theta, what="theta")
        return Parametrization(
            tuple(x + t for x in self.a), tuple(x - t for x in self.b), self.c - 2 * t, self.name
        )

    def canonical(self) -> "Parametrization":
        """The representative of the Eq. (5) class with c = 0 (θ = c/2)."""
        return self.shift(self.c / 2)

    def equivalent(self, other: "Parametrization") -> bool:
        """Whether the two are related by Eq. (5) (equal canonical forms)."""
        return self.canonical() == other.canonical()

    def renamed(self, name: str | None) -> "Parametrization":
        """The same exponents under another display name."""
        return Parametrization(self.a, self.b, self.c, name)

    def with_c(self, c: RationalLike) -> "Parametrization":
        """The same (a, b) with another learning-rate exponent."""
        return Parametrization(self.a, self.b, to_fraction(c, what="c"), self.name)

    def as_strings(self) -> dict[str, object]:
        """``{"a": [...], "b": [...], "c": "..."}`` with every rational as a "p/q" string."""
        return {
            "a": [format_fraction(x) for x in self.a],
            "b": [format_fraction(x) for x in self.b],
            "c": format_fraction(self.c),
        }

    def spec(self) -> str:
        """The spec-string form, ``a=...;b=...;c=...``, that :func:`impl.theory.parse_spec` reads back."""
        s = self.as_strings()
        return f"a={','.join(s['a'])};b={','.join(s['b'])};c={s['c']}"  # type: ignore[arg-type]

    def __str__(self) -> str:
        prefix = f"{self.name}: " if self.name else ""
        return prefix + self.spec()

