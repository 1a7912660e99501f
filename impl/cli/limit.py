"""``tp4 limit ARCH [--phi PHI] [--routine FILE | --steps T --seed S] [--eta η] [--widths …] [--seeds N] [--json PATH]``.

The infinite-width µP limit f̊ₜ of ARCH on the routine's probe inputs, t = 0..T, next to the mean ± std
over seeds of finite µP networks at each width (paper Section 6). ARCH is ``mlp1`` (Theorem 6.1,
quadrature), ``linear1`` (φ = id; Corollary 6.2 / Theorem D.1, exact), ``mlp2-decoupled`` (Theorem 6.3)
or ``mlp2`` (Theorem 6.4), both Monte Carlo. µP as in Eq. (16): U = √n·u, V = v/√n, u, v ~ N(0, 1/n),
SGD with batch 1 and step η on u, v (and W for depth 2).

The routine: a JSON file ``{"xs", "ys", "probes", "eta", "loss"}`` (vectors, or plain numbers when the
dimension is 1; loss "mse" = ½(f − y)² or "logistic"); without one, Figure 4's data: T random ±1 inputs
and labels, probes ±1 (data seed S; ``Routine(inputs="signs", label=1, input_dim=1)``). ``--eta``
overrides the file's η. Default η: 0.01 for φ = square and 0.2 for identity (Figure 4's, where the limit
stays finite), 0.5 otherwise.

Before any work the memory the limit and the finite networks need is estimated from the arguments
(:mod:`impl.limits.memory`); more than this machine has available is refused in one line (exit code 2).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from impl.cli.common import check_need, check_output_path, positive_float, positive_int, write_json
from impl.cli.errors import UsageError, plain

if TYPE_CHECKING:
    import numpy as np

    from impl.limits.archs import LimitResult
    from impl.simulation import Routine, TrainingData

__all__ = ["add_parser", "width_list", "limit_json", "render", "run", "DEFAULT_ETAS"]

DEFAULT_ETAS = {"square": 0.01, "identity": 0.2}
"""η by φ when none is given (Figure 4's choices, :mod:`impl.limits.figure4`); 0.5 for any other φ."""
DEFAULT_WIDTHS = (256, 1024)


def width_list(text: str) -> tuple[int, ...]:
    """``256,1024`` → (256, 1024): distinct integers ≥ 1, sorted (one width is allowed)."""
    parts = [t for t in text.replace(" ", "").split(",") if t]
    try:
        values = sorted({int(t) for t in parts})
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of integers") from None
    if not values or values[0] < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: widths must be integers >= 1")
    return tuple(values)


def _nested(a: np.ndarray) -> Any:
    """(T+1, P, d_o) → nested lists, plain numbers when d_o = 1, non-finite entries as null."""
    from impl.measurement.report import jsonable

    return jsonable(a[..., 0] if a.shape[-1] == 1 else a)


def limit_json(arch: str, routine: "Routine", data: "TrainingData", limit: "LimitResult",
               finite: dict[int, np.ndarray]) -> dict[str, Any]:
    """The ``--json`` document: steps, probes, limit[t][p], finite[width]{mean, std}[t][p] and metadata
    (``routine``: the routine file of ``routine`` and its ``data``)."""
    from impl.limits import routine_json

    probes = data.probes[:, 0].tolist() if routine.input_dim == 1 else data.probes.tolist()
    return {
        "arch": arch, "phi": routine.activation.name, "steps": routine.steps, "eta": routine.lr, "probes": probes,
        "limit": _nested(limit.outputs),
        "finite": {str(w): {"mean": _nested(out.mean(axis=1)),
                            "std": _nested(out.std(axis=1, ddof=1 if out.shape[1] > 1 else 0))} for w, out in finite.items()},
        "seeds": next(iter(finite.values())).shape[1] if finite else 0,
        "error_estimate": limit.error_estimate if limit.finite else None, "method": limit.method,
        "routine": routine_json(routine, data),
    }


def _num(x: float) -> str:
    return f"{x:+.5f}" if abs(x) < 1e4 else f"{x:+.3e}"  # (inf and NaN print as such)


def _probe_label(data: "TrainingData", p: int) -> str:
    x = data.probes[p]
    return f"{x[0]:+g}" if x.size == 1 else f"p{p}"


def render(arch: str, routine: "Routine", data: "TrainingData", limit: "LimitResult",
           finite: dict[int, np.ndarray]) -> str:
    """The table: t, probe (and output k when d_o > 1), f̊ₜ, then mean ± std over seeds per width."""
    multi = routine.output_dim > 1
    head = ["t", "probe"] + (["k"] if multi else []) + ["limit"] + [f"n={w} mean±std" for w in finite]
    rows = [head]
    T, P, K = limit.outputs.shape
    for t in range(T):
        for p in range(P):
            for k in range(K):
                cells = [str(t), _probe_label(data, p)] + ([str(k)] if multi else []) + [_num(limit.outputs[t, p, k])]
                for out in finite.values():
                    v = out[t, :, p, k]
                    cells.append(f"{_num(v.mean())} ± {_num(v.std(ddof=1) if v.size > 1 else 0.0)[1:]}")
                rows.append(cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    err = "n/a (diverged)" if not limit.finite else f"{limit.error_estimate:.1e}"
    title = (f"{arch} ({_theorem(arch)}), phi={routine.activation.name}, eta={routine.lr:g}, loss={routine.loss}, "
             f"T={routine.steps}; limit by {limit.method}, error <= {err}")
    return "\n".join([title] + lines)


def _theorem(arch: str) -> str:
    from impl.limits.archs import get_arch

    return get_arch(arch).theorem


def add_parser(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("limit", help="infinite-width muP limit next to finite-width networks", description=plain(__doc__),
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("arch", help="mlp1, linear1, mlp2-decoupled or mlp2")
    ap.add_argument("--phi", default=None, help="nonlinearity (default tanh; identity for linear1): tanh, sigma-gelu[:σ], "
                    "relu, gelu, identity, square, erf")
    ap.add_argument("--routine", metavar="FILE", default=None, help="JSON routine file (see above)")
    ap.add_argument("--steps", type=positive_int, default=None, help="T, SGD steps of the ±1 routine (default 5)")
    ap.add_argument("--seed", type=int, default=None, help="data seed of the ±1 routine (default 0)")
    ap.add_argument("--eta", type=positive_float, default=None, help="learning rate η (default: see above)")
    ap.add_argument("--widths", type=width_list, default=DEFAULT_WIDTHS, help="finite widths (default 256,1024)")
    ap.add_argument("--seeds", type=positive_int, default=16, help="finite networks per width (default 16)")
    ap.add_argument("--particles", type=positive_int, default=None,
                    help="Monte-Carlo particles of the depth-2 limits (default 2^17)")
    ap.add_argument("--json", metavar="PATH", default=None, help="also write the result as JSON ('-': JSON on stdout only)")
    ap.add_argument("--no-progress", action="store_true", help="no progress lines on stderr")
    ap.set_defaults(func=run)


def _routine(args: argparse.Namespace, phi: str) -> "tuple[Routine, TrainingData | None]":
    """The routine (φ = ``phi``, the architecture's backprop) and its data: the file's, or None for the ±1 data
    (made once the memory it takes is known to fit: ``--steps`` sets its size)."""
    from impl.limits import load_routine
    from impl.limits.archs import get_arch
    from impl.simulation import Routine

    decoupled = get_arch(args.arch).decoupled
    if args.routine is not None:
        if args.steps is not None or args.seed is not None:
            raise UsageError("--steps/--seed make the ±1 routine; they do not apply with --routine")
        routine, data = load_routine(args.routine)
        lr = routine.lr if args.eta is None else args.eta
        return replace(routine, phi=phi, decoupled=decoupled, lr=lr), data
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed must be >= 0, got {args.seed}")
    eta = args.eta if args.eta is not None else DEFAULT_ETAS.get(phi, 0.5)
    routine = Routine(phi=phi, input_dim=1, steps=5 if args.steps is None else args.steps, lr=eta, probes=2,
                      data_seed=0 if args.seed is None else args.seed, inputs="signs", label=1.0, decoupled=decoupled)
    return routine, None


def _say(args: argparse.Namespace, text: str) -> None:
    if not args.no_progress:
        print(text, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from impl.limits.archs import DEFAULT_PARTICLES, finite_for, limit_for, resolve_phi
    from impl.limits.memory import comparison_need
    from impl.simulation import training_data

    if args.json not in (None, "-"):
        check_output_path(args.json)
    particles = args.particles or DEFAULT_PARTICLES
    try:
        phi = str(resolve_phi(args.arch, args.phi))
        routine, file_data = _routine(args, phi)
        check_need(comparison_need(args.arch, routine, particles, args.widths, args.seeds))
        data = training_data(routine) if file_data is None else file_data
        limit = limit_for(args.arch, routine, data=data, particles=particles)
    except ValueError as err:  # unknown arch or φ, φ not allowed, bad routine file, too few particles
        raise UsageError(str(err)) from None
    if not limit.finite:
        print(f"tp4: warning: the {args.arch} limit diverges at step {limit.diverged_at} (phi={phi}, "
              f"eta={routine.lr:g}): lower --eta or --steps", file=sys.stderr)
    finite: dict[int, np.ndarray] = {}
    for w in args.widths:
        started = time.perf_counter()
        _say(args, f"width {w}: {args.seeds} seeds ...")
        finite[w] = finite_for(args.arch, routine, w, range(args.seeds), data=data)
        _say(args, f"width {w}: done in {time.perf_counter() - started:.1f} s")
    with np.errstate(over="ignore", invalid="ignore"):  # networks that blew up give inf/NaN statistics
        doc = limit_json(args.arch, routine, data, limit, finite)
        table = render(args.arch, routine, data, limit, finite)
    if args.json == "-":
        write_json("-", doc)
        return 0
    print(table)
    if args.json is not None:
        write_json(args.json, doc)
    return 0

