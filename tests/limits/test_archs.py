"""The architecture registry (impl.limits.archs): one dispatch to the limits and to the finite networks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from impl.limits import finite_outputs, linear_limit, mlp1_limit, mlp2_limit, routine_from_arrays
from impl.limits.archs import ARCHS, DEFAULT_PARTICLES, finite_for, get_arch, limit_for, resolve_phi
from impl.simulation import Routine
from impl.theory import mup
from tests.limits.routines import pm1

PM1 = pm1(3, 0, lr=0.5)  # tanh, true backprop


def for_arch(arch: str, routine: Routine = PM1) -> Routine:
    """``routine`` with φ = id for linear1 and ``arch``'s backprop."""
    phi = "identity" if arch == "linear1" else routine.phi
    return replace(routine, phi=phi, decoupled=get_arch(arch).decoupled)


def test_registry_maps_each_arch_to_its_parametrization_backprop_and_theorem() -> None:
    assert list(ARCHS) == ["mlp1", "linear1", "mlp2-decoupled", "mlp2"]
    expected = {"mlp1": (1, False, "Theorem 6.1"), "linear1": (1, False, "Corollary 6.2 / Theorem D.1"),
                "mlp2-decoupled": (2, True, "Theorem 6.3"), "mlp2": (2, False, "Theorem 6.4")}
    for name, (depth, decoupled, theorem) in expected.items():
        a = get_arch(name)
        assert (a.depth, a.decoupled, a.theorem) == (depth, decoupled, theorem)
        assert a.parametrization == mup(depth)


def test_phi_defaults_restrictions_and_names() -> None:
    assert resolve_phi("mlp1", None) == "tanh" and resolve_phi("linear1", None) == "identity"
    assert resolve_phi("mlp2", "sigma-gelu") == "sigma_gelu:0.1" and resolve_phi("linear1", "identity") == "identity"
    with pytest.raises(ValueError, match="linear1 needs phi in"):
        resolve_phi("linear1", "tanh")
    with pytest.raises(ValueError, match="unknown architecture 'mlp3'.*mlp1, linear1, mlp2-decoupled, mlp2"):
        get_arch("mlp3")
    with pytest.raises(ValueError, match="linear1 needs phi in .*got 'tanh'"):
        limit_for("linear1", PM1)  # validated, not silently replaced by the identity
    with pytest.raises(ValueError, match="linear1 needs phi"):
        finite_for("linear1", replace(PM1, phi="relu"), 16, [0])


def test_routine_must_fit_the_arch() -> None:
    """Batch 1 and no bias for every limit; at depth 2 the routine's backprop must be the arch's."""
    with pytest.raises(ValueError, match="mlp2-decoupled is trained with partially decoupled .*decoupled=True, got False"):
        limit_for("mlp2-decoupled", PM1, particles=2**10)
    with pytest.raises(ValueError, match="mlp2 is trained with true SGD .*decoupled=False, got True"):
        finite_for("mlp2", replace(PM1, decoupled=True), 16, [0])
    for arch in ARCHS:
        with pytest.raises(ValueError, match="batch size 1"):
            limit_for(arch, replace(for_arch(arch), batch=2))
        with pytest.raises(ValueError, match="batch size 1"):
            finite_for(arch, replace(for_arch(arch), batch=2), 16, [0])
        with pytest.raises(ValueError, match="no biases"):
            limit_for(arch, replace(for_arch(arch), bias=True))
    # at depth 1 Eq. (20) changes nothing, so the flag is accepted either way
    assert np.array_equal(limit_for("mlp1", replace(PM1, decoupled=True)).outputs, limit_for("mlp1", PM1).outputs)


def test_limit_for_dispatches_to_each_theorem() -> None:
    """Same numbers as calling the evaluators directly (same accuracy and Monte-Carlo seed)."""
    one = limit_for("mlp1", PM1)
    ref = mlp1_limit(PM1)
    assert np.array_equal(one.outputs, ref.outputs) and one.error_estimate == ref.error_estimate
    assert one.method == ref.method and one.error.shape == one.outputs.shape == (4, 2, 1) and one.phi == "tanh"
    linear = for_arch("linear1")
    lin = limit_for("linear1", linear)
    assert np.array_equal(lin.outputs, linear_limit(linear).outputs) and lin.error_estimate == 0.0
    for arch in ("mlp2-decoupled", "mlp2"):
        mc = limit_for(arch, for_arch(arch), particles=2**15, seed=3)
        ref2 = mlp2_limit(for_arch(arch), particles=2**15, seed=3)
        assert np.array_equal(mc.outputs, ref2.outputs) and np.array_equal(mc.error, ref2.stderr)
        assert mc.arch == arch and "32768 particles" in mc.method
    assert DEFAULT_PARTICLES >= 16 * 4096  # mlp2_limit asks for >= 4096 particles per replica


def test_linear1_is_mlp1_with_identity() -> None:
    """Corollary 6.2 is Theorem 6.1 at φ = id: the exact linear limit and the quadrature agree."""
    r, data = routine_from_arrays([[1.0], [-0.5], [2.0]], [[1.0], [0.3], [-1.0]], [[1.0], [-2.0], [0.7]], lr=0.3,
                                  phi="identity")
    lin = limit_for("linear1", r, data=data).outputs
    assert np.allclose(lin, limit_for("mlp1", r, data=data).outputs, atol=1e-12)
    assert not np.allclose(lin, limit_for("mlp1", replace(r, phi="tanh"), data=data).outputs, atol=1e-3)


def test_diverging_limit_is_reported_not_raised() -> None:
    with np.errstate(all="ignore"):
        res = limit_for("mlp1", pm1(6, 0, lr=1.0, phi="square"))
    assert not res.finite and res.diverged_at is not None and res.diverged_at >= 2
    assert np.isnan(res.error_estimate)
    assert limit_for("mlp1", replace(PM1, phi="square")).diverged_at is None


@pytest.mark.parametrize("arch", list(ARCHS))
def test_finite_for_is_finite_outputs_of_the_arch(arch: str) -> None:
    routine = for_arch(arch)
    out = finite_for(arch, routine, 32, [0, 1, 2])
    ref = finite_outputs(mup(get_arch(arch).depth), routine, 32, [0, 1, 2], seed_chunk=1)
    assert out.shape == (4, 3, 2, 1) and np.array_equal(out, ref)


def test_decoupled_and_true_sgd_share_only_initialisation() -> None:
    """Theorems 6.3 and 6.4 share f̊₀ (common random numbers) and differ from t = 1 on (W₁x₁ carries Ż from
    the step-0 backward pass through W₀ᵀ); so do the finite networks with the same seeds."""
    archs = ("mlp2-decoupled", "mlp2")
    dec, sgd = (limit_for(a, for_arch(a), particles=2**16) for a in archs)
    assert np.array_equal(dec.outputs[0], sgd.outputs[0])
    assert np.min(np.abs(dec.outputs[1] - sgd.outputs[1])) > 20 * max(dec.error_estimate, sgd.error_estimate)
    fd, fs = (finite_for(a, for_arch(a), 64, [0, 1]) for a in archs)
    assert np.array_equal(fd[0], fs[0]) and not np.allclose(fd[1:], fs[1:])
