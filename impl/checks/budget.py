"""How much finite-width evidence a check buys: :class:`Budget`, one per profile (dev, ci, nightly).

A budget is an argument of every check — never read from the environment or from hypothesis: the
widths of every sweep, the network seeds of a first attempt, how many times an undecided claim is
retried with twice the seeds, the hypothesis examples a suite draws per finite-width check, the
margin δ of every decision, and the error-rate bookkeeping.

Error rates. ``decisions`` is the number of *claims* one run may decide; each claim's share of the
family α is α_claim = ``family_alpha``/``decisions`` (Bonferroni, :func:`impl.measurement.per_check_alpha`).
A claim decided again after a retry is a new decision on new data, so its α_claim is *spent* over the
attempts (:meth:`Budget.alpha_at`): attempt k of R retries decides at level 1 − α_claim·w_k with
w = ½, ¼, …, 2^{−R}, 2^{−R} (Σ w = 1). A decision on correct theory is a false ``disagree`` with
probability ≤ α/2 (:mod:`impl.measurement.decision`), so by the union bound over attempts a claim raises
a false alarm with probability ≤ α_claim/2 however many retries it takes, and a run with at most
``decisions`` claims raises one with probability ≤ ``family_alpha``/2.

Margins. ``margin`` is the δ of quantities averaged over a layer's coordinates (updates, features, f₀) and
of the first-order seed-averaged scalars (the output's terms ΔW^{L+1}x^L, W₀^{L+1}Δx^L, fₜ − f₀) after one
step; ``scalar_margin`` that of the seed-averaged scalars whose finite-width bias is not modelled — the
second-order ones (the feature-kernel change, the η-nonlinearity) and every scalar from step 2 on
(:func:`impl.measurement.decide_quantity`). A decision is only as fine as δ: claims ¼ apart are separated by
δ < ⅛ (dev and ci: 0.15 for both — their widths 64…1024 leave biases up to ≈0.1), claims ⅛ apart only by
δ < 1/16. Measured at nightly's widths 128…4096 (32 seeds, random stable draws), the coordinate-averaged
slopes sat within 0.057 of the exact exponent (16 draws: median 0.007, none beyond 3.6 standard errors) and
the first-order scalars' after one step within 0.048 (81 claims, 26 draws), so nightly's ``margin`` is 1/16;
the second-order scalars' slopes were up to 0.165 off beyond their noise and the output's terms after two
steps up to 0.14, so ``scalar_margin`` stays 0.15. :func:`impl.checks.planned_decisions`
counts every claim of every statement; ``tp4 check``, :func:`~impl.checks.check_parametrization`, the
plugin's collected checks and ``tp4 report`` split α over that count, and the theorem suite over its own
(``theorem_checks/suite.py``, which also verifies at the end of a session that it did not make more).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from impl.measurement import DEFAULT_MARGIN, per_check_alpha

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
    margin: float = DEFAULT_MARGIN
    scalar_margin: float = DEFAULT_MARGIN
    lr_widths: tuple[int, ...] = (64, 128, 256, 512, 1024)
    lr_seeds: int = 8

    def __post_init__(self) -> None:
        if len(set(self.widths)) < 2 or min(self.widths) < 1:
            raise ValueError(f"a budget needs at least two distinct positive widths, got {self.widths}")
        if not (0 < self.margin < 1 and 0 < self.scalar_margin < 1):
            raise ValueError(f"budget {self.profile!r}: the margins δ must lie in (0, 1), got {self.margin}, "
                             f"{self.scalar_margin}")
        if self.seeds < 2 or self.retries < 0 or self.examples < 1 or self.decisions < 1 or self.lr_seeds < 2:
            raise ValueError(f"budget {self.profile!r}: seeds ≥ 2, retries ≥ 0, examples ≥ 1, decisions ≥ 1, "
                             f"lr_seeds ≥ 2 required")

    @property
    def alpha(self) -> float:
        """α_claim, one claim's share of the family α (spent over its attempts: :meth:`alpha_at`)."""
        return per_check_alpha(self.family_alpha, self.decisions)

    def alpha_at(self, attempt: int) -> float:
        """The α of attempt ``attempt`` (0, 1, …, ``retries``) of a claim: α_claim·2^{−(k+1)}, the last
        attempt 2^{−retries}, so a claim's attempts together spend α_claim (module docstring)."""
        if not 0 <= attempt <= self.retries:
            raise ValueError(f"attempt must lie in 0…{self.retries}, got {attempt}")
        return self.alpha * 2.0 ** -(attempt + (attempt < self.retries))

    def seeds_at(self, attempt: int, first: int | None = None) -> int:
        """Seeds of attempt 0, 1, …: ``first`` (default :attr:`seeds`) doubled per retry."""
        return (self.seeds if first is None else first) * 2 ** attempt



BUDGETS: dict[str, Budget] = {
    "dev": Budget("dev", (64, 128, 256, 512, 1024), seeds=16, retries=5, examples=2, decisions=120),
    "ci": Budget("ci", (64, 128, 256, 512, 1024), seeds=16, retries=5, examples=3, decisions=160),
    "nightly": Budget("nightly", (128, 256, 512, 1024, 2048, 4096), seeds=32, retries=4, examples=12, decisions=600,
                      margin=1 / 16, lr_widths=(128, 256, 512, 1024, 2048, 4096)),
}
"""Per profile. Most claims are decided at the first attempt; the retries (16 → 512 seeds at dev and ci: the
fifth doubling was added when α became honest — a σ-gelu feature-kernel change stayed undecided at 256 seeds
with the interval of a 400-claim family) are for Θ(1) claims of quantities with a weak deterministic part — second-order ones, σ-gelu's sharp
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
