"""``tp4 classify SPEC [--depth L] [--json]``: the theory's verdict on one parametrization.

Without SPEC, a Table 1-style summary of every preset at ``--depth``.
"""

from __future__ import annotations

import argparse
import json
from fractions import Fraction
from typing import Any

from impl.cli.common import depth_arg
from impl.cli.errors import plain
from impl.theory import (
    Behaviour,
    Classification,
    Exponent,
    Parametrization,
    classify,
    exact_zeros,
    format_fraction,
    parse_spec,
    predicted_behaviours,
    predicted_exponents,
    preset,
)

__all__ = ["add_parser", "classification_json", "run"]

TABLE1 = ("sp", "sp-lr1n", "ntp", "mfp", "mup", "up:1/4")


def _fr(x: Exponent | None) -> str | None:
    return None if x is None else format_fraction(x)


def classification_json(c: Classification) -> dict[str, Any]:
    """The ``tp4 classify --json`` object (schema in README.md); every rational is a "p/q" string."""
    p = c.parametrization
    s = p.as_strings()
    return {
        "name": p.name,
        "depth": p.depth,
        "a": s["a"],
        "b": s["b"],
        "c": s["c"],
        "r": _fr(c.r),
        "r_layers": [_fr(x) for x in c.r_layers],
        "stable": c.stable,
        "violated": [v.name for v in c.violated],
        "nontrivial": c.nontrivial,
        "regime": c.regime.value,
        "exponents": {k: _fr(v) for k, v in predicted_exponents(p).items()},
        "exact_zeros": sorted(exact_zeros(p)),
        "min_stable_c": _fr(c.min_stable_c),
        "maximal": c.maximal.as_dict(),
        "mup_class": c.mup_class,
        "canonical": p.canonical().as_strings(),
    }


def _yes(x: bool) -> str:
    return "yes" if x else "no"


def render(c: Classification) -> str:
    """A readable report of one classification."""
    p = c.parametrization
    s = p.as_strings()
    title = f"{p.name or 'custom'} (L = {p.depth})"
    exps = predicted_exponents(p)
    maximal = ", ".join(f"{k} {_yes(v)}" for k, v in c.maximal.as_dict().items())
    violated = ", ".join(f"{v.name} (governs {v.governs})" for v in c.violated) or "none"
    min_c = "none (unstable at initialisation for every c)" if c.min_stable_c is None else (
        f"{c.min_stable_c}  (largest stable learning rate ~ n^{-c.min_stable_c})"
    )
    rows = [
        ("a", ", ".join(s["a"])),  # type: ignore[arg-type]
        ("b", ", ".join(s["b"])),  # type: ignore[arg-type]
        ("c", s["c"]),
        ("regime", c.regime.value),
        ("r", f"{c.r}   (r_l: {', '.join(str(x) for x in c.r_layers)})"),
        ("stable", _yes(c.stable)),
        ("violated", violated),
        ("nontrivial", _yes(c.nontrivial)),
        ("min stable c", min_c),
        ("maximal", maximal),
        ("µP class", _yes(c.mup_class)),
        ("canonical", p.canonical().spec()),
    ]
    lines = [title] + [f"  {k:<13} {v}" for k, v in rows]
    lines.append("  predicted exponents (size ~ n^e, after t >= 2 steps):")
    if c.stable:
        behaviours = predicted_behaviours(p)
        shown = {Behaviour.ZERO: "exactly 0 (zero readout)", Behaviour.VANISHES: "vanishes (the paper gives no rate)"}
        lines += [f"    {k:<16} {v if v is not None else shown.get(behaviours[k], '—')}"  # type: ignore[arg-type]
                  for k, v in exps.items()]
    else:
        lines.append("    none: unstable (only 'grows' is a prediction)")
    return "\n".join(lines)


def render_presets(depth: int) -> str:
    """Table 1 of the paper, recomputed, for every preset at ``depth`` (MFP at L = 1)."""
    head = f"{'preset':<9}{'L':>3}{'r':>6}{'2a+c':>6}{'A+r':>6}  {'stable':<7}{'nontriv':<8}{'regime':<17}{'min c':>6}  µP"
    lines = [head, "-" * len(head)]
    for name in TABLE1:
        p = preset(name, 1 if name == "mfp" else depth)
        c = classify(p)
        lines.append(
            f"{name:<9}{p.depth:>3}{str(c.r):>6}{str(2 * p.a_out + p.c):>6}{str(p.a_out + p.b_out + c.r):>6}  "
            f"{_yes(c.stable):<7}{_yes(c.nontrivial):<8}{c.regime.value:<17}{str(c.min_stable_c):>6}  {_yes(c.mup_class)}"
        )
    return "\n".join(lines)


def add_parser(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("classify", help="the theory's verdict on a parametrization", description=plain(__doc__))
    ap.add_argument("spec", nargs="?", help="preset, 'a=...;b=...;c=...', or a .json/.toml file; omit for all presets")
    ap.add_argument("--depth", type=depth_arg, default=None, help="L, hidden layers (presets; default 2)")
    ap.add_argument("--json", action="store_true", help="print one JSON object (a list without SPEC)")
    ap.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.spec is None:
        depth = 2 if args.depth is None else args.depth
        parse_spec("mup", depth)  # validates depth with the usual one-line error
        if args.json:
            objs = [classification_json(classify(preset(n, 1 if n == "mfp" else depth))) for n in TABLE1]
            print(json.dumps(objs, indent=2))
        else:
            print(render_presets(depth))
        return 0
    p: Parametrization = parse_spec(args.spec, args.depth)
    c = classify(p)
    print(json.dumps(classification_json(c), indent=2) if args.json else render(c))
    return 0
