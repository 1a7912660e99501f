"""Equivalence decisions: does a fitted width exponent agree with the theory's prediction?

THEORY.md §5: finite-width corrections bias fitted slopes by up to ~0.06–0.1, so "the CI contains
the prediction" fails most of the time on correct theory. Instead, with δ the margin and [lo, hi]
the level-(1 − α) seed-resampling interval of the slope (:func:`fit_exponent`):

With a prediction e (a stable parametrization), band B = [e − δ, e + δ]:

* ``consistent``    — lo ≥ e − δ and hi ≤ e + δ (the whole CI inside B);
* ``inconsistent``  — hi < e − δ or lo > e + δ (the whole CI outside B, strictly: CI ∩ B = ∅);
* ``inconclusive``  — otherwise (the CI straddles an edge of B, or covers all of B), or no usable
  interval (fewer than ``min_seeds`` seeds, a size exactly 0 at some but not all widths, a
  non-finite interval), or a blow-up (a stable parametrization's run diverged: at finite width
  that says the learning rate is too large, not what the exponent is).

With only a qualitative prediction (``expected``: the theory's ``Behaviour`` — an unstable
parametrization's governed quantities "grow", a kernel-regime feature-kernel change "vanishes"),
the CI is compared with the single threshold of that behaviour:

* expected ``grows``:    ``consistent`` when lo > +δ or the run blew up; ``inconsistent`` when
  hi < +δ (growth, if any, is below the margin); otherwise ``inconclusive``;
* expected ``vanishes``: ``consistent`` when hi < −δ; ``inconsistent`` when lo > −δ; otherwise
  ``inconclusive`` (a blow-up too);
* expected ``theta1``:   the band rule above with e = 0.

Without any prediction (the theory says nothing about this quantity):

* ``grows``    — lo > +δ; a blow-up (non-finite size) also counts as ``grows``;
* ``vanishes`` — hi < −δ;
* ``theta1``   — −δ ≤ lo and hi ≤ +δ (Θ(1) within the margin);
* ``bounded``  — hi < +δ but neither of the above (the CI reaches below −δ);
* ``inconclusive`` otherwise.

Either way a size exactly 0 at every width gives ``zero`` (no exponent exists; the theory's
Θ(n^e) describes a non-zero size, so this is neither agreement nor a measured disagreement).

Error rates: the estimand is the slope over the measured width range, bias included. If it lies
in B (|bias| < δ on correct theory), a level-(1 − α) interval lies entirely outside B only when it
misses the estimand on one side: probability ≤ α/2 — the false-alarm rate of ``inconsistent``.
Symmetrically, ``consistent`` on a wrong prediction (estimand outside B) has probability ≤ α/2.
The threshold rules for a qualitative prediction have the same one-sided error bound α/2.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from fractions import Fraction

from impl.measurement.fit import BlowUp, ExponentFit

__all__ = ["DEFAULT_MARGIN", "Verdict", "Decision", "decide"]

DEFAULT_MARGIN = 0.15
"""δ: THEORY.md §5 (bias ≲ 0.1 over widths 64…8192; keeps a 1/4 lattice of predictions separable)."""


class Verdict(str, enum.Enum):
    """The outcome of one exponent check (a ``str``, so ``verdict == "consistent"`` works)."""

    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    INCONCLUSIVE = "inconclusive"
    GROWS = "grows"
    VANISHES = "vanishes"
    THETA1 = "theta1"
    BOUNDED = "bounded"
    ZERO = "zero"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, eq=False)
class Decision:
    """One decision: the verdict, what it was measured against, and why (a one-line ``reason``).

    ``predicted`` is the exponent the theory predicts (None: no value); ``expected`` the
    qualitative prediction used when there is no value ("grows", "vanishes", "theta1" or None).
    """

    verdict: Verdict
    predicted: Fraction | None
    fit: ExponentFit | None
    margin: float
    reason: str
    blowup: BlowUp | None = None
    expected: str | None = None

    @property
    def slope(self) -> float:
        """The fitted slope (NaN when there is no fit)."""
        return self.fit.slope if self.fit is not None else float("nan")

    @property
    def ci(self) -> tuple[float, float]:
        """The interval of the slope (NaN, NaN when there is no fit)."""
        return self.fit.ci if self.fit is not None else (float("nan"), float("nan"))


def _fmt(x: float) -> str:
    return f"{x:+.3f}"


def _unusable(fit: ExponentFit, min_seeds: int) -> str | None:
    """Why the fit's interval cannot support a decision, or None when it can."""
    if fit.zero_widths:
        return f"size exactly 0 at widths {list(fit.zero_widths)} but not at all widths: no log-log fit"
    if fit.n_seeds < min_seeds:
        return f"{fit.n_seeds} seed(s) < {min_seeds}: no usable interval"
    if not fit.ci_finite:
        return f"interval not finite ({fit.ci[0]}, {fit.ci[1]})"
    return None


def _against_prediction(lo: float, hi: float, e: Fraction, margin: float) -> tuple[Verdict, str]:
    lo_b, hi_b = float(e) - margin, float(e) + margin
    ci = f"CI [{_fmt(lo)}, {_fmt(hi)}]"
    band = f"[{_fmt(lo_b)}, {_fmt(hi_b)}] = {e} ± {margin:g}"
    if lo >= lo_b and hi <= hi_b:
        return Verdict.CONSISTENT, f"{ci} inside {band}"
    if hi < lo_b or lo > hi_b:
        side = "below" if hi < lo_b else "above"
        return Verdict.INCONSISTENT, f"{ci} entirely {side} {band}"
    if lo < lo_b and hi > hi_b:
        return Verdict.INCONCLUSIVE, f"{ci} covers all of {band}: too wide to decide"
    edge = lo_b if lo < lo_b else hi_b
    return Verdict.INCONCLUSIVE, f"{ci} straddles the edge {_fmt(edge)} of {band}"


def _descriptive(lo: float, hi: float, margin: float) -> tuple[Verdict, str]:
    ci = f"CI [{_fmt(lo)}, {_fmt(hi)}]"
    if lo > margin:
        return Verdict.GROWS, f"{ci} above +{margin:g}"
    if hi < -margin:
        return Verdict.VANISHES, f"{ci} below -{margin:g}"
    if lo >= -margin and hi <= margin:
        return Verdict.THETA1, f"{ci} inside ±{margin:g}"
    if hi < margin:
        return Verdict.BOUNDED, f"{ci} below +{margin:g} (reaches below -{margin:g})"
    return Verdict.INCONCLUSIVE, f"{ci} straddles +{margin:g}"


def _against_behaviour(lo: float, hi: float, expected: str, margin: float) -> tuple[Verdict, str]:
    ci = f"CI [{_fmt(lo)}, {_fmt(hi)}]"
    if expected == "grows":
        if lo > margin:
            return Verdict.CONSISTENT, f"{ci} above +{margin:g}: grows, as predicted"
        if hi < margin:
            return Verdict.INCONSISTENT, f"{ci} below +{margin:g}: predicted to grow, does not"
        return Verdict.INCONCLUSIVE, f"{ci} straddles +{margin:g}; predicted to grow"
    if lo > -margin:
        return Verdict.INCONSISTENT, f"{ci} above -{margin:g}: predicted to vanish, does not"
    if hi < -margin:
        return Verdict.CONSISTENT, f"{ci} below -{margin:g}: vanishes, as predicted"
    return Verdict.INCONCLUSIVE, f"{ci} straddles -{margin:g}; predicted to vanish"


def decide(
    outcome: ExponentFit | BlowUp,
    predicted: Fraction | None,
    *,
    margin: float = DEFAULT_MARGIN,
    min_seeds: int = 2,
    expected: str | None = None,
) -> Decision:
    """Decide ``outcome`` (a fit or a blow-up) against ``predicted`` (an exponent, or None).

    ``expected`` is the qualitative prediction ("grows", "vanishes", "theta1"; e.g. a
    ``impl.theory.Behaviour``), used only when ``predicted`` is None. The rules are in the module
    docstring. ``margin`` is δ (must be > 0).
    """
    if not margin > 0:
        raise ValueError(f"margin must be > 0, got {margin!r}")
    pred = None if predicted is None else Fraction(predicted)
    exp = None if expected is None else str(expected)
    if exp not in (None, "grows", "vanishes", "theta1"):
        raise ValueError(f"expected must be 'grows', 'vanishes', 'theta1' or None, got {expected!r}")
    if pred is None and exp == "theta1":
        pred = Fraction(0)

    def made(verdict: Verdict, fit: ExponentFit | None, reason: str, blowup: BlowUp | None = None) -> Decision:
        return Decision(verdict, pred, fit, margin, reason, blowup, exp)

    if isinstance(outcome, BlowUp):
        if pred is None and exp in (None, "grows"):
            return made(Verdict.GROWS if exp is None else Verdict.CONSISTENT, None, outcome.describe(), outcome)
        size = f"~ n^{pred}" if pred is not None else "that vanishes"
        why = f"{outcome.describe()}; theory predicts a finite size {size} (learning rate too large?)"
        return made(Verdict.INCONCLUSIVE, None, why, outcome)
    if outcome.all_zero:
        return made(Verdict.ZERO, outcome, "size exactly 0 at every width: no exponent")
    why_not = _unusable(outcome, min_seeds)
    if why_not is not None:
        return made(Verdict.INCONCLUSIVE, outcome, why_not)
    lo, hi = outcome.ci
    if pred is not None:
        verdict, why = _against_prediction(lo, hi, pred, margin)
    elif exp is not None:
        verdict, why = _against_behaviour(lo, hi, exp, margin)
    else:
        verdict, why = _descriptive(lo, hi, margin)
    return made(verdict, outcome, f"slope {_fmt(outcome.slope)}; {why}")
