"""CBOW Word2Vec with negative sampling, one computation for every width (Section 9.3, Eq. (33);
App. D.2.1; Algorithms 2–3 of App. D.1.1 without bias or clipping).

f(ξ_J) = V·U·ξ_J with ξ_J the average of the context's one-hot vectors, so the network is two
embedding tables: input embeddings Φ_i (rows of ``U``, the columns of U in the paper) and output
embeddings Φ̂_τ (rows of ``V``). The finite-width-n network starts from Gaussian µP embeddings
(entries N(0, 1/n), σ_u = σ_v = 1); its µP limit is, by Corollary 6.2 / Algorithm 3, the SAME
computation with hidden size 2|V| started from the "diagonal" initialisation Φ_i = e_i,
Φ̂_τ = e_{|V|+τ} (coefficient space). Only the rows of the words in an example are touched.

One SGD step on a batch of B examples (e = centre word i, context J, targets τ_0 = i and k
negatives) takes the gradient, at the weights before the step, of
    Σ_e [ −log σ(Φ_J·Φ̂_i) − Σ_{τ neg} log σ(−Φ_J·Φ̂_τ) + (γ/2)(Σ_{j∈J} ‖Φ_j‖² + Σ_τ ‖Φ̂_τ‖²) ],
with Φ_J = mean_{j∈J} Φ_j (positions counted with multiplicity), and steps by η_t.

Choices where the paper's text and the authors' released code differ (the text is followed
unless noted): output embeddings start Gaussian (text; code: zero); negatives are uniform over
V∖{i} (text: τ uniform on V∖{i}; code: unigram^0.75), k per example with the positive always
present (code; the text draws one target, positive w.p. 1/21, which k = 20 matches in
expectation); the loss is the usual −log σ(±f) (Eq. (34) prints the signs swapped); weight decay
applies to the rows an example touches, once per touch (code: ``*= 1 − αγ`` on touched rows; a
dense per-step decay as in Algorithm 2 would, at batch size 1, erase every embedding within an
epoch); batches of B examples instead of one (speed; code: one at a time, Hogwild); window
half-width drawn uniformly in 1..w per example and frequent-word subsampling (word2vec, both).
The tables are float64 by default (the sparse = dense check); profiles may ask for float32.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch

from impl.experiments.corpus import subsample_keep_prob

__all__ = ["W2vConfig", "CbowBatch", "cbow_batches", "cbow_step", "train_cbow"]


@dataclass(frozen=True)
class W2vConfig:
    """Everything that fixes a training run except the model and the seed.

    ``vocab``: top-K words; ``prefix``: first tokens of the corpus (None: all); ``window``: maximal
    context half-width w; ``negatives``: k per example; ``subsample``: word2vec threshold t;
    ``eta``: initial learning rate, decaying linearly to η/10⁴; ``weight_decay``: γ;
    ``batch``: examples per SGD step; ``dtype``: "float64" or "float32" for the embedding tables
    (word2vec itself trains in float32; it halves the memory traffic that bounds the cost).
    """

    vocab: int = 2000
    prefix: int | None = None
    epochs: int = 15
    window: int = 8
    negatives: int = 20
    subsample: float = 1e-4
    eta: float = 0.05
    weight_decay: float = 0.001
    batch: int = 64
    dtype: str = "float64"

    def __post_init__(self) -> None:
        for name in ("vocab", "epochs", "window", "negatives", "batch"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if self.vocab < 5:
            raise ValueError(f"vocab must be at least 5 (analogies exclude 3 words), got {self.vocab}")
        if self.prefix is not None and (isinstance(self.prefix, bool) or not isinstance(self.prefix, int)
                                        or self.prefix < 2):
            raise ValueError(f"prefix must be an integer >= 2 or None, got {self.prefix!r}")
        if self.dtype not in ("float64", "float32"):
            raise ValueError(f"dtype must be float64 or float32, got {self.dtype!r}")
        for name in ("subsample", "eta", "weight_decay"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {v!r}")


@dataclass(frozen=True)
class CbowBatch:
    """One SGD step's examples: ``context`` (B, 2w) word ids, −1 where a slot is empty (every row
    has at least one word); ``targets`` (B, 1+k), the centre word first, then the negatives;
    ``eta``, the step's learning rate."""

    context: np.ndarray
    targets: np.ndarray
    eta: float


def _epoch_examples(stream: np.ndarray, keep: np.ndarray, w: int,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Subsample the stream, draw each position's half-width in 1..w, and return (centres,
    contexts (N, 2w) with −1 for empty slots) in a random order."""
    s = stream[rng.random(stream.size) < keep[stream]]
    if s.size < 2:
        raise ValueError("fewer than two tokens survive subsampling; use a longer prefix or t = 0")
    pos = np.arange(s.size)
    offsets = np.concatenate([np.arange(-w, 0), np.arange(1, w + 1)])
    idx = pos[:, None] + offsets[None, :]
    half = rng.integers(1, w + 1, size=s.size)
    ok = (np.abs(offsets)[None, :] <= half[:, None]) & (idx >= 0) & (idx < s.size)
    ctx = np.where(ok, s[np.clip(idx, 0, s.size - 1)], -1)
    order = rng.permutation(s.size)
    return s[order], ctx[order]


def cbow_batches(stream: np.ndarray, config: W2vConfig, rng: np.random.Generator) -> Iterator[CbowBatch]:
    """The batches of ``config.epochs`` epochs over ``stream`` (word ids < vocab): per epoch a fresh
    subsample, windows and order; per example k negatives uniform on V∖{centre}; η decays linearly
    in the fraction of epochs done, floored at η/10⁴ (word2vec)."""
    K, k = config.vocab, config.negatives
    keep = subsample_keep_prob(np.bincount(stream, minlength=K), config.subsample)
    for epoch in range(config.epochs):
        centres, ctx = _epoch_examples(stream, keep, config.window, rng)
        n = centres.size
        for start in range(0, n, config.batch):
            c = centres[start:start + config.batch]
            r = rng.integers(0, K - 1, size=(c.size, k))
            negs = r + (r >= c[:, None])  # uniform on V∖{centre}
            progress = (epoch + start / n) / config.epochs
            yield CbowBatch(ctx[start:start + config.batch], np.concatenate([c[:, None], negs], axis=1),
                            config.eta * max(1e-4, 1.0 - progress))


class _Workspace:
    """Reusable buffers for the per-step gathers: fresh multi-megabyte temporaries would be mapped
    and page-faulted on every step, which costs more than the arithmetic."""

    def __init__(self, rows: int, width: int, dtype: torch.dtype) -> None:
        self.a = torch.empty(rows, width, dtype=dtype)
        self.b = torch.empty(rows, width, dtype=dtype)

    def take(self, buf: torch.Tensor, table: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        if buf.shape[0] < ids.numel():  # only when a caller steps with a larger batch
            buf.resize_(ids.numel(), table.shape[1])
        return torch.index_select(table, 0, ids, out=buf[:ids.numel()])


def cbow_step(U: torch.Tensor, V: torch.Tensor, batch: CbowBatch, weight_decay: float,
              workspace: _Workspace | None = None) -> None:
    """One SGD step in place on the input/output embedding tables U, V (|V|, r), reading and
    writing only the rows of the batch's words (the module docstring gives the objective)."""
    ctx = torch.from_numpy(batch.context)
    tgt = torch.from_numpy(batch.targets)
    (B, C), k1, r = ctx.shape, tgt.shape[1], U.shape[1]
    ws = workspace or _Workspace(B * max(C, k1), r, U.dtype)
    eta, gam = batch.eta, weight_decay
    mask = ctx >= 0
    owner = torch.arange(B)[:, None].expand(B, C)[mask]                    # example of each context word
    rows_c, inv_c = torch.unique(ctx[mask], return_inverse=True)
    weight = (1.0 / mask.sum(1).to(U.dtype))[owner]                         # ξ_J's entries, 1/|J|
    S = torch.sparse_coo_tensor(torch.stack([owner, inv_c]), weight, (B, rows_c.numel()),
                                check_invariants=False).coalesce()         # Ξ restricted to rows_c
    Uc = ws.take(ws.a, U, rows_c)                                          # (n_c, r), pre-step
    H = torch.sparse.mm(S, Uc)                                             # Φ_J, (B, r)
    Vt = ws.take(ws.b, V, tgt.reshape(-1)).view(B, k1, r)                  # (B, 1+k, r), pre-step
    f = torch.bmm(Vt, H[:, :, None])[:, :, 0]
    g = torch.sigmoid(f)
    g[:, 0] -= 1.0                                                         # ∂loss/∂f
    dH = torch.bmm(g[:, None, :], Vt)[:, 0]                                # (B, r)
    Vt.baddbmm_(g[:, :, None], H[:, None, :], beta=-eta * gam, alpha=-eta)  # −η(γΦ̂_τ + g ⊗ Φ_J)
    V.index_add_(0, tgt.reshape(-1), Vt.view(B * k1, r))
    touch_c = torch.bincount(inv_c, minlength=rows_c.numel()).to(U.dtype)
    Uc.mul_((-eta * gam) * touch_c[:, None])                               # −ηγ·(touches)·Φ_j
    torch.addmm(Uc, S.t(), dH, alpha=-eta, out=Uc)                         # − η ξ_J[j]·dH
    U.index_add_(0, rows_c, Uc)


def train_cbow(stream: np.ndarray, U0: np.ndarray, V0: np.ndarray, config: W2vConfig,
               rng: np.random.Generator) -> np.ndarray:
    """Train from embeddings U0, V0 (|V|, r) on the word-id ``stream``; returns the trained input
    embeddings (|V|, r) as float64 (the word vectors, App. D.2.1)."""
    K = config.vocab
    if U0.shape != V0.shape or U0.ndim != 2 or U0.shape[0] != K:
        raise ValueError(f"U0 and V0 must both be ({K}, r), got {U0.shape} and {V0.shape}")
    if stream.size and (stream.min() < 0 or stream.max() >= K):
        raise ValueError(f"stream ids must lie in [0, {K})")
    dtype = torch.float64 if config.dtype == "float64" else torch.float32
    U = torch.tensor(U0, dtype=dtype)
    V = torch.tensor(V0, dtype=dtype)
    ws = _Workspace(config.batch * max(2 * config.window, config.negatives + 1), U.shape[1], U.dtype)
    for batch in cbow_batches(stream, config, rng):
        cbow_step(U, V, batch, config.weight_decay, ws)
    return U.numpy().astype(np.float64)
