"""LMS completion exports read through a column map (HealthStream, SCORM Cloud, any other LMS).

A column map (JSON, see etl/column_maps/) names which source column holds each canonical field,
which columns are personal, how times are written and how status words map to
completed | in_progress | not_started. Shipped maps are detected from the header;
`--column-map FILE` adds one for a customer whose layout differs.
"""

import json
from pathlib import Path

from etl import records
from etl import sqlexpr as X
from etl.context import FileContext, FileResult
from etl.decode import InputError
from etl.sources import common
from etl.stage import Staged

MAP_DIR = Path(__file__).resolve().parent.parent / "column_maps"
FIELDS = (
    "employee_id",
    "email",
    "first_name",
    "last_name",
    "department",
    "job_title",
    "facility",
    "course_id",
    "course_title",
    "status",
    "completed_at",
    "first_access_at",
    "score",
    "time_spent",
    "contact_hours",
)


def shipped_maps() -> list[dict]:
    return [read_map(p) for p in sorted(MAP_DIR.glob("*.json"))]


def read_map(path: Path) -> dict:
    try:
        cmap = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(path, f"column map is not valid JSON: {exc}") from None
    unknown = set(cmap.get("columns", {})) - set(FIELDS)
    missing = {"format", "system", "detect", "columns", "status_map"} - set(cmap)
    if unknown or missing:
        raise InputError(
            path,
            f"column map: unknown fields {sorted(unknown)}, missing keys "
            f"{sorted(missing)}; expected fields among {', '.join(FIELDS)}",
        )
    return cmap


def detect(header: list[str], cmap: dict) -> bool:
    have = {h.lower() for h in header}
    return all(c.lower() in have for c in cmap["detect"])


def load(con, ctx: FileContext, st: Staged, res: FileResult, cmap: dict) -> None:
    col = {}
    for fld, src in cmap["columns"].items():
        idx = st.index(src)
        if idx is not None:
            col[fld] = f"c{idx}"
    if "course_id" not in col and "course_title" not in col:
        raise InputError(
            ctx.path,
            "no course column: the column map names "
            f"{cmap['columns'].get('course_id')!r}, not in the header",
            1,
        )
    if "status" not in col:
        raise InputError(ctx.path, f"no status column {cmap['columns'].get('status')!r}", 1)
    ident = col.get("employee_id")
    raw_email = col.get("email")
    # SCORM Cloud deployments often use the e-mail as the learner ID.
    email_src = (
        f"coalesce({X.clean(raw_email)}, case when {ident} like '%@%' then {ident} end)"
        if raw_email and ident
        else raw_email or (f"case when {ident} like '%@%' then {ident} end" if ident else "null")
    )
    order = ctx.date_order if ctx.date_order in ("dmy", "mdy") else cmap.get("date_order", "mdy")
    iso = cmap.get("time_format") == "iso"

    def hdr(c: str | None) -> str | None:
        return st.header[int(c[1:])] if c else None

    def opt(fld: str, expr, default: str) -> str:
        return expr(col[fld]) if fld in col else default

    def when(c: str) -> str:
        if iso:
            return X.iso_instant(c)
        return X.local_ts(f"coalesce({X.short_datetime(c, order)}, {X.excel_serial(c)})")

    status_keys = list(cmap["status_map"])
    status_case = " ".join(
        f"when lower(trim({col['status']})) = {common.lit(k)} then {common.lit(v)}"
        for k, v in cmap["status_map"].items()
    )
    # The key falls back to the title so that it is never NULL (keys join by plain equality).
    course = (
        f"coalesce({', '.join(X.clean(col[f]) for f in ('course_id', 'course_title') if f in col)})"
    )
    title = X.clean(col["course_title"]) if "course_title" in col else "null"
    common.parse_once(
        con,
        st,
        {
            "_email": X.email_norm(email_src),
            "_email_ok": X.email_valid(X.email_norm(email_src)),
            "_emp": X.employee_id_norm(ident) if ident else "null",
            "_status_raw": f"lower(trim({col['status']}))",
            "_status": f"case {status_case} end",
            "_completed": opt("completed_at", when, "null::timestamptz"),
            "_first": opt("first_access_at", when, "null::timestamptz"),
            "_score": opt("score", X.number, "null::double"),
            "_hours": opt("contact_hours", X.number, "null::double"),
            "_time": opt("time_spent", X.duration_s, "null::bigint"),
            "_course": course,
            "_cnorm": X.alias_norm(course),
            "_tnorm": X.alias_norm(title),
        },
        {} if iso else {"tz": ctx.timezone},
    )
    who = [c for c in (ident, raw_email) if c]
    checks = [
        (
            " and ".join(X.blank(c) for c in who) or "true",
            hdr(ident or raw_email),
            "no learner ID or e-mail: cannot identify the learner",
        ),
        (
            "_email is not null and not _email_ok",
            hdr(raw_email or ident),
            "not an e-mail address",
        ),
        (
            f"{X.blank(col['status'])} or not list_contains({common.in_list(status_keys)}, "
            "_status_raw)",
            hdr(col["status"]),
            f"unknown status; expected one of {', '.join(status_keys)}",
        ),
    ]
    for fld, parsed in (("completed_at", "_completed"), ("first_access_at", "_first")):
        if fld in col:
            checks.append(
                (
                    f"not {X.blank(col[fld])} and {parsed} is null",
                    hdr(col[fld]),
                    "not an ISO 8601 time"
                    if iso
                    else f"not a {'m/d/yyyy' if order == 'mdy' else 'd/m/yyyy'} date",
                )
            )
    for fld, parsed in (("score", "_score"), ("contact_hours", "_hours")):
        if fld in col:
            checks.append((X.number_bad(col[fld], parsed), hdr(col[fld]), "not a number"))
    if "time_spent" in col:
        checks.append(
            (
                f"_time is null and not {X.blank(col['time_spent'])}",
                hdr(col["time_spent"]),
                "not a duration: expected seconds, HH:MM:SS, MM:SS, PT25M13S or '12 mins 5 secs'",
            )
        )
    if "score" in col:
        checks.append(
            (
                "not coalesce(_score between 0 and 100, true)",
                hdr(col["score"]),
                "score outside 0-100",
            )
        )
    common.alias_map(con, ctx.system, ["course_id", "course_title"])
    others = [c for c in (ident, raw_email, col.get("course_id")) if c and c != "c0"]
    unmapped = (
        "case when coalesce(a.module_id, t.module_id) is null then 'course_not_in_catalog' end"
    )
    con.execute(
        f"""
        create or replace temp table rec as
        select _rn,
            {common.exclude_expr("c0", others, unmapped)} as _exclude,
            {common.reject_exprs(checks)},
            case when _email_ok then 'email' else $ns end as id_namespace,
            case when _email_ok then _email else _emp end as id_value,
            nullif(split_part(_email, '@', 2), '') as email_domain,
            {opt("facility", X.clean, "null::varchar")} as facility_ccn,
            {opt("job_title", X.clean, "null::varchar")} as job_title,
            {opt("department", X.clean, "null::varchar")} as department,
            _course as course_key, coalesce(a.module_id, t.module_id) as module_id,
            _status as status,
            _status in ('completed', 'in_progress') or _first is not null as is_started,
            _status = 'completed' as is_completed,
            _first as first_access_at, _completed as completed_at,
            greatest(_completed, _first) as _event_at,
            _score as score_pct, _time as time_spent_s, _hours as contact_hours
        from p
        left join alias_map a on a.alias_norm = p._cnorm
        left join alias_map t on t.alias_norm = p._tnorm
        """,
        {"ns": f"{ctx.system}:{ctx.tenant}"},
    )
    records.record_unmapped(con, ctx, "course", "course_key", "_exclude = 'course_not_in_catalog'")
    common.finish(con, ctx, res, st, records.COMPLETION, set(cmap.get("personal", [])), checks)
