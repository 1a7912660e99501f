"""What a report runs: its profiles — the checks' budget, the parametrizations, Figure 4, the paper.

Every statement is decided by the checks layer (:mod:`impl.checks`) on the theorem checks' routine
(:data:`impl.checks.ROUTINE`: tanh, η = 1, batch 1, MSE with labels ±2, 64 probes, T = 2 SGD steps of
Eq. (1)) with the profile's :class:`impl.checks.Budget` — its widths, its first seeds, the retries with
doubled seeds while a statement is undecided, and the max-LR search's widths and seeds. Figure 4's data
come from :func:`impl.limits.figure4.figure4_data` (Section 9.1).
"""

from __future__ import annotations

from dataclasses import dataclass

from impl.checks import Budget
from impl.limits.figure4 import Figure4Settings

__all__ = ["DISPLAY", "SUITE", "Profile", "PROFILES"]

DISPLAY = {"sp": "SP", "sp-lr1n": "SP, LR 1/n", "ntp": "NTP", "mfp": "MFP", "mup": "µP"}
SUITE: tuple[tuple[str, int], ...] = tuple(
    (name, depth) for name in ("sp", "sp-lr1n", "ntp", "mfp", "mup", "up:1/4") for depth in (1, 2, 3)
    if name != "mfp" or depth == 1
)


@dataclass(frozen=True)
class Profile:
    """How much evidence a report buys: the checks' ``budget`` (its ``decisions`` is recomputed for the
    report's own family, :func:`impl.reporting.collect.collect_report`), the parametrizations ``presets``
    ((name, depth) pairs), the max-LR search on ``lr_presets``, Figure 4 (``figure4``: finite µP networks
    against their limits; None: skipped), and ``paper``: the profile of the paper's experiments in
    miniature (:mod:`impl.experiments`, MAML and Word2Vec tables) run with the report; None skips them."""

    name: str
    budget: Budget
    presets: tuple[tuple[str, int], ...]
    lr_presets: tuple[tuple[str, int], ...]
    figure4: Figure4Settings | None = None
    paper: str | None = None


PROFILES: dict[str, Profile] = {
    "quick": Profile(
        "quick", Budget("quick", (64, 128, 256, 512, 1024), seeds=64, retries=3, examples=1, decisions=1,
                        lr_widths=(64, 128, 256, 512, 1024), lr_seeds=16),
        presets=SUITE, lr_presets=(("sp", 2), ("ntp", 2), ("mup", 2)),
        figure4=Figure4Settings(widths=(128, 512, 2048), seeds=16, particles=2**15)),
    "nightly": Profile(
        "nightly", Budget("nightly", (128, 256, 512, 1024, 2048, 4096), seeds=64, retries=3, examples=1, decisions=1,
                          lr_widths=(128, 256, 512, 1024, 2048), lr_seeds=32),
        presets=SUITE, lr_presets=(("sp", 2), ("sp-lr1n", 2), ("ntp", 2), ("mfp", 1), ("mup", 2), ("up:1/4", 2)),
        figure4=Figure4Settings(widths=(256, 1024, 4096)),  # the paper's 100 seeds; 2^19 particles
        paper="nightly"),
    "tiny": Profile(  # the tests and reports/example: seconds
        "tiny", Budget("tiny", (64, 128, 256), seeds=32, retries=2, examples=1, decisions=1,
                       lr_widths=(64, 128, 256), lr_seeds=8),
        presets=(("mup", 1), ("sp", 1)), lr_presets=(("mup", 1),),
        figure4=Figure4Settings(phis=("identity",), etas=(0.2,), archs=("mlp1",), widths=(64, 256), seeds=8,
                                particles=2**12)),
}
