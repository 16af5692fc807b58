"""Issue 8: a corpus of malformed inputs, each a clear error or rejected rows, never a crash.

The files are generated at test time (`tests/malformed.py`) from real files of each format and
loaded by the real CLI in a child process with a timeout (a hang fails) and its peak RSS measured
(memory bounded). A few runs load the whole corpus, one accounting row per file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import malformed
import pytest
from malformed import CASES, Case

from conftest import EXPORTS, REFERENCE, SAMPLE

REPO = Path(__file__).parent.parent
TIMEOUT_S = 120
RSS_LIMIT_KB = 1_500_000  # 1.5 GB
SHAPE_REASONS = ("too many columns", "fields, each in quotes")
DEMO_BASE = [
    SAMPLE / "reference",
    SAMPLE / "exports" / "redcap-protocol" / "HTProtocolAdoption_DataDictionary_2026-10-31.csv",
    SAMPLE / "exports" / "redcap-protocol" / "HTProtocolAdoption_DATA_2026-10-31_0915.csv",
    SAMPLE / "exports" / "dlm-kha",
    SAMPLE / "exports" / "hr-headcount",
    SAMPLE / "exports" / "toolkit-web" / "access.log",
]
FACT_KEYS = {  # what "nothing lost" means: every key loaded before is still there
    "learner": "learner_id",
    "completion": "system || tenant || learner_id || course_key",
    "quiz_attempt": "attempt_id",
    "download_event": "event_id",
    "survey_response": "tenant || record_id || event_name",
    "hospital": "ccn",
}


@dataclass
class Run:
    code: int | None  # None: killed after TIMEOUT_S
    rss_kb: int
    seconds: float
    records: list[dict]
    stderr: str


@dataclass
class Outcome:
    case: Case
    path: Path
    run: Run
    record: dict | None
    rejects: list[tuple] = field(default_factory=list)


def etl_load(warehouse: Path, paths: list[Path], timeout: int = TIMEOUT_S) -> Run:
    """`python -m etl load --json` in a child: exit code, peak RSS (wait4), parsed records."""
    out, err = warehouse.parent / "out.json", warehouse.parent / "err.txt"
    cmd = [sys.executable, "-m", "etl", "--warehouse", str(warehouse), "load", *map(str, paths)]
    env = {**os.environ, "HTRA_LEARNER_KEY": "test-key-not-secret"}
    start = time.monotonic()
    with out.open("w") as fo, err.open("w") as fe:
        proc = subprocess.Popen([*cmd, "--json"], stdout=fo, stderr=fe, cwd=REPO, env=env)
        killed = threading.Event()

        def kill():
            killed.set()
            proc.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    text = out.read_text()
    try:
        records = json.loads(text) if text.strip() else []
    except json.JSONDecodeError:
        records = []
    return Run(
        None if killed.is_set() else proc.returncode,
        usage.ru_maxrss,
        time.monotonic() - start,
        records,
        err.read_text()[-4000:],
    )


def facts(warehouse: Path) -> dict[str, set]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            t: {r[0] for r in con.execute(f"select {k} from {t}").fetchall()}
            for t, k in FACT_KEYS.items()
        }
    finally:
        con.close()


def table_digest(warehouse: Path) -> dict[str, tuple]:
    """Row count and an order-free hash of every table except the run logs."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [r[0] for r in con.execute("show tables").fetchall()]
        skip = {
            "load_log",
            "rejected_row",
            "load_exclusion",
            "unmapped_value",
            "mart_build",
            "warehouse_meta",
        }
        return {
            t: con.execute(f"select count(*), coalesce(sum(hash(t)), 0) from {t} t").fetchone()
            for t in tables
            if t not in skip
        }
    finally:
        con.close()


def _run_group(warehouse: Path, paths: dict[str, Path], folder: Path) -> dict[str, Outcome]:
    batch = etl_load(warehouse, [folder])
    by_path = {Path(r["file"]).resolve(): r for r in batch.records}
    runs = dict.fromkeys(paths, batch)
    if batch.code not in (0, 3, 4):  # a crash or a hang takes the batch down: isolate each file
        for name, path in paths.items():
            runs[name] = etl_load(warehouse, [path])
            by_path.update({Path(r["file"]).resolve(): r for r in runs[name].records})
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        outcomes = {}
        for name, path in paths.items():
            rec = by_path.get(path.resolve())
            rejects = con.execute(
                "select line, column_name, reason from rejected_row where path = ?",
                [str(path.resolve())],
            ).fetchall()
            case = next(c for c in CASES if c.name == name)
            outcomes[name] = Outcome(case, path, runs[name], rec, rejects)
        return outcomes
    finally:
        con.close()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """Load every group once: {case name: Outcome}, plus the before/after key sets."""
    root = tmp_path_factory.mktemp("corpus")
    result: dict = {"outcomes": {}, "facts": {}, "bases": {}}

    fx = root / "fx" / "warehouse.duckdb"
    fx.parent.mkdir()
    base = etl_load(fx, [REFERENCE, EXPORTS])
    assert base.code in (0, 3), base.stderr
    ref = root / "ref" / "warehouse.duckdb"
    ref.parent.mkdir()
    shutil.copyfile(fx, ref)
    demo = root / "demo" / "warehouse.duckdb"
    demo.parent.mkdir()
    base = etl_load(demo, DEMO_BASE)
    assert base.code in (0, 3), base.stderr

    for group, wh in (("fx", fx), ("demo", demo), ("ref", ref)):
        before = facts(wh)
        files = root / "files" / group
        paths = malformed.write_corpus(files, group)
        result["outcomes"].update(_run_group(wh, paths, files))
        result["facts"][group] = (before, facts(wh))
        result["bases"][group] = wh
    return result


def outcome(corpus, name: str) -> Outcome:
    return corpus["outcomes"][name]


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else []
        yield pytest.param(case.name, id=malformed.slug(case.name), marks=marks)


@pytest.mark.parametrize("name", list(_params()))
def test_each_malformed_file_gets_a_clear_error_or_rejected_rows_without_crash_hang_or_loss(
    corpus, name
):
    o = outcome(corpus, name)
    c = o.case
    assert o.run.code is not None, f"hung: killed after {TIMEOUT_S}s"
    assert o.run.code in (0, 3, 4), f"exit {o.run.code} (crash):\n{o.run.stderr}"
    assert o.run.rss_kb < RSS_LIMIT_KB, f"peak RSS {o.run.rss_kb} kB"
    r = o.record
    assert r is not None, "the file has no accounting row"
    counts = [r[k] for k in ("rows_loaded", "rows_excluded", "rows_rejected", "rows_duplicate")]
    assert r["rows_read"] == sum(counts), r
    assert len(o.rejects) == r["rows_rejected"], "every rejected row is kept in rejected_row"
    for line, column, reason in o.rejects:
        assert line and line >= 1 and reason, (line, column, reason)
        # a record of the wrong shape has no single column to blame; every other reject names one
        assert column or any(s in reason for s in SHAPE_REASONS), (line, column, reason)
    rejected_lines = {x[0] for x in o.rejects}
    assert set(c.reject_lines) <= rejected_lines, (
        f"lines {c.reject_lines} not all rejected: {o.rejects}"
    )
    text = (r["message"] + " ".join(x[2] or "" for x in o.rejects)).lower()
    if c.expect == "failed" or (c.expect == "rejects_or_failed" and r["status"] == "failed"):
        assert r["status"] == "failed", r
        assert sum(counts) == 0 and r["rows_read"] == 0, r
        assert o.path.name in r["message"], r["message"]
        assert c.what in text, r["message"]
        assert any(w in text for w in ("expected", "not a", "damaged")), r["message"]
    elif c.expect in ("rejects", "rejects_or_failed"):
        assert r["status"] == "partial" and r["rows_rejected"] >= 1, r
        assert c.what in text, o.rejects
    else:
        assert r["status"] in ("ok", "partial") and r["rows_loaded"] + r["rows_duplicate"] >= 1, r
    if c.rows_read is not None:
        assert r["rows_read"] == c.rows_read, "every record of the file is read and accounted for"
    for table, column, value in c.verbatim:
        got = (
            duckdb.connect(str(corpus["bases"][c.group]), read_only=True)
            .execute(f"select count(*) from {table} where {column} = ?", [value])
            .fetchone()[0]
        )
        assert got >= 1, f"{value!r} not stored verbatim in {table}.{column}"


@pytest.mark.parametrize("group", ["fx", "demo", "ref"])
def test_nothing_loaded_before_is_lost_and_every_table_still_exists(corpus, group):
    before, after = corpus["facts"][group]
    for table, keys in before.items():
        assert keys <= after[table], f"{table}: {len(keys - after[table])} keys lost"
    con = duckdb.connect(str(corpus["bases"][group]), read_only=True)
    tables = {r[0] for r in con.execute("show tables").fetchall()}
    assert {"learner", "completion", "quiz_attempt", "rejected_row", "load_log"} <= tables


def test_failed_files_leave_the_warehouse_exactly_as_it_was(corpus, tmp_path):
    """Re-load only the files that failed onto a copy: not one table changes."""
    for group in ("fx", "demo"):
        failed = [
            o.path
            for o in corpus["outcomes"].values()
            if o.case.group == group and o.record and o.record["status"] == "failed"
        ]
        assert failed
        wh = tmp_path / group / "warehouse.duckdb"
        wh.parent.mkdir()
        shutil.copyfile(corpus["bases"][group], wh)
        before = table_digest(wh)
        run = etl_load(wh, failed)
        assert run.code == 4, run.stderr
        assert table_digest(wh) == before


def test_a_zip_bomb_renamed_xlsx_fails_without_inflating(corpus):
    o = outcome(corpus, "zip bomb renamed xlsx")
    with zipfile.ZipFile(o.path) as z:  # the central directory only: nothing is inflated here
        assert max(i.file_size for i in z.infolist()) == malformed.BOMB_SIZE
    assert o.path.stat().st_size < 5 * 1024 * 1024
    assert o.record["status"] == "failed"
    assert o.run.rss_kb < RSS_LIMIT_KB
    assert o.run.seconds < TIMEOUT_S


def test_formula_and_sql_text_is_stored_verbatim_and_the_tables_survive(corpus):
    con = duckdb.connect(str(corpus["bases"]["fx"]), read_only=True)
    assert (
        con.execute(
            "select count(*) from learner where department = ?", [malformed.FORMULA]
        ).fetchone()[0]
        >= 1
    )
    assert con.execute("select count(*) from learner").fetchone()[0] > 0
    assert con.execute("select count(*) from completion").fetchone()[0] > 0
