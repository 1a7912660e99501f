"""The symmetry of Eq. (5) at finite width — Section 3 (docs/theory.md §1.4).

*In words:* shifting every aₗ up by θ, every bₗ down by θ and c down by 2θ changes nothing about
training: the same random draws give the same function fₜ(ξ) at every width and step, so every
statement of the theory is invariant under the shift.

The check: p and its shift, simulated from the same draws (the seeds of p), record bit-identical
quantities at every width of the budget and every step of the routine. It is exact — no statistics —
so it agrees or disagrees, never undecided.
"""

from __future__ import annotations

from fractions import Fraction

from impl.checks.budget import BUDGETS, Budget
from impl.checks.evidence import ROUTINE, Statement, Sweeps
from impl.checks.results import CheckResult, ClaimResult
from impl.measurement import Verdict
from impl.simulation import Routine
from impl.theory import Parametrization

__all__ = ["STATEMENT", "SYMMETRY_SEEDS", "check_symmetry"]

STATEMENT = Statement("symmetry", "Eq. 5 symmetry", "Section 3, Eq. (5)")
SYMMETRY_SEEDS = 2


def check_symmetry(p: Parametrization, q: Parametrization, routine: Routine = ROUTINE,
                   budget: Budget = BUDGETS["dev"], *, sweeps: Sweeps | None = None) -> CheckResult:
    """Whether ``p`` and ``q`` train identically from the same draws (they should iff q is p shifted by Eq. 5)."""
    runner = sweeps or Sweeps()
    a, b = (runner.run(x, routine, budget.widths, SYMMETRY_SEEDS, seeds_of=p) for x in (p, q))
    same = a.same_measurements(b)
    shift = q.a[0] - p.a[0]
    claim = f"identical to {q.spec()}" + (" (Eq. 5 shift by θ = " + str(Fraction(shift)) + ")" if p.equivalent(q) else "")
    why = (f"bit-identical quantities at widths {list(a.widths)}, steps 0..{a.steps}" if same
           else f"the trajectories differ at some width or step under {routine}")
    verdict = Verdict.AGREE if same else Verdict.DISAGREE
    row = ClaimResult("every quantity", None, claim, verdict, why, seeds=SYMMETRY_SEEDS, widths=a.widths)
    return CheckResult(STATEMENT.key, STATEMENT.title, p.spec(), None, routine, f"trains identically to {q.spec()}",
                       verdict, why, (row,), 2, 1)
