"""Excel downloads in the running app, in headless Chromium: the sidebar's "Download this page's
data (.xlsx)" and the Excel reports page, caught as real browser downloads and opened in openpyxl.

The server, browser and viewer sessions are those of test_pages_in_browser.py (one Streamlit
server on the demo warehouse for this module), with the audit log pointed at a file of this
module's own through HTRA_AUDIT_LOG in the server's environment.

- Hospital viewer Crossroads Regional Medical Center (CCN 260478): the Training coverage page's
  workbook names no other hospital; the external report card names no hospital at all, not even
  its own, and says External in Notes; both downloads are in the audit log under the demo user
  and the viewer's scope.
- Collaborative staff: the internal collaborative report names the hospitals in "Coverage by
  hospital".
A screenshot of the Excel reports page after each build goes to
artifacts/screenshots/exports_built_<viewer>.png.

Run with `.venv/bin/python -m pytest -q -m browser tests/browser/test_downloads_in_browser.py`.
"""

import csv
import html
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import test_pages_in_browser as pages
from test_pages_in_browser import browser, server, sessions  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

ROOT = pages.ROOT
REFERENCE = ROOT / "sample_data" / "reference"
STAFF, HOSPITAL = (next(v for v in pages.VIEWERS if v.slug == s) for s in ("staff", "hospital"))
OWN_CCN, OWN_NAME = "260478", "Crossroads Regional Medical Center"
DEMO_USER = "demo (localhost)"
DOWNLOAD_TIMEOUT_MS = 180_000  # a workbook is built when the browser asks for it
BUILD_TIMEOUT_MS = 180_000
PAGE_BUTTON = "Download this page's data (.xlsx)"
EXTERNAL = "External"  # start of the audience radio's option
TAIL = ["Definitions", "Notes"]


def _hospitals() -> dict[str, str]:
    """CCN -> name of every hospital in the demo's reference file."""
    with open(REFERENCE / "hospitals.csv", newline="", encoding="utf-8") as fh:
        return {r["Facility ID"]: r["Facility Name"] for r in csv.DictReader(fh)}


HOSPITALS = _hospitals()
SAVED: dict[str, str] = {}  # what one test downloaded, for a later one to look at


@pytest.fixture(scope="module", autouse=True)
def audit_log(tmp_path_factory):
    """HTRA_AUDIT_LOG for the server this module starts (it copies os.environ at start)."""
    path = tmp_path_factory.mktemp("audit") / "exports.log"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HTRA_AUDIT_LOG", str(path))
        yield path


@pytest.fixture(scope="module")
def app(audit_log, server):  # noqa: F811 (the imported fixture)
    """The server, started after the audit log is set; yields (base url, audit log path)."""
    base, _ = server
    return base, audit_log


def _audit(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _session(sessions, viewer):  # noqa: F811
    try:
        s = sessions.get(viewer)
    except Exception:
        sessions.drop(sessions.current)
        raise
    s.events.clear()
    return s


def _download(page, button, dest: Path) -> tuple[Path, str]:
    """Click a download button, catch the browser's download, save it; (path, suggested name)."""
    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as info:
        button.click()
    download = info.value
    assert download.failure() is None, download.failure()
    path = dest / download.suggested_filename
    download.save_as(path)
    return path, download.suggested_filename


def _xml_text(path: Path) -> str:
    """Every part of the .xlsx (sheets, shared strings, charts, tables, properties) as text."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(html.unescape(z.read(n).decode("utf-8")) for n in z.namelist())


def _cells(wb) -> list[str]:
    return [str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v]


def _ccn(ccn: str) -> re.Pattern:
    return re.compile(rf"(?<![\d.]){re.escape(ccn)}(?!\d)")


def _named(path: Path, wb, hospitals: dict[str, str]) -> list[str]:
    """Which of these hospitals the workbook names (by name or CCN), in any cell or XML part."""
    text = _xml_text(path)
    cells = _cells(wb)
    found = [n for n in hospitals.values() if n in text or any(n in c for c in cells)]
    found += [c for c in hospitals if _ccn(c).search(text) or any(_ccn(c).search(x) for x in cells)]
    return found


def _notes(wb) -> dict[str, str]:
    return {item: value for _, item, value in wb["Notes"].iter_rows(min_row=2, values_only=True)}


def _assert_page_ok(s, name: str) -> Path:
    """No exception, error box, nan/None or outside request on the page; a screenshot."""
    found = s.page.evaluate(pages.INSPECT_JS, list(pages.BAD_TEXT))
    shot = pages._screenshot(s.page, name)
    problems = pages._problems(found, s.events)
    assert not problems, f"{s.page.url}, screenshot {shot}:\n- " + "\n- ".join(problems)
    return shot


def _build(s, report: str, audience: str) -> None:
    """On the Excel reports page: check the report, pick the audience, build, wait for success."""
    page = s.page
    main = page.locator('[data-testid="stMain"]')
    box = main.locator('input[role="combobox"][aria-label="Report"]')
    assert box.input_value() == report, f"Report: {box.input_value()!r}, wanted {report!r}"
    option = main.locator('[data-testid="stRadio"] label').filter(has_text=audience)
    assert option.count() == 1, f"no single audience option {audience!r}"
    if not option.locator("input").is_checked():
        before = s.runs
        option.click()
        s.settle(before)
    assert option.locator("input").is_checked()
    before = s.runs
    main.locator('[data-testid="stButton"] button').filter(has_text="Build workbook").click()
    s.settle(before)
    success = main.locator('[data-testid="stAlertContentSuccess"]')
    success.wait_for(timeout=BUILD_TIMEOUT_MS)
    assert success.inner_text().startswith("Built"), success.inner_text()


def _main_download_button(page):
    button = page.locator('[data-testid="stMain"] [data-testid="stDownloadButton"] button')
    assert button.count() == 1 and "Download" in button.inner_text()
    return button


def test_a_hospital_downloads_the_coverage_page_naming_no_other_hospital(
    app,
    sessions,  # noqa: F811
    tmp_path,
):
    base, log = app
    s = _session(sessions, HOSPITAL)
    pages._visit(s, base, "coverage")
    before = len(_audit(log))
    button = s.page.locator('[data-testid="stSidebar"] [data-testid="stDownloadButton"] button')
    assert button.count() == 1 and PAGE_BUTTON in button.inner_text(), button.all_inner_texts()
    path, name = _download(s.page, button, tmp_path)
    assert name == f"coverage-{OWN_CCN}.xlsx"
    wb = openpyxl.load_workbook(path)
    assert "Coverage by hospital" in wb.sheetnames, wb.sheetnames
    assert wb.sheetnames[-2:] == TAIL, wb.sheetnames
    others = {c: n for c, n in HOSPITALS.items() if c != OWN_CCN}
    assert not _named(path, wb, others), _named(path, wb, others)[:5]
    hospitals_column = [r[0] for r in wb["Coverage by hospital"].iter_rows(values_only=True)]
    assert OWN_NAME in hospitals_column, hospitals_column  # internal: its own name, not a code
    notes = _notes(wb)
    assert notes["Workbook"] == "Training coverage"
    assert notes["Exported by"] == DEMO_USER
    assert notes["Audience"].startswith("Internal")
    new = _audit(log)[before:]
    assert len(new) == 1, new
    e = new[0]
    assert (e["user"], e["report"], e["audience"]) == (DEMO_USER, "page coverage", "internal")
    assert (e["viewer_role"], e["viewer_scope"]) == ("hospital", OWN_CCN)
    assert e["bytes"] == path.stat().st_size
    _assert_page_ok(s, "coverage_download_hospital")


def test_a_hospital_builds_an_external_report_card_naming_no_hospital(
    app,
    sessions,  # noqa: F811
    tmp_path,
):
    base, log = app
    s = _session(sessions, HOSPITAL)
    pages._visit(s, base, "exports")
    # the Excel reports page has no figures of its own, so no sidebar page download
    assert not s.page.locator('[data-testid="stSidebar"] [data-testid="stDownloadButton"]').count()
    before = len(_audit(log))
    _build(s, f"Report card: {OWN_NAME}", EXTERNAL)
    _assert_page_ok(s, "exports_built_hospital")
    path, name = _download(s.page, _main_download_button(s.page), tmp_path)
    assert name.startswith("hospital-") and "-external-" in name and name.endswith(".xlsx")
    SAVED["external file name"] = name
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[-2:] == TAIL, wb.sheetnames
    named = _named(path, wb, HOSPITALS)  # every hospital, its own included
    text = _xml_text(path)
    named += [w for w in ("Crossroads", "crossroadsrmc.org") if w in text]
    assert not named, named[:5]
    notes = _notes(wb)
    assert notes["Audience"].startswith("External"), notes["Audience"]
    assert notes["Exported by"] == DEMO_USER
    assert OWN_CCN not in notes["Scope"] and OWN_NAME not in notes["Scope"]
    new = _audit(log)[before:]
    assert len(new) == 1, new  # the build, not the download of its bytes
    e = new[0]
    assert (e["user"], e["report"], e["audience"]) == (DEMO_USER, "hospital", "external")
    assert (e["viewer_role"], e["viewer_scope"]) == ("hospital", OWN_CCN)
    assert e["bytes"] == path.stat().st_size


def test_the_external_report_cards_file_name_names_no_hospital():
    name = SAVED.get("external file name")
    if name is None:
        pytest.fail("the external report card was not downloaded (the test before failed)")
    named = [n for n in HOSPITALS.values() if n.replace(" ", "_") in name or n in name]
    named += [c for c in HOSPITALS if _ccn(c).search(name)]
    assert not named, f"{name}: {named}"


def test_the_audit_log_has_both_hospital_exports_under_the_demo_user(app, demo_load):
    _, log = app
    lines = _audit(log)
    mine = [(e["report"], e["audience"]) for e in lines if e["viewer_scope"] == OWN_CCN]
    assert ("page coverage", "internal") in mine and ("hospital", "external") in mine, lines
    assert all(e["user"] == DEMO_USER for e in lines), lines
    # HTRA_AUDIT_LOG reached the server: nothing was written beside the warehouse
    warehouse, _ = demo_load
    assert not warehouse.with_name("exports.log").exists()


def test_staff_build_the_internal_collaborative_report_with_hospitals_named(
    app,
    sessions,  # noqa: F811
    tmp_path,
):
    base, log = app
    s = _session(sessions, STAFF)
    pages._visit(s, base, "exports")
    before = len(_audit(log))
    _build(s, "Collaborative report", "Internal")
    _assert_page_ok(s, "exports_built_staff")
    path, name = _download(s.page, _main_download_button(s.page), tmp_path)
    assert name.startswith("collaborative-all-internal-"), name
    wb = openpyxl.load_workbook(path)
    assert "Coverage by hospital" in wb.sheetnames, wb.sheetnames
    assert wb.sheetnames[-2:] == TAIL, wb.sheetnames
    column = {r[0] for r in wb["Coverage by hospital"].iter_rows(min_row=2, values_only=True)}
    named = column & set(HOSPITALS.values())
    assert OWN_NAME in named and len(named) >= 10, sorted(column)[:10]
    notes = _notes(wb)
    assert notes["Audience"].startswith("Internal") and notes["Exported by"] == DEMO_USER
    new = _audit(log)[before:]
    assert len(new) == 1, new
    e = new[0]
    assert (e["user"], e["report"], e["audience"]) == (DEMO_USER, "collaborative", "internal")
    assert (e["viewer_role"], e["viewer_scope"]) == ("collaborative", None)


def test_the_server_logged_no_traceback(server):  # noqa: F811
    """Runs last: the workbooks are built in callbacks and threads, whose errors land here."""
    _, log = server
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-4000:]
