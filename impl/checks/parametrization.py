"""Every applicable theorem check for one parametrization: :func:`check_parametrization`.

This is what ``tp4 check``, the pytest plugin (``--tp4-spec``) and a user's own tests call. For each
φ it runs every statement of :data:`STATEMENTS` on finite networks of the parametrization and judges
the measurements against a theory — the parametrization's own, or with ``against=q`` another's
("does mine behave like µP?"). With ``expect=q`` it also asserts that the parametrization *is* q
modulo the symmetry of Eq. (5): the exact theory decides that, and the measurements are judged
against q's predictions, so a wrong belief fails with the theory's reason and the measured evidence.

Verdicts: a statement agrees only when every claim agreed; ``undecided`` after all retries is never
counted as agreement. :attr:`ParametrizationCheck.exit_code` is the CLI's: 0 every applicable claim
agrees, 1 some claim disagrees, 3 no disagreement but some claim is undecided (or no statement applied).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

from impl.checks import (
    dichotomy,
    f0,
    kernel_regime,
    layerwise,
    max_lr,
    maximal_updates,
    nontriviality,
    stability,
    uniform,
)
from impl.checks.budget import Budget, budget_for, default_profile
from impl.checks.evidence import PHIS, ROUTINE, Statement, Sweeps
from impl.checks.results import CheckResult
from impl.checks.theory import Theory
from impl.measurement import EXIT_CODES, Verdict, default_cache_dir, describe_claim, theory_claims
from impl.simulation import Routine
from impl.simulation.activations import resolve_activation
from impl.theory import Parametrization, classify, parse_spec, quantity_names

__all__ = ["STATEMENTS", "ROUTINES", "statement_routine", "Expectation", "Judged", "ParametrizationCheck", "check_parametrization", "expectation",
           "phis_of", "planned_decisions", "TheoryMismatch"]

CheckFn = Callable[..., CheckResult]
STATEMENTS: dict[str, tuple[Statement, CheckFn]] = {
    m.STATEMENT.key: (m.STATEMENT, fn) for m, fn in (
        (stability, stability.check_stability),
        (nontriviality, nontriviality.check_nontriviality),
        (dichotomy, dichotomy.check_dichotomy),
        (kernel_regime, kernel_regime.check_kernel_regime_limit),
        (f0, f0.check_f0),
        (maximal_updates, maximal_updates.check_maximal_updates),
        (layerwise, layerwise.check_layerwise_feature_learning),
        (uniform, uniform.check_uniform_parametrization),
        (max_lr, max_lr.check_max_lr),
    )
}
"""statement key → (statement, check function), in the order of the paper: every statement about one
parametrization (the limits of Section 6 and Figure 4 are about µP networks of given architectures:
:mod:`impl.checks.limit_convergence`, :mod:`impl.checks.figure4`)."""
ROUTINES: dict[str, Routine] = {"kernel_limit": kernel_regime.KGD_ROUTINE}
"""Statements whose default routine is not :data:`impl.checks.ROUTINE` (φ is set per run)."""


def statement_routine(key: str, phi: str, base: Routine | None = None) -> Routine:
    """The routine statement ``key`` runs with φ = ``phi``: ``base`` if given (with that φ), else the
    statement's own default (:data:`ROUTINES`, or :data:`impl.checks.ROUTINE`)."""
    return replace(base if base is not None else ROUTINES.get(key, ROUTINE), phi=phi)



def planned_decisions(depths: Iterable[int], budget: Budget, statements: Sequence[str] | None = None) -> int:
    """The most claims a run may decide — every claim of every statement (``Statement.max_claims``) for
    each parametrization depth (one entry per parametrization and φ): the family over which a run's α is
    split (:attr:`Budget.alpha`); each claim spends its share over its attempts (:meth:`Budget.alpha_at`)."""
    keys = list(STATEMENTS) if statements is None else list(statements)
    return max(1, sum(STATEMENTS[k][0].max_claims(depth) for depth in depths for k in keys))


class TheoryMismatch(AssertionError):
    """Raised by :meth:`ParametrizationCheck.assert_agrees`: the table of what did not agree."""


def phis_of(phi: "str | Sequence[str]") -> tuple[str, ...]:
    """``"tanh"``, ``"sigma_gelu"`` (or ``sigma-gelu[:σ]``), ``"both"`` (Assumption 3.1's two) or a sequence."""
    names = list(PHIS) if phi == "both" else ([phi] if isinstance(phi, str) else list(phi))
    if not names:
        raise ValueError("no φ given")
    for name in names:
        resolve_activation(name)
    return tuple(name.strip().lower().replace("-", "_") for name in names)


@dataclass(frozen=True)
class Expectation:
    """``expect=q``: is the parametrization q modulo Eq. (5)? The exact theory's answer and why."""

    expected: str
    verdict: Verdict
    reason: str


def _differences(p: Parametrization, q: Parametrization) -> list[str]:
    cp, cq = classify(p), classify(q)
    out = []
    for what, a, b in (("stable", cp.stable, cq.stable), ("regime", cp.regime.value, cq.regime.value),
                       ("r", cp.r, cq.r), ("nontrivial", cp.nontrivial, cq.nontrivial),
                       ("µP class", cp.mup_class, cq.mup_class)):
        if a != b:
            out.append(f"{what} {a} (expected {b})")
    cl_p, cl_q = theory_claims(p, quantity_names(p.depth)), theory_claims(q, quantity_names(q.depth))
    changed = [f"{k} {describe_claim(cl_p[k])} (expected {describe_claim(cl_q[k])})"
               for k in cl_p if k in cl_q and cl_p[k] != cl_q[k]]
    return out + changed[:4]


def expectation(p: Parametrization, q: Parametrization) -> Expectation:
    """Whether p equals q modulo the Eq. (5) symmetry, with the differences that the theory predicts."""
    label = q.name or q.spec()
    if p.depth != q.depth:
        return Expectation(label, Verdict.DISAGREE, f"depth {p.depth}, expected {q.depth}")
    if p.equivalent(q):
        return Expectation(label, Verdict.AGREE, f"{p.spec()} is {label} modulo Eq. (5)")
    diffs = _differences(p, q) or ["the same class, but not the same parametrization modulo Eq. (5)"]
    return Expectation(label, Verdict.DISAGREE, f"{p.spec()} is not {label}: " + "; ".join(diffs))


class Judged:
    """What every judged outcome offers from its :attr:`verdict`: :attr:`agrees` and the CLI's :attr:`exit_code`."""

    @property
    def verdict(self) -> Verdict:
        raise NotImplementedError

    @property
    def agrees(self) -> bool:
        """True only when every applicable claim agreed (and the expectation, if any, holds)."""
        return self.verdict is Verdict.AGREE

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]


@dataclass(frozen=True)
class ParametrizationCheck(Judged):
    """Every statement checked for one parametrization (see the module docstring)."""

    spec: str
    name: str | None
    depth: int
    claimed: str
    profile: str
    results: tuple[CheckResult, ...]
    expectation: Expectation | None = None

    @property
    def verdict(self) -> Verdict:
        """All statements' verdicts combined; an expectation that the exact theory refutes disagrees, and an
        expectation alone (no statement applicable) does not make the run agree."""
        measured = Verdict.combine([r.verdict for r in self.results])
        if self.expectation is None or measured is Verdict.NOT_APPLICABLE:
            if self.expectation is not None and self.expectation.verdict is Verdict.DISAGREE:
                return Verdict.DISAGREE
            return measured
        return Verdict.combine([measured, self.expectation.verdict])

    def counts(self) -> dict[str, int]:
        """How many (statement, φ) results have each verdict."""
        out = {v.value: 0 for v in Verdict}
        for r in self.results:
            out[r.verdict.value] += 1
        return out

    def summary(self) -> str:
        c = self.counts()
        line = (f"{c['agree']} agree, {c['disagree']} disagree, {c['undecided']} undecided, "
                f"{c['n/a']} not applicable")
        if self.expectation is not None:
            line += f"; expected {self.expectation.expected}: {self.expectation.verdict}"
        return f"{line} — overall: {self.verdict}"

    def table(self, width: int = 160) -> str:
        """One row per (statement, φ): the theory in words, the verdict and, unless it agrees, why."""
        rows = [("statement", "phi", "theory", "verdict")]
        for r in self.results:
            rows.append((r.title, r.phi, r.says, str(r.verdict)))
        w = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = ["  ".join(x.ljust(k) for x, k in zip(rows[0][:3], w)) + "  " + rows[0][3]]
        for row, r in zip(rows[1:], self.results):
            line = "  ".join(x.ljust(k) for x, k in zip(row[:3], w)) + "  " + row[3]
            if r.verdict is not Verdict.AGREE:
                line += f" — {r.reason}"
            lines.append(line[:width] if r.verdict is Verdict.NOT_APPLICABLE else line)
            if r.verdict in (Verdict.DISAGREE, Verdict.UNDECIDED):
                lines.append(r.table())
        return "\n".join(lines)

    def __str__(self) -> str:
        against = "" if self.claimed == (self.name or self.spec) else f", judged against {self.claimed}"
        head = f"{self.name or self.spec} (L = {self.depth}{against}, profile {self.profile})"
        parts = [head]
        if self.expectation is not None:
            parts.append(f"expected {self.expectation.expected}: {self.expectation.verdict} — {self.expectation.reason}")
        return "\n".join(parts + [self.table(), self.summary()])

    def assert_agrees(self) -> None:
        """Raise :class:`TheoryMismatch` with the table unless every applicable claim agreed."""
        if not self.agrees:
            raise TheoryMismatch(str(self))


def _parametrization(spec: "str | Parametrization", depth: int | None) -> Parametrization:
    if isinstance(spec, Parametrization):
        if depth is not None and depth != spec.depth:
            raise ValueError(f"depth {depth} given for a depth-{spec.depth} parametrization")
        return spec
    return parse_spec(spec, depth)


def check_parametrization(
    spec: "str | Parametrization",
    *,
    depth: int | None = None,
    phi: "str | Sequence[str]" = "tanh",
    profile: "str | Budget | None" = None,
    expect: "str | Parametrization | None" = None,
    against: "str | Parametrization | None" = None,
    routine: Routine | None = None,
    statements: Sequence[str] | None = None,
    sweeps: Sweeps | None = None,
    log: Callable[[CheckResult], None] | None = None,
) -> ParametrizationCheck:
    """Every applicable statement of the paper for ``spec`` (a preset name, ``'a=…;b=…;c=…'``, a
    ``.json``/``.toml`` file, or a :class:`Parametrization`), on finite networks with each φ of ``phi``.

    ``profile``: ``dev``, ``ci``, ``nightly`` (whose widths, seeds and retries are used, with α split over
    the decisions this run may make, :func:`planned_decisions`), a :class:`Budget` (used as it is), or
    None for :func:`impl.checks.default_profile` (``ci`` when ``CI`` is set, else ``dev``). ``against``: judge the measurements
    against this parametrization's predictions instead of spec's. ``expect``: also assert spec *is* this
    parametrization modulo Eq. (5) (its predictions are then the ones judged). ``routine``: the
    training routine of every statement (default: each statement's own, :data:`impl.checks.ROUTINE` or
    :data:`ROUTINES`; φ is replaced per ``phi``). ``statements``:
    a subset of :data:`STATEMENTS` keys. ``sweeps``: cache and executor (default: the platform cache
    directory, in-process). ``log`` receives each result as it finishes.
    """
    p = _parametrization(spec, depth)
    if expect is not None and against is not None:
        raise ValueError("give expect= or against=, not both")
    q_spec = expect if expect is not None else against
    q = _parametrization(q_spec, p.depth) if q_spec is not None else None
    if q is not None and q.depth != p.depth:
        raise ValueError(f"cannot judge depth-{p.depth} networks against a depth-{q.depth} parametrization")
    keys = list(STATEMENTS) if statements is None else list(statements)
    unknown = [k for k in keys if k not in STATEMENTS]
    if unknown:
        raise ValueError(f"unknown statement {unknown[0]!r} (choose from {', '.join(STATEMENTS)})")
    phis = phis_of(phi)
    budget = budget_for(default_profile() if profile is None else profile)
    if not isinstance(profile, Budget):
        budget = replace(budget, decisions=planned_decisions([p.depth] * len(phis), budget, keys))
    runner = sweeps if sweeps is not None else Sweeps(cache_dir=default_cache_dir())
    theory = Theory(q) if q is not None else None
    results = []
    for name in phis:
        for key in keys:
            _, fn = STATEMENTS[key]
            result = fn(p, statement_routine(key, name, routine), budget, against=theory, sweeps=runner)
            results.append(result)
            if log is not None:
                log(result)
    claimed = (q.name or q.spec()) if q is not None else (p.name or p.spec())
    exp = expectation(p, q) if expect is not None and q is not None else None
    return ParametrizationCheck(p.spec(), p.name, p.depth, claimed, budget.profile, tuple(results), exp)
