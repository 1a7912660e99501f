"""Layer 8: width-scaling reports (``tp4 report``), on top of the checks.

* :mod:`~impl.reporting.profiles` — the profiles (what a report runs: the checks' budget, the specs);
* :mod:`~impl.reporting.collect` — decide every statement through :mod:`impl.checks` and collect the
  measurements into a typed :class:`~impl.reporting.results.Report` (no plotting);
* :mod:`~impl.reporting.results` — the report's result types and the verdict style of its views;
* :mod:`~impl.reporting.baseline` — compare with an earlier ``report.json`` (drifts, changed verdicts);
* :mod:`~impl.reporting.figures` — figures drawn from result objects (coordinate checks, matrix, max-LR,
  Figure 4, the paper's tables);
* :mod:`~impl.reporting.render` — ``report.md``, ``report.html``, ``report.json`` and the figures.
"""
