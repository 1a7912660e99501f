"""Width scalings of an abc-parametrization at a given width n (paper Section 3, (a)–(c), Eq. (5)).

With Wˡ = n^{-aₗ}wˡ, wˡ = n^{-bₗ}z and SGD on w with learning rate η·n^{-c}, the weights themselves
evolve as Wˡ₀ = n^{-(aₗ+bₗ)}·z and ΔWˡ = −η·n^{-(c+2aₗ)}·∇_{Wˡ}Loss. The engine works with these two
Eq. (5)-invariant combinations only, so shifted parametrizations give bit-identical runs.

Biases (App. C.1): in µP a hidden bias has a = −½, b = ½ and an output bias a = b = 0. App. C.1 states
these for c = 0; we attach them to the canonical (c = 0) representative of the Eq. (5) class, i.e.
for a parametrization with learning-rate exponent c we use a = −½ − c/2, b = ½ + c/2 (hidden) and
a = −c/2, b = c/2 (output). Then every bias starts N(0, 1) and moves with learning rate η·n (hidden)
or η (output) whatever the (a, b, c), and the Eq. (5) symmetry holds with biases too.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from impl.theory import Exponent, Parametrization

__all__ = ["width_power", "bias_exponents", "LayerScales", "layer_scales"]

HALF = Fraction(1, 2)


def width_power(width: int, exponent: Exponent) -> float:
    """n^e as a float (e exact, so Eq. (5)-invariant exponents give identical floats; n^{-∞} = 0, the std of a
    zero-initialised readout)."""
    return float(width) ** float(exponent)


def bias_exponents(p: Parametrization) -> tuple[tuple[Fraction, Fraction], tuple[Fraction, Fraction]]:
    """((a, b) of the hidden biases, (a, b) of the output bias), App. C.1 shifted to ``p.c``."""
    shift = -p.c / 2
    return (-HALF + shift, HALF - shift), (shift, -shift)


@dataclass(frozen=True)
class LayerScales:
    """Per-layer multipliers at one width; index l−1 is layer l = 1..L+1 (L+1 the readout).

    ``init_std[l-1]`` = n^{-(aₗ+bₗ)} (std of Wˡ₀'s entries); ``lr[l-1]`` = η·n^{-(c+2aₗ)} (the
    step size on Wˡ); ``bias_init_std``/``bias_lr`` = (hidden, output) for biases.
    """

    init_std: tuple[float, ...]
    lr: tuple[float, ...]
    bias_init_std: tuple[float, float]
    bias_lr: tuple[float, float]


def layer_scales(p: Parametrization, width: int, eta: float) -> LayerScales:
    """The :class:`LayerScales` of ``p`` at width ``width`` with base learning rate ``eta``."""
    init = tuple(width_power(width, -(a + b)) for a, b in zip(p.a, p.b))
    lr = tuple(eta * width_power(width, -(p.c + 2 * a)) for a in p.a)
    biases = bias_exponents(p)
    b_init = tuple(width_power(width, -(a + b)) for a, b in biases)
    b_lr = tuple(eta * width_power(width, -(p.c + 2 * a)) for a, _ in biases)
    return LayerScales(init, lr, b_init, b_lr)  # type: ignore[arg-type]
