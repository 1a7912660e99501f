"""The standard parametrization (PyTorch's default-style init 1/√fan_in, one global learning rate)
with the learning rate scaled like 1/n so that it is stable (Table 1's "SP with LR 1/n"; tp4's example)."""

import math

import torch
from torch import nn

INPUT_DIM = 16


def build(n: int):
    model = nn.Sequential(
        nn.Linear(INPUT_DIM, n, bias=False), nn.Tanh(),
        nn.Linear(n, n, bias=False), nn.Tanh(),
        nn.Linear(n, 1, bias=False),
    )
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, std=1 / math.sqrt(layer.in_features))
    return model, torch.optim.SGD(model.parameters(), lr=4.0 / n)
