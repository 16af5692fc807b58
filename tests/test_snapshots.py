"""Row accounting, idempotency, and the newest-snapshot rule."""

import shutil

from conftest import EXPORTS, HS_HEADER, REFERENCE, load, query

TABLES = ("completion", "quiz_attempt", "quiz_item_response", "learner")


def table_counts(warehouse):
    return {t: query(warehouse, f"select count(*) from {t}")[0][0] for t in TABLES}


def test_every_fixture_file_balances_read_against_loaded_excluded_rejected_duplicate(warehouse):
    res, _ = load([REFERENCE, EXPORTS], warehouse)
    assert len(res) == 22
    for r in res.values():
        assert r.rows_read == r.loaded + r.rows_excluded + r.rows_rejected + r.duplicate, r.path
        assert r.status in ("ok", "partial"), (r.path, r.message)
    logged = query(
        warehouse,
        "select count(*) from load_log where rows_read = rows_loaded + "
        "rows_excluded + rows_rejected + rows_duplicate",
    )
    assert logged == [(22,)]


def test_loading_the_same_files_twice_changes_nothing(loaded):
    before = table_counts(loaded)
    res, version = load([REFERENCE, EXPORTS], loaded)
    assert version is None  # nothing new: the warehouse file is not even rebuilt
    assert {r.status for r in res.values()} == {"unchanged"}
    assert all(r.duplicate == r.rows_read and r.loaded == 0 for r in res.values())
    assert table_counts(loaded) == before


def test_an_older_re_export_loaded_after_the_newer_one_changes_nothing(ref_only):
    load(EXPORTS / "moodle-mha/completion-ht01.csv", ref_only)
    res, _ = load(EXPORTS / "moodle-mha/2026-01/completion-ht01.csv", ref_only)
    r = res["moodle-mha/2026-01/completion-ht01.csv"]
    assert (r.loaded, r.duplicate) == (0, 1)
    assert query(ref_only, "select status from completion where email_domain = 'alpha.org'") == [
        ("completed",)
    ]


def test_a_newer_export_updates_the_record_in_place(ref_only):
    load(EXPORTS / "moodle-mha/2026-01/completion-ht01.csv", ref_only)
    assert query(ref_only, "select status from completion") == [("in_progress",)]
    res, _ = load(EXPORTS / "moodle-mha/completion-ht01.csv", ref_only)
    assert res["moodle-mha/completion-ht01.csv"].loaded == 3
    assert query(
        ref_only, "select count(*), max(status) from completion where email_domain = 'alpha.org'"
    ) == [(1, "completed")]


def test_a_re_export_with_ids_missing_their_leading_zeros_meets_the_same_learners(ref_only):
    load(EXPORTS / "hs/260002-transcript-2026-06.csv", ref_only)
    res, _ = load(EXPORTS / "hs/260002-transcript-2026-09.csv", ref_only)
    r = res["hs/260002-transcript-2026-09.csv"]
    # 4512 equals 004512 with the same values (85 = 85%): duplicate; 4513 completed since: update.
    assert (r.rows_read, r.loaded, r.duplicate) == (2, 1, 1)
    assert query(ref_only, "select count(*), count(distinct learner_id) from completion") == [
        (2, 2)
    ]
    assert query(ref_only, "select count(*) from learner") == [(2,)]


def test_an_attempt_moving_from_in_progress_to_finished_is_loaded_once(ref_only, tmp_path):
    header = (
        "Surname,First name,Email address,State,Started on,Completed,Time taken,"
        "Grade/3.00,Q. 1 /1.00,Q. 2 /1.00,Q. 3 /1.00\n"
    )
    older = tmp_path / "old/moodle-mha/quiz/HT01-Post-test-grades.csv"
    newer = tmp_path / "new/moodle-mha/quiz/HT01-Post-test-grades.csv"
    for path, row in (
        (older, "Lee,Ann,ann.lee@alpha.org,In progress,14 January 2026  9:40 AM,-,-,-,1.00,-,-\n"),
        (
            newer,
            "Lee,Ann,ann.lee@alpha.org,Finished,14 January 2026  9:40 AM,"
            "14 January 2026  9:52 AM,12 mins,3.00,1.00,1.00,1.00\n",
        ),
    ):
        path.parent.mkdir(parents=True)
        path.write_text(header + row)
    first, _ = load(older, ref_only)
    assert first["HT01-Post-test-grades.csv"].excluded == {"unfinished_attempt": 1}
    second, _ = load(newer, ref_only)
    assert second["HT01-Post-test-grades.csv"].loaded == 1
    regraded = newer.with_name("x").parent.parent.parent / "regraded/moodle-mha/quiz"
    regraded.mkdir(parents=True)
    (regraded / "HT01-Post-test-grades.csv").write_text(
        header + "Lee,Ann,ann.lee@alpha.org,Finished,14 January 2026  9:40 AM,"
        "14 January 2026  9:52 AM,12 mins,2.00,1.00,1.00,0.00\n"
    )
    third, _ = load(regraded / "HT01-Post-test-grades.csv", ref_only)
    # Same attempt (same Started on), same export time, new grade: updated in place.
    assert third["HT01-Post-test-grades.csv"].loaded == 1
    assert query(ref_only, "select count(*), max(grade_points) from quiz_attempt") == [(1, 2.0)]
    assert query(ref_only, "select count(*), sum(is_correct::int) from quiz_item_response") == [
        (3, 2)
    ]


def test_a_catalog_edit_makes_the_next_load_re_read_files_it_excluded_rows_from(loaded, tmp_path):
    ref = tmp_path / "ref"
    shutil.copytree(REFERENCE, ref)
    aliases = ref / "module_aliases.csv"
    aliases.write_text(aliases.read_text() + "M02,healthstream,course_id,FIRE-2026,,\n")
    res, _ = load(
        [ref / "module_aliases.csv", EXPORTS / "hs/260002-transcript-2026-06.csv"], loaded
    )
    r = res["hs/260002-transcript-2026-06.csv"]
    # Read again: Kay's course now maps (loaded); Hal and Jo are already there (duplicate: Jo's
    # newer September record wins); the summary row and the blank ID stay as they were.
    assert (r.status, r.rows_read, r.loaded, r.duplicate, r.rows_excluded, r.rows_rejected) == (
        "partial",
        5,
        1,
        2,
        1,
        1,
    )
    assert query(
        loaded,
        "select count(*) from completion where module_id = 'M02' and system = 'healthstream'",
    ) == [(1,)]


def test_a_course_listed_twice_in_one_transcript_keeps_the_latest_completion(ref_only, tmp_path):
    # A refresher retake: the transcript lists the course in 2025 and again in 2026.
    path = tmp_path / "hs/260002-transcript-2026-10.csv"
    path.parent.mkdir()
    path.write_text(
        HS_HEADER
        + "000777,Roe,Sam,Emergency,Registered Nurse,HS-HT101,Human Trafficking 101,Complete,"
        "3/2/2026,95,1.0\n"
        "777,Roe,Sam,Emergency,Registered Nurse,HS-HT101,Human Trafficking 101,Complete,"
        "4/10/2025,80,1.0\n"
    )
    r = load(path, ref_only)[0]["260002-transcript-2026-10.csv"]
    assert (r.rows_read, r.loaded, r.duplicate) == (2, 1, 1)
    # 3/2/2026 is 2 March (month first), local midnight CST = 06:00 UTC
    assert query(ref_only, "select completed_at::varchar, score_pct from completion") == [
        ("2026-03-02 06:00:00+00", 95.0)
    ]
