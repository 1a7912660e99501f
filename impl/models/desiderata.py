"""Beyond the paper's theorems: the µP desiderata, judged on any model with width-scaled modules.

Tensor Programs IV proves its statements for MLPs of the form of Eq. (1) trained by plain SGD. For
anything else — Adam, momentum, weight decay, attention, normalisation, embeddings, biases — tp4 infers
no abc-parametrization and states no theorem. It judges instead the *desiderata* that the later Tensor
Programs work (TP V, "Tuning Large Neural Networks via Zero-Shot Hyperparameter Transfer", Section 3)
asks of a maximal-update parametrization, measured per width-scaled module with the same statistics
as the theorem checks, after the routine's last step:

* every width-sized activation (a module output whose last dimension scales with n) has Θ(1)
  coordinates, at initialisation (except a module whose parameters are initialised at zero, as µP's
  zero-initialised query: its output is exactly 0 then) and after training;
* every module's own update moves its output by Θ(1) (``dWx:NAME``: the module now minus its copy at
  initialisation, on the same input — ΔW·x for a linear layer); for a module whose output does not scale
  with n (a readout, whose multiplier may sit in the parent's forward) the change of f that its own update
  causes (f now minus f with that module reverted) is Θ(1);
* the output f stays O(1) and moves by Θ(1) (fₜ − f₀, on its seed-averaged size).

These are labelled *beyond the paper* everywhere they are shown: a pass says the model scales like µP
on this routine, not that a theorem holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from impl.checks import Budget, CheckResult, Statement, escalate
from impl.checks.evidence import check_result_of
from impl.measurement import Claim
from impl.models.discover import Structure
from impl.models.hooks import capture, owning_modules
from impl.models.discover import probe_inputs
from impl.models.sweeps import ModelSweeps
from impl.models.target import Target, build_at
from impl.simulation import Routine
from impl.theory import Behaviour

__all__ = ["DESIDERATA", "desiderata_claims", "check_desiderata", "width_sized", "zero_initialised"]

DESIDERATA = Statement("desiderata", "µP desiderata (beyond TP4)", "beyond the paper: TP V, Section 3")


def width_sized(target: Target, structure: Structure, widths: Sequence[int] = (64, 128)) -> dict[str, bool]:
    """For each module owning a width-scaled parameter: whether its output's last dimension scales with n."""
    dims = []
    for n in widths:
        built = build_at(target, n, 0)
        names = owning_modules(built.model, structure.scaled)
        x = probe_inputs(built.inputs, structure.input_dim, 4, next(built.model.parameters()).dtype)
        seen = capture(built.model, names, x)
        dims.append({k: v.shape[-1] for k, v in seen.outputs.items()})
    return {k: dims[0][k] != dims[1].get(k) for k in dims[0]}


def zero_initialised(target: Target, structure: Structure) -> tuple[str, ...]:
    """The modules owning width-scaled parameters that are all exactly zero at initialisation."""
    built = build_at(target, 64, 0)
    modules = dict(built.model.named_modules())
    return tuple(name for name in owning_modules(built.model, structure.scaled)
                 if all(not p.detach().any() for p in modules[name].parameters(recurse=False)))


def desiderata_claims(sized: dict[str, bool], zero: Sequence[str] = ()) -> tuple[dict[str, Claim], dict[str, Claim]]:
    """(claims at initialisation, claims after training) of the module docstring."""
    trained: dict[str, Claim] = {f"out:{k}": Behaviour.THETA1 for k, w in sized.items() if w}
    trained["f"] = Behaviour.BOUNDED
    init = {k: v for k, v in trained.items() if k.removeprefix("out:") not in zero}
    trained.update({f"dWx:{k}": Behaviour.THETA1 for k in sized})
    trained["delta_f"] = Behaviour.THETA1
    return init, trained


def check_desiderata(target: Target, structure: Structure, routine: Routine, budget: Budget, sweeps: ModelSweeps) -> CheckResult:
    """The desiderata on the user's model, as one result."""
    job = sweeps.job
    if job is None:
        raise ValueError("check_desiderata needs ModelSweeps with a ModelJob")
    init, trained = desiderata_claims(dict(job.sized), job.zero)

    def measure(n: int):  # noqa: ANN202
        return sweeps.run(None, routine, budget.widths, n)

    evidence = [escalate(measure, init, budget=budget, step=0), escalate(measure, trained, budget=budget, step=routine.steps)]
    return check_result_of(DESIDERATA, target.name, None, routine, "µP desiderata (beyond the paper)", evidence)
