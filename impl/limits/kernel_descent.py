"""Kernel gradient descent: the function-space dynamics of the kernel regime (Def. 3.7 / H.12, Eq. (9)/(45)).

In the kernel regime (Thm 3.8, r > 0) the limit of SGD is

    f̊ₜ₊₁(ξ) = f̊ₜ(ξ) − η K(ξ, ξₜ) χ̊ₜ,      χ̊ₜ = L′(f̊ₜ(ξₜ), yₜ),

deterministic given f̊₀ (for NTP f̊₀ is the NNGP Gaussian process; it is 0 when a_{L+1}+b_{L+1} > ½).
Outputs with d_o > 1 coordinates use K ⊗ I (independent readout rows). :func:`kernel_descent` runs a
batch-1 :class:`~impl.simulation.Routine` (η = ``routine.lr``, its loss; the kernel replaces φ) on its
data or explicit ``data``; :func:`kernel_gradient_descent` is the same recursion on kernel matrices with
any batches (mean loss over the batch, as the engine); :func:`mse_kernel_regression` is the closed form of
full-batch GD on the MSE, its test oracle.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from impl.limits.routine import limit_data, loss_derivative
from impl.simulation import Routine, TrainingData

__all__ = ["KernelFn", "gp_initial_outputs", "kernel_gradient_descent", "kernel_descent", "mse_kernel_regression"]

KernelFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""K(X (N, d), X2 (M, d)) → (N, M), e.g. ``lambda X, Y: mlp_kernels("relu", 2, X, Y).ntk``."""


def _initial(f0: np.ndarray | None, rows: int, d_o: int, what: str) -> np.ndarray:
    arr = np.zeros((rows, d_o)) if f0 is None else np.asarray(f0, dtype=np.float64)
    if arr.ndim < 2 or arr.shape[-2:] != (rows, d_o) or not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} must be a finite array of shape (..., {rows}, {d_o}), got {arr.shape}")
    return arr


def gp_initial_outputs(routine: Routine, nngp: KernelFn, samples: int, seed: int, *,
                       data: TrainingData | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``samples`` draws of a Gaussian-process f̊₀ with covariance ``nngp`` (e.g. the NNGP, the limit of f₀
    under NTP, Def. H.12), jointly on the probes and training inputs of ``routine`` (or of ``data``), each
    output coordinate independent: (f0_probes (S, P, d_o), f0_train (S, T, d_o)) for :func:`kernel_descent`.
    Seeds via SeedSequence."""
    data = limit_data(routine, data)
    X = np.concatenate([data.probes, data.inputs[:, 0]])
    lam, vec = np.linalg.eigh(np.asarray(nngp(X, X), dtype=np.float64))
    root = vec * np.sqrt(np.clip(lam, 0.0, None))  # a square root that tolerates repeated inputs
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 37])))
    f0 = np.einsum("ij,sjk->sik", root, rng.standard_normal((samples, X.shape[0], routine.output_dim)))
    P = routine.probes
    return f0[:, :P], f0[:, P:]


def kernel_gradient_descent(k_probe: np.ndarray, k_train: np.ndarray, f0_probe: np.ndarray, f0_train: np.ndarray,
                            ys: np.ndarray, eta: float, loss: str = "mse",
                            batches: Sequence[Sequence[int]] | None = None) -> np.ndarray:
    """Eq. (9) on kernel matrices: N training points, P probes; step t uses the points ``batches[t]``
    (default: step t uses point t, T = N) with the batch-mean loss:
    f(ξ) ← f(ξ) − (η/|B|) Σ_{i∈B} K(ξ, ξᵢ) χᵢ on probes and training points alike.

    ``k_probe`` (P, N), ``k_train`` (N, N), ``ys`` (N, d_o); ``f0_probe`` (..., P, d_o) and ``f0_train``
    (..., N, d_o) may carry leading (e.g. seed) axes. Returns f̊ₜ(probes), shape (T+1, ..., P, d_o).
    """
    kp, kt, y = (np.asarray(x, dtype=np.float64) for x in (k_probe, k_train, ys))
    n = kt.shape[0]
    if kt.shape != (n, n) or kp.ndim != 2 or kp.shape[1] != n or y.ndim != 2 or y.shape[0] != n:
        raise ValueError(f"kernel shapes {kp.shape}, {kt.shape} and labels {y.shape} do not fit N = {n} points")
    if batches is None:
        batches = [[t] for t in range(n)]
    fp, ft = np.array(f0_probe, dtype=np.float64), np.array(f0_train, dtype=np.float64)
    traj = [fp.copy()]
    for t, batch in enumerate(batches):
        idx = np.asarray(batch, dtype=np.int64)
        if idx.ndim != 1 or idx.size == 0 or np.any(idx < 0) or np.any(idx >= n):
            raise ValueError(f"batch {t} must be a non-empty list of indices in [0, {n})")
        chi = loss_derivative(loss, ft[..., idx, :], y[idx]) * (eta / idx.size)  # (..., B, d_o)
        fp = fp - np.einsum("pb,...bk->...pk", kp[:, idx], chi)
        ft = ft - np.einsum("nb,...bk->...nk", kt[:, idx], chi)
        traj.append(fp.copy())
    return np.stack(traj)


def kernel_descent(routine: Routine, kernel: KernelFn, f0_probes: np.ndarray | None = None,
                   f0_train: np.ndarray | None = None, *, data: TrainingData | None = None) -> np.ndarray:
    """f̊ₜ on the probes for t = 0..T under Def. 3.7's kernel gradient descent with K = ``kernel``, trained
    by ``routine`` (batch 1, step ``routine.lr``, its loss) on ``data`` (default
    :func:`impl.simulation.training_data`).

    ``f0_probes`` (..., P, d_o) and ``f0_train`` (..., T, d_o) are f̊₀ on the probes and on the training
    inputs ξ₀..ξ_{T−1} (None: 0, the limit when f₀ → 0, or the mean of a GP f̊₀); leading axes (e.g.
    one per network seed, to follow finite networks from their own f₀) are kept: (T+1, ..., P, d_o).
    """
    data = limit_data(routine, data)
    xs, ys, probes = data.inputs[:, 0], data.labels[:, 0], data.probes
    T, P, d_o = routine.steps, routine.probes, routine.output_dim
    fp, ft = _initial(f0_probes, P, d_o, "f0_probes"), _initial(f0_train, T, d_o, "f0_train")
    try:
        lead = np.broadcast_shapes(fp.shape[:-2], ft.shape[:-2])
    except ValueError:
        raise ValueError(f"f0_probes {fp.shape} and f0_train {ft.shape} have different leading axes") from None
    fp, ft = np.broadcast_to(fp, (*lead, P, d_o)), np.broadcast_to(ft, (*lead, T, d_o))
    k_probe = np.asarray(kernel(probes, xs), dtype=np.float64)
    k_train = np.asarray(kernel(xs, xs), dtype=np.float64)
    if k_probe.shape != (P, T) or k_train.shape != (T, T):
        raise ValueError(f"kernel returned shapes {k_probe.shape}, {k_train.shape}; expected ({P}, {T}), ({T}, {T})")
    return kernel_gradient_descent(k_probe, k_train, fp, ft, ys, routine.lr, routine.loss)


def mse_kernel_regression(k_probe: np.ndarray, k_train: np.ndarray, f0_probe: np.ndarray, f0_train: np.ndarray,
                          ys: np.ndarray, eta: float, steps: int) -> np.ndarray:
    """Closed form of full-batch GD on the mean MSE ½‖f − y‖²/N with kernel K, t = 0..``steps``:
    rₜ = (I − ηK/N)ᵗ r₀ on the training set and fₜ(probes) = f₀ − K_{p,tr} K⁻¹ (I − (I − ηK/N)ᵗ) r₀,
    with K⁻¹(I − (I − hK)ᵗ) = V diag((1 − (1 − hλ)ᵗ)/λ) Vᵀ (→ t·h at λ = 0). Shape (steps+1, P, d_o)."""
    kp, kt = np.asarray(k_probe, dtype=np.float64), np.asarray(k_train, dtype=np.float64)
    n = kt.shape[0]
    lam, vec = np.linalg.eigh(kt)
    h = eta / n
    r0 = vec.T @ (np.asarray(f0_train, dtype=np.float64) - np.asarray(ys, dtype=np.float64))
    q = 1.0 - h * lam
    out = []
    for t in range(steps + 1):
        with np.errstate(divide="ignore", invalid="ignore"):  # expm1/log1p where 0 < q, plain powers otherwise
            gone = np.where(q > 0, -np.expm1(t * np.log1p(-h * np.minimum(lam, 0.99 / h))), 1.0 - q**t)
            g = np.where(np.abs(lam) > 1e-300, gone / lam, t * h)
        out.append(np.asarray(f0_probe, dtype=np.float64) - kp @ (vec @ (g[:, None] * r0)))
    return np.stack(out)
