"""A µP MLP trained with Adam (tp4's example): beyond Tensor Programs IV, which proves its theorems for
SGD, so tp4 judges it on the µP desiderata. µP for Adam (Tensor Programs V, Table 3): input layer
learning rate Θ(1), hidden learning rate ∝ 1/n, and a readout multiplier 1/n with a Θ(1) learning rate
on the readout's w (its effective weight W = w/n then moves by Θ(1/n) per entry, as µP asks)."""

import math

import torch
from torch import nn

INPUT_DIM = 16


class Scale(nn.Module):
    def __init__(self, factor: float) -> None:
        super().__init__()
        self.factor = factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.factor


def build(n: int):
    model = nn.Sequential(nn.Linear(INPUT_DIM, n, bias=False), nn.Tanh(), nn.Linear(n, n, bias=False), nn.Tanh(),
                          nn.Linear(n, 1, bias=False), Scale(1 / n))
    nn.init.normal_(model[0].weight, std=1 / math.sqrt(INPUT_DIM))
    nn.init.normal_(model[2].weight, std=1 / math.sqrt(n))
    nn.init.normal_(model[4].weight, std=1.0)
    lr = 0.02
    optimizer = torch.optim.Adam([
        {"params": model[0].parameters(), "lr": lr},
        {"params": model[2].parameters(), "lr": lr * 64 / n},
        {"params": model[4].parameters(), "lr": lr * 64},
    ])
    return model, optimizer
