"""tp4's pytest plugin (registered as the ``pytest11`` entry point ``tp4``): the theorem checks in any project.

After ``pip install tp4`` every pytest run accepts

* ``--tp4-spec SPEC`` (repeatable): a preset (``mup``, ``ntp``, ``up:1/4``, …), ``'a=…;b=…;c=…'`` or a
  ``.json``/``.toml`` file. For each, the applicable theorem checks (:data:`impl.checks.STATEMENTS`)
  are collected as tests of the run, one per (statement, φ): they fail with the claims' table when the
  measurements disagree with the theory or stay undecided after every retry (undecided never passes),
  and are skipped with the reason when the statement does not apply.
* ``--tp4-depth L`` (depth of a preset; default 2), ``--tp4-phi tanh|sigma-gelu[:σ]|both`` (default
  tanh), ``--tp4-profile dev|ci|nightly`` (the evidence budget; default ``ci`` when the ``CI`` environment
  variable is set, else ``dev``, as for ``tp4 check``), ``--tp4-against SPEC`` (judge the measurements
  against another parametrization's theory). α is split over every decision the collected checks may
  make (:func:`impl.checks.planned_decisions`), as ``tp4 check`` does for its run.

* ``--tp4-model TARGET`` (repeatable; ``path/file.py:function`` or ``package.module:function``) with
  ``--tp4-expect SPEC``: one test per target, :func:`impl.models.check_model` on the user's own model,
  failing with its report (inferred parametrization, diagnosis, statements) unless everything agrees;

and gives a project's own tests the fixtures

* ``tp4`` — :class:`Tp4`: ``tp4.check(spec, expect="mup")`` is :func:`impl.checks.check_parametrization`
  with the run's profile and φ, ``tp4.check_model(build, expect="mup")`` is :func:`impl.models.check_model`;
  ``result.assert_agrees()`` fails with the table;
* ``tp4_spec`` — each ``--tp4-spec`` parametrization in turn (the test is skipped without one);
* ``tp4_budget`` — the :class:`impl.checks.Budget` of the run's profile.

Results are cached under :func:`impl.measurement.default_cache_dir` (``TP4_CACHE_DIR``), so reruns are fast.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterator

import pytest

from impl.checks import (
    PROFILES,
    STATEMENTS,
    Budget,
    Sweeps,
    Theory,
    budget_for,
    default_profile,
    planned_decisions,
)
from impl.checks.parametrization import (
    ParametrizationCheck,
    check_parametrization,
    phis_of,
    statement_routine,
)
from impl.checks.results import CheckResult
from impl.measurement import Verdict, default_cache_dir
from impl.theory import Parametrization, SpecError, parse_spec

__all__ = ["Tp4", "Tp4CheckItem", "Tp4ModelItem", "Tp4Failure"]

_SPECS = pytest.StashKey[tuple[Parametrization, ...]]()
_AGAINST = pytest.StashKey["Parametrization | None"]()
_PHIS = pytest.StashKey[tuple[str, ...]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tp4", "tp4: theorem checks of Tensor Programs IV")
    group.addoption("--tp4-spec", action="append", default=[], metavar="SPEC",
                    help="check this parametrization: preset, 'a=...;b=...;c=...' or a .json/.toml file (repeatable)")
    group.addoption("--tp4-depth", type=int, default=None, metavar="L", help="depth L of a preset --tp4-spec (default 2)")
    group.addoption("--tp4-profile", choices=PROFILES, default=None,
                    help="evidence budget: dev, ci or nightly (default ci when CI is set, else dev)")
    group.addoption("--tp4-phi", default="tanh", metavar="PHI",
                    help="nonlinearity of the checked networks: tanh (default), sigma-gelu[:σ] or both (Assumption 3.1)")
    group.addoption("--tp4-against", default=None, metavar="SPEC",
                    help="judge the --tp4-spec networks against this parametrization's theory")
    group.addoption("--tp4-model", action="append", default=[], metavar="TARGET",
                    help="check your own model: path/file.py:function or package.module:function (repeatable)")
    group.addoption("--tp4-expect", default=None, metavar="SPEC",
                    help="the parametrization each --tp4-model is believed to be (e.g. mup)")


def _profile(config: pytest.Config) -> str:
    chosen = config.getoption("--tp4-profile")
    return str(chosen) if chosen else default_profile()


def _budget(config: pytest.Config) -> Budget:
    """The run's budget, α split over every decision the collected checks may make."""
    base = budget_for(_profile(config))
    depths = [p.depth for p in config.stash.get(_SPECS, ()) for _ in config.stash.get(_PHIS, ())]
    return replace(base, decisions=planned_decisions(depths, base)) if depths else base


def _parse(text: str, depth: int | None, option: str) -> Parametrization:
    try:
        return parse_spec(text, depth)
    except (SpecError, ValueError) as err:
        raise pytest.UsageError(f"{option} {text!r}: {err}") from None


def pytest_configure(config: pytest.Config) -> None:
    depth = config.getoption("--tp4-depth")
    if depth is not None and depth < 1:
        raise pytest.UsageError(f"--tp4-depth must be >= 1, got {depth}")
    specs = tuple(_parse(s, depth, "--tp4-spec") for s in config.getoption("--tp4-spec"))
    try:
        config.stash[_PHIS] = phis_of(config.getoption("--tp4-phi"))
    except ValueError as err:
        raise pytest.UsageError(f"--tp4-phi: {err}") from None
    against = config.getoption("--tp4-against")
    config.stash[_SPECS] = specs
    config.stash[_AGAINST] = _parse(against, depth, "--tp4-against") if against else None
    if against and any(p.depth != config.stash[_AGAINST].depth for p in specs):  # type: ignore[union-attr]
        raise pytest.UsageError("--tp4-against has another depth than a --tp4-spec")
    expect = config.getoption("--tp4-expect")
    if expect is not None:
        if not config.getoption("--tp4-model"):
            raise pytest.UsageError("--tp4-expect needs a --tp4-model")
        _parse(expect, None if expect.strip().lower() != "mfp" else 1, "--tp4-expect")


def pytest_report_header(config: pytest.Config) -> list[str]:
    specs = config.stash.get(_SPECS, ())
    lines = [f"tp4: profile {_profile(config)}, cache {default_cache_dir()}"]
    if specs:
        lines.append("tp4: checking " + ", ".join(f"{p.name or p.spec()} (L={p.depth})" for p in specs))
    return lines


class Tp4Failure(AssertionError):
    """A collected theorem check that disagreed or stayed undecided (its message is the table)."""


class Tp4CheckItem(pytest.Item):
    """One statement of the paper checked on one ``--tp4-spec`` parametrization with one φ."""

    def __init__(self, *, spec: Parametrization, statement: str, phi: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec, self.statement, self.phi = spec, statement, phi

    def runtest(self) -> None:
        _, fn = STATEMENTS[self.statement]
        against = self.config.stash.get(_AGAINST, None)
        result: CheckResult = fn(self.spec, statement_routine(self.statement, self.phi), _budget(self.config),
                                 against=Theory(against) if against is not None else None,
                                 sweeps=Sweeps(cache_dir=default_cache_dir()))
        if result.verdict is Verdict.NOT_APPLICABLE:
            pytest.skip(f"{result.title}: {result.reason}")
        if not result.agrees:
            raise Tp4Failure(str(result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, Tp4Failure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"tp4: {self.name}"


class Tp4ModelItem(pytest.Item):
    """One ``--tp4-model`` target: :func:`impl.models.check_model`, failing with its report unless it agrees."""

    def __init__(self, *, target: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target = target

    def runtest(self) -> None:
        from impl.models import ModelError, check_model

        try:
            result = check_model(self.target, expect=self.config.getoption("--tp4-expect"), profile=_profile(self.config))
        except ModelError as err:
            raise Tp4Failure(f"{self.target}: {err}") from None
        if not result.agrees:
            raise Tp4Failure(str(result))

    repr_failure = Tp4CheckItem.repr_failure
    reportinfo = Tp4CheckItem.reportinfo


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Append one item per (spec, φ, statement) for the ``--tp4-spec`` parametrizations (before -k/-m select),
    and report them as collected (so the run's counts include them)."""
    new: list[pytest.Item] = []
    for p in config.stash.get(_SPECS, ()):
        label = (p.name or p.spec()).replace(" ", "")
        for phi in config.stash.get(_PHIS, ()):
            for key in STATEMENTS:
                name = f"tp4[{label}-L{p.depth}-{phi}-{key}]"
                new.append(Tp4CheckItem.from_parent(session, name=name, nodeid=f"tp4::{name}",
                                                    spec=p, statement=key, phi=phi))
    for target in config.getoption("--tp4-model"):
        name = f"tp4-model[{target}]"
        new.append(Tp4ModelItem.from_parent(session, name=name, nodeid=f"tp4::{name}", target=target))
    if new:
        items.extend(new)
        report = pytest.CollectReport("tp4", "passed", None, list(new))
        config.hook.pytest_collectreport(report=report)


@dataclass(frozen=True)
class Tp4:
    """The ``tp4`` fixture: the run's profile and φ, and :meth:`check`."""

    profile: str
    phi: str

    @property
    def budget(self) -> Budget:
        return budget_for(self.profile)

    def check(self, spec: "str | Parametrization", **kwargs: Any) -> ParametrizationCheck:
        """:func:`impl.checks.check_parametrization` with this run's profile and φ (keywords override)."""
        kwargs.setdefault("profile", self.profile)
        kwargs.setdefault("phi", self.phi)
        return check_parametrization(spec, **kwargs)

    def check_model(self, build: Any, **kwargs: Any) -> Any:
        """:func:`impl.models.check_model` with this run's profile (keywords override): ``build`` is
        ``'file.py:function'``, ``'module:function'`` or the function itself."""
        from impl.models import check_model

        kwargs.setdefault("profile", self.profile)
        return check_model(build, **kwargs)


@pytest.fixture(scope="session")
def tp4(pytestconfig: pytest.Config) -> Tp4:
    """Check parametrizations from your own tests: ``tp4.check("a=…", expect="mup").assert_agrees()``."""
    return Tp4(_profile(pytestconfig), pytestconfig.getoption("--tp4-phi"))


@pytest.fixture(scope="session")
def tp4_budget(pytestconfig: pytest.Config) -> Budget:
    """The :class:`impl.checks.Budget` of the run's ``--tp4-profile``."""
    return budget_for(_profile(pytestconfig))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "tp4_spec" in metafunc.fixturenames:
        specs = metafunc.config.stash.get(_SPECS, ())
        if specs:
            metafunc.parametrize("tp4_spec", list(specs), ids=[f"{p.name or p.spec()}-L{p.depth}" for p in specs])


@pytest.fixture
def tp4_spec() -> Iterator[Parametrization]:
    """Each ``--tp4-spec`` parametrization in turn (parametrized); skipped when none was given."""
    pytest.skip("no --tp4-spec given")
    yield  # pragma: no cover
