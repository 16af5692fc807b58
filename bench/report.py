"""BENCHMARKS.md from bench/results/<tier>.json: the machine, every figure per tier, and which of
DESIGN.md section 8's budgets hold. Text below the NOTES marker is written by hand and kept."""

import json
from pathlib import Path

TIERS = ("demo", "state", "collaborative")
NOTES = "<!-- Written by hand below this line; `python -m bench.tier` keeps it. -->"
# DESIGN.md section 8, per tier: (load s, load peak MiB, load / raw read, page data p95 ms,
# whole page p95 ms). Page figures are judged three ways, in rows of their own: cold (the first
# view after a reload), uncached (a view not seen since the reload, on a running server) and warm
# (the same view again).
BUDGETS = {
    "state": (45, 4096, 2.0, 150, 1000),
    "collaborative": (240, 4096, 2.0, 500, 2000),
}


def _ms(v) -> str:
    return "–" if v is None else f"{v:,.0f}"


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _table(head, rows) -> list[str]:
    return [_row(head), _row(["---"] * len(head)), *(_row(r) for r in rows), ""]


def budgets(tier: str, r: dict) -> list[list]:
    if tier not in BUDGETS:
        return []
    load_s, peak_mb, ratio, data_ms, page_ms = BUDGETS[tier]
    out = []
    if etl := r.get("etl"):
        out += [
            ["full load", f"< {load_s} s", f"{etl['load_s']:.1f} s", etl["load_s"] < load_s],
            [
                "load peak memory",
                f"< {peak_mb / 1024:.0f} GiB",
                f"{etl['load_peak_mb'] / 1024:.2f} GiB",
                etl["load_peak_mb"] < peak_mb,
            ],
            [
                "load / DuckDB raw read",
                f"<= {ratio:.0f}x",
                f"{etl['ratio_to_raw_read']:.1f}x",
                etl["ratio_to_raw_read"] <= ratio,
            ],
        ]
    if pages := r.get("pages"):
        for what, key, limit, kind in (
            (f"{what} p95 ({kind})", key, limit, kind)
            for kind in _kinds(pages["pages"])
            for what, key, limit in (
                ("page data time", "data_ms", data_ms),
                ("whole page script run", "script_ms", page_ms),
            )
        ):
            p95 = {t: v[kind][key]["all"]["p95_ms"] for t, v in pages["pages"].items()}
            worst = max(p95, key=p95.get)
            over = [t for t, v in p95.items() if v >= limit]
            seen = f"worst {worst} {_ms(p95[worst])} ms" + (
                f"; over: {', '.join(over)}" if over else ""
            )
            out.append([what, f"< {limit:,} ms", seen, not over])
    return [[a, b, c, "**yes**" if ok else "**no**"] for a, b, c, ok in out]


def _kinds(pages: dict) -> list[str]:
    """The ways pages were measured, in the order of the tables (older results lack uncached)."""
    first = next(iter(pages.values()))
    return [k for k in ("cold", "uncached", "warm") if k in first]


def _commits(r: dict) -> str:
    """One commit, or each step's where steps were run at different commits."""
    steps = {k: r[k].get("commit", r["commit"]) for k in r["step_seconds"] if k in r}
    if len(set(steps.values())) <= 1:
        return f"commit {r['commit']}"
    return "commits: " + ", ".join(f"{k} at {v}" for k, v in steps.items())


def tier_section(tier: str, r: dict) -> list[str]:
    m = r["machine"]
    lines = [
        f"## {tier}",
        "",
        f"`python -m bench.tier {tier}`, {_commits(r)}, measured {r['measured_at']}; "
        f"{m['cores']} cores, {m['memory_gib']} GiB, {m['cpu']}, Python {m['python']}, "
        f"DuckDB {m['duckdb']}. Step wall times: "
        + ", ".join(f"{k} {v:,.0f} s" for k, v in r["step_seconds"].items())
        + ".",
        "",
    ]
    if rows := budgets(tier, r):
        lines += ["Budgets (DESIGN.md section 8):", ""]
        lines += _table(["budget", "target", "measured", "holds"], rows)
    if etl := r.get("etl"):
        lines += ["ETL (full load into an empty warehouse, separate process, GNU time):", ""]
        lines += _table(
            [
                "files",
                "rows read",
                "generate",
                "load",
                "rows/s",
                "peak RSS",
                "reload unchanged",
                "warehouse",
                "DuckDB raw read",
                "load / raw",
            ],
            [
                [
                    f"{etl['files']:,}",
                    f"{etl['rows_read']:,}",
                    "–" if etl["generate_s"] is None else f"{etl['generate_s']:.1f} s",
                    f"{etl['load_s']:.1f} s",
                    f"{etl['rows_per_s']:,}",
                    f"{etl['load_peak_mb']:,} MB",
                    f"{etl['reload_unchanged_s']:.1f} s",
                    f"{etl['warehouse_mb']:,} MB",
                    f"{etl['duckdb_raw_read_s']:.1f} s "
                    f"({etl['raw_read_files_skipped']} files skipped)",
                    f"{etl['ratio_to_raw_read']:.1f}x",
                ]
            ],
        )
    pages = (r.get("pages") or {}).get("pages", {})
    browser = (r.get("browser") or {}).get("pages", {})
    if pages:
        n = next(iter(pages.values()))["cold"]["data_ms"]["all"]["n"]
        kinds = _kinds(pages)
        lines += [
            f"Pages, ms, p50 / p95 over {n} runs each (4 viewer roles x 5 filter sets); "
            "cold: a new runner, as after a reload; uncached: a view not seen since the reload "
            "on a running server; warm: the same view again. "
            "Browser: p50 / max over 3 viewers, click to charts drawn:",
            "",
        ]
        rows = []
        for title, p in pages.items():
            b = browser.get(title, {})
            rows.append(
                [title]
                + [
                    f"{_ms(p[k][m]['all']['p50_ms'])} / {_ms(p[k][m]['all']['p95_ms'])}"
                    for m in ("data_ms", "script_ms")
                    for k in kinds
                ]
                + [
                    f"{_ms(b[k]['p50_ms'])} / {_ms(b[k]['max_ms'])}" if k in b else "–"
                    for k in ("cold", "warm")
                ]
            )
        lines += _table(
            [
                "page",
                *(f"{m} {k}" for m in ("data", "script") for k in kinds),
                "browser cold",
                "browser warm",
            ],
            rows,
        )
        roles = [k for k in next(iter(pages.values()))["cold"]["data_ms"] if k != "all"]
        lines += ["Cold data time p95 by viewer role, ms:", ""]
        lines += _table(
            ["page", *roles],
            [
                [t, *(_ms(p["cold"]["data_ms"][ro]["p95_ms"]) for ro in roles)]
                for t, p in pages.items()
            ],
        )
    if first := browser.get("(first load)"):
        lines += [
            f"Browser, first load of the app (new tab to Overview drawn): p50 "
            f"{_ms(first['cold']['p50_ms'])} ms, max {_ms(first['cold']['max_ms'])} ms.",
            "",
        ]
    if exports := (r.get("exports") or {}).get("rows"):
        lines += ["Excel workbooks (each in a fresh process; warm = the same build again):", ""]
        lines += _table(
            ["workbook", "audience", "cold", "warm", "peak RSS", "size"],
            [
                [
                    f"{e['report']}" + (f" ({e['scope']})" if e["scope"] else ""),
                    e["audience"],
                    f"{e['cold_s']:.2f} s",
                    f"{e['warm_s']:.2f} s",
                    f"{e['peak_rss_mb']:,.0f} MB",
                    f"{e['bytes'] / 1024:,.0f} KB",
                ]
                for e in exports
            ],
        )
    return lines


def write(results: Path, dest: Path) -> None:
    kept = ""
    if dest.exists() and NOTES in dest.read_text():
        kept = dest.read_text().split(NOTES, 1)[1]
    lines = [
        "# Benchmarks",
        "",
        "Written by `python -m bench.tier <tier>` (one command per tier: it generates the tier if "
        "needed, loads it, measures, and rewrites this file from `bench/results/<tier>.json`). "
        "How each figure is measured: `bench/README.md`. Budgets: DESIGN.md section 8; page "
        "budgets are judged three ways: cold (the first view after a reload), uncached (a view "
        "not seen since the reload, on a running server) and warm (the same view again).",
        "",
    ]
    for tier in TIERS:
        path = results / f"{tier}.json"
        if path.exists():
            lines += tier_section(tier, json.loads(path.read_text()))
    dest.write_text("\n".join(lines) + "\n" + NOTES + (kept or "\n"))
