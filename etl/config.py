"""Paths and defaults shared by the ETL and the app."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = REPO_ROOT / "data" / "warehouse.duckdb"
DEFAULT_TIMEZONE = "America/Chicago"
SCHEMA_VERSION = 2

# Files the loader never reads when walking a folder: documentation and code, not exports.
SKIPPED_SUFFIXES = {".md", ".py", ".pyc", ".json", ".toml", ".sh"}


def warehouse_path(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("HTRA_WAREHOUSE", DEFAULT_WAREHOUSE))
