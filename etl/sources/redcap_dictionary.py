"""REDCap data dictionary (`<Project>_DataDictionary_<date>.csv`): what each survey field means.

A project's dictionary replaces the one loaded before (it is the current instrument). A field is
the stage question of a protocol element when it is named `<element id>_stage` (e.g. `pe01_stage`)
and its choices are codes of the stage scale 0 not started, 1 in progress, 2 in place,
9 not applicable. The records adapter reads the choices to validate answers and expand checkboxes.
"""

from etl import records
from etl import sqlexpr as X
from etl.context import FileContext, FileResult
from etl.sources import common
from etl.stage import Staged

FORMAT = "redcap_data_dictionary"
STAGE_CODES = {"0": "not_started", "1": "in_progress", "2": "in_place", "9": "not_applicable"}
FIELD_TYPES = [
    "text",
    "notes",
    "dropdown",
    "radio",
    "checkbox",
    "yesno",
    "truefalse",
    "calc",
    "file",
    "slider",
    "descriptive",
    "sql",
]


def detect(header: list[str]) -> bool:
    h = [c.strip().lower() for c in header]
    return bool(h) and h[0] == "variable / field name" and {"form name", "field type"} <= set(h)


def choices(text: str | None) -> list[tuple[str, str]]:
    """'0, Not started | 1, In progress' -> [('0', 'Not started'), ('1', 'In progress')]."""
    out = []
    for part in (text or "").split("|"):
        code, _, label = part.partition(",")
        if code.strip():
            out.append((code.strip(), label.strip()))
    return out


def load(con, ctx: FileContext, st: Staged, res: FileResult) -> None:
    name = st.col("Variable / Field Name")
    form, ftype = st.col("Form Name"), st.col("Field Type")
    label = f"c{st.index('Field Label')}" if st.index("Field Label") is not None else "null"
    choice_col = next(
        (f"c{i}" for i, h in enumerate(st.header) if h.lower().startswith("choices")), "null"
    )
    checks = [
        (X.blank(name), "Variable / Field Name", "required value is empty"),
        (
            f"not regexp_full_match(lower(trim({name})), '[a-z][a-z0-9_]*')",
            "Variable / Field Name",
            "expected a REDCap variable name (letters, digits, underscores)",
        ),
        (
            f"not list_contains({common.in_list(FIELD_TYPES)}, lower(trim({ftype})))",
            "Field Type",
            "expected a REDCap field type (" + ", ".join(FIELD_TYPES) + ")",
        ),
    ]
    con.execute(
        f"""
        create or replace temp table rec as
        select _rn, {common.exclude_expr(name, [form, ftype])} as _exclude,
               {common.reject_exprs(checks)},
               lower(trim({name})) as field_name, trim({form}) as form_name,
               lower(trim({ftype})) as field_type, trim({label}) as field_label,
               trim({choice_col}) as choices
        from {st.table}
        """
    )
    res.rows_read = st.n_records + len(st.parse_rejects)
    res.add_parse_rejects(st)
    records.count_unusable(con, res, checks)
    res.duplicate += con.execute(
        "select count(*) - count(distinct field_name) from rec where _exclude is null "
        "and _check is null"
    ).fetchone()[0]
    # Stage questions: named after an element of the catalog, answered on the stage scale.
    rows = con.execute(
        "select field_name, field_type, choices from rec where _exclude is null and _check is null"
    ).fetchall()
    stage_fields = [
        (f, f.removesuffix("_stage").upper())
        for f, t, c in rows
        if f.endswith("_stage")
        and t in ("radio", "dropdown")
        and choices(c)
        and {code for code, _ in choices(c)} <= set(STAGE_CODES)
    ]
    con.execute("delete from survey_field where tenant = $t", {"t": ctx.tenant})
    con.execute(
        """
        insert into survey_field
        select $t, r.field_name, any_value(r.form_name), any_value(r.field_type),
               any_value(r.field_label), any_value(r.choices),
               any_value(pe.element_id), $file_id
        from rec r
        left join (select unnest($fields) as field_name, unnest($elements) as element_id) s
          using (field_name)
        left join protocol_element pe on pe.element_id = s.element_id
        where r._exclude is null and r._check is null
        group by r.field_name
        """,
        {
            "t": ctx.tenant,
            "file_id": ctx.file_id,
            "fields": [f for f, _ in stage_fields],
            "elements": [e for _, e in stage_fields],
        },
    )
    res.loaded += con.execute(
        "select count(*) from survey_field where tenant = $t", {"t": ctx.tenant}
    ).fetchone()[0]
    unknown = [e for _, e in stage_fields] and con.execute(
        """select list(e) from (select unnest($e) as e)
           where e not in (select element_id from protocol_element)""",
        {"e": [e for _, e in stage_fields]},
    ).fetchone()[0]
    for element in unknown or []:
        con.execute(
            "insert into unmapped_value values ($f, 'protocol_element', $v, 1)",
            {"f": ctx.file_id, "v": element},
        )
    res.finalize_rejects(con, st, set())
    res.check_accounting()
