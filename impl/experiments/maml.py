"""First-order MAML in miniature (Section 9.2, App. D.1; the paper's Table 2): µP linear networks of finite
width, their µP limit and fixed-feature kernel baselines, N-way 1-shot, on the data of :mod:`.fewshot`.

First-order MAML (Section 9.2, steps 1–6): for a batch of tasks, adapt θ′ = θ − ε∇L_D(θ) on each task's
support set (1 step at meta-train, 20 at meta-test), take the gradient of the query loss L_D′ at θ′, average
it over the batch, clip it to norm ≤ g and step θ −= η·(clipped mean). The network and its limit run
:mod:`impl.limits.linear_net` (Algorithms 2/3: they differ only in the initial weights and hidden size),
the kernels run Algorithm 4 (:mod:`.maml_kernels`). Jobs are one (setting, model, seed) each, so that a
cache and a pool of workers can sit on :func:`run_maml_job`; :func:`maml_tables` assembles Table-2-style
results.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any, Protocol, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from impl.experiments.fewshot import SETTINGS, FewShotData, TaskBatch, cross_entropy_chi, load_setting, sample_tasks
from impl.experiments.maml_kernels import KERNEL_MODELS, KernelLearner, pool_kernel
from impl.experiments.table import ExperimentTable, Row
from impl.limits.linear_net import LinearNet, linear_net_gradient, linear_net_init, linear_net_output, linear_net_step

__all__ = ["MamlProfile", "MAML_PROFILES", "MamlJob", "maml_jobs", "run_maml_job", "maml_tables", "run_maml",
           "MetaLearner", "NetLearner", "meta_test_accuracy"]

_TAG = 0x92A  # SeedSequence tag of the MAML task streams and initial weights
_LABELS = {"mup-limit": "µP limit", "linear-features": "linear GP/NTK", "relu-nngp": "relu NNGP", "relu-ntk": "relu NTK"}


@dataclass(frozen=True)
class MamlProfile:
    """Everything that fixes a MAML run besides (setting, model, seed). Defaults: the paper's task batch 32,
    ε = 0.4, clip g = 0.5, 1 adaptation step at meta-train and 20 at meta-test, σ_u = 1, σ_v = 1/32, α = 1
    (Table 4's rows for width ≥ 2⁹ and µP), but η = 1 instead of Table 4's 0.1 (not tuned here: the quick
    profile's 1000 meta-steps are 10× fewer than the paper's 100 epochs × 100 batches; nightly has 10 000)
    and one setting for every model, kernels included (the paper tunes each model)."""

    name: str
    widths: tuple[int, ...]
    seeds: int
    meta_steps: int
    test_tasks: int
    ways: int = 5
    task_batch: int = 32
    eps: float = 0.4
    train_adapt_steps: int = 1
    test_adapt_steps: int = 20
    eta: float = 1.0
    clip: float = 0.5
    sigma_u: float = 1.0
    sigma_v: float = 1 / 32
    alpha: float = 1.0
    kernel_w_std: float = 1.0
    kernel_b_std: float = 1.0

    def digest(self) -> str:
        """8 hex digits of SHA-1 over the fields (stable across processes; part of :meth:`MamlJob.key`)."""
        return hashlib.sha1(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:8]

    def models(self) -> tuple[str, ...]:
        """Model names in table order: finite widths ascending, the µP limit, the kernel baselines."""
        return tuple(f"width-{n}" for n in sorted(self.widths)) + ("mup-limit",) + KERNEL_MODELS


MAML_PROFILES: dict[str, MamlProfile] = {
    "quick": MamlProfile("quick", (2, 8, 32, 128, 1024), seeds=3, meta_steps=1000, test_tasks=500),
    "nightly": MamlProfile("nightly", (2, 8, 32, 128, 512, 2048, 8192), seeds=5, meta_steps=10_000,
                           test_tasks=2000),
}


def _profile(name: str) -> MamlProfile:
    if name not in MAML_PROFILES:
        raise ValueError(f"unknown MAML profile {name!r}; choose from {', '.join(MAML_PROFILES)}")
    return MAML_PROFILES[name]


def _width(model: str) -> int | None:
    """n for "width-<n>", None for the µP limit; ValueError for anything that is not a network."""
    if model == "mup-limit":
        return None
    head, _, n = model.partition("-")
    if head != "width" or not n.isdigit() or int(n) < 1 or n != str(int(n)):
        raise ValueError(f"unknown MAML model {model!r}; use width-<n>, mup-limit or one of {', '.join(KERNEL_MODELS)}")
    return int(n)


@dataclass(frozen=True)
class MamlJob:
    """One meta-training run and its meta-test score: (setting, model, seed) under profile ``profile``."""

    setting: str
    model: str
    seed: int
    profile: str = "quick"

    def __post_init__(self) -> None:
        if self.setting not in SETTINGS:
            raise ValueError(f"unknown few-shot setting {self.setting!r}; choose from {', '.join(SETTINGS)}")
        if self.model not in KERNEL_MODELS:
            _width(self.model)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {self.seed!r}")
        _profile(self.profile)

    def key(self) -> str:
        """A stable, filename-safe cache key naming the profile's contents (its digest) as well."""
        return f"maml_{self.profile}-{_profile(self.profile).digest()}_{self.setting}_{self.model}_s{self.seed}"


def maml_jobs(profile: str, settings: Sequence[str] | None = None) -> list[MamlJob]:
    """Every (setting, model, seed) of ``profile``, settings in :data:`SETTINGS` order unless given."""
    prof = _profile(profile)
    chosen = SETTINGS if settings is None else tuple(settings)
    for s in chosen:
        if s not in SETTINGS:
            raise ValueError(f"unknown few-shot setting {s!r}; choose from {', '.join(SETTINGS)}")
    return [MamlJob(s, m, seed, profile) for s in chosen for m in prof.models() for seed in range(prof.seeds)]


class MetaLearner(Protocol):
    """What the MAML loop needs of a model: per-task adaptation, query logits, the first-order meta step."""

    def adapt(self, tasks: TaskBatch, steps: int, eps: float) -> Any: ...

    def query_logits(self, adapted: Any, tasks: TaskBatch) -> np.ndarray: ...

    def meta_step(self, adapted: Any, tasks: TaskBatch, eta: float, clip: float) -> None: ...


@dataclass(eq=False)
class NetLearner:
    """The linear µP network (finite width, Gram-reduced, or its limit) as a :class:`MetaLearner`: adaptation
    is Algorithm 2/3 without clipping or weight decay (App. D.1.1), the meta step the clipped mean gradient."""

    x: np.ndarray
    net: LinearNet
    alpha: float

    def adapt(self, tasks: TaskBatch, steps: int, eps: float) -> LinearNet:
        """θ′ per task: ``steps`` SGD steps of size ε on the support set; leading axis = tasks."""
        X = self.x[tasks.support]
        net = LinearNet(*(np.broadcast_to(w, (X.shape[0],) + w.shape) for w in self.net))
        for _ in range(steps):
            chi = cross_entropy_chi(linear_net_output(net, X), tasks.support_labels)
            net = linear_net_step(net, linear_net_gradient(net, X, chi, self.alpha), eps, alpha=self.alpha)
        return net

    def query_logits(self, adapted: LinearNet, tasks: TaskBatch) -> np.ndarray:
        """f_θ′ on each task's query set, (tasks, Q, d_o)."""
        return linear_net_output(adapted, self.x[tasks.query])

    def meta_step(self, adapted: LinearNet, tasks: TaskBatch, eta: float, clip: float) -> None:
        """Steps 5–6: θ += η·ρ·mean_tasks(−∇_θ′ L_D′), ρ = min(1, g/G) (Algorithm 2/3 lines 13–22, γ = 0)."""
        X = self.x[tasks.query]
        chi = cross_entropy_chi(linear_net_output(adapted, X), tasks.query_labels)
        grad = linear_net_gradient(adapted, X, chi, self.alpha)
        self.net = linear_net_step(self.net, LinearNet(*(g.mean(axis=0) for g in grad)), eta, alpha=self.alpha,
                                   clip=clip)


def _rng(*words: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([_TAG, *words])))


def _learner(job: MamlJob, prof: MamlProfile, data: FewShotData) -> MetaLearner:
    if job.model in KERNEL_MODELS:
        K = pool_kernel(job.model, data.x, w_std=prof.kernel_w_std, b_std=prof.kernel_b_std)
        return KernelLearner(K, np.zeros((K.shape[0], prof.ways)))
    width = _width(job.model)
    rng = _rng(job.seed, SETTINGS.index(job.setting), 2, width or 0)
    net = linear_net_init(data.dim, prof.ways, width, rng, sigma_u=prof.sigma_u, sigma_v=prof.sigma_v)
    return NetLearner(data.x, net, prof.alpha)


def meta_test_accuracy(learner: MetaLearner, data: FewShotData, prof: MamlProfile, rng: np.random.Generator) -> float:
    """Section 9.2's meta-test accuracy (%): mean query accuracy over ``prof.test_tasks`` unseen tasks (side 1),
    each after ``test_adapt_steps`` adaptation steps of size ε on its support set."""
    correct, chunk = 0.0, 250
    for start in range(0, prof.test_tasks, chunk):
        tasks = sample_tasks(data, 1, min(chunk, prof.test_tasks - start), rng, ways=prof.ways)
        logits = learner.query_logits(learner.adapt(tasks, prof.test_adapt_steps, prof.eps), tasks)
        correct += float(np.sum(np.argmax(logits, axis=-1) == tasks.query_labels)) / tasks.query.shape[1]
    return 100.0 * correct / prof.test_tasks


def run_maml_job(job: MamlJob) -> float:
    """Meta-train ``job.model`` on ``job.setting`` and return its meta-test accuracy in percent. The task
    streams depend only on (seed, setting) — every model of a seed sees the same tasks — and the initial
    weights on (seed, setting, width); all drawn from SeedSequence, so the result is deterministic. BLAS
    runs on one thread (the matrices are tiny: two threads measured 3× the CPU time and slower wall time)."""
    prof, data = _profile(job.profile), load_setting(job.setting)
    with threadpool_limits(limits=1):
        learner = _learner(job, prof, data)
        train_rng = _rng(job.seed, SETTINGS.index(job.setting), 0)
        for _ in range(prof.meta_steps):
            tasks = sample_tasks(data, 0, prof.task_batch, train_rng, ways=prof.ways)
            learner.meta_step(learner.adapt(tasks, prof.train_adapt_steps, prof.eps), tasks, prof.eta, prof.clip)
        return meta_test_accuracy(learner, data, prof, _rng(job.seed, SETTINGS.index(job.setting), 1))


_NOTES = {
    "digits-images": "Meta-test on unseen images of the same 10 digits (the closest miniature of Omniglot's "
                     "unseen drawings; unlike Omniglot, the classes themselves are not new).",
    "digits-classes": "Meta-train on digits 0–4, meta-test on 5–9: with only 5 classes per side every task uses "
                      "the same classes, so the learned representation meta-overfits to 0–4 and the µP "
                      "networks can score below the fixed-feature kernels here; reported, not a paper claim.",
    "synthetic": "Fresh classes on each side; class means share an 8-dimensional subspace of R^64 hidden in "
                 "isotropic noise, which feature learning can find and fixed features cannot.",
}
_COMMON = (
    "Shows in miniature (image split, synthetic family): finite µP widths approach the µP limit, and the "
    "limit (feature learning) beats the fixed-feature models (the linear network's GP/NTK limit, relu "
    "NNGP/NTK); with η = 0 the limit scores like the linear-features model. Cannot show: Omniglot accuracies, "
    "hyperparameters tuned per model as in Table 4 (one shared setting here), 15-seed reruns.",
    "Follows the paper: first-order MAML (Section 9.2), task batch 32, ε = 0.4, 1 adaptation step at meta-train "
    "and 20 at meta-test, meta-gradient clipped at norm 0.5 (not during adaptation), no weight decay, β₀ = 0, "
    "Algorithms 2/3 (finite widths run exactly in Gram-reduced form) and Algorithm 4 for the kernels.",
    "Our choices (the authors' code may differ): loss = softmax cross-entropy averaged over each task's 5 "
    "examples, meta-gradient = mean over the task batch with one clip on the batch's norm (Algorithm 4 clips "
    "per task), η = 1 for every model (untuned), kernels with σ_w = σ_b = 1 on inputs of mean ‖ξ‖² = 1, "
    "kernel models start from f = 0 (Q = {}), meta-test tasks identical across models of a seed.",
)


def maml_tables(jobs: Sequence[MamlJob], scores: Sequence[float]) -> list[ExperimentTable]:
    """One Table-2-style :class:`ExperimentTable` per (profile, setting) of ``jobs``: rows are finite widths
    ascending, "µP limit", then the baselines; each row holds the scores of its seeds in seed order."""
    if len(jobs) != len(scores):
        raise ValueError(f"got {len(jobs)} jobs but {len(scores)} scores")
    groups: dict[tuple[str, str], dict[str, dict[int, float]]] = {}
    for job, score in zip(jobs, scores):
        groups.setdefault((job.profile, job.setting), {}).setdefault(job.model, {})[job.seed] = float(score)
    tables = []
    for (profile, setting), by_model in sorted(groups.items(), key=lambda kv: (kv[0][0], SETTINGS.index(kv[0][1]))):
        prof = _profile(profile)
        order = sorted((m for m in by_model if m not in _LABELS), key=lambda m: _width(m) or 0)
        order += [m for m in _LABELS if m in by_model]
        rows = tuple(Row(f"width {_width(m)}", "finite", tuple(by_model[m][s] for s in sorted(by_model[m])), _width(m))
                     if m not in _LABELS else
                     Row(_LABELS[m], "limit" if m == "mup-limit" else "baseline",
                         tuple(by_model[m][s] for s in sorted(by_model[m])))
                     for m in order)
        config = {k: v for k, v in asdict(prof).items() if k not in ("name", "widths", "seeds")}
        tables.append(ExperimentTable("maml", setting, f"{prof.ways}-way 1-shot meta-test accuracy %", rows,
                                      {"profile": profile, "setting": setting, **config},
                                      (_NOTES[setting],) + _COMMON))
    return tables


def run_maml(profile: str, settings: Sequence[str] | None = None) -> list[ExperimentTable]:
    """All jobs of ``profile`` (optionally only some settings), run serially, as tables."""
    jobs = maml_jobs(profile, settings)
    return maml_tables(jobs, [run_maml_job(job) for job in jobs])
