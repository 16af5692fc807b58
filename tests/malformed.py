"""Generators for the malformed-input corpus (issue 8).

Every case starts from a real file of its format (the committed test fixtures, or the demo tier in
`sample_data/` for formats the fixtures lack), mutates it and writes it under a root folder at test
time, so no large or binary file is committed. `CASES` lists them; `write_corpus` writes a group.

Groups: "fx" loads on top of the fixture reference data and exports, "demo" on top of the demo
reference data and a few demo exports (web log, Download Monitor, REDCap, HR workbooks), "ref"
replaces reference files on a copy of the fixture warehouse.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
FX = HERE / "fixtures" / "exports"
FX_REF = HERE / "fixtures" / "reference"
DEMO = HERE.parent / "sample_data"
DEMO_EXPORTS = DEMO / "exports"

FORMULA = '=HYPERLINK("http://evil.example/x","click")'
PLUS = "+1"
AT = "@SUM(A1)"
SQL = "'; DROP TABLE learner; --"
SQL2 = 'Robert"); DROP TABLE completion; --'
FIFTY_MB = 50 * 1024 * 1024
BOMB_SIZE = 1024**3  # uncompressed size of the zip bomb's member


@dataclass
class Case:
    name: str
    group: str  # fx | demo | ref
    rel: str  # the file's path under the case folder (chosen so sources.csv matches it)
    make: Callable[[Path], None]
    expect: str  # failed | rejects | loads | rejects_or_failed
    what: str = ""  # what the message or rejection must mention (a substring, lower case)
    rows_read: int | None = None  # records the file holds, when the ETL must read them all
    verbatim: tuple[tuple[str, str, str], ...] = ()  # (table, column, value) stored as is
    reject_lines: tuple[int, ...] = ()  # lines (Excel rows) that must be among the rejected
    bug: str | None = None


def _text(path: Path, encoding: str = "utf-8-sig") -> str:
    return path.read_bytes().decode(encoding)


def _lines(path: Path, encoding: str = "utf-8-sig") -> list[str]:
    return _text(path, encoding).splitlines()


def _csv(path: Path, lines: list[str], *, eol: str = "\n", encoding: str = "utf-8") -> None:
    path.write_bytes((eol.join(lines) + eol).encode(encoding))


# --- base files -----------------------------------------------------------------------------

MC = FX / "moodle-mha" / "completion-ht01.csv"  # BOM, day first, 4 learners
MK = FX / "moodle-kha" / "completion-ht02.csv"  # cp1252 O'Brien, month first
MQ = FX / "moodle-mha" / "quiz" / "HT01-Pre-test-grades.csv"  # BOM, summary row
HS6 = FX / "hs" / "260002-transcript-2026-06.csv"  # UTF-16, CRLF, summary row
HS9 = FX / "hs" / "260002-transcript-2026-09.csv"  # plain, CRLF
SC = FX / "scorm" / "registrations-2026-09.csv"
LQ = FX / "long" / "nha-quiz.csv"
DLM = DEMO_EXPORTS / "dlm-kha" / "download_log_2026-04-30.csv"
WEB = DEMO_EXPORTS / "toolkit-web" / "access.log"
RC = DEMO_EXPORTS / "redcap-protocol" / "HTProtocolAdoption_DATA_2026-10-31_0915.csv"
HR = DEMO_EXPORTS / "hr-headcount" / "member-headcount-2026-06-30.xlsx"

MC_REL = "moodle-mha/completion-ht01.csv"
MQ_REL = "moodle-mha/quiz/HT01-Pre-test-grades.csv"
HS_REL = "hs/260002-transcript-2026-10.csv"
SC_REL = "scorm/registrations-2026-10.csv"
LQ_REL = "long/nha-quiz-2.csv"
DLM_REL = "exports/dlm-kha/download_log_2026-05-31.csv"
WEB_REL = "exports/toolkit-web/access.log-20261101"
RC_REL = "exports/redcap-protocol/HTProtocolAdoption_DATA_2026-11-01_0900.csv"
HR_REL = "exports/hr-headcount/member-headcount-2026-07-31.xlsx"


def _hs(rows: list[str] | None = None) -> list[str]:
    lines = _lines(HS9)
    return [lines[0], *(rows if rows is not None else lines[1:])]


def _web_lines(n: int = 40) -> list[str]:
    return _lines(WEB)[:n]


def _dlm_lines(n: int = 30) -> list[str]:
    """The header and n - 1 whole records (a record's Meta Data may span lines)."""
    records = re.split(r'\n(?="\d+",")', _text(DLM).replace("\r\n", "\n").rstrip("\n"))
    return records[:n]


# --- generators -----------------------------------------------------------------------------


def mc_cp1252(p: Path) -> None:
    lines = _lines(MC)
    lines[1] = lines[1].replace("Ann Lee", "Ann O’Brien–Smith")
    _csv(p, lines, encoding="cp1252")


def mc_latin1(p: Path) -> None:
    lines = _lines(MC)
    lines[2] = lines[2].replace("Bo Diaz", "Bo Díaz Núñez").replace("Security Officer", "Sécurité")
    _csv(p, lines, encoding="latin-1")


def mc_utf16_be(p: Path) -> None:
    p.write_bytes(
        b"\xfe\xff" + "\r\n".join(_lines(MC)).encode("utf-16-be") + "\r\n".encode("utf-16-be")
    )


def hs_utf16_le_no_bom(p: Path) -> None:
    p.write_bytes(("\r\n".join(_hs()) + "\r\n").encode("utf-16-le"))


def sc_utf8_bom(p: Path) -> None:
    p.write_bytes(b"\xef\xbb\xbf" + SC.read_bytes())


def sc_double_bom(p: Path) -> None:
    p.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + SC.read_bytes())


def mq_ragged_too_many(p: Path) -> None:
    lines = _lines(MQ)
    lines[1] += ",1.00,extra"
    _csv(p, lines, encoding="utf-8-sig")


def hs_ragged_too_few(p: Path) -> None:
    rows = _lines(HS9)[1:]
    _csv(p, _hs([rows[0].rsplit(",", 4)[0], rows[1]]), eol="\r\n")


def lq_ragged_both(p: Path) -> None:
    lines = _lines(LQ)
    lines[1] += ",surplus"
    lines[2] = ",".join(lines[2].split(",")[:4])
    _csv(p, lines)


def hs_unterminated_quote(p: Path) -> None:
    rows = _lines(HS9)[1:]
    _csv(p, _hs([rows[0].replace(",Emergency,", ',"Emergency,'), rows[1]]), eol="\r\n")


def mc_unterminated_quote_last(p: Path) -> None:
    lines = _lines(MC)
    lines.append('105,Ed Fay,ed@alpha.org,Registered Nurse,Completed,"13/01/26, 09:05,Completed')
    _csv(p, lines, encoding="utf-8-sig")


def hs_fifty_mb_field(p: Path) -> None:
    rows = _lines(HS9)[1:]
    head, tail = rows[0].split(",Emergency,")
    with p.open("wb") as f:
        f.write((_lines(HS9)[0] + "\r\n" + head + ",").encode())
        chunk = b"A" * (1024 * 1024)
        for _ in range(FIFTY_MB // len(chunk)):
            f.write(chunk)
        f.write(("," + tail + "\r\n" + rows[1] + "\r\n").encode())


def web_fifty_mb_line(p: Path) -> None:
    lines = _web_lines()
    with p.open("wb") as f:
        f.write(("\n".join(lines[:10]) + "\n").encode())
        f.write(
            b'198.18.23.37 - - [01/Nov/2026:02:03:14 -0500] "GET /toolkit/ HTTP/1.1" 200 0 "-" "'
        )
        chunk = b"M" * (1024 * 1024)
        for _ in range(FIFTY_MB // len(chunk)):
            f.write(chunk)
        f.write(b'"\n' + ("\n".join(lines[10:]) + "\n").encode())


def sc_no_trailing_newline(p: Path) -> None:
    p.write_bytes(SC.read_bytes().rstrip(b"\r\n"))


def dlm_no_trailing_newline(p: Path) -> None:
    p.write_bytes(("\n".join(_dlm_lines())).encode())


def lq_mixed_crlf(p: Path) -> None:
    lines = _lines(LQ)
    p.write_bytes(
        (
            lines[0]
            + "\r\n"
            + lines[1]
            + "\n"
            + lines[2]
            + "\r\n"
            + lines[3]
            + "\n"
            + lines[4]
            + "\r\n"
        ).encode()
    )


def lq_lone_cr(p: Path) -> None:
    lines = _lines(LQ)
    p.write_bytes(
        (
            lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\r" + lines[3] + "\n" + lines[4]
        ).encode()
    )


def web_mixed_crlf(p: Path) -> None:
    lines = _web_lines()
    p.write_bytes(
        "".join(line + ("\r\n" if i % 2 else "\n") for i, line in enumerate(lines)).encode()
    )


def _hs_two_rows(p: Path, first: tuple[str, str], second: tuple[str, str]) -> None:
    """The HealthStream file with one text replaced in each of its two records."""
    rows = _lines(HS9)[1:]
    _csv(p, _hs([rows[0].replace(*first), rows[1].replace(*second)]), eol="\r\n")


def hs_dates_1900_2200(p: Path) -> None:
    _hs_two_rows(p, ("6/15/2026", "1/1/1900"), ("8/20/2026", "1/1/2200"))


def sc_dates_1900_2200(p: Path) -> None:
    lines = _lines(SC)
    lines[1] = lines[1].replace(
        "2026-03-04T15:25:13.000Z,2026-03-04T15:25:13.000Z",
        "2200-01-01T00:00:00.000Z,2200-01-01T00:00:00.000Z",
    )
    lines[2] = lines[2].replace("2026-03-05T10:00:00.000Z", "1900-01-01T00:00:00.000Z")
    _csv(p, lines)


def mc_dates_1900_2200(p: Path) -> None:
    lines = _lines(MC)
    # Moodle writes two-digit years: 1900 cannot be written, so the year 00 and 2200 as 4 digits.
    lines[1] = (
        lines[1]
        .replace('"13/01/26, 09:05"', '"1/01/1900, 09:05"')
        .replace('"14/01/26, 10:00"', '"1/01/2200, 10:00"')
    )
    _csv(p, lines, encoding="utf-8-sig")


def web_dates_1900_2200(p: Path) -> None:
    lines = _web_lines()
    for i, line in enumerate(lines):
        stamp = line.split("[")[1].split(" ")[0]
        lines[i] = line.replace(stamp, stamp.replace("2026", "1900" if i % 2 else "2200"))
    _csv(p, lines)


def rc_dates_1900_2200(p: Path) -> None:
    lines = _lines(RC)[:6]
    lines[1] = lines[1].replace(lines[1].split(",")[3], "1900-01-01 00:00:00")
    lines[2] = lines[2].replace(lines[2].split(",")[3], "2200-01-01 00:00:00")
    _csv(p, lines)


def hs_excel_serial_dates(p: Path) -> None:
    _hs_two_rows(p, ("6/15/2026", "46188"), ("8/20/2026", "46254.5"))


def hs_negative_and_150_scores(p: Path) -> None:
    _hs_two_rows(p, (",85,", ",-5,"), (",70,", ",150,"))


def sc_negative_score(p: Path) -> None:
    lines = _lines(SC)
    lines[1] = lines[1].replace(",92,", ",-92,")
    _csv(p, lines)


def lq_points_negative(p: Path) -> None:
    lines = _lines(LQ)
    lines[1] = lines[1].replace(",1,1,", ",-1,1,")
    _csv(p, lines)


def mq_grade_over_max_and_pct(p: Path) -> None:
    lines = _lines(MQ)
    lines[1] = lines[1].replace(",2.00,1.00,0.00,1.00", ",150.00,1.00,0.00,1.00")
    lines[3] = lines[3].replace(",1.00,1.00,0.00,0.00", ",85%,1.00,0.00,0.00")
    _csv(p, lines, encoding="utf-8-sig")


def hs_pct_text_scores(p: Path) -> None:
    _hs_two_rows(p, (",85,", ",85%,"), (",70,", ",150%,"))


def hs_duplicate_header(p: Path) -> None:
    lines = _hs()
    lines[0] = lines[0].replace("Department", "Score")
    _csv(p, lines, eol="\r\n")


def mq_duplicate_header(p: Path) -> None:
    lines = _lines(MQ)
    lines[0] = lines[0].replace("Q. 2 /1.00", "Q. 1 /1.00")
    _csv(p, lines, encoding="utf-8-sig")


def rc_duplicate_header(p: Path) -> None:
    lines = _lines(RC)[:6]
    lines[0] = lines[0].replace("pe02_stage", "pe01_stage")
    _csv(p, lines)


def _q(v: str) -> str:
    return '"' + v.replace('"', '""') + '"'


def hs_formula_sql_every_field(p: Path) -> None:
    # ID, Last, First, Department, Job Title, Course ID, Course Title, Status, Date, Score, Hours
    rows = [
        ",".join(
            [
                "9901",
                _q(FORMULA),
                PLUS,
                _q(FORMULA),
                _q(SQL),
                "HS-HT101",
                AT,
                "Complete",
                "6/15/2026",
                "85",
                "1.0",
            ]
        ),
        ",".join(
            [
                "9902",
                _q(SQL),
                AT,
                _q(SQL2),
                _q(AT),
                _q(SQL),
                _q(FORMULA),
                _q(SQL),
                _q(PLUS),
                _q(AT),
                _q(SQL),
            ]
        ),
    ]
    _csv(p, _hs(rows), eol="\r\n")


def mc_formula_sql_every_field(p: Path) -> None:
    lines = _lines(MC)
    lines[1] = ",".join(
        [
            "101",
            _q(FORMULA),
            "zed.formula@alpha.org",
            _q(SQL),
            "Completed",
            '"13/01/26, 09:05"',
            "Completed",
            '"14/01/26, 10:00"',
            "Completed",
        ]
    )
    lines[2] = ",".join(
        [_q(SQL), PLUS, _q(SQL2), AT, _q(FORMULA), _q(AT), _q(SQL), _q(PLUS), _q(SQL)]
    )
    _csv(p, lines[:3], encoding="utf-8-sig")


def mq_formula_sql_every_field(p: Path) -> None:
    lines = _lines(MQ)
    lines[1] = ",".join(
        [
            _q(FORMULA),
            _q(SQL),
            "ann.lee@alpha.org",
            "Finished",
            "5 January 2026  3:04 PM",
            "5 January 2026  3:16 PM",
            "12 mins 5 secs",
            "2.00",
            "1.00",
            "0.00",
            "1.00",
        ]
    )
    lines[2] = ",".join(
        [
            _q(SQL),
            PLUS,
            _q(SQL2),
            _q(FORMULA),
            _q(AT),
            _q(SQL),
            _q(PLUS),
            _q(FORMULA),
            _q(SQL),
            AT,
            PLUS,
        ]
    )
    _csv(p, lines[:3], encoding="utf-8-sig")


def sc_formula_sql_every_field(p: Path) -> None:
    lines = _lines(SC)
    lines[2] = ",".join(
        [
            _q(SQL),
            _q(FORMULA),
            _q(SQL),
            _q(SQL2),
            _q(AT),
            _q(FORMULA),
            PLUS,
            _q(SQL),
            _q(FORMULA),
            AT,
            PLUS,
            _q(SQL),
            _q(FORMULA),
            _q(AT),
        ]
    )
    _csv(p, lines)


def lq_formula_sql_every_field(p: Path) -> None:
    lines = _lines(LQ)
    lines[2] = ",".join(
        [_q(SQL), _q(FORMULA), _q(SQL), PLUS, _q(AT), _q(SQL), _q(FORMULA), _q(SQL2)]
    )
    _csv(p, lines)


def dlm_formula_sql_every_field(p: Path) -> None:
    lines = _dlm_lines(5)
    cols = lines[1].split('","')
    new = [
        cols[0].lstrip('"'),
        FORMULA,
        cols[2],
        SQL,
        cols[4],
        SQL2,
        cols[6],
        cols[7],
        AT,
        cols[9],
        PLUS,
        SQL,
    ]
    lines.append('"' + '","'.join(new) + '"')
    lines.append(
        '"' + '","'.join([SQL, FORMULA, AT, PLUS, SQL, SQL, SQL, SQL, SQL, SQL, SQL, SQL]) + '"'
    )
    _csv(p, lines)


def web_formula_sql_every_field(p: Path) -> None:
    lines = _web_lines(10)
    lines.append(
        f"198.18.23.37 - {SQL.replace(' ', '')} [01/Oct/2026:02:03:14 -0500] "
        f'"GET /toolkit/{AT} HTTP/1.1" 200 0 "{FORMULA.replace(chr(34), "")}" "{SQL}"'
    )
    lines.append(f'{SQL} - - [{FORMULA}] "{SQL}" {PLUS} {AT} "-" "-"')
    _csv(p, lines)


def rc_formula_sql_every_field(p: Path) -> None:
    lines = _lines(RC)[:4]
    n = len(lines[0].split(","))
    lines.append(
        ",".join(
            [_q(SQL)]
            + [_q(FORMULA), _q(AT), _q(PLUS), _q(SQL2)] * ((n - 1) // 4)
            + [_q(SQL)] * ((n - 1) % 4)
        )
    )
    comment = lines[1].split(",")
    comment[-2] = _q(f"{FORMULA} {SQL}")
    lines[1] = ",".join(comment)
    _csv(p, lines)


def hs_nul_bytes(p: Path) -> None:
    data = "\r\n".join(_hs()).encode() + b"\r\n"
    p.write_bytes(data.replace(b"Security", b"Secu\x00rity", 1))


def web_nul_bytes(p: Path) -> None:
    lines = _web_lines(20)
    p.write_bytes(
        ("\n".join(lines[:10]) + "\n").encode()
        + b"\x00" * 64
        + ("\n".join(lines[10:]) + "\n").encode()
    )


def sc_summary_rows(p: Path) -> None:
    lines = _lines(SC)
    lines += ["Total: 2,,,,,,,,,,,,,", "Overall average,,,,,,,,,92,,,,", ",,,,,,,,,,,,,"]
    _csv(p, lines)


def hs_summary_mid_file(p: Path) -> None:
    rows = _lines(HS9)[1:]
    _csv(p, _hs([rows[0], "Total Records: 2,,,,,,,,,,", rows[1], ",,,,,,,,,,"]), eol="\r\n")


def empty(p: Path) -> None:
    p.write_bytes(b"")


def whitespace_only(p: Path) -> None:
    p.write_bytes(b"\r\n\n   \n\t\n")


def sc_header_only(p: Path) -> None:
    _csv(p, _lines(SC)[:1])


def dlm_header_only(p: Path) -> None:
    _csv(p, _dlm_lines(1))


def rc_header_only(p: Path) -> None:
    _csv(p, _lines(RC)[:1])


def hs_reexport_overlap(p: Path) -> None:
    rows = _lines(HS9)[1:]
    new = "4514,Kay,Lu,Emergency,Registered Nurse,HS-HT101,Human Trafficking 101,Complete,"
    new += "10/02/2026,95,1.0"
    _csv(p, _hs([*rows, new]), eol="\r\n")


def web_reexport_overlap(p: Path) -> None:
    # the tail of the loaded log re-sent together with new lines a day later
    lines = _lines(WEB)
    extra = [ln.replace("/Oct/2026", "/Nov/2026") for ln in lines[:20]]
    _csv(p, lines[-50:] + extra)


def dlm_ragged(p: Path) -> None:
    lines = _dlm_lines(12)
    lines[3] = '","'.join(lines[3].split('","')[:6]) + '"'
    lines[5] = lines[5] + ',"surplus","more"'
    _csv(p, lines)


def dlm_cp1252(p: Path) -> None:
    lines = _dlm_lines(12)
    lines[2] = lines[2].replace('","0","-","-","', '","0","-","-","', 1)
    cols = lines[2].split('","')
    cols[1] = "Guía rápida – “red flags” for O’Brien"
    lines[2] = '","'.join(cols)
    _csv(p, lines, encoding="cp1252")


def web_utf16(p: Path) -> None:
    p.write_bytes(b"\xff\xfe" + ("\n".join(_web_lines()) + "\n").encode("utf-16-le"))


def web_garbage_lines(p: Path) -> None:
    lines = _web_lines(20)
    lines[3] = lines[3][:40]  # truncated mid-line
    lines[6] = "this is not a log line at all"
    lines[9] = lines[9].replace(" 200 ", " two-hundred ")
    _csv(p, lines)


def web_gz_truncated(p: Path) -> None:
    gz = next(iter(sorted((DEMO_EXPORTS / "toolkit-web").glob("*.gz"))))
    data = gz.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def rc_stage_out_of_range(p: Path) -> None:
    lines = _lines(RC)[:6]
    cols = lines[1].split(",")
    cols[6], cols[7], cols[8] = "-1", "150", "85%"
    lines[1] = ",".join(cols)
    _csv(p, lines)


def rc_ragged(p: Path) -> None:
    lines = _lines(RC)[:6]
    lines[1] = ",".join(lines[1].split(",")[:10])
    lines[2] += ",1,2,3"
    _csv(p, lines)


def rc_cp1252(p: Path) -> None:
    lines = _lines(RC)[:6]
    cols = lines[1].split(",")
    cols[-2] = "Plan agreed with O’Brien – “done”"
    lines[1] = ",".join(cols)
    _csv(p, lines, encoding="cp1252")


# --- workbooks --------------------------------------------------------------------------------


def _hr_book(n_rows: int = 20):
    wb = openpyxl.load_workbook(HR)
    ws = wb.worksheets[0]
    ws.delete_rows(3 + n_rows, ws.max_row)
    return wb, ws


def _hr_save(wb, p, as_of: str | None = None) -> None:
    """Save with every as-of date set to the one in the file name (so cases do not overlap)."""
    import datetime as dt

    found = re.search(r"\d{4}-\d{2}-\d{2}", getattr(p, "name", ""))
    as_of = as_of or (found.group(0) if found else "2026-07-31")
    ws = wb.worksheets[0]
    day = dt.datetime.fromisoformat(as_of)
    for row in ws.iter_rows(min_row=3):
        if isinstance(row[2].value, dt.datetime):
            row[2].value = day
    ws["A1"] = f"Member hospital staff headcount, as of {day:%B %d, %Y}"
    wb.save(p)


def hr_zip_bomb(p: Path) -> None:
    """A ~1 GB sheet of zeros compressed to about 1 MB, named like a workbook."""
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            chunk = bytes(1024 * 1024)
            for _ in range(BOMB_SIZE // len(chunk)):
                f.write(chunk)


def hr_zip_bomb_real_book(p: Path) -> None:
    """A real workbook with one extra member of a GB of zeros next to its sheets."""
    buf = io.BytesIO()
    wb, _ = _hr_book(10)
    _hr_save(wb, buf)
    with (
        zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src,
        zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z,
    ):
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                body = src.read(info.filename)
                with z.open(info.filename, "w", force_zip64=True) as f:
                    f.write(body[: -len(b"</worksheet>")])
                    chunk = b" " * (1024 * 1024)  # whitespace between elements: valid XML
                    for _ in range(BOMB_SIZE // len(chunk)):
                        f.write(chunk)
                    f.write(b"</worksheet>")
            else:
                z.writestr(info, src.read(info.filename))


def hr_corrupt(p: Path) -> None:
    data = HR.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def hr_not_a_zip(p: Path) -> None:
    p.write_bytes(b"Department,Job Title,Headcount\nED,RN,3\n")


def hr_merged_header(p: Path) -> None:
    wb, ws = _hr_book()
    ws.merge_cells("D2:E2")  # "Department" and "Job Category" become one cell; E2 is emptied
    ws.merge_cells("A1:F1")
    _hr_save(wb, p)


def hr_merged_body(p: Path) -> None:
    wb, ws = _hr_book()
    ws.merge_cells("A3:A8")  # the CCN typed once for six rows, as people do
    ws.merge_cells("B3:B8")
    _hr_save(wb, p)


def hr_negative_and_huge(p: Path) -> None:
    wb, ws = _hr_book()
    ws["F3"] = -5
    ws["F4"] = 150.5
    ws["F5"] = "85%"
    ws["F6"] = "lots"
    _hr_save(wb, p)


def hr_dates_1900_2200_serial(p: Path) -> None:
    import datetime as dt

    wb, ws = _hr_book()
    _hr_save(wb, p)
    wb = openpyxl.load_workbook(p)
    ws = wb.worksheets[0]
    ws["C3"] = dt.datetime(1900, 1, 1)
    ws["C4"] = dt.datetime(2200, 1, 1)
    ws["C5"] = 46234  # an Excel serial typed as a number
    ws["C6"] = "31/02/2026"
    wb.save(p)


def hr_duplicate_header(p: Path) -> None:
    wb, ws = _hr_book()
    ws["D2"] = "Headcount"
    _hr_save(wb, p)


def hr_formula_sql_every_field(p: Path) -> None:
    wb, ws = _hr_book()
    for cell, value in (
        ("B3", FORMULA),
        ("D3", SQL),
        ("E3", FORMULA),
        ("D4", AT),
        ("E4", PLUS),
        ("B4", SQL2),
    ):
        ws[cell] = value
        ws[cell].data_type = "s"  # text, not a formula
    _hr_save(wb, p)


def hr_header_only(p: Path) -> None:
    wb, ws = _hr_book(0)
    _hr_save(wb, p)


# --- reference files ---------------------------------------------------------------------------


def ref_hospitals_formula_sql(p: Path) -> None:
    lines = _lines(FX_REF / "hospitals.csv")
    cols = lines[1].split(",")
    cols[1], cols[2], cols[3] = _q(FORMULA), _q(SQL), _q(AT)
    lines[1] = ",".join(cols)
    _csv(p, lines)


def ref_role_map_cp1252_dup_header(p: Path) -> None:
    lines = _lines(FX_REF / "role_map.csv")
    lines[0] = "job_title,role,role"
    lines = [lines[0]] + [ln + ",x" for ln in lines[1:]] + ["Técnico – O’Brien,RN,x"]
    _csv(p, lines, encoding="cp1252")


def ref_membership_ragged(p: Path) -> None:
    lines = _lines(FX_REF / "membership.csv")
    lines[1] = ",".join(lines[1].split(",")[:2])
    lines[2] += ",extra,more"
    _csv(p, lines)


def ref_modules_nul(p: Path) -> None:
    p.write_bytes((FX_REF / "modules.csv").read_bytes() + b"\x00\x00")


# --- the corpus ---------------------------------------------------------------------------------

CASES: list[Case] = [
    # encodings
    Case("moodle completion in cp1252", "fx", MC_REL, mc_cp1252, "loads", rows_read=4),
    Case("moodle completion in latin-1", "fx", MC_REL, mc_latin1, "loads", rows_read=4),
    Case("moodle completion in UTF-16 big-endian", "fx", MC_REL, mc_utf16_be, "loads", rows_read=4),
    Case(
        "healthstream in UTF-16 without a BOM",
        "fx",
        HS_REL,
        hs_utf16_le_no_bom,
        "loads",
        rows_read=2,
    ),
    Case("scorm with a UTF-8 BOM", "fx", SC_REL, sc_utf8_bom, "loads", rows_read=2),
    Case("scorm with a doubled UTF-8 BOM", "fx", SC_REL, sc_double_bom, "loads", rows_read=2),
    Case("download monitor in cp1252", "demo", DLM_REL, dlm_cp1252, "loads", rows_read=11),
    Case("web log in UTF-16", "demo", WEB_REL, web_utf16, "loads", rows_read=40),
    Case("redcap records in cp1252", "demo", RC_REL, rc_cp1252, "loads", rows_read=5),
    Case(
        "role map in cp1252 with a duplicate header",
        "ref",
        "role_map.csv",
        ref_role_map_cp1252_dup_header,
        "failed",
        "duplicate",
    ),
    # ragged rows and quotes
    Case(
        "moodle quiz row with too many fields",
        "fx",
        MQ_REL,
        mq_ragged_too_many,
        "rejects",
        "column",
        rows_read=4,
    ),
    Case(
        "healthstream row with too few fields",
        "fx",
        HS_REL,
        hs_ragged_too_few,
        "rejects",
        "missing",
        rows_read=2,
    ),
    Case(
        "long quiz rows too long and too short",
        "fx",
        LQ_REL,
        lq_ragged_both,
        "rejects",
        "column",
        rows_read=4,
    ),
    Case(
        "download monitor ragged rows",
        "demo",
        DLM_REL,
        dlm_ragged,
        "rejects",
        "fields",
        rows_read=11,
    ),
    Case("redcap ragged rows", "demo", RC_REL, rc_ragged, "rejects", "column", rows_read=5),
    Case(
        "membership ragged rows",
        "ref",
        "membership.csv",
        ref_membership_ragged,
        "rejects_or_failed",
        "column",
    ),
    Case(
        "healthstream unterminated quote",
        "fx",
        HS_REL,
        hs_unterminated_quote,
        "rejects_or_failed",
        "quote",
    ),
    Case(
        "moodle completion unterminated quote on the last line",
        "fx",
        MC_REL,
        mc_unterminated_quote_last,
        "rejects_or_failed",
        "quote",
    ),
    # size and line ends
    Case(
        "healthstream 50 MB field",
        "fx",
        HS_REL,
        hs_fifty_mb_field,
        "rejects",
        "field of 52,428,800 characters: expected at most 65,536",
        rows_read=2,
        reject_lines=(2,),
    ),
    Case(
        "web log 50 MB line",
        "demo",
        WEB_REL,
        web_fifty_mb_line,
        "rejects",
        "line of 52,428,883 characters: expected at most 65,536",
        rows_read=41,
        reject_lines=(11,),
    ),
    Case(
        "scorm without a trailing newline",
        "fx",
        SC_REL,
        sc_no_trailing_newline,
        "loads",
        rows_read=2,
    ),
    Case(
        "download monitor without a trailing newline",
        "demo",
        DLM_REL,
        dlm_no_trailing_newline,
        "loads",
        rows_read=29,
    ),
    Case(
        "long quiz with mixed CRLF and LF line ends",
        "fx",
        LQ_REL,
        lq_mixed_crlf,
        "loads",
        rows_read=4,
        reject_lines=(5,),  # the fixture's own out-of-range points, on the line it is on
    ),
    Case(
        "long quiz with a lone CR line end",
        "fx",
        LQ_REL,
        lq_lone_cr,
        "rejects",
        "points outside 0-max_points",
        rows_read=4,
        reject_lines=(5,),  # a lone CR ends a line too: the last record is on line 5
    ),
    Case("web log with mixed CRLF and LF", "demo", WEB_REL, web_mixed_crlf, "loads", rows_read=40),
    # workbooks
    Case(
        "zip bomb renamed xlsx",
        "demo",
        "exports/hr-headcount/bomb-2026-07-31.xlsx",
        hr_zip_bomb,
        "failed",
        "",
    ),
    Case(
        "real workbook carrying a 1 GB member",
        "demo",
        "exports/hr-headcount/bomb2-2026-07-31.xlsx",
        hr_zip_bomb_real_book,
        "failed",
        "",
    ),
    Case(
        "truncated xlsx",
        "demo",
        "exports/hr-headcount/truncated-2026-07-31.xlsx",
        hr_corrupt,
        "failed",
        "",
    ),
    Case(
        "csv text named xlsx",
        "demo",
        "exports/hr-headcount/text-2026-07-31.xlsx",
        hr_not_a_zip,
        "failed",
        "",
    ),
    Case(
        "hr workbook with merged header cells",
        "demo",
        HR_REL,
        hr_merged_header,
        "rejects_or_failed",
        "job",
    ),
    Case(
        "hr workbook with merged body cells",
        "demo",
        HR_REL.replace("07-31", "08-31"),
        hr_merged_body,
        "loads",
    ),
    Case(
        "hr headcounts negative, fractional, percent and text",
        "demo",
        HR_REL.replace("07-31", "09-30"),
        hr_negative_and_huge,
        "rejects",
        "headcount",
        rows_read=20,
    ),
    Case(
        "hr as-of dates 1900, 2200, serial and impossible",
        "demo",
        HR_REL.replace("07-31", "10-31"),
        hr_dates_1900_2200_serial,
        "rejects",
        "date",
        reject_lines=(3, 4, 6),
        rows_read=20,
    ),
    Case(
        "hr duplicate header",
        "demo",
        HR_REL.replace("07-31", "11-30"),
        hr_duplicate_header,
        "failed",
        "headcount",
    ),
    Case(
        "hr header only",
        "demo",
        HR_REL.replace("07-31", "12-31"),
        hr_header_only,
        "failed",
        "header only",
    ),
    # dates
    Case(
        "healthstream dates in 1900 and 2200",
        "fx",
        HS_REL,
        hs_dates_1900_2200,
        "rejects",
        "date",
        reject_lines=(2, 3),
        rows_read=2,
    ),
    Case(
        "scorm dates in 1900 and 2200",
        "fx",
        SC_REL,
        sc_dates_1900_2200,
        "rejects",
        "iso 8601 time",  # the format's own reason: out-of-range years read as not a time
        reject_lines=(2, 3),
        rows_read=2,
    ),
    Case(
        "moodle completion dates in 1900 and 2200",
        "fx",
        MC_REL,
        mc_dates_1900_2200,
        "rejects",
        "date",
        reject_lines=(2,),
        rows_read=4,
    ),
    Case(
        "web log dates in 1900 and 2200",
        "demo",
        WEB_REL,
        web_dates_1900_2200,
        "rejects",
        "",
        rows_read=40,
    ),
    Case(
        "redcap timestamps in 1900 and 2200",
        "demo",
        RC_REL,
        rc_dates_1900_2200,
        "rejects",
        "",
        reject_lines=(2, 3),
        rows_read=5,
    ),
    Case(
        "healthstream Excel date serials", "fx", HS_REL, hs_excel_serial_dates, "loads", rows_read=2
    ),
    # scores
    Case(
        "healthstream negative and 150 scores",
        "fx",
        HS_REL,
        hs_negative_and_150_scores,
        "rejects",
        "score",
        reject_lines=(2, 3),
        rows_read=2,
    ),
    Case("scorm negative score", "fx", SC_REL, sc_negative_score, "rejects", "score", rows_read=2),
    Case(
        "long quiz negative points",
        "fx",
        LQ_REL,
        lq_points_negative,
        "rejects",
        "points",
        rows_read=4,
    ),
    Case(
        "moodle quiz grade over the maximum and 85 percent",
        "fx",
        MQ_REL,
        mq_grade_over_max_and_pct,
        "rejects",
        "grade",
        rows_read=4,
    ),
    Case(
        "healthstream 85% and 150% text scores",
        "fx",
        HS_REL,
        hs_pct_text_scores,
        "rejects",
        "score",
        rows_read=2,
    ),
    Case(
        "redcap stages out of range",
        "demo",
        RC_REL,
        rc_stage_out_of_range,
        "rejects",
        "stage",
        rows_read=5,
    ),
    # headers
    Case(
        "healthstream duplicate header",
        "fx",
        HS_REL,
        hs_duplicate_header,
        "failed",
        "score",
    ),
    Case(
        "moodle quiz duplicate question header",
        "fx",
        MQ_REL,
        mq_duplicate_header,
        "failed",
        "q. 1",
    ),
    Case(
        "redcap duplicate header",
        "demo",
        RC_REL,
        rc_duplicate_header,
        "failed",
        "pe01_stage",
    ),
    # formula and SQL text
    Case(
        "healthstream formula and SQL in every field",
        "fx",
        HS_REL,
        hs_formula_sql_every_field,
        "loads",
        rows_read=2,
        verbatim=(("learner", "department", FORMULA), ("learner", "job_title", SQL)),
    ),
    Case(
        "moodle completion formula and SQL in every field",
        "fx",
        MC_REL,
        mc_formula_sql_every_field,
        "loads",
        rows_read=2,
        verbatim=(("learner", "job_title", SQL),),
    ),
    Case(
        "moodle quiz formula and SQL in every field",
        "fx",
        MQ_REL,
        mq_formula_sql_every_field,
        "loads",
        rows_read=2,
    ),
    Case(
        "scorm formula and SQL in every field",
        "fx",
        SC_REL,
        sc_formula_sql_every_field,
        "loads",
        rows_read=2,
    ),
    Case(
        "long quiz formula and SQL in every field",
        "fx",
        LQ_REL,
        lq_formula_sql_every_field,
        "loads",
        rows_read=4,
    ),
    Case(
        "download monitor formula and SQL in every field",
        "demo",
        DLM_REL,
        dlm_formula_sql_every_field,
        "loads",
    ),
    Case(
        "web log formula and SQL in every field",
        "demo",
        WEB_REL,
        web_formula_sql_every_field,
        "loads",
        rows_read=12,
    ),
    Case(
        "redcap formula and SQL in every field",
        "demo",
        RC_REL,
        rc_formula_sql_every_field,
        "loads",
        rows_read=4,
    ),
    Case(
        "hr workbook formula and SQL in every field",
        "demo",
        HR_REL.replace("07-31", "06-15"),
        hr_formula_sql_every_field,
        "loads",
        rows_read=20,
        verbatim=(
            ("staff_headcount", "department", SQL),
            ("staff_headcount", "job_title", FORMULA),
        ),
    ),
    Case(
        "hospitals reference with formula and SQL names",
        "ref",
        "hospitals.csv",
        ref_hospitals_formula_sql,
        "loads",
        verbatim=(("hospital", "name", FORMULA),),
    ),
    # NUL bytes, summary rows, empty
    Case("healthstream NUL byte", "fx", HS_REL, hs_nul_bytes, "failed", "0x00"),
    Case("web log NUL bytes", "demo", WEB_REL, web_nul_bytes, "rejects_or_failed", ""),
    Case(
        "modules reference with trailing NULs",
        "ref",
        "modules.csv",
        ref_modules_nul,
        "failed",
        "0x00",
    ),
    Case("scorm summary and blank rows", "fx", SC_REL, sc_summary_rows, "loads", rows_read=5),
    Case(
        "healthstream summary row mid file", "fx", HS_REL, hs_summary_mid_file, "loads", rows_read=4
    ),
    Case("empty moodle completion", "fx", MC_REL, empty, "failed", "empty"),
    Case("whitespace-only healthstream", "fx", HS_REL, whitespace_only, "failed", ""),
    Case("empty web log", "demo", WEB_REL, empty, "failed", "empty"),
    Case("header-only scorm", "fx", SC_REL, sc_header_only, "failed", "header only"),
    Case("header-only download monitor", "demo", DLM_REL, dlm_header_only, "failed", "header only"),
    Case("header-only redcap", "demo", RC_REL, rc_header_only, "failed", "header only"),
    Case(
        "truncated gzip web log", "demo", WEB_REL + ".gz", web_gz_truncated, "rejects_or_failed", ""
    ),
    Case(
        "web log garbage lines",
        "demo",
        WEB_REL,
        web_garbage_lines,
        "rejects",
        "",
        reject_lines=(4, 7, 10),
        rows_read=20,
    ),
    # overlapping re-exports
    Case(
        "healthstream re-export overlapping the last one",
        "fx",
        HS_REL,
        hs_reexport_overlap,
        "loads",
        rows_read=3,
    ),
    Case(
        "web log re-sent with an overlap",
        "demo",
        WEB_REL,
        web_reexport_overlap,
        "loads",
        rows_read=70,
    ),
]


def slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


def write_corpus(root: Path, group: str) -> dict[str, Path]:
    """Write the group's cases, each in its own folder; returns name -> path."""
    out = {}
    for case in CASES:
        if case.group != group:
            continue
        path = root / slug(case.name) / case.rel if group != "ref" else root / case.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        case.make(path)
        out[case.name] = path
    return out
