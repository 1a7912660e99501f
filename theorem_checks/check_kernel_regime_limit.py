"""Definition 3.7 / Theorem 3.8 (kernel regime) at finite width — Section 3.2, App. H.6 (Thm H.32).

*In words:* a stable, nontrivial abc-parametrization with r > 0 is in the kernel regime: as the width
n → ∞ its SGD trajectory converges to kernel gradient descent in function space,
fₜ₊₁(ξ) = fₜ(ξ) − ηK(ξ, ξₜ)L′(fₜ(ξₜ), yₜ) (Eq. (9)), with a fixed kernel K. Thm H.32 gives K as the sum
of the layer contributions K_l updated at the leading rate (:func:`impl.limits.kernels.abc_kernel`): for
NTP every layer (the NTK), for SP with learning rate 1/n every layer but the first (r₁ = 3/2 > r = ½),
so at L = 1 the NNGP. Thm H.32's derivation does not use φ being tanh or σ-gelu, so relu is included.

Finite-width check: networks of widths 64…1024 (engine :func:`impl.limits.finite_outputs`) train T = 3
SGD steps; each seed's KGD prediction starts from that network's own f₀ on the probes and training inputs
(f̊₀ is the GP limit of f₀, Def. H.12). ``kgd_deviation`` is, per seed, the RMS over probes and steps
t = 1..T of (fₜ − f₀) − (f̊ₜ − f̊₀) relative to the RMS predicted change f̊ₜ − f̊₀; its width exponent must
be −½ within the margin (the kernel's √n fluctuations and the n^{−r} = n^{−1/2} feature movement are the
leading corrections; measured −0.45…−0.51 over 64…1024 on the presets, 16 seeds), for NTP and SP-LR-1/n
at depth 1–3 with φ = tanh or relu. Random kernel-regime draws (φ = tanh or σ-gelu; corrections
n^{−min(r, ½)} and n^{eₗ} from slower layers) need the deviation to vanish.

Negative controls (same sweeps, other kernels in the prediction): the NNGP (readout only) for NTP, NTP's
NTK without layer 1, the full NTK for SP-LR-1/n (layer 1 wrongly included), and µP (feature learning,
r = 0) against its first-step linearised kernel: each deviation stays Θ(1) and the check must fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Sequence

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.limits import LimitRoutine, finite_outputs
from impl.limits.kernel_descent import kernel_gradient_descent
from impl.limits.kernels import abc_kernel
from impl.measurement import JobResult
from impl.measurement import code_version as code_digest
from impl.strategies import parametrizations
from impl.theory import Parametrization, mup, ntp, sp_lr1n
from theorem_checks.finite import Disagreement, confirm, finite_settings

STEPS = 3
KERNELS = ("theory", "nngp", "ntk", "missing")
"""Which kernel the prediction uses: the theory's, readout only, every layer, or the theory's minus its
lowest contributing layer (the last three are negative controls)."""
KERNEL_CODE = code_digest(abc_kernel) + code_digest(kernel_gradient_descent)  # in the cache key (KgdRoutine)
BIAS = ("finite-width corrections of both signs (kernel fluctuations, feature movement, slower layers) spread "
        "the 64–1024 slope of the relative KGD deviation around −1/2 (presets −0.45…−0.51, kernel draws −0.36…−0.65)")


@dataclass(frozen=True)
class KgdRoutine:
    """The width-independent routine: T steps of SGD (batch 1, MSE, step η = ``lr``) on inputs ξₜ iid uniform
    on the unit sphere of R^d, labels ±``label`` (random signs), and ``probes`` probes also iid on the sphere.

    Why not the engine's default data (a shared direction, cosines ≈ ½): its probes are so alike that each
    seed's relative deviation is one draw with few degrees of freedom (coefficient of variation 0.42 over
    seeds at n = 1024, NTP L = 2); iid probes in d = 16, pooled over t = 1..T, bring it to 0.18, so 16 seeds
    decide what took 64. ``kernel_code`` digests the kernel code, so editing it invalidates cached deviations.
    """

    phi: str = "tanh"
    lr: float = 1.0
    data_seed: int = 0
    steps: int = STEPS
    label: float = 2.0
    probes: int = 32
    input_dim: int = 16
    kernel_code: str = KERNEL_CODE

    def limit_routine(self) -> LimitRoutine:
        """The data, with the training inputs appended to the probes (KGD needs f₀ there)."""
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.data_seed, 3_7])))
        z = rng.standard_normal((self.steps + self.probes, self.input_dim))
        z /= np.linalg.norm(z, axis=1, keepdims=True)
        xs = z[: self.steps]
        ys = self.label * rng.choice([-1.0, 1.0], size=(self.steps, 1))
        return LimitRoutine(xs, ys, np.concatenate([z[self.steps :], xs]), eta=self.lr)


@lru_cache(maxsize=32)
def _kernels(p: Parametrization, routine: KgdRoutine) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(K(probes ∪ xs, xs), K(xs, xs)) for each of :data:`KERNELS`."""
    R = routine.limit_routine()
    k = abc_kernel(p, routine.phi, R.probes, R.xs, require_kernel_regime=False)
    L, T = p.depth, R.steps
    chosen = dict(zip(KERNELS, (k.layers, (L + 1,), tuple(range(1, L + 2)), k.layers[1:])))
    out = {}
    for name, layers in chosen.items():
        K = sum((k.base.per_layer[l - 1] for l in layers), np.zeros_like(k.kernel))
        out[name] = (K, K[-T:])
    return out


def simulate_kgd_deviation(p: Parametrization, routine: KgdRoutine, width: int, seeds: Sequence[int]) -> JobResult:
    """Finite networks' fₜ and, per seed and kernel, ``kgd_deviation[_KERNEL]`` at each step t: the RMS over
    probes and steps 1..t of (fₛ − f₀) − (f̊ₛ − f̊₀) over that of f̊ₛ − f̊₀ (Def. 3.7, Eq. (9)); 0 at t = 0."""
    R = routine.limit_routine()
    out = finite_outputs(p, R, routine.phi, width, seeds)  # (T+1, S, P+T, d_o)
    T = R.steps
    finite = np.isfinite(out).all(axis=(2, 3))
    blow = np.where(finite.all(axis=0), -1, np.argmin(finite, axis=0))
    values = {}
    for name, (k_probe, k_train) in _kernels(p, routine).items():
        pred = kernel_gradient_descent(k_probe, k_train, out[0], out[0][:, -T:], R.ys, R.eta, R.loss)
        dev = np.cumsum(np.mean(((out - out[0]) - (pred - pred[0])) ** 2, axis=(2, 3)), axis=0)
        size = np.cumsum(np.mean((pred - pred[0]) ** 2, axis=(2, 3)), axis=0)
        with np.errstate(invalid="ignore"):
            rel = np.where(size > 0, np.sqrt(dev / np.where(size > 0, size, 1.0)), 0.0)
        values["kgd_deviation" + ("" if name == "theory" else f"_{name}")] = rel
    return JobResult(width, tuple(seeds), T, values, blow)


def follows_kgd(p: Parametrization, routine: KgdRoutine, *, kernel: str = "theory",
                claim: Fraction | str = Fraction(-1, 2)) -> None:
    """Confirm that ``kgd_deviation`` (with ``kernel``) at step T has width exponent ``claim``."""
    name = "kgd_deviation" + ("" if kernel == "theory" else f"_{kernel}")
    confirm(p, routine, {name: claim}, step=STEPS, simulate_fn=simulate_kgd_deviation, biased={name: BIAS})


def kgd_routines(phis: Sequence[str]) -> st.SearchStrategy[KgdRoutine]:
    """φ from ``phis``, η ∈ {0.5, 0.75, 1}, any data seed (the full NTK has K(ξ, ξ) ≤ 1 on unit inputs for
    these φ and L ≤ 3, so η·K ≤ 1: KGD does not overshoot)."""
    return st.builds(KgdRoutine, phi=st.sampled_from(list(phis)), lr=st.sampled_from([0.5, 0.75, 1.0]),
                     data_seed=st.integers(0, 9999))


PRESETS = st.builds(lambda make, depth: make(depth), st.sampled_from([ntp, sp_lr1n]), st.integers(1, 3))


@finite_settings()
@given(PRESETS, kgd_routines(["tanh", "relu"]))
def test_ntp_and_sp_lr1n_follow_kernel_gradient_descent(p: Parametrization, routine: KgdRoutine) -> None:
    follows_kgd(p, routine)


@finite_settings()
@given(parametrizations(depth=st.integers(1, 3), regime="kernel"), kgd_routines(["tanh", "sigma_gelu"]))
def test_kernel_regime_draws_follow_kernel_gradient_descent(p: Parametrization, routine: KgdRoutine) -> None:
    follows_kgd(p, routine, claim="vanishes")


@pytest.mark.parametrize("p,kernel", [(ntp(2), "nngp"), (ntp(2), "missing"), (sp_lr1n(2), "ntk"), (mup(2), "theory")],
                         ids=["ntp-nngp", "ntp-without-layer-1", "sp-lr1n-with-layer-1", "mup"])
def test_negative_control_wrong_kernel_or_feature_learning(p: Parametrization, kernel: str) -> None:
    routine = KgdRoutine()
    if p != mup(2):
        follows_kgd(p, routine)  # the theory's kernel passes on these very sweeps
    with pytest.raises(Disagreement):
        follows_kgd(p, routine, kernel=kernel)
