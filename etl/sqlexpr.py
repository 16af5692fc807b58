"""SQL expressions that normalize the quirky values of native exports, column-wise in DuckDB.

Each function takes a column identifier produced by the stager (c0..cN, never user text) and returns
an expression. Times in local wall-clock are turned into instants with timezone($tz, ts), the zone
being a bound parameter.
"""

_BLANKS = "['', '-', 'n/a', 'na', 'null', 'none']"


def blank(col: str) -> str:
    """True where a cell carries no value: empty, '-', 'N/A'."""
    # list_contains, not IN: DuckDB plans each IN list as a hash join, and an adapter has dozens.
    return f"list_contains({_BLANKS}, coalesce(lower(trim({col})), ''))"


def clean(col: str) -> str:
    """Trimmed text, NULL for blanks."""
    return f"(case when {blank(col)} then null else trim({col}) end)"


def alias_norm(col: str) -> str:
    """Catalog matching key: case, spaces and punctuation do not matter (common.norm_alias twin)."""
    return f"trim(regexp_replace(lower(trim({col})), '[^a-z0-9]+', '_', 'g'), '_')"


def title_norm(col: str) -> str:
    """Job-title matching key: case and punctuation do not matter ('RN - ED' = 'rn ed')."""
    return f"trim(regexp_replace(lower({col}), '[^a-z0-9]+', ' ', 'g'))"


def email_norm(col: str) -> str:
    return f"nullif(lower(replace(trim({col}), ' ', '')), '')"


def email_valid(expr: str) -> str:
    return f"regexp_full_match({expr}, '[^@\\s]+@[a-z0-9-]+(\\.[a-z0-9-]+)+')"


def employee_id_norm(col: str) -> str:
    # Excel drops leading zeros from numeric IDs; strip them everywhere so both spellings meet.
    return (
        f"(case when regexp_full_match(trim({col}), '\\d+') "
        f"then coalesce(nullif(ltrim(trim({col}), '0'), ''), '0') else nullif(trim({col}), '') end)"
    )


def number(col: str) -> str:
    """85, 85%, 8.00 -> double; blanks -> NULL; anything else -> NULL (check with number_bad)."""
    # rtrim, not a regex: this runs once per quiz question per row.
    return f"try_cast(trim(rtrim(trim({col}), '%')) as double)"


def number_bad(col: str, parsed: str | None = None) -> str:
    """A non-blank cell that is not a number; `parsed` reuses number(col) already computed."""
    # The cheap NULL test first: AND short-circuits, so valid cells skip the blank test.
    return f"({parsed or number(col)} is null and not {blank(col)})"


def local_ts(ts_expr: str, tz_param: str = "$tz") -> str:
    return f"timezone({tz_param}, {ts_expr})"


# Event dates outside these years are typos or placeholders (1900-01-01, 2200-01-01), not
# training records: they parse as missing, so the row is rejected as not a date.
PLAUSIBLE_YEARS = (2000, 2099)


def plausible(ts_expr: str) -> str:
    lo, hi = PLAUSIBLE_YEARS
    return f"(case when year({ts_expr}) between {lo} and {hi} then {ts_expr} end)"


def short_datetime(col: str, order: str) -> str:
    """Moodle 'strftimedatetimeshort' (`9/01/26, 14:12`) or US dates (`6/15/2026`), as TIMESTAMP."""
    first, second = ("%d", "%m") if order == "dmy" else ("%m", "%d")
    fmts = [
        f"{first}/{second}/{y}{sep}{t}"
        for y in ("%y", "%Y")
        for sep, t in ((", ", "%H:%M"), (" ", "%H:%M"), (" ", "%I:%M %p"), ("", ""))
    ]
    fmt_list = "[" + ", ".join(f"'{f.strip()}'" for f in fmts) + "]"
    # Excel sometimes re-saves '9/01/26, 14:12' as '9/01/26 14:12'; spaces are folded first.
    return plausible(f"try_strptime(regexp_replace(trim({col}), '\\s+', ' ', 'g'), {fmt_list})")


def excel_serial(col: str) -> str:
    """An Excel date serial (`46023` = 2026-01-01) that a re-saved sheet left in a date column."""
    return (
        f"(case when regexp_full_match(trim({col}), '[2-7][0-9]{{4}}(\\.[0-9]+)?') then "
        f"timestamp '1899-12-30' + to_microseconds((try_cast(trim({col}) as double) "
        f"* 86400000000)::bigint) end)"
    )


def date_parts(col: str) -> tuple[str, str]:
    """The first two numeric components of a slash date, to settle day/month order per file."""
    return (
        f"try_cast(regexp_extract({col}, '^\\s*(\\d{{1,2}})/(\\d{{1,2}})/', 1) as integer)",
        f"try_cast(regexp_extract({col}, '^\\s*(\\d{{1,2}})/(\\d{{1,2}})/', 2) as integer)",
    )


def moodle_long_datetime(col: str) -> str:
    """Moodle `strftimedatetime`: `5 January 2026  3:04 PM` (double space before 1-digit hours)."""
    # Plain replace, not a regex (twice: up to four spaces); this runs on every quiz attempt.
    return plausible(
        f"try_strptime(replace(replace(replace(trim({col}), ',', ''), '  ', ' '), '  ', ' '), "
        "['%d %B %Y %I:%M %p', '%d %B %Y %H:%M', '%A %d %B %Y %I:%M %p'])"
    )


def iso_instant(col: str) -> str:
    """ISO 8601 with Z or offset -> TIMESTAMPTZ; a bare ISO date/time is taken as UTC."""
    return plausible(f"try_cast({clean(col)} as timestamptz)")


def duration_s(col: str) -> str:
    """Seconds from `754`, `00:25:13`, `25:13`, `PT25M13S`, `12 mins 5 secs`, `1 hour 2 mins`;
    NULL for a blank or an unparseable value (check with `duration_bad`)."""
    c = f"lower(trim({col}))"

    def part(pattern: str, unit: int) -> str:
        return f"coalesce(try_cast(regexp_extract({c}, '{pattern}', 1) as double), 0) * {unit}"

    def total(*parts: tuple[str, int]) -> str:
        return " + ".join(part(p, u) for p, u in parts)

    num = r"(\d+(?:\.\d+)?)"
    words = total(
        (r"(\d+)\s*days?", 86400),
        (r"(\d+)\s*hours?", 3600),
        (r"(\d+)\s*mins?", 60),
        (r"(\d+)\s*secs?", 1),
    )
    iso = total(
        (num + "d", 86400), ("t.*?" + num + "h", 3600), ("t.*?" + num + "m", 60), (num + "s", 1)
    )
    clock = total(
        (r"^(\d+):\d{2}:\d{2}$", 3600), (r"^\d+:(\d{2}):\d{2}$", 60), (r"^\d+:\d{2}:(\d{2})$", 1)
    )
    min_sec = total((r"^(\d+):\d{2}$", 60), (r"^\d+:(\d{2})$", 1))
    plain = r"\d+(\.\d+)?"
    clock_re = r"\d+:\d{2}:\d{2}"
    iso_re = r"p(\d+d)?(t(\d+h)?(\d+m)?(\d+(\.\d+)?s)?)?"
    words_re = r"(\d+\s*(days?|hours?|mins?|secs?)\s*)+"
    return f"""(case
        when {blank(col)} then null
        when contains({c}, ' ')
            then (case when regexp_full_match({c}, '{words_re}') then {words} end)
        when regexp_full_match({c}, '{plain}') then try_cast({c} as double)
        when regexp_full_match({c}, '{clock_re}') then {clock}
        when regexp_full_match({c}, '\\d+:\\d{{2}}') then {min_sec}
        when regexp_full_match({c}, '{iso_re}') then {iso}
        when regexp_full_match({c}, '{words_re}') then {words}
        end)::bigint"""
