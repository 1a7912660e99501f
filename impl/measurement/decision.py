"""Deciding a claim about a width exponent: agree, disagree or undecided — tp4's one verdict vocabulary.

A *claim* says how one measured size scales with width n: an exact exponent e (a ``Fraction``: size
~ n^e) or a behaviour (:class:`impl.theory.Behaviour`: Θ(1), vanishes, grows, bounded). Finite-width
corrections bias fitted slopes (docs/theory.md §5), so "the interval contains the prediction" fails
most of the time on correct theory. Instead, with δ the margin and [lo, hi] the level-(1 − α)
seed-resampling interval of the slope (:func:`~impl.measurement.fit_exponent`):

An exponent e (``Behaviour.THETA1`` is e = 0), band B = [e − δ, e + δ]:

* ``agree``     — lo ≥ e − δ and hi ≤ e + δ (the whole interval inside B);
* ``disagree``  — hi < e − δ or lo > e + δ (the whole interval outside B: CI ∩ B = ∅);
* ``undecided`` — otherwise (the interval straddles an edge of B, or covers all of it), or no usable
  interval (fewer than ``min_seeds`` seeds, a size exactly 0 at some but not all widths, a non-finite
  interval), or a blow-up (a stable parametrization's run diverged: at finite width that says the
  learning rate is too large, not what the exponent is).

A behaviour, against its single threshold:

* ``grows``:    agree when lo > +δ or the run blew up; disagree when hi < +δ; else undecided;
* ``vanishes``: agree when hi < −δ; disagree when lo > −δ; else undecided (a blow-up too);
* ``bounded``:  agree when hi ≤ +δ (or the size is exactly 0 everywhere); disagree when lo > +δ or the
  run blew up; else undecided.
* ``zero`` (exactly 0, e.g. f₀ with a zero-initialised readout): decided exactly, without a fit — agree
  when the size is exactly 0 at every width and seed, disagree when it is not (a single nonzero size
  refutes it); undecided only when the run blew up (the non-finite values hide the size).

Conversely a size exactly 0 at every width and seed agrees with ``zero``, ``bounded`` and ``vanishes``
(n^{−∞}) and refutes every claim of a nonzero size — an exponent, Θ(1), ``grows``: a random quantity of
size Θ(n^e) is exactly 0 in every draw with probability 0, so this decision has no error rate to split.

Without a claim the verdict is ``n/a``. Either way every decision carries the fit's descriptive
:class:`Trend` — grows (lo > +δ, or a blow-up), vanishes (hi < −δ), Θ(1) (inside ±δ), bounded (below
+δ but reaching below −δ), unresolved, or zero (exactly 0 at every width: no exponent exists; see below).

Error rates: the estimand is the slope over the measured width range, bias included. If it lies in B
(|bias| < δ on correct theory), a level-(1 − α) interval lies entirely outside B only when it misses
the estimand on one side: probability ≤ α/2 — the false-alarm rate of ``disagree``. Symmetrically,
``agree`` on a wrong claim (estimand outside B) has probability ≤ α/2. The threshold rules of a
behaviour have the same one-sided bound α/2. ``undecided`` is never a pass: it is reported with its
reason, counted apart, and the checks escalate it with more seeds (:mod:`impl.checks`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

from impl.measurement.fit import BlowUp, ConfidenceInterval, ExponentFit
from impl.theory import Behaviour

__all__ = ["DEFAULT_MARGIN", "EXIT_CODES", "Verdict", "Trend", "Claim", "Decision", "decide", "as_claim", "describe_claim"]

DEFAULT_MARGIN = 0.15
"""δ: docs/theory.md §5 (bias ≲ 0.1 over widths 64…8192; keeps a 1/4 lattice of predictions separable)."""

Claim = Union[Fraction, Behaviour]
"""An exact width exponent, or a behaviour."""


class Verdict(str, enum.Enum):
    """The verdict of a claim, a statement, a parametrization or a report cell (a ``str`` enum).

    ``undecided`` means the data cannot decide; it is never counted or printed as agreement.
    """

    AGREE = "agree"
    DISAGREE = "disagree"
    UNDECIDED = "undecided"
    NOT_APPLICABLE = "n/a"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def combine(cls, verdicts: "list[Verdict] | tuple[Verdict, ...]") -> "Verdict":
        """All of several verdicts: disagree if any disagrees, else undecided if any is, else agree
        (``n/a`` entries are ignored; nothing applicable at all is ``n/a``)."""
        applicable = [v for v in verdicts if v is not cls.NOT_APPLICABLE]
        if not applicable:
            return cls.NOT_APPLICABLE
        for v in (cls.DISAGREE, cls.UNDECIDED):
            if v in applicable:
                return v
        return cls.AGREE


EXIT_CODES: dict[Verdict, int] = {Verdict.AGREE: 0, Verdict.DISAGREE: 1, Verdict.UNDECIDED: 3, Verdict.NOT_APPLICABLE: 3}
"""Exit code of a judging command per overall verdict (2 is bad input): 0 only when something was
checked and every applicable claim agreed; nothing applicable decided is not a pass either (3)."""


class Trend(str, enum.Enum):
    """What a fit shows without any claim (the ±δ thresholds of the module docstring)."""

    GROWS = "grows"
    VANISHES = "vanishes"
    THETA1 = "theta1"
    BOUNDED = "bounded"
    UNRESOLVED = "unresolved"
    ZERO = "zero"

    def __str__(self) -> str:
        return self.value


def as_claim(value: "Fraction | Behaviour | str | int | None") -> Claim | None:
    """A claim from an exponent (Fraction, int, "p/q") or a behaviour name; None stays None."""
    if value is None or isinstance(value, (Fraction, Behaviour)):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Fraction(value)
    if isinstance(value, str):
        if value in {b.value for b in Behaviour}:
            return Behaviour(value)
        try:
            return Fraction(value)
        except ValueError:
            pass
    raise ValueError(f"a claim is an exponent (e.g. -1/2) or one of {', '.join(b.value for b in Behaviour)}; got {value!r}")


def describe_claim(claim: Claim | None) -> str:
    """``n^-1/2``, ``Θ(1)``, ``vanishes``, … (``—`` without a claim)."""
    if claim is None:
        return "—"
    if isinstance(claim, Behaviour):
        return {Behaviour.THETA1: "Θ(1)", Behaviour.ZERO: "= 0"}.get(claim, str(claim))
    return f"n^{claim}"


@dataclass(frozen=True, eq=False)
class Decision:
    """One decision: the verdict, the claim it judged, the fit (or blow-up), and why (one line)."""

    verdict: Verdict
    claim: Claim | None
    fit: ExponentFit | None
    margin: float
    reason: str
    trend: Trend
    blowup: BlowUp | None = None

    @property
    def slope(self) -> float:
        """The fitted slope (NaN when there is no fit)."""
        return self.fit.slope if self.fit is not None else float("nan")

    @property
    def ci(self) -> ConfidenceInterval:
        """The interval of the slope (NaN, NaN when there is no fit)."""
        return self.fit.ci if self.fit is not None else ConfidenceInterval(float("nan"), float("nan"))

    @property
    def exponent(self) -> Fraction | None:
        """The claimed exponent, or None for a behaviour claim (Θ(1) counts as exponent 0)."""
        if isinstance(self.claim, Fraction):
            return self.claim
        return Fraction(0) if self.claim is Behaviour.THETA1 else None


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


def _trend(lo: float, hi: float, margin: float) -> tuple[Trend, str]:
    ci = f"CI [{_fmt(lo)}, {_fmt(hi)}]"
    if lo > margin:
        return Trend.GROWS, f"{ci} above +{margin:g}"
    if hi < -margin:
        return Trend.VANISHES, f"{ci} below -{margin:g}"
    if lo >= -margin and hi <= margin:
        return Trend.THETA1, f"{ci} inside ±{margin:g}"
    if hi < margin:
        return Trend.BOUNDED, f"{ci} below +{margin:g} (reaches below -{margin:g})"
    return Trend.UNRESOLVED, f"{ci} straddles +{margin:g}"


def _against_exponent(lo: float, hi: float, e: Fraction, margin: float) -> tuple[Verdict, str]:
    lo_b, hi_b = float(e) - margin, float(e) + margin
    ci = f"CI [{_fmt(lo)}, {_fmt(hi)}]"
    band = f"[{_fmt(lo_b)}, {_fmt(hi_b)}] = {e} ± {margin:g}"
    if lo >= lo_b and hi <= hi_b:
        return Verdict.AGREE, f"{ci} inside {band}"
    if hi < lo_b or lo > hi_b:
        side = "below" if hi < lo_b else "above"
        return Verdict.DISAGREE, f"{ci} entirely {side} {band}"
    if lo < lo_b and hi > hi_b:
        return Verdict.UNDECIDED, f"{ci} covers all of {band}: too wide to decide"
    edge = lo_b if lo < lo_b else hi_b
    return Verdict.UNDECIDED, f"{ci} straddles the edge {_fmt(edge)} of {band}"


def _against_behaviour(lo: float, hi: float, claim: Behaviour, margin: float) -> tuple[Verdict, str]:
    ci = f"CI [{_fmt(lo)}, {_fmt(hi)}]"
    if claim is Behaviour.GROWS:
        if lo > margin:
            return Verdict.AGREE, f"{ci} above +{margin:g}: grows, as claimed"
        if hi < margin:
            return Verdict.DISAGREE, f"{ci} below +{margin:g}: claimed to grow, does not"
        return Verdict.UNDECIDED, f"{ci} straddles +{margin:g}; claimed to grow"
    if claim is Behaviour.BOUNDED:
        if hi <= margin:
            return Verdict.AGREE, f"{ci} below +{margin:g}: bounded, as claimed"
        if lo > margin:
            return Verdict.DISAGREE, f"{ci} above +{margin:g}: claimed bounded, grows"
        return Verdict.UNDECIDED, f"{ci} straddles +{margin:g}; claimed bounded"
    if lo > -margin:
        return Verdict.DISAGREE, f"{ci} above -{margin:g}: claimed to vanish, does not"
    if hi < -margin:
        return Verdict.AGREE, f"{ci} below -{margin:g}: vanishes, as claimed"
    return Verdict.UNDECIDED, f"{ci} straddles -{margin:g}; claimed to vanish"


def decide(
    outcome: ExponentFit | BlowUp,
    claim: "Claim | str | int | None",
    *,
    margin: float = DEFAULT_MARGIN,
    min_seeds: int = 2,
) -> Decision:
    """Decide ``outcome`` (a fit or a blow-up) against ``claim`` (an exponent, a behaviour, or None).

    The rules are in the module docstring; ``margin`` is δ (must be > 0). A behaviour may be given by
    name ("vanishes") and an exponent as "p/q" (:func:`as_claim`).
    """
    if not margin > 0:
        raise ValueError(f"margin must be > 0, got {margin!r}")
    c = as_claim(claim)
    exponent = Fraction(0) if c is Behaviour.THETA1 else (c if isinstance(c, Fraction) else None)

    def made(verdict: Verdict, trend: Trend, fit: ExponentFit | None, reason: str, blowup: BlowUp | None = None) -> Decision:
        return Decision(verdict, c, fit, margin, reason, trend, blowup)

    if isinstance(outcome, BlowUp):
        if c is None or c is Behaviour.GROWS:
            return made(Verdict.NOT_APPLICABLE if c is None else Verdict.AGREE, Trend.GROWS, None, outcome.describe(), outcome)
        if c is Behaviour.BOUNDED:
            return made(Verdict.DISAGREE, Trend.GROWS, None, f"{outcome.describe()}; claimed bounded", outcome)
        size = f"~ n^{exponent}" if exponent is not None else ("of exactly 0" if c is Behaviour.ZERO else "that vanishes")
        why = f"{outcome.describe()}; the claim is a finite size {size} (learning rate too large?)"
        return made(Verdict.UNDECIDED, Trend.GROWS, None, why, outcome)
    if outcome.all_zero:
        if c is None:
            return made(Verdict.NOT_APPLICABLE, Trend.ZERO, outcome, "size exactly 0 at every width: no exponent")
        if c in (Behaviour.BOUNDED, Behaviour.ZERO, Behaviour.VANISHES):
            return made(Verdict.AGREE, Trend.ZERO, outcome, f"size exactly 0 at every width and seed: {describe_claim(c)}, as claimed")
        return made(Verdict.DISAGREE, Trend.ZERO, outcome,
                    f"size exactly 0 at every width and seed; claimed {describe_claim(c)}, a nonzero size")
    if c is Behaviour.ZERO:
        nonzero = [f"{w}: {v:.3g}" for w, v in zip(outcome.widths, outcome.rms) if w not in outcome.zero_widths]
        trend = _trend(*outcome.ci, margin)[0] if outcome.ci_finite else Trend.UNRESOLVED
        return made(Verdict.DISAGREE, trend, outcome, f"claimed exactly 0; nonzero size at widths {', '.join(nonzero)}")
    why_not = _unusable(outcome, min_seeds)
    if why_not is not None:
        return made(Verdict.NOT_APPLICABLE if c is None else Verdict.UNDECIDED, Trend.UNRESOLVED, outcome, why_not)
    lo, hi = outcome.ci
    trend, trend_why = _trend(lo, hi, margin)
    if c is None:
        verdict, why = Verdict.NOT_APPLICABLE, f"{trend}: {trend_why}"
    elif exponent is not None:
        verdict, why = _against_exponent(lo, hi, exponent, margin)
    else:
        assert isinstance(c, Behaviour)
        verdict, why = _against_behaviour(lo, hi, c, margin)
    return made(verdict, trend, outcome, f"slope {_fmt(outcome.slope)}; {why}")
