"""The batched finite-width engine: S networks of one width, trained by SGD with a manual backward.

Model (paper Section 3, Eq. (1)): h¹ = W¹ξ (+b¹), xˡ = φ(hˡ), hˡ⁺¹ = Wˡ⁺¹xˡ (+bˡ⁺¹),
f = W^{L+1}x^L (+b^{L+1}), every tensor carrying a leading seed axis S.

* Initialisation: Wˡ₀ = n^{-(aₗ+bₗ)}·z with z from :mod:`impl.simulation.draws` (one n×n buffer per
  hidden layer and seed, filled in place), biases N(0, 1) (App. C.1, see :mod:`.scaling`).
* SGD: ΔWˡ = −η n^{-(c+2aₗ)} Σᵢ dhˡᵢ (x^{l−1}ᵢ)ᵀ with dhˡ = ∂Loss/∂hˡ (Loss the batch mean), which is
  SGD on wˡ with learning rate η n^{-c} (Section 3, (a)–(c)).
* Hidden n×n weights are never updated densely: Wˡₜ = Wˡ₀ + Uₜ Vₜᵀ with factors of rank k = tB
  (stored transposed, ``Ut``/``Vt`` of shape (S, TB, n)), so Wₜx = W₀x + U(Vᵀx) and
  gᵀWₜ = gᵀW₀ + (gᵀU)Vᵀ: a step costs O(n²) per hidden layer plus O(n·t·B). W¹ (n×d) and
  W^{L+1} (d_o×n) are small and updated densely.
* Decoupled backprop (Section 6.2, Eq. (20)): in layers l = 2..L the backward pass uses
  dx^{l−1} = (W̃ˡ + ΔWˡᵀ)dhˡ with W̃ˡ = Mˡᵀ and Mˡ an iid copy of Wˡ₀ (role ``"backward"``).

All tensors carry the seed axis; matrix products go through :func:`.seedwise.seed_matmul` (one
``mm`` per seed: ``torch.bmm`` is not batch-invariant) and every other operation is elementwise or
reduces within one seed, so each seed's numbers do not depend on which other seeds run beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import torch

from impl.simulation.routine import Routine
from impl.simulation.draws import fill_standard_normal
from impl.simulation.losses import loss_derivative
from impl.simulation.scaling import LayerScales
from impl.simulation.seedwise import seed_empty, seed_map, seed_matmul, seed_zeros

__all__ = ["Forward", "Network", "SquarePool"]


class SquarePool:
    """Spare (S, n, n) weight buffers, handed from one seed chunk's :class:`Network` to the next.

    A fresh n×n buffer costs page faults on first touch: measured here, filling a new 4096×4096 float32
    buffer with N(0, 1) took 100 ms, refilling a used one 68 ms, so a 4096-wide seed spent a sixth of its
    time faulting. Every entry of a taken buffer is overwritten by the next draw, so reuse changes no number.
    """

    def __init__(self) -> None:
        self._free: list[torch.Tensor] = []

    def take(self, seeds: int, n: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
        """A (seeds, n, n) buffer: a spare one's leading slices when one fits, else a new one."""
        for i, buf in enumerate(self._free):
            same_device = buf.device.type == device.type and device.index in (None, buf.device.index)  # cuda ~ cuda:0
            if buf.shape[0] >= seeds and buf.shape[1:] == (n, n) and buf.dtype == dtype and same_device:
                return self._free.pop(i)[:seeds]
        return seed_empty(seeds, (n, n), dtype, device)

    def give(self, buffers: Sequence[torch.Tensor]) -> None:
        """Return buffers no longer in use."""
        self._free.extend(buffers)


@dataclass(frozen=True, eq=False)
class Forward:
    """One forward pass over m input columns: per hidden layer h, x, ΔW·x^{l−1} (S, n, m); f and
    ΔW^{L+1}·x^L (S, d_o, m)."""

    h: tuple[torch.Tensor, ...]
    x: tuple[torch.Tensor, ...]
    delta_W_x: tuple[torch.Tensor, ...]
    f: torch.Tensor
    delta_Wout_x: torch.Tensor

    def columns(self, sl: slice) -> "Forward":
        """The same pass restricted to the input columns ``sl``."""
        return Forward(
            tuple(v[..., sl] for v in self.h),
            tuple(v[..., sl] for v in self.x),
            tuple(v[..., sl] for v in self.delta_W_x),
            self.f[..., sl],
            self.delta_Wout_x[..., sl],
        )


def _matmul_t(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """aᵀb per seed: (S, p, q), (S, p, m) → (S, q, m)."""
    return seed_matmul(a.transpose(1, 2), b)


class Network:
    """S networks of width n (one per seed), their initial weights, low-rank updates and biases."""

    def __init__(
        self, depth: int, config: Routine, width: int, seeds: Sequence[int], scales: LayerScales,
        pool: SquarePool | None = None,
    ) -> None:
        c = config
        self.depth, self.config, self.width, self.scales = depth, c, width, scales
        self.phi = c.activation
        S, n, dt, dev = len(seeds), width, c.torch_dtype, c.torch_device
        self._alloc: dict[str, Any] = dict(dtype=dt, device=dev)
        # the CPU float32 buffer n×n draws go through (float64 or off-CPU weights): only when there is an n×n matrix
        # (depth ≥ 2); a depth-1 network of width 3·10⁵ asked for an untouched 360 GB one and failed
        pool = pool if pool is not None else SquarePool()
        square = depth >= 2 and not (dt == torch.float32 and dev.type == "cpu")
        spare = pool.take(1, n, torch.float32, torch.device("cpu")) if square else None
        scratch = spare[0] if spare is not None else None

        def draw(shape: tuple[int, ...], role: str, layer: int, std: float) -> torch.Tensor:
            out = pool.take(S, n, dt, dev) if shape == (n, n) else seed_empty(S, shape, dt, dev)
            for i, s in enumerate(seeds):
                fill_standard_normal(out[i], s, width, role, layer, scratch if shape == (n, n) else None)
            return out.mul_(std)

        self.W1 = draw((n, c.input_dim), "weight", 1, scales.init_std[0])
        self.dW1 = seed_zeros(S, (n, c.input_dim), dt, dev)
        self.W0 = [draw((n, n), "weight", l, scales.init_std[l - 1]) for l in range(2, depth + 1)]
        decoupled_layers = range(2, depth + 1) if c.decoupled else range(0)
        self.M = [draw((n, n), "backward", l, scales.init_std[l - 1]) for l in decoupled_layers]
        rank = c.steps * c.batch
        self.Ut = [seed_zeros(S, (rank, n), dt, dev) for _ in self.W0]
        self.Vt = [seed_zeros(S, (rank, n), dt, dev) for _ in self.W0]
        self.k = 0
        if spare is not None:
            pool.give([spare])
        self.Wout0 = draw((c.output_dim, n), "readout", 0, scales.init_std[-1])
        self.dWout = seed_zeros(S, (c.output_dim, n), dt, dev)
        self.b: list[torch.Tensor] = []
        self.bout: torch.Tensor | None = None
        if c.bias:
            self.b = [draw((n, 1), "bias", l, scales.bias_init_std[0]) for l in range(1, depth + 1)]
            self.bout = draw((c.output_dim, 1), "readout_bias", 0, scales.bias_init_std[1])

    def squares(self) -> list[torch.Tensor]:
        """The (S, n, n) initial weights, for a :class:`SquarePool` once this network is done with."""
        return [*self.W0, *self.M]

    def _expand(self, X: torch.Tensor) -> torch.Tensor:
        """Seed-shared inputs (m, d) as a (S, d, m) batch (a stride-0 view)."""
        return X.t().unsqueeze(0).expand(self.W1.shape[0], -1, -1)

    def _low_rank(self, j: int, x: torch.Tensor) -> torch.Tensor:
        """ΔWx = U(Vᵀx) for hidden layer j + 2 (zeros before the first update)."""
        if self.k == 0:
            return torch.zeros(x.shape[0], self.width, x.shape[2], **self._alloc)
        return _matmul_t(self.Ut[j][:, : self.k], seed_matmul(self.Vt[j][:, : self.k], x))

    def forward(self, X: torch.Tensor) -> Forward:
        """Forward pass of every seed's network on the seed-shared inputs X (m, d)."""
        xi = self._expand(X)
        dWx = [seed_matmul(self.dW1, xi)]
        hs = [seed_matmul(self.W1, xi) + dWx[0]]
        xs: list[torch.Tensor] = []
        for l in range(1, self.depth + 1):
            if self.b:
                hs[-1] = hs[-1] + self.b[l - 1]
            xs.append(seed_map(self.phi.fn, hs[-1]))
            if l < self.depth:
                dWx.append(self._low_rank(l - 1, xs[-1]))
                hs.append(seed_matmul(self.W0[l - 1], xs[-1]) + dWx[-1])
        d_out = seed_matmul(self.dWout, xs[-1])
        f = seed_matmul(self.Wout0, xs[-1]) + d_out
        if self.bout is not None:
            f = f + self.bout
        return Forward(tuple(hs), tuple(xs), tuple(dWx), f, d_out)

    def step(self, fw: Forward, X: torch.Tensor, Y: torch.Tensor) -> None:
        """One SGD step on the batch X (B, d), Y (B, d_o), given the forward pass ``fw`` on X.

        Cotangents are kept as rows, (S, B, n): dx^{l−1} = dhˡ·Wˡ is then a product with the
        *untransposed* n×n weight, which BLAS does several times faster than Wᵀ·(S, n, B).
        Updates are formed as ``w += (−lr)·g`` (two exactly rounded ops; ``add_(alpha=)`` may fuse).
        """
        c, sc, phi = self.config, self.scales, self.phi
        B, Yt = X.shape[0], Y.t()
        chi = seed_map(lambda f: loss_derivative(c.loss, f, Yt), fw.f) / B  # (S, d_o, B): ∂(mean loss)/∂f
        dx = seed_matmul(chi.transpose(1, 2), self.Wout0 + self.dWout)  # rows of dx^L: (S, B, n)
        self.dWout += seed_matmul(chi, fw.x[-1].transpose(1, 2)) * (-sc.lr[-1])
        if self.bout is not None:
            self.bout += seed_map(lambda g: g.sum(dim=1, keepdim=True), chi) * (-sc.bias_lr[1])
        k = self.k
        for l in range(self.depth, 0, -1):
            dh = seed_map(lambda h, g: phi.derivative(h) * g, fw.h[l - 1].transpose(1, 2), dx)  # rows of dhˡ
            if self.b:
                self.b[l - 1] += seed_map(lambda g: g.sum(dim=0).unsqueeze(1), dh) * (-sc.bias_lr[0])
            if l == 1:
                self.dW1 += seed_matmul(dh.transpose(1, 2), self._expand(X).transpose(1, 2)) * (-sc.lr[0])
                break
            j = l - 2
            dx = seed_matmul(dh, self.M[j] if self.M else self.W0[j])
            if k > 0:  # rows of ΔWᵀdh = dh·U·Vᵀ
                dx = dx + seed_matmul(seed_matmul(dh, self.Ut[j][:, :k].transpose(1, 2)), self.Vt[j][:, :k])
            self.Ut[j][:, k : k + B] = dh * (-sc.lr[l - 1])
            self.Vt[j][:, k : k + B] = fw.x[l - 2].transpose(1, 2)
        self.k = k + B
