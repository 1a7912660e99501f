"""Theorems 6.1, 6.3, 6.4 and Corollary 6.2 (µP infinite-width limits) — Section 6, App. D; the check is
:mod:`impl.checks.limit_convergence`.

*In words:* a µP network of width n trained by SGD converges, as n → ∞, to a deterministic
infinite-width limit: fₜ(ξ) → f̊ₜ(ξ) for every step t and input ξ (Theorem 6.1: 1 hidden layer;
Corollary 6.2 / Theorem D.1: φ = id; Theorem 6.3: 2 hidden layers with decoupled backprop; Theorem 6.4:
2 hidden layers, true SGD).

Check (hypothesis over φ ∈ {tanh, σ-gelu} — φ = id for the linear net —, η and the data seed): the
networks' mean agrees with the limit at the largest width, their deviation shrinks like n^{−1/2}, and the
limit is accurate enough to judge.

Negative controls (the same networks, judged against a wrong limit, which must disagree while the
theorem's agrees): the limit at 1.1·η (mlp1, linear1 at η = ½), the limit with φ′ ≡ 1 in the backward pass
(mlp2-decoupled) and the other backprop's limit (Theorem 6.3 for true-SGD networks).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.checks import PHIS
from impl.checks.limit_convergence import LIMIT_ROUTINE, check_limit_convergence
from impl.limits.archs import ARCHS
from impl.measurement import Verdict
from impl.strategies import routines
from theorem_checks.suite import BUDGET, SWEEPS, finite_settings

LRS: dict[str, tuple[float, ...]] = {"linear1": (0.25, 0.5)}  # linear nets at η = 1 on this data can diverge
NONLINEAR_LRS = (0.5, 0.75, 1.0)  # σ-gelu at η = 1.5 already sends some n = 64 nets to |f| ≈ 5 (measured)


@pytest.mark.slow
@pytest.mark.parametrize("arch", list(ARCHS))
@finite_settings()
@given(data=st.data())
def test_finite_mup_networks_converge_to_their_limit(arch: str, data: st.DataObject) -> None:
    phis = ("identity",) if arch == "linear1" else PHIS
    routine = data.draw(routines(LIMIT_ROUTINE, phis=phis, lrs=LRS.get(arch, NONLINEAR_LRS)), label="routine")
    result = check_limit_convergence(arch, routine, BUDGET, sweeps=SWEEPS)
    assert result.agrees, str(result)


CONTROLS = [("mlp1", "eta+10%"), ("linear1", "eta+10%"), ("mlp2-decoupled", "no-phi-prime"), ("mlp2", "other-backprop")]


@pytest.mark.slow
@pytest.mark.parametrize("arch,variant", CONTROLS, ids=[f"{a}-{v}" for a, v in CONTROLS])
def test_negative_control_wrong_limit(arch: str, variant: str) -> None:
    routine = replace(LIMIT_ROUTINE, phi="identity" if arch == "linear1" else "tanh", lr=0.5 if arch == "linear1" else 1.0)
    assert check_limit_convergence(arch, routine, BUDGET, sweeps=SWEEPS).agrees  # the same networks, the theorem's limit
    wrong = check_limit_convergence(arch, routine, BUDGET, limit=variant, sweeps=SWEEPS)
    assert wrong.verdict is Verdict.DISAGREE, str(wrong)
