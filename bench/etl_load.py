"""ETL load benchmark for one tier: generate (if needed), load, reload, and DuckDB's raw read.

    python -m bench.etl_load --tier demo|state|collaborative

Writes bench/results/etl_<tier>.json and prints one Markdown table row. Wall times and peak
resident memory come from GNU time around separate processes, so the numbers are the ones a user
of the command line sees.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from bench import common

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MB, stdout) of a child process."""
    with tempfile.NamedTemporaryFile("r") as tf:
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", tf.name, *cmd],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if proc.returncode not in (0, 3):  # 3: loaded with (planted) rejected rows
            sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        wall, rss_kb = tf.read().split()[-2:]
    return float(wall), int(rss_kb) // 1024, proc.stdout


def raw_read_s(root: Path) -> tuple[float, int]:
    """DuckDB alone reading the same text files into tables (no validation): CSV exports with the
    sniffer, web-server logs as one text column per line (gzip read by DuckDB). Files DuckDB
    cannot read by itself (UTF-16, cp1252, Download Monitor's unescaped quotes, .xlsx) are
    skipped and counted."""
    skipped = 0
    with tempfile.TemporaryDirectory() as d:
        con = duckdb.connect(str(Path(d) / "raw.duckdb"))
        t = time.perf_counter()
        files = sorted(f for f in (root / "exports").rglob("*") if f.is_file())
        for i, f in enumerate(files):
            if f.suffix == ".csv":
                source = "read_csv($p, all_varchar = true)"
            elif "access" in f.name:
                source = (
                    "read_csv($p, delim = chr(31), quote = '', escape = '', header = false, "
                    "columns = {'line': 'VARCHAR'}, auto_detect = false)"
                )
            else:
                skipped += 1
                continue
            try:
                con.execute(f"create table t{i} as select * from {source}", {"p": str(f)})
            except duckdb.Error:
                skipped += 1
        con.execute("checkpoint")
        return time.perf_counter() - t, skipped


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tier", choices=["demo", "state", "collaborative"], required=True)
    ap.add_argument("--keep", help="leave the loaded warehouse at this path (replaced if there)")
    args = ap.parse_args()
    root = ROOT / "sample_data" if args.tier == "demo" else ROOT / "data" / "tiers" / args.tier
    py = sys.executable
    gen_s = gen_mb = None
    if args.tier == "demo" or not (root / "exports").exists():
        out = tempfile.mkdtemp() if args.tier == "demo" else str(root)
        gen_s, gen_mb, _ = timed(
            [py, "-m", "sample_data.generate", "--tier", args.tier, "--out", out]
        )
    with tempfile.TemporaryDirectory() as d:
        wh = str(Path(d) / "w.duckdb")
        env_key = {"HTRA_LEARNER_KEY": os.environ.get("HTRA_LEARNER_KEY", "bench-key")}
        os.environ.update(env_key)
        load_s, load_mb, out = timed(
            [py, "-m", "etl", "--warehouse", wh, "load", str(root), "--json"]
        )
        records = json.loads(out)
        reload_s, _, _ = timed([py, "-m", "etl", "--warehouse", wh, "load", str(root), "--json"])
        warehouse_mb = Path(wh).stat().st_size // 2**20
        if args.keep:
            Path(args.keep).parent.mkdir(parents=True, exist_ok=True)
            os.replace(wh, args.keep)  # same file system: /tmp and data/ are both on /
    raw_s, raw_skipped = raw_read_s(root)
    rows = sum(r["rows_read"] for r in records)
    result = {
        "tier": args.tier,
        "files": len(records),
        "rows_read": rows,
        "rows_loaded": sum(r["rows_loaded"] for r in records),
        "generate_s": gen_s,
        "generate_peak_mb": gen_mb,
        "load_s": load_s,
        "load_peak_mb": load_mb,
        "rows_per_s": round(rows / load_s),
        "reload_unchanged_s": reload_s,
        "warehouse_mb": warehouse_mb,
        "duckdb_raw_read_s": round(raw_s, 1),
        "raw_read_files_skipped": raw_skipped,
        "ratio_to_raw_read": round(load_s / raw_s, 1),
        "machine": common.machine(),
        "command": f"python -m bench.etl_load --tier {args.tier}",
    }
    out_path = ROOT / "bench" / "results" / f"etl_{args.tier}.json"
    out_path.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    print(
        f"| {args.tier} | {len(records)} | {rows:,} | {gen_s or '-'} s | {load_s} s | "
        f"{load_mb:,} MB | {reload_s} s | {raw_s:.1f} s | {load_s / raw_s:.1f}x |"
    )


if __name__ == "__main__":
    main()
