"""External workbooks against the ways a reader could get a count of 1-10 back (found by an
adversarial review on the demo tier): a percentage times its n, a total minus released cells, a
code order recomputed from public data, a filter value naming a lone hospital."""

import io
import re

import openpyxl
import pytest

from exports import reports
from exports.source import Source
from queries.filters import Filters
from queries.runner import Runner
from queries.scope import COLLABORATIVE, Viewer

WITHHELD = "<11"
# cards whose own fully-trained count (or last year's) is 1-10 behind a shown percentage
CARDS = ["260137", "141302", "171338", "261303", "281349", "264173", "140796"]
PEOPLE = ("Staff with all required modules", "Staff completed", "Staff started", "Headcount")


@pytest.fixture(scope="module")
def runner(demo_load):
    return Runner(demo_load[0])


def _rows(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], r, strict=True)) for r in values[1:]]


def _book(runner, viewer, **filters) -> openpyxl.Workbook:
    data = (reports.collaborative if viewer.is_collaborative else reports.hospital_card)(
        Source(runner, viewer, Filters(**filters), "external")
    )
    return openpyxl.load_workbook(io.BytesIO(data))


def test_no_summary_percentage_times_its_n_gives_a_count_of_1_to_10(runner):
    released, withheld = 0, 0
    for ccn in CARDS:
        for row in _rows(_book(runner, Viewer("hospital", ccn))["Summary"]):
            if row["n counts"] not in ("staff (headcount)", "staff ever fully trained"):
                continue
            for value, n in ((row["Value"], row["n"]), (row["Peer hospitals"], row["Peer n"])):
                if isinstance(value, int | float) and isinstance(n, int | float):
                    assert not 1 <= round(value * n / 100) <= 10, (ccn, row)
                    released += 1
            withheld += row["Value"] == WITHHELD
    # both sides of the rule were exercised: figures released, and small ones withheld
    assert released and withheld


@pytest.mark.parametrize("viewer", ["collaborative", "system", "260478"])
def test_no_column_of_people_counts_has_exactly_one_withheld_cell(runner, viewer):
    v = {"collaborative": COLLABORATIVE, "system": Viewer("system", "Heartland Health System")}
    wb = _book(runner, v.get(viewer) or Viewer("hospital", viewer))
    columns = 0
    for ws in wb.worksheets:
        rows = _rows(ws)
        for header in PEOPLE:
            if rows and header in rows[0]:
                columns += 1
                held = sum(r[header] == WITHHELD for r in rows)
                assert held != 1, (ws.title, header)  # total minus the others would give it
    assert columns >= 3


def test_withheld_rows_are_listed_by_code_not_in_the_order_of_their_hidden_values(runner):
    rows = _rows(_book(runner, COLLABORATIVE)["Coverage by hospital"])
    held = [r["Hospital"] for r in rows if r["Coverage"] == WITHHELD]
    assert len(held) >= 2
    assert held == sorted(held)
    assert all(r["Imprecise"] == WITHHELD for r in rows if r["Coverage"] == WITHHELD)


def test_two_external_exports_number_the_hospitals_differently(runner):
    def codes():
        rows = _rows(_book(runner, COLLABORATIVE)["Module use ranked"])
        return {r["Hospital"]: r["Headcount"] for r in rows}

    # 30 hospitals: the same random order twice in five draws would be a 1 in 30! chance
    draws = [codes() for _ in range(5)]
    assert any(d != draws[0] for d in draws[1:])
    assert all(re.fullmatch(r"Hospital \d\d", h) for h in draws[0])


def test_an_external_notes_sheet_does_not_name_a_filter_that_singles_out_a_hospital(runner):
    wb = _book(runner, COLLABORATIVE, hospital_type="Psychiatric")
    notes = {r["Item"]: r["Value"] for r in _rows(wb["Notes"])}
    assert "Psychiatric" not in notes["Hospital type"]
    text = " ".join(
        str(c)
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
        if c is not None
    )
    assert "Psychiatric" not in text and "Three Forks" not in text
