"""Layer 5: nightly width-scaling reports (``tp4 report``), on top of every other layer.

* :mod:`~impl.reporting.profiles` — the profiles (what a report runs) and the cacheable jobs;
* :mod:`~impl.reporting.collect` — run the suite of sweeps, max-LR searches and Figure 4 into a typed
  :class:`~impl.reporting.collect.Report` (no plotting);
* :mod:`~impl.reporting.statements` — per-quantity decisions grouped into the paper's statements;
* :mod:`~impl.reporting.baseline` — compare with an earlier ``report.json`` (drifts, changed verdicts);
* :mod:`~impl.reporting.render` — figures (via :mod:`impl.plots`), ``report.md``, ``report.html``, ``report.json``;

The statements are decided with the theorem checks' training routine and max-LR search
(``theorem_checks/finite.py``), which live in the checkout rather than in the installed package;
importing this package puts the checkout on ``sys.path`` (appended, so nothing is shadowed).
"""

import sys
from pathlib import Path

__all__ = ["CHECKOUT"]

CHECKOUT = Path(__file__).resolve().parents[2]
"""The tp4 checkout this package was imported from (it holds ``theorem_checks/``)."""

if (CHECKOUT / "theorem_checks" / "finite.py").is_file() and str(CHECKOUT) not in sys.path:
    sys.path.append(str(CHECKOUT))
