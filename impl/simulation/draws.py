"""The underlying random draws: one standard-normal tensor per (seed, width, role, layer).

Every weight is W = n^{-a}·w with w = n^{-b}·z for a standard normal z (paper Section 3, (a)–(b)),
so W₀ = n^{-(a+b)}·z. Drawing z once and scaling it makes the Eq. (5) symmetry exact: shifting
(a, b, c) by (θ, −θ, −2θ) leaves every W₀ — and, with the learning rate η·n^{-(c+2a)} of W, every
update — unchanged.

Each tensor has its own ``torch.Generator`` seeded from
``numpy.random.SeedSequence([TAG, seed, width, role, layer])`` (never Python ``hash``), so a
seed's draws do not depend on which other seeds run beside it, on the batch of seeds, on T, B or P,
or on whether biases or decoupled backprop are switched on.

Draws are made on the CPU in float32 and then cast: the same z is used for every dtype and device
(a float32 run is the float64 run rounded, and CPU and CUDA runs share their initialisation).
Drawing float32 is about 4× faster than float64 in torch; rounding N(0, 1) draws to 24 bits is
immaterial for the width scalings studied here.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

__all__ = ["ROLES", "tensor_seed", "standard_normal", "fill_standard_normal"]

_TAG = 0x7C4D  # keeps these streams apart from the data streams of impl.simulation.data
ROLES: dict[str, int] = {"weight": 1, "readout": 2, "backward": 3, "bias": 4, "readout_bias": 5}
"""Roles: ``weight`` Wˡ (l = 1..L), ``readout`` W^{L+1}, ``backward`` the Section 6.2 copy W̃ˡ,
``bias`` bˡ, ``readout_bias`` b^{L+1}. The readout is not keyed by L, so its draw is depth-free."""


def tensor_seed(seed: int, width: int, role: str, layer: int = 0) -> int:
    """A 63-bit generator seed for one tensor, derived deterministically with ``SeedSequence``."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"network seeds must be integers >= 0, got {seed!r}")
    if role not in ROLES:
        raise ValueError(f"unknown draw role {role!r}; one of {', '.join(ROLES)}")
    state = np.random.SeedSequence([_TAG, int(seed), int(width), ROLES[role], int(layer)]).generate_state(2)
    return (int(state[0]) << 31) ^ int(state[1])


def fill_standard_normal(
    out: torch.Tensor, seed: int, width: int, role: str, layer: int = 0, scratch: torch.Tensor | None = None
) -> torch.Tensor:
    """Fill ``out`` (any dtype/device) with this tensor's z ~ N(0, 1), drawn as CPU float32.

    ``scratch``, a CPU float32 tensor of ``out``'s shape, is reused for the draw when ``out`` is not
    itself CPU float32 (so no new n×n buffer is allocated per call). Returns ``out``.
    """
    gen = torch.Generator(device="cpu")
    gen.manual_seed(tensor_seed(seed, width, role, layer))
    if out.dtype == torch.float32 and out.device.type == "cpu" and out.is_contiguous():
        torch.randn(out.shape, generator=gen, out=out)
        return out
    if scratch is None or scratch.shape != out.shape:
        scratch = torch.empty(out.shape, dtype=torch.float32)
    torch.randn(out.shape, generator=gen, out=scratch)
    out.copy_(scratch)
    return out


def standard_normal(
    shape: Sequence[int],
    seed: int,
    width: int,
    role: str,
    layer: int = 0,
    dtype: torch.dtype = torch.float64,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """A new tensor holding the z of (seed, width, role, layer), in ``dtype`` on ``device``."""
    out = torch.empty(tuple(shape), dtype=dtype, device=device)
    return fill_standard_normal(out, seed, width, role, layer)
