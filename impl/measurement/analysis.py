"""Fitting every quantity of a sweep at one step and deciding it against the theory.

Each quantity's claim is the theory's prediction at the chosen step (:func:`theory_claims`): the
exponent of :func:`impl.theory.predicted_exponents`, which applies the one-step lag of App. H.3 at
step 1; where it predicts no value, the behaviour of :func:`impl.theory.predicted_behaviours` (e.g.
"grows" for a quantity governed by a violated stability condition, "vanishes" for a kernel-regime
feature-kernel change); none where the theory says nothing (see :mod:`impl.measurement.decision`). The quantities measured at initialisation
(``h{l}``, ``x{l}``, ``f0``) can be analysed at any step, including 0; the update quantities
(``delta_*``, ``Wout0_delta_x``) are exactly 0 at step 0 and are analysed only at steps ≥ 1.

Each claim is decided by :func:`decide_quantity`: on each seed's size, or — for the scalars whose signed
per-probe values the sweep recorded (fₜ − f₀, ΔW^{L+1}x^L, W₀^{L+1}Δx^L, the feature-kernel change, the
η-nonlinearity) — on their seed-averaged size as well; its docstring gives the rule and why.

Blow-ups: a quantity whose sizes are non-finite at the step is a blow-up; so is any quantity of a
run the simulator flagged (``blowup_step``) at or before the step — except ``f0``, the output at
initialisation, which training cannot change (it counts as blown up only if it is non-finite).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Iterator, Sequence

import numpy as np

from impl.measurement.decision import DEFAULT_MARGIN, Claim, Decision, Verdict, decide
from impl.measurement.fit import DEFAULT_ALPHA, ConfidenceInterval, ExponentFit, fit_exponent
from impl.measurement.sweep import SweepResult
from impl.theory import Behaviour, Parametrization, leading_output_term, readout_correction
from impl.theory import exponents as theory  # module access: a negative control may swap a formula

__all__ = ["SECOND_ORDER", "QuantityResult", "Analysis", "analyze", "is_update_quantity", "theory_claims", "decide_quantity"]

SECOND_ORDER: tuple[str, ...] = ("delta_kernel", "eta_nonlinearity")
"""Name prefixes of the quantities with no first-order term in the limit (docs/theory.md §5.6): the feature-kernel
changes and the η-nonlinearity, a small deterministic part under the n^{-1/2} fluctuation."""


def theory_claims(p: Parametrization, names: Sequence[str], step: int | None = None) -> dict[str, Claim]:
    """The theory's claim for each name after ``step`` SGD steps (None: any t ≥ 2; 1 applies the lag of
    App. H.3): its predicted exponent, else its behaviour; names the theory says nothing about are left out."""
    exps = theory.predicted_exponents(p, step=step)
    behaviours = theory.predicted_behaviours(p, step=step)
    out: dict[str, Claim] = {}
    for name in names:
        e, b = exps.get(name), behaviours.get(name)
        if e is not None:
            out[name] = e
        elif b is not None:
            out[name] = b
    return out


def is_update_quantity(name: str) -> bool:
    """Whether ``name`` measures a change since initialisation (0 at step 0)."""
    return name.startswith("delta_") or name == "Wout0_delta_x"


@dataclass(frozen=True, eq=False)
class QuantityResult:
    """One quantity at one step: its per-width, per-seed sizes ``values`` (W, S) and the decision (fitted on
    :meth:`SweepResult.sizes`, which for a few scalars is the seed-averaged size: ``fit.rms``)."""

    name: str
    step: int
    decision: Decision
    widths: tuple[int, ...]
    seeds: tuple[int, ...]
    values: np.ndarray

    @property
    def verdict(self) -> Verdict:
        return self.decision.verdict

    @property
    def claim(self) -> Claim | None:
        """The theory's claim (an exponent or a behaviour), or None."""
        return self.decision.claim

    @property
    def predicted(self) -> Fraction | None:
        """The predicted exponent, or None where the theory gives only a behaviour (or nothing)."""
        return self.decision.claim if isinstance(self.decision.claim, Fraction) else None

    @property
    def fit(self) -> ExponentFit | None:
        return self.decision.fit

    @property
    def slope(self) -> float:
        return self.decision.slope

    @property
    def ci(self) -> ConfidenceInterval:
        return self.decision.ci


@dataclass(frozen=True, eq=False)
class Analysis(Mapping[str, QuantityResult]):
    """The per-quantity results (a read-only mapping name → :class:`QuantityResult`) and their settings.

    ``parametrization`` is the one whose predictions were tested (normally the swept one).
    """

    parametrization: Parametrization
    step: int
    margin: float
    alpha: float
    results: dict[str, QuantityResult]

    def __getitem__(self, name: str) -> QuantityResult:
        return self.results[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def verdicts(self) -> dict[str, Verdict]:
        """name → verdict."""
        return {k: v.verdict for k, v in self.results.items()}


def decide_quantity(result: SweepResult, name: str, step: int, claim: Claim | None, *, alpha: float,
                    margin: float = DEFAULT_MARGIN, scalar_margin: float | None = None, min_seeds: int = 2,
                    method: str = "jackknife-t", n_resamples: int | None = None,
                    rng: np.random.Generator | int = 0) -> Decision:
    """Decide ``claim`` about quantity ``name`` of a sweep after ``step`` steps.

    Each seed's size (an RMS over coordinates, probes and outputs) is fitted by its RMS over seeds. For a
    scalar whose signed per-probe values were recorded, the *seed-averaged* size — the RMS over probes of
    the mean over seeds (:func:`fit_exponent` on (W, S, K) values) — is fitted too, and:

    * an exact exponent (Θ(1) included) is decided on the seed-averaged size. The paper derives these
      scalars' exponents from law-of-large-numbers terms, deterministic given the data; each seed's value is
      that term plus an n^{−1/2} fluctuation, so each seed's RMS is √(A² + B²/n) and falls with width when
      B²/n is comparable with A² at the smallest widths (second-order quantities, σ-gelu's sharp kink:
      64…1024 slopes −0.1 to −0.2 for a Θ(1) limit) — a bias a wrong claim (an exponent ¼ too low) could
      agree with. The mean over S seeds divides B²/n by S and keeps A (docs/theory.md §5.4, §5.6).
    * a behaviour ("vanishes", "bounded", "grows") is decided on each seed's size — its typical size,
      which is what the behaviour is about — except that a seed-averaged size that decisively contradicts
      "vanishes" or "bounded" makes the claim disagree: the seed average is never larger than the typical
      size, so a non-vanishing (or growing) average means a non-vanishing (growing) quantity. (When the
      quantity is small and mostly random, the average is noisy and merely undecided, and the per-seed
      decision stands.)

    The seed-averaged fit always uses the jackknife-t interval.

    The margin δ: ``margin`` for a quantity averaged over coordinates (each seed's size is a law-of-large-
    numbers average with O(1/n) relative bias; measured at widths 128…4096 on 16 random draws: median
    |slope − e| 0.007, at most 0.057, within the noise) and for a first-order seed-averaged scalar (ΔW^{L+1}x^L,
    W₀^{L+1}Δx^L, fₜ − f₀) after one step (81 such claims on 26 random stable draws at 128…4096, 32 seeds: at
    most 0.048 off their exponent); ``scalar_margin`` (default ``margin``) for the seed-averaged scalars whose
    finite-width bias tp4 does not model — the second-order ones (:data:`SECOND_ORDER`: a small Θ(1) part under
    the n^{−1/2} fluctuation, up to 0.165 off, docs/theory.md §5.8) at any step, and every seed-averaged scalar
    from step 2 on, where χ₁ ≠ χ₀ and the step-1 corrections feed back (the same draws: up to 0.14 off at
    128…4096, 0.21 at 64…1024).
    """
    blowup_step = None if name == "f0" else result.blowup_step
    common = dict(alpha=alpha, step=step, seeds=result.seeds, blowup_step=blowup_step)
    probes = result.probe_values.get(name)
    if probes is not None and scalar_margin is not None and (name.startswith(SECOND_ORDER) or step >= 2):
        margin = scalar_margin
    averaged = None if probes is None else decide(fit_exponent(result.widths, probes[:, step], **common),  # type: ignore[arg-type]
                                                  claim, margin=margin, min_seeds=min_seeds)
    if averaged is not None and (isinstance(claim, Fraction) or claim is Behaviour.THETA1):
        return averaged
    per_seed = decide(fit_exponent(result.widths, result.at(name, step), method=method, n_resamples=n_resamples,
                                   rng=rng, **common), claim, margin=margin, min_seeds=min_seeds)  # type: ignore[arg-type]
    contradicted = (averaged is not None and claim in (Behaviour.VANISHES, Behaviour.BOUNDED)
                    and averaged.verdict is Verdict.DISAGREE and per_seed.verdict is not Verdict.DISAGREE)
    if contradicted:
        assert averaged is not None
        return replace(averaged, reason=f"seed-averaged size: {averaged.reason} (each seed's: {per_seed.reason})")
    return per_seed


def _generators(rng: np.random.Generator | int, n: int) -> list[np.random.Generator]:
    if isinstance(rng, np.random.Generator):
        return [rng] * n
    return [np.random.default_rng(s) for s in np.random.SeedSequence(rng).spawn(n)]


def analyze(
    result: SweepResult,
    p: Parametrization,
    *,
    step: int | None = None,
    margin: float = DEFAULT_MARGIN,
    alpha: float = DEFAULT_ALPHA,
    quantities: Sequence[str] | None = None,
    scalar_margin: float | None = None,
    n_resamples: int | None = None,
    method: str = "jackknife-t",
    rng: np.random.Generator | int = 0,
    min_seeds: int = 2,
) -> Analysis:
    """Fit every quantity of ``result`` at ``step`` (default: the last) and decide it against ``p``'s predictions.

    ``p`` is normally ``result.parametrization``; another parametrization of the same depth tests
    the measurements against *its* predictions (a negative control). At step 0 only the
    initialisation quantities are analysed. ``margin`` δ (``scalar_margin``: :func:`decide_quantity`), ``alpha`` (the interval level is 1 − α),
    ``n_resamples``, ``method`` and ``rng`` go to :func:`fit_exponent` / :func:`decide`; each
    quantity gets its own generator spawned from an integer ``rng``, so results are deterministic.
    """
    t = result.steps if step is None else int(step)
    if not 0 <= t <= result.steps:
        raise ValueError(f"step must be in 0..{result.steps}, got {step}")
    swept = result.parametrization
    if swept is not None and p.depth != swept.depth:
        raise ValueError(f"p has depth {p.depth} but the sweep has depth {swept.depth}")
    names = list(result.quantity_names if quantities is None else quantities)
    if t == 0:
        asked = [n for n in names if is_update_quantity(n)]
        if quantities is not None and asked:
            raise ValueError(f"{asked} are updates (0 at step 0); analyse them at step >= 1")
        names = [n for n in names if not is_update_quantity(n)]
    unknown = [n for n in names if n not in result.values]
    if unknown:
        raise KeyError(f"quantities {unknown} were not recorded (have {list(result.values)})")
    claims = theory_claims(p, names, step=t if t >= 1 else None)
    q = readout_correction(p)
    unmodelled = {k for k in claims if is_update_quantity(k)} if t >= 2 and q is not None else set()  # shown, not claimed
    by_terms = t >= 1 and "delta_f" in claims and not unmodelled and leading_output_term(p, t) is not None
    out: dict[str, QuantityResult] = {}
    for name, gen in zip(names, _generators(rng, len(names))):
        shown = name in unmodelled or (by_terms and name == "delta_f")
        decision = decide_quantity(result, name, t, None if shown else claims.get(name), alpha=alpha,
                                   margin=margin, scalar_margin=scalar_margin, min_seeds=min_seeds, method=method, n_resamples=n_resamples, rng=gen)
        if name in unmodelled:
            decision = replace(decision, reason=f"not claimed: from step 2 on W^{{L+1}}'s update adds an n^-{q} "
                                                f"correction tp4 does not model; {decision.reason}")
        elif shown:
            decision = replace(decision, reason="not claimed: its terms delta_Wout_x and Wout0_delta_x have different "
                                                "exponents, the smaller a relative correction that biases the sum's "
                                                f"slope, so they carry the claim; {decision.reason}")
        out[name] = QuantityResult(name, t, decision, result.widths, result.seeds, result.at(name, t).copy())
    return Analysis(p, t, margin, alpha, out)
