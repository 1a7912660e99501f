"""Print the benchmark ratios from a pytest-benchmark JSON file: tp4/floor and other/tp4 (naive or mup).

Usage: ``python -m tests.benchmarks.ratios .benchmarks/last.json``
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict


def main(path: str) -> int:
    data = json.load(open(path, encoding="utf-8"))
    groups: dict[str, dict[str, float]] = defaultdict(dict)
    for b in data["benchmarks"]:
        kind = b["name"].split("[")[0].removeprefix("test_")
        groups[b["group"]][kind] = b["stats"]["median"]
    print(f"{'group':<20}{'tp4 s':>9}{'floor s':>9}{'other s':>9}{'tp4/floor':>11}{'other/tp4':>11}  other")
    for g, t in sorted(groups.items()):
        tp4, fl = t.get("tp4"), t.get("floor")
        name = "naive" if "naive" in t else "mup" if "mup" in t else ""
        nv = t.get(name)
        r1 = f"{tp4 / fl:.2f}" if tp4 and fl else "-"
        r2 = f"{nv / tp4:.2f}" if tp4 and nv else "-"
        fmt = lambda x: f"{x:.2f}" if x else "-"  # noqa: E731
        print(f"{g:<20}{fmt(tp4):>9}{fmt(fl):>9}{fmt(nv):>9}{r1:>11}{r2:>11}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
