"""Theorem 3.3 (stability) at finite width — Section 3.2, App. H.4 (docs/theory.md §2.3).

*In words:* an abc-parametrization is stable — at initialisation and after any O(1) SGD steps every
pre-activation, activation and the output stay O(1) coordinatewise as the width n → ∞ — iff
a₁+b₁ = 0, aₗ+bₗ = ½ (2 ≤ l ≤ L), a_{L+1}+b_{L+1} ≥ ½ (Eq. 6, Thm H.19), r ≥ 0 (Eq. 7),
2a_{L+1}+c ≥ 1 and a_{L+1}+b_{L+1}+r ≥ 1 (Eq. 8).

The check: for a stable parametrization, after the first step every first-order quantity — the coordinates hˡ,
xˡ, the updates ΔWˡx, Δhˡ, Δxˡ, the output's terms ΔW^{L+1}x^L, W₀^{L+1}Δx^L and fₜ − f₀ (f₀'s is Cor 3.10's) — has the width
exponent the theory gives it (Def. 3.2, Props 5.3 and 5.5, App. H.3 for the lag:
:func:`impl.theory.predicted_exponents` at step 1), and every tracked quantity, the feature-kernel changes
included (bounded by the xˡ they are built from), is bounded (no fitted exponent above +δ) after the routine's
last step. "Bounded" alone would accept a quantity growing like n^{δ'} for any δ' < δ — a wrong theory that
forgets 2a_{L+1}+c ≥ 1 passed on ``a=-3/8,1/8,3/8;b=3/8,3/8,1/2;c=1/8``, whose readout update grows like
n^{1/8} — so the exponents are claimed wherever the theory gives one, at the step where no slow correction
biases them: on the random stable draws of the calibration the output's terms fitted up to 0.21 off their
exponent at step 2 (widths 64…1024; 0.14 at 128…4096), and within 0.11 (0.05) at step 1. When the smaller part
of W^{L+1} (its update, or under the lag its initialisation) adds, from step 2 on, a correction of relative
order n^{-q} with 0 < q < ½ (:func:`impl.theory.readout_correction`; UP_{1/4}: W₀^{L+1}Δx^L converges like C(1
− 2n^{-1/4}) and its 64…1024 slope is ≈ +0.2 though it is Θ(1), measured out to n = 65536: README), the
bounded claims are decided at step 1 too. For an unstable parametrization, the quantity each violated
condition governs (``Condition.governs``) grows — or, for a too-small initial scale, vanishes — at
initialisation for Eq. 6, and for Eqs. 7–8 after the first step at which it can (the second under the one-step
lag of App. H.3; later, saturation of a bounded φ can hide it).

Finding (not a claim): when r < 0 *and* a_{L+1}+b_{L+1}+r < 1 fail together with a_{L+1}+b_{L+1} = 1
(e.g. µP with c = −½), W₀^{L+1}Δx^L does not grow with a bounded φ: the exploding Δh saturates Δx
at Θ(1) (measured slope +0.005, tanh, widths 64–1024); ``predicted_behaviours`` leaves it open.
"""

from __future__ import annotations

from impl.checks.budget import BUDGETS, Budget
from impl.checks.evidence import (
    ROUTINE,
    Evidence,
    Statement,
    Sweeps,
    check_result,
    confirm,
)
from impl.checks.results import CheckResult
from impl.checks.theory import Theory, theory_of
from impl.measurement import SECOND_ORDER, Claim, theory_claims
from impl.simulation import Routine
from impl.theory import Behaviour, Parametrization, feature_step, quantity_names, readout_correction

__all__ = ["STATEMENT", "says", "exponent_claims", "check_stability"]

STATEMENT = Statement("stability", "Thm 3.3 stability", "Section 3.2, App. H.4", lambda L: (6 * L + 4) + (5 * L + 3))
"""At most: every quantity bounded (6L + 4), and the 5L + 3 first-order ones after f₀ at their exponents (stable)."""


def says(theory: Theory) -> str:
    """What Theorem 3.3 says about the theory's parametrization, in a few words."""
    c = theory.classify()
    if c.stable:
        return "stable: every quantity bounded, at its exponent after step 1"
    claims = theory_claims(theory.p, quantity_names(theory.p.depth))  # what the check judges, and only that

    def consequence(governs: str) -> str:
        claim = claims.get(governs)
        return f"{governs} {claim}" if claim is not None else f"{governs} not claimed: another condition fails too"

    said = [f"{v.name} ({consequence(v.governs)})" for v in c.violated]
    if "delta_f" in claims:
        said.append(f"so delta_f {claims['delta_f']}")
    return "unstable: " + ", ".join(said)


def exponent_claims(p: Parametrization) -> dict[str, Claim]:
    """The first-order quantities' claims after step 1 of a stable ``p``: the exponent the theory gives each
    (an exact zero for a zero-initialised readout's) — not the feature-kernel changes (second order, and
    bounded when the xˡ they are built from are), nor f₀ (its exponent is Cor 3.10's claim, decided there on
    the many seeds that initialisation alone affords: at 16 seeds its interval is ±0.25 wide)."""
    names = [n for n in quantity_names(p.depth) if n != "f0" and not n.startswith(SECOND_ORDER)]
    claims = theory_claims(p, names, step=1)
    return {k: v for k, v in claims.items() if not isinstance(v, Behaviour) or v is Behaviour.ZERO}


def check_stability(p: Parametrization, routine: Routine = ROUTINE, budget: Budget = BUDGETS["dev"], *,
                    against: "Parametrization | Theory | None" = None, sweeps: Sweeps | None = None) -> CheckResult:
    """Theorem 3.3 on the networks of ``p``, judged against ``against``'s theory (default p's)."""
    theory = theory_of(p, against)
    c = theory.classify()
    names = quantity_names(p.depth)
    def judge(claims: dict[str, Claim], step: int) -> Evidence:
        return confirm(p, routine, claims, step=step, budget=budget, theory=theory, sweeps=sweeps)

    if c.stable:
        if routine.steps < 1:
            raise ValueError("the routine trains 0 steps; Theorem 3.3's exponents hold from step 1")
        exact = exponent_claims(theory.p)
        if readout_correction(theory.p) is None:  # bounded at the last step
            evidence = [judge(exact, 1), judge({n: Behaviour.BOUNDED for n in names}, routine.steps)]
        else:  # a part of W^{L+1} adds a slow correction from step 2 on: everything at step 1
            evidence = [judge({**{n: Behaviour.BOUNDED for n in names}, **exact}, 1)]
    else:
        claims = theory_claims(theory.p, names)
        init = {v.governs for v in c.violated if v.phase == "init"}
        evidence = []
        if init:  # Eq. (6) is about initialisation: measured at t = 0, before training can blow up
            evidence.append(judge({k: v for k, v in claims.items() if k in init}, 0))
        trained = {k: v for k, v in claims.items() if k not in init}
        if trained:
            step = feature_step(theory.p)
            if step > routine.steps:
                raise ValueError(f"the routine trains {routine.steps} step(s); Theorem 3.3's claims hold from step {step}")
            evidence.append(judge(trained, step))
    return check_result(STATEMENT, p, theory, routine, says(theory), evidence)
