"""Finite-width evidence for claims: width sweeps, network seeds, and the escalation loop, in one place.

:func:`confirm` measures a parametrization p under a :class:`~impl.simulation.Routine` at the
budget's widths and decides each claim (:func:`impl.measurement.decide`, level 1 − α with the
budget's α). A claim that disagrees settles the statement at once; while a claim stays undecided the
sweep is repeated with twice the seeds (the first seeds come from the job cache), up to
``budget.retries`` times; still undecided after the last attempt it is reported ``undecided`` with its
reason — never a pass. Attempt k decides at the budget's α_claim·2^{−(k+1)} (:meth:`Budget.alpha_at`),
so a claim's attempts together spend its share of the run's α; every decision of every attempt is
counted (``Evidence.decisions``).

Each claim is decided by :func:`impl.measurement.decide_quantity`: vectors on each seed's RMS
coordinate, fitted by the RMS over seeds; the scalars whose limit is deterministic given the data
(fₜ − f₀, ΔW^{L+1}x^L, W₀^{L+1}Δx^L, the feature-kernel change, the η-nonlinearity) on their
*seed-averaged* size when an exponent is claimed, which removes the n^{−1/2} fluctuation that biases each
seed's RMS (second-order quantities and σ-gelu showed −0.1 to −0.2 on Θ(1) limits; docs/theory.md §5.4,
§5.6), with a decisive seed average overriding a per-seed "vanishes" or "bounded" it contradicts.

Network seeds are a deterministic function of (p, routine) — SHA-256 of their canonical text, never
``hash()`` — so every run and every xdist worker draws the same networks, and the first k seeds are
the same whatever the seed count (a retry reuses the cached first attempt).

The default routine of the theorem checks (:data:`ROUTINE`): SGD with batch 1 and MSE on the
default inputs, labels ±2 (random signs), 64 probes, two steps — enough for the first step at which
the exponents hold even under the one-step lag of App. H.3. Labels of fixed magnitude keep the loss
derivative χ₀ = f₀ − y away from 0 for every network seed, which otherwise makes the per-seed update
sizes of Θ(1)-f₀ parametrizations (NTP) spread by a factor e^{±0.65} and the fitted slopes useless
(measured; with |y| = 2 the spread is e^{±0.16}).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

from impl.checks.budget import Budget
from impl.checks.results import CheckResult, ClaimResult, claim_result, combine_reason
from impl.checks.tally import record_claims
from impl.checks.theory import Theory
from impl.measurement import SECOND_ORDER, Claim, SweepResult, Verdict, code_version, decide_quantity, run_sweep
from impl.measurement.cache import canonical
from impl.measurement.executors import seed_chunk_for
from impl.simulation import Routine, one_thread, simulate
from impl.theory import Parametrization, leading_output_term, predicted_exponents, readout_correction

__all__ = ["ROUTINE", "PHIS", "LRS", "SECOND_ORDER", "claimable", "on_leading_term", "Statement", "Sweeps", "Evidence", "network_seeds", "simulate_job", "confirm", "escalate", "check_result_of",
           "check_result", "not_applicable"]

ROUTINE = Routine(steps=2, probes=64, label=2.0)
"""The theorem checks' default routine (module docstring); hypothesis varies φ, η and the data seed."""
PHIS: tuple[str, ...] = ("tanh", "sigma_gelu")
"""The nonlinearities of Assumption 3.1 (the dichotomy needs one; a linear φ breaks it)."""
LRS: tuple[float, ...] = (0.75, 1.0, 1.25, 1.5)
"""The η the theorem checks draw: moderate, so nothing saturates or diverges. Not η = 0.5: there the Θ(1)
part of an update can be smaller than its n^{-1/2} correction up to n ≈ 256 (a depth-3 draw with only W¹
maximal: ``delta_f`` fell by 26% from n = 64 to 128, then stayed flat to 4096), which biases a 64–1024
slope by ≈ −0.18."""


@dataclass(frozen=True)
class Statement:
    """A statement of the paper as a check: its key, its title in tables, where the paper states it, and
    the most claims one attempt decides for a depth-L parametrization (``max_claims(L)``: the α bookkeeping
    of a run, :func:`impl.checks.planned_decisions`)."""

    key: str
    title: str
    section: str
    max_claims: Callable[[int], int] = lambda depth: 1


def simulate_job(p: Parametrization, routine: Routine, width: int, seeds: Sequence[int]) -> Any:
    """One (width, seed chunk) job of a sweep: :func:`impl.simulation.simulate` on one torch thread."""
    with one_thread():
        return simulate(p, routine, width, seeds)


def network_seeds(p: Parametrization, routine: Any, n: int) -> tuple[int, ...]:
    """n seeds, a deterministic function of (p, routine); the first k are the same for every n ≥ k."""
    text = json.dumps([p.as_strings(), canonical(routine)], sort_keys=True, separators=(",", ":"))
    base = (int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 100_000) * 1_000
    return tuple(range(base, base + n))


@dataclass(frozen=True)
class Sweeps:
    """Where and how the checks run their sweeps: the job cache directory (None: no disk cache), the
    executor (None: in-process; a process pool or a dask client: :func:`impl.measurement.run_sweep`)
    and whether to show a progress bar. Sweeps repeated with the same seeds come from the cache."""

    cache_dir: str | os.PathLike[str] | None = None
    executor: Any = None
    progress: bool = False

    def run(self, p: Parametrization, routine: Any, widths: Sequence[int], n_seeds: int, *,
            job: Callable[..., Any] = simulate_job, seeds_of: Parametrization | None = None,
            seed_key: Any = None, code: str = "", seed_chunk: int | None = 16) -> SweepResult:
        """Sweep ``p`` under ``routine`` (any cache-keyable job configuration) with ``n_seeds`` seeds derived
        from (``seeds_of`` or p, ``seed_key`` or routine), ``job`` per (width, seed chunk); ``code`` adds
        digests of code the job depends on beyond the engine and itself to the cache key."""
        seeds = network_seeds(seeds_of or p, routine if seed_key is None else seed_key, n_seeds)
        version = code_version(simulate) + code_version(job) + code
        with one_thread():
            return run_sweep(p, routine, widths, seeds, executor=self.executor, cache_dir=self.cache_dir,
                             progress=self.progress, seed_chunk=seed_chunk_for(n_seeds, self.executor, seed_chunk),
                             simulate_fn=job, code_version=version)


@dataclass(frozen=True)
class Evidence:
    """The outcome of :func:`confirm`: the verdict over all claims, why, each claim's last decision, how
    many attempts and decisions it took, whether a wrong theory changed a claim, and the last sweep."""

    verdict: Verdict
    reason: str
    claims: tuple[ClaimResult, ...]
    attempts: int
    decisions: int
    perturbed: bool
    sweep: SweepResult | None = field(default=None, repr=False)


def _slow_correction(p: Parametrization, step: int) -> bool:
    """Whether p's networks after ``step`` steps carry W^{L+1}'s slow relative n^{−q} correction, 0 < q < ½
    (:func:`impl.theory.readout_correction`; it starts at step 2)."""
    return step >= 2 and readout_correction(p) is not None


def claimable(p: Parametrization, claims: Mapping[str, Claim], step: int) -> dict[str, Claim]:
    """``claims`` less those the networks of ``p`` cannot decide after ``step`` steps: from step 2 on, when W^{L+1}
    carries a slow relative n^{−q} correction (0 < q < ½, :func:`impl.theory.readout_correction`), the
    second-order quantities (:data:`SECOND_ORDER`) — their small Θ(1) part under that correction stayed
    undecided at 512 seeds (σ-gelu, lag ¼: the layer-3 kernel change at t = 2 fits −0.104 [−0.167, −0.040]
    over 64…1024) — are shown, not claimed; the first-order claims that imply them (Δxˡ) still decide."""
    if not _slow_correction(p, step):
        return dict(claims)
    return {k: v for k, v in claims.items() if not k.startswith(SECOND_ORDER)}


def on_leading_term(p: Parametrization, claims: Mapping[str, Claim], step: int) -> dict[str, Claim]:
    """``claims`` with an exponent claimed for fₜ − f₀ moved onto its two terms when the theory of ``p`` gives them
    different exponents (:func:`impl.theory.leading_output_term`): fₜ − f₀ = ΔW^{L+1}x^L + W₀^{L+1}Δx^L exactly, and
    the smaller term is a relative correction of known order whose seed mean biases the sum's slope. The leading
    term is claimed at the sum's exponent, the other at its own — both, so that networks whose *other* term leads
    (judged against another parametrization's theory) cannot agree through the one term claimed. (A term already
    claimed keeps its claim.)"""
    claim = claims.get("delta_f")
    lead = leading_output_term(p, step) if isinstance(claim, Fraction) else None
    if lead is None:
        return dict(claims)
    other = "Wout0_delta_x" if lead == "delta_Wout_x" else "delta_Wout_x"
    moved = {k: v for k, v in claims.items() if k != "delta_f"}
    moved.setdefault(lead, claims["delta_f"])
    moved.setdefault(other, predicted_exponents(p, step)[other])  # type: ignore[arg-type]  # a Fraction: lead exists
    return moved


def confirm(p: Parametrization, routine: Any, claims: Mapping[str, Claim], *, budget: Budget, theory: Theory,
            step: int, sweeps: Sweeps | None = None, job: Callable[..., Any] = simulate_job,
            seeds: int | None = None, seed_key: Any = None, code: str = "") -> Evidence:
    """Measure p under ``routine`` after ``step`` steps and decide ``claims`` — stated by p's exact
    theory; ``theory`` perturbs them when it is a wrong one — escalating undecided claims (module
    docstring). From step 2 on, networks whose W^{L+1} carries a slow relative n^{−q} correction (0 < q < ½,
    :func:`impl.theory.readout_correction`) are judged with the scalars' margin for every claim: the
    correction's bias is of that size (docs/theory.md §5.5, §5.8). An exponent claimed for fₜ − f₀ is decided on
    its two terms when the theory gives them different exponents (:func:`on_leading_term`; not when ``theory``
    overrides fₜ − f₀'s claim itself). ``seeds`` overrides the first attempt's seed count; ``job``, ``seed_key`` and ``code``
    go to :meth:`Sweeps.run`."""
    if not claims:
        raise ValueError(f"no claims to check for {p}")
    if _slow_correction(p, step):  # no finer margin than a scalar's
        budget = replace(budget, margin=max(budget.margin, budget.scalar_margin))
    stated = dict(claims) if "delta_f" in theory.overrides else on_leading_term(theory.p, claims, step)
    judged = theory.perturb(stated)
    runner = sweeps or Sweeps()

    def measure(n: int) -> SweepResult:
        return runner.run(p, routine, budget.widths, n, job=job, seed_key=seed_key, code=code)

    evidence = escalate(measure, judged, budget=budget, step=step, seeds=seeds)
    return replace(evidence, perturbed=judged != stated)


def escalate(measure: Callable[[int], SweepResult], claims: Mapping[str, Claim], *, budget: Budget, step: int,
             seeds: int | None = None) -> Evidence:
    """Decide ``claims`` on ``measure(n_seeds)`` after ``step`` steps, doubling the seeds while any claim is
    undecided, up to ``budget.retries`` times (the loop of :func:`confirm`, for any source of sweeps)."""
    decisions, attempts, result = 0, 0, None
    rows: tuple[ClaimResult, ...] = ()
    verdict = Verdict.UNDECIDED
    for attempt in range(budget.retries + 1):
        n = budget.seeds_at(attempt, seeds)
        result = measure(n)
        attempts += 1
        rows = tuple(
            claim_result(name, step, decide_quantity(result, name, step, claim, alpha=budget.alpha_at(attempt),
                                                 margin=budget.margin, scalar_margin=budget.scalar_margin), n)
            for name, claim in claims.items())
        decisions += len(rows)
        verdict = Verdict.combine([r.verdict for r in rows])
        if verdict is not Verdict.UNDECIDED:
            break
    record_claims(len(rows), decisions)
    reason = combine_reason(rows, verdict)
    if verdict is Verdict.UNDECIDED:
        reason = f"still undecided with {rows[0].seeds} seeds after {attempts} attempt(s): {reason}"
    return Evidence(verdict, reason, rows, attempts, decisions, False, result)


def check_result(statement: Statement, p: Parametrization, theory: Theory, routine: Any, says: str,
                 evidence: Sequence[Evidence]) -> CheckResult:
    """A :class:`CheckResult` from the evidence of one or more :func:`confirm` calls (all must agree)."""
    return check_result_of(statement, p.spec(), _claimed(p, theory), routine, says, evidence)


def check_result_of(statement: Statement, spec: str, claimed: str | None, routine: Any, says: str,
                    evidence: Sequence[Evidence]) -> CheckResult:
    """:func:`check_result` for networks named ``spec`` (a spec, or a user model's target), judged against
    ``claimed`` (None: their own theory)."""
    verdict = Verdict.combine([e.verdict for e in evidence])
    claims = tuple(c for e in evidence for c in e.claims)
    reasons = [e.reason for e in evidence if e.verdict is verdict] if verdict is not Verdict.AGREE else []
    reason = "; ".join(reasons) if reasons else combine_reason(claims, verdict)
    return CheckResult(statement.key, statement.title, spec, claimed, routine, says, verdict, reason,
                       claims, sum(e.attempts for e in evidence), sum(e.decisions for e in evidence),
                       any(e.perturbed for e in evidence), phi=_phi_name(routine))


def not_applicable(statement: Statement, p: Parametrization, theory: Theory, routine: Any, says: str,
                   why: str) -> CheckResult:
    """The ``n/a`` result of a statement that does not apply to the (claimed) parametrization."""
    return CheckResult(statement.key, statement.title, p.spec(), _claimed(p, theory), routine, says,
                       Verdict.NOT_APPLICABLE, why, phi=_phi_name(routine))


def _claimed(p: Parametrization, theory: Theory) -> str | None:
    """The judged theory's name, or None when it is p's own exact theory."""
    return None if theory.exact and theory.p == p else theory.describe()


def _phi_name(routine: Any) -> str:
    phi = getattr(routine, "phi", "")
    return phi if isinstance(phi, str) else getattr(phi, "name", "")
