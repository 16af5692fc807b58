"""One command per tier: generate it (if needed), load it, measure everything, write it down.

    python -m bench.tier demo|state|collaborative [--steps etl,pages,browser,exports]

Steps, each a separate process so that one step's memory and caches never help the next:
  etl      bench.etl_load: generate (demo always, into a temporary folder; state and
           collaborative once, into data/tiers/<tier>), full load, unchanged reload, DuckDB's raw
           read of the same files, the ratio; the loaded warehouse is kept at
           data/tiers/<tier>.duckdb for the other steps
  pages    bench.page_times: data time and whole script run per page, cold and warm, 4 viewer
           roles x 5 filter sets (AppTest)
  browser  bench.browser_times: time until the charts have rendered in headless Chromium
  exports  bench.export_times: build time and peak memory of each workbook
Then bench/results/<tier>.json (all of it, with the machine and commit) and BENCHMARKS.md (the
tables of every tier measured so far, and DESIGN.md section 8's budgets, held or not).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import report
from bench.common import machine

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
STEPS = {
    "etl": ("bench.etl_load", "etl_{tier}.json"),
    "pages": ("bench.page_times", "page_times_{tier}.json"),
    "browser": ("bench.browser_times", "browser_times_{tier}.json"),
    "exports": ("bench.export_times", "export_times_{tier}.json"),
}


def commit() -> str:
    sha = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        # the steps' own results, and the table made from them, are not code
        [
            "git",
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ".",
            ":!bench/results",
            ":!BENCHMARKS.md",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return sha + ("+changes" if dirty else "")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("tier", choices=["demo", "state", "collaborative"])
    ap.add_argument(
        "--steps", default=",".join(STEPS), help="comma-separated subset of " + ", ".join(STEPS)
    )
    args = ap.parse_args()
    steps = args.steps.split(",")
    if unknown := set(steps) - set(STEPS):
        sys.exit(f"unknown steps {sorted(unknown)}; known: {', '.join(STEPS)}")
    warehouse = ROOT / "data" / "tiers" / f"{args.tier}.duckdb"
    dest = RESULTS / f"{args.tier}.json"
    result = json.loads(dest.read_text()) if dest.exists() else {}
    result.update({"tier": args.tier, "machine": machine(), "commit": commit()})
    result.setdefault("step_seconds", {})
    for step in steps:
        module, name = STEPS[step]
        if step == "etl":
            cmd = [sys.executable, "-m", module, "--tier", args.tier, "--keep", str(warehouse)]
        else:
            if not warehouse.exists():
                sys.exit(f"{warehouse} is missing: run the etl step first")
            cmd = [sys.executable, "-m", module, "--warehouse", str(warehouse), "--tier", args.tier]
        print(f"[{step}] {' '.join(cmd[1:])}", file=sys.stderr, flush=True)
        at = commit()  # each step imports the code as it is when the step starts
        t0 = time.perf_counter()
        env = {**os.environ, "HTRA_LEARNER_KEY": os.environ.get("HTRA_LEARNER_KEY", "bench-key")}
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        if proc.returncode:
            sys.exit(f"[{step}] failed with exit code {proc.returncode}")
        result["step_seconds"][step] = round(time.perf_counter() - t0, 1)
        result[step] = json.loads((RESULTS / name.format(tier=args.tier)).read_text())
        result[step].pop("machine", None)
        result[step]["commit"] = at  # steps may be rerun later at another commit
        result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        dest.write_text(json.dumps(result, indent=1) + "\n")  # after every step: nothing lost
    report.write(RESULTS, ROOT / "BENCHMARKS.md")
    print(f"wrote {dest} and BENCHMARKS.md", file=sys.stderr)


if __name__ == "__main__":
    main()
