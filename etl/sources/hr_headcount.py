"""HR staff-headcount workbooks (.xlsx, read with openpyxl): the denominators of coverage.

HR departments send either one sheet per hospital (the hospital's CCN and the as-of date in title
rows above the table) or one long sheet with CCN and as-of columns. Each sheet's table starts at the
first row holding a Headcount header; columns are found by name (see COLUMNS). A data row is one
record: rejected rows name the sheet, the Excel row and the column. A `Total` row and blank rows
are excluded. CCNs typed as numbers are read back as text; a five-character CCN is rejected, never
padded.

Snapshot rule: a file's rows for one (hospital, as-of date) replace the rows loaded before for that
pair, unless those came from a newer export (the workbook's saved time) or are identical.
"""

import json
import re
import zipfile
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa

from etl import sqlexpr as X
from etl.context import FileContext, FileResult
from etl.decode import InputError, duplicate_column
from etl.sources.common import SUMMARY_RE
from etl.stage import temp_from_arrow

FORMAT = "hr_headcount_xlsx"
COLUMNS = {
    "ccn": ["ccn", "facility id", "cms certification number", "provider number"],
    "hospital": ["hospital", "facility", "facility name", "hospital name"],
    "as_of": ["as-of date", "as of date", "as of", "snapshot date", "report date"],
    "department": ["department", "dept", "cost center", "department name"],
    "job": ["job title", "job category", "role", "position", "job"],
    "headcount": ["headcount", "head count", "employees", "staff count", "number of staff"],
    "fte": ["fte", "ftes"],
}
MAX_EXPANDED_BYTES = 300_000_000  # a real headcount workbook is a few hundred KB
MAX_RATIO = 200  # compressed XML rarely shrinks more than ~20x; a zip bomb shrinks 1000x
_CCN_IN_TEXT = re.compile(r"\bCCN\b\s*[:#]?\s*([0-9A-Z]{5,6})\b", re.I)
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y")
_SUMMARY = re.compile(SUMMARY_RE, re.I)


def _norm(value) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip().rstrip(":").strip().lower()


def _check_zip(path) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except zipfile.BadZipFile as exc:
        raise InputError(path, f"not a readable .xlsx workbook ({exc})") from None
    expanded = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if expanded > MAX_EXPANDED_BYTES or expanded / packed > MAX_RATIO:
        raise InputError(
            path,
            f"refused: the workbook would expand from {packed:,} to {expanded:,} bytes "
            f"(limit {MAX_EXPANDED_BYTES:,} bytes, ratio {MAX_RATIO}); expected an ordinary "
            "headcount workbook",
        )
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise InputError(path, "a ZIP file but not an .xlsx workbook (no xl/workbook.xml)")


def _open(path):
    import openpyxl  # imported here: only workbook loads pay for it

    _check_zip(path)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError(path, f"could not be read as an .xlsx workbook ({exc})") from None


def _header_at(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(rows[:30]):
        names = [_norm(v) for v in row]
        found = {}
        for key, synonyms in COLUMNS.items():
            for j, name in enumerate(names):
                if name in synonyms and key not in found:
                    found[key] = j
        if "headcount" in found and "job" in found:
            return i, found
    return None


def _no_duplicate_columns(path, sheet: str, header: tuple, line: int) -> None:
    """Two columns of one name that the loader reads (two Headcount columns): which one counts
    cannot be known. (A Job Title beside a Job Category is fine: the first is used.)"""
    known = set().union(*COLUMNS.values())
    names = [_norm(v) if _norm(v) in known else "" for v in header]  # others are not read
    if found := duplicate_column(names):
        name = str(header[found[1] - 1]).strip()
        raise InputError(
            path,
            f"sheet {sheet!r}: duplicate column {name!r} in the header: expected each column once",
            line,
            name,
        )


def detect_workbook(path) -> bool:
    wb = _open(path)
    try:
        for ws in wb.worksheets:
            if _header_at(list(ws.iter_rows(max_row=30, values_only=True))):
                return True
        return False
    finally:
        wb.close()


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and 20_000 < value < 80_000:  # an Excel date serial
        return date(1899, 12, 30) + timedelta(days=int(value))
    text = str(value or "").strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    return None


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _count(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer() and value >= 0:
        return int(value)
    text = str(value or "").strip().replace(",", "")
    return int(text) if text.isdigit() else None


def _sheet_context(rows: list[tuple]) -> tuple[str | None, date | None]:
    """CCN and as-of date from the title rows above a per-hospital table. A date labelled
    'as of' wins over any other date there (a 'Printed' date, say)."""
    ccn, labelled, bare = None, None, None
    for row in rows:
        for i, v in enumerate(row):
            after = row[i + 1] if i + 1 < len(row) else None
            if isinstance(v, (datetime, date)):
                bare = bare or _as_date(v)
            elif isinstance(v, str):
                if m := _CCN_IN_TEXT.search(v):
                    ccn = ccn or m[1].upper()
                elif _norm(v) in ("ccn", "facility id", "cms certification number"):
                    ccn = ccn or _text(after)  # 'CCN:' | 260012 in the next cell
                if "as of" in v.lower() and labelled is None:
                    rest = v.lower().split("as of", 1)[1].strip(" :")
                    labelled = _as_date(rest) or _as_date(v.split(":", 1)[-1]) or _as_date(after)
    return ccn, labelled or bare


def load_file(con, ctx: FileContext, path, res: FileResult) -> None:
    wb = _open(path)
    try:
        modified = wb.properties.modified or wb.properties.created
        records, sheets_read = _read(path, wb, ctx, res)
    finally:
        wb.close()
    if not sheets_read:
        raise InputError(
            path,
            "no sheet has a table with a Headcount column and a Job Title (or Job Category, Role) "
            "column in its first 30 rows",
        )
    if res.rows_read == 0:  # as for a CSV export: a table with no rows is not an empty roster
        raise InputError(
            path,
            f"header only: expected at least one row of staff under the header of sheet "
            f"{sheets_read[0]!r}",
        )
    ctx.export_at = ctx.exported_at_override or (
        modified.replace(tzinfo=UTC) if modified and modified.tzinfo is None else modified
    )
    res.export_at = ctx.export_at
    dates = sorted({r["as_of_date"] for r in records})
    if dates:  # the as-of dates stand for the file's time span in the status view
        res.min_event_at, res.max_event_at = (
            datetime.combine(d, datetime.min.time(), UTC) for d in (dates[0], dates[-1])
        )
    temp_from_arrow(con, "hc", pa.Table.from_pylist(records, schema=_SCHEMA))
    _map_roles(con, ctx)
    _snapshot(con, ctx, res)
    res.check_accounting()


_SCHEMA = pa.schema(
    [
        ("_sheet", pa.string()),
        ("_row", pa.int64()),
        ("hospital_ccn", pa.string()),
        ("as_of_date", pa.date32()),
        ("department", pa.string()),
        ("job_title", pa.string()),
        ("headcount", pa.int64()),
        ("fte", pa.float64()),
    ]
)


def _read(path, wb, ctx: FileContext, res: FileResult) -> tuple[list[dict], list[str]]:
    out, sheets = [], []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        found = _header_at(rows)
        if not found:
            continue
        sheets.append(ws.title)
        at, col = found
        _no_duplicate_columns(path, ws.title, rows[at], at + 1)
        headers = {k: str(rows[at][j]).strip() for k, j in col.items()}
        sheet_ccn, sheet_as_of = _sheet_context(rows[:at])
        for offset, row in enumerate(rows[at + 1 :], start=at + 2):
            res.rows_read += 1
            cell = {k: (row[j] if j < len(row) else None) for k, j in col.items()}
            texts = [_text(v) for v in row]
            if not any(texts):
                res.exclude("blank_row")
                continue
            first = next(t for t in texts if t)
            if _SUMMARY.match(first) and _text(cell.get("job")) is None:
                res.exclude("summary_row")
                continue
            record, problem = _record(cell, headers, sheet_ccn, sheet_as_of, ctx)
            if problem:
                column, reason = problem
                res.rejects.append(
                    {
                        "line": offset,
                        "column": column,
                        "reason": f"sheet {ws.title!r}, row {offset}: {reason}",
                        "record": _masked(texts, rows[at]),
                    }
                )
                continue
            out.append({"_sheet": ws.title, "_row": offset, **record})
    return out, sheets


def _masked(texts: list, header: tuple) -> str:
    # Headcounts are aggregates, not personal data: the row is kept as written.
    return json.dumps(
        {
            str(h or f"column_{i + 1}"): t
            for i, (h, t) in enumerate(zip(header, texts, strict=False))
        },
        ensure_ascii=False,
        default=str,
    )


def _record(cell, headers, sheet_ccn, sheet_as_of, ctx):
    ccn = _text(cell.get("ccn")) or sheet_ccn or ctx.hospital_ccn
    ccn_col = headers.get("ccn", "CCN")
    if ccn is None:
        return None, (
            ccn_col,
            "no hospital: expected a CCN column, 'CCN <number>' in the title rows, or a "
            "hospital given for the file (sources.csv or --hospital)",
        )
    if len(ccn) == 5:
        return None, (
            ccn_col,
            "CCN has 5 characters; expected 6 (2-digit state code + 4): a character was lost "
            "(Excel drops leading zeros). Fix the source; CCNs are never padded",
        )
    if not re.fullmatch(r"[0-9]{2}[0-9A-Z][0-9]{3}", ccn):
        return None, (ccn_col, f"expected a 6-character CCN, found {ccn!r}")
    raw_as_of = cell.get("as_of")
    in_cell = raw_as_of not in (None, "")
    as_of = _as_date(raw_as_of) if in_cell else sheet_as_of
    if as_of is None:
        return None, (
            headers.get("as_of", "As-of Date"),
            "expected an as-of date (a date cell, 2026-06-30 or 06/30/2026)"
            + (f", found {raw_as_of!r}" if in_cell else ""),
        )
    lo, hi = X.PLAUSIBLE_YEARS
    if not lo <= as_of.year <= hi:  # the window every event date of the ETL is held to
        return None, (
            headers.get("as_of", "As-of Date"),
            f"as-of date {as_of.isoformat()}{'' if in_cell else ' (from the title rows)'} is "
            f"outside the years {lo}-{hi}: expected the date the headcount was taken "
            "(1900-01-01 and the like are placeholders or typos)",
        )
    job = _text(cell.get("job"))
    if job is None:
        return None, (headers["job"], "required value is empty")
    raw = cell.get("headcount")
    count = _count(raw)
    if count is None:
        return None, (
            headers["headcount"],
            "expected a whole number of staff, 0 or more"
            + (f", found {raw!r}" if raw not in (None, "") else ", found nothing"),
        )
    fte = cell.get("fte")
    if isinstance(fte, str) and _norm(fte) in ("", "-", "n/a", "na"):
        fte = None  # FTE is optional
    if fte not in (None, "") and not isinstance(fte, (int, float)):
        try:
            fte = float(str(fte).replace(",", ""))
        except ValueError:
            return None, (headers["fte"], f"expected a number of FTEs, found {fte!r}")
    return {
        "hospital_ccn": ccn,
        "as_of_date": as_of,
        "department": _text(cell.get("department")),
        "job_title": job,
        "headcount": count,
        "fte": None if fte in (None, "") else float(fte),
    }, None


def _role_of(job_title: str) -> str:
    """Role by the job-title map, else by the role list's label or code (an HR job category).
    `job_title` must be qualified: role_map has a job_title column of its own."""
    key = X.title_norm(job_title)
    return f"""coalesce(
        (select min(rm.role) from role_map rm where rm.job_title_norm = {key}),
        (select min(r.role) from role r
         where {X.title_norm("r.label")} = {key} or {X.title_norm("r.role")} = {key}))"""


def remap_roles(con) -> None:
    """After a role-map or role-list change, every stored headcount row follows it."""
    con.execute(
        f"""update staff_headcount set role = m.role from (
                select distinct s.job_title, {_role_of("s.job_title")} as role
                from staff_headcount s
            ) m where staff_headcount.job_title = m.job_title
                  and staff_headcount.role is distinct from m.role"""
    )


def _map_roles(con, ctx: FileContext) -> None:
    con.execute(
        f"""
        create or replace temp table hc_role as
        select h.*, m.role, hosp.ccn is null as _unknown_ccn
        from hc h
        left join (select distinct x.job_title, {_role_of("x.job_title")} as role from hc x) m
          using (job_title)
        left join hospital hosp on hosp.ccn = h.hospital_ccn
        """
    )
    con.execute(
        """insert into unmapped_value select $f, 'job_title', job_title, count(*) from hc_role
           where role is null group by 3""",
        {"f": ctx.file_id},
    )


def _snapshot(con, ctx: FileContext, res: FileResult) -> None:
    unknown = con.execute(
        "select _sheet, _row, hospital_ccn from hc_role where _unknown_ccn order by 1, 2"
    ).fetchall()
    for sheet, row, ccn in unknown:
        res.rejects.append(
            {
                "line": row,
                "column": "CCN",
                "reason": f"sheet {sheet!r}, row {row}: CCN {ccn} is not in the hospitals "
                "reference data",
                "record": None,
            }
        )
    con.execute("delete from hc_role where _unknown_ccn")
    # Rows of one department and job listed twice (two cost centres, two shifts) add up.
    con.execute(
        """create or replace temp table hc_agg as
           select hospital_ccn, as_of_date, department, job_title, any_value(role) as role,
                  sum(headcount) as headcount, sum(fte) as fte, count(*) as n_rows
           from hc_role group by all"""
    )
    row = (
        "concat_ws('|', coalesce(department, ''), job_title, headcount, coalesce(fte::varchar, ''))"
    )
    content = f"list({row} order by {row})"
    decisions = con.execute(
        f"""
        select k.hospital_ccn, k.as_of_date, k.n_rows,
               case when e.hospital_ccn is null then 'insert'
                    when e.content = k.content and e.export_at < $export_at
                        then 'duplicate_newer'
                    when e.content = k.content then 'duplicate'
                    when e.export_at > $export_at then 'duplicate'
                    else 'replace' end
        from (select hospital_ccn, as_of_date, sum(n_rows) as n_rows, {content} as content
              from hc_agg group by 1, 2) k
        left join (select hospital_ccn, as_of_date, max(export_at) as export_at,
                          {content} as content
                   from staff_headcount group by 1, 2) e using (hospital_ccn, as_of_date)
        """,
        {"export_at": ctx.export_at},
    ).fetchall()
    tally = Counter()
    for _, _, n, action in decisions:
        tally["duplicate" if action.startswith("duplicate") else "loaded"] += n
    res.duplicate += tally["duplicate"]
    res.loaded += tally["loaded"]
    # Unchanged in a later-saved workbook: the snapshot is now known as of that save, so that an
    # older workbook loaded afterwards cannot replace it.
    for ccn, as_of, _, action in decisions:
        if action == "duplicate_newer":
            con.execute(
                """update staff_headcount set export_at = $e, file_id = $f
                   where hospital_ccn = $c and as_of_date = $d""",
                {"e": ctx.export_at, "f": ctx.file_id, "c": ccn, "d": as_of},
            )
    keep = [(c, d) for c, d, _, a in decisions if not a.startswith("duplicate")]
    if not keep:
        return
    con.execute(
        """create or replace temp table hc_keep as
           select unnest($c) as hospital_ccn, unnest($d)::date as as_of_date""",
        {"c": [k[0] for k in keep], "d": [k[1] for k in keep]},
    )
    con.execute(
        """delete from staff_headcount using hc_keep k
           where staff_headcount.hospital_ccn = k.hospital_ccn
             and staff_headcount.as_of_date = k.as_of_date"""
    )
    con.execute(
        """insert into staff_headcount
           select h.hospital_ccn, h.as_of_date, h.department, h.job_title, h.role,
                  h.headcount, h.fte, $export_at, $file_id
           from hc_agg h join hc_keep k using (hospital_ccn, as_of_date)""",
        {"export_at": ctx.export_at, "file_id": ctx.file_id},
    )
