"""Defects found in review, each pinned by the smallest input that showed it."""

import shutil

from conftest import EXPORTS, HS_HEADER, REFERENCE, load, query
from etl.context import mask_free_text, mask_value


def test_byte_identical_reports_of_two_courses_both_load(ref_only, tmp_path):
    # A new module nobody has started yet exports the same bytes as another course's report.
    one = tmp_path / "moodle-mha/completion-ht01.csv"
    one.parent.mkdir(parents=True)
    one.write_text(
        "ID,Name,Email address,Quiz,Quiz - Completion date,Course complete\n"
        "1,A B,a@alpha.org,Not completed,,Not completed\n"
    )
    two = one.with_name("completion-ht02.csv")
    shutil.copyfile(one, two)
    res, _ = load([one, two], ref_only)
    assert [(r.status, r.loaded) for r in res.values()] == [("ok", 1), ("ok", 1)]
    assert query(ref_only, "select course_key from completion order by 1") == [("ht01",), ("ht02",)]


def test_a_file_without_a_header_row_does_not_echo_its_first_row(ref_only, tmp_path):
    path = tmp_path / "noheader.csv"
    path.write_text("Lee,Ann,ann.lee@alpha.org,Finished\n")
    (r,) = load(path, ref_only)[0].values()
    assert r.status == "failed" and "The first row has 4 columns" in r.message
    assert "Lee" not in r.message and "alpha.org" not in r.message


def test_a_row_shifted_by_an_unquoted_comma_is_masked_whole(ref_only, tmp_path):
    path = tmp_path / "hs/260002-transcript-2026-11.csv"
    path.parent.mkdir()
    path.write_text(
        HS_HEADER
        + "000901,Smith, Jr.,Harold,ED,Registered Nurse,HS-HT101,Human Trafficking 101,Complete,"
        "6/15/2026,85,1.0\n"
        "000902,Roe,Sam,ED,Registered Nurse,HS-HT101,Human Trafficking 101,Complete,6/15/2026,"
        "85,1.0\n"
    )
    (r,) = load(path, ref_only)[0].values()
    assert (r.rows_read, r.loaded, r.rows_rejected) == (2, 1, 1)
    record = r.rejects[0]["record"]
    assert "Harold" not in record and "Smith" not in record and "Jr" not in record


def test_an_item_listed_twice_in_a_long_format_attempt_counts_once(ref_only, tmp_path):
    path = tmp_path / "long/dup.csv"
    path.parent.mkdir()
    path.write_text(
        "learner,module,phase,attempt,item,points,max_points,submitted_at\n"
        "pat@prairie.org,NHA-HT01,pre,1,M01-I01,1,1,2026-03-04T15:01:00Z\n"
        "pat@prairie.org,NHA-HT01,pre,1,M01-I01,1,1,2026-03-04T15:01:00Z\n"
        "pat@prairie.org,NHA-HT01,pre,1,M01-I02,0,1,2026-03-04T15:02:00Z\n"
    )
    (r,) = load(path, ref_only)[0].values()
    assert (r.rows_read, r.loaded, r.duplicate) == (3, 2, 1)
    # one of two items right: 50 %, not 2 of 3
    assert query(ref_only, "select grade_points, grade_max, score_pct from quiz_attempt") == [
        (1.0, 2.0, 50.0)
    ]
    assert query(ref_only, "select count(*) from quiz_item_response") == [(2,)]


def test_masking_keeps_only_the_domain_of_any_address():
    assert mask_value("Ann Lee <ann.lee@Alpha.org>") == "***@alpha.org"
    assert mask_value("josé.pérez@alpha.org") == "***@alpha.org"
    assert mask_value("Harold") == "***"
    assert mask_free_text("call josé.pérez@alpha.org today") == "call ***@alpha.org today"


def _completion(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "ID,Name,Email address,Quiz,Quiz - Completion date,Course complete\n" + "".join(rows)
    )


def test_a_partial_newer_export_updates_its_records_whatever_the_other_files_dates(
    ref_only, tmp_path
):
    full = tmp_path / "a/moodle-mha/completion-ht01.csv"  # X done 15 June, Z not started
    _completion(
        full,
        [
            '1,X X,x@alpha.org,Completed,"15/06/26, 10:00",Completed\n',
            "2,Z Z,z@alpha.org,Not completed,,Not completed\n",
        ],
    )
    partial = tmp_path / "b/moodle-mha/completion-ht01.csv"  # only Z, done 10 June
    _completion(partial, ['2,Z Z,z@alpha.org,Completed,"10/06/26, 09:00",Completed\n'])
    load(full, ref_only)
    (r,) = load(partial, ref_only)[0].values()
    assert (r.loaded, r.duplicate) == (1, 0)
    assert query(
        ref_only,
        "select email_domain, count(*) filter (where is_completed) from completion group by 1",
    ) == [("alpha.org", 2)]


def test_the_same_two_exports_in_the_other_order_end_the_same(ref_only, tmp_path):
    full = tmp_path / "a/moodle-mha/completion-ht01.csv"
    _completion(
        full,
        [
            '1,X X,x@alpha.org,Completed,"15/06/26, 10:00",Completed\n',
            "2,Z Z,z@alpha.org,Not completed,,Not completed\n",
        ],
    )
    partial = tmp_path / "b/moodle-mha/completion-ht01.csv"
    _completion(partial, ['2,Z Z,z@alpha.org,Completed,"10/06/26, 09:00",Completed\n'])
    load(partial, ref_only)
    (r,) = load(full, ref_only)[0].values()
    # X is new; Z's 'not started' carries no date and is older than the stored completion
    assert (r.loaded, r.duplicate) == (1, 1)
    assert query(ref_only, "select count(*) filter (where is_completed) from completion") == [(2,)]


def test_an_executable_renamed_csv_is_called_binary_not_utf16(ref_only, tmp_path):
    path = tmp_path / "ls.csv"
    path.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(0, 9)) * 40 + b"\x00" * 2000)
    (r,) = load(path, ref_only)[0].values()
    assert r.status == "failed" and "not a text export: binary byte 0x00" in r.message


def test_an_unreadable_duration_is_rejected_not_silently_dropped(ref_only, tmp_path):
    path = tmp_path / "moodle-mha/quiz/HT01-Pre-test-grades.csv"
    path.parent.mkdir(parents=True)
    head = (
        "Surname,First name,Email address,State,Started on,Completed,Time taken,Grade/3.00,"
        "Q. 1 /1.00,Q. 2 /1.00,Q. 3 /1.00\n"
    )
    row = (
        "Lee,Ann,ann@alpha.org,Finished,5 January 2026  3:04 PM,5 January 2026  3:16 PM,{},"
        "3.00,1,1,1\n"
    )
    path.write_text(
        head + row.format("25:13") + row.format("about ten minutes").replace("3:04", "4:04")
    )
    (r,) = load(path, ref_only)[0].values()
    assert (r.loaded, r.rows_rejected) == (1, 1)
    assert (r.rejects[0]["line"], r.rejects[0]["column"]) == (3, "Time taken")
    assert query(ref_only, "select duration_s from quiz_attempt") == [(1513,)]  # 25:13 = 1513 s


def test_an_excel_date_serial_in_a_transcript_reads_as_its_date(ref_only, tmp_path):
    path = tmp_path / "hs/260002-transcript-2026-12.csv"
    path.parent.mkdir()
    path.write_text(
        HS_HEADER
        + "000903,Poe,Al,ED,Registered Nurse,HS-HT101,Human Trafficking 101,Complete,46023,90,1.0\n"
    )
    load(path, ref_only)
    # serial 46023 = 2026-01-01, local midnight CST = 06:00 UTC
    assert query(ref_only, "select completed_at::varchar from completion") == [
        ("2026-01-01 06:00:00+00",)
    ]


def test_contradicting_date_orders_name_the_column(ref_only, tmp_path):
    path = tmp_path / "elsewhere/completion-ht01.csv"
    _completion(
        path,
        [
            '1,A B,a@alpha.org,Completed,"25/04/26, 10:00",Completed\n',
            '2,C D,c@alpha.org,Completed,"4/25/26, 10:00",Completed\n',
        ],
    )
    (r,) = load(path, ref_only)[0].values()
    assert "line 2, column 'Quiz - Completion date': dates contradict each other" in r.message


def test_an_alias_of_the_files_own_system_beats_a_system_less_one(loaded, tmp_path):
    ref = tmp_path / "ref"
    shutil.copytree(REFERENCE, ref)
    aliases = ref / "module_aliases.csv"
    # 'Human Trafficking 101' is M01 for every system; for healthstream it is now M02.
    aliases.write_text(
        aliases.read_text().replace("M01,healthstream,course_id,HS-HT101,,\n", "")
        + "M02,healthstream,course_title,Human Trafficking 101,,\n"
    )
    load([aliases, EXPORTS / "hs/260002-transcript-2026-06.csv"], loaded)
    # Hal's completion of 15 June (stored from this very file) now maps through the
    # healthstream title alias.
    assert query(
        loaded,
        "select module_id from completion where system = 'healthstream' "
        "and completed_at = '2026-06-15 05:00:00+00'",
    ) == [("M02",)]


def test_a_stray_quote_says_how_many_lines_it_swallowed(ref_only, tmp_path):
    path = tmp_path / "long/q.csv"
    path.parent.mkdir()
    head = "learner,module,phase,attempt,item,points,max_points,submitted_at\n"
    row = "pat@prairie.org,NHA-HT01,pre,1,M01-I0{},1,1,2026-03-04T15:01:00Z\n"
    path.write_text(
        head + row.format(1) + 'pat@prairie.org,"NHA-HT01,pre\n' + row.format(2) + row.format(3)
    )
    (r,) = load(path, ref_only)[0].values()
    assert (r.rows_read, r.loaded, r.rows_rejected) == (2, 1, 1)
    assert r.rejects[0]["line"] == 3
    assert (
        "The open quote runs to line 5: those 2 lines were read as part of this record"
        in (r.rejects[0]["reason"])
    )
