"""SGD of an abc-parametrized MLP written once as a Tensor Program (paper Algorithm 1, App. H).

The network (Section 3): h¹ = W¹ξ, xˡ = φ(hˡ), hˡ⁺¹ = Wˡ⁺¹xˡ, f = W^{L+1}x^L, output dimension 1,
trained by SGD with batch 1 as a :class:`~impl.simulation.Routine` says (φ = ``routine.phi``, η =
``routine.lr``, its loss, ``routine.decoupled``; no bias) on its data or explicit ``data`` (the engine's
Section-3 update rule). The program's vectors are in µP units, all Θ(1) in µP:

* W¹₀ = κ₁·U with U's columns ``u0..u{d-1}`` iid N(0, 1); Wˡ₀ = κₗ·√n·Ŵˡ with Ŵˡ a program matrix
  (σ = 1); n·W^{L+1}₀ = κ_o·``v`` with v iid N(0, 1);
* gˡ = n·∂f/∂hˡ, so the gradient of the loss is dhˡ = χ·gˡ/n, and weight updates stay low rank:
  hˡₜ(ξ) = κₗŴˡx^{l−1}ₜ(ξ) − ηλₗ Σ_{s<t} χₛ gˡₛ ⟨x^{l−1}ₛ, x^{l−1}ₜ(ξ)⟩/n (Eq. (24)),
  h¹ₜ(ξ) = κ₁Uξ − ηλ₁ Σ_{s<t} χₛ (ξₛ·ξ) g¹ₛ, vₜ₊₁ = vₜ − ηλ_o χₜ x^Lₜ, fₜ(ξ) = ⟨vₜ, x^Lₜ(ξ)⟩/n,
  g^L = vₜ·φ′(h^L), g^{l−1} = (κₗŴˡᵀgˡ − ηλₗ Σ_{s<t} χₛ x^{l−1}ₛ ⟨gˡₛ, gˡ⟩/n)·φ′(h^{l−1});
  with ``routine.decoupled`` (Section 6.2) Ŵˡᵀ in the backward pass is replaced by an iid copy M̂ˡᵀ.

The width enters only through six kinds of initial scalars κ₁ = n^{−(a₁+b₁)}, κₗ = n^{½−aₗ−bₗ},
κ_o = n^{1−a_{L+1}−b_{L+1}}, λ₁ = n^{−1−c−2a₁}, λₗ = n^{−c−2aₗ}, λ_o = n^{1−c−2a_{L+1}} (all Eq. (5)
invariant). Run at width n (:func:`mlp_finite`), the program *is* the finite network for every abc;
with :func:`engine_draws` it reproduces :func:`impl.limits.finite_outputs` to round-off.

Limit (:func:`mlp_limit`): the Master Theorem applies when every initial scalar converges, i.e. every
exponent is ≤ 0 (limit 1 at 0, limit 0 below). That holds for µP (all exponents 0) and for
parametrizations that update or initialise some layer *below* µP scale; any positive exponent
(SP, NTP, UP_r with r > 0, …) needs the θ-renormalised program of App. H.3, which this module does
not build, and :func:`mlp_limit` raises ValueError.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Sequence

import numpy as np

from impl.limits.program.finite import DrawFn, run_finite
from impl.limits.program.ops import Fn, Program, Scalar, Vector
from impl.limits.program.zeval import z_evaluate
from impl.limits.routine import limit_data, loss_derivative
from impl.limits.activations import numpy_activation
from impl.simulation import Routine, TrainingData
from impl.simulation.draws import standard_normal
from impl.theory import Exponent, Parametrization

__all__ = ["MLPProgram", "MLPLimit", "width_exponents", "mlp_sgd_program", "engine_draws", "mlp_finite",
           "mlp_limit"]

HALF = Fraction(1, 2)


def width_exponents(p: Parametrization) -> dict[str, Exponent]:
    """The exponents e of the initial scalars n^e of the program (κ·, λ·; 0 for every one in µP; κ_o's is −∞
    for a zero-initialised readout: the scalar is 0 at every width, and so is its limit)."""
    L, a, b, c = p.depth, p.a, p.b, p.c
    out = {"kappa1": -(a[0] + b[0]), "lambda1": -1 - c - 2 * a[0]}
    for l in range(2, L + 1):
        out[f"kappa{l}"], out[f"lambda{l}"] = HALF - a[l - 1] - b[l - 1], -c - 2 * a[l - 1]
    out["kappa_out"], out["lambda_out"] = 1 - a[L] - b[L], 1 - c - 2 * a[L]
    return out


@dataclass(frozen=True)
class _Update:
    """κ·Σⱼ cⱼ·leadⱼ − η·λ·Σₛ χₛ·wₛ·rₛ, times φ′(h) when ``gate``. Arguments, in order: the lead
    vectors, the rₛ, [h], then scalars κ, λ, the χₛ and (when ``weights`` is None) the wₛ."""

    lead: tuple[float, ...]
    steps: int
    eta: float
    weights: tuple[float, ...] | None = None
    gate: Fn | None = None

    def __call__(self, *args: np.ndarray) -> np.ndarray:
        k, t = len(self.lead), self.steps
        i = k + t + (self.gate is not None)
        kappa, lam, chis = args[i], args[i + 1], args[i + 2: i + 2 + t]
        ws = self.weights if self.weights is not None else args[i + 2 + t: i + 2 + 2 * t]
        out = kappa * sum(c * x for c, x in zip(self.lead, args[:k]))
        for chi, w, r in zip(chis, ws, args[k: k + t]):
            out = out - (self.eta * lam * chi * w) * r
        return out * self.gate(args[k + t]) if self.gate is not None else out


def _prod(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a * b


@dataclass(frozen=True)
class MLPProgram:
    """The program and the handles of fₜ(probe p): ``outputs[t][p]``; ``exponents`` of its width
    multipliers (:func:`width_exponents`)."""

    program: Program
    outputs: tuple[tuple[Scalar, ...], ...]
    exponents: dict[str, Exponent]


def mlp_sgd_program(p: Parametrization, routine: Routine, *, data: TrainingData | None = None) -> MLPProgram:
    """Algorithm 1, step 1: T SGD steps (batch 1) of the depth-L MLP of ``p`` trained by ``routine`` on
    ``data`` (default :func:`impl.simulation.training_data`) and its outputs on the probes at t = 0..T,
    as one Tensor Program (module docstring)."""
    data = limit_data(routine, data)
    if routine.output_dim != 1:
        raise ValueError(f"mlp_sgd_program supports output dimension 1, got {routine.output_dim}")
    act, L, eta, exps = routine.activation, p.depth, routine.lr, width_exponents(p)
    f_phi, d_phi = numpy_activation(act)[1:3]  # φ, φ′ on float64 numpy arrays
    train_xs, train_ys, loss = data.inputs[:, 0], data.labels[:, 0], routine.loss
    prog = Program()
    u = [prog.vector_gaussian(f"u{j}") for j in range(routine.input_dim)]
    vz = prog.vector_gaussian("v")
    Wm = {l: prog.matrix(f"W{l}") for l in range(2, L + 1)}
    back = {l: prog.matrix(f"M{l}").T for l in range(2, L + 1)} if routine.decoupled else {l: Wm[l].T for l in Wm}

    def multiplier(e: Exponent) -> Callable[[int], float]:
        return lambda n: float(n) ** float(e)

    sc = {k: prog.scalar(k, multiplier(e), limit=None if e > 0 else float(e == 0)) for k, e in exps.items()}
    kap = {l: sc[f"kappa{l}"] for l in range(1, L + 1)}
    lam = {l: sc[f"lambda{l}"] for l in range(1, L + 1)}
    v = prog.nonlin(lambda z, k: k * z, vz, params=(sc["kappa_out"],), name="v@0", label="scale")
    chis: list[Scalar] = []
    G: dict[int, list[Vector]] = {l: [] for l in range(1, L + 1)}  # gˡₛ of the training steps s < t
    X: dict[int, list[Vector]] = {l: [] for l in range(1, L + 1)}  # xˡₛ of the training steps s < t

    def forward(t: int, xi: np.ndarray, tag: str) -> tuple[list[Vector], list[Vector]]:
        w1 = tuple(float(np.dot(train_xs[s], xi)) for s in range(t))
        h = prog.nonlin(_Update(tuple(map(float, xi)), t, eta, w1), *u, *G[1], params=(kap[1], lam[1], *chis),
                        name=f"h1{tag}", label="h1")
        hs, xs = [h], [prog.nonlin(f_phi, h, name=f"x1{tag}", label=act.name)]
        for l in range(2, L + 1):
            a = prog.matmul(Wm[l], xs[-1], name=f"W{l}x{l - 1}{tag}")
            ms = [prog.moment(_prod, X[l - 1][s], xs[-1], name=f"<x{l - 1}@{s},x{l - 1}{tag}>") for s in range(t)]
            hs.append(prog.nonlin(_Update((1.0,), t, eta), a, *G[l], params=(kap[l], lam[l], *chis, *ms),
                                  name=f"h{l}{tag}", label=f"h{l}"))
            xs.append(prog.nonlin(f_phi, hs[-1], name=f"x{l}{tag}", label=act.name))
        return hs, xs

    outputs: list[tuple[Scalar, ...]] = []
    for t in range(routine.steps + 1):
        outputs.append(tuple(prog.moment(_prod, v, forward(t, q, f"({t},p{k})")[1][-1], name=f"f{t}(p{k})")
                             for k, q in enumerate(data.probes)))
        if t == routine.steps:
            break
        hs, xs = forward(t, train_xs[t], f"@{t}")
        f = prog.moment(_prod, v, xs[-1], name=f"f{t}(xi{t})")
        chi = prog.moment(lambda fv, y=train_ys[t]: loss_derivative(loss, fv, y), params=(f,), name=f"chi{t}", label="L'")
        g = prog.nonlin(lambda vv, hh: vv * d_phi(hh), v, hs[-1], name=f"g{L}@{t}", label="v*phi'")
        gs = {L: g}
        for l in range(L, 1, -1):
            bx = prog.matmul(back[l], gs[l], name=f"W{l}T g{l}@{t}")
            ms = [prog.moment(_prod, G[l][s], gs[l], name=f"<g{l}@{s},g{l}@{t}>") for s in range(t)]
            gs[l - 1] = prog.nonlin(_Update((1.0,), t, eta, gate=d_phi), bx, *X[l - 1], hs[l - 2],
                                    params=(kap[l], lam[l], *chis, *ms), name=f"g{l - 1}@{t}", label=f"g{l - 1}")
        for l in range(1, L + 1):
            G[l].append(gs[l])
            X[l].append(xs[l - 1])
        v = prog.nonlin(lambda vv, x, lm, c: vv - (eta * lm * c) * x, v, xs[-1], params=(sc["lambda_out"], chi),
                        name=f"v@{t + 1}", label="v-update")
        chis.append(chi)
    return MLPProgram(prog, tuple(outputs), exps)


def engine_draws(input_dim: int) -> DrawFn:
    """The z of :mod:`impl.simulation.draws` behind the engine's W₀ (roles weight/readout/backward),
    as a ``draws`` hook of :func:`impl.limits.program.run_finite` for :func:`mlp_sgd_program`."""

    def draws(index: int, name: str, seed: int, width: int) -> np.ndarray:
        if name.startswith("u"):
            return standard_normal((width, input_dim), seed, width, "weight", 1).numpy()[:, int(name[1:])]
        if name == "v":
            return standard_normal((1, width), seed, width, "readout", 0).numpy()[0]
        role = "weight" if name.startswith("W") else "backward"
        return standard_normal((width, width), seed, width, role, int(name[1:])).numpy()

    return draws


def mlp_finite(p: Parametrization, routine: Routine, width: int, seeds: Sequence[int], *,
               data: TrainingData | None = None, engine: bool = True) -> np.ndarray:
    """fₜ(probes) of the program at width n, shape (T+1, S, P, 1) like :func:`finite_outputs`; with
    ``engine`` the initial draws are the engine's (same networks), else the program's own."""
    mp = mlp_sgd_program(p, routine, data=data)
    run = run_finite(mp.program, width, seeds, draws=engine_draws(routine.input_dim) if engine else None)
    return np.stack([np.stack([run[h] for h in row], axis=-1) for row in mp.outputs])[..., None]


@dataclass(frozen=True)
class MLPLimit:
    """f̊ₜ(probes) (T+1, P, 1) from the Z-evaluator, its Monte Carlo standard error, and N, R."""

    outputs: np.ndarray
    stderr: np.ndarray
    particles: int
    replicates: int


def mlp_limit(p: Parametrization, routine: Routine, *, data: TrainingData | None = None,
              particles: int = 2**16, replicates: int = 16, seed: int = 0) -> MLPLimit:
    """Algorithm 1: f̊ₜ(probes) of SGD in ``p`` as ``routine`` says on ``data``, as Z-evaluation
    (Definition 7.3) of :func:`mlp_sgd_program`; µP (all width exponents ≤ 0) only — see the module
    docstring."""
    mp = mlp_sgd_program(p, routine, data=data)
    bad = {k: e for k, e in mp.exponents.items() if e > 0}
    if bad:
        k, e = next(iter(bad.items()))
        raise ValueError(f"no Tensor Program limit for {p}: width multiplier {k} = n^{e} diverges (µP needs all ≤ 0)")
    res = z_evaluate(mp.program, particles=particles, replicates=replicates, seed=seed)
    est = [[res.estimate(h) for h in row] for row in mp.outputs]
    return MLPLimit(np.array([[e.value for e in row] for row in est])[..., None],
                    np.array([[e.stderr for e in row] for row in est])[..., None], res.particles, res.replicates)
