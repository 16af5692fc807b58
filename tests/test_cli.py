"""The command line: load --json, status and rejects."""

import json

from conftest import EXPORTS, REFERENCE
from etl.__main__ import EXIT_PARTIAL, main


def test_load_json_prints_one_balanced_record_per_file(warehouse, capsys):
    code = main(["--warehouse", str(warehouse), "load", str(REFERENCE), str(EXPORTS), "--json"])
    records = json.loads(capsys.readouterr().out)
    assert code == EXIT_PARTIAL  # planted rejects
    assert len(records) == 22
    keys = {
        "file",
        "format",
        "rows_read",
        "rows_loaded",
        "rows_excluded",
        "rows_rejected",
        "rows_duplicate",
        "status",
        "message",
    }
    for r in records:
        assert set(r) == keys
        assert r["rows_read"] == (
            r["rows_loaded"] + r["rows_excluded"] + r["rows_rejected"] + r["rows_duplicate"]
        )
    assert (
        sum(r["rows_read"] for r in records) == 69
    )  # reference 42 + exports 25, counted by hand per file
    assert sum(r["rows_rejected"] for r in records) == 5


def test_status_reports_each_source_with_rows_dates_and_rejects(loaded, capsys):
    main(["--warehouse", str(loaded), "status", "--json"])
    rows = {(r["format"], r["system"], r["tenant"]): r for r in json.loads(capsys.readouterr().out)}
    hs = rows[("healthstream_transcript", "healthstream", "heartland")]
    assert (hs["files"], hs["rows_read"], hs["rows_loaded"], hs["rejects"]) == (2, 7, 3, 1)
    assert (hs["first_event"], hs["last_event"]) == ("2026-06-15", "2026-08-20")
    mc = rows[("moodle_completion", "moodle", "mha")]
    assert (mc["files"], mc["rows_read"], mc["rows_loaded"]) == (2, 5, 4)


def test_rejects_lists_file_line_column_reason_and_a_masked_record(loaded, capsys):
    main(["--warehouse", str(loaded), "rejects", "--file", "transcript", "--json"])
    (row,) = json.loads(capsys.readouterr().out)
    assert row["file"].endswith("260002-transcript-2026-06.csv")
    assert (row["line"], row["column"]) == (5, "Student ID")
    assert row["reason"] == "no learner ID or e-mail: cannot identify the learner"
    assert '"First Name": "***"' in row["record"]
    main(["--warehouse", str(loaded), "rejects"])
    text = capsys.readouterr().out
    assert "Started on" in text and "Facility ID" in text
