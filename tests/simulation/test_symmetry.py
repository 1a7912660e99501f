"""Eq. (5) at finite width: (aₗ, bₗ, c) → (aₗ+θ, bₗ−θ, c−2θ) leaves fₜ(ξ) unchanged for all t, ξ.

Given the same underlying draws z (wˡ = n^{-bₗ}z), the shifted run has the same Wₜ at every step
(paper Section 3.2, "Symmetries of abc-Parametrizations"), so every recorded quantity agrees.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from impl.simulation import Routine, simulate
from impl.simulation.reference import simulate_reference
from impl.strategies import lattice, parametrizations
from impl.theory import Parametrization
from tests.simulation.helpers import assert_recordings_close

THETAS = lattice(Fraction(-1), Fraction(1), Fraction(1, 4))
CONFIGS = st.builds(
    Routine,
    phi=st.sampled_from(["tanh", "sigma_gelu", "relu", "erf"]),
    input_dim=st.integers(1, 6),
    output_dim=st.integers(1, 2),
    steps=st.just(3),
    lr=st.sampled_from([0.1, 0.5, 1.0]),
    batch=st.integers(1, 3),
    probes=st.just(5),
    loss=st.sampled_from(["mse", "logistic"]),
    bias=st.booleans(),
    data_seed=st.integers(0, 3),
)


@settings(max_examples=25, deadline=None)
@given(parametrizations(depth=st.integers(1, 3), regime="stable"), THETAS, CONFIGS, st.sampled_from([16, 48]))
def test_engine_is_eq5_invariant(p: Parametrization, theta: Fraction, config: Routine, width: int) -> None:
    shifted = p.shift(theta)
    assert_recordings_close(simulate(shifted, config, width, [0, 9]), simulate(p, config, width, [0, 9]), rtol=1e-9)


@settings(max_examples=6, deadline=None)
@given(parametrizations(depth=st.integers(1, 2), regime="nontrivial"), THETAS)
def test_reference_is_eq5_invariant(p: Parametrization, theta: Fraction) -> None:
    """The autograd model, where a and b enter separately, shows the symmetry too (to rounding)."""
    config = Routine(input_dim=3, steps=3, batch=2, probes=4, bias=True)
    a, b = simulate_reference(p, config, 16, [1]), simulate_reference(p.shift(theta), config, 16, [1])
    assert_recordings_close(b, a, rtol=1e-9, atol=1e-13)


def test_breaking_the_symmetry_is_detected() -> None:
    """Negative control: shifting a, b by θ without c → c − 2θ changes every update by n^{2θ}."""
    from impl.theory import mup

    p = mup(2)
    config = Routine(input_dim=3, steps=3, probes=4)
    broken = p.shift(Fraction(1, 4)).with_c(p.c)
    a, b = simulate_reference(p, config, 16, [1]), simulate_reference(broken, config, 16, [1])
    assert abs(a.values["delta_f"][2, 0] / b.values["delta_f"][2, 0] - 1) > 0.1
    assert_recordings_close(simulate(broken, config, 16, [1]), b, rtol=1e-10, atol=1e-14)
