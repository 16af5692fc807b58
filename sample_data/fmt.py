"""Vectorised text formatting and CSV writing for the sample-data generator.

Every export is built column by column as Arrow string arrays and joined with Arrow compute, so
a 10-million-row file costs seconds and no Python loop runs per row. Timestamps are numpy
`datetime64[s]` arrays (NaT = empty cell).
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MONTH_NAMES = pa.array(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)


def rng_for(seed: int, name: str) -> np.random.Generator:
    """Independent stream per component: adding a component never shifts another's numbers."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def s(values) -> pa.Array:
    """Anything array-like -> Arrow string array (nulls become empty strings)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        arr = np.asarray(values)
        values = pa.array(arr if arr.dtype != object else arr.tolist())
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = pc.cast(values, pa.string())
    return pc.fill_null(values, "")


def cat(*parts) -> pa.Array:
    """Element-wise concatenation; plain Python strings broadcast."""
    return pc.binary_join_element_wise(*[p if isinstance(p, str) else s(p) for p in parts], "")


def pad(values, width: int, char: str = "0") -> pa.Array:
    return pc.utf8_lpad(s(values), width=width, padding=char)


def where(mask, a, b) -> pa.Array:
    mask = pa.array(np.asarray(mask, dtype=bool))
    a = a if isinstance(a, str) else s(a)
    b = b if isinstance(b, str) else s(b)
    return pc.if_else(mask, a, b)


def quote(values) -> pa.Array:
    """Minimal CSV quoting: only fields holding a comma, a quote or a line break."""
    arr = s(values)
    needs = pc.match_substring_regex(arr, '[,"\r\n]')
    quoted = cat('"', pc.replace_substring(arr, '"', '""'), '"')
    return pc.if_else(needs, quoted, arr)


def _parts(ts: np.ndarray):
    ts = np.asarray(ts, dtype="datetime64[s]")
    missing = np.isnat(ts)
    idx = pd.DatetimeIndex(np.where(missing, np.datetime64("2000-01-01", "s"), ts))
    return missing, idx


def moodle_completion_date(ts: np.ndarray, order: str) -> pa.Array:
    """`9/01/26, 14:12` (en, day first) or `1/09/26, 14:12` (en_us, month first)."""
    missing, idx = _parts(ts)
    day, month = np.asarray(idx.day), np.asarray(idx.month)
    first, second = (day, month) if order == "dmy" else (month, day)
    text = cat(
        s(first),
        "/",
        pad(second, 2),
        "/",
        pad(np.asarray(idx.year) % 100, 2),
        ", ",
        pad(np.asarray(idx.hour), 2),
        ":",
        pad(np.asarray(idx.minute), 2),
    )
    return where(missing, "", text)


def moodle_quiz_date(ts: np.ndarray) -> pa.Array:
    """`5 January 2026  3:04 PM`: the hour is space-padded to two characters."""
    missing, idx = _parts(ts)
    hour = np.asarray(idx.hour)
    h12 = np.where(hour % 12 == 0, 12, hour % 12)
    text = cat(
        s(np.asarray(idx.day)),
        " ",
        MONTH_NAMES.take(pa.array(np.asarray(idx.month) - 1)),
        " ",
        s(np.asarray(idx.year)),
        " ",
        pad(h12, 2, " "),
        ":",
        pad(np.asarray(idx.minute), 2),
        where(hour < 12, " AM", " PM"),
    )
    return where(missing, "-", text)


def us_date(ts: np.ndarray) -> pa.Array:
    """`6/15/2026` (no leading zeros), empty when missing."""
    missing, idx = _parts(ts)
    text = cat(s(np.asarray(idx.month)), "/", s(np.asarray(idx.day)), "/", s(np.asarray(idx.year)))
    return where(missing, "", text)


def to_utc(local: np.ndarray, tz: str = "America/Chicago") -> np.ndarray:
    """Local wall-clock -> UTC (ambiguous fall-back hour read as standard time)."""
    local = np.asarray(local, dtype="datetime64[s]")
    missing = np.isnat(local)
    idx = pd.DatetimeIndex(np.where(missing, np.datetime64("2000-01-01", "s"), local))
    utc = (
        idx.tz_localize(tz, ambiguous=np.zeros(len(idx), dtype=bool), nonexistent="shift_forward")
        .tz_convert("UTC")
        .tz_localize(None)
    )
    out = utc.to_numpy().astype("datetime64[s]")
    out[missing] = np.datetime64("NaT")
    return out


def iso_z(ts_utc: np.ndarray, millis: bool = True) -> pa.Array:
    """`2026-03-04T15:22:10.000Z` (SCORM Cloud) or `2026-03-04T15:22:10Z`."""
    ts_utc = np.asarray(ts_utc, dtype="datetime64[s]")
    missing = np.isnat(ts_utc)
    text = pa.array(np.datetime_as_string(np.where(missing, np.datetime64(0, "s"), ts_utc)))
    return where(missing, "", cat(text, ".000Z" if millis else "Z"))


def moodle_duration(secs: np.ndarray) -> pa.Array:
    """Moodle's format_time: the two largest units, e.g. `12 mins 5 secs`, `1 hour 2 mins`."""
    secs = np.asarray(secs, dtype=np.int64)

    def unit(n, one, many):
        return where(n == 1, f"1 {one}", cat(s(n), f" {many}"))

    hours, mins, sec = secs // 3600, (secs % 3600) // 60, secs % 60
    h_txt = cat(
        unit(hours, "hour", "hours"), where(mins > 0, cat(" ", unit(mins, "min", "mins")), "")
    )
    m_txt = cat(unit(mins, "min", "mins"), where(sec > 0, cat(" ", unit(sec, "sec", "secs")), ""))
    return where(hours > 0, h_txt, where(mins > 0, m_txt, unit(sec, "sec", "secs")))


def hundredths(values: np.ndarray) -> pa.Array:
    """Integer hundredths -> `7.00` (exact: no float formatting involved)."""
    values = np.asarray(values, dtype=np.int64)
    return cat(s(values // 100), ".", pad(values % 100, 2))


def uuid_like(rng: np.random.Generator, n: int) -> pa.Array:
    """Random version-4-style UUID strings, vectorised through a nibble lookup table."""
    nibbles = rng.integers(0, 16, size=(n, 32), dtype=np.uint8)
    nibbles[:, 12] = 4
    nibbles[:, 16] = 8 + nibbles[:, 16] % 4
    hexchars = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[nibbles]
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    cols = [c for c in range(36) if c not in (8, 13, 18, 23)]
    out[:, cols] = hexchars
    return pa.array(out.view("S36").ravel().astype(str))


def lines(columns: list) -> pa.Array:
    """CSV records (already quoted where needed) joined with commas."""
    return pc.binary_join_element_wise(*[c if isinstance(c, str) else s(c) for c in columns], ",")


def write_csv(
    path: Path,
    header: list[str],
    columns: list | None = None,
    *,
    body=None,
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\n",
    trailer: list[str] | None = None,
) -> int:
    """Write header + records (+ trailer lines); returns the number of data records.

    `columns` are per-column arrays (quoted by the caller where needed) or `body` is a list of
    ready record arrays written in order (lets big files be built chunk by chunk).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    chunks = body if body is not None else [lines(columns)]
    rows = sum(len(c) for c in chunks)
    head = ",".join(header) + newline
    with open(path, "wb") as fh:
        text_mode = encoding.lower().replace("-", "") not in ("utf8",)
        if text_mode:  # small files only: re-encode the whole text
            text = head + "".join(
                newline.join(c.to_pylist()) + (newline if len(c) else "") for c in chunks
            )
            text += "".join(t + newline for t in trailer or [])
            fh.write(("\ufeff" if bom else "").encode(encoding) + text.encode(encoding))
            return rows
        fh.write(("\ufeff" if bom else "").encode("utf-8") + head.encode("utf-8"))
        for chunk in chunks:
            if len(chunk):
                fh.write(_buffer(cat(chunk, newline)))
        for t in trailer or []:
            fh.write((t + newline).encode("utf-8"))
    return rows


def _buffer(arr: pa.Array) -> bytes:
    """Raw UTF-8 bytes of a string array's values, concatenated (no per-row Python)."""
    arr = pc.cast(arr, pa.large_string()) if len(arr) > 2_000_000 else arr
    offsets_type = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    _, offsets, data = arr.buffers()
    offs = np.frombuffer(offsets, dtype=offsets_type)[arr.offset : arr.offset + len(arr) + 1]
    return memoryview(data)[offs[0] : offs[-1]].tobytes()
