"""The sidebar's "Download this page's data (.xlsx)" (ui/download.py::page_workbook) for every page
that has one and three viewers, on the hand-made fixture warehouse (and, for what each page
shows, also on the demo warehouse, where every page has figures).

Every workbook opens in openpyxl, ends with Definitions and Notes, holds no formula, names who
exported it, holds the tables of what its page shows (and no figures where the page says there are
none), never names a hospital outside the viewer's scope, and is written to the audit log once.

The expected sheets are worked out from the pages (app_pages/*.py), not from ui.download: each
page section with figures, the export sheet that holds them, and the page's own "no data" branch
that hides the section (evaluated with the same queries the page runs).

Fixture warehouse (tests/fixtures, see tests/test_exports.py): members 260001 Alpha Medical Center,
260002 Heartland North and 260003 Heartland South (Heartland Health System), 171300 Prairie
Critical Access; completions and quiz answers but no HR headcount, no toolkit logs and no
protocol survey, so the coverage, toolkit and adoption pages show only their "no data" notes.
"""

import csv
import html
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from analysis import adoption, coverage, knowledge
from conftest import EXPORTS, REFERENCE, SAMPLE, load
from queries.filters import Filters
from queries.runner import Runner
from queries.scope import COLLABORATIVE, Viewer
from ui.context import Context
from ui.download import PAGE_SHEETS, page_workbook
from ui.nav import PAGES

USER = "tester"
TAIL = ["Definitions", "Notes"]
BAD_TEXT = {"nan", "NaN", "None", "<NA>", "NaT", "undefined"}
TITLES = {p.url_path: p.title for p in PAGES}


def _reference_hospitals(root: Path) -> dict[str, str]:
    """CCN -> name for every row of a reference hospitals file (members or not)."""
    with open(root / "hospitals.csv", newline="", encoding="utf-8") as fh:
        return {r["Facility ID"]: r["Facility Name"] for r in csv.DictReader(fh)}


def _members(root: Path) -> list[dict]:
    with open(root / "membership.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# warehouse key -> (reference folder, viewers by slug)
WAREHOUSES = {
    "fixture": (
        REFERENCE,
        {
            "collaborative": COLLABORATIVE,
            "hospital": Viewer("hospital", "260002"),  # Heartland North
            "system": Viewer("system", "Heartland Health System"),  # 260002 and 260003
        },
    ),
    "demo": (
        SAMPLE / "reference",
        {
            "collaborative": COLLABORATIVE,
            "hospital": Viewer("hospital", "260478"),  # Crossroads Regional Medical Center
            "system": Viewer(
                "system",
                sorted({m["health_system"] for m in _members(SAMPLE / "reference")} - {""})[0],
            ),
        },
    ),
}
URL_PATHS = [p.url_path for p in PAGES if p.url_path in PAGE_SHEETS]


def _slug(url_path: str) -> str:
    return url_path or "overview"


# --- what each page shows ---------------------------------------------------------------------

# page url_path -> (runner, viewer) -> {export sheet holding a section's figures: does the page
# show that section with figures?}, in the page's order. Only sections an export sheet holds.
# True: the sheet must hold figures; False: it may be left out or empty, never hold figures;
# None: either.
Shows = Callable[[Runner, Viewer], dict[str, bool | None]]


def _overview(runner: Runner, viewer: Viewer) -> dict[str, bool]:
    # one headline figure per RE-AIM dimension, always drawn (a missing figure reads "no data")
    return {"Summary": True}


def _utilization(runner: Runner, viewer: Viewer) -> dict[str, bool]:
    use = runner.run("utilization_by_hospital_module", viewer, Filters())
    monthly = runner.run("completions_by_month", viewer, Filters()).frame
    return {
        # the heatmap by hospital and module (with the time-spent table)
        "Module use by hospital": not use.empty,
        "Completions by month": not use.empty and not monthly.empty,
        "Module use ranked": not use.empty,  # "Hospitals ranked"
    }


def _coverage(runner: Runner, viewer: Viewer) -> dict[str, bool]:
    res = runner.run("coverage_by_hospital_role", viewer, Filters())
    # the page stops with "No HR headcount ... cannot be computed" before any section
    counted = not res.empty and res.frame["headcount"].fillna(0).sum() > 0
    by_role = coverage.by_role(res.frame) if counted else None
    fresh = runner.run("refresher_currency", viewer, Filters()).frame
    return {
        "Coverage by hospital": counted,
        "Coverage by role": counted and not by_role.empty,
        "Refresher currency": counted and not fresh.empty,
    }


def _knowledge(runner: Runner, viewer: Viewer) -> dict[str, bool]:
    # the page's default attempt policy is "First finished"
    res = runner.run("knowledge_gains", viewer, Filters(), pool=True, policy="first")
    if res.empty:
        return {"Knowledge gains": False, "Item analysis": False}
    gains = knowledge.gains(res.frame, res.detail)
    own = not gains[~gains["is_peer_group"]].empty  # else: the peers' gains only, then stop
    items = runner.run("knowledge_items", viewer, Filters(), pool=True, policy="first")
    # the page's item table holds the viewer's own hospitals only; without them the page shows
    # no item figures, and the sheet may still hold the peer groups' (None: either is right)
    return {"Knowledge gains": True, "Item analysis": (not items.empty) if own else None}


def _toolkit(runner: Runner, viewer: Viewer) -> dict[str, bool]:
    per_resource = runner.run("downloads_by_resource", viewer, Filters())
    shows = {"Toolkit by resource": not per_resource.empty}  # "Counted downloads by resource"
    if viewer.is_collaborative:
        every = runner.run("downloads_all_by_resource_month", viewer, Filters()).frame
        hospitals = runner.run("downloads_by_hospital", viewer, Filters()).frame
        shows |= {
            # the caption "All counted downloads, attributed to a hospital or not"
            "Toolkit downloads": int(every["n_downloads"].sum()) > 0,
            # the headline sums over the hospitals and the hospitals without a download
            "Toolkit by hospital": not hospitals[~hospitals["is_peer_group"]].empty,
        }
    return shows


def _adoption(runner: Runner, viewer: Viewer) -> dict[str, bool]:
    index = runner.run("adoption_by_hospital", viewer, Filters())
    names = ("Adoption stages", "Peer adoption", "Adoption index", "Protocol gaps")
    if index.empty:  # "No protocol-adoption survey response from these hospitals yet."
        return dict.fromkeys(names, False)
    stages = runner.run("adoption_by_hospital_element", viewer, Filters()).frame
    elements = runner.run("protocol_elements").frame
    wave = sorted(set(index.frame["wave"]), key=lambda w: (w != "baseline", len(w), w))[-1]
    peers = adoption.peer_shares(stages, wave)
    return {
        "Adoption stages": not adoption.stage_matrix(stages, wave).empty,
        "Peer adoption": bool(len(peers)) and bool(peers["share_pct"].notna().any()),
        "Adoption index": True,
        "Protocol gaps": not adoption.gaps(stages, elements, wave).empty,
    }


def _data(runner: Runner, viewer: Viewer) -> dict[str, bool]:
    return {"Data status": not runner.run("source_freshness", viewer).frame.empty}


def _definitions(runner: Runner, viewer: Viewer) -> dict[str, bool]:
    return {}  # the glossary: the workbook's own Definitions sheet


PAGE_SHOWS: dict[str, Shows] = {
    "": _overview,
    "utilization": _utilization,
    "coverage": _coverage,
    "knowledge": _knowledge,
    "toolkit": _toolkit,
    "adoption": _adoption,
    "data": _data,
    "definitions": _definitions,
}


# --- workbooks ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_wh(tmp_path_factory) -> Path:
    wh = tmp_path_factory.mktemp("page_downloads") / "warehouse.duckdb"
    load([REFERENCE, EXPORTS], wh)
    return wh


@pytest.fixture(scope="module")
def runners(request, fixture_wh) -> Callable[[str], Runner]:
    """Warehouse key -> Runner; the demo warehouse is loaded only when a test asks for it."""
    made: dict[str, Runner] = {}

    def get(key: str) -> Runner:
        if key not in made:
            path = fixture_wh if key == "fixture" else request.getfixturevalue("demo_load")[0]
            made[key] = Runner(path)
        return made[key]

    return get


@pytest.fixture(scope="module")
def books(runners, tmp_path_factory) -> Callable[[str, str, str], bytes]:
    """(warehouse, viewer slug, url_path) -> the page's workbook, built once; the audit lines
    go to a file of this module's own."""
    log = tmp_path_factory.mktemp("audit") / "exports.log"
    made: dict[tuple, bytes] = {}

    def get(wh: str, viewer: str, url_path: str) -> bytes:
        key = (wh, viewer, url_path)
        if key not in made:
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("HTRA_AUDIT_LOG", str(log))
                ctx = Context(runners(wh), WAREHOUSES[wh][1][viewer], Filters(), user=USER)
                made[key] = page_workbook(ctx, url_path, TITLES[url_path])
        return made[key]

    return get


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _data_rows(ws) -> int:
    """Rows under the header with at least one value (an empty table has one blank row)."""
    return sum(
        any(v not in (None, "") for v in row) for row in ws.iter_rows(min_row=2, values_only=True)
    )


def _notes(wb) -> dict[str, str]:
    return {item: value for _, item, value in wb["Notes"].iter_rows(min_row=2, values_only=True)}


def _xml_text(data: bytes) -> str:
    """Every part of the .xlsx (sheets, shared strings, charts, tables, properties) as text."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(html.unescape(z.read(n).decode("utf-8")) for n in z.namelist())


def _ccn(ccn: str) -> re.Pattern:
    return re.compile(rf"(?<![\d.]){re.escape(ccn)}(?!\d)")


CASES = [(v, u) for v in ("collaborative", "hospital", "system") for u in URL_PATHS]
IDS = [f"{v}-{_slug(u)}" for v, u in CASES]


def test_every_page_with_figures_has_a_download_and_the_others_none():
    # every page but the Excel reports page (a form, no figures of its own) shows figures
    assert set(PAGE_SHEETS) == set(PAGE_SHOWS) == {p.url_path for p in PAGES} - {"exports"}


@pytest.mark.parametrize(("viewer", "url_path"), CASES, ids=IDS)
def test_the_workbook_opens_ends_with_definitions_and_notes_and_holds_no_formula(
    books, viewer, url_path
):
    data = books("fixture", viewer, url_path)
    assert isinstance(data, bytes) and data[:2] == b"PK"
    wb = _open(data)
    assert wb.sheetnames[-2:] == TAIL, wb.sheetnames
    assert TAIL[0] not in wb.sheetnames[:-2] and TAIL[1] not in wb.sheetnames[:-2]
    formulas, bad = [], []
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or type(cell.value).__name__ in (
                    "ArrayFormula",
                    "DataTableFormula",
                ):
                    formulas.append(f"{ws.title}!{cell.coordinate}: {cell.value!r}")
                if isinstance(cell.value, str) and cell.value.strip() in BAD_TEXT:
                    bad.append(f"{ws.title}!{cell.coordinate}: {cell.value!r}")
    assert not formulas, formulas[:5]
    with zipfile.ZipFile(io.BytesIO(data)) as z:  # a formula element in the sheets' XML
        parts = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not [n for n in parts if re.search(rb"<f[ >/]", z.read(n))]
    assert not bad, bad[:5]
    notes = _notes(wb)
    assert notes["Workbook"] == TITLES[url_path]
    assert notes["Exported by"] == USER
    assert notes["Audience"].startswith("Internal")


@pytest.mark.parametrize(
    ("wh", "viewer", "url_path"),
    [
        pytest.param(
            wh,
            v,
            u,
            id=f"{wh}-{v}-{_slug(u)}",
        )
        for wh in WAREHOUSES
        for v, u in CASES
    ],
)
def test_the_workbook_holds_the_tables_the_page_shows(runners, books, wh, viewer, url_path):
    wb = _open(books(wh, viewer, url_path))
    tables = wb.sheetnames[: -len(TAIL)]
    shows = PAGE_SHOWS[url_path](runners(wh), WAREHOUSES[wh][1][viewer])
    shows = {n: None if shown is None else bool(shown) for n, shown in shows.items()}
    rows = {name: _data_rows(wb[name]) for name in tables}
    problems = [f"sheet {n!r}: the page has no such section" for n in tables if n not in shows]
    problems += [
        f"sheet {n!r}: the page shows it, the workbook "
        + ("has no figures in it" if n in rows else "has no such sheet")
        for n, shown in shows.items()
        if shown and not rows.get(n)
    ]
    problems += [
        f"sheet {n!r}: {rows[n]} rows of figures where the page shows none"
        for n, shown in shows.items()
        if shown is False and rows.get(n)
    ]
    assert not problems, f"{wh} warehouse, {viewer}, /{url_path}: {problems} (sheets {tables})"


@pytest.mark.parametrize("wh", list(WAREHOUSES))
@pytest.mark.parametrize("viewer", ["hospital", "system"])
@pytest.mark.parametrize("url_path", URL_PATHS, ids=_slug)
def test_a_workbook_names_no_hospital_outside_the_viewers_scope(
    runners, books, wh, viewer, url_path
):
    reference, viewers = WAREHOUSES[wh]
    v = viewers[viewer]
    hospitals = _reference_hospitals(reference)
    if v.role == "hospital":
        own = {v.scope}
    else:
        own = {m["ccn"] for m in _members(reference) if m["health_system"] == v.scope}
    assert own and own <= set(hospitals)
    own_names = {hospitals[c] for c in own}
    others = {c: n for c, n in hospitals.items() if c not in own}
    # a name that is part of one of the viewer's own names could not be told apart
    assert not [n for n in others.values() if any(n in o for o in own_names)]
    data = books(wh, viewer, url_path)
    text = _xml_text(data)
    leaked = [n for n in others.values() if n in text]
    leaked += [c for c in others if _ccn(c).search(text)]
    assert not leaked, f"{wh}, {viewer} {v.scope}, /{url_path}: {leaked[:5]}"
    wb = _open(data)  # the same through the cells, as a reader of the workbook sees them
    cells = [str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c]
    assert not [n for n in others.values() for c in cells if n in c]
    assert not [c for c in others if any(_ccn(c).search(s) for s in cells)]
    if v.role == "hospital":  # the check can fail: the hospital's own name is in (Notes)
        assert own_names.pop() in text


@pytest.mark.parametrize(("viewer", "url_path"), CASES, ids=IDS)
def test_each_download_appends_one_audit_line(runners, tmp_path, monkeypatch, viewer, url_path):
    log = tmp_path / "audit" / "exports.log"
    monkeypatch.setenv("HTRA_AUDIT_LOG", str(log))
    runner = runners("fixture")
    v = WAREHOUSES["fixture"][1][viewer]
    ctx = Context(runner, v, Filters(), user=USER)
    data = page_workbook(ctx, url_path, TITLES[url_path])
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1, lines
    entry = json.loads(lines[0])
    assert entry["user"] == USER
    assert entry["report"] == f"page {_slug(url_path)}"
    assert entry["via"] == "app"
    assert entry["audience"] == "internal"
    assert (entry["viewer_role"], entry["viewer_scope"]) == (v.role, v.scope)
    assert entry["filters"] == {}
    assert entry["warehouse_version"] == runner.version()[0]
    assert entry["bytes"] == len(data)
    page_workbook(ctx, url_path, TITLES[url_path])  # a second download: a second line
    assert len(log.read_text(encoding="utf-8").splitlines()) == 2
    assert not (runner.path.parent / "exports.log").exists()  # nothing beside the warehouse
