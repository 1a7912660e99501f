"""The paper's statements as verdicts: per-quantity decisions grouped into agree / disagree / inconclusive.

Each statement is decided from the decisions that :func:`impl.measurement.analyze` made on one
sweep (step t = 0 … T, T = 2), with the claims of the matching theorem check in ``theorem_checks/``:

==================  =========================  ====================================================
key                 statement                  quantities decided (step)
==================  =========================  ====================================================
``stability``       Theorem 3.3                stable: no quantity grows (every quantity, T);
                                               unstable: each violated condition's governed
                                               quantity grows or vanishes (0 for Eq. 6, else the
                                               first step after the lag of App. H.3)
``nontriviality``   Theorem 3.4                ``delta_f`` at its predicted exponent (1)
``regime``          Theorems 3.6/3.8 (Cor 3.9) ``delta_x{L}``: Θ(1) if r = 0, n^{−r} if r > 0 (1)
``f0``              Corollary 3.10             ``f0`` at ½ − (a_{L+1}+b_{L+1}) (0)
``maximal_updates`` Theorem 5.6, Prop 5.3/5.5  µP class: every ΔWˡx, ΔW^{L+1}x, W₀Δx Θ(1) (all);
                                               otherwise one predicted to vanish does (any) (1)
``max_lr``          Theorem 4.1                largest stable η ~ n^{c − c*} (filled by collect)
==================  =========================  ====================================================

Mapping: all needed decisions ``consistent`` → agree; one ``inconsistent`` → disagree (for "any":
all of them); anything else → inconclusive, with the undecided decisions' reasons. Statements that do
not apply to the parametrization (e.g. f₀ of an unstable one) are ``n/a`` with the reason. An
inconclusive verdict whose cause is a documented finite-width bias carries that bias as ``note``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping

from impl.cli.check import STATEMENTS as CHECK_TITLES
from impl.cli.check import theory_verdicts
from impl.measurement import Analysis, Decision, QuantityResult, Verdict, decide
from impl.theory import Parametrization, Regime, classify, lag_applies, min_stable_c, quantity_names
from theorem_checks.finite import SLOW_CORRECTION_BIAS, feature_step

__all__ = ["AGREE", "DISAGREE", "INCONCLUSIVE", "NOT_APPLICABLE", "VERDICTS", "VERDICT_STYLE", "KNOWN_BIAS_MARK",
           "TITLES", "QuantityRecord",
           "StatementResult", "verdict_of", "quantity_records", "judge_statements"]

AGREE, DISAGREE, INCONCLUSIVE, NOT_APPLICABLE = "agree", "disagree", "inconclusive", "n/a"
VERDICTS = (AGREE, DISAGREE, INCONCLUSIVE, NOT_APPLICABLE)
VERDICT_STYLE: dict[str, tuple[str, str, str]] = {  # verdict → (fill colour, symbol, legend text)
    AGREE: ("#8fd19e", "✓", "agree: measurement consistent with the theory"),
    DISAGREE: ("#f28b82", "✗", "disagree: measurement contradicts the theory"),
    INCONCLUSIVE: ("#fdd663", "?", "inconclusive: the interval cannot decide (reason given)"),
    NOT_APPLICABLE: ("#e8eaed", "–", "n/a: the statement does not apply (or was not measured)"),
}
KNOWN_BIAS_MARK = "†"
TITLES: dict[str, str] = {k: CHECK_TITLES[k] for k in ("stability", "nontriviality", "regime", "f0", "maximal_updates")}
TITLES["max_lr"] = "Thm 4.1 max stable LR"


@dataclass(frozen=True)
class QuantityRecord:
    """One quantity at one step: RMS size per width, fitted exponent (slope, natural-log intercept, CI)
    and the measurement layer's decision against the prediction (``predicted`` "p/q" or ``expected``)."""

    name: str
    step: int
    rms: tuple[float, ...]
    slope: float
    intercept: float
    ci: tuple[float, float]
    predicted: str | None
    expected: str | None
    decision: str
    reason: str


@dataclass(frozen=True)
class StatementResult:
    """One (parametrization, statement) cell: what the theory says, the verdict and why."""

    key: str
    title: str
    theory: str
    verdict: str
    reason: str
    quantities: tuple[str, ...] = ()
    note: str | None = None


def verdict_of(d: Decision) -> str:
    """consistent → agree, inconsistent → disagree, anything else → inconclusive."""
    return {Verdict.CONSISTENT: AGREE, Verdict.INCONSISTENT: DISAGREE}.get(d.verdict, INCONCLUSIVE)


def quantity_records(analyses: Mapping[int, Analysis]) -> tuple[QuantityRecord, ...]:
    """Every analysed quantity at every step, as plain records."""
    out = []
    for t, analysis in sorted(analyses.items()):
        for q in analysis.values():
            fit = q.fit
            out.append(QuantityRecord(
                q.name, t, tuple(float(x) for x in fit.rms) if fit is not None else (), q.slope,
                fit.intercept if fit is not None else float("nan"), q.ci,
                None if q.predicted is None else str(q.predicted), q.expected, q.verdict.value, q.decision.reason))
    return tuple(out)


def _redecide(q: QuantityResult, expected: str | None = None) -> Decision:
    """The same fit (or blow-up) decided again, without the exponent: against ``expected`` or descriptively."""
    outcome = q.decision.blowup if q.decision.blowup is not None else q.fit
    assert outcome is not None
    return decide(outcome, None, margin=q.decision.margin, expected=expected)


def _bounded(q: QuantityResult) -> Decision:
    """Theorem 3.3's "does not grow": a descriptive grows (or a blow-up) is inconsistent, undecided stays so."""
    d = _redecide(q)
    verdict = {Verdict.GROWS: Verdict.INCONSISTENT, Verdict.INCONCLUSIVE: Verdict.INCONCLUSIVE}.get(
        d.verdict, Verdict.CONSISTENT)
    return Decision(verdict, None, d.fit, d.margin, f"bounded? {d.verdict}: {d.reason}", d.blowup, "bounded")


def _combine(decisions: Mapping[str, Decision], require: str = "all") -> tuple[str, str]:
    good = [k for k, d in decisions.items() if d.verdict is Verdict.CONSISTENT]
    bad = [k for k, d in decisions.items() if d.verdict is Verdict.INCONSISTENT]
    undecided = [k for k in decisions if k not in good and k not in bad]
    if not decisions:
        return INCONCLUSIVE, "no measured quantity is governed by this statement"

    def why(keys: list[str]) -> str:
        return "; ".join(f"{k}: {decisions[k].reason}" for k in keys)

    if require == "any":
        if good:
            return AGREE, f"{', '.join(good)} as predicted"
        return (DISAGREE, why(bad)) if not undecided else (INCONCLUSIVE, why(undecided))
    if bad:
        return DISAGREE, why(bad)
    if undecided:
        return INCONCLUSIVE, why(undecided)
    return AGREE, f"{len(good)} of {len(good)} decisions consistent"


def _stability(p: Parametrization, a: Mapping[int, Analysis]) -> tuple[dict[str, Decision], str | None]:
    c, last = classify(p), max(a)
    if c.stable:
        names = [n for n in quantity_names(p.depth) if n in a[last]]
        slow = Fraction(0) < c.r < Fraction(1, 2)
        return {f"{n}@{last}": _bounded(a[last][n]) for n in names}, SLOW_CORRECTION_BIAS if slow else None
    init = {v.governs for v in c.violated if v.phase == "init"}
    out = {f"{n}@0": a[0][n].decision for n in init if n in a[0]}
    t = min(feature_step(p), last)
    out.update({f"{k}@{t}": q.decision for k, q in a[t].items()
                if q.expected in ("grows", "vanishes") and k not in init})
    return out, None


def _updates(p: Parametrization, a: Analysis) -> tuple[dict[str, Decision], str]:
    names = [f"delta_W{l}_x" for l in range(1, p.depth + 1)] + ["delta_Wout_x", "Wout0_delta_x"]
    if classify(p).mup_class:
        return {f"{n}@1": a[n].decision for n in names}, "all"
    vanishing = [n for n in names if (e := a[n].predicted) is not None and e < 0]
    return {f"{n}@1": a[n].decision for n in vanishing}, "any"


def judge_statements(p: Parametrization, analyses: Mapping[int, Analysis]
                     ) -> tuple[tuple[StatementResult, ...], tuple[QuantityRecord, ...]]:
    """Every statement of the module table for ``p`` (analyses at steps 0 … T, T ≥ 1), plus the quantity
    records. ``max_lr`` comes back ``n/a`` ("not measured"); :mod:`impl.reporting.collect` fills it in."""
    c = classify(p)
    theory = theory_verdicts(p)
    c_star = min_stable_c(p)
    theory["max_lr"] = "n/a (unstable at init for every c)" if c_star is None else f"max η ~ n^{p.c - c_star}"
    results: dict[str, tuple[str, str, tuple[str, ...], str | None]] = {}
    decisions, note = _stability(p, analyses)
    verdict, reason = _combine(decisions)
    results["stability"] = (verdict, reason, tuple(decisions), note if verdict == INCONCLUSIVE else None)
    L, a1 = p.depth, analyses[1]
    if not c.stable:
        for k in ("nontriviality", "regime", "f0", "maximal_updates"):
            results[k] = (NOT_APPLICABLE, "unstable: only Theorem 3.3 applies", (), None)
    else:
        df = a1["delta_f"].decision if c.nontrivial else _redecide(a1["delta_f"], "vanishes")  # as the Thm 3.4 check
        results["nontriviality"] = (verdict_of(df), df.reason, ("delta_f@1",), None)
        f0 = analyses[0]["f0"].decision
        results["f0"] = (verdict_of(f0), f0.reason, ("f0@0",), None)
        if not c.nontrivial or (c.regime is Regime.FEATURE_LEARNING and lag_applies(p)):
            why = "the dichotomy needs a nontrivial parametrization without the lag"
            results["regime"] = (NOT_APPLICABLE, why, (), None)
        else:
            d = a1[f"delta_x{L}"].decision
            results["regime"] = (verdict_of(d), d.reason, (f"delta_x{L}@1",), None)
        ups, require = _updates(p, a1)
        verdict, reason = _combine(ups, require) if ups else (NOT_APPLICABLE, "no update is predicted to vanish")
        results["maximal_updates"] = (verdict, reason, tuple(ups), None)
    results["max_lr"] = (NOT_APPLICABLE, "not measured in this profile", (), None)
    statements = tuple(StatementResult(k, TITLES[k], theory[k], *results[k]) for k in TITLES)
    return statements, quantity_records(analyses)
