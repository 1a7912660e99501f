"""analyze() and the JSON report, on fake sweeps whose exponents are the theory's (or not)."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.measurement import Trend, Verdict, analyze, is_update_quantity, dumps_report, report_dict, run_sweep, write_report
from impl.strategies import parametrizations
from impl.theory import Behaviour, Parametrization, mup, ntp, leading_output_term, predicted_exponents, readout_correction, sp
from tests.measurement.fakes import FakeConfig, fake_exponent, fake_simulate

WIDTHS = (64, 128, 256, 512, 1024, 2048)
SEEDS = tuple(range(6))
INIT = {"f0", "h1", "x1", "h2", "x2"}


def unclaimed(p: Parametrization, name: str, step: int) -> bool:
    """analyze shows, but does not claim, updates after step 2 under a slow readout correction, and fₜ − f₀ where
    its two terms have different exponents (they carry the claim)."""
    if step >= 2 and readout_correction(p) is not None:
        return is_update_quantity(name)
    return name == "delta_f" and step >= 1 and leading_output_term(p, step) is not None


def sweep(p: Parametrization, config: FakeConfig = FakeConfig(steps=3)):
    return run_sweep(p, config, WIDTHS, SEEDS, simulate_fn=fake_simulate)


@given(parametrizations(st.integers(1, 3), regime="stable"), st.sampled_from([1.0, 2.0, -2.0]),
       st.integers(1, 3))
def test_stable_theory_agrees_at_every_step(p: Parametrization, bias_d: float, step: int) -> None:
    """Data following the prediction (lag included) agrees for every quantity, any step ≥ 1 — except the
    updates after step 2 under an unmodelled slow readout correction, which are shown but not claimed (n/a)."""
    result = sweep(p, FakeConfig(steps=3, bias_d=bias_d))
    analysis = analyze(result, p, step=step)
    assert set(analysis) == set(result.quantity_names) and analysis.step == step
    for name, q in analysis.items():
        if unclaimed(p, name, step):
            assert q.predicted is None
            assert q.verdict == Verdict.NOT_APPLICABLE and q.decision.reason.startswith("not claimed"), name
        else:
            assert q.predicted == predicted_exponents(p, step=step)[name]
            assert q.verdict == Verdict.AGREE, (name, q.decision.reason)
        assert q.values.shape == (len(WIDTHS), len(SEEDS)) and q.step == step


@given(parametrizations(2, regime="stable"), parametrizations(2, regime="stable"))
def test_negative_control_wrong_theory_is_caught(truth: Parametrization, claim: Parametrization) -> None:
    """Measurements of one parametrization tested against another's predictions: a quantity whose
    claimed exponent is off by ≥ 1/4, or claimed to vanish while it does not, disagrees."""
    config = FakeConfig(steps=3)
    analysis = analyze(sweep(truth, config), claim)
    claimed = predicted_exponents(claim)
    for name, q in analysis.items():
        true_e = fake_exponent(truth, config, name, 3)
        if unclaimed(claim, name, 3):
            assert q.verdict == Verdict.NOT_APPLICABLE, name
            continue
        if claimed[name] is None:  # stable claim without a value: the kernel change vanishes
            assert q.claim == Behaviour.VANISHES
            expect = Verdict.AGREE if true_e <= -0.25 else Verdict.DISAGREE
        else:
            expect = Verdict.DISAGREE if abs(true_e - claimed[name]) >= 0.25 else Verdict.AGREE
        assert q.verdict == expect, (name, true_e, claimed[name], q.decision.reason)


def test_one_step_lag_predictions_are_used_at_step_one() -> None:
    """a_{L+1}+b_{L+1} = 3/2 > 2a_{L+1}+c = 1: step 1 is lagged (App. H.3), so ΔW¹x is n^{-1/2} at t = 1
    and Θ(1) from t = 2; analyze must test each step against its own prediction."""
    p = Parametrization.of(["-1/2", 0, "1/2"], ["1/2", "1/2", 1], 0)
    result = sweep(p)
    at1, at2 = analyze(result, p, step=1), analyze(result, p, step=2)
    assert at1["delta_W1_x"].predicted == Fraction(-1, 2) and at2["delta_W1_x"].predicted == 0
    assert at1["delta_W1_x"].verdict == at2["delta_W1_x"].verdict == Verdict.AGREE
    assert at1["delta_W1_x"].slope == pytest.approx(-0.5, abs=0.05)


def test_step_zero_fits_only_initialisation_quantities() -> None:
    result = sweep(mup(2))
    a0 = analyze(result, mup(2), step=0)
    assert set(a0) == INIT and all(q.verdict == Verdict.AGREE for q in a0.values())
    assert a0["f0"].predicted == Fraction(-1, 2)
    with pytest.raises(ValueError, match="step"):
        analyze(result, mup(2), step=0, quantities=["delta_h1"])
    with pytest.raises(ValueError):
        analyze(result, mup(2), step=4)
    with pytest.raises(KeyError):
        analyze(result, mup(2), quantities=["nonsense"])
    with pytest.raises(ValueError, match="depth"):
        analyze(result, mup(1))


def test_default_step_is_the_last_and_analysis_is_deterministic() -> None:
    result = sweep(ntp(2))
    a, b = analyze(result, ntp(2)), analyze(result, ntp(2))
    assert a.step == 3 and a["delta_h2"].predicted == Fraction(-1, 2)
    assert all(a[k].ci == b[k].ci for k in a)
    pct1 = analyze(result, ntp(2), method="percentile", rng=3)
    pct2 = analyze(result, ntp(2), method="percentile", rng=3)
    assert all(pct1[k].ci == pct2[k].ci for k in a)


def test_unstable_parametrization_growth_is_checked_qualitatively() -> None:
    p = sp(2)  # SP with c = 0: unstable; r < 0 makes delta_h2 grow, the output conditions delta_f
    growing = analyze(sweep(p, FakeConfig(steps=2, growth=0.5)), p)
    q = growing["delta_h2"]
    assert q.predicted is None and q.claim == Behaviour.GROWS and q.verdict == Verdict.AGREE
    w1 = growing["delta_W1_x"]
    assert w1.claim is None and w1.verdict == Verdict.NOT_APPLICABLE and w1.decision.trend == Trend.GROWS  # descriptive
    assert growing["h1"].decision.trend == Trend.THETA1
    # negative control: the same claim against data whose updates vanish
    flat = analyze(sweep(p, FakeConfig(steps=2, growth=-0.5)), p)
    assert flat["delta_h2"].verdict == Verdict.DISAGREE and flat["delta_f"].verdict == Verdict.DISAGREE


def test_blowups_count_as_growth() -> None:
    p = sp(2)
    blown = analyze(sweep(p, FakeConfig(steps=2, blowup_width=512)), p)
    d = blown["delta_f"].decision
    assert d.verdict == Verdict.AGREE and d.blowup is not None and "blew up at width 512, step 1" in d.reason
    assert blown["delta_W1_x"].decision.trend == Trend.GROWS  # no claim: a blow-up is growth evidence
    assert blown["f0"].decision.blowup is None  # f0 is at initialisation: training cannot blow it up
    early = analyze(sweep(p, FakeConfig(steps=2, blowup_width=512)), p, step=0)
    assert all(q.decision.blowup is None for q in early.values())


def test_blowup_of_a_stable_parametrization_is_undecided() -> None:
    analysis = analyze(sweep(mup(2), FakeConfig(steps=2, blowup_width=1024)), mup(2))
    q = analysis["delta_h1"]
    assert q.verdict == Verdict.UNDECIDED and "blew up" in q.decision.reason
    assert np.isnan(q.slope)


def test_report_is_strict_json_with_the_promised_schema(tmp_path) -> None:
    p = sp(2)
    result = sweep(p, FakeConfig(steps=2, blowup_width=512))
    analysis = analyze(result, p, step=2)
    text = dumps_report(result, analysis)

    def no_constants(name: str):
        raise AssertionError(f"non-standard JSON constant {name}")

    doc = json.loads(text, parse_constant=no_constants)
    assert doc["spec"] == p.spec() and doc["depth"] == 2 and doc["regime"] == "unstable"
    assert doc["widths"] == list(WIDTHS) and doc["steps"] == 2 and doc["step"] == 2
    assert doc["margin"] == 0.15 and doc["alpha"] == 0.05 and doc["config"]["blowup_width"] == 512
    assert doc["jobs"] == {"total": 6, "cached": 0, "computed": 6}
    assert {"width": 512, "seed": 0, "step": 1} in doc["blowups"]
    q = doc["quantities"]["delta_h1"]
    assert q["trend"] == "grows" and q["claim"] is None and q["verdict"] == "n/a"
    assert q["slope"] is None and q["ci"] == [None, None]
    assert doc["quantities"]["delta_f"]["claim"] == "grows"
    assert len(q["values"]) == len(WIDTHS) and len(q["values"][0]) == len(SEEDS)
    assert q["values"][-1][0] is None  # +inf became null
    assert q["blowup"]["width"] == 512

    stable = sweep(ntp(2))
    sdoc = report_dict(stable, analyze(stable, ntp(2)))
    h2 = sdoc["quantities"]["delta_h2"]
    assert h2["claim"] == "-1/2" and h2["verdict"] == "agree"
    assert h2["ci"][0] <= h2["slope"] <= h2["ci"][1] and len(h2["rms"]) == len(WIDTHS)
    path = write_report(tmp_path / "report.json", stable, analyze(stable, ntp(2)))
    assert json.loads(path.read_text())["quantities"]["delta_h2"]["verdict"] == "agree"
