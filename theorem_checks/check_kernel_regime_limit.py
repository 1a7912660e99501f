"""Definition 3.7 / Theorem 3.8 (kernel regime) — Section 3.2, App. H.6 (Thm H.32); the check is
:mod:`impl.checks.kernel_regime`.

*In words:* a stable, nontrivial abc-parametrization with r > 0 is in the kernel regime: as the width
n → ∞ its SGD trajectory converges to kernel gradient descent in function space with a fixed kernel K,
the sum of the layer contributions updated at the leading rate (Thm H.32): for NTP every layer (the
NTK), for SP with learning rate 1/n every layer but the first.

Finite width: NTP and SP with LR 1/n at depth 1–3 (φ = tanh or relu) follow KGD with the theory's kernel,
their relative deviation shrinking like n^{−1/2}; random kernel-regime draws (φ = tanh or σ-gelu) have a
vanishing deviation.

Negative controls (same sweeps, other kernels in the prediction): the NNGP (readout only) for NTP, NTP's
NTK without layer 1, the full NTK for SP-LR-1/n (layer 1 wrongly included), and µP (feature learning,
r = 0) against its first-step linearised kernel: each deviation stays Θ(1) and the check must disagree.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.checks.kernel_regime import KGD_ROUTINE, check_kernel_regime_limit
from impl.measurement import Verdict
from impl.simulation import Routine
from impl.strategies import parametrizations, routines
from impl.theory import Parametrization, mup, ntp, sp_lr1n
from theorem_checks.suite import BUDGET, SWEEPS, finite_settings

# η ∈ {0.5, 0.75, 1}: the full NTK has K(ξ, ξ) ≤ 1 on unit inputs for these φ and L ≤ 3, so η·K ≤ 1 and
# KGD does not overshoot.
KGD_LRS = (0.5, 0.75, 1.0)
PRESETS = st.builds(lambda make, depth: make(depth), st.sampled_from([ntp, sp_lr1n]), st.integers(1, 3))


@finite_settings()
@given(PRESETS, routines(KGD_ROUTINE, phis=("tanh", "relu"), lrs=KGD_LRS))
def test_ntp_and_sp_lr1n_follow_kernel_gradient_descent(p: Parametrization, routine: Routine) -> None:
    result = check_kernel_regime_limit(p, routine, BUDGET, sweeps=SWEEPS, claim=Fraction(-1, 2))
    assert result.agrees, str(result)


@finite_settings()
@given(parametrizations(depth=st.integers(1, 3), regime="kernel"), routines(KGD_ROUTINE, lrs=KGD_LRS))
def test_kernel_regime_draws_follow_kernel_gradient_descent(p: Parametrization, routine: Routine) -> None:
    result = check_kernel_regime_limit(p, routine, BUDGET, sweeps=SWEEPS)
    assert result.agrees, str(result)


@pytest.mark.parametrize("p,kernel", [(ntp(2), "nngp"), (ntp(2), "missing"), (sp_lr1n(2), "ntk"), (mup(2), "theory")],
                         ids=["ntp-nngp", "ntp-without-layer-1", "sp-lr1n-with-layer-1", "mup"])
def test_negative_control_wrong_kernel_or_feature_learning(p: Parametrization, kernel: str) -> None:
    rate = Fraction(-1, 2)
    if p != mup(2):  # the theory's kernel passes on these very sweeps
        assert check_kernel_regime_limit(p, KGD_ROUTINE, BUDGET, sweeps=SWEEPS, claim=rate).agrees
    wrong = check_kernel_regime_limit(p, KGD_ROUTINE, BUDGET, sweeps=SWEEPS, kernel=kernel, claim=rate)
    assert wrong.verdict is Verdict.DISAGREE, str(wrong)
