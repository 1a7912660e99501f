"""The checks layer's own machinery: budgets, wrong theories, seeds, the statistic a claim is judged on,
escalation, the α bookkeeping, expectations, and the result objects (cheap: depth 1, small budgets)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from impl.checks import (
    BUDGETS,
    ROUTINE,
    STATEMENTS,
    Budget,
    Sweeps,
    Theory,
    TheoryMismatch,
    budget_for,
    check_maximal_updates,
    check_nontriviality,
    check_parametrization,
    check_stability,
    confirm,
    expectation,
    network_seeds,
    claimable,
    planned_decisions,
    tally_claims,
)
from impl.checks.parametrization import phis_of
from impl.measurement import Verdict, decide_quantity, fit_exponent
from impl.theory import Behaviour, Parametrization, mfp, mup, ntp, parse_spec, sp, up

CHEAP = Budget("cheap", (64, 128, 256), seeds=8, retries=1, examples=1, decisions=10)


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory: pytest.TempPathFactory) -> Sweeps:
    return Sweeps(cache_dir=tmp_path_factory.mktemp("cache"))


def test_budgets_are_arguments_with_honest_alpha() -> None:
    assert budget_for("ci") is BUDGETS["ci"] and budget_for(CHEAP) is CHEAP
    assert CHEAP.alpha == pytest.approx(0.05 / 10) and CHEAP.seeds_at(2) == 32 and CHEAP.seeds_at(1, first=64) == 128
    with pytest.raises(ValueError, match="unknown profile"):
        budget_for("weekly")
    with pytest.raises(ValueError):
        Budget("bad", (64,), seeds=8, retries=1, examples=1, decisions=1)
    # attempts spend a claim's α: ½, ¼, …, and the last two alike, summing to α_claim
    spent = [CHEAP.alpha_at(k) for k in range(CHEAP.retries + 1)]
    assert sum(spent) == pytest.approx(CHEAP.alpha) and spent[0] == pytest.approx(CHEAP.alpha / 2)
    dev = BUDGETS["dev"]
    assert [dev.alpha_at(k) / dev.alpha for k in range(dev.retries + 1)] == [1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 32]
    with pytest.raises(ValueError, match="attempt"):
        dev.alpha_at(dev.retries + 1)
    # every claim of every statement once (its retries spend its share): one φ of a depth-2 spec
    per_attempt = sum(statement.max_claims(2) for statement, _ in STATEMENTS.values())
    assert planned_decisions([2], BUDGETS["dev"]) == per_attempt
    assert planned_decisions([1, 1], CHEAP, ["f0"]) == 2 * 1


def test_second_order_claims_are_not_made_under_a_slow_readout_correction() -> None:
    lagged = parse_spec("a=-1/2,1/2;b=1/2,3/4;c=0")  # lag ¼: a slow n^(-1/4) correction from step 2 on
    claims = {"delta_x1": Fraction(0), "delta_kernel1": Fraction(0), "eta_nonlinearity": Behaviour.THETA1}
    assert claimable(lagged, claims, 2) == {"delta_x1": Fraction(0)}
    assert claimable(lagged, claims, 1) == claims and claimable(mup(1), claims, 2) == claims


def test_network_seeds_are_deterministic_and_nested() -> None:
    a, b = network_seeds(mup(2), ROUTINE, 16), network_seeds(mup(2), ROUTINE, 64)
    assert a == b[:16] and len(set(b)) == 64 and a == network_seeds(mup(2), replace(ROUTINE), 16)
    assert a != network_seeds(ntp(2), ROUTINE, 16) and a != network_seeds(mup(2), replace(ROUTINE, lr=0.75), 16)


def test_exponent_claims_about_deterministic_scalars_use_the_seed_average(sweeps: Sweeps) -> None:
    result = sweeps.run(mup(1), ROUTINE, CHEAP.widths, 8)
    probes = result.probes("delta_f", 1)
    assert probes is not None and probes.shape == (3, 8, 64)  # a scalar with a deterministic limit
    assert result.probes("delta_kernel1", 2).shape == (3, 8, 128)  # type: ignore[union-attr]  # pairs (i,i), (i,i+1)
    assert result.probes("delta_x1", 1) is None and result.probes("f0", 0) is None  # vectors, f₀: per seed only
    np.testing.assert_allclose(np.sqrt(np.mean(probes**2, axis=2)), result.at("delta_f", 1))
    averaged = fit_exponent(result.widths, probes, alpha=CHEAP.alpha)
    per_seed = fit_exponent(result.widths, result.at("delta_f", 1), alpha=CHEAP.alpha)
    # every exponent claim about delta_f, right or wrong, is decided on the same (seed-averaged) fit
    for theory in (Theory(mup(1)), Theory(mup(1), offset=Fraction(-1, 4))):
        claim = check_nontriviality(mup(1), ROUTINE, CHEAP, against=theory, sweeps=sweeps).claims[0]
        assert claim.slope == pytest.approx(averaged.slope) and claim.slope != pytest.approx(per_seed.slope)
    d = decide_quantity(result, "delta_f", 1, Fraction(0), alpha=CHEAP.alpha)
    assert d.slope == pytest.approx(averaged.slope)
    assert decide_quantity(result, "delta_x1", 1, Fraction(0), alpha=CHEAP.alpha).slope == pytest.approx(
        fit_exponent(result.widths, result.at("delta_x1", 1), alpha=CHEAP.alpha).slope)


def test_confirm_escalates_and_counts_every_decision(sweeps: Sweeps) -> None:
    # a claim off by 1/2 disagrees at once; a claim the data cannot decide escalates and stays undecided
    wrong = confirm(mup(1), ROUTINE, {"delta_W1_x": Fraction(-1, 2)}, step=1, budget=CHEAP, theory=Theory(mup(1)),
                    sweeps=sweeps)
    assert wrong.verdict is Verdict.DISAGREE and wrong.attempts == 1 and wrong.decisions == 1
    edge = Budget("edge", (64, 72), seeds=4, retries=1, examples=1, decisions=1)
    with tally_claims() as outer:
        with tally_claims() as inner:
            undecided = confirm(mup(1), ROUTINE, {"delta_W1_x": Fraction(0), "h1": Fraction(0)}, step=1, budget=edge,
                                theory=Theory(mup(1)), sweeps=sweeps)
        assert (inner.claims, inner.decisions) == (2, 4)  # each claim once, each attempt's decision
        confirm(mup(1), ROUTINE, {"delta_W1_x": Fraction(-1, 2)}, step=1, budget=CHEAP, theory=Theory(mup(1)),
                sweeps=sweeps)
    assert (outer.claims, outer.decisions) == (3, 5) and (inner.claims, inner.decisions) == (2, 4)
    assert undecided.verdict is Verdict.UNDECIDED and undecided.attempts == 2 and undecided.decisions == 4
    assert "still undecided with 8 seeds after 2 attempt(s)" in undecided.reason


def test_a_wrong_theory_is_reported_as_such(sweeps: Sweeps) -> None:
    p = mup(1)
    right = check_nontriviality(p, ROUTINE, CHEAP, sweeps=sweeps)
    assert right.agrees and not right.perturbed and right.claimed is None and right.decisions >= 1
    flipped = check_nontriviality(p, ROUTINE, CHEAP, against=Theory(p, offset=Fraction(1, 2)), sweeps=sweeps)
    assert flipped.verdict is Verdict.DISAGREE and flipped.perturbed and "exponents +1/2" in flipped.claimed
    assert "n^1/2" in str(flipped) and "disagree" in str(flipped)
    # an unstable theory: only Theorem 3.3 applies
    na = check_nontriviality(sp(1), ROUTINE, CHEAP, sweeps=sweeps)
    assert na.verdict is Verdict.NOT_APPLICABLE and not na.agrees and "unstable" in na.reason


def test_against_needs_the_same_depth() -> None:
    with pytest.raises(ValueError, match="depth"):
        check_stability(mup(1), ROUTINE, CHEAP, against=mup(2))


def test_expectation_is_exact_theory_modulo_eq5() -> None:
    assert expectation(mfp(1), mup(1)).verdict is Verdict.AGREE
    assert expectation(mup(2).shift(Fraction(1, 4)), mup(2)).verdict is Verdict.AGREE
    wrong = expectation(up("1/4", 2), mup(2))
    assert wrong.verdict is Verdict.DISAGREE and "regime kernel (expected feature_learning)" in wrong.reason
    assert "r 1/4 (expected 0)" in wrong.reason
    subtle = expectation(Parametrization.of(["-1/2", "1/8", "1/2"], ["1/2", "3/8", "1/2"], 0), mup(2))
    assert subtle.verdict is Verdict.DISAGREE and "delta_W2_x n^-1/4 (expected n^0)" in subtle.reason


def test_check_parametrization_result_object(sweeps: Sweeps) -> None:
    result = check_parametrization("mfp", depth=1, expect="mup", profile=CHEAP, statements=["nontriviality", "f0"],
                                   sweeps=sweeps)
    assert result.agrees and result.exit_code == 0 and result.expectation is not None
    assert result.counts()["agree"] == 2 and "expected mup: agree" in str(result)
    result.assert_agrees()
    wrong = check_parametrization(ntp(1), expect="mup", profile=CHEAP, statements=["maximal_updates"], sweeps=sweeps)
    assert not wrong.agrees and wrong.exit_code == 1
    with pytest.raises(TheoryMismatch, match="is not mup"):
        wrong.assert_agrees()
    with pytest.raises(ValueError, match="not both"):
        check_parametrization("mup", expect="mup", against="ntp")
    with pytest.raises(ValueError, match="unknown statement"):
        check_parametrization("mup", statements=["thm9"])


def test_phi_spellings() -> None:
    assert phis_of("both") == ("tanh", "sigma_gelu")
    assert phis_of("sigma-gelu:0.2") == ("sigma_gelu:0.2",) and phis_of(["tanh"]) == ("tanh",)
    with pytest.raises(ValueError):
        phis_of("softsign")


def test_a_single_wrong_layer_is_caught_and_named(sweeps: Sweeps) -> None:
    theory = Theory(mup(2), overrides={"delta_W2_x": Fraction(-1, 4)})
    result = check_maximal_updates(mup(2), ROUTINE, CHEAP, against=theory, sweeps=sweeps)
    assert result.verdict is Verdict.DISAGREE and result.perturbed
    assert [c.quantity for c in result.claims if c.verdict is Verdict.DISAGREE] == ["delta_W2_x"]
