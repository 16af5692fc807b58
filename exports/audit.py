"""The audit log of exports: who exported what, when, for which audience. One JSON line per
export, in a file beside the warehouse (not in it: a reload replaces the warehouse file)."""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from exports.source import Source


def log_path(warehouse: str | Path) -> Path:
    return Path(os.environ.get("HTRA_AUDIT_LOG") or Path(warehouse).with_name("exports.log"))


def record(src: Source, report: str, user: str, via: str, n_bytes: int) -> dict:
    entry = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "user": user,
        "via": via,
        "report": report,
        "audience": src.audience,
        "viewer_role": src.viewer.role,
        "viewer_scope": src.viewer.scope,
        "filters": src.filters.to_url(),
        "warehouse_version": src.version,
        "bytes": n_bytes,
    }
    path = log_path(src.runner.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:  # one short append per line: no interleaving
        fh.write(json.dumps(entry, default=str) + "\n")
    return entry
