"""The warehouse file: built beside the live one, checked, then swapped in with os.replace.

A writer takes an exclusive lock file; readers never see a half-built warehouse, and a crash or
kill -9 leaves the live file untouched (the orphaned build is removed by the next writer).
"""

import fcntl
import hashlib
import os
import shutil
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from etl.config import SCHEMA_VERSION
from etl.identity import KeyMismatchError

SCHEMA_SQL = (Path(__file__).parent / "schema.sql").read_text()
MARTS_SQL = (Path(__file__).parent / "marts.sql").read_text()


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        str(path),
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    con.execute("set TimeZone = 'UTC'")
    # Each file commits on its own; without this DuckDB checkpoints every 16 MB of WAL, which cost
    # more than the loading itself. swap_in checkpoints once at the end.
    con.execute("set checkpoint_threshold = '4GB'")
    # DuckDB takes 80% of RAM by default; a bounded footprint spills to disk past it.
    con.execute("set memory_limit = $m", {"m": os.environ.get("HTRA_DUCKDB_MEMORY", "2GB")})
    return con


def init_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_SQL)


MARTS_HASH = hashlib.sha256(MARTS_SQL.encode()).hexdigest()


def build_marts(con: duckdb.DuckDBPyConnection) -> None:
    # The collaborative tier's first load failed here ("failed to pin block", 1.8 of 1.8 GiB)
    # with every loaded row still un-checkpointed (checkpoint_threshold above). Written to the
    # file first, the base tables are ordinary blocks the marts' joins can evict and re-read.
    con.execute("checkpoint")
    con.execute(MARTS_SQL)
    con.execute(
        "create or replace table mart_build as select $h as marts_sql_sha256", {"h": MARTS_HASH}
    )


def has_marts(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the marts were built by this version of marts.sql: a warehouse built by an older
    one (a missing mart, a changed column) gets them rebuilt on the next load, even if no file
    changed."""
    # this database's own: the query runner attaches several versions side by side
    built = con.execute(
        "select count(*) from duckdb_tables() "
        "where table_name = 'mart_build' and database_name = current_database()"
    ).fetchone()[0]
    if not built:
        return False
    return (
        con.execute("select any_value(marts_sql_sha256) from mart_build").fetchone()[0]
        == MARTS_HASH
    )


@contextmanager
def writer_lock(live: Path):
    live.parent.mkdir(parents=True, exist_ok=True)
    with open(live.with_name(live.name + ".lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def start_build(live: Path) -> Path:
    """Copy the live file (if any) to a build file; remove builds orphaned by a crashed writer."""
    for stale in live.parent.glob(live.name + ".build-*"):
        stale.unlink(missing_ok=True)
    build = live.with_name(f"{live.name}.build-{os.getpid()}")
    if live.exists():
        shutil.copyfile(live, build)
    return build


def check_key(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    row = con.execute("select key_fingerprint from warehouse_meta limit 1").fetchone()
    if row and row[0] and row[0] != fingerprint:
        raise KeyMismatchError(
            "this warehouse was built with a different pseudonymization key: loading with this key "
            "would split every learner in two. Restore the original key (HTRA_LEARNER_KEY or the "
            "key file) or rebuild the warehouse from all source files."
        )


def verify(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Invariants the build must hold before it may replace the live file."""
    problems = []
    checks = {
        "completion keys repeat": "select count(*) from (select 1 from completion group by "
        "system, tenant, learner_id, course_key having count(*) > 1)",
        "quiz attempt ids repeat": "select count(*) from (select 1 from quiz_attempt group by "
        "attempt_id having count(*) > 1)",
        "item responses repeat within an attempt": "select count(*) from (select 1 from "
        "quiz_item_response group by attempt_id, coalesce(item_id, position::varchar) "
        "having count(*) > 1)",
        "row accounting does not balance": "select count(*) from load_log where rows_read <> "
        "rows_loaded + rows_excluded + rows_rejected + rows_duplicate",
        "learner ids are not HMAC-SHA256 hex": "select count(*) from learner where "
        "not regexp_full_match(learner_id, '[0-9a-f]{64}')",
        "download events repeat": "select count(*) from (select 1 from download_event "
        "group by event_id having count(*) > 1)",
        "survey responses repeat": "select count(*) from (select 1 from survey_response "
        "group by tenant, record_id, event_name having count(*) > 1)",
        "a hospital has two current survey answers in one wave": "select count(*) from "
        "(select 1 from survey_response where is_current group by tenant, hospital_ccn, wave "
        "having count(*) > 1)",
        "headcount rows repeat": "select count(*) from (select 1 from staff_headcount group by "
        "hospital_ccn, as_of_date, department, job_title having count(*) > 1)",
        "records point at unknown learners": "select count(*) from (select learner_id from "
        "completion union select learner_id from quiz_attempt) r where learner_id not in "
        "(select learner_id from learner)",
    }
    for label, sql in checks.items():
        n = con.execute(sql).fetchone()[0]
        if n:
            problems.append(f"{label}: {n}")
    return problems


def stamp_version(con: duckdb.DuckDBPyConnection, fingerprint: str) -> str:
    ids = [
        r[0]
        for r in con.execute(
            "select distinct file_id from load_log where status in ('ok', 'partial') order by 1"
        ).fetchall()
    ]
    content = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:12]
    now = datetime.now(UTC)
    version = f"{now:%Y%m%dT%H%M%SZ}-{content}"
    con.execute("delete from warehouse_meta")
    con.execute(
        "insert into warehouse_meta values ($v, $t, $h, $k, $s)",
        {"v": version, "t": now, "h": content, "k": fingerprint, "s": SCHEMA_VERSION},
    )
    return version


def swap_in(con: duckdb.DuckDBPyConnection, build: Path, live: Path) -> None:
    con.execute("checkpoint")
    con.close()
    with open(build, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(build, live)
    dir_fd = os.open(live.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
