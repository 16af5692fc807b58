"""Turn a file's bytes into UTF-8 text DuckDB can read, and say clearly when that is impossible."""

import codecs
import csv
import gzip
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# Python's csv module fails on a field over 128 KiB with an error naming no line; how long a field
# may be is judged in stage.py, which rejects the record with its line.
csv.field_size_limit(sys.maxsize)


class InputError(Exception):
    """A file that cannot be loaded at all; the message names file, line and column."""

    def __init__(self, path, message: str, line: int | None = None, column: str | None = None):
        self.path, self.line, self.column = str(path), line, column
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if column:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")
        self.reason = message


@dataclass
class Decoded:
    text: str
    encoding: str  # what the bytes were: utf-8, utf-8-sig, utf-16, cp1252
    was_gzip: bool
    header: list[str]
    header_lines: int  # physical lines up to the end of the header record


_ZIP = b"PK\x03\x04"
_MAGIC = {
    _ZIP: "a ZIP container (an .xlsx workbook?)",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old binary Excel/Office file (.xls)",
    b"\x89PNG": "a PNG image",
    b"SQLite format 3": "an SQLite database",
}


def read_bytes(path: Path) -> tuple[bytes, bool]:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data), True
        except (OSError, EOFError) as exc:
            raise InputError(path, f"gzip stream is damaged or truncated ({exc})") from None
    return data, False


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """Decode with BOM detection; UTF-8 first, cp1252 as the Windows fallback."""
    if not data.strip(b"\xef\xbb\xbf\xff\xfe \r\n\t\x00"):
        raise InputError(path, "file is empty: expected a header row and at least one record", 1)
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(path, f"not a text export: the file is {what}; expected CSV text", 1)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(path, data, "utf-16"), "utf-16"
    # UTF-16 without a BOM shows as NUL every other byte in ASCII text.
    head = data[:4096]
    if head.count(b"\x00") > len(head) // 4:
        for enc, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
            # Text in UTF-16 has a NUL in every other byte AND decodes to printable characters;
            # a binary (an executable, a database) has NULs too but decodes to control codes.
            if zeros.count(0) > len(head) // 3 and _printable(head.decode(enc, "replace")):
                return _strict(path, data, enc), enc
    if b"\x00" in head:
        offset = data.index(b"\x00")
        raise InputError(
            path, f"not a text export: binary byte 0x00 at offset {offset}; expected CSV text", 1
        )
    if data.startswith(codecs.BOM_UTF8):
        return _strict(path, data[3:], "utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Excel "CSV" on Windows writes cp1252 (O’Brien as 0x92); it decodes every byte but five.
        return _strict(path, data, "cp1252"), "cp1252"


def _printable(text: str) -> bool:
    control = sum(1 for ch in text if ch < " " and ch not in "\r\n\t")
    return control <= len(text) // 100


def _strict(path: Path, data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            path,
            f"byte 0x{data[exc.start]:02x} is not valid {encoding}; expected UTF-8, "
            "UTF-16 or Windows-1252 text",
            line,
        ) from None
    return text.lstrip("\ufeff")


# A line with its end, as io.StringIO(text, newline="") splits them: CRLF, LF or a lone CR.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def parse_header(path: Path, text: str) -> tuple[list[str], int]:
    """The first non-blank record, and the number of physical lines up to its end."""
    # Lines are cut as the reader asks for them: io.StringIO would first copy the whole text at
    # 4 bytes a character (0.5 GB and 0.3 s for a 120 MB export) to read its first lines.
    reader = csv.reader(m.group() for m in _LINE.finditer(text))
    for row in reader:
        if row and any(cell.strip() for cell in row):
            return [cell.strip() for cell in row], reader.line_num
    raise InputError(path, "file is empty: expected a header row and at least one record", 1)


def duplicate_column(names: list[str]) -> tuple[int, int] | None:
    """The 1-based positions of the first name given twice (case and spaces ignored; blank
    names, such as unnamed trailing columns, are not data and never count)."""
    seen: dict[str, int] = {}
    for j, name in enumerate(names, start=1):
        key = name.strip().lower()
        if key in seen:
            return seen[key], j
        if key:
            seen[key] = j
    return None


def load_text(path: Path) -> Decoded:
    data, was_gzip = read_bytes(path)
    text, encoding = decode(path, data)
    header, header_lines = parse_header(path, text)
    return Decoded(text, encoding, was_gzip, header, header_lines)
