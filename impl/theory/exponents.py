"""Predicted width exponents (docs/theory.md §3; the paper's Section 3.2, Section 5 and App. H.3).

A quantity of size Θ(n^e) has exponent e. Vectors are measured by their RMS coordinate
√(‖v‖²/n); scalars by their RMS over seeds and inputs. For a stable parametrization after t ≥ 1
SGD steps:

=====================  =====================================================================
name                   exponent
=====================  =====================================================================
``h{l}``, ``x{l}``     0 (Θ(1) coordinates at initialisation, Eq. 6)
``f0``                 ½ − (a_{L+1}+b_{L+1})
``delta_W{l}_x``       −r_l                         (ΔWˡ x^{l−1}, Prop 5.3)
``delta_h{l}``         −min_{m≤l} r_m               (Δhˡ)
``delta_x{l}``         −min_{m≤l} r_m               (Δxˡ; Δx^L ~ n^{−r}, Def 3.2)
``delta_kernel{l}``    0 if min_{m≤l} r_m = 0, else None (feature-kernel change, Def 3.5; see below)
``delta_Wout_x``       1 − 2a_{L+1} − c             (ΔW^{L+1} x^L, Prop 5.5)
``Wout0_delta_x``      1 − (a_{L+1}+b_{L+1}) − r    (W₀^{L+1} Δx^L, Prop 5.5)
``delta_f``            the larger of the two above  (fₜ − f₀)
=====================  =====================================================================

One-step lag (App. H.3, Assumption H.21): when a_{L+1}+b_{L+1} > 2a_{L+1}+c the first step's
backward pass sees only W₀^{L+1}, so at t = 1 the r_l are computed with a_{L+1}+b_{L+1} in place
of the min of Definition 3.2; the table above holds from t = 2 on. ``step=1`` applies this.

The feature-kernel change ⅟ₙ(xˡₜ·xˡₜ − xˡ₀·xˡ₀) is Θ(1) exactly when layer l learns features
(Theorem 3.6, H.13(3)); otherwise Theorem H.13 says only that the kernel is fixed in the limit, and
gives no rate. Measurements show the rate is *not* n^{−r} (NTP: ≈ n^{−1}; the cross term
x₀·Δx/n is a sum of √n random-sign terms), so tp4 predicts no value there: its exponent is None
and :func:`predicted_behaviours` says "vanishes".

Under the lag, W₀^{L+1}Δx^L after t ≥ 2 steps is *not* n^{1−A−r} (docs/theory.md §3.5, derived there):
with g = A − (2a_{L+1}+c) > 0, Δx^L has a part from the steps whose backward pass ran through W₀^{L+1}
(size n^{−(r+g)}, correlated with W₀^{L+1}: a law-of-large-numbers sum, n^{1−A−r−g}) and a part driven
through ΔW^{L+1} ∝ x^L (size n^{−r}, uncorrelated with W₀^{L+1}: a central-limit sum of n terms,
n^{½−A−r}), so the exponent is 1 − A − r − min(g, ½). Measured at t = 3, widths 64…2048, 16 seeds
(predicted → fitted): µP with b_{L+1} = ¾, 1, 3/2: −½ → −0.47, −1 → −0.94, −3/2 → −1.46; L = 1 with
b₂ = ¾: −½ → −0.47; σ-gelu: −½ → −0.48; NTP with b₃ = ¾ (r = 1): −3/2 → −1.48.

A zero-initialised readout (b_{L+1} = ∞, App. H.3) is the lag taken to its limit: W^{L+1}₀ = 0, so
f₀ and W₀^{L+1}Δx^L are exactly 0 at every step, and at step 1 — the backward pass ran through
W^{L+1}₀ = 0 — every hidden update (ΔWˡx^{l−1}, Δhˡ, Δxˡ, the feature-kernel change) is exactly 0 too;
fₜ − f₀ = ΔW^{L+1}x^L. These get the exponent ``None`` and the behaviour ``Behaviour.ZERO``
(:func:`exact_zeros`), which the measurement layer decides exactly, not by a fit. From step 2 on the
table holds with W^{L+1}ₜ of size n^{-(2a_{L+1}+c)}.

Unstable parametrizations get ``None`` for every quantity: once something blows up, the
linearised exponent no longer holds, and only "grows" is a prediction.
"""

from __future__ import annotations

import enum
from fractions import Fraction

from impl.theory.classification import classify, r_layers
from impl.theory.parametrization import Parametrization
from impl.theory.rational import Infinity

__all__ = ["Behaviour", "quantity_names", "predicted_exponents", "predicted_behaviours", "lag_applies", "feature_step",
           "readout_correction", "exact_zeros", "leading_output_term"]


class Behaviour(str, enum.Enum):
    """A qualitative prediction: how a quantity's size behaves as width grows."""

    THETA1 = "theta1"  # Θ(1): exponent 0
    VANISHES = "vanishes"  # exponent < 0
    GROWS = "grows"  # exponent > 0 (or blows up)
    BOUNDED = "bounded"  # exponent ≤ 0: does not grow (Theorem 3.3's "stable")
    ZERO = "zero"  # exactly 0 at every width (a zero-initialised readout, App. H.3)

    def __str__(self) -> str:
        return self.value


def quantity_names(depth: int) -> tuple[str, ...]:
    """Every tracked quantity name for an L-hidden-layer MLP, in a stable display order."""
    names: list[str] = ["f0"]
    for l in range(1, depth + 1):
        names += [f"h{l}", f"x{l}", f"delta_W{l}_x", f"delta_h{l}", f"delta_x{l}", f"delta_kernel{l}"]
    names += ["delta_Wout_x", "Wout0_delta_x", "delta_f"]
    return tuple(names)


def lag_applies(p: Parametrization) -> bool:
    """Whether a_{L+1}+b_{L+1} > 2a_{L+1}+c, so that step 1 is lagged (App. H.3; always, for a zero readout)."""
    return p.readout_init > 2 * p.a_out + p.c


def exact_zeros(p: Parametrization, step: int | None = None) -> frozenset[str]:
    """The quantities that are exactly 0 at every width after ``step`` steps (None: any t ≥ 2), whatever
    the draws: with a zero-initialised readout, ``f0`` and ``Wout0_delta_x`` always, and at step 1 every
    hidden update (module docstring). Empty otherwise."""
    if not p.zero_readout:
        return frozenset()
    zeros = {"f0", "Wout0_delta_x"}
    if step == 1:
        for l in range(1, p.depth + 1):
            zeros |= {f"delta_W{l}_x", f"delta_h{l}", f"delta_x{l}", f"delta_kernel{l}"}
    return frozenset(zeros)


def readout_correction(p: Parametrization) -> Fraction | None:
    """The relative order q of the finite-width correction that the smaller part of W^{L+1} adds from step 2 on,
    when it is slower than the n^{-1/2} fluctuations: q = |(2a_{L+1}+c) − (a_{L+1}+b_{L+1})| if 0 < q < ½ (else None).

    From step 2 on the backward pass runs through W^{L+1}₁ = W^{L+1}₀ + ΔW^{L+1}, whose coordinates are
    n^{-(a_{L+1}+b_{L+1})} and n^{-(2a_{L+1}+c)} (Section 3.2, App. H.3): one part is smaller by n^{-q}, so every
    quantity after step 2 is its limit times (1 + D·n^{-q}). Without the lag the smaller part is the update
    (e.g. UP_{1/4}: q = ¼; W₀^{L+1}Δx^L of UP_{1/4} at L = 1 fits +0.21 over 64…1024 while it is Θ(1)); under the
    lag it is W^{L+1}₀, whose step-1 share of Δxˡ is n^{-q} (µP with b_{L+1} = ¾: Δx² fits −0.11 at t = 3 while it is
    Θ(1); L = 1 with b₂ = ¾: Δx¹ −0.22 at t = 2). For 0 < q < ½ that shifts a 64…1024 slope by up to ≈ 0.2 while the
    limit holds; tp4 does not model it yet, so such claims are decided at step 1, where it is absent.
    """
    A = p.readout_init
    if isinstance(A, Infinity):
        return None  # W^{L+1} is its update alone from step 1 on: nothing to correct
    q = abs(2 * p.a_out + p.c - A)
    return q if 0 < q < Fraction(1, 2) else None


def feature_step(p: Parametrization) -> int:
    """The first SGD step at which features can move by Θ(1): 1, or 2 under the one-step lag (App. H.3)."""
    return 2 if lag_applies(p) else 1


def predicted_exponents(p: Parametrization, step: int | None = None) -> dict[str, Fraction | None]:
    """Exponent e of every quantity (size ~ n^e) after ``step`` SGD steps (None: any t ≥ 2).

    Returns a dict keyed by :func:`quantity_names`; all values are ``None`` when ``p`` is unstable.
    """
    if step is not None and step < 1:
        raise ValueError(f"step must be >= 1 (updates are zero at step 0), got {step}")
    names = quantity_names(p.depth)
    if not classify(p).stable:
        return {k: None for k in names}
    A = p.readout_init
    lagged_step = step == 1 and lag_applies(p)
    rl = r_layers(p, out_term=A) if lagged_step and not isinstance(A, Infinity) else r_layers(p)
    r = min(rl)
    out: dict[str, Fraction | None] = {"f0": None if isinstance(A, Infinity) else Fraction(1, 2) - A}
    running = rl[0]
    for l, r_l in enumerate(rl, start=1):
        running = min(running, r_l)
        out[f"h{l}"] = Fraction(0)
        out[f"x{l}"] = Fraction(0)
        out[f"delta_W{l}_x"] = -r_l
        out[f"delta_h{l}"] = -running
        out[f"delta_x{l}"] = -running
        out[f"delta_kernel{l}"] = Fraction(0) if running == 0 else None
    update_term = 1 - 2 * p.a_out - p.c
    out["delta_Wout_x"] = update_term
    if isinstance(A, Infinity):
        out["Wout0_delta_x"], out["delta_f"] = None, update_term
    else:
        init_term = 1 - A - r
        if lag_applies(p) and step != 1:  # the LLN part of the lagged steps, or the CLT part of the rest
            init_term -= min(A - (2 * p.a_out + p.c), Fraction(1, 2))
        out["Wout0_delta_x"] = init_term
        # under the lag init_term < update_term, so the update term sets delta_f either way
        out["delta_f"] = max(update_term, init_term)
    for k in exact_zeros(p, step):
        out[k] = None
    return {k: out[k] for k in names}


def leading_output_term(p: Parametrization, step: int | None = None) -> str | None:
    """The term of fₜ − f₀ = ΔW^{L+1}x^L + W₀^{L+1}Δx^L (``delta_Wout_x``, ``Wout0_delta_x``) with the larger
    exponent after ``step`` steps, or None when the theory gives both the same exponent, or only one of them.

    The other term is then a relative correction n^{−(e₁−e₂)} of fₜ − f₀ whose size is deterministic given the
    data — not a fluctuation an average over seeds removes — so a slope of fₜ − f₀ is biased by it
    (``a=1/2,5/4,5/4;b=-1/2,-3/4,-3/4;c=-1``, σ-gelu, 64 seeds, widths 128…4096: fₜ − f₀ fits −0.057
    [−0.089, −0.026] for its exponent 0, its leading term W₀^{L+1}Δx^L −0.022 [−0.054, +0.011], the other
    ΔW^{L+1}x^L −0.491 for −½)."""
    e = predicted_exponents(p, step)
    update, init = e["delta_Wout_x"], e["Wout0_delta_x"]
    if update is None or init is None or update == init:
        return None
    return "delta_Wout_x" if update > init else "Wout0_delta_x"


def predicted_behaviours(p: Parametrization, step: int | None = None) -> dict[str, Behaviour | None]:
    """The qualitative prediction of every quantity (None where the theory says nothing).

    Stable: from the sign of the exponent; ``delta_kernel{l}`` vanishes when layer l does not learn
    features. Unstable: each violated condition of Theorem 3.3 makes the quantity it governs grow
    (``Condition.governs``: h{l}, f0, delta_h{l}, delta_Wout_x, Wout0_delta_x; an initial scale
    that is too small vanishes instead), and the output ones make ``delta_f`` grow — except that a
    violated a_{L+1}+b_{L+1}+r ≥ 1 predicts growth of W₀^{L+1}Δx^L only when it is the sole training
    violation. With r < 0 as well, Δx^L saturates at Θ(1) with a bounded φ (µP with c = −½: W₀Δx slope
    +0.005); with 2a_{L+1}+c < 1 as well, the one-step lag applies and from step 2 on Δx^L is driven
    through ΔW^{L+1} ∝ x^L, uncorrelated with W₀^{L+1} (SP with L = 1: slope −0.11 over 64…1024).
    Everything else is left open. Either way, the :func:`exact_zeros` are ``Behaviour.ZERO``.
    """
    c = classify(p)
    names = quantity_names(p.depth)
    zeros = exact_zeros(p, step)
    if not c.stable:
        out: dict[str, Behaviour | None] = {k: None for k in names}
        training_violations = [v for v in c.violated if v.phase == "training"]
        for cond in c.violated:
            if cond.phase == "init":  # Eq. (6): too large a scale grows, too small vanishes
                out[cond.governs] = Behaviour.GROWS if cond.slack < 0 else Behaviour.VANISHES
            elif c.stable_at_init:  # Eqs. (7)-(8) presuppose a stable initialisation
                if cond.name == "aL+1+bL+1+r>=1" and len(training_violations) > 1:
                    continue  # W₀Δx grows only through Δx correlated with W₀: see the docstring
                out[cond.governs] = Behaviour.GROWS
                if cond.governs in ("delta_Wout_x", "Wout0_delta_x"):
                    out["delta_f"] = Behaviour.GROWS
        return {k: Behaviour.ZERO if k in zeros else v for k, v in out.items()}
    exps = predicted_exponents(p, step)
    result: dict[str, Behaviour | None] = {}
    for k, e in exps.items():
        if k in zeros:
            result[k] = Behaviour.ZERO
        elif e is None:
            result[k] = Behaviour.VANISHES if k.startswith("delta_kernel") else None
        else:
            result[k] = Behaviour.THETA1 if e == 0 else (Behaviour.VANISHES if e < 0 else Behaviour.GROWS)
    return result
