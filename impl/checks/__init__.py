"""Layer 6: the paper's statements as checks — plain functions returning typed results.

One module per statement, each a function ``check_…(p, routine, budget, *, against=None, sweeps=None)
-> CheckResult`` that trains finite networks of ``p``, decides the theory's claims about how they scale
with width, and says agree, disagree, undecided or n/a, with the reason:

=============================  ==============================================  =========================
module                         statement                                       function
=============================  ==============================================  =========================
:mod:`.stability`              Thm 3.3 (stability)                             :func:`check_stability`
:mod:`.nontriviality`          Thm 3.4 (nontriviality)                         :func:`check_nontriviality`
:mod:`.dichotomy`              Thm 3.6/3.8, Cor 3.9 (dynamical dichotomy)      :func:`check_dichotomy`
:mod:`.f0`                     Cor 3.10 (f₀ vanishes under feature learning)   :func:`check_f0`
:mod:`.maximal_updates`        Thm 5.6, Prop 5.3/5.5 (maximal updates)         :func:`check_maximal_updates`
:mod:`.layerwise`              Thm H.13(3) (feature learning propagates)       :func:`check_layerwise_feature_learning`
:mod:`.uniform`                Thm G.4 (UP_r)                                  :func:`check_uniform_parametrization`
:mod:`.max_lr`                 Thm 4.1 (largest stable learning rate)          :func:`check_max_lr`
:mod:`.kernel_regime`          Def 3.7, Thm 3.8, H.32 (kernel gradient descent) :func:`check_kernel_regime_limit`
:mod:`.symmetry`               Eq. (5) (identical training under the shift)    :func:`check_symmetry`
:mod:`.limit_convergence`      Thms 6.1–6.4 (µP networks → their limit)        :func:`check_limit_convergence`
:mod:`.figure4`                Figure 4 (Section 9.1)                          :func:`check_figure4_panel`
:mod:`.master_theorem`         Thm 7.4 (Tensor Program Master Theorem)         :func:`check_master_theorem`
=============================  ==============================================  =========================

:func:`check_parametrization` runs every applicable one for a parametrization (``tp4 check``, the
pytest plugin). The budget (:mod:`.budget`) is an argument, never read from the environment;
escalation with more seeds and the error-rate bookkeeping live in :mod:`.evidence`; deliberately wrong
theories for negative controls and ``against=`` in :mod:`.theory`; per-check calibration in
:mod:`.calibration`; the claims a run decided, for a suite that verifies its α split, in :mod:`.tally`.
No pytest, and no module-level state but the context-local tallies of :mod:`.tally`.
"""

from impl.checks.budget import BUDGETS, PROFILES, Budget, budget_for, default_profile
from impl.checks.dichotomy import check_dichotomy, simulate_eta_pair
from impl.checks.evidence import (
    LRS,
    PHIS,
    ROUTINE,
    Evidence,
    Statement,
    SECOND_ORDER,
    Sweeps,
    claimable,
    confirm,
    escalate,
    network_seeds,
    simulate_job,
)
from impl.checks.f0 import check_f0
from impl.checks.figure4 import check_figure4_panel
from impl.checks.kernel_regime import check_kernel_regime_limit
from impl.checks.layerwise import check_layerwise_feature_learning
from impl.checks.limit_convergence import check_limit_convergence
from impl.checks.master_theorem import check_master_theorem
from impl.checks.max_lr import check_max_lr, max_stable_lr
from impl.checks.maximal_updates import check_maximal_updates
from impl.checks.nontriviality import check_nontriviality
from impl.checks.parametrization import (
    STATEMENTS,
    Expectation,
    ParametrizationCheck,
    TheoryMismatch,
    check_parametrization,
    expectation,
    planned_decisions,
)
from impl.checks.results import CheckResult, ClaimResult
from impl.checks.stability import check_stability
from impl.checks.symmetry import check_symmetry
from impl.checks.theory import Theory
from impl.checks.tally import ClaimTally, tally_claims
from impl.checks.uniform import check_uniform_parametrization

__all__ = [
    "BUDGETS",
    "Budget",
    "CheckResult",
    "ClaimResult",
    "Evidence",
    "Expectation",
    "PHIS",
    "PROFILES",
    "LRS",
    "ParametrizationCheck",
    "ROUTINE",
    "STATEMENTS",
    "Statement",
    "Sweeps",
    "Theory",
    "TheoryMismatch",
    "budget_for",
    "check_dichotomy",
    "check_f0",
    "check_figure4_panel",
    "check_kernel_regime_limit",
    "check_layerwise_feature_learning",
    "check_limit_convergence",
    "check_master_theorem",
    "check_max_lr",
    "check_maximal_updates",
    "check_nontriviality",
    "check_parametrization",
    "check_stability",
    "check_symmetry",
    "check_uniform_parametrization",
    "ClaimTally",
    "tally_claims",
    "claimable",
    "confirm",
    "SECOND_ORDER",
    "escalate",
    "default_profile",
    "expectation",
    "max_stable_lr",
    "network_seeds",
    "planned_decisions",
    "simulate_eta_pair",
    "simulate_job",
]
