"""Moodle course-completion report (report/completion CSV download).

`ID,Name,Email address[,identity fields],<activity>,<activity> - Completion date,...,
Course complete`. The course is only in the file name (`completion-<shortname>.csv`). Dates are
`9/01/26, 14:12` in the site's language order, which is set per source or settled by the file
itself, never guessed per row.
"""

import re

from etl import records
from etl import sqlexpr as X
from etl.context import FileContext, FileResult
from etl.decode import InputError
from etl.sources import common
from etl.stage import Staged, record_lines

FORMAT = "moodle_completion"
PERSONAL = {"ID", "Name", "Email address", "ID number", "Username"}
STATES = (
    "completed",
    "not completed",
    "completed (achieved pass grade)",
    "completed (did not achieve pass grade)",
)
IDENTITY_FIELDS = {"job title": "job_title", "department": "department"}


def detect(header: list[str]) -> bool:
    h = [c.lower() for c in header]
    return h[:3] == ["id", "name", "email address"] and "course complete" in h


def course_key(path) -> str:
    stem = re.sub(r"\s*\(\d+\)$", "", path.stem)  # browsers add ' (1)' to a re-download
    return stem.removeprefix("completion-")


def load(con, ctx: FileContext, st: Staged, res: FileResult) -> None:
    header = st.header
    low = [h.lower() for h in header]
    complete_idx = low.index("course complete")
    acts = [i for i in range(3, complete_idx - 1) if low[i + 1] == f"{low[i]} - completion date"]
    if not acts:
        raise InputError(
            ctx.path,
            "no activity columns: expected '<activity>' followed by '<activity> - Completion date'",
            1,
        )
    first_act = acts[0]
    extra = {
        IDENTITY_FIELDS[low[i]]: f"c{i}" for i in range(3, first_act) if low[i] in IDENTITY_FIELDS
    }
    date_cols = [f"c{i + 1}" for i in acts]
    order = _date_order(con, ctx, st, date_cols)
    ckey = course_key(ctx.path)
    common.alias_map(con, ctx.system, ["course_id"])
    module_id = common.lookup_alias(con, ckey)[0]
    cc = f"c{complete_idx}"
    parsed = {
        "_email": X.email_norm("c2"),
        "_email_ok": X.email_valid(X.email_norm("c2")),
        "_cc": f"lower(trim({cc}))",
    }
    for i in acts:
        parsed[f"_s{i}"] = f"lower(trim(c{i}))"
        parsed[f"_d{i}"] = X.local_ts(X.short_datetime(f"c{i + 1}", order))
    common.parse_once(con, st, parsed, {"tz": ctx.timezone})
    dates = ", ".join(f"_d{i}" for i in acts)
    checks = [
        (
            f"{X.blank('c2')} and {X.blank('c0')}",
            "Email address",
            "no e-mail address or user ID: cannot identify the learner",
        ),
        (
            f"not {X.blank('c2')} and not _email_ok",
            "Email address",
            "not an e-mail address",
        ),
    ]
    for i in acts:
        checks.append(
            (
                f"not {X.blank(f'c{i}')} and not list_contains({common.in_list(STATES)}, _s{i})",
                header[i],
                "unknown completion state; expected Completed, Not completed"
                " or Completed (achieved/did not achieve pass grade)",
            )
        )
        checks.append(
            (
                f"not {X.blank(f'c{i + 1}')} and _d{i} is null",
                header[i + 1],
                f"date is not {'d/mm/yy' if order == 'dmy' else 'm/dd/yy'}, HH:MM "
                f"({'day' if order == 'dmy' else 'month'} first for this source)",
            )
        )
    checks.append(
        (
            "_cc is null or _cc not in ('completed', 'not completed')",
            "Course complete",
            "expected Completed or Not completed",
        )
    )
    started = " or ".join(
        [f"_s{i} like 'completed%'" for i in acts] + [f"_d{i} is not null" for i in acts]
    )
    job, dept = (
        X.clean(extra[k]) if k in extra else "null::varchar" for k in ("job_title", "department")
    )
    con.execute(
        f"""
        create or replace temp table rec as
        select _rn,
            {common.exclude_expr("c0", ["c1", "c2"], extra_rule=_unmapped(module_id))} as _exclude,
            {common.reject_exprs(checks)},
            case when _email_ok then 'email' else $ns end as id_namespace,
            case when _email_ok then _email else trim(c0) end as id_value,
            nullif(split_part(_email, '@', 2), '') as email_domain,
            null::varchar as facility_ccn, {job} as job_title, {dept} as department,
            $course_key as course_key, $module_id as module_id,
            case when _cc = 'completed' then 'completed'
                 when {started} then 'in_progress' else 'not_started' end as status,
            ({started}) or _cc = 'completed' as is_started,
            _cc = 'completed' as is_completed,
            null::timestamptz as first_access_at,
            case when _cc = 'completed' then greatest({dates}) end as completed_at,
            greatest({dates}) as _event_at,
            null::double as score_pct, null::bigint as time_spent_s,
            null::double as contact_hours
        from p
        """,
        {"ns": f"moodle:{ctx.tenant}", "course_key": ckey, "module_id": module_id},
    )
    if module_id is None:
        records.record_unmapped(
            con, ctx, "course", "$v", "_exclude = 'course_not_in_catalog'", {"v": ckey}
        )
    common.finish(con, ctx, res, st, records.COMPLETION, PERSONAL, checks)


def _unmapped(module_id: str | None) -> str | None:
    return None if module_id else "'course_not_in_catalog'"


def _date_order(con, ctx: FileContext, st: Staged, date_cols: list[str]) -> str:
    if ctx.date_order in ("dmy", "mdy"):
        return ctx.date_order
    parts = [X.date_parts(c) for c in date_cols]
    firsts = " union all ".join(f"select _rn, {a} as a, {b} as b from {st.table}" for a, b in parts)
    rn_day, rn_month, n_dates, sample_rn = con.execute(
        f"""select min(_rn) filter (where a > 12), min(_rn) filter (where b > 12),
                   count(a), min(_rn) filter (where a is not null) from ({firsts})"""
    ).fetchone()
    if rn_day and rn_month:
        lines = record_lines(st, {rn_day, rn_month})
        raise InputError(
            ctx.path,
            f"dates contradict each other: line {lines.get(rn_day)} has a "
            f"day first, line {lines.get(rn_month)} a month first; expected one "
            "order throughout the file",
            lines.get(rn_day),
            st.header[int(date_cols[0][1:])],
        )
    if rn_day:
        return "dmy"
    if rn_month:
        return "mdy"
    if n_dates == 0:
        return "dmy"  # no dates in the file: nothing to misread
    line = record_lines(st, {sample_rn}).get(sample_rn)
    raise InputError(
        ctx.path,
        "ambiguous date order: no day above 12 settles whether dates like 9/01/26 are "
        "day-first (Moodle 'en') or month-first ('en_us'); expected date_order dmy or mdy for this "
        "source in sources.csv, or --date-order",
        line,
        "Course complete" if not date_cols else st.header[int(date_cols[0][1:])],
    )
