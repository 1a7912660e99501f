"""A µP MLP written the way practitioners write it (tp4's example; `tp4 model examples/mup_mlp.py:build`).

Two hidden layers of width n, tanh, no biases. µP for SGD (Tensor Programs IV, Table 3 / Eq. (5)):
the input layer has init std 1 (inputs have norm ≈ 1, so h¹ = Θ(1)) and learning rate η·n, the hidden layer init std 1/√n and learning
rate η, the readout is multiplied by 1/n in the forward pass with init std 1 and learning rate η·n.

The same model with one planted bug each — what tp4 must catch and name:

* ``missing_readout_multiplier``: the forward pass forgets the 1/n on the readout;
* ``input_lr_not_scaled``: the input layer's learning rate is η instead of η·n;
* ``hidden_init_1_over_n``: the hidden layer is initialised with std 1/n instead of 1/√n.

And a variant practitioners use on purpose (the µP package's ``readout_zero_init``):

* ``zero_readout``: the readout starts at exactly zero. tp4 infers b_{L+1} = ∞ and applies the theory
  of a zero-initialised readout (App. H.3's one-step lag): f₀ = 0, the first step moves only the readout,
  features move from step 2 on. By Theorem 5.6 it is not µP (W^{L+1} is not initialised maximally).
"""

import math

import torch
from torch import nn

INPUT_DIM = 16


class MLP(nn.Module):
    def __init__(self, n: int, readout_multiplier: float, hidden_std: float, readout_std: float = 1.0) -> None:
        super().__init__()
        self.fc1 = nn.Linear(INPUT_DIM, n, bias=False)
        self.fc2 = nn.Linear(n, n, bias=False)
        self.readout = nn.Linear(n, 1, bias=False)
        self.readout_multiplier = readout_multiplier
        nn.init.normal_(self.fc1.weight, std=1.0)
        nn.init.normal_(self.fc2.weight, std=hidden_std)
        nn.init.normal_(self.readout.weight, std=readout_std)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.tanh(self.fc1(x))
        x = torch.tanh(self.fc2(x))
        return self.readout(x) * self.readout_multiplier


def make(n: int, *, readout_multiplier: float, hidden_std: float, input_lr: float, lr: float = 0.5,
         readout_std: float = 1.0):
    model = MLP(n, readout_multiplier, hidden_std, readout_std)
    optimizer = torch.optim.SGD([
        {"params": model.fc1.parameters(), "lr": input_lr},
        {"params": model.fc2.parameters(), "lr": lr},
        {"params": model.readout.parameters(), "lr": lr * n},
    ], lr=lr)
    return model, optimizer


def build(n: int):
    return make(n, readout_multiplier=1 / n, hidden_std=1 / math.sqrt(n), input_lr=0.5 * n)


def missing_readout_multiplier(n: int):
    return make(n, readout_multiplier=1.0, hidden_std=1 / math.sqrt(n), input_lr=0.5 * n)


def input_lr_not_scaled(n: int):
    return make(n, readout_multiplier=1 / n, hidden_std=1 / math.sqrt(n), input_lr=0.5)


def hidden_init_1_over_n(n: int):
    return make(n, readout_multiplier=1 / n, hidden_std=1 / n, input_lr=0.5 * n)


def zero_readout(n: int):
    return make(n, readout_multiplier=1 / n, hidden_std=1 / math.sqrt(n), input_lr=0.5 * n, readout_std=0.0)
