"""Layer 3: measuring width exponents on finite networks and deciding them against the theory.

* :mod:`~impl.measurement.fit` — :func:`fit_exponent` (log-log least squares; seed jackknife-t or bootstrap CI);
* :mod:`~impl.measurement.decision` — :func:`decide`: consistent / inconsistent / inconclusive
  against a prediction, grows / vanishes / theta1 / bounded without one (THEORY.md §5);
* :mod:`~impl.measurement.multiplicity` — per-check α for a suite (Bonferroni, Šidák, Holm);
* :mod:`~impl.measurement.calibration` — synthetic power laws, false-alarm and power rates;
* :mod:`~impl.measurement.sweep` — :func:`run_sweep` over widths × seed chunks, in-process or on an
  executor / dask cluster, with an on-disk cache (:mod:`~impl.measurement.cache`);
* :mod:`~impl.measurement.analysis` — :func:`analyze` a sweep at one step against the predictions;
* :mod:`~impl.measurement.report` — the JSON report.
"""

from impl.measurement.analysis import Analysis, QuantityResult, analyze, is_update_quantity
from impl.measurement.cache import JobCache, cache_key, code_version
from impl.measurement.calibration import DEFAULT_WIDTHS, OperatingPoint, decision_rates, synthetic_sizes
from impl.measurement.decision import DEFAULT_MARGIN, Decision, Verdict, decide
from impl.measurement.executors import Job, JobFailure, SweepError
from impl.measurement.fit import DEFAULT_ALPHA, METHODS, BandPValues, BlowUp, ExponentFit, band_pvalues, fit_exponent
from impl.measurement.multiplicity import ci_level, holm_reject, holm_thresholds, per_check_alpha
from impl.measurement.rates import OutcomeCounts
from impl.measurement.records import JobResult
from impl.measurement.report import dumps_report, report_dict, write_report
from impl.measurement.sweep import SweepResult, SweepStats, plan_jobs, run_sweep

__all__ = [
    "Analysis",
    "BandPValues",
    "BlowUp",
    "DEFAULT_ALPHA",
    "DEFAULT_MARGIN",
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
    "Verdict",
    "analyze",
    "band_pvalues",
    "cache_key",
    "ci_level",
    "code_version",
    "decide",
    "decision_rates",
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
    "write_report",
]
