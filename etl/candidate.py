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

from etl import report
from etl import warehouse as wh
from etl.config import REPO_ROOT

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
    upload_dir: Path | None = None

    @property
    def loaded_anything(self) -> bool:
        """A new version whose files were read (failed files alone change only the log)."""
        read = any(r.get("status") in ("ok", "partial") for r in self.records)
        return read and self.version is not None and self.version != self.base_version


def safe_name(name: str) -> str:
    """A file name without directories or characters a shell or glob would read specially."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" .")
    return base[:120] or "upload"


def stage(files: list[tuple[str, bytes]], root: Path) -> Path:
    """Write uploads to a new folder root/<stamp>/; two uploads of one name both survive."""
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    target = root / stamp
    target.mkdir(parents=True)
    for name, data in files:
        dest = target / safe_name(name)
        n = 1
        while dest.exists():
            n += 1
            stem, dot, ext = safe_name(name).rpartition(".")
            dest = target / (f"{stem}-{n}.{ext}" if dot else f"{ext}-{n}")
        dest.write_bytes(data)
    return target


def rule_args(rule: dict | None) -> list[str]:
    """CLI options that read files as a sources.csv rule would (uploads are not under its path)."""
    if not rule:
        return []
    args = ["--system", rule["system"], "--tenant", rule["tenant"]]
    for key, flag in (
        ("hospital_ccn", "--hospital"),
        ("date_order", "--date-order"),
        ("timezone", "--timezone"),
    ):
        if rule.get(key):
            args += [flag, str(rule[key])]
    return args


def live_version(live: Path) -> str | None:
    if not live.exists():
        return None
    rows = report.read(live, "select version from warehouse_meta limit 1")
    return rows[0]["version"] if rows else None


def build(upload_dir: Path, live: Path, options: list[str] | None = None) -> Candidate:
    """Load the staged files into a copy of the live warehouse, in a child process."""
    cand = live.with_name(f"{live.stem}.candidate-{uuid.uuid4().hex[:8]}{live.suffix}")
    with wh.writer_lock(live):  # copy a consistent file, never one mid-swap
        base = live_version(live)
        if live.exists():
            shutil.copyfile(live, cand)
    cmd = [sys.executable, "-m", "etl", "--warehouse", str(cand), "load", str(upload_dir)]
    try:
        proc = subprocess.run(
            [*cmd, *(options or []), "--json"],
            capture_output=True,
            text=True,
            timeout=UPLOAD_TIMEOUT_S,
            env=os.environ.copy(),
            cwd=REPO_ROOT,
        )
    except subprocess.TimeoutExpired:
        c = Candidate(
            cand, base, [], -1, f"the load took over {UPLOAD_TIMEOUT_S} s and was stopped"
        )
        c.upload_dir = upload_dir
        return c
    try:
        records = json.loads(proc.stdout) if proc.stdout.strip() else []
    except json.JSONDecodeError:
        records = []
    c = Candidate(cand, base, records, proc.returncode, proc.stderr.strip(), upload_dir=upload_dir)
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
    _tidy(c)
    return c.version or ""


def discard(c: Candidate) -> None:
    c.path.unlink(missing_ok=True)
    _tidy(c)


def _tidy(c: Candidate) -> None:
    """The uploaded exports hold names: they go once the warehouse has what it needs."""
    for leftover in c.path.parent.glob(c.path.name + ".*"):  # .lock, .build-<pid>
        leftover.unlink(missing_ok=True)
    if c.upload_dir is not None:
        shutil.rmtree(c.upload_dir, ignore_errors=True)
