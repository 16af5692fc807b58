"""The shared back half of every learner-record adapter.

An adapter turns its staged file into a temp table `rec` with one row per source record (`_rn`),
an `_exclude` reason or a `_check` (number of the failing check), learner identity
(`id_namespace`, `id_value`, `email_domain`, optional `facility_ccn`, `job_title`, `department`)
and the target table's key and value columns. From there this module does, in SQL: catalog
mapping, pseudonymous keys, hospital attribution, role mapping, the newest-snapshot rule and the
row accounting.
"""

from dataclasses import dataclass

import duckdb

from etl import sqlexpr as X
from etl.context import FileContext, FileResult
from etl.identity import learner_id_sql


@dataclass(frozen=True)
class Target:
    table: str
    key: tuple[str, ...]  # besides system, tenant, learner_id
    values: tuple[str, ...]  # compared through row_hash; newest export wins when they differ
    latest_first: str  # ORDER BY picking the surviving row when a file repeats a key


COMPLETION = Target(
    "completion",
    ("course_key",),
    (
        "module_id",
        "hospital_ccn",
        "attribution",
        "email_domain",
        "role",
        "job_title",
        "department",
        "status",
        "is_started",
        "is_completed",
        "first_access_at",
        "completed_at",
        "score_pct",
        "time_spent_s",
        "contact_hours",
    ),
    "completed_at desc nulls last, is_completed desc, _rn desc",
)

QUIZ_ATTEMPT = Target(
    "quiz_attempt",
    ("quiz_key", "attempt_key"),
    (
        "module_id",
        "phase",
        "quiz_version",
        "hospital_ccn",
        "attribution",
        "email_domain",
        "state",
        "started_at",
        "finished_at",
        "duration_s",
        "grade_points",
        "grade_max",
        "score_pct",
    ),
    "finished_at desc nulls last, _rn desc",
)


def count_unusable(
    con: duckdb.DuckDBPyConnection, res: FileResult, checks: list[tuple[str, str | None, str]]
) -> None:
    """Count the exclusions and rejects of `rec`; the rows still in play are USABLE."""
    for reason, n in con.execute(
        "select _exclude, count(*) from rec where _exclude is not null group by 1 order by 1"
    ).fetchall():
        res.exclude(reason, n)
    rejects = con.execute(
        "select _rn, _check from rec where _exclude is null and _check is not null order by _rn"
    ).fetchall()
    for rn, check in rejects:
        _, column, reason = checks[check - 1]
        res.reject_record(rn, column, reason)


USABLE = "_exclude is null and _check is null"


def assign_learners(con: duckdb.DuckDBPyConnection, ctx: FileContext) -> None:
    """`good`: the usable rows of `rec` with learner_id, hospital_ccn, attribution and role."""
    learner_id, key_params = learner_id_sql(ctx.key, "g.id_namespace || ':' || g.id_value")
    has_role = "job_title" in columns(con, "rec")
    role_join = (
        f"left join role_map rm on rm.job_title_norm = {X.title_norm('g.job_title')}"
        if has_role
        else ""
    )
    role_expr = "rm.role" if has_role else "null::varchar"
    con.execute(
        f"""
        create or replace temp table good as
        select g.*, {learner_id} as learner_id,
            coalesce($file_ccn, g.facility_ccn, d.ccn) as hospital_ccn,
            case when $file_ccn is not null then 'file'
                 when g.facility_ccn is not null then 'facility'
                 when d.ccn is not null then 'domain' else 'none' end as attribution,
            {role_expr} as role
        from (select * from rec where {USABLE}) g
        left join hospital_domain_unique d on d.domain = g.email_domain
        {role_join}
        """,
        {"file_ccn": ctx.hospital_ccn, **key_params},
    )
    if has_role:  # job titles the role map does not know, for the worklist
        con.execute(
            """insert into unmapped_value select $file_id, 'job_title', job_title, count(*)
               from good where job_title is not null and role is null group by 3""",
            {"file_id": ctx.file_id},
        )


def upsert(con: duckdb.DuckDBPyConnection, ctx: FileContext, res: FileResult, t: Target) -> None:
    """Newest snapshot wins per key; the rows written stay in temp table `written` (with `_rn`)
    for the adapter's follow-up (item responses)."""
    key = ("system", "tenant", "learner_id", *t.key)
    # A long-format attempt stands for several source rows; accounting counts rows.
    weight = "_rows" if "_rows" in columns(con, "good") else "1"
    # Key columns are never NULL (checked or set by the adapters): plain equality hash-joins.
    on = " and ".join(f"e.{k} = c.{k}" for k in key)
    con.execute(
        f"""
        create or replace temp table act as
        with cand as (
            select *, hash({", ".join(t.values)}) as row_hash from (
                select *, $system as system, $tenant as tenant,
                       row_number() over (partition by learner_id, {", ".join(t.key)}
                                          order by {t.latest_first}) as _pick
                from good))
        select c.*, case
            when c._pick > 1 then 'repeat_in_file'
            when e.row_hash is null then 'insert'
            when e.row_hash = c.row_hash then 'duplicate'
            -- newest wins: the record's own latest event first (a partial export can be newer
            -- than a full one with later dates elsewhere), the export's time on a tie
            when coalesce(e.event_at, '-infinity'::timestamptz)
                 > coalesce(c._event_at, '-infinity'::timestamptz) then 'duplicate'
            when coalesce(e.event_at, '-infinity'::timestamptz)
                 < coalesce(c._event_at, '-infinity'::timestamptz) then 'update'
            when coalesce(e.export_at, '-infinity'::timestamptz)
                 > coalesce($export_at, '-infinity'::timestamptz) then 'duplicate'
            else 'update' end as _action
        from cand c left join {t.table} e on c._pick = 1 and {on}
        """,
        {"system": ctx.system, "tenant": ctx.tenant, "export_at": ctx.export_at},
    )
    counts = dict(con.execute(f"select _action, sum({weight}) from act group by 1").fetchall())
    res.duplicate += counts.get("repeat_in_file", 0) + counts.get("duplicate", 0)
    res.loaded += counts.get("insert", 0) + counts.get("update", 0)
    con.execute(
        "create or replace temp table written as select * from act "
        "where _action in ('insert', 'update')"
    )
    key_match = " and ".join(f"{t.table}.{k} = w.{k}" for k in key)
    # Only updated keys exist already; on a first load that is almost none, and skipping the
    # delete spares a scan of the whole (growing) table per file.
    if counts.get("update", 0):
        con.execute(
            f"delete from {t.table} using written w where w._action = 'update' and {key_match}"
        )
    cols = columns(con, t.table)
    select = ", ".join(
        {"export_at": "$export_at", "file_id": "$file_id", "event_at": "_event_at"}.get(c, c)
        for c in cols
    )
    con.execute(
        f"insert into {t.table} ({', '.join(cols)}) select {select} from written",
        {"export_at": ctx.export_at, "file_id": ctx.file_id},
    )
    _upsert_learners(con, ctx)


def _upsert_learners(con: duckdb.DuckDBPyConnection, ctx: FileContext) -> None:
    cols = columns(con, "written")
    opt = {c: (c if c in cols else "null::varchar") for c in ("job_title", "department", "role")}
    con.execute(
        f"""
        create or replace temp table new_learner as
        select learner_id, any_value(id_namespace) as id_namespace,
               any_value(email_domain) as email_domain,
               arg_max(hospital_ccn, hospital_ccn is not null) as hospital_ccn,
               arg_max(attribution, hospital_ccn is not null) as attribution,
               max({opt["role"]}) as role, max({opt["job_title"]}) as job_title,
               max({opt["department"]}) as department
        from written group by learner_id
        """
    )
    # A later record fills what an earlier one lacked but never blanks what is known.
    con.execute(
        """
        insert into learner
        select n.learner_id, n.id_namespace, n.email_domain, n.hospital_ccn, n.attribution,
               n.role, n.job_title, n.department, $file_id
        from new_learner n
        where n.learner_id not in (select learner_id from learner)
        """,
        {"file_id": ctx.file_id},
    )
    con.execute(
        """
        update learner set
            email_domain = coalesce(n.email_domain, learner.email_domain),
            hospital_ccn = coalesce(n.hospital_ccn, learner.hospital_ccn),
            attribution = case when n.hospital_ccn is null then learner.attribution
                               else n.attribution end,
            role = coalesce(n.role, learner.role),
            job_title = coalesce(n.job_title, learner.job_title),
            department = coalesce(n.department, learner.department),
            last_file_id = $file_id
        from new_learner n where n.learner_id = learner.learner_id
        """,
        {"file_id": ctx.file_id},
    )


def record_unmapped(
    con: duckdb.DuckDBPyConnection,
    ctx: FileContext,
    kind: str,
    expr: str,
    where: str,
    params: dict | None = None,
) -> None:
    """Count what the reference data does not map (courses, job titles ...) for the worklist."""
    con.execute(
        f"""insert into unmapped_value
            select $file_id, $kind, {expr}, count(*) from rec
            where _check is null and {where} group by 3""",
        {"file_id": ctx.file_id, "kind": kind, **(params or {})},
    )


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"describe {table}").fetchall()]
