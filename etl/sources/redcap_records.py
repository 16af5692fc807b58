"""REDCap raw data export of the protocol-adoption survey (`<Project>_DATA_<date_time>.csv`).

One row per (record, event): `record_id,redcap_event_name,...,<form>_timestamp,...,<form>_complete`,
raw codes, checkbox choices as `<field>___<code>` 0/1 columns. Read through the project's data
dictionary (load it first, or in the same run). Snapshot rules as for LMS reports: keyed (project,
record, event), the newest export wins. Of a hospital's submitted answers in one wave, the newest
is current. Rows are kept with a flag when a rule that depends on other rows excludes them:
form_incomplete (`<form>_complete` 0 or blank) and older_response_same_wave.

An element whose stage is blank is stored as `unknown` and never counted as not started.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from etl import records
from etl import sqlexpr as X
from etl.context import FileContext, FileResult
from etl.decode import InputError
from etl.reference import _ccn_checks
from etl.sources import common
from etl.sources.redcap_dictionary import STAGE_CODES, choices
from etl.stage import Staged

FORMAT = "redcap_records"
CCN_FIELDS = ("ccn", "hospital_ccn", "facility_id")
_FILE_TIME = re.compile(r"_DATA_(\d{4}-\d{2}-\d{2})_(\d{2})(\d{2})")


def detect(header: list[str]) -> bool:
    h = [c.strip().lower() for c in header]
    return len(h) > 2 and h[1] == "redcap_event_name" and any(c.endswith("_complete") for c in h)


def export_time(ctx: FileContext) -> datetime | None:
    """REDCap names downloads `<Project>_DATA_YYYY-MM-DD_HHMM.csv` (server local time)."""
    if ctx.exported_at_override:
        return ctx.exported_at_override
    m = _FILE_TIME.search(ctx.path.name)
    if not m:
        return None
    return datetime.fromisoformat(f"{m[1]}T{m[2]}:{m[3]}").replace(tzinfo=ZoneInfo(ctx.timezone))


def load(con, ctx: FileContext, st: Staged, res: FileResult) -> None:
    fields = {
        r[0]: r[1:]
        for r in con.execute(
            "select field_name, form_name, field_type, choices, element_id from survey_field "
            "where tenant = $t",
            {"t": ctx.tenant},
        ).fetchall()
    }
    if not fields:
        raise InputError(
            ctx.path,
            f"no REDCap data dictionary is loaded for project {ctx.tenant!r}: load its "
            "<Project>_DataDictionary_<date>.csv in the same run or before this export",
        )
    header = [h.strip().lower() for h in st.header]
    stage = sorted((f, v[3]) for f, v in fields.items() if v[3] and f in header)
    forms = sorted({fields[f][0] for f, _ in stage})
    if len(forms) != 1:
        raise InputError(
            ctx.path,
            "expected the protocol stage questions (<element>_stage, e.g. pe01_stage) of one "
            f"form in this export; found them in {len(forms)} forms "
            f"({', '.join(forms) or 'none: is this the protocol-adoption project?'})",
            1,
        )
    form = forms[0]
    complete_col = f"{form}_complete"
    if complete_col not in header:
        raise InputError(ctx.path, f"no column {complete_col!r}: expected REDCap's form status", 1)
    ccn_field = next((f for f in CCN_FIELDS if f in header), None)
    if ccn_field is None:
        raise InputError(
            ctx.path, f"no hospital column: expected one of {', '.join(CCN_FIELDS)}", 1
        )
    col = {h: f"c{i}" for i, h in reversed(list(enumerate(header)))}
    rid, event, ccn = col[header[0]], col["redcap_event_name"], col[ccn_field]
    ts = col.get(f"{form}_timestamp")
    complete = col[complete_col]
    role_col = col.get("respondent_role")
    role_labels = dict(choices(fields.get("respondent_role", (None, None, None))[2]))

    ts_expr = (
        "timezone($tz, "
        + X.plausible(f"try_strptime(trim({ts}), ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M'])")
        + ")"
        if ts
        else "timezone($tz, null::timestamp)"  # no timestamp column (API exports omit it)
    )
    checks = [
        (X.blank(rid), header[0], "required value is empty"),
        (X.blank(event), "redcap_event_name", "required value is empty"),
        (
            f"coalesce(trim({complete}), '') not in ('', '0', '1', '2')",
            complete_col,
            "expected 0 (incomplete), 1 (unverified) or 2 (complete)",
        ),
        *[
            (f"not {X.blank(ccn)} and ({cond.format_map({ccn_field: ccn})})", ccn_field, why)
            for cond, _, why in _ccn_checks(ccn_field, ccn_field)
        ],
        (
            f"coalesce(trim({complete}), '') in ('1', '2') and {X.blank(ccn)}",
            ccn_field,
            "a submitted response names no hospital: expected its CCN",
        ),
        (
            f"not {X.blank(ccn)} and trim({ccn}) not in (select ccn from hospital)",
            ccn_field,
            "CCN is not in the hospitals reference data",
        ),
    ]
    if ts:
        checks.append(
            (
                f"not {X.blank(ts)} and lower(trim({ts})) <> '[not completed]' "
                f"and {ts_expr} is null",
                f"{form}_timestamp",
                "expected a time like 2026-03-05 14:02:11 or [not completed]",
            )
        )
    for field, _ in stage:
        codes = [c for c, _ in choices(fields[field][2])]
        checks.append(
            (
                f"not {X.blank(col[field])} and not list_contains({common.in_list(codes)}, "
                f"trim({col[field]}))",
                field,
                "expected one of the stage codes " + ", ".join(codes),
            )
        )
    boxes = sorted(
        (h, h.split("___", 1)[0], h.split("___", 1)[1])
        for h in header
        if "___" in h and fields.get(h.split("___", 1)[0], (None, None))[1] == "checkbox"
    )
    for h, _, _ in boxes:
        checks.append(
            (
                f"coalesce(trim({col[h]}), '') not in ('', '0', '1')",
                h,
                "expected 0 or 1 (checkbox)",
            )
        )
    # Rows of a repeating instrument (another form, e.g. a contact log) carry none of this form's
    # answers; keyed by (record, event) alone they would overwrite the real response.
    repeat_col = col.get("redcap_repeat_instrument")
    repeat_rule = (
        f"case when not {X.blank(repeat_col)} then 'repeating_instrument_row' end"
        if repeat_col
        else None
    )
    answers = ", ".join(f"coalesce(trim({col[f]}), '')" for f, _ in stage) or "''"
    box_values = ", ".join(f"coalesce(trim({col[h]}), '')" for h, _, _ in boxes) or "''"
    role_expr = (
        f"coalesce({_case(f'trim({role_col})', role_labels)}, nullif(trim({role_col}), ''))"
        if role_col
        else "null::varchar"
    )
    con.execute(
        f"""
        create or replace temp table rec as
        select _rn, {common.exclude_expr(rid, [event], repeat_rule)} as _exclude,
               {common.reject_exprs(checks)},
               trim({rid}) as record_id, lower(trim({event})) as event_name,
               regexp_replace(lower(trim({event})), '_arm_[0-9]+$', '') as wave,
               nullif(trim({ccn}), '') as hospital_ccn, {role_expr} as respondent_role,
               {ts_expr} as submitted_at,
               coalesce(try_cast(trim({complete}) as integer), 0) as complete_status,
               concat_ws('|', {answers}) as _answers, concat_ws('|', {box_values}) as _boxes
        from {st.table}
        """,
        {"tz": ctx.timezone},
    )
    res.rows_read = st.n_records + len(st.parse_rejects)
    res.add_parse_rejects(st)
    records.count_unusable(con, res, checks)
    ctx.export_at = export_time(ctx)
    if ctx.export_at is None:
        usable = records.USABLE
        ctx.export_at = con.execute(f"select max(submitted_at) from rec where {usable}").fetchone()[
            0
        ]
    res.export_at = ctx.export_at
    res.min_event_at, res.max_event_at = con.execute(
        f"select min(submitted_at), max(submitted_at) from rec where {records.USABLE}"
    ).fetchone()
    _upsert(con, ctx, res)
    _write_answers(con, ctx, st, stage, boxes, col)
    _mark_current(con, ctx, res)
    # Free-text and identifier fields can name people: masked in the rejects table.
    keep = (ccn_field, header[0])
    personal = {f for f, v in fields.items() if v[1] in ("text", "notes") and f not in keep}
    personal.add("redcap_survey_identifier")
    res.finalize_rejects(con, st, personal)
    res.check_accounting()


def _case(expr: str, labels: dict[str, str]) -> str:
    whens = " ".join(f"when {common.lit(k)} then {common.lit(v)}" for k, v in labels.items())
    return f"(case {expr} {whens} end)" if whens else "null::varchar"


def _upsert(con, ctx: FileContext, res: FileResult) -> None:
    con.execute(
        f"""
        create or replace temp table act as
        with cand as (
            select *, hash(hospital_ccn, respondent_role, submitted_at, complete_status,
                           _answers, _boxes) as row_hash,
                   row_number() over (partition by record_id, event_name order by _rn desc) as _pick
            from rec where {records.USABLE})
        select c.*, case
            when c._pick > 1 then 'repeat_in_file'
            when e.row_hash is null then 'insert'
            when e.row_hash = c.row_hash then 'duplicate'
            when coalesce(e.export_at, '-infinity'::timestamptz)
                 > coalesce($export_at, '-infinity'::timestamptz) then 'duplicate'
            else 'update' end as _action
        from cand c left join survey_response e
          on c._pick = 1 and e.tenant = $t and e.record_id = c.record_id
         and e.event_name = c.event_name
        """,
        {"t": ctx.tenant, "export_at": ctx.export_at},
    )
    res.duplicate += con.execute(
        "select count(*) from act where _action in ('repeat_in_file', 'duplicate')"
    ).fetchone()[0]
    # Unchanged in a newer export: the record is now known as of that export, so that an older
    # export loaded later cannot take its place.
    con.execute(
        """update survey_response set export_at = $export_at, file_id = $file_id
           from act a where a._action = 'duplicate' and survey_response.tenant = $t
             and survey_response.record_id = a.record_id
             and survey_response.event_name = a.event_name
             and survey_response.row_hash = a.row_hash
             and coalesce(survey_response.export_at, '-infinity'::timestamptz) < $export_at""",
        {"t": ctx.tenant, "export_at": ctx.export_at, "file_id": ctx.file_id},
    )
    con.execute(
        "create or replace temp table written as select * from act "
        "where _action in ('insert', 'update')"
    )
    for table in ("survey_response", "protocol_response", "survey_checkbox"):
        con.execute(
            f"""delete from {table} using written w where {table}.tenant = $t
                and {table}.record_id = w.record_id and {table}.event_name = w.event_name""",
            {"t": ctx.tenant},
        )
    con.execute(
        """insert into survey_response
           select $t, record_id, event_name, wave, hospital_ccn, respondent_role, submitted_at,
                  complete_status, false, $export_at, $file_id, row_hash
           from written""",
        {"t": ctx.tenant, "export_at": ctx.export_at, "file_id": ctx.file_id},
    )


def _write_answers(con, ctx, st: Staged, stage, boxes, col) -> None:
    for field, element in stage:
        con.execute(
            f"""insert into protocol_response
                select $t, w.record_id, w.event_name, $element, try_cast(trim(s.{col[field]}) as
                       integer), coalesce({_case(f"trim(s.{col[field]})", STAGE_CODES)}, 'unknown')
                from written w join {st.table} s on s._rn = w._rn""",
            {"t": ctx.tenant, "element": element},
        )
    for h, field, code in boxes:
        con.execute(
            f"""insert into survey_checkbox
                select $t, w.record_id, w.event_name, $field, $code,
                       (select resource_id from toolkit_resource
                        where lower(resource_id) = lower($code)),
                       trim(s.{col[h]}) = '1'
                from written w join {st.table} s on s._rn = w._rn""",
            {"t": ctx.tenant, "field": field, "code": code},
        )


def _mark_current(con, ctx: FileContext, res: FileResult) -> None:
    """The newest submitted answer of each hospital and wave is current; then account for the
    rows this file wrote."""
    con.execute(
        """
        update survey_response set is_current = x.is_current from (
            select record_id, event_name,
                   complete_status in (1, 2) and row_number() over (
                       partition by hospital_ccn, wave, complete_status in (1, 2)
                       order by submitted_at desc nulls last, export_at desc nulls last,
                                try_cast(record_id as bigint) desc nulls last, record_id desc
                   ) = 1 as is_current
            from survey_response where tenant = $t) x
        where survey_response.tenant = $t and survey_response.record_id = x.record_id
          and survey_response.event_name = x.event_name
        """,
        {"t": ctx.tenant},
    )
    for status, n in con.execute(
        """select case when r.is_current then 'loaded'
                       when r.complete_status not in (1, 2) then 'form_incomplete'
                       else 'older_response_same_wave' end, count(*)
           from survey_response r join written w using (record_id, event_name)
           where r.tenant = $t group by 1""",
        {"t": ctx.tenant},
    ).fetchall():
        if status == "loaded":
            res.loaded += n
        else:
            res.exclude(status, n)


def remap_resources(con) -> None:
    """After a toolkit-catalog change, checkbox choices follow it (the exports are unchanged)."""
    con.execute(
        """update survey_checkbox set resource_id = m.resource_id from (
               select distinct c.code, r.resource_id from survey_checkbox c
               left join toolkit_resource r on lower(r.resource_id) = lower(c.code)) m
           where survey_checkbox.code = m.code
             and survey_checkbox.resource_id is distinct from m.resource_id"""
    )
