"""The architecture registry (impl.limits.archs): one dispatch to the limits and to the finite networks."""

from __future__ import annotations

import numpy as np
import pytest

from impl.limits import LimitRoutine, finite_outputs, linear_limit, mlp1_limit, mlp2_limit, pm1_routine
from impl.limits.archs import ARCHS, DEFAULT_PARTICLES, finite_for, get_arch, limit_for, resolve_phi
from impl.theory import mup

PM1 = pm1_routine(3, 0, eta=0.5)


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
    with pytest.raises(ValueError, match="unknown activation"):
        limit_for("mlp1", PM1, "softsign")
    with pytest.raises(ValueError, match="linear1 needs phi"):
        finite_for("linear1", PM1, "relu", 16, [0])


def test_limit_for_dispatches_to_each_theorem() -> None:
    """Same numbers as calling the evaluators directly (same accuracy and Monte-Carlo seed)."""
    one = limit_for("mlp1", PM1, "tanh")
    ref = mlp1_limit(PM1, "tanh")
    assert np.array_equal(one.outputs, ref.outputs) and one.error_estimate == ref.error_estimate
    assert one.method == ref.method and one.error.shape == one.outputs.shape == (4, 2, 1)
    lin = limit_for("linear1", PM1)
    assert np.array_equal(lin.outputs, linear_limit(PM1).outputs) and lin.error_estimate == 0.0
    for arch, decoupled in (("mlp2-decoupled", True), ("mlp2", False)):
        mc = limit_for(arch, PM1, "tanh", particles=2**15, seed=3)
        ref2 = mlp2_limit(PM1, "tanh", decoupled=decoupled, particles=2**15, seed=3)
        assert np.array_equal(mc.outputs, ref2.outputs) and np.array_equal(mc.error, ref2.stderr)
        assert mc.arch == arch and "32768 particles" in mc.method
    assert DEFAULT_PARTICLES >= 16 * 4096  # mlp2_limit asks for >= 4096 particles per replica


def test_linear1_is_mlp1_with_identity() -> None:
    """Corollary 6.2 is Theorem 6.1 at φ = id: the exact linear limit and the quadrature agree."""
    r = LimitRoutine([[1.0], [-0.5], [2.0]], [[1.0], [0.3], [-1.0]], [[1.0], [-2.0], [0.7]], eta=0.3)
    assert np.allclose(limit_for("linear1", r).outputs, limit_for("mlp1", r, "identity").outputs, atol=1e-12)
    assert not np.allclose(limit_for("linear1", r).outputs, limit_for("mlp1", r, "tanh").outputs, atol=1e-3)


def test_diverging_limit_is_reported_not_raised() -> None:
    with np.errstate(all="ignore"):
        res = limit_for("mlp1", pm1_routine(6, 0, eta=1.0), "square")
    assert not res.finite and res.diverged_at is not None and res.diverged_at >= 2
    assert np.isnan(res.error_estimate)
    assert limit_for("mlp1", PM1, "square").diverged_at is None


@pytest.mark.parametrize("arch", list(ARCHS))
def test_finite_for_is_finite_outputs_of_the_arch(arch: str) -> None:
    a = get_arch(arch)
    phi = "identity" if arch == "linear1" else "tanh"
    out = finite_for(arch, PM1, None if arch == "linear1" else phi, 32, [0, 1, 2])
    ref = finite_outputs(mup(a.depth), PM1, phi, 32, [0, 1, 2], decoupled=a.decoupled, seed_chunk=1)
    assert out.shape == (4, 3, 2, 1) and np.array_equal(out, ref)


def test_decoupled_and_true_sgd_share_only_initialisation() -> None:
    """Theorems 6.3 and 6.4 share f̊₀ (common random numbers) and differ from t = 1 on (W₁x₁ carries Ż from
    the step-0 backward pass through W₀ᵀ); so do the finite networks with the same seeds."""
    r = pm1_routine(3, 0, eta=0.5)
    dec, sgd = (limit_for(a, r, "tanh", particles=2**16) for a in ("mlp2-decoupled", "mlp2"))
    assert np.array_equal(dec.outputs[0], sgd.outputs[0])
    assert np.min(np.abs(dec.outputs[1] - sgd.outputs[1])) > 20 * max(dec.error_estimate, sgd.error_estimate)
    fd, fs = (finite_for(a, r, "tanh", 64, [0, 1]) for a in ("mlp2-decoupled", "mlp2"))
    assert np.array_equal(fd[0], fs[0]) and not np.allclose(fd[1:], fs[1:])
