"""Reference data: each file is a full snapshot that replaces its table.

Specs name the header (which also detects the file), the SQL that maps columns to the table, the key
whose repeats are duplicates, and the checks that reject a row with its column and reason. Source
columns are written `{Header Name}` and resolved to the staged column.
"""

import ipaddress
import zoneinfo
from dataclasses import dataclass, field

from etl import sqlexpr as X
from etl.context import FileContext, FileResult
from etl.decode import InputError
from etl.sources import common
from etl.stage import Staged

STATE_CODES = {"MO": "26", "KS": "17", "NE": "28", "IL": "14"}
_CCN_RE = "[0-9]{{2}}[0-9A-Z][0-9]{{3}}"  # braces doubled: specs go through format_map


def _ccn_checks(col: str, label: str) -> list[tuple[str, str, str]]:
    return [
        (
            f"length(trim({{{col}}})) = 5",
            label,
            "CCN has 5 characters; expected 6 (2-digit state code + 4): a character was lost "
            "(Excel drops leading zeros). Fix the source; CCNs are never padded",
        ),
        (
            f"not regexp_full_match(trim({{{col}}}), '{_CCN_RE}')",
            label,
            "expected a 6-character CCN: 2-digit state code + 4 characters",
        ),
    ]


def _yn(col: str) -> str:
    return f"(lower(trim({{{col}}})) in ('y', 'yes', 'true', '1'))"


def _yn_bad(col: str, label: str) -> tuple[str, str, str]:
    return (
        f"coalesce(lower(trim({{{col}}})), '') not in ('y', 'yes', 'true', '1', 'n', 'no', "
        "'false', '0')",
        label,
        "expected Y or N",
    )


def _list(col: str) -> str:
    return (
        f"list_filter(list_transform(string_split(coalesce({{{col}}}, ''), ';'), "
        "lambda x: trim(x)), lambda x: x <> '')"
    )


def _required(*cols: str) -> list[tuple[str, str, str]]:
    return [(X.blank("{" + c + "}"), c, "required value is empty") for c in cols]


def _date_bad(col: str) -> tuple[str, str, str]:
    return (
        f"not {X.blank('{' + col + '}')} and try_cast(trim({{{col}}}) as date) is null",
        col,
        "expected a date YYYY-MM-DD",
    )


@dataclass
class Spec:
    format: str
    header: list[str]
    table: str
    select: dict[str, str]  # table column -> SQL over {Header}
    key: list[str]
    checks: list[tuple[str, str, str]] = field(default_factory=list)


SPECS = [
    Spec(
        "cms_hospital_general_information",
        [
            "Facility ID",
            "Facility Name",
            "State",
            "County/Parish",
            "Hospital Type",
            "Emergency Services",
        ],
        "hospital",
        {
            "ccn": "trim({Facility ID})",
            "name": "trim({Facility Name})",
            "address": "trim({Address})",
            "city": "trim({City/Town})",
            "state": "trim({State})",
            "zip": "trim({ZIP Code})",
            "county": "trim({County/Parish})",
            "phone": "trim({Telephone Number})",
            "hospital_type": "trim({Hospital Type})",
            "ownership": "trim({Hospital Ownership})",
            "has_emergency_services": "lower(trim({Emergency Services})) = 'yes'",
            "overall_rating": "trim({Hospital overall rating})",
        },
        ["{Facility ID}"],
        [
            *_ccn_checks("Facility ID", "Facility ID"),
            *_required("Facility Name", "State"),
            (
                "coalesce(lower(trim({Emergency Services})), '') not in ('yes', 'no')",
                "Emergency Services",
                "expected Yes or No",
            ),
            (
                "trim({State}) in ('MO', 'KS', 'NE', 'IL') and left(trim({Facility ID}), 2) <> "
                "case trim({State}) when 'MO' then '26' when 'KS' then '17' when 'NE' then '28' "
                "else '14' end",
                "Facility ID",
                "CCN state code does not match the State column",
            ),
        ],
    ),
    Spec(
        "membership",
        [
            "ccn",
            "state",
            "region",
            "health_system",
            "member_since",
            "email_domains",
            "network_ranges",
        ],
        "membership",
        {
            "ccn": "trim({ccn})",
            "state": "trim({state})",
            "region": "trim({region})",
            "health_system": "nullif(trim({health_system}), '')",
            "member_since": "try_cast(trim({member_since}) as date)",
            "_domains": _list("email_domains"),
            "_networks": _list("network_ranges"),
        },
        ["{ccn}"],
        [
            *_ccn_checks("ccn", "ccn"),
            _date_bad("member_since"),
            (
                "trim({ccn}) not in (select ccn from hospital)",
                "ccn",
                "CCN is not in the hospitals file",
            ),
        ],
    ),
    Spec(
        "sources",
        ["path_glob", "system", "tenant", "date_order", "timezone", "hospital_ccn"],
        "source_rule",
        {
            "rule_no": "_rn",
            "path_glob": "trim({path_glob})",
            "system": "lower(trim({system}))",
            "tenant": "lower(trim({tenant}))",
            "date_order": "coalesce(nullif(lower(trim({date_order})), ''), 'auto')",
            "timezone": "nullif(trim({timezone}), '')",
            "hospital_ccn": "nullif(trim({hospital_ccn}), '')",
        },
        ["{path_glob}"],
        [
            *_required("path_glob", "system", "tenant"),
            (
                "coalesce(lower(trim({date_order})), '') not in ('', 'dmy', 'mdy', 'auto')",
                "date_order",
                "expected dmy, mdy or auto",
            ),
            (
                "not " + X.blank("{hospital_ccn}") + " and trim({hospital_ccn}) not in "
                "(select ccn from hospital)",
                "hospital_ccn",
                "CCN is not in the hospitals file",
            ),
        ],
    ),
    Spec(
        "modules",
        ["module_id", "module_no", "title", "topic_tags", "contact_hours", "protocol_elements"],
        "module",
        {
            "module_id": "trim({module_id})",
            "module_no": "try_cast({module_no} as integer)",
            "title": "trim({title})",
            "topic_tags": _list("topic_tags"),
            "contact_hours": "try_cast({contact_hours} as double)",
            "protocol_elements": _list("protocol_elements"),
        },
        ["{module_id}"],
        [
            *_required("module_id", "title"),
            ("try_cast({module_no} as integer) is null", "module_no", "expected a whole number"),
            (X.number_bad("{contact_hours}"), "contact_hours", "not a number"),
        ],
    ),
    Spec(
        "module_aliases",
        ["module_id", "system", "kind", "alias", "phase", "quiz_version"],
        "module_alias",
        {
            "module_id": "trim({module_id})",
            "system": "nullif(lower(trim({system})), '')",
            "kind": "lower(trim({kind}))",
            "alias": "trim({alias})",
            "alias_norm": X.alias_norm("{alias}"),
            "phase": "nullif(lower(trim({phase})), '')",
            "quiz_version": "nullif(trim({quiz_version}), '')",
        },
        ["lower(trim({system}))", "lower(trim({kind}))", "lower(trim({alias}))"],
        [
            *_required("module_id", "kind", "alias"),
            (
                "trim({module_id}) not in (select module_id from module)",
                "module_id",
                "module is not in modules.csv",
            ),
            (
                "lower(trim({kind})) not in ('course_id', 'course_title', 'quiz')",
                "kind",
                "expected course_id, course_title or quiz",
            ),
            (
                "lower(trim({kind})) = 'quiz' and coalesce(lower(trim({phase})), '') not in "
                "('pre', 'post', 'followup')",
                "phase",
                "a quiz alias needs phase pre, post or followup",
            ),
        ],
    ),
    Spec(
        "quiz_items",
        ["quiz_version", "position", "item_id", "module_id", "max_points"],
        "quiz_item",
        {
            "quiz_version": "trim({quiz_version})",
            "position": "try_cast({position} as integer)",
            "item_id": "trim({item_id})",
            "module_id": "trim({module_id})",
            "max_points": "try_cast({max_points} as double)",
            "item_text": "trim({item_text})",
        },
        ["{quiz_version}", "{position}"],
        [
            *_required("quiz_version", "item_id", "module_id"),
            ("try_cast({position} as integer) is null", "position", "expected a whole number"),
            (
                "coalesce(try_cast({max_points} as double), 0) <= 0",
                "max_points",
                "expected a positive number",
            ),
        ],
    ),
    Spec(
        "roles",
        ["role", "label", "soc_code", "is_front_line"],
        "role",
        {
            "role": "trim({role})",
            "label": "trim({label})",
            "soc_code": "trim({soc_code})",
            "is_front_line": _yn("is_front_line"),
        },
        ["{role}"],
        [*_required("role", "label"), _yn_bad("is_front_line", "is_front_line")],
    ),
    Spec(
        "role_map",
        ["job_title", "role"],
        "role_map",
        {
            "job_title": "trim({job_title})",
            "job_title_norm": X.title_norm("{job_title}"),
            "role": "trim({role})",
        },
        [X.title_norm("{job_title}")],
        [
            *_required("job_title", "role"),
            ("trim({role}) not in (select role from role)", "role", "role is not in roles.csv"),
        ],
    ),
    Spec(
        "requirements",
        ["role", "module_id", "is_required"],
        "requirement",
        {
            "role": "trim({role})",
            "module_id": "trim({module_id})",
            "is_required": _yn("is_required"),
        },
        ["{role}", "{module_id}"],
        [
            _yn_bad("is_required", "is_required"),
            ("trim({role}) not in (select role from role)", "role", "role is not in roles.csv"),
            (
                "trim({module_id}) not in (select module_id from module)",
                "module_id",
                "module is not in modules.csv",
            ),
        ],
    ),
    Spec(
        "protocol_elements",
        ["element_id", "name", "applies_to"],
        "protocol_element",
        {
            "element_id": "trim({element_id})",
            "name": "trim({name})",
            "applies_to": "lower(trim({applies_to}))",
            "description": "trim({description})",
        },
        ["{element_id}"],
        [
            *_required("element_id", "name"),
            (
                "coalesce(lower(trim({applies_to})), '') not in ('all', 'emergency_services')",
                "applies_to",
                "expected all or emergency_services",
            ),
        ],
    ),
    Spec(
        "toolkit_resources",
        ["resource_id", "title", "url_path", "kind", "protocol_elements"],
        "toolkit_resource",
        {
            "resource_id": "trim({resource_id})",
            "title": "trim({title})",
            "url_path": "trim({url_path})",
            "kind": "trim({kind})",
            "protocol_elements": _list("protocol_elements"),
        },
        ["{resource_id}"],
        [
            *_required("resource_id", "title", "url_path"),
            (
                "not starts_with(trim({url_path}), '/')",
                "url_path",
                "expected a path like /toolkit/...",
            ),
        ],
    ),
    Spec(
        "settings",
        ["key", "value"],
        "setting",
        {"key": "lower(trim({key}))", "value": "trim({value})"},
        ["lower(trim({key}))"],
        _required("key"),
    ),
    Spec(
        "targets",
        ["period_id", "label", "start_date", "end_date", "metric", "target"],
        "target",
        {
            "period_id": "trim({period_id})",
            "label": "trim({label})",
            "start_date": "try_cast(trim({start_date}) as date)",
            "end_date": "try_cast(trim({end_date}) as date)",
            "metric": "trim({metric})",
            "target": "try_cast({target} as double)",
        },
        ["{period_id}", "{metric}"],
        [
            *_required("period_id", "metric", "start_date", "end_date"),
            _date_bad("start_date"),
            _date_bad("end_date"),
            (X.number_bad("{target}"), "target", "not a number"),
        ],
    ),
]
ORDER = [s.format for s in SPECS]  # load order: later specs check against earlier tables


def detect(header: list[str]) -> Spec | None:
    have = {h.lower() for h in header}
    best = [s for s in SPECS if {c.lower() for c in s.header} <= have]
    return max(best, key=lambda s: len(s.header)) if best else None


def load(con, ctx: FileContext, st: Staged, res: FileResult, spec: Spec) -> None:
    names = {}
    for h in set(spec.header) | _mentioned(spec):
        idx = st.index(h)
        names[h] = f"s.c{idx}" if idx is not None else "null::varchar"
    sub = _Sub(names)
    select = ", ".join(f"{expr.format_map(sub)} as {col}" for col, expr in spec.select.items())
    key = ", ".join(k.format_map(sub) for k in spec.key)
    checks = [(c.format_map(sub), col, why) for c, col, why in spec.checks]
    con.execute(
        f"""
        create or replace temp table rec as
        select s._rn, {
            common.exclude_expr(names[spec.header[0]], [names[h] for h in spec.header[1:2]])
        } as _exclude,
               {common.reject_exprs(checks, once=False)}, {select},
               row_number() over (partition by {key} order by s._rn) as _dup
        from {st.table} s
        """
    )
    res.rows_read = st.n_records + len(st.parse_rejects)
    res.add_parse_rejects(st)
    for reason, n in con.execute(
        "select _exclude, count(*) from rec where _exclude is not null group by 1"
    ).fetchall():
        res.exclude(reason, n)
    _extra_checks(con, spec)
    for rn, col, why in con.execute(
        "select _rn, _reject_col, _reject_reason from rec where "
        "_exclude is null and _reject_reason is not null"
    ).fetchall():
        res.reject_record(rn, col, why)
    good = "_exclude is null and _reject_reason is null"
    res.duplicate = con.execute(f"select count(*) from rec where {good} and _dup > 1").fetchone()[0]
    res.loaded = con.execute(f"select count(*) from rec where {good} and _dup = 1").fetchone()[0]
    res.finalize_rejects(con, st, set())
    res.check_accounting()
    if res.loaded == 0:
        raise InputError(ctx.path, f"no valid rows: {spec.table} was left as it was", None)
    cols = [c for c in spec.select if not c.startswith("_")]
    con.execute(f"delete from {spec.table}")
    con.execute(
        f"insert into {spec.table} ({', '.join(cols)}) select {', '.join(cols)} from rec "
        f"where {good} and _dup = 1"
    )
    if spec.table == "membership":
        for table, src in (("hospital_domain", "_domains"), ("hospital_network", "_networks")):
            con.execute(f"delete from {table}")
            con.execute(
                f"insert into {table} select distinct lower(unnest({src})), ccn from rec "
                f"where {good} and _dup = 1"
            )


def _extra_checks(con, spec: Spec) -> None:
    """Checks SQL cannot do alone: CIDR syntax and IANA time-zone names (few distinct values)."""
    if spec.table == "membership":
        bad = [
            v
            for (v,) in con.execute("select distinct unnest(_networks) from rec").fetchall()
            if not _is_cidr(v)
        ]
        _reject_values(
            con, "_networks", bad, "network_ranges", "not a CIDR range like 198.18.4.0/24"
        )
    if spec.table == "source_rule":
        bad = [
            v
            for (v,) in con.execute(
                "select distinct timezone from rec where timezone is not null"
            ).fetchall()
            if not _is_tz(v)
        ]
        _reject_values(
            con, "[timezone]", bad, "timezone", "not an IANA time zone like America/Chicago"
        )


def _reject_values(con, list_col: str, bad: list[str], column: str, why: str) -> None:
    if bad:
        con.execute(
            f"""update rec set _reject_col = $col, _reject_reason = $why
                where _reject_reason is null and len(list_intersect({list_col}, $bad)) > 0""",
            {"col": column, "why": why, "bad": bad},
        )


def _is_cidr(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
        return True
    except ValueError:
        return False


def _is_tz(value: str) -> bool:
    try:
        zoneinfo.ZoneInfo(value)
        return True
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False


def _mentioned(spec: Spec) -> set[str]:
    import string

    out = set()
    for text in [*spec.select.values(), *spec.key, *(c for c, _, _ in spec.checks)]:
        out |= {f for _, f, _, _ in string.Formatter().parse(text) if f}
    return out


class _Sub(dict):
    def __missing__(self, key):
        raise KeyError(f"reference spec names unknown column {key!r}")
