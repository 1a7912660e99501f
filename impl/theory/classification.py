"""The classification of abc-parametrizations (Section 3.2, Section 5, App. H), in exact arithmetic.

* Definition 3.2 / Proposition 5.3: r_l = min(a_{L+1}+b_{L+1}, 2a_{L+1}+c) + c − 1 + 2aₗ + 𝟙(l=1),
  r = minₗ r_l.
* Theorem 3.3 (stability) — at initialisation (Eq. 6, Theorem H.19): a₁+b₁ = 0, aₗ+bₗ = ½ for
  2 ≤ l ≤ L, a_{L+1}+b_{L+1} ≥ ½; during training: r ≥ 0 (Eq. 7), 2a_{L+1}+c ≥ 1 and
  a_{L+1}+b_{L+1}+r ≥ 1 (Eq. 8).
* Theorem 3.4 (nontriviality): a_{L+1}+b_{L+1}+r = 1 or 2a_{L+1}+c = 1.
* Theorems 3.6/3.8, Corollary 3.9: feature learning iff r = 0, kernel regime iff r > 0.
* Propositions 5.3/5.5: Wˡ updated maximally iff r_l = 0; W^{L+1} updated maximally iff
  2a_{L+1}+c = 1, initialised maximally iff a_{L+1}+b_{L+1}+r = 1.
* Theorem 5.6: µP is the unique stable parametrization (mod Eq. 5) with all of those maximal.
* Max learning-rate exponent: the least c keeping (a, b) stable (Table 1's "minimal c").

A zero-initialised readout (b_{L+1} = ∞, App. H.3) is the limit a_{L+1}+b_{L+1} → ∞ of each formula:
W^{L+1}ₜ has size n^{-(2a_{L+1}+c)} for t ≥ 1, the init conditions on the readout and
a_{L+1}+b_{L+1}+r ≥ 1 hold with infinite slack, and W^{L+1} is never "initialised maximally" — so by
Theorem 5.6 no such parametrization is µP, though µP with a zero readout keeps every update maximal.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from fractions import Fraction

from impl.theory.parametrization import Parametrization
from impl.theory.presets import mup
from impl.theory.rational import Exponent, Infinity

__all__ = [
    "Regime",
    "Condition",
    "MaximalUpdates",
    "Classification",
    "r_layers",
    "r_value",
    "stability_conditions",
    "min_stable_c",
    "maximal_updates",
    "in_mup_class",
    "classify",
]

HALF = Fraction(1, 2)
ONE = Fraction(1)


class Regime(str, enum.Enum):
    """Where a parametrization sits (Corollary 3.9)."""

    UNSTABLE = "unstable"
    TRIVIAL = "trivial"
    FEATURE_LEARNING = "feature_learning"
    KERNEL = "kernel"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Condition:
    """One inequality or equation of Theorem 3.3.

    ``slack`` is lhs − rhs; ``governs`` names the quantity (``classify`` JSON name) that grows or
    degenerates when the condition fails; ``phase`` is ``"init"`` (Eq. 6) or ``"training"``.
    """

    name: str
    holds: bool
    slack: Exponent
    governs: str
    phase: str


@dataclass(frozen=True)
class MaximalUpdates:
    """Propositions 5.3 and 5.5: which weights are updated / initialised maximally."""

    body: tuple[bool, ...]  # Wˡ updated maximally, l = 1..L
    out_updated: bool
    out_initialized: bool

    @property
    def all_maximal(self) -> bool:
        """The property of Theorem 5.6: every layer updated and W^{L+1} initialised maximally."""
        return all(self.body) and self.out_updated and self.out_initialized

    def as_dict(self) -> dict[str, bool]:
        d = {f"W{l}": v for l, v in enumerate(self.body, start=1)}
        d["Wout_updated"] = self.out_updated
        d["Wout_initialized"] = self.out_initialized
        return d


@dataclass(frozen=True)
class Classification:
    """Everything the theory says about one parametrization (fields mirror ``tp4 classify --json``)."""

    parametrization: Parametrization
    r_layers: tuple[Fraction, ...]
    r: Fraction
    conditions: tuple[Condition, ...]
    stable_at_init: bool
    stable: bool
    nontrivial: bool
    regime: Regime
    min_stable_c: Fraction | None
    maximal: MaximalUpdates
    mup_class: bool

    @property
    def violated(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if not c.holds)


def _min_term(p: Parametrization) -> Fraction:
    """min(a_{L+1}+b_{L+1}, 2a_{L+1}+c): the exponent of W^{L+1}ₜ's size, n^{-min}, for t ≥ 1."""
    A, update = p.readout_init, 2 * p.a_out + p.c
    return update if isinstance(A, Infinity) else min(A, update)


def r_layers(p: Parametrization, *, out_term: Fraction | None = None) -> tuple[Fraction, ...]:
    """(r₁, …, r_L) of Proposition 5.3.

    ``out_term`` replaces min(a_{L+1}+b_{L+1}, 2a_{L+1}+c); the one-step lag (App. H.3) uses
    a_{L+1}+b_{L+1} there for the first step.
    """
    m = _min_term(p) if out_term is None else out_term
    return tuple(m + p.c - 1 + 2 * a + (1 if l == 1 else 0) for l, a in enumerate(p.a[:-1], start=1))


def r_value(p: Parametrization) -> Fraction:
    """r of Definition 3.2 (= minₗ r_l)."""
    return min(r_layers(p))


def stability_conditions(p: Parametrization) -> tuple[Condition, ...]:
    """The conditions of Theorem 3.3, in the paper's order, each with what it governs."""
    L = p.depth
    A = p.readout_init
    r = r_value(p)
    rl = r_layers(p)
    worst = 1 + rl.index(r)
    conds = [Condition("a1+b1=0", p.a[0] + p.b[0] == 0, p.a[0] + p.b[0], "h1", "init")]
    for l in range(2, L + 1):
        s = p.a[l - 1] + p.b[l - 1] - HALF
        conds.append(Condition(f"a{l}+b{l}=1/2", s == 0, s, f"h{l}", "init"))
    conds += [
        Condition("aL+1+bL+1>=1/2", A >= HALF, A - HALF, "f0", "init"),
        Condition("r>=0", r >= 0, r, f"delta_h{worst}", "training"),
        Condition("2aL+1+c>=1", 2 * p.a_out + p.c >= 1, 2 * p.a_out + p.c - 1, "delta_Wout_x", "training"),
        Condition("aL+1+bL+1+r>=1", A + r >= 1, A + r - 1, "Wout0_delta_x", "training"),
    ]
    return tuple(conds)


def min_stable_c(p: Parametrization) -> Fraction | None:
    """The least c making (a, b) stable, or None when (a, b) is unstable at init for every c.

    The three training conditions of Theorem 3.3 are monotone in c: with A = a_{L+1}+b_{L+1} and
    m = minₗ(2aₗ + 𝟙(l=1)), they read g(c) := min(A, 2a_{L+1}+c) + c ≥ max(0, 1−A) + 1 − m and
    c ≥ 1 − 2a_{L+1}; g is continuous, strictly increasing, with slope 2 then 1, so the least c
    solves g(c) = target on the right piece. The largest stable learning rate then scales like n^{-c*}.
    With a zero readout (A = ∞) the target is 1 − m and g has slope 2 everywhere.
    """
    if not all(cond.holds for cond in stability_conditions(p) if cond.phase == "init"):
        return None
    A, a = p.readout_init, p.a_out
    m = min(2 * al + (1 if l == 1 else 0) for l, al in enumerate(p.a[:-1], start=1))
    if isinstance(A, Infinity):
        return max((1 - m - 2 * a) / 2, 1 - 2 * a)
    target = max(Fraction(0), 1 - A) + 1 - m
    # g(A - 2a) = 2A - 2a is the value at the kink, where min(A, 2a+c) switches to A.
    c_g = (target - 2 * a) / 2 if target <= 2 * A - 2 * a else target - A
    return max(c_g, 1 - 2 * a)


def maximal_updates(p: Parametrization) -> MaximalUpdates:
    """Propositions 5.3 and 5.5 (meaningful for stable parametrizations)."""
    r = r_value(p)
    return MaximalUpdates(
        body=tuple(x == 0 for x in r_layers(p)),
        out_updated=2 * p.a_out + p.c == 1,
        out_initialized=p.readout_init + r == 1,
    )


def in_mup_class(p: Parametrization) -> bool:
    """Whether p is µP modulo Eq. (5) (same canonical form as µP of its depth)."""
    return p.canonical() == mup(p.depth).canonical()


def classify(p: Parametrization) -> Classification:
    """Apply every statement of Sections 3 and 5 to ``p`` (exact, no floats)."""
    conds = stability_conditions(p)
    stable_init = all(c.holds for c in conds if c.phase == "init")
    stable = all(c.holds for c in conds)
    r = r_value(p)
    A = p.readout_init
    nontrivial = stable and (A + r == 1 or 2 * p.a_out + p.c == 1)
    if not stable:
        regime = Regime.UNSTABLE
    elif not nontrivial:
        regime = Regime.TRIVIAL
    elif r == 0:
        regime = Regime.FEATURE_LEARNING
    else:
        regime = Regime.KERNEL
    return Classification(
        parametrization=p,
        r_layers=r_layers(p),
        r=r,
        conditions=conds,
        stable_at_init=stable_init,
        stable=stable,
        nontrivial=nontrivial,
        regime=regime,
        min_stable_c=min_stable_c(p),
        maximal=maximal_updates(p),
        mup_class=in_mup_class(p),
    )
