"""Write sheets of DataFrames into one analyst-ready .xlsx (openpyxl), returned as bytes.

Each sheet holds exactly one Excel table starting at A1 (no extra autofilter: Excel would ask to
repair the file), a frozen header row, a number format per column and widths from the content.
Withheld cells read `<11`; text is always stored as text, never as a formula (DESIGN.md 6-7).
"""

import io
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

WITHHELD = "<11"
# Text starting with one of these is a formula (or DDE payload) to Excel or LibreOffice.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
FORMATS = {
    "n": "#,##0",  # a count of people or of what people did: withheld at 1-10 for outsiders
    "count": "#,##0",  # a count of anything else (files, hospitals in a peer group)
    "pct": "0.0%",  # values arrive in percent (0-100) and are written as fractions
    "share": "0.0%",  # values arrive as fractions (0-1)
    "pp": "0.0",
    "one": "#,##0.0",
    "two": "0.00",
    "p": '[<0.0001]"<0.0001";0.0000',  # the value stays exact; only its display is floored
    "date": "yyyy-mm-dd",
    "month": "mmm yyyy",
    "datetime": "yyyy-mm-dd hh:mm",
    "text": "@",
    "flag": "@",  # yes/no computed from the figures: withheld with them for outsiders
}
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Chart:
    kind: str  # "bar" (horizontal bars) or "line"
    title: str
    category: str  # column of the category labels
    values: list[str]  # columns plotted as series
    y_title: str = ""
    rows: int | None = None  # only the first rows (the viewer's own, ahead of the peers)


@dataclass
class Sheet:
    name: str
    frame: pd.DataFrame  # display column names as headers, in order
    kinds: dict[str, str] = field(default_factory=dict)  # column -> key of FORMATS
    withheld: pd.DataFrame | None = None  # True where a cell is withheld (same shape)
    chart: Chart | None = None
    # column -> the "n" columns it is computed from (default: every "n" column of the row)
    depends: dict[str, list[str]] = field(default_factory=dict)


def sheet_name(name: str) -> str:
    clean = _BAD_SHEET.sub(" ", name).strip("'").strip() or "Sheet"
    return clean[:31]


def safe_text(cell, value: str) -> None:
    """Store value as a string even when Excel would read it as a formula."""
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True  # Excel and LibreOffice also keep it text when edited


def _value(v, kind: str):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if kind == "pct" and isinstance(v, int | float):
        return float(v) / 100
    if isinstance(v, list | tuple | np.ndarray):
        return "; ".join(str(x) for x in v)
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, datetime) and v.tzinfo is not None:
        v = v.replace(tzinfo=None)  # Excel has no time zones: UTC, said in Notes
    return v


def _display_len(v, kind: str) -> int:
    if v is None:
        return 0
    if isinstance(v, float):
        return len(f"{v:,.1f}") + (1 if kind in ("pct", "share") else 0)
    if isinstance(v, int):
        return len(f"{v:,}")
    if isinstance(v, datetime):
        return 16
    if isinstance(v, date):
        return 10
    return max((len(line) for line in str(v).splitlines()), default=0)


def _write_sheet(wb: Workbook, sheet: Sheet, table_names: set) -> None:
    ws = wb.create_sheet(sheet_name(sheet.name))
    frame = sheet.frame.reset_index(drop=True)
    headers = [str(c) for c in frame.columns]
    if len(set(headers)) != len(headers):
        raise ValueError(f"sheet {sheet.name!r}: duplicate column headers {headers}")
    widths = [len(h) for h in headers]
    for j, h in enumerate(headers, start=1):
        safe_text(ws.cell(row=1, column=j), h)
        ws.cell(row=1, column=j).font = Font(bold=True)
        ws.cell(row=1, column=j).alignment = Alignment(wrap_text=True, vertical="top")
    held = sheet.withheld
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        for j, (h, raw) in enumerate(zip(headers, row, strict=True), start=1):
            kind = sheet.kinds.get(h, "")
            cell = ws.cell(row=i, column=j)
            v = _value(raw, kind)
            if v is None and held is not None and bool(held.iat[i - 2, j - 1]):
                safe_text(cell, WITHHELD)
                cell.alignment = Alignment(horizontal="right")
                widths[j - 1] = max(widths[j - 1], 3)
                continue
            if isinstance(v, str):
                safe_text(cell, v)
            elif isinstance(v, bool):
                safe_text(cell, "yes" if v else "no")
            else:
                cell.value = v
                if kind in FORMATS and kind != "text":
                    cell.number_format = FORMATS[kind]
            widths[j - 1] = max(widths[j - 1], _display_len(v, kind))
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), 60)
    ws.freeze_panes = "A2"
    last = get_column_letter(len(headers)) + str(max(len(frame) + 1, 2))
    if len(frame) == 0:
        for j in range(1, len(headers) + 1):
            safe_text(ws.cell(row=2, column=j), "")  # a table needs a data row
    name = _table_name(sheet.name, table_names)
    table = Table(displayName=name, ref=f"A1:{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    spec = sheet.chart
    n_rows = (spec.rows or len(frame)) if spec else 0
    if spec is not None and held is not None:
        # a withheld value would be drawn as a bar of 0 (text counts as 0 in a chart): draw
        # the rows before the first withheld one (exports put those last)
        hit = held[spec.values].iloc[:n_rows].to_numpy().any(axis=1)
        n_rows = int(hit.argmax()) if hit.any() else n_rows
    if spec is not None and n_rows:
        _chart(ws, spec, headers, n_rows)


def _table_name(name: str, taken: set) -> str:
    base = re.sub(r"[^A-Za-z0-9_]", "_", name)
    base = base if base[:1].isalpha() else f"t_{base}"
    out, k = base[:200], 2
    while out.lower() in taken:
        out, k = f"{base[:195]}_{k}", k + 1
    taken.add(out.lower())
    return out


def _chart(ws, spec: Chart, headers: list[str], n_rows: int) -> None:
    cat = headers.index(spec.category) + 1
    if spec.kind == "line":
        chart = LineChart()
        chart.height, chart.width = 9, 22
    else:
        chart = BarChart()
        chart.type = "bar"  # horizontal: long labels stay readable
        chart.height, chart.width = max(7.5, 0.45 * n_rows + 2), 18
        chart.y_axis.majorGridlines = None
        chart.x_axis.scaling.orientation = "maxMin"  # the table's first row at the top
    chart.title = spec.title
    chart.y_axis.title = spec.y_title
    for col in spec.values:
        j = headers.index(col) + 1
        chart.add_data(
            Reference(ws, min_col=j, min_row=1, max_row=n_rows + 1), titles_from_data=True
        )
    chart.set_categories(Reference(ws, min_col=cat, min_row=2, max_row=n_rows + 1))
    chart.legend.position = "b"
    if len(spec.values) == 1:
        chart.legend = None
    ws.add_chart(chart, f"{get_column_letter(len(headers) + 2)}2")


def workbook(sheets: list[Sheet]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    names: set[str] = set()
    tables: set[str] = set()
    for s in sheets:
        key = sheet_name(s.name).lower()
        if key in names:
            raise ValueError(f"two sheets named {sheet_name(s.name)!r}")
        names.add(key)
        _write_sheet(wb, s, tables)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
