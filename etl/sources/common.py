"""Pieces every learner-record adapter shares: catalog lookups, exclusion and reject rules, and
the fixed sequence that takes `rec` into the warehouse with its row accounting."""

from collections.abc import Callable

from etl import records
from etl import sqlexpr as X
from etl.context import FileContext, FileResult
from etl.stage import Staged

SUMMARY_RE = r"^\s*(total|overall|grand total|report|records|average|count)\b"


def alias_map(con, system: str | None, kinds: list[str], with_module_ids: bool = False) -> None:
    """Temp table `alias_map` (alias_norm -> module_id, phase, quiz_version): one row per alias,
    an alias of this system before a system-less one, then the lowest module id, so that an
    ambiguous catalog resolves the same way every run. system=None accepts every system's
    aliases (the long format names courses by their LMS course id)."""
    ids = (
        f"union all select {X.alias_norm('module_id')}, module_id, null, null, null from module"
        if with_module_ids
        else ""
    )
    order = "order by coalesce(system, '') = coalesce($s, '') desc, module_id"
    con.execute(
        f"""create or replace temp table alias_map as
            select alias_norm, first(module_id {order}) as module_id,
                   first(phase {order}) as phase, first(quiz_version {order}) as quiz_version
            from (select alias_norm, module_id, system, phase, quiz_version from module_alias
                  where kind in (select unnest($k))
                    and ($s is null or system = $s or coalesce(system, '') = '')
                  {ids})
            group by alias_norm""",
        {"s": system, "k": kinds},
    )


def lookup_alias(con, value: str) -> tuple[str | None, str | None, str | None]:
    """(module_id, phase, quiz_version) of one name, folded as the catalog's aliases are."""
    row = con.execute(
        f"select module_id, phase, quiz_version from alias_map where alias_norm = "
        f"{X.alias_norm('$v')}",
        {"v": value},
    ).fetchone()
    return row or (None, None, None)


def parse_once(con, st: Staged, exprs: dict[str, str], params: dict | None = None) -> None:
    """Materialize parsed values (temp table `p`: staged columns + exprs) so that checks and
    outputs read each parsed value instead of re-parsing it; DuckDB does not share them."""
    cols = ", ".join(f"{e} as {name}" for name, e in exprs.items())
    con.execute(f"create or replace temp table p as select *, {cols} from {st.table}", params or {})


def in_list(values) -> str:
    return "[" + ", ".join(lit(v) for v in values) + "]"


def exclude_expr(first: str, others: list[str], extra_rule: str | None = None) -> str:
    """'summary_row' (a total/average line), 'blank_row', or a format's own rule."""
    others_blank = " and ".join(X.blank(c) for c in others) or "true"
    rules = [
        f"when {others_blank} and regexp_matches(lower(coalesce({first}, '')), '{SUMMARY_RE}') "
        "then 'summary_row'",
        f"when {others_blank} and {X.blank(first)} then 'blank_row'",
    ]
    if extra_rule:
        rules.append(f"else {extra_rule}")
    return "case " + " ".join(rules) + " end"


def reject_exprs(checks: list[tuple[str, str | None, str]], once: bool = True) -> str:
    """The first failing check (checks: condition, column, reason).

    With `once`, `_check` is the 1-based number of the failing check: each condition is evaluated
    a single time, and column and reason are looked up in Python for the few rejected rows
    (pass the same checks to finish). Reference checks hold subqueries and are small: once=False
    writes `_reject_col` and `_reject_reason` directly.
    """
    if not once:
        col = (
            " ".join(f"when {cond} then {lit(c)}" for cond, c, _ in checks) or "when false then ''"
        )
        why = (
            " ".join(f"when {cond} then {lit(r)}" for cond, _, r in checks) or "when false then ''"
        )
        return f"case {col} end as _reject_col, case {why} end as _reject_reason"
    case = " ".join(f"when {cond} then {i}" for i, (cond, _, _) in enumerate(checks, 1))
    return f"case {case or 'when false then 0'} end as _check"


def lit(text: str | None) -> str:
    return "null" if text is None else "'" + text.replace("'", "''") + "'"


def add_attempt_id(con, ctx: FileContext) -> None:
    con.execute(
        """create or replace temp table good as
           select *, md5(concat_ws('|', $system, $tenant, learner_id, quiz_key, attempt_key))
                  as attempt_id
           from good""",
        {"system": ctx.system, "tenant": ctx.tenant},
    )


def replace_responses(con, quiz_version: str | None) -> None:
    """Item responses of the attempts just written replace whatever those attempts had."""
    con.execute(
        "delete from quiz_item_response where attempt_id in "
        "(select attempt_id from written where _action = 'update')"
    )
    con.execute(
        """
        insert into quiz_item_response
        select r.attempt_id, coalesce(r.position, qi.position), coalesce(r.item_id, qi.item_id),
               r.points, r.max_points, r.points is not null,
               coalesce(r.points >= r.max_points - 1e-9, false)
        from resp r
        left join quiz_item qi on qi.quiz_version = $version and qi.position = r.position
        """,
        {"version": quiz_version},
    )


def finish(
    con,
    ctx: FileContext,
    res: FileResult,
    st: Staged,
    target: records.Target,
    personal: set[str],
    checks: list[tuple[str, str | None, str]],
    before_upsert: Callable[[], None] | None = None,
    after_upsert: Callable[[], None] | None = None,
) -> None:
    res.rows_read = st.n_records + len(st.parse_rejects)
    res.add_parse_rejects(st)
    export_at, first_at, last_at = con.execute(
        "select max(_event_at), min(_event_at) filter (where _exclude is null), "
        "max(_event_at) filter (where _exclude is null) from rec where _check is null"
    ).fetchone()
    ctx.export_at = ctx.exported_at_override or export_at
    res.export_at, res.min_event_at, res.max_event_at = ctx.export_at, first_at, last_at
    records.count_unusable(con, res, checks)
    records.assign_learners(con, ctx)
    if before_upsert:
        before_upsert()
    records.upsert(con, ctx, res, target)
    if after_upsert:
        after_upsert()
    res.finalize_rejects(con, st, personal)
    res.check_accounting()
