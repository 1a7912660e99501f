"""``tp4 kernel --phi PHI --depth L --inputs FILE [--param SPEC] [--w-std S] [--b-std B] [--json PATH]``.

The NNGP Σ^{L+1} and NTK Θ of the output of an L-hidden-layer MLP on the inputs in FILE (a JSON list of
vectors, or of numbers when d = 1), by the layer-wise recursion of :mod:`impl.limits.kernels`: usual NTK
scaling σ_w W/√fan_in + σ_b b (default σ_w = 1, σ_b = 0). With ``--param SPEC`` (a kernel-regime
abc-parametrization, Thm 3.8) "ntk" is instead the kernel K of its kernel gradient descent (Def. 3.7) as
the tp4 engine runs it: only the layers updated at the leading rate, first layer not divided by √d.
Every kernel is N × N for N inputs, L + 3 of them are printed or written: a size this machine cannot hold is
refused before any work, in one line naming what it needs and what the machine has (exit code 2).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from impl.cli.common import check_need, check_output_path, depth_arg, positive_int, write_json
from impl.cli.errors import UsageError, plain

if TYPE_CHECKING:
    import numpy as np

    from impl.simulation.memory import Need

__all__ = ["add_parser", "read_inputs", "kernel_json", "document_need", "run"]

LIST_ENTRY_BYTES = 32
"""A kernel entry in :func:`kernel_json`'s nested lists: a list slot (8 bytes) and a float object (24)."""
JSON_ENTRY_BYTES = 42
"""A kernel entry as JSON text: about 21 characters, held as the string and as the bytes written (measured with
``--json``: N = 1500, L = 3 and 8, peak RSS 598 and 1166 bytes per N² entry against 596 and 1126 estimated)."""


def _std(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(v) and v >= 0):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number >= 0")
    return v


def _number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def read_inputs(path: str) -> np.ndarray:
    """The (N, d) inputs of a JSON file: a non-empty list of equal-length number lists, or of numbers (d = 1)."""
    import numpy as np  # numpy here and below, not at import: `tp4 --help` stays fast

    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise UsageError(f"--inputs {path}: cannot read it ({err.strerror or err})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UsageError(f"--inputs {path} is not JSON: {str(err).splitlines()[0]}") from None
    if not isinstance(doc, list) or not doc:
        raise UsageError(f"--inputs {path} must hold a non-empty JSON list of input vectors")
    if all(_number(x) for x in doc):
        return np.asarray(doc, dtype=np.float64)[:, None]
    if not all(isinstance(v, list) and v and all(_number(x) for x in v) for v in doc):
        raise UsageError(f"--inputs {path}: every entry must be a non-empty list of finite numbers (or all entries numbers)")
    dims = sorted({len(v) for v in doc})
    if len(dims) > 1:
        raise UsageError(f"--inputs {path}: vectors have different lengths {dims} (ragged)")
    return np.asarray(doc, dtype=np.float64)


def kernel_json(args: argparse.Namespace, X: np.ndarray) -> dict[str, Any]:
    """The output object: "nngp", "ntk", "per_layer" (K₁..K_{L+1}) as nested lists, plus metadata."""
    from impl.limits.kernels import abc_kernel, mlp_kernels
    from impl.theory import parse_spec

    try:
        if args.param is None:
            if args.depth is None:
                raise UsageError("--depth L is required (or --param SPEC)")
            res = mlp_kernels(args.phi, args.depth, X, w_std=args.w_std, b_std=args.b_std)
            meta: dict[str, Any] = {"scaling": "ntk", "w_std": args.w_std, "b_std": args.b_std}
            ntk = res.ntk
        else:
            p = parse_spec(args.param, args.depth)
            k = abc_kernel(p, args.phi, X)
            res, ntk = k.base, k.kernel
            meta = {"scaling": "abc", "param": p.spec(), "name": p.name, "layers": list(k.layers),
                    "rates": [str(e) for e in k.rates], "f0_cov": k.f0_cov.tolist()}
    except ValueError as err:  # unknown φ, depth < 1, not in the kernel regime, ...
        raise UsageError(str(err)) from None
    return {"phi": res.phi, "depth": res.depth, "inputs": X.tolist(), **meta, "nngp": res.nngp.tolist(),
            "ntk": ntk.tolist(), "per_layer": [k_l.tolist() for k_l in res.per_layer]}


def document_need(args: argparse.Namespace, inputs: int) -> "Need | None":
    """The peak of ``tp4 kernel`` on ``inputs`` points: :func:`impl.limits.memory.kernel_need` (the numpy matrices)
    plus the document's lists — NNGP, NTK, K₁..K_{L+1} (and f̊₀'s covariance with ``--param``) — at
    :data:`LIST_ENTRY_BYTES` per entry, and :data:`JSON_ENTRY_BYTES` more with ``--json``. None when the depth is
    not given (:func:`kernel_json` says so)."""
    from impl.limits.memory import kernel_need
    from impl.simulation.memory import Need
    from impl.theory import parse_spec

    depth = args.depth if args.param is None else parse_spec(args.param, args.depth).depth
    if depth is None:
        return None
    try:
        base = kernel_need(args.phi, inputs, depth, abc=args.param is not None)
    except ValueError as err:  # an unknown φ
        raise UsageError(str(err)) from None
    lists = depth + 3 + (args.param is not None)
    per_entry = LIST_ENTRY_BYTES + (JSON_ENTRY_BYTES if args.json is not None else 0)
    return Need(base.bytes + lists * inputs * inputs * per_entry, base.what,
                f"{base.part} and {lists} of them as lists of numbers", base.hint)


def _render(out: dict[str, Any]) -> str:
    import numpy as np

    X = np.asarray(out["inputs"])
    if out["scaling"] == "ntk":
        how = f"NTK scaling (W/sqrt(fan_in)), w_std {out['w_std']:g}, b_std {out['b_std']:g}"
        name = "NTK"
    else:
        how = f"engine scaling of {out['name'] or out['param']}; K from layers {', '.join(map(str, out['layers']))}"
        name = "K (kernel gradient descent, Def. 3.7)"
    lines = [f"{out['phi']}, L = {out['depth']}, {X.shape[0]} inputs of dimension {X.shape[1]}; {how}"]
    for title, key in (("NNGP", "nngp"), (name, "ntk")):
        lines += [f"{title}:", np.array2string(np.asarray(out[key]), precision=8, max_line_width=120)]
    return "\n".join(lines)


def add_parser(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("kernel", help="NNGP and NTK of an MLP on given inputs", description=plain(__doc__))
    ap.add_argument("--phi", required=True, help="nonlinearity: relu, erf, tanh, gelu, sigma-gelu[:σ], identity, square")
    ap.add_argument("--depth", type=depth_arg, default=None, metavar="L", help="L, hidden layers (with --param: a preset's depth)")
    ap.add_argument("--inputs", required=True, metavar="FILE", help="JSON list of input vectors (numbers when d = 1)")
    ap.add_argument("--param", metavar="SPEC", default=None, help="kernel-regime parametrization (e.g. ntp, sp-lr1n)")
    ap.add_argument("--w-std", type=_std, default=None, metavar="S", help="σ_w (default 1; not with --param)")
    ap.add_argument("--b-std", type=_std, default=None, metavar="B", help="σ_b (default 0; not with --param)")
    ap.add_argument("--json", metavar="PATH", default=None, help="also write the kernels as JSON to PATH ('-': stdout only)")
    ap.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.json != "-":
        check_output_path(args.json)
    if args.param is not None and (args.w_std is not None or args.b_std is not None):
        raise UsageError("--w-std/--b-std do not apply with --param (the parametrization fixes the scales)")
    args.w_std = 1.0 if args.w_std is None else args.w_std
    args.b_std = 0.0 if args.b_std is None else args.b_std
    X = read_inputs(args.inputs)
    need = document_need(args, X.shape[0])
    if need is not None:
        check_need(need)
    out = kernel_json(args, X)
    if args.json == "-":
        write_json("-", out)
        return 0
    print(_render(out))
    if args.json is not None:
        write_json(args.json, out)
    return 0
