"""HR headcount workbooks as HR departments send them: a sheet per hospital, or one long sheet."""

import io
import zipfile
from datetime import date, datetime

import openpyxl
from openpyxl.writer.excel import ExcelWriter

from conftest import REFERENCE, load, query


def save(wb, path, saved):
    """openpyxl's save() stamps the current time as 'modified'; its writer keeps ours."""
    wb.properties.modified = saved
    buf = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()
    path.write_bytes(buf.getvalue())
    return path


def per_hospital_workbook(path, saved=datetime(2026, 7, 2, 9, 0), nurses=40):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Heartland North"
    ws["A1"] = "Heartland Health System - Staff headcount"
    ws.merge_cells("A1:D1")
    ws["A2"] = "Facility: Heartland North (CCN 260002)"
    ws["A3"], ws["B3"] = "As of:", datetime(2026, 6, 30)
    ws.append([])
    ws.append(["Department", "Job Title", "Headcount", "FTE"])  # row 5
    ws.append(["Emergency", "Registered Nurse", nurses, 38.5])  # 6
    ws.append(["Emergency", "Security Officer", 6, 6.0])  # 7
    ws.append(["Pastoral Care", "Chaplain", 1, 0.5])  # 8: a title the role map does not know
    ws.append([])  # 9
    ws.append(["Total", None, "=SUM(C6:C8)", None])  # 10: a formula without a cached value
    wb.create_sheet("Notes")["A1"] = "Headcount excludes agency staff."
    return save(wb, path, saved)


def long_workbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Headcount"
    ws["A1"] = "Member hospital staff headcount, as of June 30, 2026"
    ws.merge_cells("A1:F1")
    ws.append(["CCN", "Hospital", "As-of Date", "Department", "Job Category", "Headcount"])  # 2
    as_of = datetime(2026, 6, 30)
    ws.append([260001, "Alpha", as_of, "Emergency", "Registered nurse", 25])  # 3: CCN as a number
    ws.append([260001, "Alpha", as_of, "Emergency", "Registered nurse", 5])  # 4: adds up
    ws.append([171300, "Prairie", as_of, "Nursing", "Security officer", 3])  # 5
    ws.append([26004, "Corrupt", as_of, "Nursing", "Registered nurse", 9])  # 6: 5 characters
    ws.append([260001, "Alpha", as_of, "Lab", "Registered nurse", "twelve"])  # 7
    ws.append([999999, "Nowhere", as_of, "Lab", "Registered nurse", 4])  # 8: unknown hospital
    ws.append([260001, "Alpha", as_of, "Lab", "Registered nurse", -2])  # 9
    return save(wb, path, datetime(2026, 7, 5, 12, 0))


def counts(r):
    return (r.rows_read, r.loaded, r.rows_excluded, r.rows_rejected, r.duplicate)


def test_a_sheet_per_hospital_takes_its_ccn_and_date_from_the_title_rows(tmp_path, warehouse):
    path = per_hospital_workbook(tmp_path / "heartland-headcount-2026-06-30.xlsx")
    res, _ = load([REFERENCE, path], warehouse)
    r = res[path.name]
    assert r.format == "hr_headcount_xlsx"
    assert counts(r) == (5, 3, 2, 0, 0)
    assert r.excluded == {"blank_row": 1, "summary_row": 1}
    assert query(
        warehouse,
        """select hospital_ccn, as_of_date::varchar, department, job_title, role, headcount, fte
           from staff_headcount order by job_title""",
    ) == [
        ("260002", "2026-06-30", "Pastoral Care", "Chaplain", None, 1, 0.5),
        ("260002", "2026-06-30", "Emergency", "Registered Nurse", "RN", 40, 38.5),
        ("260002", "2026-06-30", "Emergency", "Security Officer", "security", 6, 6.0),
    ]
    assert query(warehouse, "select kind, value, n_rows from unmapped_value") == [
        ("job_title", "Chaplain", 1)
    ]


def test_a_long_sheet_with_numeric_ccns_rejects_bad_rows_by_sheet_row_and_column(
    tmp_path, warehouse
):
    path = long_workbook(tmp_path / "member-headcount-2026-06-30.xlsx")
    res, _ = load([REFERENCE, path], warehouse)
    r = res[path.name]
    assert counts(r) == (7, 3, 0, 4, 0)
    assert sorted((x["line"], x["column"]) for x in r.rejects) == [
        (6, "CCN"),
        (7, "Headcount"),
        (8, "CCN"),
        (9, "Headcount"),
    ]
    five = next(x for x in r.rejects if x["line"] == 6)
    assert five["reason"].startswith("sheet 'Headcount', row 6: CCN has 5 characters")
    assert query(
        warehouse,
        """select hospital_ccn, department, role, headcount from staff_headcount
           order by hospital_ccn""",
    ) == [("171300", "Nursing", "security", 3), ("260001", "Emergency", "RN", 30)]


def test_a_re_sent_workbook_is_a_duplicate_and_a_newer_one_replaces_the_snapshot(
    tmp_path, warehouse
):
    for sub in "abc":
        (tmp_path / sub).mkdir()
    first = per_hospital_workbook(tmp_path / "a" / "heartland.xlsx")
    res, _ = load([REFERENCE, first], warehouse)
    # the same figures saved again later: nothing changes
    same = per_hospital_workbook(tmp_path / "b" / "heartland-copy.xlsx", datetime(2026, 8, 1))
    res, _ = load([REFERENCE, first, same], warehouse)
    assert counts(res["heartland-copy.xlsx"]) == (5, 0, 2, 0, 3)
    # a corrected workbook saved later replaces the 2026-06-30 snapshot of Heartland North
    fixed = per_hospital_workbook(tmp_path / "c" / "heartland-fixed.xlsx", datetime(2026, 9, 1), 44)
    res, _ = load([REFERENCE, first, same, fixed], warehouse)
    assert counts(res["heartland-fixed.xlsx"]) == (5, 3, 2, 0, 0)
    assert query(
        warehouse,
        "select sum(headcount), count(*) from staff_headcount where as_of_date = $d",
        {"d": date(2026, 6, 30)},
    ) == [(51, 3)]


def test_a_workbook_without_a_headcount_table_fails_and_says_what_was_expected(tmp_path, warehouse):
    wb = openpyxl.Workbook()
    wb.active.append(["Name", "Badge"])
    wb.active.append(["Pat", 12])
    path = tmp_path / "roster.xlsx"
    wb.save(path)
    res, _ = load([REFERENCE, path], warehouse)
    r = res[path.name]
    assert r.status == "failed"
    assert "expected an HR headcount workbook" in r.message and str(path) in r.message


def test_a_workbook_that_would_expand_a_thousandfold_is_refused_unopened(tmp_path, warehouse):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "0" * 50_000_000)
    res, _ = load([REFERENCE, path], warehouse)
    r = res[path.name]
    assert r.status == "failed" and "refused: the workbook would expand" in r.message


def test_an_older_workbook_loaded_after_a_newer_identical_one_changes_nothing(tmp_path, warehouse):
    for sub in "abc":
        (tmp_path / sub).mkdir()
    july = per_hospital_workbook(tmp_path / "a" / "july.xlsx", datetime(2026, 7, 5), 40)
    sept = per_hospital_workbook(tmp_path / "b" / "sept.xlsx", datetime(2026, 9, 1), 40)
    aug = per_hospital_workbook(tmp_path / "c" / "aug.xlsx", datetime(2026, 8, 1), 99)
    load([REFERENCE, july], warehouse)
    load([REFERENCE, july, sept], warehouse)
    res, _ = load([REFERENCE, july, sept, aug], warehouse)
    # August's 99 nurses were superseded by September's save (identical to July's figures)
    assert counts(res["aug.xlsx"]) == (5, 0, 2, 0, 3)
    assert query(
        warehouse,
        "select headcount from staff_headcount where job_title = 'Registered Nurse'",
    ) == [(40,)]


def test_headcount_roles_follow_a_changed_role_map(tmp_path, warehouse):
    path = per_hospital_workbook(tmp_path / "heartland.xlsx")
    load([REFERENCE, path], warehouse)
    ref = tmp_path / "ref"
    ref.mkdir()
    for f in REFERENCE.iterdir():
        (ref / f.name).write_bytes(f.read_bytes())
    with open(ref / "role_map.csv", "a", encoding="utf-8") as fh:
        fh.write("Chaplain,other\n")
    load([ref, path], warehouse)
    assert query(warehouse, "select role from staff_headcount where job_title = 'Chaplain'") == [
        ("other",)
    ]


def test_as_of_dates_outside_2000_2099_are_rejected_by_sheet_row_and_column(tmp_path, warehouse):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Headcount"
    ws.append(["CCN", "Hospital", "As-of Date", "Department", "Job Category", "Headcount"])  # 1
    for as_of, dept in (
        (datetime(1900, 1, 1), "Emergency"),  # 2: Excel's day 1, a placeholder
        (datetime(2200, 1, 1), "Emergency"),  # 3: a typo for 2020
        ("12/31/1999", "Lab"),  # 4: typed as text, one day before the window
        ("12/31/2099", "Lab"),  # 5: the window's last day
        (datetime(2026, 6, 30), "Nursing"),  # 6
    ):
        ws.append([260001, "Alpha", as_of, dept, "Registered nurse", 7])
    path = save(wb, tmp_path / "member-headcount.xlsx", datetime(2026, 7, 5))
    r = load([REFERENCE, path], warehouse)[0][path.name]
    assert counts(r) == (5, 2, 0, 3, 0)
    window = (
        " is outside the years 2000-2099: expected the date the headcount was taken "
        "(1900-01-01 and the like are placeholders or typos)"
    )
    assert [(x["line"], x["column"], x["reason"]) for x in r.rejects] == [
        (2, "As-of Date", "sheet 'Headcount', row 2: as-of date 1900-01-01" + window),
        (3, "As-of Date", "sheet 'Headcount', row 3: as-of date 2200-01-01" + window),
        (4, "As-of Date", "sheet 'Headcount', row 4: as-of date 1999-12-31" + window),
    ]
    assert query(
        warehouse, "select as_of_date::varchar, department from staff_headcount order by 1"
    ) == [("2026-06-30", "Nursing"), ("2099-12-31", "Lab")]


def test_an_as_of_date_in_the_title_rows_outside_2000_2099_rejects_the_sheets_rows(
    tmp_path, warehouse
):
    path = per_hospital_workbook(tmp_path / "heartland.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active["B3"] = datetime(1900, 1, 1)
    save(wb, path, datetime(2026, 7, 2, 9, 0))
    r = load([REFERENCE, path], warehouse)[0][path.name]
    assert counts(r) == (5, 0, 2, 3, 0)
    assert [(x["line"], x["column"]) for x in r.rejects] == [
        (6, "As-of Date"),
        (7, "As-of Date"),
        (8, "As-of Date"),
    ]
    assert r.rejects[0]["reason"] == (
        "sheet 'Heartland North', row 6: as-of date 1900-01-01 (from the title rows) is outside "
        "the years 2000-2099: expected the date the headcount was taken (1900-01-01 and the like "
        "are placeholders or typos)"
    )
