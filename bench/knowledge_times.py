"""Data time of the Knowledge page (its five queries through the runner plus the statistics).

    python -m bench.knowledge_times --warehouse PATH --tier NAME [--repeat N]

Four viewers (collaborative staff, the first state, the first health system, the first hospital)
x four filter sets (none, role RN, module M03, period FY2026), each on a new Runner (cold: cache
misses) and then again (warm: cache hits), as the page calls them: knowledge_gains,
knowledge_items, item_quality (for the module in focus), knowledge_retention and
knowledge_attrition, each followed by its analysis/knowledge.py table. Prints p50/p95/max and
writes bench/results/knowledge_times_<tier>.json.
"""

import argparse
import json
import subprocess
import time
from dataclasses import replace
from pathlib import Path

from analysis import knowledge
from bench import common
from queries.filters import Filters
from queries.runner import Runner
from queries.scope import Viewer

PAGE = [
    ("knowledge_gains", knowledge.gains),
    ("knowledge_items", knowledge.item_changes),
    ("knowledge_retention", knowledge.follow_up),
    ("knowledge_attrition", knowledge.dropouts),
]
FILTERS = [Filters(), Filters(role="RN"), Filters(module="M03"), Filters(period="FY2026")]


def page(runner: Runner, viewer: Viewer, f: Filters) -> float:
    t0 = time.perf_counter()
    for name, table in PAGE:
        res = runner.run(name, viewer, f, pool=True, policy="first")
        if not res.empty:
            table(res.frame, res.detail)
    res = runner.run("item_quality", viewer, replace(f, module=f.module or "M01"), pool=True)
    if not res.empty:
        knowledge.item_quality(res.frame, res.detail)
    return (time.perf_counter() - t0) * 1000


def _q(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--warehouse", required=True)
    ap.add_argument("--tier", required=True)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    hospitals = Runner(args.warehouse).frame().hospitals
    viewers = [
        Viewer("collaborative"),
        Viewer("state", hospitals["state"].iloc[0]),
        Viewer("system", hospitals["health_system"].dropna().iloc[0]),
        Viewer("hospital", hospitals["hospital_ccn"].iloc[0]),
    ]
    cold, warm = [], []
    for _ in range(args.repeat):
        for viewer in viewers:
            runner = Runner(args.warehouse)
            runner.version()  # attach outside the timing
            for f in FILTERS:
                cold.append(page(runner, viewer, f))
                warm.append(page(runner, viewer, f))
    stats = {
        kind: {"n": len(xs), "p50_ms": _q(xs, 0.5), "p95_ms": _q(xs, 0.95), "max_ms": max(xs)}
        for kind, xs in (("cold", cold), ("warm", warm))
    }
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    out = {
        "tier": args.tier,
        "machine": common.machine(),
        "commit": commit,
        "stats": stats,
    }
    path = Path(__file__).parent / "results" / f"knowledge_times_{args.tier}.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    for kind, s in stats.items():
        print(
            f"{args.tier} {kind}: n={s['n']} p50 {s['p50_ms']:.0f} p95 {s['p95_ms']:.0f} "
            f"max {s['max_ms']:.0f} ms"
        )


if __name__ == "__main__":
    main()
