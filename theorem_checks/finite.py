"""Finite-width machinery of the theorem checks: budgets, cached sweeps, claims and decisions.

A *claim* says how one recorded quantity scales with width n: an exact exponent e (size ~ n^e), or
a behaviour — ``"theta1"``, ``"vanishes"``, ``"grows"``, or ``"bounded"`` (Theorem 3.3: does not
grow; Θ(1) or vanishing). :func:`confirm` sweeps a parametrization over the profile's widths and
decides every claim with the equivalence rules of :mod:`impl.measurement.decision` (margin δ,
THEORY.md §5). An ``inconsistent`` verdict raises :class:`Disagreement` at once; an
``inconclusive`` one triggers a bounded retry with twice the seeds (the first seeds come from the
job cache); still inconclusive after the last retry raises :class:`Inconclusive` — never a pass —
except for claims with a documented finite-width bias (``biased=``), which are then reported as an
:class:`InconclusiveWarning` carrying the reason.

Statistics: each decision's interval has level 1 − α with α from :func:`per_check_alpha` over the
profile's estimated number of finite-width decisions per suite run, so the chance that correct
theory gets at least one ``inconsistent`` anywhere in a run is ≤ ``FAMILY_ALPHA``/2 (decision.py).

The training routine (:class:`Routine`): SGD with batch 1 and MSE on Gaussian inputs and labels
±``label`` (random signs). Labels of fixed magnitude keep the loss derivative χ₀ = f₀ − y away from 0
for every network seed, which otherwise makes the per-seed update sizes of Θ(1)-f₀ parametrizations
(NTP) spread by a factor e^{±0.65} and the fitted slopes useless (measured; with |y| = 2 the spread is
e^{±0.16}). Network seeds are derived from SHA-256 of the parametrization and the routine, so they
are the same on every run and every xdist worker (never ``hash()``).
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence, Union

import numpy as np
import torch
from hypothesis import Phase, settings
from hypothesis import strategies as st

from impl.measurement import DEFAULT_MARGIN, Decision, SweepResult, Verdict, decide, fit_exponent, per_check_alpha
from impl.measurement import code_version as code_digest
from impl.measurement import run_sweep
from impl.simulation import Recording, TrainConfig, simulate, training_data
from impl.theory import Parametrization
from impl.theory import exponents as theory  # module access, so negative controls can monkeypatch it

__all__ = [
    "Budget", "BUDGET", "PROFILE", "ALPHA", "MARGIN", "STEPS", "PHIS", "Claim", "Routine", "routines",
    "finite_settings", "feature_step", "sweep_for", "judge", "confirm", "theory_claims", "shifted",
    "Disagreement", "Inconclusive", "InconclusiveWarning", "simulate_routine", "SECOND_ORDER_BIAS",
    "LR_GRID", "max_stable_lr", "SLOW_CORRECTION_BIAS", "Perturbation", "perturbed", "as_judged",
]

Claim = Union[Fraction, str]
BEHAVIOURS = ("theta1", "vanishes", "grows", "bounded")
PHIS: tuple[str, ...] = ("tanh", "sigma_gelu")  # Assumption 3.1
# Moderate η: nothing saturates or diverges. Not 0.5: there the Θ(1) part of an update can be smaller
# than its n^{-1/2} correction up to n ≈ 256 (a depth-3 draw with only W¹ maximal: delta_f fell by 26%
# from n = 64 to 128, then stayed flat to 4096), which biases a 64–1024 slope by ≈ −0.18.
LRS = (0.75, 1.0, 1.25, 1.5)
STEPS = 2  # every routine trains two steps: enough for the first step at which the exponents hold
FAMILY_ALPHA = 0.05
MARGIN = DEFAULT_MARGIN


def _profile() -> str:
    """The active hypothesis profile (``conftest.py`` loads it from HYPOTHESIS_PROFILE / CI)."""
    return str(getattr(settings, "_current_profile", None) or os.environ.get("HYPOTHESIS_PROFILE") or "dev")


@dataclass(frozen=True)
class Budget:
    """How much finite-width evidence one profile buys.

    ``widths`` of every sweep; ``seeds`` on the first attempt, doubled up to ``retries`` times while
    a claim is inconclusive; ``examples`` hypothesis examples per finite-width check; ``decisions``
    the estimated number of finite-width decisions in one suite run (the family for α);
    ``lr_widths`` and ``lr_seeds`` those of the max-stable-learning-rate search (:func:`max_stable_lr`).
    """

    widths: tuple[int, ...]
    seeds: int
    retries: int
    examples: int
    decisions: int
    lr_widths: tuple[int, ...] = (64, 128, 256, 512, 1024)
    lr_seeds: int = 8


BUDGETS: dict[str, Budget] = {
    "dev": Budget((64, 128, 256, 512, 1024), 16, 2, 2, 120),
    "ci": Budget((64, 128, 256, 512, 1024), 16, 2, 3, 160),
    "nightly": Budget((128, 256, 512, 1024, 2048, 4096), 32, 2, 12, 600, (128, 256, 512, 1024, 2048, 4096), 8),
}
PROFILE = _profile()
BUDGET = BUDGETS.get(PROFILE, BUDGETS["dev"])
if os.environ.get("TP4_FINITE_EXAMPLES"):  # stress-testing a check: more examples, same statistics
    BUDGET = replace(BUDGET, examples=int(os.environ["TP4_FINITE_EXAMPLES"]))
ALPHA = per_check_alpha(FAMILY_ALPHA, BUDGET.decisions)
CACHE_DIR = Path(os.environ.get("TP4_CACHE_DIR") or Path(__file__).resolve().parent.parent / ".tp4-cache") / "theorem_checks"


SECOND_ORDER_BIAS = (
    "a second-order measure of feature learning: its Θ(1) part is quadratic in a moderate update (Δx RMS "
    "≈ 0.2 at η ≤ 1, or a feature change in the last layer only) while its fluctuation is linear in it "
    "times n^{-1/2}; the two are comparable up to n ≈ 256, so 64–1024 slopes come out −0.1 to −0.2 "
    "although Δx itself fits ≈ 0"
)


SLOW_CORRECTION_BIAS = (
    "a kernel-regime parametrization with 0 < r < 1/2 after two steps: sizes carry a relative "
    "correction of order n^{-r}, which decays slowly (UP_1/4, W0^{L+1}Δx^L at t = 2, tanh, 32 seeds: "
    "0.210, 0.270, 0.300 at n = 256, 1024, 4096 — local slopes +0.18 then +0.08, as C(1 − 2n^{-1/4}) "
    "predicts), so a 64–1024 slope can sit near +δ although the size converges"
)


def finite_settings(factor: int = 1) -> settings:
    """Hypothesis settings of a finite-width check: the profile's settings, few examples, no shrinking
    (shrinking a statistical failure would re-run sweeps for nothing)."""
    return settings(max_examples=BUDGET.examples * factor, phases=(Phase.explicit, Phase.generate), deadline=None)


class Disagreement(AssertionError):
    """A measurement contradicts a claim (an ``inconsistent`` verdict)."""


class Inconclusive(AssertionError):
    """A claim could be neither confirmed nor refuted with the largest seed budget."""


class InconclusiveWarning(UserWarning):
    """A claim with a documented finite-width bias stayed inconclusive: reported, neither passed nor failed."""


@dataclass(frozen=True)
class Routine:
    """The width-independent training routine of a sweep (drawn by hypothesis, :func:`routines`)."""

    phi: str = "tanh"
    lr: float = 1.0
    data_seed: int = 0
    steps: int = STEPS
    label: float = 2.0
    probes: int = 64

    def config(self) -> TrainConfig:
        return TrainConfig(phi=self.phi, lr=self.lr, data_seed=self.data_seed, steps=self.steps, probes=self.probes)


def routines(steps: int = STEPS) -> st.SearchStrategy[Routine]:
    """φ ∈ {tanh, σ-gelu}, η ∈ [0.75, 1.5], any data seed."""
    return st.builds(Routine, phi=st.sampled_from(PHIS), lr=st.sampled_from(LRS),
                     data_seed=st.integers(0, 9999), steps=st.just(steps))


def simulate_routine(p: Parametrization, routine: Routine, width: int, seeds: Sequence[int]) -> Recording:
    """``simulate`` under the routine: default inputs and probes, labels ±``routine.label``."""
    config = routine.config()
    data = training_data(config)
    data = replace(data, labels=np.where(data.labels < 0, -routine.label, routine.label))
    return simulate(p, config, width, seeds, data=data)


def _stable_int(*parts: object) -> int:
    text = json.dumps([str(x) for x in parts], sort_keys=True)
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def network_seeds(p: Parametrization, routine: object, n: int) -> tuple[int, ...]:
    """n seeds, a deterministic function of (p, routine); the first k are the same for every n ≥ k."""
    base = (_stable_int(p.spec(), routine) % 100_000) * 1_000
    return tuple(range(base, base + n))


def sweep_for(p: Parametrization, routine: object, n_seeds: int | None = None,
              simulate_fn: Callable[..., object] = simulate_routine, seeds_of: Parametrization | None = None) -> SweepResult:
    """Sweep ``p`` over the profile's widths with ``n_seeds`` seeds derived from (``seeds_of`` or p,
    routine), through the job cache."""
    n = BUDGET.seeds if n_seeds is None else n_seeds
    version = code_digest(simulate) + code_digest(simulate_fn)
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # one core per xdist worker; intra-op threads only add overhead here
    try:
        return run_sweep(p, routine, BUDGET.widths, network_seeds(seeds_of or p, routine, n), cache_dir=CACHE_DIR,
                         seed_chunk=min(n, BUDGET.seeds), simulate_fn=simulate_fn, code_version=version)
    finally:
        torch.set_num_threads(before)


def feature_step(p: Parametrization) -> int:
    """The first step at which features can move by Θ(1): 1, or 2 under the one-step lag (App. H.3)."""
    return 2 if theory.lag_applies(p) else 1


def theory_claims(p: Parametrization, names: Sequence[str], step: int = 1) -> dict[str, Claim]:
    """The theory's claim for each name after ``step`` steps (``predicted_exponents`` applies the lag
    of App. H.3 at step 1): its predicted exponent, else its behaviour (names with neither left out)."""
    exps = theory.predicted_exponents(p, step=step)
    behaviours = theory.predicted_behaviours(p, step=step)
    out: dict[str, Claim] = {}
    for name in names:
        if exps.get(name) is not None:
            out[name] = exps[name]  # type: ignore[assignment]
        elif behaviours.get(name) is not None:
            out[name] = str(behaviours[name])
    return out


def shifted(claims: Mapping[str, Claim], by: Fraction) -> dict[str, Claim]:
    """Negative controls: every exponent claim moved by ``by`` (behaviour claims unchanged)."""
    return {k: (v + by if isinstance(v, Fraction) else v) for k, v in claims.items()}


OPPOSITE = {"theta1": "vanishes", "vanishes": "theta1", "grows": "bounded", "bounded": "grows"}


@dataclass(frozen=True)
class Perturbation:
    """A deliberately wrong theory, for measuring a check's power (:mod:`theorem_checks.calibration`):
    every exponent claim moved by ``offset``; with ``flip`` every behaviour claim replaced by its
    opposite (Θ(1) ↔ vanishes, grows ↔ bounded)."""

    offset: Fraction = Fraction(0)
    flip: bool = False

    def apply(self, claims: Mapping[str, Claim]) -> dict[str, Claim]:
        out = shifted(claims, self.offset)
        return {k: OPPOSITE[v] if self.flip and isinstance(v, str) else v for k, v in out.items()}

    def changes(self, claims: Mapping[str, Claim]) -> bool:
        return self.apply(claims) != dict(claims)


_ACTIVE: list[Perturbation] = []
CHANGED: list[bool] = []  # per perturbed run: whether the perturbation changed any claim it judged


@contextmanager
def perturbed(perturbation: Perturbation) -> Iterator[None]:
    """Within the block, :func:`confirm` and :func:`as_judged` judge perturbed claims."""
    _ACTIVE.append(perturbation)
    CHANGED.clear()
    try:
        yield
    finally:
        _ACTIVE.pop()


def as_judged(claims: Mapping[str, Claim]) -> dict[str, Claim]:
    """``claims`` as they will be judged: unchanged, or perturbed inside :func:`perturbed`."""
    if not _ACTIVE:
        return dict(claims)
    CHANGED.append(_ACTIVE[-1].changes(claims))
    return _ACTIVE[-1].apply(claims)


def _bounded(d: Decision) -> Decision:
    """Theorem 3.3's "does not grow": descriptive theta1/vanishes/bounded pass, grows fails."""
    ok = d.verdict in (Verdict.THETA1, Verdict.VANISHES, Verdict.BOUNDED, Verdict.ZERO)
    verdict = Verdict.CONSISTENT if ok else (Verdict.INCONSISTENT if d.verdict is Verdict.GROWS else Verdict.INCONCLUSIVE)
    return Decision(verdict, None, d.fit, d.margin, f"bounded? {d.verdict}: {d.reason}", d.blowup, "bounded")


def judge(result: SweepResult, claims: Mapping[str, Claim], step: int) -> dict[str, Decision]:
    """Decide every claim against the sweep's sizes at ``step`` (level 1 − ALPHA, margin MARGIN)."""
    out: dict[str, Decision] = {}
    for name, claim in claims.items():
        fit = fit_exponent(result.widths, result.at(name, step), alpha=ALPHA, step=step, seeds=result.seeds,
                           blowup_step=None if name == "f0" else result.blowup_step)
        if claim == "bounded":
            out[name] = _bounded(decide(fit, None, margin=MARGIN))
        elif isinstance(claim, str):
            if claim not in BEHAVIOURS:
                raise ValueError(f"unknown claim {claim!r} for {name}")
            out[name] = decide(fit, None, margin=MARGIN, expected=claim)
        else:
            out[name] = decide(fit, Fraction(claim), margin=MARGIN)
    return out


def _report(p: Parametrization, routine: object, result: SweepResult, decisions: Mapping[str, Decision]) -> str:
    lines = [f"{p} under {routine}, widths {list(result.widths)}, {len(result.seeds)} seeds:"]
    lines += [f"  {k}: {d.verdict} ({d.reason})" for k, d in decisions.items()]
    return "\n".join(lines)


def confirm(p: Parametrization, routine: object, claims: Mapping[str, Claim], *, step: int = 1,
            require: str = "all", simulate_fn: Callable[..., object] = simulate_routine,
            seeds: int | None = None, biased: Mapping[str, str] | None = None) -> dict[str, Decision]:
    """Measure ``p`` after ``step`` steps and confirm ``claims`` (``require="all"``) or at least one of
    them (``"any"``); ``seeds`` on the first attempt. ``biased`` maps a claim with a known finite-width
    bias to its explanation: if it alone stays inconclusive it is reported as an
    :class:`InconclusiveWarning` with that reason (an ``inconsistent`` verdict still fails).

    Step 1 by default: there the loss derivative is χ₀ = f₀ − y with |y| = 2, so no Θ(1) update can
    cancel. At t = 2, χ₁ can nearly cancel χ₀'s contribution for some data, leaving the n^{−1/2}
    fluctuation to dominate at n ≤ 1024 (measured: µP L = 3 σ-gelu W₀^{L+1}Δx^L fitted −0.32, and a
    kernel-regime draw's f₂ − f₀ fitted −0.31, both predicted 0).

    Raises :class:`Disagreement` when a needed claim is ``inconsistent`` (``"any"``: when all are),
    and :class:`Inconclusive` when the retries with more seeds still leave it undecided.
    """
    if not claims:
        raise ValueError(f"no claims to check for {p}")
    claims = as_judged(claims)
    n = seeds or BUDGET.seeds
    for _ in range(BUDGET.retries + 1):
        result = sweep_for(p, routine, n, simulate_fn)
        decisions = judge(result, claims, step)
        verdicts = [d.verdict for d in decisions.values()]
        if require == "all":
            if Verdict.INCONSISTENT in verdicts:
                raise Disagreement(_report(p, routine, result, decisions))
            if all(v is Verdict.CONSISTENT for v in verdicts):
                return decisions
        else:
            if Verdict.CONSISTENT in verdicts:
                return decisions
            if all(v is Verdict.INCONSISTENT for v in verdicts):
                raise Disagreement(_report(p, routine, result, decisions))
        n *= 2
    open_claims = [k for k, d in decisions.items() if d.verdict is not Verdict.CONSISTENT]
    if require == "all" and biased and all(k in biased for k in open_claims):
        reasons = {biased[k]: [j for j in open_claims if biased[j] == biased[k]] for k in open_claims}
        why = "; ".join(f"{', '.join(names)}: {reason}" for reason, names in reasons.items())
        warnings.warn(InconclusiveWarning(f"{_report(p, routine, result, decisions)}\nknown bias — {why}"), stacklevel=2)
        return decisions
    raise Inconclusive(_report(p, routine, result, decisions))


# log2 η on a 2^{1/4} grid, 2^-12 … 2^6: wide enough for c = 0 SP (≈ 2^{-2.5}·(n/64)^{-1}) to n = 4096.
LR_GRID = np.arange(-48, 25) / 4


def _diverged(p: Parametrization, routine: Routine, width: int, seeds: Sequence[int], log2_lr: float) -> np.ndarray:
    """Per seed: full-batch GD (batch 8 fixed examples, labels ±label, MSE) for ``routine.steps``
    steps at η = 2^log2_lr, float32 (same edges as float64 on every measured seed, faster); diverged ⇔
    some loss is non-finite or > 10× the initial loss."""
    config = replace(routine.config(), lr=float(2.0 ** log2_lr), batch=8, probes=1, dtype="float32")
    one = training_data(replace(config, steps=1))
    data = replace(one, inputs=np.repeat(one.inputs, config.steps, axis=0),
                   labels=np.repeat(np.where(one.labels < 0, -routine.label, routine.label), config.steps, axis=0))
    loss = simulate(p, config, width, seeds, data=data).values["loss"]
    with np.errstate(invalid="ignore"):
        return ~np.all(np.isfinite(loss) & (loss <= 10 * loss[0]), axis=0)


def max_stable_lr(p: Parametrization, routine: Routine, width: int, seeds: Sequence[int]) -> np.ndarray:
    """Per seed, the largest stable log2 η on :data:`LR_GRID`, by bisection (assumes divergence is
    monotone in η); seeds whose brackets share a midpoint run together. Raises :class:`Inconclusive`
    when a seed's edge lies outside the grid (never clipped)."""
    lo = np.full(len(seeds), -1)  # index of the largest grid value known stable (-1: below the grid)
    hi = np.full(len(seeds), LR_GRID.size)  # index of the least known to diverge (size: above it)
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        while np.any(hi - lo > 1):
            mid = (lo + hi) // 2
            for m in np.unique(mid[hi - lo > 1]):
                idx = np.flatnonzero((mid == m) & (hi - lo > 1))
                bad = _diverged(p, routine, width, [seeds[int(i)] for i in idx], float(LR_GRID[m]))
                hi[idx[bad]], lo[idx[~bad]] = m, m
    finally:
        torch.set_num_threads(before)
    if np.any(lo < 0) or np.any(hi >= LR_GRID.size):
        raise Inconclusive(f"{p} n={width}: max stable η outside 2^[{LR_GRID[0]}, {LR_GRID[-1]}] for some seed")
    return LR_GRID[lo]
