"""A small pre-norm transformer block over a sequence of 4 tokens, in µP for Adam (tp4's example):
input embedding Linear(d, n), single-head attention with 1/n logit scaling (µP's 1/d_head), an MLP
n → 4n → n, LayerNorms, and a readout multiplied by 1/n; Adam with learning rates ∝ 1/n on the hidden
matrices, Θ(1) on the embedding, the LayerNorm gains and the readout (whose 1/n multiplier already
scales its update: Tensor Programs V, Table 3 / the mup package's MuReadout). Beyond Tensor Programs IV: judged on the µP desiderata."""

import torch
from torch import nn

INPUT_DIM, TOKENS = 8, 4


class Block(nn.Module):
    def __init__(self, n: int) -> None:
        super().__init__()
        self.embed = nn.Linear(INPUT_DIM, n, bias=False)
        self.norm1 = nn.LayerNorm(n)
        self.q = nn.Linear(n, n, bias=False)
        self.k = nn.Linear(n, n, bias=False)
        self.v = nn.Linear(n, n, bias=False)
        self.o = nn.Linear(n, n, bias=False)
        self.norm2 = nn.LayerNorm(n)
        self.up = nn.Linear(n, 4 * n, bias=False)
        self.down = nn.Linear(4 * n, n, bias=False)
        self.readout = nn.Linear(n, 1, bias=False)
        nn.init.normal_(self.embed.weight, std=INPUT_DIM ** -0.5)
        for m in (self.q, self.k, self.v, self.o, self.up, self.down):
            nn.init.normal_(m.weight, std=m.in_features ** -0.5)
        nn.init.zeros_(self.q.weight)  # µP: zero query init keeps attention uniform at init
        nn.init.normal_(self.readout.weight, std=1.0)
        self.n = n

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.embed(x)
        a = self.norm1(h)
        logits = self.q(a) @ self.k(a).transpose(-1, -2) / self.n
        h = h + self.o(torch.softmax(logits, dim=-1) @ self.v(a))
        h = h + self.down(torch.relu(self.up(self.norm2(h))))
        return self.readout(h).mean(dim=-2) / self.n


def build(n: int):
    model = Block(n)
    base = 0.01
    hidden = [p for name, p in model.named_parameters() if name.split(".")[0] in ("q", "k", "v", "o", "up", "down")]
    vector = [p for name, p in model.named_parameters() if name.split(".")[0] in ("embed", "norm1", "norm2", "readout")]
    optimizer = torch.optim.Adam([{"params": hidden, "lr": base * 64 / n}, {"params": vector, "lr": base}])
    inputs = torch.randn(16, TOKENS, INPUT_DIM, generator=torch.Generator().manual_seed(0)) / INPUT_DIM ** 0.5
    return {"model": model, "optimizer": optimizer, "inputs": inputs}
