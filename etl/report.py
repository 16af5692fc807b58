"""Read-only summaries of the warehouse for the command line: status and rejects."""

from pathlib import Path

import duckdb


def read(live: Path, sql: str, params: dict | None = None) -> list[dict]:
    con = duckdb.connect(str(live), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        cur = con.execute(sql, params or {})
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def status(live: Path) -> list[dict]:
    return read(
        live,
        """
        with latest as (  -- the latest outcome per distinct file
            select * from load_log qualify row_number() over (
                partition by coalesce(file_id, path) order by loaded_at desc) = 1)
        select format, coalesce(system, '') as system, coalesce(tenant, '') as tenant,
               count(*) as files, sum(rows_read)::bigint as rows_read,
               sum(rows_loaded)::bigint as rows_loaded, sum(rows_rejected)::bigint as rejects,
               count(*) filter (where status = 'failed') as failed_files,
               strftime(min(min_event_at), '%Y-%m-%d') as first_event,
               strftime(max(max_event_at), '%Y-%m-%d') as last_event,
               strftime(max(loaded_at), '%Y-%m-%d %H:%M') as last_load
        from latest group by all order by format, system, tenant""",
    )


def rejects(live: Path, path_contains: str | None, limit: int) -> list[dict]:
    return read(
        live,
        """
        select path as file, line, column_name as column, reason, record_masked as record
        from rejected_row where $p is null or contains(path, $p)
        order by path, line limit $n""",
        {"p": path_contains, "n": limit},
    )


def table(rows: list[dict], columns: list[str] | None = None) -> str:
    if not rows:
        return "(none)"
    columns = columns or list(rows[0])
    cells = [[_fmt(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    widths = [min(w, 60) for w in widths]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    for row in cells:
        out.append(
            "  ".join(
                (v if len(v) <= w else "..." + v[-(w - 3) :]).rjust(w)
                if v.replace(",", "").isdigit()
                else (v if len(v) <= w else "..." + v[-(w - 3) :]).ljust(w)
                for v, w in zip(row, widths, strict=True)
            )
        )
    return "\n".join(out)


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)
