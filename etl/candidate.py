"""Browser uploads: stage the files, load them into a candidate warehouse in a separate process,
and make the candidate live only when the user confirms.

The candidate starts as a copy of the live warehouse, so the ETL's own rules (idempotence,
snapshots, accounting) apply unchanged. Confirming refuses when the live warehouse changed since
the candidate was built (another load would otherwise be lost).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from etl import warehouse as wh

UPLOAD_TIMEOUT_S = 1800


class StaleCandidate(RuntimeError):
    pass


@dataclass
class Candidate:
    path: Path
    base_version: str | None
    records: list[dict] = field(default_factory=list)
    exit_code: int = 0
    errors: str = ""
    version: str | None = None

    @property
    def loaded_anything(self) -> bool:
        return self.version is not None and self.version != self.base_version


def safe_name(name: str) -> str:
    """A file name without directories or characters a shell or glob would read specially."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" .")
    return base[:120] or "upload"


def stage(files: list[tuple[str, bytes]], root: Path, folder: str | None = None) -> Path:
    """Write uploads under root/<stamp>/[folder]/, where folder is a source rule's folder so
    that sources.csv says which system and tenant the files come from."""
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    parts = [p for p in (folder or "").split("/") if p and p not in (".", "..")]
    target = root / stamp
    dest = target.joinpath(*parts)
    dest.mkdir(parents=True)
    for name, data in files:
        (dest / safe_name(name)).write_bytes(data)
    return target


def live_version(live: Path) -> str | None:
    if not live.exists():
        return None
    con = duckdb.connect(str(live), read_only=True)
    try:
        rows = con.execute("select version from warehouse_meta limit 1").fetchall()
        return rows[0][0] if rows else None
    finally:
        con.close()


def build(upload_dir: Path, live: Path) -> Candidate:
    """Load the staged files into a copy of the live warehouse, in a child process."""
    cand = live.with_name(f"{live.stem}.candidate-{uuid.uuid4().hex[:8]}{live.suffix}")
    with wh.writer_lock(live):  # copy a consistent file, never one mid-swap
        base = live_version(live)
        if live.exists():
            shutil.copyfile(live, cand)
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "--warehouse", str(cand), "load", str(upload_dir), "--json"],
        capture_output=True,
        text=True,
        timeout=UPLOAD_TIMEOUT_S,
        env=os.environ.copy(),
    )
    try:
        records = json.loads(proc.stdout) if proc.stdout.strip() else []
    except json.JSONDecodeError:
        records = []
    c = Candidate(cand, base, records, proc.returncode, proc.stderr.strip())
    c.version = live_version(cand) if cand.exists() else None
    return c


def confirm(c: Candidate, live: Path) -> str:
    with wh.writer_lock(live):
        now = live_version(live)
        if now != c.base_version:
            raise StaleCandidate(
                f"the live warehouse changed while this upload was checked ({c.base_version} -> "
                f"{now}); load the files again"
            )
        os.replace(c.path, live)
        dir_fd = os.open(live.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return c.version or ""


def discard(c: Candidate) -> None:
    c.path.unlink(missing_ok=True)
