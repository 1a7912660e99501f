"""The neural tangent parametrization (NTP), written with multipliers: W = n^{-1/2}·w for the hidden and
readout layers, every w ~ N(0, 1), one learning rate (tp4's example)."""

import math

import torch
from torch import nn

INPUT_DIM = 16


class NTK(nn.Module):
    def __init__(self, n: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(INPUT_DIM, n, bias=False)
        self.fc2 = nn.Linear(n, n, bias=False)
        self.readout = nn.Linear(n, 1, bias=False)
        for layer in (self.fc1, self.fc2, self.readout):
            nn.init.normal_(layer.weight, std=1.0)
        self.n = n

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.tanh(self.fc1(x))  # d is fixed: no width multiplier on the input layer
        x = torch.tanh(self.fc2(x) / math.sqrt(self.n))
        return self.readout(x) / math.sqrt(self.n)


def build(n: int):
    model = NTK(n)
    return model, torch.optim.SGD(model.parameters(), lr=1.0)
