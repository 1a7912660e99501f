"""``tp4 check SPEC``: every applicable theorem check, on finite networks, for one parametrization.

Runs the finite-width theorem checks of ``theorem_checks/check_user_spec.py`` (the same code the
suite runs with ``pytest --tp4-spec SPEC``) under pytest and prints, per statement and φ, what the
theory says, what was measured and whether they agree. Exit code 0 when every applicable check
agrees, 1 when one disagrees or stays inconclusive after its retries, 2 for bad input. A claim
with a documented finite-width bias that stays undecided is shown as "inconclusive (known bias)"
with the reason; like the suite, it does not count as a failure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from impl.cli.common import check_output_path, positive_int, write_json
from impl.cli.errors import EXIT_DISAGREE, EXIT_OK, UsageError
from impl.theory import Parametrization, Regime, classify, parse_spec, predicted_exponents

__all__ = ["add_parser", "run", "theory_verdicts"]

SUITE = Path(__file__).resolve().parents[2] / "theorem_checks" / "check_user_spec.py"
STATEMENTS = {
    "stability": "Thm 3.3 stability",
    "nontriviality": "Thm 3.4 nontriviality",
    "regime": "Thm 3.6/3.8 dichotomy",
    "f0": "Cor 3.10 f0",
    "maximal_updates": "Thm 5.6 maximal updates",
    "layerwise_feature_learning": "Thm H.13(3) layerwise",
}


def theory_verdicts(p: Parametrization) -> dict[str, str]:
    """What the theory says, statement by statement, in a few words."""
    c = classify(p)
    if not c.stable:
        stab = "unstable: " + ", ".join(f"{v.name} ({v.governs} grows)" for v in c.violated)
    else:
        stab = "stable: every quantity bounded"
    first_fl = next((l for l, r in enumerate(c.r_layers, start=1) if r == 0), None)
    return {
        "stability": stab,
        "nontriviality": "nontrivial: f moves by Θ(1)" if c.nontrivial else "trivial: f - f0 vanishes",
        "regime": c.regime.value,
        "f0": f"f0 ~ n^{predicted_exponents(p)['f0']}" if c.stable else "n/a (unstable)",
        "maximal_updates": "µP: all updates Θ(1)" if c.mup_class else "not µP: some update vanishes",
        "layerwise_feature_learning": (
            f"features learned from layer {first_fl} on" if c.regime is Regime.FEATURE_LEARNING else "n/a"
        ),
    }


def add_parser(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("check", help="run every applicable theorem check for one parametrization", description=__doc__)
    ap.add_argument("spec", help="preset, 'a=...;b=...;c=...', or a .json/.toml file")
    ap.add_argument("--depth", type=int, default=None, help="L, hidden layers (presets; default 2)")
    ap.add_argument("--phi", choices=("tanh", "sigma_gelu", "both"), default="tanh", help="φ of Assumption 3.1")
    ap.add_argument("--profile", choices=("dev", "ci", "nightly"), default="dev", help="evidence budget (default dev)")
    ap.add_argument("-j", "--jobs", type=positive_int, default=1, help="pytest-xdist workers (default 1)")
    ap.add_argument("--json", metavar="PATH", default=None, help="write the verdicts as JSON")
    ap.set_defaults(func=run)


def _outcomes(junit: Path) -> list[dict[str, str]]:
    rows = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = case.get("name", "")
        base, _, phi = name.partition("[")
        key = base.removeprefix("test_user_spec_")
        failed = case.find("failure") if case.find("failure") is not None else case.find("error")
        skipped = case.find("skipped")
        if failed is not None:
            msg = (failed.get("message") or "").strip().splitlines()
            text = msg[0] if msg else "failed"
            outcome = "inconclusive" if "Inconclusive" in text else "disagrees"
        elif skipped is not None:
            outcome, text = "not applicable", (skipped.get("message") or "").strip().splitlines()[0]
        else:
            biased = [p.get("value", "") for p in case.iter("property") if p.get("name") == "inconclusive_warning"]
            outcome, text = ("inconclusive (known bias)", biased[0]) if biased else ("agrees", "")
        rows.append({"key": key, "phi": phi.rstrip("]"), "measured": outcome, "detail": text})
    return rows


def run(args: argparse.Namespace) -> int:
    p = parse_spec(args.spec, args.depth)
    check_output_path(args.json)
    if not SUITE.is_file():
        raise UsageError(f"tp4 check needs the tp4 source tree: {SUITE} is missing")
    theory = theory_verdicts(p)
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        cmd = [sys.executable, "-m", "pytest", str(SUITE), "--tp4-spec", p.spec(), "-p", "no:cacheprovider",
               "-o", "console_output_style=classic", "-o", "junit_family=xunit1", "-v", f"--junitxml={junit}", "-W", "ignore::DeprecationWarning"]
        if args.phi != "both":
            cmd += ["-k", args.phi]
        cmd += ["-n", str(args.jobs)] if args.jobs > 1 else ["-p", "no:xdist"]
        env = {**os.environ, "HYPOTHESIS_PROFILE": args.profile}
        print(f"checking {p.name or p.spec()} (L = {p.depth}, {theory['regime']}) with profile {args.profile} ...", file=sys.stderr)
        with subprocess.Popen(cmd, cwd=SUITE.parents[1], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:  # progress: one line per finished check
                if "::test_user_spec_" in line and any(w in line for w in ("PASSED", "FAILED", "SKIPPED", "ERROR")):
                    print("  " + line.split("::", 1)[1].strip(), file=sys.stderr)
        if not junit.is_file():
            raise UsageError(f"the theorem suite did not run (pytest exit code {proc.returncode})")
        rows = _outcomes(junit)
    for r in rows:
        r["statement"] = STATEMENTS.get(r["key"], r["key"])
        r["theory"] = theory.get(r["key"], "")
    width = max(len(r["statement"]) for r in rows) if rows else 10
    print(f"{'statement':<{width}}  {'phi':<10}  {'theory':<42}  measured")
    for r in rows:
        detail = f" — {r['detail']}" if r["detail"] and r["measured"] != "agrees" else ""
        print(f"{r['statement']:<{width}}  {r['phi']:<10}  {r['theory'][:42]:<42}  {r['measured']}{detail[:160]}")
    bad = [r for r in rows if r["measured"] in ("disagrees", "inconclusive")]
    soft = [r for r in rows if r["measured"] == "inconclusive (known bias)"]
    print(f"{len(rows) - len(bad) - len(soft)} of {len(rows)} checks agree or do not apply; {len(soft)} inconclusive "
          f"with a documented finite-width bias (not failures); {len(bad)} do not agree")
    if args.json:
        doc = {"spec": p.spec(), "name": p.name, "depth": p.depth, "profile": args.profile, "theory": theory,
               "checks": [{k: r[k] for k in ("statement", "phi", "theory", "measured", "detail")} for r in rows]}
        write_json(args.json, doc, indent=2)
    return EXIT_DISAGREE if bad or not rows else EXIT_OK
