"""How much finite-width evidence a check buys: :class:`Budget`, one per profile (dev, ci, nightly).

A budget is an argument of every check — never read from the environment or from hypothesis: the
widths of every sweep, the network seeds of a first attempt, how many times an undecided claim is
retried with twice the seeds, the hypothesis examples a suite draws per finite-width check, and the
error-rate bookkeeping: every decision's interval has level 1 − α with α = ``family_alpha`` split
(Bonferroni, :func:`impl.measurement.per_check_alpha`) over ``decisions``, the number of decisions
one run may make. A decision on correct theory is a false ``disagree`` with probability ≤ α/2
(:mod:`impl.measurement.decision`), so a run raises any false alarm with probability ≤ ``family_alpha``/2
— *if* ``decisions`` counts them all. :func:`impl.checks.planned_decisions` counts every claim of every
statement at every attempt, and ``tp4 check``, :func:`~impl.checks.check_parametrization`, the plugin's
collected checks and ``tp4 report`` split α over that count. The profiles' own ``decisions`` (120, 160,
600) are the nominal family of one run of this project's theorem suite, where each finite-width test
draws a few examples: a round number, not a count of every claim at every retry (which is larger), so
the suite's family-wise bound is nominal; the per-check false-alarm rates are measured instead
(``tp4 calibrate-checks``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from impl.measurement import per_check_alpha

__all__ = ["Budget", "BUDGETS", "PROFILES", "budget_for", "default_profile"]

PROFILES: tuple[str, ...] = ("dev", "ci", "nightly")


@dataclass(frozen=True)
class Budget:
    """Widths, seeds, retries and α of the finite-width checks (see the module docstring).

    ``lr_widths`` and ``lr_seeds`` are those of the largest-stable-learning-rate search
    (:mod:`impl.checks.max_lr`), which is much costlier per network than a sweep.
    """

    profile: str
    widths: tuple[int, ...]
    seeds: int
    retries: int
    examples: int
    decisions: int
    family_alpha: float = 0.05
    lr_widths: tuple[int, ...] = (64, 128, 256, 512, 1024)
    lr_seeds: int = 8

    def __post_init__(self) -> None:
        if len(set(self.widths)) < 2 or min(self.widths) < 1:
            raise ValueError(f"a budget needs at least two distinct positive widths, got {self.widths}")
        if self.seeds < 2 or self.retries < 0 or self.examples < 1 or self.decisions < 1 or self.lr_seeds < 2:
            raise ValueError(f"budget {self.profile!r}: seeds ≥ 2, retries ≥ 0, examples ≥ 1, decisions ≥ 1, "
                             f"lr_seeds ≥ 2 required")

    @property
    def alpha(self) -> float:
        """The per-decision α (each interval's level is 1 − α)."""
        return per_check_alpha(self.family_alpha, self.decisions)

    def seeds_at(self, attempt: int, first: int | None = None) -> int:
        """Seeds of attempt 0, 1, …: ``first`` (default :attr:`seeds`) doubled per retry."""
        return (self.seeds if first is None else first) * 2 ** attempt



BUDGETS: dict[str, Budget] = {
    "dev": Budget("dev", (64, 128, 256, 512, 1024), seeds=16, retries=4, examples=2, decisions=120),
    "ci": Budget("ci", (64, 128, 256, 512, 1024), seeds=16, retries=4, examples=3, decisions=160),
    "nightly": Budget("nightly", (128, 256, 512, 1024, 2048, 4096), seeds=32, retries=4, examples=12, decisions=600,
                      lr_widths=(128, 256, 512, 1024, 2048, 4096)),
}
"""Per profile. Most claims are decided at the first attempt; the retries (16 → 256 seeds at dev and ci)
are for Θ(1) claims of quantities with a weak deterministic part — second-order ones, σ-gelu's sharp
kink — whose seed-averaged size needs many seeds for an interval inside ±δ (:mod:`impl.checks.evidence`)."""


def default_profile() -> str:
    """The profile when none is given: ``ci`` when the ``CI`` environment variable is set, else ``dev``
    (read when called; ``tp4 check``, ``tp4 calibrate-checks`` and the pytest plugin share it)."""
    return "ci" if os.environ.get("CI") else "dev"


def budget_for(profile: "str | Budget") -> Budget:
    """The budget of a profile name (``dev``, ``ci``, ``nightly``), or ``profile`` itself if it is a Budget."""
    if isinstance(profile, Budget):
        return profile
    try:
        return BUDGETS[profile]
    except KeyError:
        raise ValueError(f"unknown profile {profile!r} (choose from {', '.join(PROFILES)})") from None
