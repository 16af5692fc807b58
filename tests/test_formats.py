"""One fixture per export format, quirks included; every expected value worked out by hand.

Times: America/Chicago is UTC-6 in January (CST) and UTC-5 from March to November (CDT).
"""

from conftest import EXPORTS, REFERENCE, load, query


def counts(r):
    return (r.rows_read, r.loaded, r.rows_excluded, r.rows_rejected, r.duplicate)


def test_moodle_completion_report_with_bom_day_first_dates_and_a_bad_date(warehouse):
    res, _ = load([REFERENCE, EXPORTS / "moodle-mha/completion-ht01.csv"], warehouse)
    r = res["moodle-mha/completion-ht01.csv"]
    assert r.format == "moodle_completion"
    assert counts(r) == (4, 3, 0, 1, 0)
    # Ann completed 14/01/26 10:00 CST = 16:00 UTC; Bo started only; Cy did nothing.
    rows = query(
        warehouse,
        """select email_domain, hospital_ccn, attribution, role, status,
                                      is_started, is_completed, completed_at::varchar
                               from completion order by email_domain""",
    )
    assert rows == [
        ("alpha.org", "260001", "domain", "RN", "completed", True, True, "2026-01-14 16:00:00+00"),
        ("gmail.com", None, "none", None, "not_started", False, False, None),
        ("heartland.org", None, "none", "security", "in_progress", True, False, None),
    ]
    # Cy's 'Chaplain' is not in role_map.csv: counted for the worklist, role left unknown
    assert query(warehouse, "select kind, value, n_rows from unmapped_value") == [
        ("job_title", "Chaplain", 1)
    ]
    assert r.rejects == [
        {
            "line": 5,
            "column": "Pre-test - Completion date",
            "reason": "date is not d/mm/yy, HH:MM (day first for this source)",
            "record": r.rejects[0]["record"],
        }
    ]


def test_moodle_completion_in_cp1252_with_month_first_dates(warehouse):
    res, _ = load([REFERENCE, EXPORTS / "moodle-kha/completion-ht02.csv"], warehouse)
    assert counts(res["moodle-kha/completion-ht02.csv"]) == (1, 1, 0, 0, 0)
    # 1/13/26 14:12 is 13 January (month first), 14:12 CST = 20:12 UTC.
    assert query(
        warehouse, "select tenant, module_id, hospital_ccn, completed_at::varchar from completion"
    ) == [("kha", "M02", "171300", "2026-01-13 20:12:00+00")]


def test_moodle_quiz_grades_keep_finished_attempts_and_map_positions_to_items(warehouse):
    res, _ = load([REFERENCE, EXPORTS / "moodle-mha/quiz"], warehouse)
    pre, post = (
        res["moodle-mha/quiz/HT01-Pre-test-grades.csv"],
        res["moodle-mha/quiz/HT01-Post-test-grades.csv"],
    )
    # pre: Ann finished (loaded), Cy in progress and the average row (excluded), 31 Feb (rejected)
    assert counts(pre) == (4, 1, 2, 1, 0)
    assert pre.excluded == {"summary_row": 1, "unfinished_attempt": 1}
    assert (pre.rejects[0]["line"], pre.rejects[0]["column"]) == (4, "Started on")
    assert counts(post) == (2, 1, 1, 0, 0)
    # 5 January 2026 3:04 PM CST = 21:04 UTC; 12 mins 5 secs = 725 s; 2.00/3.00 = 66.6667 %.
    attempts = query(
        warehouse,
        """select phase, quiz_version, started_at::varchar, duration_s,
           grade_points, score_pct from quiz_attempt order by phase""",
    )
    assert attempts == [
        ("post", "M01-post-v1", "2026-01-14 15:40:00+00", 3720, 2.0, 66.6667),
        ("pre", "M01-pre-v1", "2026-01-05 21:04:00+00", 725, 2.0, 66.6667),
    ]
    # The post-test shuffles: position 1 is item I03, 2 is I01, 3 is I02 (left blank: '-').
    items = query(
        warehouse,
        """select a.phase, r.item_id, r.points, r.is_correct
                                from quiz_item_response r join quiz_attempt a using (attempt_id)
                                order by a.phase, r.item_id""",
    )
    assert items == [
        ("post", "M01-I01", 1.0, True),
        ("post", "M01-I02", None, False),
        ("post", "M01-I03", 1.0, True),
        ("pre", "M01-I01", 1.0, True),
        ("pre", "M01-I02", 0.0, False),
        ("pre", "M01-I03", 1.0, True),
    ]


def test_healthstream_transcript_in_utf16_through_the_shipped_column_map(warehouse):
    res, _ = load([REFERENCE, EXPORTS / "hs/260002-transcript-2026-06.csv"], warehouse)
    r = res["hs/260002-transcript-2026-06.csv"]
    assert r.format == "healthstream_transcript"
    # Hal and Jo loaded; the fire-safety course and the 'Total Records' row excluded; no ID rejected
    assert counts(r) == (5, 2, 2, 1, 0)
    assert r.excluded == {"course_not_in_catalog": 1, "summary_row": 1}
    assert (r.rejects[0]["line"], r.rejects[0]["column"]) == (5, "Student ID")
    rows = query(
        warehouse,
        """select hospital_ccn, attribution, role, department, status,
                                      completed_at::varchar, score_pct, contact_hours
                               from completion order by status""",
    )
    # 6/15/2026 is a local date: midnight CDT = 05:00 UTC. '85%' -> 85; 'N/A' -> no score.
    assert rows == [
        ("260002", "file", "RN", "Emergency", "completed", "2026-06-15 05:00:00+00", 85.0, 1.0),
        ("260002", "file", "security", "Security", "in_progress", None, None, None),
    ]
    assert query(warehouse, "select kind, value, n_rows from unmapped_value") == [
        ("course", "FIRE-2026", 1)
    ]


def test_scorm_cloud_registrations_with_iso_z_times(warehouse):
    res, _ = load([REFERENCE, EXPORTS / "scorm"], warehouse)
    assert counts(res["scorm/registrations-2026-09.csv"]) == (2, 2, 0, 0, 0)
    rows = query(
        warehouse,
        """select email_domain, hospital_ccn, status, first_access_at::varchar,
                                      completed_at::varchar, score_pct, time_spent_s
                               from completion order by email_domain""",
    )
    assert rows == [
        ("nowhere.org", None, "in_progress", "2026-03-05 10:00:00+00", None, None, 300),
        (
            "prairie.org",
            "171300",
            "completed",
            "2026-03-04 15:00:00+00",
            "2026-03-04 15:25:13+00",
            92.0,
            1513,
        ),
    ]


def test_long_quiz_format_groups_rows_into_attempts_and_counts_rows(warehouse):
    res, _ = load([REFERENCE, EXPORTS / "long"], warehouse)
    r = res["long/nha-quiz.csv"]
    # 4 rows: I01 and I02 form the attempt, I09 is not in the catalog, I03 scores 2 of 1.
    assert counts(r) == (4, 2, 1, 1, 0)
    assert r.excluded == {"item_not_in_catalog": 1}
    assert query(
        warehouse,
        "select quiz_key, attempt_key, grade_points, grade_max, score_pct from quiz_attempt",
    ) == [("M01:pre", "1", 1.0, 2.0, 50.0)]


def test_reference_files_load_and_a_five_character_ccn_is_rejected_not_padded(warehouse):
    res, _ = load(REFERENCE, warehouse)
    assert counts(res["hospitals.csv"]) == (5, 4, 0, 1, 0)
    assert res["hospitals.csv"].rejects[0]["line"] == 6
    assert query(warehouse, "select count(*) from hospital where ccn like '%26004%'") == [(0,)]
    assert query(warehouse, "select domain, ccn from hospital_domain order by all") == [
        ("alpha.org", "260001"),
        ("beta.org", "260003"),
        ("heartland.org", "260002"),
        ("heartland.org", "260003"),
        ("prairie.org", "171300"),
    ]
    assert query(
        warehouse, "select cidr from hospital_network where ccn = '260003' order by 1"
    ) == [("198.18.3.0/24",), ("2001:db8:3::/48",)]
    assert query(warehouse, "select has_emergency_services from hospital where ccn = '260001'") == [
        (True,)
    ]
    assert all(r.status in ("ok", "partial") for r in res.values())
