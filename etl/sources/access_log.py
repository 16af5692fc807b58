"""Apache/nginx combined access logs (plain or gzip): toolkit downloads.

`%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`, one request per line; fields a site adds
after the user agent are ignored. A line is one record. Exclusions, first that applies:
blank_line, not_a_toolkit_resource (the path, without its query string, is not in the catalog),
bot (user agent), head_request / method_not_get, status_not_2xx, then repeat_within_30_min (see
toolkit_events). A line that is not in this format is rejected with its line number, and so is
a line longer than MAX_FIELD_CHARS (only its head goes on to DuckDB).
"""

import re

import pyarrow as pa
import pyarrow.compute as pc

from etl import sqlexpr as X
from etl.context import FileContext, FileResult
from etl.decode import InputError, decode, read_bytes
from etl.sources import toolkit_events as T
from etl.stage import MAX_FIELD_CHARS, temp_from_arrow

FORMAT = "access_log_combined"
# RE2 (DuckDB) and Python read the same pattern; quoted fields may hold backslash escapes.
_Q = r'"((?:[^"\\]|\\.)*)"'
LINE_RE = rf"^(\S+) (\S+) (\S+) \[([^\]]+)\] {_Q} (\d{{3}}) (\d+|-) {_Q} {_Q}(?: .*)?$"
FIELDS = ["ip", "ident", "user", "ts", "request", "status", "bytes", "referer", "ua"]
_PY_LINE = re.compile(LINE_RE)


def detect_text(text: str) -> bool:
    """True when most of the first non-blank lines are combined-format log lines (a log cut by
    copytruncate rotation often starts with half a line)."""
    # The loader passes the file's first 64 KB: a line running past it is cut there, not bad.
    if "\n" in text and not text.endswith("\n"):
        text = text[: text.rindex("\n")]
    lines = [x.rstrip("\r") for x in text.splitlines()[:21] if x.strip()][:20]
    return bool(lines) and sum(bool(_PY_LINE.match(x)) for x in lines) * 2 > len(lines)


def load_file(con, ctx: FileContext, path, res: FileResult) -> None:
    data, _ = read_bytes(path)
    text, _ = decode(path, data)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise InputError(path, "file is empty: expected log lines", 1)
    res.rows_read = len(lines)
    text_col = pa.array(lines, pa.string())
    del lines, text, data
    # A server with default limits (8 KB a request line or header) never logs a line near the CSV
    # field limit. Such a line is rejected; its head alone is staged, as each copy of a 50 MB line
    # through parsing, client text and keys cost about 100 MB.
    chars = pc.utf8_length(text_col)
    too_long = pc.greater(chars, MAX_FIELD_CHARS)
    if pc.any(too_long).as_py():
        text_col = pc.if_else(too_long, pc.utf8_slice_codeunits(text_col, 0, 200), text_col)
    temp_from_arrow(
        con,
        "lg",
        pa.table(
            {
                "_line": pa.array(range(1, len(text_col) + 1), pa.int64()),
                "line": text_col,
                "_long": pc.if_else(too_long, chars, pa.scalar(None, chars.type)),
            }
        ),
    )
    del text_col
    T.resource_paths(con)
    con.execute(
        f"""
        create or replace temp table lp as
        with m as (
            select _line, line, _long, regexp_extract(line, $re, {FIELDS!r}) as f
            from (select _line, rtrim(line, chr(13)) as line, _long from lg)
        ), r as (
            select *, regexp_extract(f.request, '^(\\S+) (\\S+)(?: (\\S+))?$', 2) as target,
                   regexp_extract(f.request, '^(\\S+) (\\S+)(?: (\\S+))?$', 1) as method,
                   {X.plausible("try_strptime(f.ts, '%d/%b/%Y:%H:%M:%S %z')")} as at
            from m
        )
        select r.*, {T.fold_path("nullif(target, '')")} as path_norm from r
        """,
        {"re": LINE_RE},
    )
    con.execute(
        """
        create or replace temp table req as
        select lp._line, lp.line,
            case when lp._long is not null then null
                 when trim(lp.line) = '' then 'blank_line'
                 when lp.f.ip = '' or lp.at is null then null
                 when rp.resource_id is null then 'not_a_toolkit_resource'
                 when regexp_matches(lp.f.ua, $bot) then 'bot'
                 when lp.method = 'HEAD' then 'head_request'
                 when lp.method <> 'GET' then 'method_not_get'
                 when not (lp.f.status between '200' and '299') then 'status_not_2xx'
            end as _exclude,
            case when lp._long is not null then 'line'
                 when trim(lp.line) = '' then null
                 when lp.f.ip = '' then 'line'
                 when lp.at is null then 'time' end as _reject_col,
            case when lp._long is not null then 'line of ' || format('{:,}', lp._long)
                      || $too_long
                 when trim(lp.line) = '' then null
                 when lp.f.ip = '' then 'not a combined-format log line: expected host ident '
                      || 'user [time] "request" status bytes "referer" "user-agent"'
                 when lp.at is null then 'expected a time like [05/Mar/2026:14:02:11 -0600], '
                      || 'found [' || lp.f.ts || ']' end as _reject_reason,
            rp.resource_id, lp.f.ip as ip, lp.f.ua as user_agent,
            lp.f.ip || chr(31) || lp.f.ua as _client_text,
            null::varchar as email_domain, lp.at as requested_at,
            try_cast(lp.f.status as integer) as status_code,
            concat_ws('|', lp.f.ts, lp.f.request, lp.f.status, lp.f.bytes, lp.f.referer)
                as _content,
            lp.path_norm
        from lp left join resource_path rp on rp.path_norm = lp.path_norm
        """,
        {
            "bot": T.BOT_RE,
            "too_long": f" characters: expected at most {MAX_FIELD_CHARS:,}, as a web server "
            "logs a request in a few hundred",
        },
    )
    # Paths under the toolkit's folders that the catalog does not know, for the worklist.
    con.execute(
        """insert into unmapped_value
           select $file_id, 'url_path', path_norm, count(*) from req
           where _exclude = 'not_a_toolkit_resource' and not regexp_matches(user_agent, $bot)
             and split_part(path_norm, '/', 2) in
                 (select distinct split_part(path_norm, '/', 2) from resource_path)
           group by 3""",
        {"file_id": ctx.file_id, "bot": T.BOT_RE},
    )
    for line_no, column, reason, raw in con.execute(
        "select _line, _reject_col, _reject_reason, line from req "
        "where _reject_reason is not null order by _line"
    ).fetchall():
        res.rejects.append(
            {"line": line_no, "column": column, "reason": reason, "record": T.mask_line(raw)}
        )
    T.finish(con, ctx, res, "access_log")
    res.check_accounting()
