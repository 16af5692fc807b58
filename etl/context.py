"""What an adapter knows about the file it reads, and what it reports back."""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from etl.stage import Staged, record_lines


@dataclass
class FileContext:
    path: Path
    file_id: str  # sha256 of the file's bytes
    run_id: str
    key: bytes  # pseudonymization key (never stored)
    system: str | None = None
    tenant: str | None = None
    date_order: str = "auto"  # dmy | mdy | auto
    timezone: str = "America/Chicago"
    hospital_ccn: str | None = None
    export_at: datetime | None = None
    exported_at_override: datetime | None = None


# Any run of non-separator characters around an @: local parts may be non-ASCII (josé@...).
_EMAIL = re.compile(r"[^\s@<>\"',;:()\[\]]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)")
_DOMAIN = re.compile(r"@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def mask_value(value: str | None) -> str | None:
    """A personal field becomes '***', or '***@domain' when it holds an e-mail address."""
    if value is None or value == "":
        return value
    domain = _DOMAIN.search(value)
    return f"***@{domain.group(1).lower()}" if domain else "***"


def mask_free_text(value: str | None) -> str | None:
    """Other fields keep their text, but any e-mail address in it loses its local part."""
    return _EMAIL.sub(lambda m: f"***@{m.group(1).lower()}", value) if value else value


@dataclass
class FileResult:
    path: str
    format: str = "unknown"
    system: str | None = None
    tenant: str | None = None
    rows_read: int = 0
    loaded: int = 0
    duplicate: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    rejects: list[dict] = field(default_factory=list)  # line, column, reason, record
    _pending: list[tuple[int, str | None, str]] = field(default_factory=list)
    status: str = "ok"
    message: str = ""
    export_at: datetime | None = None
    min_event_at: datetime | None = None
    max_event_at: datetime | None = None
    file_id: str = ""
    load_context: str = ""

    @property
    def rows_excluded(self) -> int:
        return sum(self.excluded.values())

    @property
    def rows_rejected(self) -> int:
        return len(self.rejects) + len(self._pending)

    def exclude(self, reason: str, n: int = 1) -> None:
        if n:
            self.excluded[reason] = self.excluded.get(reason, 0) + n

    def reject_record(self, rn: int, column: str | None, reason: str) -> None:
        """A staged record (by ordinal) is invalid; its line and masked text come at finalize."""
        self._pending.append((rn, column, reason))

    def finalize_rejects(self, con, staged: Staged, personal: set[str]) -> None:
        if not self._pending:
            return
        ordinals = {rn for rn, _, _ in self._pending}
        lines = record_lines(staged, ordinals)
        cols = ", ".join(f"c{i}" for i in range(len(staged.header)))
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                f"select _rn, {cols} from {staged.table} where _rn in (select unnest($rns))",
                {"rns": sorted(ordinals)},
            ).fetchall()
        }
        wanted = {p.lower() for p in personal}
        for rn, column, reason in self._pending:
            values = rows.get(rn, ())
            record = {
                h: (mask_value(v) if h.lower() in wanted else mask_free_text(v))
                for h, v in zip(staged.header, values, strict=False)
            }
            self.rejects.append(
                {
                    "line": lines.get(rn),
                    "column": column,
                    "reason": reason,
                    "record": json.dumps(record, ensure_ascii=False),
                }
            )
        self._pending.clear()

    def add_parse_rejects(self, staged: Staged) -> None:
        """Ragged rows, split by position and masked whole."""
        # Fields of a ragged row may sit under the wrong header (an unquoted comma shifts them),
        # so every field is masked, not only the personal columns.
        for r in staged.parse_rejects:
            values = next(csv.reader(io.StringIO(r["raw"])), [])
            names = staged.header + [f"extra_{i}" for i in range(len(values))]
            record = {h: mask_value(v) for h, v in zip(names, values, strict=False)}
            self.rejects.append(
                {
                    "line": r["line"],
                    "column": r["column"],
                    "reason": r["reason"],
                    "record": json.dumps(record, ensure_ascii=False),
                }
            )

    def check_accounting(self) -> None:
        total = self.loaded + self.rows_excluded + self.rows_rejected + self.duplicate
        if total != self.rows_read:
            raise AssertionError(
                f"{self.path}: row accounting does not balance: read {self.rows_read}, "
                f"loaded {self.loaded} + excluded {self.rows_excluded} + rejected "
                f"{self.rows_rejected} + duplicate {self.duplicate} = {total}"
            )

    def as_record(self) -> dict:
        return {
            "file": self.path,
            "format": self.format,
            "rows_read": self.rows_read,
            "rows_loaded": self.loaded,
            "rows_excluded": self.rows_excluded,
            "rows_rejected": self.rows_rejected,
            "rows_duplicate": self.duplicate,
            "status": self.status,
            "message": self.message,
        }
