"""The µP package's own coordinate check on issue 16's grid, as a whole process (``bench_vs_mup.py`` runs it).

A 3-hidden-layer tanh MLP 16→n→n→n→1 written the way the ``mup`` package asks (``MuReadout``,
``set_base_shapes`` against width 64, ``MuSGD`` through ``get_coord_data``), widths 64…4096, 3 SGD steps,
5 seeds, one batch of 32, float32, two torch threads — the same grid ``tp4 sweep`` runs in the benchmark.
Needs ``pip install --no-deps mup==1.0.0`` plus the ``bench`` extra (``make bench`` installs both; mup declares
torchvision, which it never imports and which would replace the CPU torch).
"""

from __future__ import annotations

import torch
from mup import MuReadout, set_base_shapes
from mup.coord_check import get_coord_data
from torch import nn

WIDTHS = (64, 128, 256, 512, 1024, 2048, 4096)
INPUT_DIM, STEPS, SEEDS, BATCH = 16, 3, 5, 32


class MLP(nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(INPUT_DIM, width, bias=False)
        self.fc2 = nn.Linear(width, width, bias=False)
        self.fc3 = nn.Linear(width, width, bias=False)
        self.readout = MuReadout(width, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.readout(torch.tanh(self.fc3(torch.tanh(self.fc2(torch.tanh(self.fc1(x)))))))


def lazy(width: int):  # noqa: ANN201 - mup's "lazy model": a function returning the model
    return lambda: set_base_shapes(MLP(width), MLP(WIDTHS[0]))


def main() -> None:
    torch.set_num_threads(2)
    gen = torch.Generator().manual_seed(0)
    data = [(torch.randn(BATCH, INPUT_DIM, generator=gen), torch.zeros(BATCH, dtype=torch.long))]
    frame = get_coord_data({w: lazy(w) for w in WIDTHS}, data, optimizer="sgd", lr=0.1, nsteps=STEPS, nseeds=SEEDS,
                           cuda=False, lossfn="mse", show_progress=False)
    assert len(frame) > 0


if __name__ == "__main__":
    main()
