"""Whole-page script time per page: the router plus the page, run through Streamlit's AppTest on
a warehouse, for four viewer roles and several filter sets; cold (runner cache cleared before
the run) and warm (the same run again). p50/p95 per page.

    python -m bench.page_times --warehouse data/warehouse.duckdb --tier demo
"""

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import duckdb
import streamlit as st
from streamlit.testing.v1 import AppTest

from ui.nav import PAGES

ROOT = Path(__file__).parent.parent
VIEWERS = [
    {},
    {"viewer_role": "state", "viewer_scope": "KS"},
    {"viewer_role": "system", "viewer_scope": "Heartland Health System"},
    {"viewer_role": "hospital", "viewer_scope": None},  # first hospital of the warehouse
]
FILTERS = [{}, {"f_role": "RN"}, {"f_period": "FY2026"}]


def _p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--warehouse", required=True)
    ap.add_argument("--tier", required=True)
    args = ap.parse_args()
    os.environ["HTRA_WAREHOUSE"] = str(Path(args.warehouse).resolve())
    con = duckdb.connect(args.warehouse, read_only=True)
    hospital = con.execute("select min(hospital_ccn) from mart_hospital").fetchall()[0][0]
    con.close()
    times: dict[str, dict[str, list[float]]] = {p.path: {"cold": [], "warm": []} for p in PAGES}
    for viewer in VIEWERS:
        session = {k: (v or hospital) for k, v in viewer.items()}
        for filters in FILTERS:
            at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
            for k, v in {**session, **filters}.items():
                at.session_state[k] = v
            at.run()
            for page in PAGES:
                for kind in ("cold", "warm"):
                    if kind == "cold":
                        st.cache_resource.clear()  # a new runner: no cached results
                    t0 = time.perf_counter()
                    at.switch_page(page.path).run()
                    times[page.path][kind].append((time.perf_counter() - t0) * 1000)
                    if at.exception:
                        raise SystemExit(f"{page.path} {viewer} {filters}: {at.exception[0].value}")
    rows = {
        path: {
            kind: {
                "n": len(v),
                "p50_ms": round(statistics.median(v), 1),
                "p95_ms": round(_p(v, 0.95), 1),
                "max_ms": round(max(v), 1),
            }
            for kind, v in t.items()
        }
        for path, t in times.items()
    }
    out = {
        "tier": args.tier,
        "warehouse": args.warehouse,
        "machine": {
            "cores": os.cpu_count(),
            "memory_gib": round(
                os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1
            ),
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
        },
        "viewers": len(VIEWERS),
        "filter_sets": FILTERS,
        "pages": rows,
    }
    dest = ROOT / "bench" / "results" / f"page_times_{args.tier}.json"
    dest.write_text(json.dumps(out, indent=2))
    print(f"{'page':32} {'cold p50':>9} {'cold p95':>9} {'warm p50':>9} {'warm p95':>9}")
    for path, r in rows.items():
        print(
            f"{path:32} {r['cold']['p50_ms']:9.0f} {r['cold']['p95_ms']:9.0f} "
            f"{r['warm']['p50_ms']:9.0f} {r['warm']['p95_ms']:9.0f}"
        )
    print(f"written to {dest}")


if __name__ == "__main__":
    main()
