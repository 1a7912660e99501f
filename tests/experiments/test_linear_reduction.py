"""App. D.1.1: Algorithm 2 (width n, with bias α, weight decay γ and gradient clipping g) equals a plain autograd
network, and its Gram-reduced form (hidden size min(n, d + d_o)) equals Algorithm 2 to round-off; the limit
(Algorithm 3's diagonal initialisation) is what the reduced networks approach as n grows."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest
import torch

from impl.limits.linear_net import (LinearNet, draw_linear_net, gram_reduce, linear_net_gradient, linear_net_init,
                                    linear_net_output, linear_net_step)

D, DO, STEPS, BATCH = 6, 3, 12, 4


class Routine(NamedTuple):
    xs: np.ndarray  # (T, B, d)
    ys: np.ndarray  # (T, B, d_o)
    probes: np.ndarray  # (P, d)
    eta: float
    alpha: float
    clip: float
    weight_decay: float


def _routine(seed: int = 0, **kw: float) -> Routine:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0xD11])))
    hyper = {"eta": 0.2, "alpha": 2.0, "clip": 5.0, "weight_decay": 0.05} | kw
    return Routine(rng.normal(size=(STEPS, BATCH, D)) / np.sqrt(D), rng.normal(size=(STEPS, BATCH, DO)),
                   rng.normal(size=(5, D)) / np.sqrt(D), **hyper)


def _run(net: LinearNet, r: Routine) -> np.ndarray:
    """Algorithm 2/3 with MSE loss Σ_B ½‖f − y‖² (χ = f − y); f on the probes at every step, (T+1, …, P, d_o)."""
    out = [linear_net_output(net, r.probes)]
    for X, Y in zip(r.xs, r.ys):
        chi = linear_net_output(net, X) - Y
        net = linear_net_step(net, linear_net_gradient(net, X, chi, r.alpha), r.eta, alpha=r.alpha, clip=r.clip,
                              weight_decay=r.weight_decay)
        out.append(linear_net_output(net, r.probes))
    return np.array(out)


def _autograd(net: LinearNet, r: Routine) -> tuple[np.ndarray, list[float]]:
    """The same network written plainly: parameters u, v, β (b = αβ), torch autograd, gradient norm G of
    (u, v, β) clipped to g, then p −= η(ρ∇p + γp). Returns the probe outputs and the norms G."""
    u, v = (torch.tensor(w, requires_grad=True) for w in (net.u, net.v))
    beta = torch.tensor(net.b / r.alpha, requires_grad=True)
    probes, out, norms = torch.from_numpy(r.probes), [], []

    def f(X: torch.Tensor) -> torch.Tensor:
        return (X @ u.T + r.alpha * beta) @ v.T

    for X, Y in zip(r.xs, r.ys):
        out.append(f(probes).detach().numpy().copy())
        loss = 0.5 * ((f(torch.from_numpy(X)) - torch.from_numpy(Y)) ** 2).sum()
        grads = torch.autograd.grad(loss, [u, v, beta])
        G = float(np.sqrt(sum(float((g**2).sum()) for g in grads)))
        rho = min(1.0, r.clip / G)
        norms.append(G)
        with torch.no_grad():
            for p, g in zip((u, v, beta), grads):
                p -= r.eta * (rho * g + r.weight_decay * p)
    out.append(f(probes).detach().numpy())
    return np.array(out), norms


def _draw(width: int, seed: int, shape: tuple[int, ...] = ()) -> LinearNet:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, width])))
    return draw_linear_net(D, DO, width, rng, sigma_u=1.0, sigma_v=0.5, shape=shape)


def test_algorithm_2_is_the_plain_network_with_bias_clipping_and_weight_decay() -> None:
    r, net = _routine(), _draw(64, 1)
    ref, norms = _autograd(net, r)
    np.testing.assert_allclose(_run(net, r), ref, rtol=0, atol=1e-12)  # measured 6e-16
    assert min(norms) < r.clip < max(norms)  # clipping was both active and inactive (G = 3.0 … 14.9)
    assert np.max(np.abs(ref[-1] - ref[0])) > 0.1  # it trained
    wrong = _run(net, r._replace(alpha=1.0))  # control: bias multiplier ignored
    assert np.max(np.abs(wrong - ref)) > 1e-3


@pytest.mark.parametrize("width", [3, 9, 256, 4096])
def test_gram_reduction_is_exact(width: int) -> None:
    """Widths below, at and above d + d_o = 9; three seeds batched."""
    r, plain = _routine(), _draw(width, 2, shape=(3,))
    reduced = gram_reduce(plain)
    assert reduced.hidden == min(width, D + DO) and reduced.u.shape[0] == 3
    full = _run(plain, r)
    np.testing.assert_allclose(_run(reduced, r), full, rtol=0, atol=1e-12)  # measured ≤ 2e-15
    # with a bias already present the reduction needs one more column (d + d_o + 1)
    biased = LinearNet(plain.u, plain.v, plain.u[..., 0] + 0.3)
    assert gram_reduce(biased).hidden == min(width, D + DO + 1)
    np.testing.assert_allclose(_run(gram_reduce(biased), r), _run(biased, r), rtol=0, atol=1e-12)  # ≤ 7e-14
    other = gram_reduce(_draw(width, 3, shape=(3,)))  # control: another draw
    assert np.max(np.abs(_run(other, r) - full)) > 1e-3


def test_reduced_networks_approach_the_limit() -> None:
    """The RMS deviation from the limit over 12 steps shrinks like n^{-1/2}: from n = 2⁸ to 2¹⁴ (√(1/64) =
    0.125) the ratio of 8-seed means was 0.11–0.15 over 8 independent batches. Control: a limit with σ_v
    0.7 instead of 0.5 is 18–22× further from the width-2¹⁴ networks than the right one."""
    r = _routine()
    limit = _run(linear_net_init(D, DO, None, sigma_u=1.0, sigma_v=0.5), r)

    def dev(width: int, limit_out: np.ndarray = limit) -> float:
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([4, width])))
        nets = linear_net_init(D, DO, width, rng, sigma_u=1.0, sigma_v=0.5, shape=(8,))
        return float(np.mean(np.sqrt(np.mean((_run(nets, r) - limit_out[:, None]) ** 2, axis=(0, 2, 3)))))

    narrow, wide = dev(2**8), dev(2**14)
    assert 0.06 < wide / narrow < 0.25
    off = _run(linear_net_init(D, DO, None, sigma_u=1.0, sigma_v=0.7), r)
    assert dev(2**14, off) > 5 * wide


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="width"):
        _draw(0, 0)
    with pytest.raises(ValueError, match="random generator"):
        linear_net_init(D, DO, 16)
