"""Bad files get a clear error naming file, line and column; the rest of the run still loads."""

import json
import zipfile

import pytest

from conftest import EXPORTS, HS_HEADER, load, query
from etl.__main__ import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, main

QUIZ_HEADER = (
    "Surname,First name,Email address,State,Started on,Completed,Time taken,"
    "Grade/3.00,Q. 1 /1.00,Q. 2 /1.00,Q. 3 /1.00\n"
)


@pytest.fixture
def bad(tmp_path):
    def write(name: str, data: bytes | str) -> str:
        path = tmp_path / "bad" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    return write


def only(res):
    (r,) = res.values()
    return r


def test_an_empty_file_is_reported_as_empty(ref_only, bad):
    r = only(load(bad("empty.csv", b""), ref_only)[0])
    assert r.status == "failed"
    assert "empty.csv, line 1: file is empty: expected a header row" in r.message


def test_a_header_only_file_says_a_record_was_expected_on_line_2(ref_only, bad):
    r = only(load(bad("moodle-mha/quiz/HT01-Pre-test-grades.csv", QUIZ_HEADER), ref_only)[0])
    assert r.status == "failed"
    assert "line 2: header only: expected at least one record after the header" in r.message


def test_a_workbook_renamed_csv_is_named_for_what_it_is(ref_only, bad, tmp_path):
    book = tmp_path / "book.xlsx"
    with zipfile.ZipFile(book, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    r = only(load(bad("completion-ht01.csv", book.read_bytes()), ref_only)[0])
    assert r.status == "failed"
    assert "not a text export: the file is a ZIP container (an .xlsx workbook?)" in r.message


def test_binary_bytes_are_not_read_as_text(ref_only, bad):
    r = only(load(bad("noise.csv", b"ID,Name\n\x00\x01\x02\x03garbage"), ref_only)[0])
    assert "not a text export: binary byte 0x00 at offset 8" in r.message


def test_an_unknown_header_lists_the_formats_expected(ref_only, bad):
    r = only(load(bad("mystery.csv", "foo,bar,baz\n1,2,3\n"), ref_only)[0])
    assert r.status == "failed"
    assert "line 1: unknown format" in r.message and "The first row has 3 columns" in r.message


def test_a_column_named_twice_fails_the_file_naming_both_columns(ref_only, bad):
    header = QUIZ_HEADER.replace("Q. 2 /1.00", "Q. 1 /1.00")  # columns 9 and 10
    row = "Doe,Jane,jane@alpha.org,Finished,1 March 2026  9:00 AM,1 March 2026  9:10 AM,"
    row += "10 mins,2.00,1.00,1.00,0.00\n"
    r = only(load(bad("moodle-mha/quiz/HT01-Pre-test-grades.csv", header + row), ref_only)[0])
    assert r.status == "failed"
    assert (
        "line 1, column 'Q. 1 /1.00': duplicate column 'Q. 1 /1.00' in the header (columns 9 "
        "and 10): expected each column name once"
    ) in r.message


def test_dates_that_never_show_a_day_above_12_are_ambiguous(ref_only, bad):
    # No sources.csv rule matches this folder, so the order must come from the file: it cannot.
    r = only(
        load(
            bad(
                "elsewhere/completion-ht01.csv",
                "ID,Name,Email address,Quiz,Quiz - Completion date,Course complete\n"
                '1,A B,a@alpha.org,Completed,"3/04/26, 10:00",Completed\n',
            ),
            ref_only,
        )[0]
    )
    assert r.status == "failed"
    assert (
        "completion-ht01.csv, line 2, column 'Quiz - Completion date': ambiguous date order"
    ) in r.message
    assert "expected date_order dmy or mdy" in r.message


def test_a_file_settles_its_own_date_order_when_a_day_is_above_12(ref_only, bad):
    res, _ = load(
        bad(
            "elsewhere/completion-ht01.csv",
            "ID,Name,Email address,Quiz,Quiz - Completion date,Course complete\n"
            '1,A B,a@alpha.org,Completed,"3/04/26, 10:00",Completed\n'
            '2,C D,c@alpha.org,Completed,"25/04/26, 10:00",Completed\n',
        ),
        ref_only,
    )
    assert only(res).loaded == 2
    # day first: 3 April 2026 10:00 CDT = 15:00 UTC
    assert query(ref_only, "select min(completed_at)::varchar from completion") == [
        ("2026-04-03 15:00:00+00",)
    ]


def test_a_truncated_row_is_rejected_with_its_line_and_the_rest_loads(ref_only, bad):
    text = (
        QUIZ_HEADER
        + "Lee,Ann,ann@alpha.org,Finished,5 January 2026  3:04 PM,5 January 2026  3:16 PM,"
        "12 mins,2.00,1.00,0.00,1.00\n"
        + "Dee,Cy,cy@alpha.org,Finished,5 January 2026  3:04 PM,5 Janu\n"
        + "Eve,Di,di@alpha.org,Finished,6 January 2026  3:04 PM,6 January 2026  3:16 PM,"
        "12 mins,3.00,1.00,1.00,1.00\n"
    )
    r = only(load(bad("moodle-mha/quiz/HT01-Pre-test-grades.csv", text), ref_only)[0])
    assert (r.rows_read, r.loaded, r.rows_rejected) == (3, 2, 1)
    assert r.rejects[0]["line"] == 3
    assert r.rejects[0]["reason"].startswith("missing columns")
    assert "cy@" not in r.rejects[0]["record"] and "***@alpha.org" in r.rejects[0]["record"]


def test_a_hospital_ccn_not_in_the_reference_fails_the_file(ref_only):
    r = only(load(EXPORTS / "scorm", ref_only, hospital="269999")[0])
    assert r.status == "failed"
    assert (
        "hospital CCN '269999' given for this file is not in the hospitals reference" in r.message
    )


def test_other_files_still_load_and_the_exit_code_tells_the_outcome(ref_only, bad, capsys):
    empty = bad("empty.csv", b"")
    wh = ["--warehouse", str(ref_only)]
    code = main([*wh, "load", str(EXPORTS / "scorm"), str(empty), "--json"])
    records = json.loads(capsys.readouterr().out)
    assert code == EXIT_FAILED
    assert [(r["status"], r["rows_loaded"]) for r in records] == [("failed", 0), ("ok", 2)]
    assert main([*wh, "load", str(EXPORTS / "hs/260002-transcript-2026-06.csv")]) == EXIT_PARTIAL
    assert main([*wh, "load", str(EXPORTS / "hs/260002-transcript-2026-09.csv")]) == EXIT_OK


def test_a_missing_path_is_an_error_not_an_empty_load(ref_only, capsys):
    assert main(["--warehouse", str(ref_only), "load", "/no/such/dir"]) == EXIT_FAILED
    assert "/no/such/dir: no such file or folder" in capsys.readouterr().err


HS_ROW = (
    "{id},Gee,Hal,{dept},Registered Nurse,HS-HT101,Human Trafficking 101,Complete,6/15/2026,85,1.0"
)


def test_a_field_past_duckdbs_line_limit_is_rejected_with_its_line_and_column(ref_only, bad):
    # 3 MB: past DuckDB's default 2 MiB max_line_size, where DuckDB rejects the line without a
    # column (and past about 30 MB drops it without a reject: the corpus's 50 MB case).
    rows = [HS_ROW.format(id=4501, dept="Emergency"), HS_ROW.format(id=4502, dept="A" * 3_000_000)]
    rows.append(HS_ROW.format(id=4503, dept="Security"))
    text = HS_HEADER.replace("\n", "\r\n") + "".join(r + "\r\n" for r in rows)
    r = only(load(bad("hs/260002-transcript-2026-10.csv", text), ref_only)[0])
    assert (r.status, r.rows_read, r.loaded, r.rows_rejected, r.duplicate) == (
        "partial",
        3,
        2,
        1,
        0,
    )
    assert [(x["line"], x["column"], x["reason"]) for x in r.rejects] == [
        (
            3,
            "Department",
            "field of 3,000,000 characters: expected at most 65,536; the record is not loaded",
        )
    ]
    assert len(r.rejects[0]["record"]) < 300  # the stored record does not carry the field
    assert query(ref_only, "select department from learner order by department") == [
        ("Emergency",),
        ("Security",),
    ]


def test_a_field_one_character_over_the_limit_is_rejected_and_one_at_the_limit_loads(ref_only, bad):
    """Moodle completion here, HealthStream above: the limit is applied where every CSV export
    and reference file is staged, whatever its adapter."""
    header = "ID,Name,Email address,Job title,Quiz,Quiz - Completion date,Course complete\n"
    row = '{n},A B,a{n}@alpha.org,{title},Completed,"13/01/26, 10:00",Completed\n'
    text = (
        header
        + row.format(n=1, title="N" * 65_536)
        + row.format(n=2, title="N" * 65_537)
        + row.format(n=3, title="Registered Nurse")
    )
    r = only(load(bad("moodle-mha/completion-ht01.csv", "\ufeff" + text), ref_only)[0])
    assert (r.rows_read, r.loaded, r.rows_rejected) == (3, 2, 1)
    assert [(x["line"], x["column"], x["reason"]) for x in r.rejects] == [
        (
            3,
            "Job title",
            "field of 65,537 characters: expected at most 65,536; the record is not loaded",
        )
    ]


LONG_QUIZ = [
    "learner,module,phase,attempt,item,points,max_points,submitted_at",
    "pat@prairie.org,NHA-HT01,pre,1,M01-I01,1,1,2026-03-04T15:01:00Z",
    "pat@prairie.org,NHA-HT01,pre,1,M01-I02,0,1,2026-03-04T15:02:00Z",
    "pat@prairie.org,NHA-HT01,pre,1,M01-I03,1,1,2026-03-04T15:03:00Z",
    "pat@prairie.org,NHA-HT01,pre,2,M01-I03,2,1,2026-03-04T15:04:00Z",
]


@pytest.mark.parametrize(
    "ends",
    [("\r\n", "\n", "\r\n", "\n", "\r\n"), ("\r\n", "\n", "\r", "\n", ""), ("\r",) * 5],
    ids=["crlf-and-lf", "a-lone-cr", "old-mac-cr-only"],
)
def test_mixed_and_lone_cr_line_ends_load_every_record_with_rejects_on_their_own_lines(
    ref_only, bad, ends
):
    text = "".join(line + end for line, end in zip(LONG_QUIZ, ends, strict=True))
    r = only(load(bad("long/nha-quiz-2.csv", text), ref_only)[0])
    assert (r.status, r.rows_read, r.loaded, r.rows_rejected) == ("partial", 4, 3, 1)
    assert [(x["line"], x["column"], x["reason"]) for x in r.rejects] == [
        (5, "points", "points outside 0-max_points")
    ]
    assert query(ref_only, "select item_id, points from quiz_item_response order by item_id") == [
        ("M01-I01", 1.0),
        ("M01-I02", 0.0),
        ("M01-I03", 1.0),
    ]
