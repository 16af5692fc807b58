"""Plain long quiz format: one row per item response, for sources without a Moodle report.

`learner,module,phase,attempt,item,points,max_points,submitted_at`. A row is one item response;
rows are grouped into attempts (learner, module, phase, attempt) for the warehouse, and the row
accounting still counts rows.
"""

from etl import records
from etl import sqlexpr as X
from etl.context import FileContext, FileResult
from etl.sources import common
from etl.stage import Staged

FORMAT = "quiz_long"
PERSONAL = {"learner"}
COLUMNS = ["learner", "module", "phase", "attempt", "item", "points", "max_points", "submitted_at"]


def detect(header: list[str]) -> bool:
    return {c.lower() for c in header} >= set(COLUMNS)


def load(con, ctx: FileContext, st: Staged, res: FileResult) -> None:
    c = {name: st.col(name) for name in COLUMNS}
    learner = c["learner"]
    email = X.email_norm(learner)
    # The long format names a module by an LMS course id (of any system) or by its module id.
    common.alias_map(con, None, ["course_id", "course_title", "quiz"], with_module_ids=True)
    common.parse_once(
        con,
        st,
        {
            "_email": email,
            "_email_ok": X.email_valid(email),
            "_phase": f"lower(trim({c['phase']}))",
            "_attempt": f"try_cast(trim({c['attempt']}) as integer)",
            "_points": X.number(c["points"]),
            "_max": X.number(c["max_points"]),
            "_at": X.iso_instant(c["submitted_at"]),
            "_mnorm": X.alias_norm(c["module"]),
            "_item": f"lower(trim({c['item']}))",
        },
    )
    checks = [
        (X.blank(learner), "learner", "no learner: expected an e-mail or employee ID"),
        (
            f"{learner} like '%@%' and not _email_ok",
            "learner",
            "not an e-mail address",
        ),
        (
            "not list_contains(['pre', 'post', 'followup'], coalesce(_phase, ''))",
            "phase",
            "expected pre, post or followup",
        ),
        ("_attempt is null", "attempt", "expected an attempt number 1, 2, ..."),
        (X.number_bad(c["points"], "_points"), "points", "not a number"),
        ("_max is null or _max <= 0", "max_points", "expected a positive number"),
        ("not coalesce(_points between 0 and _max, true)", "points", "points outside 0-max_points"),
        ("_at is null", "submitted_at", "not an ISO 8601 time"),
    ]
    unmapped = (
        "case when a.module_id is null then 'module_not_in_catalog' "
        "when qi.item_id is null then 'item_not_in_catalog' end"
    )
    con.execute(
        f"""
        create or replace temp table rec as
        select _rn,
            {common.exclude_expr(learner, [c["module"], c["item"]], unmapped)} as _exclude,
            {common.reject_exprs(checks)},
            case when _email_ok then 'email' else $ns end as id_namespace,
            case when _email_ok then _email else {X.employee_id_norm(learner)}
                end as id_value,
            nullif(split_part(_email, '@', 2), '') as email_domain,
            null::varchar as facility_ccn,
            a.module_id, _phase as phase, _attempt::varchar as attempt_no, qi.item_id,
            _points as points, _max as max_points, _at as _event_at,
            trim({c["module"]}) as _module_raw, trim({c["item"]}) as _item_raw
        from p
        left join alias_map a on a.alias_norm = p._mnorm  -- equality only: an OR made a nested loop
        left join (select distinct module_id, item_id, lower(item_id) as item_norm
                   from quiz_item) qi
            on qi.module_id = a.module_id and qi.item_norm = p._item
        """,
        {"ns": f"{ctx.system}:{ctx.tenant}"},
    )
    records.record_unmapped(con, ctx, "module", "_module_raw", "_exclude = 'module_not_in_catalog'")
    records.record_unmapped(
        con,
        ctx,
        "quiz_item",
        "_module_raw || ' / ' || _item_raw",
        "_exclude = 'item_not_in_catalog'",
    )

    def to_attempts() -> None:
        # An item listed twice in one attempt counts once (the later row); the other is a duplicate.
        res.duplicate += con.execute(
            "select count(*) - count(distinct (learner_id, module_id, phase, attempt_no, item_id)) "
            "from good"
        ).fetchone()[0]
        con.execute(
            """create or replace temp table good_rows as select * from good
               qualify row_number() over (partition by learner_id, module_id, phase, attempt_no,
                                          item_id order by _rn desc) = 1"""
        )
        con.execute(
            """
            create or replace temp table good as
            select min(_rn) as _rn, count(*) as _rows, learner_id,
                   any_value(id_namespace) as id_namespace, any_value(id_value) as id_value,
                   any_value(email_domain) as email_domain, any_value(hospital_ccn) as hospital_ccn,
                   any_value(attribution) as attribution,
                   module_id || ':' || phase as quiz_key, attempt_no as attempt_key,
                   module_id, phase, null::varchar as quiz_version, 'finished' as state,
                   min(_event_at) as started_at, max(_event_at) as finished_at,
                   max(_event_at) as _event_at,
                   null::bigint as duration_s, sum(points) as grade_points,
                   sum(max_points) as grade_max,
                   round(sum(points) / sum(max_points) * 100, 4) as score_pct
            from good_rows group by learner_id, module_id, phase, attempt_no
            """
        )
        common.add_attempt_id(con, ctx)

    def write_responses() -> None:
        con.execute(
            """create or replace temp table resp as
               select w.attempt_id, null::integer as position, r.item_id, r.max_points, r.points
               from good_rows r join written w
                 on w.learner_id = r.learner_id and w.module_id = r.module_id
                and w.phase = r.phase and w.attempt_key = r.attempt_no"""
        )
        common.replace_responses(con, None)

    common.finish(
        con,
        ctx,
        res,
        st,
        records.QUIZ_ATTEMPT,
        PERSONAL,
        checks,
        before_upsert=to_attempts,
        after_upsert=write_responses,
    )
