"""What a report runs: the profiles, the training routine on a device, and the cacheable jobs.

The sweeps use the routine of the finite-width theorem checks (:class:`theorem_checks.finite.Routine`:
tanh, η = 1, batch 1, MSE with labels ±2, 64 probes, T = 2 SGD steps of Eq. (1)), the max-LR search is
the Theorem 4.1 check's (:func:`theorem_checks.finite.max_stable_lr` under its ``LR_ROUTINE``), and the
Figure 4 data come from :func:`impl.limits.figure4.figure4_data` (Section 9.1). Each job is a
top-level function ``fn(p, routine, width, seeds)`` as :func:`impl.measurement.run_sweep` expects, so
it runs in-process, in a process pool or on a dask cluster, and is cached per (spec, width, seed chunk).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Sequence

import numpy as np
import torch

from impl.limits.figure4 import Figure4Settings
from impl.measurement import JobResult
from impl.simulation import TrainConfig
from impl.theory import Parametrization
from theorem_checks.check_thm_4_1_standard_parametrization import LR_ROUTINE
from theorem_checks.finite import Routine, max_stable_lr, simulate_routine

__all__ = ["MAX_LR_JOB_VERSION", "DISPLAY", "SUITE", "Profile", "PROFILES", "DeviceRoutine", "sweep_job",
           "max_lr_job", "lr_routine_on"]

MAX_LR_JOB_VERSION = ":max_lr/1"  # part of max-LR cache keys; bump when max_lr_job's output changes
DISPLAY = {"sp": "SP", "sp-lr1n": "SP, LR 1/n", "ntp": "NTP", "mfp": "MFP", "mup": "µP"}
SUITE: tuple[tuple[str, int], ...] = tuple(
    (name, depth) for name in ("sp", "sp-lr1n", "ntp", "mfp", "mup", "up:1/4") for depth in (1, 2, 3)
    if name != "mfp" or depth == 1
)


@dataclass(frozen=True)
class Profile:
    """How much evidence a report buys: sweep ``widths`` × ``seeds`` (in jobs of ``seed_chunk``) of the
    parametrizations ``presets`` ((name, depth) pairs), and the Theorem 4.1 max-LR search on ``lr_presets``
    over ``lr_widths`` × ``lr_seeds`` (doubled up to ``lr_retries`` times while undecided), and Figure 4
    (``figure4``: finite µP networks against their limits, :mod:`impl.limits.figure4`; None: skipped). A
    parametrization with an inconclusive statement is swept again with twice the seeds (the first ones
    come from the cache), up to ``retries`` times — the escalation of the theorem checks' ``confirm``.
    Each decision's α is ``family_alpha`` split over every decision the report may make, retries
    included (Bonferroni, ``per_check_alpha``). ``paper`` names the profile of the paper's experiments
    in miniature (:mod:`impl.experiments`: MAML and Word2Vec tables) run with the report; None skips them."""

    name: str
    widths: tuple[int, ...]
    seeds: int
    presets: tuple[tuple[str, int], ...]
    lr_presets: tuple[tuple[str, int], ...]
    lr_widths: tuple[int, ...]
    lr_seeds: int
    seed_chunk: int = 16
    lr_retries: int = 1
    retries: int = 0
    family_alpha: float = 0.05
    figure4: Figure4Settings | None = None
    paper: str | None = None


PROFILES: dict[str, Profile] = {
    "quick": Profile(
        "quick", widths=(64, 128, 256, 512, 1024), seeds=64, presets=SUITE, retries=3,
        lr_presets=(("sp", 2), ("ntp", 2), ("mup", 2)), lr_widths=(64, 128, 256, 512, 1024), lr_seeds=16, lr_retries=2,
        figure4=Figure4Settings(widths=(128, 512, 2048), seeds=16, particles=2**15)),
    "nightly": Profile(
        "nightly", widths=(128, 256, 512, 1024, 2048, 4096), seeds=64, presets=SUITE, retries=3,
        lr_presets=(("sp", 2), ("sp-lr1n", 2), ("ntp", 2), ("mfp", 1), ("mup", 2), ("up:1/4", 2)),
        lr_widths=(128, 256, 512, 1024, 2048), lr_seeds=32,
        figure4=Figure4Settings(widths=(256, 1024, 4096)),  # the paper's 100 seeds; 2^19 particles
        paper="nightly"),
    "tiny": Profile(  # the tests and reports/example: seconds
        "tiny", widths=(64, 128, 256), seeds=32, presets=(("mup", 1), ("sp", 1)),
        lr_presets=(("mup", 1),), lr_widths=(64, 128, 256), lr_seeds=8,
        figure4=Figure4Settings(phis=("identity",), etas=(0.2,), archs=("mlp1",), widths=(64, 256), seeds=8,
                                particles=2**12)),
}


@dataclass(frozen=True)
class DeviceRoutine(Routine):
    """The theorem checks' :class:`~theorem_checks.finite.Routine`, run on ``device`` (cpu or cuda[:k])."""

    device: str = "cpu"

    def config(self) -> TrainConfig:
        return replace(super().config(), device=self.device)


def sweep_job(p: Parametrization, routine: Routine, width: int, seeds: Sequence[int]) -> Any:
    """One (width, seed chunk) sweep job: :func:`theorem_checks.finite.simulate_routine` on one torch thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # measured faster on small VMs; the pool gives parallelism
    try:
        return simulate_routine(p, routine, width, seeds)
    finally:
        torch.set_num_threads(before)


def max_lr_job(p: Parametrization, routine: Routine, width: int, seeds: Sequence[int]) -> JobResult:
    """One max-LR job (Theorem 4.1): per seed the largest stable η (not log) by
    :func:`theorem_checks.finite.max_stable_lr`, as a cacheable ``JobResult`` with quantity ``max_lr``."""
    log2 = max_stable_lr(p, routine, width, seeds)
    return JobResult(width, tuple(seeds), 0, {"max_lr": (2.0 ** log2)[None, :]}, np.full(len(seeds), -1))


def lr_routine_on(routine: Routine) -> Routine:
    """The Theorem 4.1 check's routine (``LR_ROUTINE``: 20 full-batch steps, labels ±2) on ``routine``'s device."""
    return DeviceRoutine(**asdict(LR_ROUTINE), device=getattr(routine, "device", "cpu"))
