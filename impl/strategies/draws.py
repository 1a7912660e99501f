"""Calibration cases drawn at random from the public strategies, not chosen by hand (issue 14, item 5).

The preset cases of :mod:`impl.checks.calibration` are the ~10 parametrizations the negative controls use;
a check tuned on them can still fail elsewhere. Here each statement gets its own population — the
regime its theorem is about, depth 1–4, φ ∈ {tanh, σ-gelu}, η and the data seed as the suite draws them
(:func:`~impl.strategies.parametrizations`, :func:`~impl.strategies.routines`) — and :func:`drawn_cases`
takes the first n draws of a derandomized hypothesis run, so the same n cases come back on every machine
(no ``hash()``, no wall clock). Hypothesis' generation starts with small examples and then spreads out;
the population is therefore slightly richer in depth-1 and lattice-edge draws than a uniform one.

The max-LR search (Theorem 4.1) is not drawn: one run costs minutes.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from impl.checks import (
    check_dichotomy,
    check_f0,
    check_layerwise_feature_learning,
    check_maximal_updates,
    check_nontriviality,
    check_stability,
    check_uniform_parametrization,
)
from impl.checks.calibration import Case, CheckFn
from impl.simulation import Routine
from impl.strategies.parametrizations import depths, lattice, parametrizations
from impl.strategies.routines import routines
from impl.theory import Parametrization, up

__all__ = ["POPULATIONS", "drawn_cases", "first_draws"]

POPULATIONS: dict[str, tuple[CheckFn, Callable[[], st.SearchStrategy[Parametrization]]]] = {
    "Thm 3.3 stable": (check_stability, lambda: parametrizations(regime="stable")),
    "Thm 3.3 unstable": (check_stability, lambda: parametrizations(regime="unstable")),
    "Thm 3.4": (check_nontriviality, lambda: parametrizations(regime="stable")),
    "Thm 3.6/3.8": (check_dichotomy, lambda: parametrizations(regime="nontrivial")),
    "Cor 3.10": (check_f0, lambda: parametrizations(regime="stable")),
    "Thm 5.6": (check_maximal_updates, lambda: parametrizations(regime="stable")),
    "Thm H.13(3)": (check_layerwise_feature_learning, lambda: parametrizations(regime="feature_learning")),
    "Thm G.4": (check_uniform_parametrization,
                lambda: st.builds(lambda r, L: up(r, L), lattice(0, Fraction(1, 2), Fraction(1, 8)), depths())),
}
"""statement → (its check, the population its calibration draws from)."""


def first_draws(strategy: st.SearchStrategy[object], n: int) -> list[object]:
    """The first ``n`` examples of a derandomized hypothesis run of ``strategy`` (deterministic)."""
    out: list[object] = []

    @settings(derandomize=True, database=None, max_examples=max(n, 1) * 4, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), deadline=None)
    @given(strategy)
    def collect(example: object) -> None:
        if len(out) < n:
            out.append(example)

    collect()
    if len(out) < n:
        raise ValueError(f"the strategy gave {len(out)} examples, fewer than {n}")
    return out


def drawn_cases(n: int, statements: list[str] | None = None) -> tuple[Case, ...]:
    """``n`` cases per statement, each a drawn (parametrization, routine) pair, labelled ``draw k``."""
    cases = []
    for statement, (check, population) in POPULATIONS.items():
        if statements is not None and statement not in statements:
            continue
        pairs = first_draws(st.tuples(population(), routines()), n)
        for k, pair in enumerate(pairs):
            assert isinstance(pair, tuple)
            p, routine = pair
            assert isinstance(p, Parametrization) and isinstance(routine, Routine)
            cases.append(Case(statement, f"{statement} draw {k}", check, p.spec(), p.depth, routine))
    return tuple(cases)
