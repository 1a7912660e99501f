"""Definition 3.7 / Theorem 3.8 (kernel regime) at finite width — Section 3.2, App. H.6, Thm H.32
(docs/theory.md §2.6, §4.8).

*In words:* a stable, nontrivial abc-parametrization with r > 0 is in the kernel regime: as the width
n → ∞ its SGD trajectory converges to kernel gradient descent in function space,
fₜ₊₁(ξ) = fₜ(ξ) − ηK(ξ, ξₜ)L′(fₜ(ξₜ), yₜ) (Eq. (9)), with a fixed kernel K. Thm H.32 gives K as the sum of
the layer contributions K_l updated at the leading rate (:func:`impl.limits.kernels.abc_kernel`): for NTP
every layer (the NTK), for SP with learning rate 1/n every layer but the first (r₁ = 3/2 > r = ½), so at
L = 1 the NNGP. Thm H.32's derivation does not use φ being tanh or σ-gelu, so relu is allowed too.

The check: networks of the budget's widths train the routine's T SGD steps (:data:`KGD_ROUTINE`: T = 3,
batch 1, MSE, labels ±2, inputs and 32 probes iid uniform on the unit sphere of R^16 — the default
inputs' probes are so alike that each seed's deviation is one draw with few degrees of freedom,
coefficient of variation 0.42 over seeds at n = 1024 for NTP L = 2; iid probes bring it to 0.18). Each
seed's KGD prediction starts from that network's own f₀ on the probes and training inputs (f̊₀ is the GP
limit of f₀, Def. H.12). ``kgd_deviation`` is, per seed, the RMS over probes and steps 1..T of
(fₜ − f₀) − (f̊ₜ − f̊₀) relative to the RMS predicted change f̊ₜ − f̊₀; the theorem says it vanishes. With
``claim=-1/2`` the check claims the rate of the kernel's √n fluctuations and the n^{−r} = n^{−1/2} feature
movement (measured −0.45…−0.51 over 64…1024 on NTP and SP with LR 1/n; other kernel-regime draws have
slower corrections, n^{−min(r, ½)} and n^{eₗ} from slower layers, so only "vanishes" is claimed for them).

Wrong kernels for negative controls (``kernel=``): ``"nngp"`` (readout only), ``"ntk"`` (every layer),
``"missing"`` (the theory's minus its lowest contributing layer); their deviation stays Θ(1).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache
from typing import Sequence

import numpy as np

from impl.checks.budget import BUDGETS, Budget
from impl.checks.evidence import (
    Statement,
    Sweeps,
    check_result,
    confirm,
    not_applicable,
)
from impl.checks.results import CheckResult
from impl.checks.theory import Theory, theory_of
from impl.limits import finite_outputs
from impl.limits.kernel_descent import kernel_gradient_descent
from impl.limits.kernels import abc_kernel
from impl.measurement import Claim, JobResult, code_version
from impl.simulation import Routine, TrainingData, one_thread, training_data
from impl.theory import Behaviour, Parametrization, Regime

__all__ = ["STATEMENT", "KGD_ROUTINE", "KERNELS", "KgdJob", "says", "simulate_kgd_deviation", "check_kernel_regime_limit"]

STATEMENT = Statement("kernel_limit", "Thm 3.8 kernel GD", "Section 3.2, Def 3.7, Thm H.32", lambda L: 1)
KGD_ROUTINE = Routine(steps=3, probes=32, label=2.0, inputs="sphere")
KERNELS = ("theory", "nngp", "ntk", "missing")
"""Which kernel the prediction uses: the theory's, readout only, every layer, or the theory's minus its
lowest contributing layer (the last three are negative controls)."""


@dataclass(frozen=True)
class KgdJob:
    """A sweep job's configuration: the training ``routine`` and the parametrization whose kernels
    (:func:`impl.limits.kernels.abc_kernel`) predict the trajectory (the judged theory's)."""

    routine: Routine
    kernel_of: Parametrization


def says(theory: Theory) -> str:
    c = theory.classify()
    return "f follows kernel GD (Eq. 9)" if c.stable and c.regime is Regime.KERNEL else "n/a (not kernel regime)"


def _with_training_probes(routine: Routine) -> tuple[Routine, TrainingData]:
    """The routine and its data with the training inputs appended to the probes (KGD needs f₀ there)."""
    d = training_data(routine)
    return (replace(routine, probes=routine.probes + routine.steps),
            TrainingData(d.inputs, d.labels, np.concatenate([d.probes, d.inputs[:, 0]])))


@lru_cache(maxsize=32)
def _kernels(p: Parametrization, routine: Routine) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(K(probes ∪ xs, xs), K(xs, xs)) for each of :data:`KERNELS`."""
    _, data = _with_training_probes(routine)
    k = abc_kernel(p, routine.phi, data.probes, data.inputs[:, 0], require_kernel_regime=False)
    L, T = p.depth, routine.steps
    chosen = dict(zip(KERNELS, (k.layers, (L + 1,), tuple(range(1, L + 2)), k.layers[1:])))
    out = {}
    for name, layers in chosen.items():
        K = sum((k.base.per_layer[l - 1] for l in layers), np.zeros_like(k.kernel))
        out[name] = (K, K[-T:])
    return out


def simulate_kgd_deviation(p: Parametrization, job: KgdJob, width: int, seeds: Sequence[int]) -> JobResult:
    """Finite networks' fₜ and, per seed and kernel, ``kgd_deviation[_KERNEL]`` at each step t: the RMS over
    probes and steps 1..t of (fₛ − f₀) − (f̊ₛ − f̊₀) over that of f̊ₛ − f̊₀ (Def. 3.7, Eq. (9)); 0 at t = 0."""
    R, data = _with_training_probes(job.routine)
    with one_thread():
        out = finite_outputs(p, R, width, seeds, data=data)  # (T+1, S, P+T, d_o)
    T = R.steps
    finite = np.isfinite(out).all(axis=(2, 3))
    blow = np.where(finite.all(axis=0), -1, np.argmin(finite, axis=0))
    values = {}
    for name, (k_probe, k_train) in _kernels(job.kernel_of, job.routine).items():
        pred = kernel_gradient_descent(k_probe, k_train, out[0], out[0][:, -T:], data.labels[:, 0], R.lr, R.loss)
        dev = np.cumsum(np.mean(((out - out[0]) - (pred - pred[0])) ** 2, axis=(2, 3)), axis=0)
        size = np.cumsum(np.mean((pred - pred[0]) ** 2, axis=(2, 3)), axis=0)
        with np.errstate(invalid="ignore"):
            rel = np.where(size > 0, np.sqrt(dev / np.where(size > 0, size, 1.0)), 0.0)
        values["kgd_deviation" + ("" if name == "theory" else f"_{name}")] = rel
    return JobResult(width, tuple(seeds), T, values, blow)


def check_kernel_regime_limit(p: Parametrization, routine: Routine = KGD_ROUTINE, budget: Budget = BUDGETS["dev"], *,
                              against: "Parametrization | Theory | None" = None, sweeps: Sweeps | None = None,
                              kernel: str = "theory", claim: "Claim | None" = None) -> CheckResult:
    """Whether ``p``'s networks follow kernel GD with ``kernel`` (of ``against``'s theory, default p's): the
    relative deviation vanishes (or, with ``claim``, scales like n^claim; an explicit claim also checks a
    parametrization outside the kernel regime, for negative controls)."""
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {', '.join(KERNELS)}, got {kernel!r}")
    if routine.batch != 1 or routine.steps < 1:
        raise ValueError("kernel gradient descent is compared on SGD with batch 1 and at least one step")
    theory = theory_of(p, against)
    c = theory.classify()
    if claim is None and not (c.stable and c.regime is Regime.KERNEL):
        return not_applicable(STATEMENT, p, theory, routine, says(theory), "not a kernel-regime parametrization")
    name = "kgd_deviation" + ("" if kernel == "theory" else f"_{kernel}")
    wanted = Behaviour.VANISHES if claim is None else (claim if isinstance(claim, Behaviour) else Fraction(claim))
    code = code_version(abc_kernel) + code_version(kernel_gradient_descent)
    evidence = confirm(p, KgdJob(routine, theory.p), {name: wanted}, step=routine.steps, budget=budget, theory=theory,
                       sweeps=sweeps, job=simulate_kgd_deviation, seed_key=routine, code=code)
    return check_result(STATEMENT, p, theory, routine, says(theory), [evidence])
