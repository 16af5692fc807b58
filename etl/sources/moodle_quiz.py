"""Moodle quiz "Grades" report (quiz_overview CSV download).

`Surname,First name,Email address,State,Started on,Completed,Time taken,Grade/10.00,Q. 1 /1.00,...`
One row per attempt; a trailing `Overall average` row. Which module and phase (pre, post, follow-up)
is known only from the file name `<course>-<quiz name>-grades.csv`, through the catalog's quiz
aliases; `Q. n` is a position that the item catalog maps to an item per quiz version.
"""

import re

from etl import records
from etl import sqlexpr as X
from etl.context import FileContext, FileResult
from etl.sources import common
from etl.stage import Staged

FORMAT = "moodle_quiz_grades"
PERSONAL = {"Surname", "First name", "Email address", "ID number", "Username", "Institution"}
STATES = ("finished", "in progress", "overdue", "never submitted", "abandoned")
_GRADE = re.compile(r"^grade/\s*(\d+(?:\.\d+)?)$", re.I)
_Q = re.compile(r"^q\.\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)$", re.I)


def detect(header: list[str]) -> bool:
    h = {c.lower() for c in header}
    return {"email address", "state", "started on", "completed"} <= h and any(
        _GRADE.match(c) for c in header
    )


def quiz_key(path) -> str:
    stem = re.sub(r"\s*\(\d+\)$", "", path.stem)
    return re.sub(r"-grades$", "", stem, flags=re.I)


def load(con, ctx: FileContext, st: Staged, res: FileResult) -> None:
    c = {
        name: st.col(name)
        for name in ("Surname", "Email address", "State", "Started on", "Completed", "Time taken")
    }
    grade_idx, grade_max = next(
        (i, float(m.group(1))) for i, h in enumerate(st.header) if (m := _GRADE.match(h))
    )
    questions = [
        (f"c{i}", int(m.group(1)), float(m.group(2)))
        for i, h in enumerate(st.header)
        if (m := _Q.match(h))
    ]
    qkey = quiz_key(ctx.path)
    common.alias_map(con, ctx.system, ["quiz"])
    module_id, phase, version = common.lookup_alias(con, qkey)
    g = f"c{grade_idx}"
    parsed = {
        "_email": X.email_norm(c["Email address"]),
        "_email_ok": X.email_valid(X.email_norm(c["Email address"])),
        "_state": f"lower(trim({c['State']}))",
        "_started": X.local_ts(X.moodle_long_datetime(c["Started on"])),
        "_finished": X.local_ts(X.moodle_long_datetime(c["Completed"])),
        "_grade": X.number(g),
        "_duration": X.duration_s(c["Time taken"]),
    }
    for qc, _pos, _max in questions:
        parsed[f"_{qc}"] = X.number(qc)
    common.parse_once(con, st, parsed, {"tz": ctx.timezone})
    checks = [
        (
            X.blank(c["Email address"]),
            "Email address",
            "no e-mail address: cannot identify the learner",
        ),
        ("not _email_ok", "Email address", "not an e-mail address"),
        (
            f"not list_contains({common.in_list(STATES)}, _state)",
            "State",
            "unknown attempt state; expected Finished, In progress, Overdue or Never submitted",
        ),
        ("_started is null", "Started on", "not a date like '5 January 2026  3:04 PM'"),
        (
            "_state = 'finished' and _finished is null",
            "Completed",
            "not a date like '5 January 2026  3:04 PM'",
        ),
        (
            f"_duration is null and not {X.blank(c['Time taken'])}",
            "Time taken",
            "not a duration like '12 mins 5 secs'",
        ),
        (X.number_bad(g, "_grade"), st.header[grade_idx], "grade is not a number"),
        (
            f"not coalesce(_grade between 0 and {grade_max}, true)",
            st.header[grade_idx],
            f"grade outside 0-{grade_max:g}",
        ),
    ]
    for qc, _pos, qmax in questions:
        hdr = st.header[int(qc[1:])]
        checks.append((X.number_bad(qc, f"_{qc}"), hdr, "points are not a number"))
        checks.append(
            (f"not coalesce(_{qc} between 0 and {qmax}, true)", hdr, f"points outside 0-{qmax:g}")
        )
    extra = (
        "case when $module_id is null then 'quiz_not_in_catalog' "
        "when _state <> 'finished' then 'unfinished_attempt' end"
    )
    con.execute(
        f"""
        create or replace temp table rec as
        select _rn,
            {common.exclude_expr(c["Surname"], [c["Email address"], c["Started on"]], extra)}
                as _exclude,
            {common.reject_exprs(checks)},
            'email' as id_namespace, _email as id_value,
            nullif(split_part(_email, '@', 2), '') as email_domain,
            null::varchar as facility_ccn,
            $quiz_key as quiz_key,
            strftime(_started, '%Y-%m-%dT%H:%M:%SZ') as attempt_key,
            $module_id as module_id, $phase as phase, $version as quiz_version,
            _state as state, _started as started_at, _finished as finished_at,
            _duration as duration_s, _grade as grade_points, $grade_max as grade_max,
            round(_grade / $grade_max * 100, 4) as score_pct,
            greatest(_started, _finished) as _event_at
        from p
        """,
        {
            "quiz_key": qkey,
            "module_id": module_id,
            "phase": phase,
            "version": version,
            "grade_max": grade_max,
        },
    )
    if module_id is None:
        records.record_unmapped(
            con, ctx, "quiz", "$v", "_exclude = 'quiz_not_in_catalog'", {"v": qkey}
        )

    def add_attempt_id() -> None:
        common.add_attempt_id(con, ctx)

    def write_responses() -> None:
        if not questions:
            return
        cols = ", ".join(qc for qc, _, _ in questions)
        pos = ", ".join(f"('{qc}', {p}, {m})" for qc, p, m in questions)
        # Empty cells are NULL, which UNPIVOT would drop: keep them as '' (not answered).
        keep = ", ".join(f"coalesce({qc}, '') as {qc}" for qc, _, _ in questions)
        con.execute(f"""create or replace temp table q_src as select _rn, {keep} from {st.table}
                        where _rn in (select _rn from written)""")
        con.execute(
            f"""
            create or replace temp table resp as
            with u as (unpivot q_src on {cols} into name qcol value raw)
            select w.attempt_id, q.position, null::varchar as item_id, q.max_points,
                   {X.number("u.raw")} as points
            from u join written w using (_rn)
            join (values {pos}) q(qcol, position, max_points) using (qcol)
            """
        )
        common.replace_responses(con, version)

    common.finish(
        con,
        ctx,
        res,
        st,
        records.QUIZ_ATTEMPT,
        PERSONAL,
        checks,
        before_upsert=add_attempt_id,
        after_upsert=write_responses,
    )
