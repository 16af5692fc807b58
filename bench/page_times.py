"""Per page: data time (queries + statistics) and whole script run (router + page), through
Streamlit's AppTest on a warehouse, for four viewer roles x five filter sets, three ways:

- cold: a new runner (no cached results, empty DuckDB buffers), as after a warehouse reload;
- uncached: the same runner with its result cache emptied: a view nobody has asked for since the
  reload, on a server whose DuckDB buffers already hold the data;
- warm: the same view again (queries and statistics served from the runner's cache).

p50/p95 per page, overall and per viewer role.

    python -m bench.page_times --warehouse data/warehouse.duckdb --tier demo

Data time is measured inside the same script runs: every call into the runner (`Runner.run`,
`.frame`, `.periods`, `.version`, `Result.derive`) and into `analysis/` and
`queries/overview.py` is timed, the outermost call only (a statistic that calls another is not
counted twice). What is left of the script run is Streamlit, plotly and the pages' own layout
code.
"""

import functools
import inspect
import json
import os
import pkgutil
import statistics
import threading
import time
from importlib import import_module
from pathlib import Path

import duckdb

from bench import common

ROOT = Path(__file__).parent.parent
VIEWERS = {
    "collaborative": {},
    "state": {"viewer_role": "state", "viewer_scope": None},  # the largest state
    "system": {"viewer_role": "system", "viewer_scope": None},  # the largest health system
    "hospital": {"viewer_role": "hospital", "viewer_scope": None},  # the first hospital
}
FILTERS = [
    {},
    {"f_role": "RN"},
    {"f_module": "M03"},
    {"f_period": "FY2026"},
    {"f_role": "RN", "f_period": "FY2026"},
]

KINDS = ("cold", "warm", "uncached")  # warm right after cold: the same view, served from cache
_DATA = {"ms": 0.0}
_RUNNERS = []  # the Runner the app made last
_depth = threading.local()


def _timed(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if getattr(_depth, "n", 0):
            return fn(*args, **kwargs)
        _depth.n = 1
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _DATA["ms"] += (time.perf_counter() - t0) * 1000
            _depth.n = 0

    return wrapper


def instrument() -> None:
    """Wrap the data layer before any page imports it (pages call `module.function`)."""
    import analysis
    from queries import overview
    from queries.runner import Result, Runner

    for name in ("run", "frame", "periods", "version"):
        setattr(Runner, name, _timed(getattr(Runner, name)))
    init = Runner.__init__

    def remembered(self, *args, **kwargs):  # the app's runner, for the uncached runs
        init(self, *args, **kwargs)
        _RUNNERS[:] = [self]

    Runner.__init__ = remembered
    Result.derive = _timed(Result.derive)
    mods = [import_module(f"analysis.{m.name}") for m in pkgutil.iter_modules(analysis.__path__)]
    for mod in [*mods, overview]:
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if fn.__module__ == mod.__name__ and not name.startswith("_"):
                setattr(mod, name, _timed(fn))


def _p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _stats(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(_p(values, 0.95), 1),
        "max_ms": round(max(values), 1),
    }


def scopes(warehouse: str) -> dict:
    con = duckdb.connect(warehouse, read_only=True)
    one = lambda sql: con.execute(sql).fetchall()[0][0]  # noqa: E731
    out = {
        "state": one("select state from mart_hospital group by 1 order by count(*) desc, 1"),
        "system": one(
            "select health_system from mart_hospital where health_system is not null "
            "group by 1 order by count(*) desc, 1"
        ),
        "hospital": one("select min(hospital_ccn) from mart_hospital"),
    }
    con.close()
    return out


def measure(warehouse: str) -> dict:
    os.environ["HTRA_WAREHOUSE"] = str(Path(warehouse).resolve())
    instrument()
    import streamlit as st
    from streamlit.logger import set_log_level

    set_log_level("error")  # AppTest's bare-mode warnings, one per widget and run
    from streamlit.testing.v1 import AppTest

    from ui.nav import PAGES

    scope = scopes(warehouse)
    samples = []  # one per (page, viewer, filters, kind)
    for role, viewer in VIEWERS.items():
        session = {k: (v or scope[role]) for k, v in viewer.items()}
        for filters in FILTERS:
            at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
            for k, v in {**session, **filters}.items():
                at.session_state[k] = v
            at.run()
            for page in PAGES:
                for kind in KINDS:
                    if kind == "cold":
                        st.cache_resource.clear()  # a new runner: no cached results
                    elif kind == "uncached":
                        _RUNNERS[-1].clear_cache()  # the same runner, no results
                    _DATA["ms"] = 0.0
                    t0 = time.perf_counter()
                    at.switch_page(page.path).run()
                    script_ms = (time.perf_counter() - t0) * 1000
                    if at.exception:
                        raise SystemExit(f"{page.path} {role} {filters}: {at.exception[0].value}")
                    samples.append(
                        {
                            "page": page.title,
                            "role": role,
                            "filters": filters,
                            "kind": kind,
                            "data_ms": round(_DATA["ms"], 1),
                            "script_ms": round(script_ms, 1),
                        }
                    )
    pages = {}
    for page in PAGES:
        mine = [s for s in samples if s["page"] == page.title]
        pages[page.title] = {
            kind: {
                measure_: {
                    "all": _stats([s[measure_] for s in mine if s["kind"] == kind]),
                    **{
                        role: _stats(
                            [s[measure_] for s in mine if s["kind"] == kind and s["role"] == role]
                        )
                        for role in VIEWERS
                    },
                }
                for measure_ in ("data_ms", "script_ms")
            }
            for kind in KINDS
        }
    return {"viewers": {r: scope.get(r) for r in VIEWERS}, "filter_sets": FILTERS, "pages": pages}


def main() -> None:
    args = common.args(__doc__)
    result = {"tier": args.tier, "machine": common.machine(), **measure(args.warehouse)}
    dest = ROOT / "bench" / "results" / f"page_times_{args.tier}.json"
    dest.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{'page':24} {'':8} {'data p50':>9} {'data p95':>9} {'run p50':>9} {'run p95':>9}")
    for title, r in result["pages"].items():
        for kind in KINDS:
            d, s = r[kind]["data_ms"]["all"], r[kind]["script_ms"]["all"]
            print(
                f"{title:24} {kind:8} {d['p50_ms']:9.0f} {d['p95_ms']:9.0f} "
                f"{s['p50_ms']:9.0f} {s['p95_ms']:9.0f}"
            )
    print(f"written to {dest}")


if __name__ == "__main__":
    main()
