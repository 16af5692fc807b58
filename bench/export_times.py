"""Build time and peak memory of each workbook (collaborative report, a hospital's and a health
system's report card; internal and external audience). Each workbook is built in a fresh
process: cold (new runner, empty result cache), then warm (the same build again, cached query
results); peak RSS is the child's high-water mark after both.

    python -m bench.export_times --warehouse data/warehouse.duckdb --tier demo
"""

import json
import multiprocessing as mp
import resource
import time
from pathlib import Path

import duckdb

from bench import common

ROOT = Path(__file__).parent.parent


def _build(warehouse: str, role: str, scope, audience: str, out) -> None:
    from exports import reports
    from exports.source import Source
    from queries.filters import Filters
    from queries.runner import Runner
    from queries.scope import COLLABORATIVE, Viewer

    viewer = COLLABORATIVE if scope is None else Viewer(role, scope)
    build = reports.collaborative if scope is None else reports.hospital_card
    runner = Runner(warehouse)
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        data = build(Source(runner, viewer, Filters(), audience))
        times.append(time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put({"cold_s": times[0], "warm_s": times[1], "peak_rss_mb": peak_mb, "bytes": len(data)})


def main() -> None:
    args = common.args(__doc__)
    con = duckdb.connect(args.warehouse, read_only=True)
    hospital = con.execute(
        "select hospital_ccn from mart_hospital order by hospital_ccn limit 1"
    ).fetchall()[0][0]
    system = con.execute(
        "select health_system from mart_hospital where health_system is not null "
        "group by 1 order by count(*) desc, 1 limit 1"
    ).fetchall()[0][0]
    con.close()
    plans = [("collaborative", None), ("hospital", hospital), ("system", system)]
    ctx = mp.get_context("spawn")
    rows = []
    for role, scope in plans:
        for audience in ("internal", "external"):
            q = ctx.Queue()
            p = ctx.Process(target=_build, args=(args.warehouse, role, scope, audience, q))
            p.start()
            res = q.get()
            p.join()
            rows.append({"report": role, "scope": scope, "audience": audience, **res})
            print(
                f"{role:13} {audience:8} cold {res['cold_s']:6.2f} s  warm {res['warm_s']:6.2f} s"
                f"  peak {res['peak_rss_mb']:6.0f} MB  {res['bytes'] / 1024:6.0f} KB",
                flush=True,
            )
    machine = common.machine()
    out = ROOT / "bench" / "results" / f"export_times_{args.tier}.json"
    out.write_text(json.dumps({"tier": args.tier, "machine": machine, "rows": rows}, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
