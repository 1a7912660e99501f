"""Theorems 6.1, 6.3, 6.4 and Corollary 6.2 (µP infinite-width limits) at finite width — Section 6, App. D.

*In words:* a µP network of width n trained by SGD converges, as n → ∞, to a deterministic
infinite-width limit: fₜ(ξ) → f̊ₜ(ξ) for every step t and input ξ, where f̊ is given by Theorem 6.1
(1 hidden layer, Eqs. (18)–(19)), Corollary 6.2 / Theorem D.1 (1 hidden layer, φ = id), Theorem 6.3
(2 hidden layers, partially decoupled backprop, Eq. (20)) and Theorem 6.4 (2 hidden layers, true SGD).

Check (hypothesis over φ ∈ {tanh, σ-gelu} — φ = id for the linear net —, η and the data seed): the
engine's µP networks (:func:`impl.limits.archs.finite_for`) and the limit (:func:`limit_for`) run T = 4
steps on the same routine (d = 4, inputs and 8 probes iid uniform on the unit sphere, labels ±1, MSE).
Why not Figure 4's ±1 data in d = 1: f on two probes ±1 is one or two Gaussians per seed, so the
per-seed deviation spreads with a coefficient of variation ≈ 0.5 (measured), and 16 seeds cannot pin
a slope; 8 probes in d = 4 bring it to ≈ 0.3. Two statements, both must hold:

1. *rate*: ``limit_deviation``, per seed the RMS over probes and steps 0..T of fₜ − f̊ₜ, has width
   exponent −½ (CLT fluctuations; the O(1/n) mean bias is smaller) — decided like every finite-width
   exponent (:func:`theorem_checks.finite.confirm`: seed-jackknife interval at level 1 − ALPHA inside
   −½ ± MARGIN, retries with doubled seeds while inconclusive);
2. *agreement* at the largest width N: with dₑ the mean over seeds of fₜ − f̊ₜ at entry e = (t, probe),
   seₑ its standard error and errₑ the limit's own error, Q = RMSₑ dₑ / RMSₑ √(seₑ² + errₑ²) ≤ K. This is
   what resolves a limit that is slightly wrong (η off by 10% flattens the 64–1024 slope only to
   about −0.35, inconclusive, but moves the mean by ≈ 6 standard errors).

The limit's accuracy: Theorem 6.1 by quadrature (here quasi-Monte Carlo, standard error ≈ 1e-4),
Corollary 6.2 exactly, Theorems 6.3/6.4 by Monte Carlo with 2¹⁷ particles (standard error ≈ 1–3e-3). A
shared limit error e adds e² to every seed's squared deviation; the check requires RMS(err) ≤ ⅕ of the
RMS deviation at N, so e² is ≤ 4% of it and biases the slope by < 0.01 (no subtraction needed), and
errₑ enters Q's denominator.

Calibration (dev budget, 100 random routines: 30 per 1-hidden-layer net, 20 per 2-hidden-layer net): the
whole check passed on 98; the other two (depth 2, σ-gelu) kept the rate inconclusive at 64 seeds with
slopes −0.43 and are reported as an :class:`InconclusiveWarning` (:data:`SHARP_BIAS`). Statistics of Q and
the power of the negative controls: :data:`K`.

Negative controls (one sweep each at η = 1, judged against the correct limit — whose agreement must hold
— and a wrong one, which must raise :class:`Disagreement`): the limit at 1.1·η (mlp1, linear1 at η = ½),
the limit with φ′ ≡ 1 in the backward pass (Eq. (19)'s φ′(ξZ^U) dropped; mlp2-decoupled) and the other
backprop's limit (Theorem 6.3 for true-SGD networks). All four variants exist for every architecture they
apply to (:data:`VARIANTS`); their power over random routines is in :data:`K`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache
from typing import Sequence

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from impl.limits import LimitRoutine
from impl.limits.archs import ARCHS, LimitResult, finite_for, get_arch, limit_for
from impl.measurement import JobResult, SweepResult
from impl.measurement import code_version as code_digest
from impl.simulation.activations import Activation, resolve_activation
from theorem_checks.finite import PHIS, Disagreement, Inconclusive, confirm, finite_settings, sweep_for

STEPS, INPUT_DIM, PROBES = 4, 4, 8
LRS: dict[str, tuple[float, ...]] = {"linear1": (0.25, 0.5)}  # linear nets at η = 1 on this data can diverge
NONLINEAR_LRS = (0.5, 0.75, 1.0)  # σ-gelu at η = 1.5 already sends some n = 64 nets to |f| ≈ 5 (measured)
LIMIT_CODE = code_digest(limit_for)  # every .py of impl/limits: editing a limit invalidates cached gaps
VARIANTS = ("theorem", "eta+10%", "no-phi-prime", "other-backprop")
"""Which limit a gap is measured from: the theorem's, or (negative controls) one at 1.1·η, one with φ′ ≡ 1
in the backward pass, or the other backprop's (depth 2 only)."""
K = 3.0
"""Agreement threshold on Q. Calibration (dev budget: widths 64…1024, 16 seeds; 100 random routines, 30 for
each 1-hidden-layer net and 20 for each 2-hidden-layer net): under the correct limits Q ≤ 1.88 (90% ≤ 1.56) —
Q is not ≈ 1 because the 40 entries are strongly correlated (a few effective degrees of freedom) — so
K = 3 leaves a margin of 1.6× the largest. Power at K = 3 on the same draws: η + 10% rejected in 100%
(linear1), 93% (mlp1), 75% (mlp2-decoupled), 90% (mlp2); φ′ dropped and the other backprop's limit in
100%. The rate alone: fitted slopes −0.50 ± 0.05 on correct limits (range −0.63…−0.40, mostly
inconclusive at 16 seeds, decided by the retries), −0.32…−0.39 on average for η + 10% (rarely
inconsistent: that is why the agreement test exists), −0.1…−0.2 for φ′ dropped or the other backprop."""
SHARP_BIAS = ("depth 2 with σ-gelu (σ = 0.1, nearly ReLU): the 64–1024 slope of the deviation can sit near −0.43 "
              "(2 of 24 such calibration draws stayed inconclusive at 64 seeds: −0.426 [−0.53, −0.32] at η = 1, "
              "−0.430 [−0.52, −0.34] at η = 0.75), and one η = 1 draw had heavy-tailed seeds (coefficient of "
              "variation 0.65 vs ≈ 0.35): −0.457 [−0.60, −0.31]; the agreement test still decides")
ERROR_FRACTION = 0.2  # the limit's RMS error must be ≤ this fraction of the RMS deviation at the largest width


@dataclass(frozen=True)
class LimitCheckRoutine:
    """One architecture on one width-independent routine; ``variants`` are the limits measured against.

    ``limit_code`` digests the limit code (part of the job-cache key and of the network seeds)."""

    arch: str = "mlp1"
    phi: str = "tanh"
    lr: float = 0.75
    data_seed: int = 0
    steps: int = STEPS
    input_dim: int = INPUT_DIM
    probes: int = PROBES
    variants: tuple[str, ...] = ("theorem",)
    limit_code: str = LIMIT_CODE

    def limit_routine(self) -> LimitRoutine:
        """Inputs and probes iid uniform on the unit sphere of R^d, labels ±1 (random signs), MSE."""
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.data_seed, 6_1])))
        z = rng.standard_normal((self.steps + self.probes, self.input_dim))
        z /= np.linalg.norm(z, axis=1, keepdims=True)
        ys = rng.choice([-1.0, 1.0], size=(self.steps, 1))
        return LimitRoutine(z[: self.steps], ys, z[self.steps :], eta=self.lr)


def _without_derivative(phi: str) -> Activation:
    act = resolve_activation(phi)
    return Activation(f"no-derivative({act.name})", act.fn, torch.ones_like)  # the name must not start "sigma_gelu:"


@lru_cache(maxsize=16)
def limit_of(routine: LimitCheckRoutine, variant: str = "theorem") -> LimitResult:
    """The limit ``variant`` (:data:`VARIANTS`) of ``routine``'s architecture on its data."""
    R, arch = routine.limit_routine(), routine.arch
    if variant == "theorem":
        return limit_for(arch, R, routine.phi)
    if variant == "eta+10%":
        return limit_for(arch, replace(R, eta=1.1 * R.eta), routine.phi)
    if variant == "no-phi-prime" and arch != "linear1":
        return limit_for(arch, R, _without_derivative(routine.phi))
    if variant == "other-backprop" and get_arch(arch).depth == 2:
        return limit_for("mlp2" if arch == "mlp2-decoupled" else "mlp2-decoupled", R, routine.phi)
    raise ValueError(f"no limit variant {variant!r} for {arch}")


def _name(kind: str, variant: str) -> str:
    return kind if variant == "theorem" else f"{kind}[{variant}]"


def simulate_limit_gap(p: object, routine: LimitCheckRoutine, width: int, seeds: Sequence[int]) -> JobResult:
    """Per seed and variant: ``limit_deviation`` at step t, the RMS over probes and steps 0..t of fₛ − f̊ₛ,
    and ``gap_p{i}`` = fₜ − f̊ₜ at probe i (signed, for the agreement statistic)."""
    out = finite_for(routine.arch, routine.limit_routine(), routine.phi, width, seeds)[..., 0]  # (T+1, S, P)
    finite = np.isfinite(out).all(axis=2)
    blow = np.where(finite.all(axis=0), -1, np.argmin(finite, axis=0))
    values: dict[str, np.ndarray] = {}
    for v in routine.variants:
        gap = out - limit_of(routine, v).outputs[:, None, :, 0]
        steps = np.arange(1, gap.shape[0] + 1)[:, None]
        values[_name("limit_deviation", v)] = np.sqrt(np.cumsum(np.mean(gap**2, axis=2), axis=0) / steps)
        values.update({_name(f"gap_p{i}", v): gap[:, :, i] for i in range(gap.shape[2])})
    return JobResult(width, tuple(seeds), routine.steps, values, blow)


def agreement(result: SweepResult, routine: LimitCheckRoutine, variant: str = "theorem") -> float:
    """Q of the module docstring at the sweep's largest width."""
    gaps = np.stack([result.values[_name(f"gap_p{i}", variant)][-1] for i in range(routine.probes)], axis=-1)
    S = gaps.shape[1]  # gaps: (T+1, S, P)
    d, se2 = gaps.mean(axis=1), gaps.var(axis=1, ddof=1) / S
    err2 = limit_of(routine, variant).error[..., 0] ** 2
    return float(np.sqrt(np.mean(d**2) / np.mean(se2 + err2)))


def converges(routine: LimitCheckRoutine, variant: str = "theorem") -> None:
    """Both statements of the module docstring for ``routine`` against limit ``variant`` (Disagreement,
    or Inconclusive when the rate stays undecided or the limit is too inaccurate to judge)."""
    p = get_arch(routine.arch).parametrization
    result = sweep_for(p, routine, None, simulate_limit_gap)
    q = agreement(result, routine, variant)
    if not q <= K:  # NaN (a blow-up) fails too
        raise Disagreement(f"{routine.arch} under {routine} against the {variant} limit: mean fₜ − f̊ₜ at width "
                           f"{result.widths[-1]} is Q = {q:.2f} standard errors (RMS) > K = {K}")
    name = _name("limit_deviation", variant)
    biased = {name: SHARP_BIAS} if get_arch(routine.arch).depth == 2 and routine.phi.startswith("sigma") else None
    decision = confirm(p, routine, {name: Fraction(-1, 2)}, step=routine.steps, simulate_fn=simulate_limit_gap,
                       biased=biased)[name]
    limit_error = float(np.sqrt(np.mean(limit_of(routine, variant).error ** 2)))
    assert decision.fit is not None
    if not limit_error <= ERROR_FRACTION * decision.fit.rms[-1]:
        raise Inconclusive(f"the {variant} limit's RMS error {limit_error:.2e} is not ≤ {ERROR_FRACTION} × the RMS "
                           f"deviation {decision.fit.rms[-1]:.2e} at width {decision.fit.widths[-1]}: raise particles")


def limit_routines(arch: str) -> st.SearchStrategy[LimitCheckRoutine]:
    """φ ∈ {tanh, σ-gelu} (identity for ``linear1``), η from :data:`LRS`, any data seed."""
    phis = ("identity",) if arch == "linear1" else PHIS
    return st.builds(LimitCheckRoutine, arch=st.just(arch), phi=st.sampled_from(phis),
                     lr=st.sampled_from(LRS.get(arch, NONLINEAR_LRS)), data_seed=st.integers(0, 9999))


@pytest.mark.slow
@pytest.mark.parametrize("arch", list(ARCHS))
@finite_settings()
@given(data=st.data())
def test_finite_mup_networks_converge_to_their_limit(arch: str, data: st.DataObject) -> None:
    converges(data.draw(limit_routines(arch), label="routine"))


CONTROLS = [("mlp1", "eta+10%"), ("linear1", "eta+10%"), ("mlp2-decoupled", "no-phi-prime"), ("mlp2", "other-backprop")]


@pytest.mark.slow
@pytest.mark.parametrize("arch,variant", CONTROLS, ids=[f"{a}-{v}" for a, v in CONTROLS])
def test_negative_control_wrong_limit(arch: str, variant: str) -> None:
    routine = LimitCheckRoutine(arch=arch, phi="identity" if arch == "linear1" else "tanh",
                                lr=0.5 if arch == "linear1" else 1.0, variants=("theorem", variant))
    result = sweep_for(get_arch(arch).parametrization, routine, None, simulate_limit_gap)
    assert agreement(result, routine) <= K  # the theorem's limit agrees on this very sweep
    with pytest.raises(Disagreement):
        converges(routine, variant)
