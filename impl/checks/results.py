"""Typed results of the checks (as :mod:`scipy.stats` returns result objects): per claim, per statement.

* :class:`ClaimResult` — one decided claim: the quantity, the step, the claim, the verdict, the fitted
  slope and its interval (or another measured statistic), and why, in one line;
* :class:`CheckResult` — one statement of the paper checked on one parametrization and routine: the
  theory in words, the claims, the statement's verdict (every claim must agree; ``undecided`` after
  all retries is never a pass) and the reason.

Verdicts are the one vocabulary of :class:`impl.measurement.Verdict`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

from impl.measurement import ConfidenceInterval, Decision, Verdict, describe_claim

__all__ = ["ClaimResult", "CheckResult", "claim_result", "combine_reason"]

_NAN_CI = ConfidenceInterval(math.nan, math.nan)


def _fmt(x: float) -> str:
    return "nan" if not math.isfinite(x) else f"{x:+.3f}"


@dataclass(frozen=True)
class ClaimResult:
    """One decided claim. ``claim`` is its text (``n^-1/2``, ``Θ(1)``, ``vanishes``, ``Q ≤ 3``, …);
    ``slope``/``ci`` the fitted width exponent and its interval (NaN for other statistics); ``seeds``
    the seeds of the deciding attempt; ``rms`` the size per width (empty for other statistics)."""

    quantity: str
    step: int | None
    claim: str
    verdict: Verdict
    reason: str
    slope: float = math.nan
    ci: ConfidenceInterval = _NAN_CI
    seeds: int = 0
    widths: tuple[int, ...] = ()
    rms: tuple[float, ...] = ()

    def measured(self) -> str:
        """The measurement in a few characters (``-0.48 [-0.55, -0.41]``, or the reason's head)."""
        if math.isfinite(self.slope):
            return f"{_fmt(self.slope)} {self.ci}"
        return self.reason.split(";")[0][:40]


def claim_result(name: str, step: int | None, d: Decision, seeds: int) -> ClaimResult:
    """A :class:`ClaimResult` from a measurement-layer decision."""
    fit = d.fit
    return ClaimResult(name, step, describe_claim(d.claim), d.verdict, d.reason, d.slope, d.ci, seeds,
                       fit.widths if fit is not None else (), tuple(float(x) for x in fit.rms) if fit is not None else ())


@dataclass(frozen=True)
class CheckResult:
    """One statement checked on the networks of ``spec``: ``says`` is what the judged theory states, in a few
    words; ``claimed`` names that theory when it is not spec's own exact one (``against=``, or a
    deliberately wrong theory), else None.

    ``verdict`` combines the claims (:meth:`Verdict.combine`: any disagreement disagrees, else any
    undecided claim leaves it undecided); ``n/a`` when the statement does not apply (``reason`` says
    why). ``attempts`` and ``decisions`` count the sweeps and the decisions made, retries included
    (the α bookkeeping of :mod:`impl.checks.budget`); ``perturbed`` says whether a deliberately wrong
    theory changed any claim judged (:class:`~impl.checks.Theory`).
    """

    statement: str
    title: str
    spec: str
    claimed: str | None
    routine: Any
    says: str
    verdict: Verdict
    reason: str
    claims: tuple[ClaimResult, ...] = ()
    attempts: int = 0
    decisions: int = 0
    perturbed: bool = False
    phi: str = field(default="")

    @property
    def agrees(self) -> bool:
        """True only when every claim agreed (never for ``undecided`` or ``n/a``)."""
        return self.verdict is Verdict.AGREE

    def table(self) -> str:
        """Every claim: quantity, step, claim, measured slope and interval, verdict (with the reason
        when it is not agreement)."""
        rows = [("quantity", "step", "claim", "measured", "verdict")]
        for c in self.claims:
            why = "" if c.verdict is Verdict.AGREE else f" — {c.reason}"
            rows.append((c.quantity, "" if c.step is None else str(c.step), c.claim, c.measured(), f"{c.verdict}{why}"))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        return "\n".join("  " + "  ".join(x.ljust(w) for x, w in zip(r[:4], widths)) + "  " + r[4] for r in rows)

    def __str__(self) -> str:
        against = f" judged against {self.claimed}" if self.claimed else ""
        phi = f" with φ = {self.phi}" if self.phi else ""
        head = f"{self.title} for {self.spec}{against}{phi}: {self.verdict} — {self.reason}"
        return head + ("\n" + self.table() if self.claims else "")


def combine_reason(claims: Sequence[ClaimResult], verdict: Verdict) -> str:
    """The statement's one-line reason from its claims (``n/a`` rows — shown, not claimed — do not count)."""
    if verdict is Verdict.AGREE:
        judged = [c for c in claims if c.verdict is not Verdict.NOT_APPLICABLE]
        return f"{len(judged)} of {len(judged)} claims agree"
    if verdict is Verdict.NOT_APPLICABLE:
        return "no claim applies"
    bad = [c for c in claims if c.verdict is verdict]
    return "; ".join(f"{c.quantity}: {c.reason}" for c in bad)
