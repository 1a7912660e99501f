"""Few-shot data for the MAML experiment in miniature (Section 9.2, App. D.1) and its N-way K-shot tasks.

The paper meta-trains on Omniglot (1623 characters × 20 drawings). Here, on data that ships with a package:

* ``digits-images`` — scikit-learn's 8×8 digits (1797 images, 10 classes, d = 64); each class's images are
  split in half, one half for meta-training and one for meta-testing (same classes, unseen images);
* ``digits-classes`` — digits 0–4 for meta-training and 5–9 for meta-testing (unseen classes, as in the
  paper; with only 5 classes per side every 5-way task uses the same classes, so this meta-overfits);
* ``synthetic`` — 64 fresh classes on each side whose means lie in a shared 8-dimensional subspace of
  R^64, plus isotropic noise in all 64 directions: a learned representation can find the subspace, a
  fixed-feature model cannot.

Inputs are centred with the meta-train mean and scaled so that the mean ‖ξ‖² over meta-train is 1. The
splits and the synthetic pool are fixed (not seed-dependent); tasks come from a seeded ``Generator``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

__all__ = ["SETTINGS", "FewShotData", "TaskBatch", "load_setting", "sample_tasks", "cross_entropy_chi"]

SETTINGS = ("digits-images", "digits-classes", "synthetic")
_TAG = 0x92  # SeedSequence tag of the data splits (Section 9.2)


class _Synthetic(NamedTuple):
    dim: int = 64
    latent: int = 8
    classes: int = 64  # per side
    per_class: int = 20
    within: float = 0.5  # std of the within-class latent noise
    noise: float = 0.8  # std of the isotropic noise per coordinate


_SYNTH = _Synthetic()


@dataclass(frozen=True, eq=False)
class FewShotData:
    """A pool of inputs ``x`` (N, d) with class ids ``y`` (N,); ``sides[0]``/``sides[1]``: for each
    meta-train / meta-test class, the pool indices of its examples."""

    name: str
    x: np.ndarray
    y: np.ndarray
    sides: tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]

    @property
    def dim(self) -> int:
        """Input dimension d."""
        return int(self.x.shape[1])


class TaskBatch(NamedTuple):
    """Pool indices of a batch of N-way K-shot tasks: ``support`` (tasks, N·K) and ``query`` (tasks, N·Q);
    ``support_labels`` / ``query_labels`` the labels 0..N−1 (class j of a task gets label j, and the
    classes are drawn in random order, so the label of a class differs from task to task)."""

    support: np.ndarray
    query: np.ndarray
    support_labels: np.ndarray
    query_labels: np.ndarray


def _normalise(x: np.ndarray, train: np.ndarray) -> np.ndarray:
    centred = x - x[train].mean(axis=0)
    return centred / np.sqrt(np.mean(np.sum(centred[train] ** 2, axis=1)))


def _by_class(y: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(idx[y[idx] == c] for c in np.unique(y[idx]))


@lru_cache(maxsize=4)
def load_setting(name: str) -> FewShotData:
    """The pool and meta-train/meta-test split of a setting in :data:`SETTINGS`."""
    if name not in SETTINGS:
        raise ValueError(f"unknown few-shot setting {name!r}; choose from {', '.join(SETTINGS)}")
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([_TAG, SETTINGS.index(name)])))
    if name == "synthetic":
        x, y = _synthetic(rng)
        train = np.flatnonzero(y < _SYNTH.classes)
    else:
        from sklearn.datasets import load_digits

        digits = load_digits()
        x, y = np.asarray(digits.data, dtype=np.float64) / 16.0, np.asarray(digits.target)
        if name == "digits-classes":
            train = np.flatnonzero(y < 5)
        else:  # half of each class's images, chosen at random
            train = np.sort(np.concatenate([rng.permutation(idx)[: idx.size // 2]
                                            for idx in _by_class(y, np.arange(y.size))]))
    test = np.setdiff1d(np.arange(y.size), train)
    return FewShotData(name, _normalise(x, train), y, (_by_class(y, train), _by_class(y, test)))


def _synthetic(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """2·C classes (C per side) with means P z_c in a shared k-dimensional subspace (P orthonormal, z_c ~
    N(0, I_k)), examples P(z_c + s_w w) + s_n e with w ~ N(0, I_k), e ~ N(0, I_d)."""
    d, k, C, m = _SYNTH.dim, _SYNTH.latent, _SYNTH.classes, _SYNTH.per_class
    P = np.linalg.qr(rng.standard_normal((d, k)))[0]
    z = np.repeat(rng.standard_normal((2 * C, k)), m, axis=0)
    latent = z + _SYNTH.within * rng.standard_normal(z.shape)
    x = latent @ P.T + _SYNTH.noise * rng.standard_normal((z.shape[0], d))
    return x, np.repeat(np.arange(2 * C), m)


def sample_tasks(data: FewShotData, side: int, tasks: int, rng: np.random.Generator, *, ways: int = 5,
                 shots: int = 1, queries: int = 1) -> TaskBatch:
    """``tasks`` N-way K-shot tasks from side 0 (meta-train) or 1 (meta-test): N classes in random order,
    then K + Q distinct examples of each (K for the support set D, Q for the query set D′)."""
    classes = data.sides[side]
    if ways > len(classes) or shots < 1 or queries < 1 or tasks < 1:
        raise ValueError(f"cannot draw {tasks} {ways}-way {shots}-shot tasks with {queries} queries "
                         f"from {len(classes)} classes")
    sizes = np.array([c.size for c in classes])
    if np.any(sizes < shots + queries):
        raise ValueError(f"a class has fewer than {shots + queries} examples")
    chosen = np.argsort(rng.random((tasks, len(classes))), axis=1)[:, :ways]  # (tasks, N), random order
    # K + Q distinct examples per chosen class: the first ones of a random permutation (random sort keys)
    keys = rng.random((tasks, ways, int(sizes.max())))
    keys[np.arange(keys.shape[-1]) >= sizes[chosen][..., None]] = np.inf
    pos = np.argsort(keys, axis=-1)[..., : shots + queries]  # (tasks, N, K + Q)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    flat = np.concatenate(classes)[starts[chosen][..., None] + pos]
    labels = np.broadcast_to(np.arange(ways)[None, :, None], flat.shape)
    split = (slice(None), slice(None))
    sup, qry = flat[split + (slice(None, shots),)], flat[split + (slice(shots, None),)]
    lsup, lqry = labels[split + (slice(None, shots),)], labels[split + (slice(shots, None),)]
    return TaskBatch(sup.reshape(tasks, -1), qry.reshape(tasks, -1), lsup.reshape(tasks, -1),
                     lqry.reshape(tasks, -1))


def cross_entropy_chi(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """χ = L′(f, y) of the softmax cross-entropy averaged over a task's B examples (as torch's
    ``cross_entropy``): (softmax(f) − onehot(y))/B for logits (…, B, N) and integer labels (…, B)."""
    z = logits - logits.max(axis=-1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=-1, keepdims=True)
    np.put_along_axis(p, labels[..., None], np.take_along_axis(p, labels[..., None], -1) - 1.0, -1)
    return p / logits.shape[-2]
