"""Predicted width exponents (THEORY.md §3; the paper's Section 3.2, Section 5 and App. H.3).

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
``delta_kernel{l}``    −min_{m≤l} r_m               (feature-kernel change ⅟ₙ(xₜ·xₜ − x₀·x₀), Def 3.5)
``delta_Wout_x``       1 − 2a_{L+1} − c             (ΔW^{L+1} x^L, Prop 5.5)
``Wout0_delta_x``      1 − (a_{L+1}+b_{L+1}) − r    (W₀^{L+1} Δx^L, Prop 5.5)
``delta_f``            the larger of the two above  (fₜ − f₀)
=====================  =====================================================================

One-step lag (App. H.3, Assumption H.21): when a_{L+1}+b_{L+1} > 2a_{L+1}+c the first step's
backward pass sees only W₀^{L+1}, so at t = 1 the r_l are computed with a_{L+1}+b_{L+1} in place
of the min of Definition 3.2; the table above holds from t = 2 on. ``step=1`` applies this.

Unstable parametrizations get ``None`` for every quantity: once something blows up, the
linearised exponent no longer holds, and only "grows" is a prediction.
"""

from __future__ import annotations

from fractions import Fraction

from impl.theory.classification import classify, r_layers
from impl.theory.parametrization import Parametrization

__all__ = ["quantity_names", "predicted_exponents", "lag_applies"]


def quantity_names(depth: int) -> tuple[str, ...]:
    """Every tracked quantity name for an L-hidden-layer MLP, in a stable display order."""
    names: list[str] = ["f0"]
    for l in range(1, depth + 1):
        names += [f"h{l}", f"x{l}", f"delta_W{l}_x", f"delta_h{l}", f"delta_x{l}", f"delta_kernel{l}"]
    names += ["delta_Wout_x", "Wout0_delta_x", "delta_f"]
    return tuple(names)


def lag_applies(p: Parametrization) -> bool:
    """Whether a_{L+1}+b_{L+1} > 2a_{L+1}+c, so that step 1 is lagged (App. H.3)."""
    return p.a_out + p.b_out > 2 * p.a_out + p.c


def predicted_exponents(p: Parametrization, step: int | None = None) -> dict[str, Fraction | None]:
    """Exponent e of every quantity (size ~ n^e) after ``step`` SGD steps (None: any t ≥ 2).

    Returns a dict keyed by :func:`quantity_names`; all values are ``None`` when ``p`` is unstable.
    """
    if step is not None and step < 1:
        raise ValueError(f"step must be >= 1 (updates are zero at step 0), got {step}")
    names = quantity_names(p.depth)
    if not classify(p).stable:
        return {k: None for k in names}
    A = p.a_out + p.b_out
    rl = r_layers(p, out_term=A) if (step == 1 and lag_applies(p)) else r_layers(p)
    r = min(rl)
    out: dict[str, Fraction | None] = {"f0": Fraction(1, 2) - A}
    running = rl[0]
    for l, r_l in enumerate(rl, start=1):
        running = min(running, r_l)
        out[f"h{l}"] = Fraction(0)
        out[f"x{l}"] = Fraction(0)
        out[f"delta_W{l}_x"] = -r_l
        out[f"delta_h{l}"] = -running
        out[f"delta_x{l}"] = -running
        out[f"delta_kernel{l}"] = -running
    out["delta_Wout_x"] = 1 - 2 * p.a_out - p.c
    out["Wout0_delta_x"] = 1 - A - r
    out["delta_f"] = max(out["delta_Wout_x"], out["Wout0_delta_x"])  # type: ignore[type-var]
    return {k: out[k] for k in names}
