"""Per-seed primitives whose result for one seed never depends on the other seeds in the batch.

Tensors carry a leading seed axis S. Elementwise operations are batch-invariant by nature, but
``torch.bmm`` and multi-threaded reductions are not: measured on this project's CPU (MKL), a batched
``bmm`` of an n×n matrix with one column differed in the last bits between S = 3 and S = 1, and a
(S, N) mean split rows differently for different S. Elementwise transcendental functions are not
either: ``softplus`` of a (3, 3, 8) float32 tensor differed from that of its first (1, 3, 8) slice,
because vectorised and scalar-tail loops round differently. MKL's results also depend on the memory alignment of
operands *and* output (a 1×n by n×33 product differed when its output slice was 8-byte but not
64-byte aligned). So every matrix product and every reduction over a seed's whole tensor goes
through these helpers, which run the *same* kernel on each seed's slice, on memory aligned as a
standalone tensor would be, whatever S is. Persistent tensors are allocated with
:func:`seed_empty` so their seed slices are aligned without copies. The cost is one Python-level
call per seed and O(size of the small operand) copies, negligible next to the O(n²) work.

Results are bitwise reproducible for a fixed torch build, device and thread count (BLAS results
may change with the number of threads).
"""

from __future__ import annotations

from typing import Callable

import torch

__all__ = ["ALIGN_BYTES", "seed_empty", "seed_zeros", "seed_matmul", "seed_map", "rms"]

ALIGN_BYTES = 64
"""Each seed's slice of a persistent tensor starts on this boundary, like a standalone tensor."""


def seed_empty(seeds: int, shape: tuple[int, ...], dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """An uninitialised (seeds, *shape) tensor whose per-seed slices are contiguous and start on an
    :data:`ALIGN_BYTES` boundary (the seed stride is padded), so BLAS sees the same alignment for a
    seed's slice as for a standalone tensor of that seed."""
    per = max(1, ALIGN_BYTES // torch.empty((), dtype=dtype).element_size())
    inner: list[int] = []
    numel = 1
    for k in reversed(shape):  # contiguous strides of one seed's slice
        inner.insert(0, numel)
        numel *= k
    stride = -(-numel // per) * per
    flat = torch.empty(seeds * stride + per, dtype=dtype, device=device)
    skip = (-(flat.data_ptr() % ALIGN_BYTES) % ALIGN_BYTES) // flat.element_size()
    return flat.as_strided((seeds,) + tuple(shape), (stride,) + tuple(inner), skip)


def seed_zeros(seeds: int, shape: tuple[int, ...], dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """:func:`seed_empty` filled with zeros."""
    return seed_empty(seeds, shape, dtype, device).zero_()


def _aligned(v: torch.Tensor) -> torch.Tensor:
    """``v`` itself if it starts on an :data:`ALIGN_BYTES` boundary, else an aligned copy with the
    same strides (BLAS results can depend on operand alignment)."""
    if v.data_ptr() % ALIGN_BYTES == 0:
        return v
    return torch.empty_strided(v.size(), v.stride(), dtype=v.dtype, device=v.device).copy_(v)


def seed_matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(S, p, q) @ (S, q, m) → (S, p, m), one ``torch.mm`` per seed on aligned operands, each
    product written to a fresh (aligned) tensor and then stacked.

    A tall a times a thin b (p > m ≥ 2) is computed in row form, (bᵀaᵀ)ᵀ, so that the thin operand is on
    the left, as in the backward pass's G·W: measured at n = 4096 on one thread (MKL), W(n×n)·X(n×33) took
    157 ms in float64 as written and 61 ms in row form, and Wᵀ·X with 2 ≤ m ≤ 64 columns 200–280 ms against
    18–82 ms (float32: up to 245 ms against 17 ms); the other way round, G(32×n)·W turned into (WᵀGᵀ)ᵀ
    slowed a float64 batch-32 sweep 2.3×. With one column the column form is as fast or faster (9.0 against
    10.6 ms). The form depends only on the shapes, so a seed's result is the same whatever the batch."""
    if a.shape[-2] > b.shape[-1] >= 2:
        return torch.stack([torch.mm(_aligned(b[i]).t(), _aligned(a[i]).t()).t() for i in range(a.shape[0])])
    return torch.stack([torch.mm(_aligned(a[i]), _aligned(b[i])) for i in range(a.shape[0])])


def seed_map(fn: Callable[..., torch.Tensor], *tensors: torch.Tensor) -> torch.Tensor:
    """``stack([fn(t₁[i], t₂[i], …) for each seed i])``: ``fn`` sees exactly one seed's slices, as it
    would in a single-seed run. Use for anything beyond exactly rounded +, −, ×, ÷ (nonlinearities,
    losses, reductions): their vectorised and scalar-tail code paths round differently, and which
    elements take the tail depends on the whole tensor's size and thread split."""
    return torch.stack([fn(*(t[i] for t in tensors)) for i in range(tensors[0].shape[0])])


def _rms_one(v: torch.Tensor) -> torch.Tensor:
    m = v.abs().amax()
    if not (torch.isfinite(m) and m > 0):
        m = torch.ones_like(m)
    return torch.sqrt(torch.mean((v / m) ** 2)) * m


def rms(v: torch.Tensor) -> torch.Tensor:
    """Per-seed root mean square over every axis but the first, computed as m·√mean((v/m)²) with
    m = max|v| so that huge finite values do not overflow; inf and NaN propagate."""
    return torch.stack([_rms_one(v[i]) for i in range(v.shape[0])])
