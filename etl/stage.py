"""Stage a decoded CSV into a DuckDB temp table of text columns, one row per source record.

DuckDB parses (about 1.5 s per million rows here, against ~20 s for Python's csv module); the
sniffer is off and every column is VARCHAR, so one ragged row cannot collapse the file into one text
column. Ragged rows go to DuckDB's rejects tables. Exact physical line numbers (records can span
lines) are worked out only for the few rows that end up rejected.

A file whose line ends are mixed (CRLF and LF, or old-Mac lone CRs) is staged with every line end
read as LF, and a field longer than MAX_FIELD_CHARS rejects its record with its line.
"""

import csv
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.decode import Decoded, InputError

# No export we read holds a real value anywhere near this (Excel keeps 32,767 characters in a
# cell): a longer field is a corrupted or hostile file, and its record is rejected, not loaded.
MAX_FIELD_CHARS = 65_536
# DuckDB's default max_line_size. Past it DuckDB 2.0 rejects a line without naming its column,
# and past about 30 MB drops it with no reject at all (a lost record). So DuckDB is given the
# file's size, which no line can exceed, and MAX_FIELD_CHARS does the judging.
_DUCKDB_LINE_SIZE = 2_097_152


@dataclass
class Staged:
    table: str  # temp table: _rn, c0..cN (VARCHAR)
    header: list[str]
    n_records: int  # records DuckDB accepted
    parse_rejects: list[dict] = field(default_factory=list)  # line, column, reason, raw
    text: str = ""
    header_lines: int = 1

    def col(self, name: str) -> str:
        """SQL identifier of the first column whose header is `name` (case-insensitive)."""
        idx = self.index(name)
        if idx is None:
            raise KeyError(name)
        return f"c{idx}"

    def index(self, name: str) -> int | None:
        wanted = name.strip().lower()
        for i, h in enumerate(self.header):
            if h.strip().lower() == wanted:
                return i
        return None


def stage_csv(con: duckdb.DuckDBPyConnection, path: Path, dec: Decoded, table: str) -> Staged:
    n_cols = len(dec.header)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n_cols)) + "}"
    text = _one_line_end(dec.text)
    tmp = None
    source = path
    if dec.was_gzip or dec.encoding not in ("utf-8", "utf-8-sig") or text is not dec.text:
        fd, tmp = tempfile.mkstemp(suffix=".csv", prefix="htra-stage-")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        source = Path(tmp)
    line_size = max(_DUCKDB_LINE_SIZE, source.stat().st_size + 1)
    try:
        con.execute(f"drop table if exists {table}")
        con.execute(
            f"""
            create temp table {table} as
            select row_number() over () as _rn, *
            from read_csv(
                $path, delim = ',', quote = '"', escape = '"', header = false,
                skip = {dec.header_lines}, columns = {columns}, auto_detect = false,
                strict_mode = true, null_padding = false, all_varchar = true,
                max_line_size = {line_size},
                store_rejects = true, rejects_table = '{table}_rej', rejects_scan = '{table}_scan'
            )
            """,
            {"path": str(source)},
        )
        raw_bytes = source.read_bytes() if tmp else None
        rejects = con.execute(
            f"""
            select min(line_byte_position) as pos, first(column_name) as col,
                   first(error_type) as err, first(error_message) as msg, first(csv_line) as raw
            from {table}_rej group by line order by pos
            """
        ).fetchall()
    except duckdb.Error as exc:
        raise InputError(path, f"could not be read as CSV: {exc}".split("\n")[0]) from None
    finally:
        if tmp:
            os.unlink(tmp)
    n_records = con.execute(f"select count(*) from {table}").fetchone()[0]
    if rejects:
        data = raw_bytes if raw_bytes is not None else path.read_bytes()
        # DuckDB's byte positions do not count a UTF-8 byte-order mark.
        data = data.removeprefix(b"\xef\xbb\xbf")
    parse_rejects = []
    for pos, col, err, msg, raw in rejects:
        line = data.count(b"\n", 0, max(int(pos) - 1, 0)) + 1
        reason = f"{err.lower()}: {msg}" if err else msg
        extra = (raw or "").strip("\r\n").count("\n")
        if extra:  # an unclosed quote makes the next lines part of this one record
            reason += (
                f" The open quote runs to line {line + extra}: those {extra} lines were "
                "read as part of this record; fix the quote and load the file again."
            )
        parse_rejects.append(
            {
                "line": line,
                "column": col if col and col.startswith("c") else None,
                "reason": reason,
                "raw": (raw or "").strip("\r\n"),
            }
        )
    for rej in parse_rejects:
        if rej["column"]:
            rej["column"] = dec.header[int(rej["column"][1:])]
    con.execute(f"drop table if exists {table}_rej")
    con.execute(f"drop table if exists {table}_scan")
    st = Staged(table, dec.header, n_records, parse_rejects, text, dec.header_lines)
    if len(text) > MAX_FIELD_CHARS:  # a shorter file cannot hold a longer field
        _reject_long_fields(con, st)
    return st


def _one_line_end(text: str) -> str:
    """The text with every line end LF when its line ends are mixed, else the text itself.

    DuckDB fixes one line end per file from its first line, and in strict mode a record ending
    in another fails the whole file ("CSV Parser state machine reached an invalid state", no
    line); lone CRs also throw off the line numbers of rejects, which count LFs. Re-saved exports
    do mix them. A CR inside a quoted value of such a file becomes LF too, the same line break.
    """
    crs = text.count("\r")
    if not crs:
        return text
    crlfs = text.count("\r\n")
    if crs == crlfs and crlfs == text.count("\n"):  # CRLF throughout
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _reject_long_fields(con: duckdb.DuckDBPyConnection, st: Staged) -> None:
    """Records holding a field over MAX_FIELD_CHARS leave the staged table for parse_rejects."""
    n = MAX_FIELD_CHARS
    cols = [f"c{i}" for i in range(len(st.header))]
    # strlen (bytes, stored with the string) screens every row; length (characters) is counted
    # only on the few rows it lets through.
    found = con.execute(
        f"""
        select _rn, list_position([{", ".join(f"length({c}) > {n}" for c in cols)}], true) as col,
               [{", ".join(f"length({c})" for c in cols)}] as lengths,
               [{", ".join(f"left({c}, 80)" for c in cols)}] as heads
        from {st.table} where {" or ".join(f"strlen({c}) > {n}" for c in cols)}
        """
    ).fetchall()
    found = [f for f in found if f[1]]
    if not found:
        return
    lines = record_lines(st, {rn for rn, *_ in found})
    for rn, col, lengths, heads in found:
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(heads)
        st.parse_rejects.append(
            {
                "line": lines.get(rn),
                "column": st.header[col - 1],
                "reason": f"field of {lengths[col - 1]:,} characters: expected at most "
                f"{n:,}; the record is not loaded",
                "raw": out.getvalue(),
                "ordinal": rn,  # DuckDB accepted it: record_lines still counts it
            }
        )
    con.execute(
        f"delete from {st.table} where _rn in (select unnest($rns))",
        {"rns": [rn for rn, *_ in found]},
    )
    st.n_records -= len(found)
    st.parse_rejects.sort(key=lambda r: r["line"] or 0)


def temp_from_arrow(con: duckdb.DuckDBPyConnection, name: str, table) -> None:
    """Temp table `name` from an Arrow table built in Python: one vector insert, where
    executemany would go row by row (15 s per 100k rows)."""
    con.register(f"{name}_arrow", table)
    try:
        con.execute(f"create or replace temp table {name} as select * from {name}_arrow")
    finally:
        con.unregister(f"{name}_arrow")


def record_lines(staged: Staged, ordinals: set[int]) -> dict[int, int]:
    """Physical start line of each wanted accepted-record ordinal (rescans only when needed)."""
    if not ordinals:
        return {}
    # Records DuckDB rejected have no ordinal; records rejected afterwards keep theirs.
    skip = {r["line"] for r in staged.parse_rejects if "ordinal" not in r}
    reader = csv.reader(io.StringIO(staged.text, newline=""))
    out: dict[int, int] = {}
    prev_end, ordinal, last = 0, 0, max(ordinals)
    for row in reader:
        start, prev_end = prev_end + 1, reader.line_num
        if prev_end <= staged.header_lines or not row or start in skip:
            continue
        ordinal += 1
        if ordinal in ordinals:
            out[ordinal] = start
        if ordinal >= last:
            break
    return out
