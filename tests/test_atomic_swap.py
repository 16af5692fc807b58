"""The warehouse is built beside the live file and swapped in whole, or not at all."""

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import EXPORTS, REFERENCE, load, query
from etl.identity import KeyMismatchError


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_reader_keeps_its_answers_while_a_load_swaps_the_file(ref_only):
    reader = duckdb.connect(str(ref_only), read_only=True)
    assert reader.execute("select count(*) from completion").fetchone() == (0,)
    load(EXPORTS / "scorm", ref_only)
    # The open connection still reads the old file; a new one sees the new version.
    assert reader.execute("select count(*) from completion").fetchone() == (0,)
    reader.close()
    assert query(ref_only, "select count(*) from completion") == [(2,)]


def test_a_load_under_a_different_key_leaves_the_warehouse_untouched(loaded, monkeypatch):
    before = digest(loaded)
    monkeypatch.setenv("HTRA_LEARNER_KEY", "another-key")
    with pytest.raises(KeyMismatchError):
        load(EXPORTS / "scorm", loaded)
    assert digest(loaded) == before
    assert not list(loaded.parent.glob("*.build-*"))


def big_long_quiz(path: Path, n_learners: int) -> None:
    lines = ["learner,module,phase,attempt,item,points,max_points,submitted_at"]
    for i in range(n_learners):
        for item in ("M01-I01", "M01-I02", "M01-I03"):
            lines.append(f"u{i}@alpha.org,NHA-HT01,pre,1,{item},1,1,2026-03-04T15:01:00Z")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def start_load(warehouse: Path, path: Path) -> subprocess.Popen:
    """The ETL in a process of its own, to be killed without warning (its output unread)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    return subprocess.Popen(
        [sys.executable, "-m", "etl", "--warehouse", str(warehouse), "load", str(path)],
        env=env,
        stderr=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )


def test_kill_9_during_a_load_leaves_the_live_file_serving_and_the_next_load_works(
    loaded, tmp_path
):
    before = digest(loaded)
    big = tmp_path / "long" / "big.csv"
    big_long_quiz(big, 100_000)
    proc = start_load(loaded, big)
    # Wait until the build file exists (the load is under way), then kill without warning.
    deadline = time.time() + 60
    while not list(loaded.parent.glob("*.build-*")) and time.time() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert digest(loaded) == before
    assert query(loaded, "select count(*) from quiz_attempt") == [(3,)]
    res, version = load(big, loaded)  # the next writer clears the orphan and loads it all
    assert version is not None and res["big.csv"].loaded == 300_000
    assert not list(loaded.parent.glob("*.build-*"))
    assert query(loaded, "select count(*) from quiz_attempt") == [(100_003,)]


# Seconds after the ETL process starts (seeded, so a failure can be replayed): before it has
# read anything, while it parses, while it builds marts, around the swap.
KILL_AT = [round(random.Random(seed).uniform(0.0, 6.0), 2) for seed in (8, 80, 800)]


@pytest.mark.parametrize("after_s", KILL_AT)
def test_kill_9_at_a_random_point_leaves_the_old_or_the_whole_new_warehouse(
    loaded, tmp_path, after_s
):
    before = digest(loaded)
    big = tmp_path / "long" / "big.csv"
    big_long_quiz(big, 50_000)
    proc = start_load(loaded, big)
    time.sleep(after_s)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # wholly the old file (killed before the swap) or wholly the new one (the load had finished)
    (n,) = query(loaded, "select count(*) from quiz_attempt")[0]
    if digest(loaded) == before:
        assert n == 3
    else:
        assert proc.returncode == 0 and n == 50_003, (proc.returncode, n)
    res, version = load(big, loaded)  # the next writer clears any orphan and finishes the job
    assert version is not None or res["big.csv"].duplicate == 150_000
    assert not list(loaded.parent.glob("*.build-*"))
    assert query(loaded, "select count(*) from quiz_attempt") == [(50_003,)]


def test_every_build_has_a_version_of_time_and_content_hash(loaded):
    ((version, content_hash),) = query(loaded, "select version, content_hash from warehouse_meta")
    assert version.endswith("-" + content_hash) and len(content_hash) == 12
    _, new_version = load(REFERENCE / "targets.csv", loaded, exported_at=None)
    assert new_version is None  # unchanged file: same warehouse, same version


def test_an_unchanged_reload_rebuilds_marts_made_by_an_older_marts_sql(ref_only):
    # a warehouse from before this marts.sql: another hash, and a mart that did not exist yet
    con = duckdb.connect(str(ref_only))
    con.execute("update mart_build set marts_sql_sha256 = 'older'")
    con.execute("drop table mart_required_module")
    con.close()
    results, version = load(REFERENCE, ref_only)
    assert {r.status for r in results.values()} == {"unchanged"}
    assert version is not None  # a new build, for the marts alone
    assert query(ref_only, "select count(*) from mart_required_module")[0][0] > 0
    # and once current, an unchanged reload builds nothing
    _, again = load(REFERENCE, ref_only)
    assert again is None
