"""Width sweeps of the user's model, as the checks layer asks for them: :class:`ModelSweeps`.

The checks of :mod:`impl.checks` take a :class:`~impl.checks.Sweeps` and ask it for sweeps of a
parametrization under a routine with a job; :class:`ModelSweeps` answers with sweeps of the user's model
instead (:class:`~impl.models.record.ModelJob`), so every statement runs on the user's code unchanged.
Network seeds are derived from the target's name (without its directory) and the routine (SHA-256, as everywhere in tp4); jobs
are cached in ``cache_dir`` (by default a temporary directory for one :func:`impl.models.check_model`
call, so retries and statements share measurements) under a key that includes a digest of the model's
source file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any, Callable, Sequence

from impl.checks import Sweeps, simulate_eta_pair, simulate_job
from impl.checks.dichotomy import eta_pair
from impl.measurement import SweepResult, code_version, run_sweep
from impl.measurement.cache import canonical
from impl.models.record import ModelJob
from impl.simulation import Routine, one_thread
from impl.theory import Parametrization

__all__ = ["ModelSweeps", "EtaPairJob", "model_seeds"]


@dataclass(frozen=True)
class EtaPairJob:
    """The dichotomy's η-vs-2η job (:func:`impl.checks.dichotomy.eta_pair`) on the user's model."""

    job: ModelJob

    def __call__(self, p: Any, routine: Routine, width: int, seeds: Sequence[int]) -> Any:
        one, two = (self.job(p, replace(routine, lr=k * routine.lr, steps=1), width, seeds) for k in (1, 2))
        return eta_pair(one, two)


def model_seeds(target: str, routine: Any, n: int) -> tuple[int, ...]:
    """n network seeds, a deterministic function of the target's name and the routine (first k shared)."""
    text = json.dumps([target, canonical(routine)], sort_keys=True, separators=(",", ":"))
    base = (int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 100_000) * 1_000
    return tuple(range(base, base + n))


@dataclass(frozen=True)
class ModelSweeps(Sweeps):
    """:class:`~impl.checks.Sweeps` that measure the user's model (module docstring)."""

    job: ModelJob | None = None

    def run(self, p: Parametrization | None, routine: Any, widths: Sequence[int], n_seeds: int, *,
            job: Callable[..., Any] = simulate_job, seeds_of: Parametrization | None = None,
            seed_key: Any = None, code: str = "", seed_chunk: int | None = 16) -> SweepResult:
        if self.job is None:
            raise ValueError("ModelSweeps needs a ModelJob")
        if job is simulate_job:
            fn: Callable[..., Any] = self.job
        elif job is simulate_eta_pair:
            fn = EtaPairJob(self.job)
        else:
            raise ValueError(f"{getattr(job, '__name__', job)} runs tp4's own engine; it has no user-model form")
        seeds = model_seeds(self.job.target.key, routine if seed_key is None else seed_key, n_seeds)
        version = code_version(fn) + self.job.target.key + self.job.target.source_digest + code
        with one_thread():
            return run_sweep(p, routine, widths, seeds, executor=self.executor, cache_dir=self.cache_dir,
                             progress=self.progress, seed_chunk=min(n_seeds, seed_chunk or n_seeds),
                             simulate_fn=fn, code_version=version)
