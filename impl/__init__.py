"""tp4: a property-based theory test harness for Tensor Programs IV (Yang & Hu, arXiv 2011.14522).

The user API, flat::

    from impl import parse_spec, classify, check_parametrization

    classify(parse_spec("mup")).regime                   # Regime.FEATURE_LEARNING
    check_parametrization("a=-1/2,0,1/2;b=1/2,1/2,1/2;c=0", expect="mup").assert_agrees()
    check_model("my_model.py:build", expect="mup").assert_agrees()   # your own PyTorch model

Layers, each importing only from the layers before it (``tests/test_layers.py`` fails on an upward
import, on any import of ``theorem_checks`` or ``tests``, on ``pytest`` outside the plugin, and on
``sys.path`` edits):

0. :mod:`impl.atomic` — atomic file writes (imports nothing of tp4);
1. :mod:`impl.theory` — the exact theory of abc-parametrizations (``fractions.Fraction``, no torch);
2. :mod:`impl.simulation` — finite-width MLPs trained by SGD, and the one :class:`Routine` type;
3. :mod:`impl.measurement` — width sweeps, the job cache, exponent fits, decisions (one :class:`Verdict`);
4. :mod:`impl.limits` — infinite-width limits (Z-evaluators, analytic limits, NNGP/NTK);
5. :mod:`impl.experiments` — the paper's experiments in miniature;
6. :mod:`impl.checks` — the paper's statements as checks returning typed results;
7. :mod:`impl.strategies` — hypothesis strategies (parametrizations, routines, Tensor Programs), and
   :mod:`impl.models` — the user's own PyTorch model: inferred abc-parametrization, checks, diagnosis;
8. :mod:`impl.reporting` — reports, their figures and renderings;
9. :mod:`impl.cli` and :mod:`impl.pytest_plugin` — the ``tp4`` command and the pytest plugin.

The names below are loaded on first use (``import impl`` itself imports nothing heavy).
"""

import importlib as _importlib
from typing import Any as _Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # theory
    "Behaviour": "impl.theory", "Parametrization": "impl.theory", "Regime": "impl.theory", "SpecError": "impl.theory",
    "classify": "impl.theory", "feature_step": "impl.theory", "mfp": "impl.theory", "mup": "impl.theory",
    "ntp": "impl.theory", "parse_spec": "impl.theory", "predicted_behaviours": "impl.theory",
    "predicted_exponents": "impl.theory", "preset": "impl.theory", "quantity_names": "impl.theory", "sp": "impl.theory",
    "sp_lr1n": "impl.theory", "up": "impl.theory",
    # simulation
    "Routine": "impl.simulation", "TrainingData": "impl.simulation", "simulate": "impl.simulation",
    "training_data": "impl.simulation",
    # measurement
    "ConfidenceInterval": "impl.measurement", "Decision": "impl.measurement", "ExponentFit": "impl.measurement",
    "SweepResult": "impl.measurement", "Trend": "impl.measurement", "Verdict": "impl.measurement",
    "analyze": "impl.measurement", "decide": "impl.measurement", "default_cache_dir": "impl.measurement",
    "fit_exponent": "impl.measurement", "run_sweep": "impl.measurement",
    # limits
    "finite_for": "impl.limits", "limit_for": "impl.limits",
    # checks
    "BUDGETS": "impl.checks", "Budget": "impl.checks", "CheckResult": "impl.checks", "ClaimResult": "impl.checks",
    "ParametrizationCheck": "impl.checks", "ROUTINE": "impl.checks", "STATEMENTS": "impl.checks",
    "Sweeps": "impl.checks", "Theory": "impl.checks", "TheoryMismatch": "impl.checks",
    "check_dichotomy": "impl.checks", "check_f0": "impl.checks", "check_figure4_panel": "impl.checks",
    "check_kernel_regime_limit": "impl.checks", "check_layerwise_feature_learning": "impl.checks",
    "check_limit_convergence": "impl.checks", "check_master_theorem": "impl.checks",
    "check_max_lr": "impl.checks", "check_maximal_updates": "impl.checks", "check_nontriviality": "impl.checks",
    "check_parametrization": "impl.checks", "check_stability": "impl.checks", "check_symmetry": "impl.checks",
    "check_uniform_parametrization": "impl.checks",
    # models
    "ModelCheck": "impl.models", "ModelError": "impl.models", "check_model": "impl.models",
    # strategies
    "parametrizations": "impl.strategies", "routines": "impl.strategies", "tensor_programs": "impl.strategies",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> _Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'impl' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(_EXPORTS)
