"""Check the user's own PyTorch model: :func:`check_model`.

1. Find its width-scaled layers and whether it is an MLP of the paper's form (:mod:`.discover`).
2. If it is and the optimizer is plain SGD, infer its abc-parametrization exactly (:mod:`.infer`) and run
   every statement of :data:`MODEL_STATEMENTS` on *its* networks, trained with *its* optimizer
   (:mod:`.record`, :mod:`.sweeps`), judged against the inferred parametrization's theory — or, with
   ``expect=q``, against q's, with the exact answer whether it *is* q modulo Eq. (5) and which knob of
   which layer to change (:mod:`.diagnosis`).
3. Otherwise judge the µP desiderata, labelled as beyond the paper (:mod:`.desiderata`).

The verdicts, exit codes and the α bookkeeping are those of :func:`impl.checks.check_parametrization`:
undecided never passes.
"""

from __future__ import annotations

import tempfile
from fractions import Fraction
from dataclasses import dataclass, replace
from typing import Any, Callable, Sequence

from impl.checks import ROUTINE, Budget, CheckResult, TheoryMismatch, budget_for, default_profile, planned_decisions
from impl.checks.parametrization import Expectation, Judged, ParametrizationCheck, check_parametrization
from impl.measurement import Verdict
from impl.models.desiderata import check_desiderata, desiderata_claims, width_sized, zero_initialised
from impl.models.diagnosis import Diagnosis, diagnose
from impl.models.discover import DISCOVERY_WIDTHS, Layer, Structure, discover
from impl.models.infer import Inference, infer_parametrization
from impl.models.record import ModelJob
from impl.models.sweeps import ModelSweeps
from impl.models.target import ModelError, Target, build_at, load_target
from impl.simulation import Routine
from impl.theory import Parametrization, SpecError, parse_spec

__all__ = ["MODEL_STATEMENTS", "ModelCheck", "check_model", "model_job"]

MODEL_STATEMENTS: tuple[str, ...] = ("stability", "nontriviality", "regime", "f0", "maximal_updates",
                                     "layerwise_feature_learning", "uniform")
"""The statements run on a user's model: every statement of :data:`impl.checks.STATEMENTS` except the
largest-stable-learning-rate search and the kernel-gradient-descent comparison, which need tp4's engine
(a learning-rate bisection and the limit kernel of a known φ)."""


@dataclass(frozen=True)
class ModelCheck(Judged):
    """The outcome of :func:`check_model`: what was found (``structure``), inferred (``inferred``, None beyond
    the paper), the statements' results (``statements``: per statement, or the desiderata), the diagnosis,
    and the combined verdict (:attr:`verdict`, :attr:`exit_code` as ``tp4 check``)."""

    target: str
    structure: Structure
    inferred: Inference | None
    statements: tuple[CheckResult, ...]
    diagnosis: Diagnosis
    profile: str
    beyond: str = ""
    expectation: Any = None

    @property
    def layers(self) -> tuple[Layer, ...]:
        return self.structure.layers

    @property
    def verdict(self) -> Verdict:
        measured = Verdict.combine([r.verdict for r in self.statements])
        expected = [self.expectation.verdict] if self.expectation is not None else []
        if self.diagnosis.expected is not None and self.diagnosis.fixes:
            expected.append(Verdict.DISAGREE)
        return Verdict.combine([measured, *expected]) if measured is not Verdict.NOT_APPLICABLE else (
            Verdict.DISAGREE if Verdict.DISAGREE in expected else measured)

    def __str__(self) -> str:
        head = f"{self.target} (profile {self.profile})"
        lines = [head]
        if self.beyond:
            lines.append(f"beyond the paper's theorems: {self.beyond}")
        if self.inferred is not None:
            lines += ["inferred per layer (Eq. (5) per layer: a = α + γ/2, b = β − γ/2, c = 0):", self.inferred.table()]
        lines.append(str(self.diagnosis))
        body = ParametrizationCheck(self.target, None, max(self.structure.depth, 1), self.diagnosis.expected or "",
                                    self.profile, self.statements)
        lines += [body.table(), body.summary().replace("overall:", "statements:") + f"; overall: {self.verdict}"]
        return "\n".join(lines)

    def assert_agrees(self) -> None:
        """Raise :class:`impl.checks.TheoryMismatch` with the whole report unless everything agreed."""
        if not self.agrees:
            raise TheoryMismatch(str(self))


def _budget(profile: "str | Budget | None", widths: Sequence[int] | None, seeds: int | None) -> Budget:
    """The profile's budget with ``widths``/``seeds`` overridden (ModelError for bad values)."""
    try:
        base = budget_for(default_profile() if profile is None else profile)
        if widths is not None:
            base = replace(base, widths=tuple(sorted(int(w) for w in widths)))
        if seeds is not None:
            base = replace(base, seeds=int(seeds))
    except ValueError as err:
        raise ModelError(str(err)) from None
    return base


def _with_alpha(budget: Budget, decisions: int, given: "str | Budget | None") -> Budget:
    """α split over the claims this run may decide (a Budget given as such is used as it is)."""
    return budget if isinstance(given, Budget) else replace(budget, decisions=max(1, decisions))


def model_job(target: Target, structure: Structure, inferred: Inference | None,
              sized: dict[str, bool] | None = None, zero: tuple[str, ...] = ()) -> ModelJob:
    """The sweep job that trains and records the user's model: the theory's quantities when an abc-parametrization
    was inferred, else the desiderata's (``sized``/``zero`` from :mod:`impl.models.desiderata`)."""
    beyond_paper = inferred is None or inferred.parametrization is None
    return ModelJob(target, structure, desiderata=beyond_paper, sized=tuple((sized or {}).items()), zero=zero,
                    inputs=build_at(target, DISCOVERY_WIDTHS[0], 0).inputs,
                    parent_exponents=() if inferred is None or beyond_paper else
                    tuple(k.parent_alpha or Fraction(0) for k in inferred.layers[:-1]))


def check_model(
    build: "str | Callable[[int], Any]",
    *,
    widths: Sequence[int] | None = None,
    seeds: int | None = None,
    steps: int | None = None,
    expect: "str | Parametrization | None" = None,
    profile: "str | Budget | None" = None,
    executor: Any = None,
    cache_dir: str | None = None,
    progress: bool = False,
    statements: Sequence[str] | None = None,
    log: Callable[[CheckResult], None] | None = None,
) -> ModelCheck:
    """Infer, measure and judge the model that ``build(n)`` returns (module docstring).

    ``build``: ``'file.py:function'``, ``'package.module:function'`` or the function; it takes the width n
    and returns ``(model, optimizer)`` or a dict with ``model``, ``optimizer`` and optionally ``loss`` and
    ``inputs``. ``widths``/``seeds``: override the profile's widths and first-attempt seeds; ``steps``: SGD
    steps of the routine (default 2). ``expect``: a spec (``"mup"``) the model is believed to be. ``executor``
    as for :func:`impl.measurement.run_sweep`; ``cache_dir``: keep measurements there (default: a temporary
    directory for this call). ``statements``: a subset of :data:`MODEL_STATEMENTS`. Raises
    :class:`impl.models.ModelError` on bad input.
    """
    keys = tuple(MODEL_STATEMENTS if statements is None else statements)
    unknown = [k for k in keys if k not in MODEL_STATEMENTS]
    if unknown:
        raise ModelError(f"unknown statement {unknown[0]!r} for a model (choose from {', '.join(MODEL_STATEMENTS)})")
    budget = _budget(profile, widths, seeds)
    routine: Routine = ROUTINE if steps is None else replace(ROUTINE, steps=int(steps))
    if routine.steps < 1:
        raise ModelError("steps must be at least 1")
    if expect is not None and not isinstance(expect, Parametrization):
        try:
            parse_spec(expect, 1 if str(expect).strip().lower() == "mfp" else None)
        except (SpecError, ValueError) as err:
            raise ModelError(f"expect {expect!r}: {err}") from None
    target = load_target(build)
    structure = discover(target)
    routine = replace(routine, input_dim=structure.input_dim or 1, output_dim=structure.output_dim)
    inferred = None
    beyond = "; ".join(structure.beyond)
    if structure.in_theory:
        inferred = infer_parametrization(target, structure, widths=budget.widths)
        beyond = inferred.why_none
    q = None
    if expect is not None:
        try:
            q = expect if isinstance(expect, Parametrization) else parse_spec(expect, max(structure.depth, 1))
        except (SpecError, ValueError) as err:
            raise ModelError(f"expect {expect!r}: {err}") from None
    beyond_paper = inferred is None or inferred.parametrization is None
    sized = width_sized(target, structure) if beyond_paper else {}
    zero = zero_initialised(target, structure) if beyond_paper else ()
    job = model_job(target, structure, inferred, sized, zero)
    with tempfile.TemporaryDirectory(prefix="tp4-model-") as tmp:
        sweeps = ModelSweeps(cache_dir=cache_dir or tmp, executor=executor, progress=progress, job=job)
        if inferred is not None and inferred.parametrization is not None:
            p = inferred.parametrization
            if q is not None and q.depth != p.depth:
                raise ModelError(f"the model has L = {p.depth} hidden layers; {expect} was given for L = {q.depth}")
            judged = _with_alpha(budget, planned_decisions([p.depth], budget, keys), profile)
            found = check_parametrization(p, routine=routine, profile=judged, statements=keys,
                                          sweeps=sweeps, expect=q, log=log)
            results = tuple(replace(r, spec=target.name, phi="model") for r in found.results)
            return ModelCheck(target.name, structure, inferred, results, diagnose(inferred, q), budget.profile,
                              expectation=found.expectation)
        init, trained = desiderata_claims(sized, zero)
        judged = _with_alpha(budget, len(init) + len(trained), profile)
        result = replace(check_desiderata(target, structure, routine, judged, sweeps), phi="model")
        if log is not None:
            log(result)
        summary = "no abc-parametrization inferred; judged on the µP desiderata, beyond the paper"
        expectation = None
        if q is not None:
            label = q.name or q.spec()
            expectation = Expectation(label, Verdict.UNDECIDED,
                                      f"whether the model is {label} is not decidable beyond the paper's theory; "
                                      "the µP desiderata are judged instead")
            summary += f"; expected {label}: undecided (no abc-parametrization to compare)"
        return ModelCheck(target.name, structure, inferred, (result,), Diagnosis(summary), budget.profile,
                          beyond=beyond, expectation=expectation)
