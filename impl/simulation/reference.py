"""A plain, dense, autograd reference for :func:`impl.simulation.simulate` (one seed at a time).

This is Eq. (1) of the paper written the obvious way: trainable parameters wˡ (``nn.Parameter``)
initialised N(0, n^{-2bₗ}), a forward pass using Wˡ = n^{-aₗ}wˡ, the batch-mean loss differentiated
by autograd, and ``torch.optim.SGD(lr=η·n^{-c})`` (Section 3, (a)–(c)). It shares with the engine
only the random draws z (:mod:`.draws`), the data, the loss *values* and the reduction to recorded
quantities (:class:`.recording.Recorder`); derivatives of φ and of the loss come from autograd, and
the exponents a and b enter separately, so agreement with the engine checks the closed-form
backward pass, the low-rank updates, the learning-rate scaling n^{-(c+2a)} and, across Eq. (5)
shifts, the symmetry itself.

Decoupled backprop (Section 6.2, Eq. (20)) is a custom ``autograd.Function``: forward Wx, backward
dx = (W̃ + ΔWᵀ)dh with W̃ = Mᵀ, M = n^{-(a+b)}·z̃ built from the engine's ``"backward"`` draw.
It is slow (dense n×n everywhere) and meant for small widths in tests.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import nn

from impl.simulation.routine import Routine
from impl.simulation.data import TrainingData, training_data
from impl.simulation.draws import standard_normal
from impl.simulation.losses import loss_value
from impl.simulation.recording import Recorder, Recording, Snapshot, concat_recordings
from impl.simulation.scaling import bias_exponents, width_power
from impl.simulation.simulate import check_run
from impl.theory import Parametrization

__all__ = ["ReferenceMLP", "simulate_reference"]


class _DecoupledMatmul(torch.autograd.Function):
    """y = Wx; backward dx = (M + W − W₀)ᵀ dy (Eq. (20)), dW = dy xᵀ as usual."""

    @staticmethod
    def forward(ctx: Any, W: torch.Tensor, x: torch.Tensor, W0: torch.Tensor, M: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(W, x, W0, M)
        return W @ x

    @staticmethod
    def backward(ctx: Any, dy: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, None, None]:
        W, x, W0, M = ctx.saved_tensors
        return dy @ x.t(), (M + (W - W0)).t() @ dy, None, None


class ReferenceMLP(nn.Module):
    """One network of width n: parameters ``w[l-1]`` = wˡ (l = 1..L+1) and optional biases."""

    def __init__(self, p: Parametrization, config: Routine, width: int, seed: int) -> None:
        super().__init__()
        c, n, L = config, width, p.depth
        self.p, self.config, self.width = p, c, width
        self.phi = c.activation
        kw: dict[str, Any] = dict(dtype=c.torch_dtype, device=c.torch_device)
        shapes = [(n, c.input_dim)] + [(n, n)] * (L - 1) + [(c.output_dim, n)]
        roles = [("weight", l) for l in range(1, L + 1)] + [("readout", 0)]
        self.mult = [width_power(n, -a) for a in p.a]
        self.w = nn.ParameterList(
            nn.Parameter(standard_normal(shape, seed, n, role, layer, **kw) * width_power(n, -b))
            for shape, (role, layer), b in zip(shapes, roles, p.b)
        )
        self.W0 = [m * w.detach().clone() for m, w in zip(self.mult, self.w)]
        self.M: dict[int, torch.Tensor] = {}
        if c.decoupled:
            for l in range(2, L + 1):
                z = standard_normal((n, n), seed, n, "backward", l, **kw)
                self.M[l] = z * width_power(n, -(p.a[l - 1] + p.b[l - 1]))
        (ah, bh), (ao, bo) = bias_exponents(p)
        self.bias_mult = (width_power(n, -ah), width_power(n, -ao))
        self.bias = nn.ParameterList()
        if c.bias:
            for l in range(1, L + 1):
                self.bias.append(nn.Parameter(standard_normal((n, 1), seed, n, "bias", l, **kw) * width_power(n, -bh)))
            self.bias.append(nn.Parameter(standard_normal((c.output_dim, 1), seed, n, "readout_bias", 0, **kw) * width_power(n, -bo)))

    def weight(self, l: int) -> torch.Tensor:
        """Wˡ = n^{-aₗ}wˡ (l = 1..L+1)."""
        return self.mult[l - 1] * self.w[l - 1]

    def forward(self, xi: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor], torch.Tensor]:
        """(hˡ, xˡ for l = 1..L, f) on inputs xi of shape (d, m), column per input."""
        L = self.p.depth
        hs, xs = [], []
        x = xi
        for l in range(1, L + 1):
            W = self.weight(l)
            h = _DecoupledMatmul.apply(W, x, self.W0[l - 1], self.M[l]) if l in self.M else W @ x
            if self.config.bias:
                h = h + self.bias_mult[0] * self.bias[l - 1]
            hs.append(h)
            x = self.phi.fn(h)
            xs.append(x)
        f = self.weight(L + 1) @ x
        if self.config.bias:
            f = f + self.bias_mult[1] * self.bias[L]
        return hs, xs, f


def _snapshot(net: ReferenceMLP, probes: torch.Tensor, loss: torch.Tensor | None) -> Snapshot:
    L = net.p.depth
    with torch.no_grad():
        hs, xs, f = net(probes)
        inputs = [probes] + xs[:-1]
        dWx = [(net.weight(l) - net.W0[l - 1]) @ inputs[l - 1] for l in range(1, L + 1)]
        d_out = (net.weight(L + 1) - net.W0[L]) @ xs[-1]
    one = lambda v: v.unsqueeze(0)  # noqa: E731 - a seed axis of length 1
    return Snapshot(
        tuple(map(one, hs)), tuple(map(one, xs)), tuple(map(one, dWx)), one(f), one(d_out),
        None if loss is None else loss.detach().reshape(1),
    )


def _run_seed(p: Parametrization, c: Routine, width: int, seed: int, data: TrainingData) -> Recording:
    inputs, labels, probes = data.to_torch(c.torch_dtype, c.torch_device)
    net = ReferenceMLP(p, c, width, seed)
    opt = torch.optim.SGD(net.parameters(), lr=c.lr * width_power(width, -p.c))
    rec = Recorder(width, (seed,), c.steps, p.depth, net.W0[-1].unsqueeze(0))
    for t in range(c.steps + 1):
        loss = None
        if c.steps:
            b = min(t, c.steps - 1)
            loss = loss_value(c.loss, net(inputs[b].t())[2], labels[b].t(), dim=0).mean()
        rec.record(t, _snapshot(net, probes.t(), loss))
        if t < c.steps:
            opt.zero_grad()
            loss.backward()  # type: ignore[union-attr]
            opt.step()
    return rec.finish()


def simulate_reference(
    p: Parametrization, config: Routine, width: int, seeds: Sequence[int], *, data: TrainingData | None = None
) -> Recording:
    """The :func:`impl.simulation.simulate` result computed by :class:`ReferenceMLP`, seed by seed."""
    seeds = check_run(p, config, width, seeds)
    data = training_data(config) if data is None else data
    data.check(config)
    return concat_recordings([_run_seed(p, config, width, s, data) for s in seeds])
