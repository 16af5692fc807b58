"""The committed demo tier: the generator reproduces it, and every row of every file counts."""

import csv
import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import load, query

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    wh = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    results, _ = load(SAMPLE, wh)
    return wh, results


def test_the_generator_reproduces_the_committed_demo_tier_byte_for_byte(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "sample_data.generate", "--tier", "demo", "--out", str(tmp_path)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    for folder in ("reference", "exports"):
        cmp = filecmp.dircmp(SAMPLE / folder, tmp_path / folder)
        differing = []
        stack = [cmp]
        while stack:
            c = stack.pop()
            differing += [*c.left_only, *c.right_only]
            differing += [
                f
                for f in c.common_files
                if not filecmp.cmp(Path(c.left) / f, Path(c.right) / f, shallow=False)
            ]
            stack += c.subdirs.values()
        assert differing == [], folder


def test_every_demo_file_loads_and_balances(demo):
    _, results = demo
    assert len(results) == 140
    for r in results.values():
        assert r.rows_read == r.loaded + r.rows_excluded + r.rows_rejected + r.duplicate, r.path
    assert {r.status for r in results.values()} == {"ok", "partial"}


def test_the_demo_rejects_are_exactly_the_three_planted_ones(demo):
    wh, _ = demo
    rows = query(
        wh, "select regexp_extract(path, '[^/]+$'), line, column_name from rejected_row order by 1"
    )
    # planted by the generator: a 5-character CCN, 31 February, an empty Student ID
    assert rows == [
        ("260135-transcript-2026-09.csv", 2627, "Student ID"),
        ("HT05-Pre-test-grades.csv", 161, "Started on"),
        ("hospitals.csv", 10, "Facility ID"),
    ]


def test_the_older_moodle_re_export_never_overrides_the_current_one(demo):
    wh, results = demo
    older = [p for p in results if "/2026-06/" in p and "/completion-" in p]
    assert len(older) == 3
    for path in older:
        current = SAMPLE / "exports/moodle-mha" / Path(path).name
        with open(current, encoding="utf-8-sig", newline="") as fh:
            completed = sum(row["Course complete"] == "Completed" for row in csv.DictReader(fh))
        course = Path(path).stem.removeprefix("completion-")
        # counted independently from the current file: the older cut changed nothing
        assert query(
            wh,
            "select count(*) filter (where is_completed) from completion "
            "where tenant = 'mha' and course_key = $c",
            {"c": course},
        ) == [(completed,)], course


def test_a_second_load_of_the_demo_tier_loads_nothing(demo):
    wh, _ = demo
    results, version = load(SAMPLE, wh)
    assert version is None
    assert {r.status for r in results.values()} == {"unchanged"}
