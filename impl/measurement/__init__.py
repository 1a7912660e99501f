"""Layer 3: measuring width exponents on finite networks and deciding them against the theory.

* :mod:`~impl.measurement.fit` — :func:`fit_exponent` (log-log least squares; seed jackknife-t or bootstrap CI);
* :mod:`~impl.measurement.decision` — :func:`decide` a claim: agree / disagree / undecided (the one
  :class:`Verdict` vocabulary), with the fit's descriptive :class:`Trend` (docs/theory.md §5);
* :mod:`~impl.measurement.multiplicity` — per-check α for a suite (Bonferroni, Šidák, Holm);
* :mod:`~impl.measurement.calibration` — synthetic power laws, false-alarm and power rates;
* :mod:`~impl.measurement.sweep` — :func:`run_sweep` over widths × seed chunks, in-process or on an
  executor / dask cluster, with an on-disk cache (:mod:`~impl.measurement.cache`);
* :mod:`~impl.measurement.analysis` — :func:`analyze` a sweep at one step against the predictions;
* :mod:`~impl.measurement.report` — the JSON report.
"""

from impl.measurement.analysis import SECOND_ORDER, Analysis, QuantityResult, analyze, decide_quantity, is_update_quantity, theory_claims
from impl.measurement.cache import JobCache, cache_key, code_version, default_cache_dir
from impl.measurement.calibration import DEFAULT_WIDTHS, OperatingPoint, decision_rates, synthetic_sizes
from impl.measurement.decision import DEFAULT_MARGIN, EXIT_CODES, Claim, Decision, Trend, Verdict, as_claim, decide, describe_claim
from impl.measurement.executors import Job, JobFailure, SweepError
from impl.measurement.fit import (
    DEFAULT_ALPHA, METHODS, BandPValues, BlowUp, ConfidenceInterval, ExponentFit, band_pvalues, fit_exponent,
)
from impl.measurement.multiplicity import ci_level, holm_reject, holm_thresholds, per_check_alpha
from impl.measurement.rates import OutcomeCounts
from impl.measurement.records import JobResult
from impl.measurement.report import dumps_report, report_dict, write_report
from impl.measurement.sweep import SweepResult, SweepStats, plan_jobs, run_sweep

__all__ = [
    "SECOND_ORDER",
    "Analysis",
    "BandPValues",
    "BlowUp",
    "Claim",
    "ConfidenceInterval",
    "DEFAULT_ALPHA",
    "DEFAULT_MARGIN",
    "EXIT_CODES",
    "DEFAULT_WIDTHS",
    "Decision",
    "ExponentFit",
    "Job",
    "JobCache",
    "JobFailure",
    "JobResult",
    "METHODS",
    "OperatingPoint",
    "OutcomeCounts",
    "QuantityResult",
    "SweepError",
    "SweepResult",
    "SweepStats",
    "Trend",
    "Verdict",
    "analyze",
    "as_claim",
    "band_pvalues",
    "cache_key",
    "ci_level",
    "code_version",
    "decide",
    "decide_quantity",
    "decision_rates",
    "default_cache_dir",
    "describe_claim",
    "dumps_report",
    "fit_exponent",
    "holm_reject",
    "holm_thresholds",
    "is_update_quantity",
    "per_check_alpha",
    "plan_jobs",
    "report_dict",
    "run_sweep",
    "synthetic_sizes",
    "theory_claims",
    "write_report",
]
