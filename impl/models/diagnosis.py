"""What the inferred parametrization is, and — against an expected one — which knob of which layer to change.

Without an expectation the diagnosis names the class of Section 3 / Corollary 3.9: µP (Theorem 5.6),
feature learning but not µP (which layers are not updated maximally), kernel regime with its r, trivial,
or unstable with the violated conditions of Theorem 3.3.

With ``expect=q``: layer l's knobs (multiplier n^{−α}, init std n^{−β}, learning rate n^{−γ}) give
aₗ = α + γ/2, bₗ = β − γ/2 at c = 0 (:mod:`impl.models.infer`), and q's canonical form (c = 0, Eq. (5))
asks for (a′ₗ, b′ₗ). With Δa = a′ − a and Δb = b′ − b, one knob alone suffices when
Δb = 0 (the multiplier, × n^{−Δa}), Δa = 0 (the init std, × n^{−Δb}) or Δa = −Δb (the learning rate,
× n^{−2Δa}); otherwise two knobs (multiplier and init std) are needed. Every single-knob fix is listed.
A zero-initialised readout has b = β = ∞ (App. H.3): against a finite b′ only its init std can change
(to n^{−(b′+γ/2)}), and against b′ = ∞ only a zero init will do.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from impl.models.infer import Inference, LayerKnobs
from impl.theory import Exponent, Infinity, Parametrization, Regime, classify

__all__ = ["Fix", "Diagnosis", "diagnose", "describe_class"]


def _power(e: Exponent) -> str:
    return "0 (zero init)" if isinstance(e, Infinity) else "n^0" if e == 0 else f"n^{-e}"


@dataclass(frozen=True)
class Fix:
    """One layer that differs from the expectation: what it has, what the expectation needs, and how."""

    layer: str
    delta_a: Fraction
    delta_b: Exponent
    fixes: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.layer}: " + " or ".join(self.fixes)


@dataclass(frozen=True)
class Diagnosis:
    """The class in words, and with an expectation the per-layer fixes (empty when it is that parametrization)."""

    summary: str
    expected: str | None = None
    fixes: tuple[Fix, ...] = ()

    def __str__(self) -> str:
        lines = [self.summary]
        lines += [f"  {f}" for f in self.fixes]
        return "\n".join(lines)


def describe_class(p: Parametrization) -> str:
    """The parametrization's class of Sections 3 and 5 in one sentence."""
    c = classify(p)
    if not c.stable:
        return "unstable because " + ", ".join(f"{v.name} fails ({v.governs} grows)" for v in c.violated)
    if c.mup_class:
        return "µP (Theorem 5.6: feature learning, every layer updated and initialised maximally)"
    if p.zero_readout and c.regime is Regime.FEATURE_LEARNING and all(c.maximal.body) and c.maximal.out_updated:
        return ("µP with a zero-initialised readout (App. H.3: feature learning, every layer updated maximally, "
                "W^{L+1}_0 = 0 so features first move at step 2; not µP by Theorem 5.6, which asks W^{L+1} "
                "initialised maximally)")
    if c.regime is Regime.TRIVIAL:
        return "trivial (stable, but the output does not move in the limit; Theorem 3.4)"
    if c.regime is Regime.KERNEL:
        return f"kernel regime with r = {c.r} (Theorem 3.8: no feature learning in the limit)"
    lazy = [f"W{l}" for l, m in enumerate(c.maximal.body, start=1) if not m]
    if not c.maximal.out_updated:
        lazy.append("Wout (update)")
    if not c.maximal.out_initialized:
        lazy.append("Wout (init: zero)" if p.zero_readout else "Wout (init)")
    return "feature learning but not µP: not maximal in " + ", ".join(lazy)


def _fixes(k: LayerKnobs, da: Fraction, b_new: Exponent, name: str) -> tuple[str, ...]:
    """Every knob change that moves layer ``k`` by Δa = ``da`` to b′ = ``b_new`` (module docstring)."""
    assert k.b is not None and k.gamma is not None
    same_b = k.b == b_new
    beta_new = b_new + k.gamma / 2  # the init std n^{-β′} that gives b′ at this layer's learning rate
    out = []
    if same_b:
        out.append(f"multiplier {_power(k.alpha)}; {name} needs {_power(k.alpha + da)}")
    if da == 0:
        out.append(f"init std {_power(k.beta)}; {name} needs {_power(beta_new)}")
    if not same_b and da == k.b - b_new:  # one infinite b makes the difference ±∞, never Δa
        out.append(f"learning rate {_power(k.gamma)}; {name} needs {_power(k.gamma + 2 * da)}")
    if not out:
        out.append(f"multiplier {_power(k.alpha)} and init std {_power(k.beta)}; {name} needs "
                   f"{_power(k.alpha + da)} and {_power(beta_new)}")
    return tuple(out)


def diagnose(inference: Inference, expected: Parametrization | None = None) -> Diagnosis:
    """The diagnosis of the module docstring (the inference must have a parametrization)."""
    p = inference.parametrization
    if p is None:
        return Diagnosis(f"no abc-parametrization: {inference.why_none}")
    summary = f"{p.spec()}: {describe_class(p)}"
    if expected is None:
        return Diagnosis(summary)
    name = expected.name or expected.spec()
    if expected.depth != p.depth:
        return Diagnosis(f"{summary}; {name} has depth {expected.depth}, the model {p.depth}", name)
    q = expected.canonical()
    fixes = []
    for k, a, b in zip(inference.layers, q.a, q.b):
        assert k.a is not None and k.b is not None  # an inference with a parametrization has SGD learning rates
        da = a - k.a
        if da or b != k.b:
            db = Fraction(0) if b == k.b else b - k.b  # ∞ − ∞ only arises for equal b
            fixes.append(Fix(k.label, da, db, _fixes(k, da, b, name)))
    verdict = f"it is {name} (modulo Eq. (5))" if not fixes else f"it is not {name}; change:"
    return Diagnosis(f"{summary}; {verdict}", name, tuple(fixes))
