"""The committed demo tier: the generator reproduces it, and every row of every file counts."""

import csv
import filecmp
import gzip
import ipaddress
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import load, query

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def demo(demo_load):
    return demo_load


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
    assert len(results) == 171
    for r in results.values():
        assert r.rows_read == r.loaded + r.rows_excluded + r.rows_rejected + r.duplicate, r.path
    assert {r.status for r in results.values()} == {"ok", "partial"}


def test_the_demo_rejects_are_exactly_the_four_planted_ones(demo):
    wh, _ = demo
    rows = query(
        wh, "select regexp_extract(path, '[^/]+$'), line, column_name from rejected_row order by 1"
    )
    # planted by the generator: a 5-character CCN, 31 February, an empty Student ID, a log line
    # cut short
    assert rows == [
        ("260135-transcript-2026-09.csv", 2627, "Student ID"),
        ("HT05-Pre-test-grades.csv", 161, "Started on"),
        ("access.log-20260401.gz", 853, "line"),
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


def test_the_re_sent_log_adds_exactly_the_hour_missing_from_the_june_file(demo):
    wh, _ = demo
    resent = SAMPLE / "exports/toolkit-web/resent/access.log-20260603-resent.gz"
    with open(SAMPLE / "reference/toolkit_resources.csv", encoding="utf-8") as fh:
        paths = {r["url_path"].rstrip("/").lower() for r in csv.DictReader(fh)}
    # counted here with a plain parser: human GETs of catalog paths with a 2xx status, 09:00-10:00
    new = 0
    with gzip.open(resent, "rt") as fh:
        lines = fh.read().splitlines()
    for line in lines:
        m = re.match(
            r'\S+ \S+ \S+ \[03/Jun/2026:09:[^\]]+\] "(\S+) (\S+)[^"]*" (\d+) \S+ "[^"]*" "([^"]*)"',
            line,
        )
        if not m:
            continue
        method, target, status, agent = m.groups()
        bot = re.search(r"bot|crawl|spider|python-requests|curl/", agent, re.I)
        if (
            method == "GET"
            and status.startswith("2")
            and target.split("?")[0].rstrip("/") in paths
            and not bot
        ):
            new += 1
    assert new > 0
    assert query(
        wh,
        """select count(*) from download_event e join load_log l using (file_id)
           where l.path = $p and l.status in ('ok', 'partial')""",
        {"p": str(resent.resolve())},
    ) == [(new,)]


def test_the_planted_toolkit_and_survey_signals_are_in_the_warehouse(demo):
    wh, _ = demo
    # Hospitals with no request of any kind, worked out from the files: every client address of
    # the web logs and Download Monitor matched to the membership ranges, plus logged-in users'
    # e-mail domains.
    with open(SAMPLE / "reference/membership.csv", encoding="utf-8") as fh:
        members = list(csv.DictReader(fh))
    nets = [
        (ipaddress.ip_network(n), m["ccn"])
        for m in members
        for n in m["network_ranges"].split(";")
        if n
    ]
    domains = {}
    for m in members:
        for d in filter(None, m["email_domains"].split(";")):
            domains.setdefault(d, set()).add(m["ccn"])
    seen = set()

    def address(text):
        ip = ipaddress.ip_address(text)
        seen.update(c for n, c in nets if ip.version == n.version and ip in n)

    for f in (SAMPLE / "exports/toolkit-web").rglob("access.log*"):
        opener = gzip.open if f.suffix == ".gz" else open
        with opener(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                address(line.split(" ", 1)[0])
    for f in (SAMPLE / "exports/dlm-kha").glob("*.csv"):
        text = f.read_text(encoding="utf-8")
        for m in re.finditer(
            r'^"\d+",".*?","\d+","[^"]*","\d+","[^"]*","([^"]*)","([^"]*)"', text, re.M
        ):
            address(m[2])
            owners = domains.get(m[1].split("@")[-1].lower(), set())
            seen.update(owners if len(owners) == 1 else ())
    never = sorted({m["ccn"] for m in members} - seen)
    assert len(never) == 4
    assert [
        r[0]
        for r in query(
            wh,
            """select ccn from membership where ccn not in (select hospital_ccn from
               download_event where is_counted and hospital_ccn is not null) order by 1""",
        )
    ] == never
    # the hospital that answered twice in month 12: the later record is the current one
    assert query(
        wh,
        """select record_id, is_current from survey_response
           where hospital_ccn = '260380' and wave = 'month_12' order by record_id""",
    ) == [("22", False), ("28", True)]
    # record 15 left PE07 blank at month 12: unknown, not 'not started'
    assert query(
        wh,
        "select event_name, stage, stage_code from protocol_response "
        "where record_id = '15' and element_id = 'PE07' order by 1",
    ) == [("baseline_arm_1", "in_progress", 1), ("month_12_arm_1", "unknown", None)]
