"""WordPress Download Monitor log export (`download_log.csv`): toolkit downloads.

The plugin writes every field in quotes joined by `","` and does not escape quotes inside values,
and its Meta Data field holds `key: value` lines, so a record can span lines and contain stray
quotes. No CSV parser reads that reliably; records are split here on what the plugin always writes:
a record starts on a line that begins with `"<digits>","` (the download id), ends with a quote, and
has exactly twelve fields between `","` separators.

Exclusions, first that applies: not_a_toolkit_resource (file or title not in the catalog), bot,
download_failed (Status `failed - ...`), then repeat_within_30_min. Logged-in users are
attributed by e-mail domain, others by network range.
"""

import json
import re

import pyarrow as pa

from etl import sqlexpr as X
from etl.context import FileContext, FileResult, mask_free_text, mask_value
from etl.decode import InputError, decode, read_bytes
from etl.sources import toolkit_events as T
from etl.stage import temp_from_arrow

FORMAT = "wordpress_download_monitor"
HEADER = [
    "Download ID",
    "Download Title",
    "Version ID",
    "Filename",
    "User ID",
    "User Login",
    "User Email",
    "User IP",
    "User Agent",
    "Date",
    "Status",
    "Meta Data",
]
COLS = [h.lower().replace(" ", "_") for h in HEADER]
PERSONAL = {"user_login", "user_email", "user_ip"}
_RECORD_START = re.compile(r'\n(?="\d+",")')


def detect(header: list[str]) -> bool:
    return [h.strip().lower() for h in header[:4]] == [h.lower() for h in HEADER[:4]] and {
        "user ip",
        "status",
        "date",
    } <= {h.strip().lower() for h in header}


def split_records(path, text: str) -> tuple[list[str], list[tuple[int, list[str] | None, str]]]:
    """(header, [(line, fields or None, raw)]) from the plugin's unescaped quoting."""
    text = text.replace("\r\n", "\n")
    chunks = _RECORD_START.split(text)
    header_raw = chunks[0].split("\n", 1)
    if len(header_raw) > 1 and header_raw[1].strip():  # text after the header that is no record
        chunks = [header_raw[0], header_raw[1], *chunks[1:]]
    header = _fields(chunks[0].strip())
    if header is None or [h.lower() for h in header] != [h.lower() for h in HEADER]:
        raise InputError(
            path,
            "header is not Download Monitor's: expected " + ",".join(f'"{h}"' for h in HEADER),
            1,
        )
    out, line = [], 1 + chunks[0].count("\n") + 1
    for i, chunk in enumerate(chunks[1:], 2):
        # The plugin writes no newline after the last record; a re-saved file may add one.
        body = chunk.rstrip("\n") if i == len(chunks) else chunk
        out.append((line, _fields(body), body))
        line += chunk.count("\n") + 1
    return header, out


def _fields(record: str) -> list[str] | None:
    if len(record) < 2 or not (record.startswith('"') and record.endswith('"')):
        return None
    parts = record[1:-1].split('","')
    return parts if len(parts) == len(HEADER) else None


def load_file(con, ctx: FileContext, path, res: FileResult) -> None:
    data, _ = read_bytes(path)
    text, _ = decode(path, data)
    _, records = split_records(path, text)
    if not records:
        raise InputError(path, "header only: expected at least one download record", 2)
    res.rows_read = len(records)
    good = [(line, f) for line, f, _ in records if f is not None]
    for line, fields, raw in records:
        if fields is None:
            res.rejects.append(
                {
                    "line": line,
                    "column": None,
                    "reason": 'expected 12 fields, each in quotes, separated by ","; this record '
                    "has a different shape (a quote or a separator inside a value?)",
                    "record": json.dumps({"record": mask_value(raw)}, ensure_ascii=False),
                }
            )
    table = {"_line": pa.array([g[0] for g in good], pa.int64())}
    for i, col in enumerate(COLS):
        table[col] = pa.array([g[1][i] for g in good], pa.string())
    temp_from_arrow(con, "dlm", pa.table(table))
    T.resource_paths(con)
    email = X.email_norm("nullif(trim(user_email), '-')")
    at = X.plausible("try_strptime(trim(d.date), '%Y-%m-%d %H:%M:%S')")
    con.execute(
        f"""
        create or replace temp table dlp as
        select d.*, {email} as _email,
               timezone($tz, {at}) as _at,
               coalesce(
                   (select min(rp.resource_id) from resource_path rp
                    where split_part(rp.path_norm, '/', -1) = lower(trim(d.filename))),
                   (select min(r.resource_id) from toolkit_resource r
                    where lower(r.title) = lower(trim(d.download_title)))) as resource_id
        from dlm d
        """,
        {"tz": ctx.timezone},
    )
    con.execute(
        f"""
        create or replace temp table req as
        select _line,
            case when _at is null then null
                 when resource_id is null then 'not_a_toolkit_resource'
                 when regexp_matches(user_agent, $bot) then 'bot'
                 when lower(trim(status)) like 'failed%' then 'download_failed'
            end as _exclude,
            case when _at is null then 'Date' end as _reject_col,
            case when _at is null then 'expected a date like 2026-03-05 14:02:11, found '
                      || coalesce(date, 'nothing') end as _reject_reason,
            -- the plugin can be set not to log addresses: the client is then its user agent
            resource_id, coalesce(trim(user_ip), '') as ip, user_agent,
            -- a logged-in user is the client (colleagues behind one hospital NAT address with the
            -- same browser are different people); anonymous visitors are IP + user agent
            case when coalesce(trim(user_id), '0') not in ('0', '', '-')
                 then 'user:' || trim(user_id)
                 else coalesce(trim(user_ip), '') || chr(31) || user_agent end as _client_text,
            case when {X.email_valid("_email")} then split_part(_email, '@', 2) end
                as email_domain,
            _at as requested_at, null::integer as status_code,
            concat_ws('|', download_id, version_id, user_id, date, status, meta_data) as _content,
            filename, download_title
        from dlp
        """,
        {"bot": T.BOT_RE},
    )
    con.execute(
        """insert into unmapped_value
           select $file_id, 'download', trim(filename) || ' (' || trim(download_title) || ')',
                  count(*)
           from req where _exclude = 'not_a_toolkit_resource' group by 3""",
        {"file_id": ctx.file_id},
    )
    bad = con.execute(
        "select _line, _reject_col, _reject_reason from req where _reject_reason is not null"
    ).fetchall()
    by_line = {line: f for line, f in good}
    for line, column, reason in bad:
        record = {
            h: (mask_value(v) if c in PERSONAL else mask_free_text(v))
            for h, c, v in zip(HEADER, COLS, by_line[line], strict=True)
        }
        res.rejects.append(
            {
                "line": line,
                "column": column,
                "reason": reason,
                "record": json.dumps(record, ensure_ascii=False),
            }
        )
    res.rejects.sort(key=lambda x: x["line"])
    T.finish(con, ctx, res, "download_monitor")
    res.check_accounting()
