"""Data time of every query in queries/ through the real runner, cold (cache miss) and warm (hit).

    python -m bench.query_times --warehouse PATH --tier NAME [--repeat N] [--seed S]

Four viewers (collaborative staff, the first state in the hospitals frame, the first health system,
the first hospital) and for each about 30 filter combinations (default; a few roles; a few modules;
every reporting period; custom month ranges; hospital filters that narrow the viewer's own
hospitals; seeded random mixes of those). Every repetition uses a new `Runner` per viewer (a new
in-memory root connection, so DuckDB's buffer pool starts empty too); its attach is done before
any timing and reported separately. For each (query, viewer, filters):

- cold: the first `run()`, a result-cache miss; `Result.data_ms` and wall time around `run()`;
- warm: the same `run()` again, a cache hit; wall time around `run()` (a hit's `data_ms` is its
  own time since 3e53169; before, it repeated the miss's).

The bench also wraps `queries.runner._fetch` (timing only; the runner is otherwise untouched) to
split a cold call into time inside DuckDB (statement, fetch, Arrow to pandas) and the rest (scope
frame, roll-up into peer groups, suppression), and to count the SQL statements a call runs (the
runner's suppression checks run a hospital-scoped query again under wider or neighbouring
filters). Stats are also split by the filter a combination sets (role, module, period ...).

Queries that bind no filter parameter (public and collaborative queries: roles, load_files ...)
give the same SQL for every filter combination, so they run once per viewer and repetition, with
the default filters (as the pages call them). Collaborative-only queries are skipped for other
viewers (the runner raises ScopeError for them by design); `rejected_rows` runs with limit=1000
as on the Data page.

Writes bench/results/query_times_<tier>.json (machine, code version, warehouse row counts,
per-query stats: p50/p95/max overall, per viewer role and per filter set; the slowest calls) and
prints Markdown tables.
"""

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

import queries.runner as runner_module
from bench import common
from queries import spec as specs
from queries.filters import CUSTOM, HOSPITAL_KEYS, SINCE_LAUNCH, Filters
from queries.runner import Runner
from queries.scope import COLLABORATIVE, HospitalFrame, Viewer

ROOT = Path(__file__).resolve().parent.parent
FILTER_PARAMS = {"ccns", "role", "module", "month_from", "month_to", "as_of"}
# The pages' own extra parameters: the Data page's limit, the Knowledge page's default attempt.
EXTRA = {
    "rejected_rows": {"limit": 1000},
    **{
        q: {"policy": "first"}
        for q in (
            "knowledge_gains",
            "knowledge_items",
            "knowledge_retention",
            "knowledge_attrition",
        )
    },
}
ROLES = ("collaborative", "state", "system", "hospital")
COUNTED_TABLES = ("completion", "quiz_attempt", "download_event")
OTHER_TABLES = (
    "learner",
    "mart_hospital",
    "mart_learner_module",
    "mart_completion_month",
    "mart_quiz_learner",
    "mart_download",
    "mart_adoption",
)


# time inside SQL: queries.runner._fetch wrapped (the runner itself is unchanged) -----------------
_SQL = {"ms": 0.0, "n": 0}


def _install_sql_timer() -> None:
    fetch = runner_module._fetch
    if getattr(fetch, "_bench", False):
        return

    def timed_fetch(cur, spec, params, sql=None):
        t = time.perf_counter()
        try:
            return fetch(cur, spec, params, sql)
        finally:
            _SQL["ms"] += (time.perf_counter() - t) * 1000
            _SQL["n"] += 1

    timed_fetch._bench = True
    runner_module._fetch = timed_fetch


# the code measured: the queries/ package changes under active development ----------------------
def code_version() -> dict:
    """Git HEAD, whether queries/ differs from it, and a digest of queries/ as read now (the SQL
    specs are loaded, and so frozen for the run, right after)."""
    head = dirty = None
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", "queries"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if rev.returncode == 0 and status.returncode == 0:
            head, dirty = rev.stdout.strip(), bool(status.stdout.strip())
    except OSError:
        pass
    digest = hashlib.sha256()
    for f in sorted((ROOT / "queries").glob("*.*")):
        if f.suffix in (".py", ".sql"):
            digest.update(f.name.encode() + b"\0" + f.read_bytes())
    return {"git_head": head, "queries_modified": dirty, "queries_sha256": digest.hexdigest()[:16]}


# machine and warehouse ------------------------------------------------------------------------
def row_counts(path: Path) -> dict:
    """Row counts from a plain read-only connection, closed before any Runner attaches."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in COUNTED_TABLES + OTHER_TABLES:
            try:
                out[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
            except duckdb.Error:
                out[table] = None
        return out
    finally:
        con.close()


# viewers and filter combinations ---------------------------------------------------------------
def pick_viewers(runner: Runner) -> list[Viewer]:
    h = runner.frame(COLLABORATIVE).hospitals
    state = h["state"].dropna().iloc[0]
    system = h["health_system"].dropna().iloc[0]
    ccn = h["hospital_ccn"].iloc[0]
    return [
        COLLABORATIVE,
        Viewer("state", state),
        Viewer("system", system),
        Viewer("hospital", ccn),
    ]


def narrowing_hospital_filters(frame: HospitalFrame) -> list[Filters]:
    """Hospital filters within the viewer's scope that name fewer hospitals than the default."""
    if len(frame.own) < 2:
        return []
    out = []
    for key in HOSPITAL_KEYS:
        for value in frame.options(key):
            f = Filters(**{key: value})
            if 0 < len(frame.named(f)) < len(frame.own):
                out.append(f)
    return out


def month_add(d: date, months: int) -> date:
    n = d.year * 12 + d.month - 1 + months
    return date(n // 12, n % 12 + 1, 1)


def combos(
    frame: HospitalFrame,
    roles: list,
    modules: list,
    periods: list,
    launch: date,
    last: date,
    rng: random.Random,
    target: int,
) -> list[Filters]:
    out = [Filters()]
    out += [Filters(role=r) for r in rng.sample(roles, min(3, len(roles)))]
    out += [Filters(module=m) for m in rng.sample(modules, min(3, len(modules)))]
    out += [Filters(period=p.key) for p in periods]
    # custom ranges: the last 6 months, and a random 3-month window since launch
    out.append(Filters(period=CUSTOM, month_from=month_add(last, -5), month_to=last))
    span = (last.year - launch.year) * 12 + last.month - launch.month
    start = month_add(launch, rng.randint(0, max(0, span - 2)))
    out.append(Filters(period=CUSTOM, month_from=start, month_to=month_add(start, 2)))
    hosp = narrowing_hospital_filters(frame)
    out += rng.sample(hosp, min(6, len(hosp)))
    # seeded mixes until the target
    period_choices = [dict(period=SINCE_LAUNCH)] + [dict(period=p.key) for p in periods]
    tries = 0
    while len(out) < target and tries < 1000:
        tries += 1
        kw = dict(rng.choice(period_choices))
        if rng.random() < 0.6:
            kw["role"] = rng.choice(roles)
        if rng.random() < 0.5:
            kw["module"] = rng.choice(modules)
        if hosp and rng.random() < 0.5:
            h = rng.choice(hosp)
            kw.update({k: getattr(h, k) for k in HOSPITAL_KEYS if getattr(h, k) is not None})
        f = Filters(**kw)
        if f not in out:
            out.append(f)
    return list(dict.fromkeys(out))


KINDS = ("default", "role", "module", "period", "custom", "hospital", "mixed")


def kind(f: Filters) -> str:
    """The one filter a combination sets (a program period and a custom range apart), or mixed."""
    set_ = [k for k in ("role", "module") if getattr(f, k) is not None]
    if f.period == CUSTOM:
        set_.append("custom")
    elif f.period != SINCE_LAUNCH:
        set_.append("period")
    if any(getattr(f, k) is not None for k in HOSPITAL_KEYS):
        set_.append("hospital")
    return set_[0] if len(set_) == 1 else ("default" if not set_ else "mixed")


def describe(f: Filters) -> str:
    parts = []
    for k, v in f.as_dict().items():
        if v is None or (k == "period" and v == SINCE_LAUNCH):
            continue
        parts.append(f"{k}={v:%Y-%m}" if isinstance(v, date) else f"{k}={v}")
    return ", ".join(parts) or "default"


# statistics ------------------------------------------------------------------------------------
def stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    a = np.asarray(values)
    return {
        "n": len(a),
        "p50": round(float(np.percentile(a, 50)), 2),
        "p95": round(float(np.percentile(a, 95)), 2),
        "max": round(float(a.max()), 2),
    }


def summarize(samples: list[dict]) -> dict:
    out = {}
    for which in ("cold", "warm"):
        sel = [s for s in samples if s["kind"] == which]
        out[which] = {"data_ms": stats([s["data_ms"] for s in sel])}
        out[which]["wall_ms"] = stats([s["wall_ms"] for s in sel])
    cold = [s for s in samples if s["kind"] == "cold"]
    out["cold"]["sql_ms"] = stats([s["sql_ms"] for s in cold])
    out["cold"]["n_sql_statements"] = stats([s["n_sql"] for s in cold])
    return out


# the run ---------------------------------------------------------------------------------------
def measure(path: Path, repeat: int, seed: int, target: int) -> dict:
    probe = Runner(path)
    viewers = pick_viewers(probe)
    periods, launch, last = probe.periods()
    roles = list(probe.run("roles").frame["role"])
    modules = list(probe.run("modules").frame["module_id"])
    plan = {}
    for v in viewers:
        rng = random.Random(f"{seed}:{v.role}:{v.scope}")
        frame = probe.frame(v)
        plan[v] = combos(frame, roles, modules, periods, launch, last, rng, target)
    del probe

    _install_sql_timer()
    names = specs.names()
    scope_of = {n: specs.load(n).scope for n in names}
    filtered = {n: bool(FILTER_PARAMS & set(specs.load(n).params)) for n in names}
    samples: list[dict] = []
    attach: dict[str, list[float]] = {v.role: [] for v in viewers}
    not_hits = 0
    for rep in range(repeat):
        for v in viewers:
            runner = Runner(path)  # new root connection: empty result cache and buffer pool
            t = time.perf_counter()
            runner.periods()
            runner.frame(v)
            attach[v.role].append((time.perf_counter() - t) * 1000)
            mine = [n for n in names if v.is_collaborative or scope_of[n] != "collaborative"]
            kinds = [kind(f) for f in plan[v]]
            for i, f in enumerate(plan[v]):
                for name in mine:
                    if not filtered[name] and i > 0:
                        continue
                    extra = EXTRA.get(name, {})
                    _SQL.update(ms=0.0, n=0)
                    t0 = time.perf_counter()
                    cold = runner.run(name, v, f, **extra)
                    t1 = time.perf_counter()
                    sql_ms, n_sql = _SQL["ms"], _SQL["n"]
                    cached = len(runner._cache)
                    warm = runner.run(name, v, f, **extra)
                    t2 = time.perf_counter()
                    # a hit adds no cache entry and runs no SQL
                    if len(runner._cache) != cached or _SQL["n"] != n_sql:
                        not_hits += 1
                    base = {
                        "query": name,
                        "role": v.role,
                        "combo": i,
                        "rep": rep,
                        "fkind": kinds[i],
                    }
                    samples.append(
                        {
                            **base,
                            "kind": "cold",
                            "data_ms": cold.data_ms,
                            "wall_ms": (t1 - t0) * 1e3,
                            "sql_ms": sql_ms,
                            "n_sql": n_sql,
                        }
                    )
                    samples.append(
                        {
                            **base,
                            "kind": "warm",
                            "data_ms": warm.data_ms,
                            "wall_ms": (t2 - t1) * 1e3,
                        }
                    )
            del runner
        print(f"repetition {rep + 1}/{repeat} done ({len(samples)} samples)", file=sys.stderr)

    per_query = {}
    for name in names:
        sel = [s for s in samples if s["query"] == name]
        per_query[name] = {
            "scope": scope_of[name],
            "filter_dependent": filtered[name],
            "all": summarize(sel),
            "cold_by_filter": {
                k: {
                    "data_ms": stats([s["data_ms"] for s in cold]),
                    "n_sql_statements": stats([s["n_sql"] for s in cold]),
                }
                for k in KINDS
                if (cold := [s for s in sel if s["fkind"] == k and s["kind"] == "cold"])
            },
            "by_role": {
                r: summarize([s for s in sel if s["role"] == r])
                for r in ROLES
                if any(s["role"] == r for s in sel)
            },
        }
    overall = {
        "all": summarize(samples),
        "by_role": {r: summarize([s for s in samples if s["role"] == r]) for r in ROLES},
    }
    hospital_scoped = [s for s in samples if scope_of[s["query"]] == "hospital"]
    by_role = {v.role: v for v in viewers}
    slowest = sorted((s for s in samples if s["kind"] == "cold"), key=lambda s: -s["data_ms"])[:15]
    slowest = [
        {
            "query": s["query"],
            "viewer": f"{s['role']} {by_role[s['role']].scope or ''}".strip(),
            "filters": describe(plan[by_role[s["role"]]][s["combo"]]),
            "rep": s["rep"],
            "data_ms": round(s["data_ms"], 1),
            "sql_ms": round(s["sql_ms"], 1),
            "n_sql": s["n_sql"],
        }
        for s in slowest
    ]
    return {
        "viewers": [
            {
                "role": v.role,
                "scope": v.scope,
                "n_combos": len(plan[v]),
                "combos": [describe(f) for f in plan[v]],
                "attach_ms": stats(attach[v.role]),
            }
            for v in viewers
        ],
        "periods": [p.key for p in periods],
        "since_launch": [f"{launch:%Y-%m}", f"{last:%Y-%m}"],
        "n_samples": len(samples),
        "warm_calls_not_cache_hits": not_hits,
        "overall": overall,
        "overall_hospital_scoped": summarize(hospital_scoped),
        "queries": per_query,
        "slowest_cold_calls": slowest,
    }


# output ----------------------------------------------------------------------------------------
def table(res: dict) -> str:
    lines = [
        "| query | scope | n | SQL stmts (median) | cold p50 | cold p95 | cold max | cold wall p95 "
        "| cold in SQL p95 | warm p50 | warm p95 | warm max |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def row(label, scope, s):
        c, cw, w = s["cold"]["data_ms"], s["cold"]["wall_ms"], s["warm"]["wall_ms"]
        sql, n = s["cold"]["sql_ms"], s["cold"]["n_sql_statements"]
        stmts = (
            f"{n['p50']:.0f}" if n["p50"] == n["max"] else f"{n['p50']:.0f} (max {n['max']:.0f})"
        )
        return (
            f"| {label} | {scope} | {c['n']} | {stmts} | {c['p50']:.1f} | {c['p95']:.1f} "
            f"| {c['max']:.1f} | {cw['p95']:.1f} | {sql['p95']:.1f} | {w['p50']:.2f} "
            f"| {w['p95']:.2f} | {w['max']:.2f} |"
        )

    order = sorted(
        res["queries"], key=lambda n: -res["queries"][n]["all"]["cold"]["data_ms"]["p95"]
    )
    for name in order:
        q = res["queries"][name]
        lines.append(row(name, q["scope"], q["all"]))
    lines.append(row("**overall**", "", res["overall"]["all"]))
    lines.append(row("**hospital-scoped**", "", res["overall_hospital_scoped"]))
    lines += ["", "Cold p50 / p95 data ms by viewer role:", ""]
    lines.append("| query | " + " | ".join(ROLES) + " |")
    lines.append("|---|" + "---|" * len(ROLES))
    for name in [*order, None]:
        by = res["overall"]["by_role"] if name is None else res["queries"][name]["by_role"]
        cells = []
        for r in ROLES:
            c = by.get(r, {}).get("cold", {}).get("data_ms", {"n": 0})
            cells.append(f"{c['p50']:.1f} / {c['p95']:.1f}" if c["n"] else "-")
        lines.append(f"| {name or '**overall**'} | " + " | ".join(cells) + " |")
    lines += ["", "Cold p50 / p95 data ms (SQL statements, median) by the filter set:", ""]
    lines.append("| query | " + " | ".join(KINDS) + " |")
    lines.append("|---|" + "---|" * len(KINDS))
    for name in order:
        by = res["queries"][name]["cold_by_filter"]
        if not res["queries"][name]["filter_dependent"]:
            continue
        cells = []
        for k in KINDS:
            c = by.get(k)
            cells.append(
                f"{c['data_ms']['p50']:.0f} / {c['data_ms']['p95']:.0f} "
                f"({c['n_sql_statements']['p50']:.0f})"
                if c
                else "-"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--warehouse", required=True)
    ap.add_argument("--tier", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--combos",
        type=int,
        default=30,
        help="filter combinations per viewer (the fixed ones are always included)",
    )
    args = ap.parse_args()
    path = Path(args.warehouse).resolve()
    if not path.exists():
        sys.exit(f"no warehouse at {path}")
    code = code_version()
    for name in specs.names():
        specs.load(name)
    counts = row_counts(path)
    load_before = os.getloadavg()
    t = time.perf_counter()
    res = measure(path, args.repeat, args.seed, args.combos)
    result = {
        "tier": args.tier,
        "command": "python -m bench.query_times " + " ".join(sys.argv[1:]),
        "warehouse": str(path),
        "warehouse_mb": path.stat().st_size // 2**20,
        "machine": {**common.machine(), "pandas": pd.__version__},
        "code": code,
        "rows": counts,
        "repeat": args.repeat,
        "seed": args.seed,
        "bench_s": round(time.perf_counter() - t, 1),
        # 1/5/15-minute load averages: on a shared machine, another job skews the numbers
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "units": "milliseconds; cold = result-cache miss (Result.data_ms and wall around run()), "
        "warm = cache hit (wall around run(); its data_ms is the cached miss's value)",
        **res,
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out_path = out_dir / f"query_times_{args.tier}.json"
    out_path.write_text(json.dumps(result, indent=1) + "\n")
    m = result["machine"]
    print(
        f"tier {args.tier}: {path} ({result['warehouse_mb']} MB); "
        + ", ".join(
            f"{k} {v:,}" for k, v in counts.items() if k in COUNTED_TABLES and v is not None
        )
    )
    print(
        f"machine: {m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}, "
        f"DuckDB {m['duckdb']}; {args.repeat} repetitions, {res['n_samples']} samples, "
        f"{result['bench_s']} s; load average before {result['loadavg_before'][0]}, "
        f"after {result['loadavg_after'][0]} (1 min)"
    )
    print(
        f"code: HEAD {code['git_head']}, queries/ modified {code['queries_modified']}, "
        f"digest {code['queries_sha256']}"
    )
    for v in res["viewers"]:
        a = v["attach_ms"]
        print(
            f"  viewer {v['role']} {v['scope'] or ''}: {v['n_combos']} filter combinations; "
            f"new Runner attach p50 {a['p50']:.0f} ms"
        )
    if res["warm_calls_not_cache_hits"]:
        print(f"WARNING: {res['warm_calls_not_cache_hits']} warm calls were not cache hits")
    print()
    print(table(result))
    print(f"\nwritten: {out_path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
