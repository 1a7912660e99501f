"""Checks on networks with a zero-initialised readout (b_{L+1} = ∞, App. H.3), and the negative controls
in both directions: µP's theory judged on zero-readout networks, and the zero-readout theory on µP's."""

from __future__ import annotations

from pathlib import Path

import pytest

from impl.checks import Budget, Sweeps, check_dichotomy, check_f0, check_maximal_updates, check_stability
from impl.measurement import Verdict
from impl.theory import mup, parse_spec

CHEAP = Budget("cheap", (64, 128, 256, 512), seeds=8, retries=3, examples=1, decisions=10)
MUP0 = parse_spec("a=-1/2,0,1/2;b=1/2,1/2,inf;c=0")


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory: pytest.TempPathFactory) -> Sweeps:
    return Sweeps(cache_dir=Path(tmp_path_factory.mktemp("cache")))


def test_zero_readout_agrees_with_its_own_theory(sweeps: Sweeps) -> None:
    f0 = check_f0(MUP0, budget=CHEAP, sweeps=sweeps)
    assert f0.verdict is Verdict.AGREE and f0.says == "f0 = 0 (zero readout)"
    updates = check_maximal_updates(MUP0, budget=CHEAP, sweeps=sweeps)
    assert updates.verdict is Verdict.AGREE, updates.reason
    steps = {(c.quantity, c.step) for c in updates.claims}
    assert ("delta_W1_x", 1) in steps and ("delta_W1_x", 2) in steps  # the exact zeros and the later rates
    assert check_stability(MUP0, budget=CHEAP, sweeps=sweeps).verdict is Verdict.AGREE


@pytest.mark.parametrize(("networks", "theory"), [(MUP0, mup(2)), (mup(2), MUP0)])
def test_the_wrong_readout_init_is_refuted(networks, theory, sweeps: Sweeps) -> None:  # noqa: ANN001
    """Exact zeros refute Θ(n^e) claims, and a single nonzero size refutes an exact-zero claim."""
    assert check_f0(networks, budget=CHEAP, against=theory, sweeps=sweeps).verdict is Verdict.DISAGREE
    assert check_maximal_updates(networks, budget=CHEAP, against=theory, sweeps=sweeps).verdict is Verdict.DISAGREE


def test_the_dichotomy_is_decided_at_step_2_for_a_zero_readout(sweeps: Sweeps) -> None:
    """Feature learning (µP, zero readout) and the kernel regime (NTP, zero readout, r = 1) are told apart by
    Δx^L at t = 2; each judged against the other's theory disagrees."""
    ntp0 = parse_spec("a=0,1/2,1/2;b=0,0,inf;c=0")
    assert check_dichotomy(MUP0, budget=CHEAP, sweeps=sweeps).verdict is Verdict.AGREE
    assert check_dichotomy(ntp0, budget=CHEAP, sweeps=sweeps).verdict is Verdict.AGREE
    assert check_dichotomy(MUP0, budget=CHEAP, against=ntp0, sweeps=sweeps).verdict is Verdict.DISAGREE
    assert check_dichotomy(ntp0, budget=CHEAP, against=MUP0, sweeps=sweeps).verdict is Verdict.DISAGREE
