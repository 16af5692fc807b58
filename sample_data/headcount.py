"""HR staff headcount workbooks (`exports/hr-headcount/`), written with openpyxl.

Heartland's HR sends one sheet per hospital by department and job title (with FTE and a
`=SUM` total whose value only Excel computes); the association compiles one long sheet for the
other member hospitals by department and role, a year apart. Headcounts are the staff
population, except one stale (hospital, role) far below its real staff: more people there
complete training than HR says exist. Bytes are fixed: fixed document dates and zip entry times.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from . import catalog
from .activity import Activity
from .fmt import rng_for

AS_OF = datetime(2026, 6, 30)
YEAR_BEFORE = datetime(2025, 6, 30)
SAVED = datetime(2026, 7, 8, 14, 5, 0)  # document properties: when HR saved the workbook
ROLE_LABELS = {r[0]: r[1] for r in catalog.ROLES}
MEMBER_HEADER = ["CCN", "Hospital", "As-of Date", "Department", "Job Category", "Headcount"]


def _save(wb: Workbook, path: Path) -> None:
    """openpyxl's `save` stamps the current time; its writer and a zip rewrite do not."""
    wb.properties.created = SAVED
    wb.properties.modified = SAVED
    buf = io.BytesIO()
    ExcelWriter(wb, ZipFile(buf, "w", ZIP_DEFLATED, allowZip64=True)).save()
    path.parent.mkdir(parents=True, exist_ok=True)
    with ZipFile(io.BytesIO(buf.getvalue())) as src, ZipFile(path, "w", ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = ZIP_DEFLATED
            fixed.create_system = 3
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))


def _heartland(path: Path, staff: pd.DataFrame, hosp: pd.DataFrame, rng) -> int:
    wb = Workbook()
    wb.remove(wb.active)
    rows = 0
    for h in np.flatnonzero(hosp["heartland"].to_numpy()):
        name, ccn = hosp.loc[h, "name"], hosp.loc[h, "ccn"]
        counts = staff[staff["hosp"] == h].groupby(["department", "job_title"]).size().reset_index()
        fte = np.round(counts[0].to_numpy() * rng.uniform(0.8, 0.97, len(counts)), 1)
        ws = wb.create_sheet(title=name[:31])
        ws["A1"] = "Heartland Health System - Staff headcount"
        ws.merge_cells("A1:D1")
        ws["A2"] = f"Facility: {name} (CCN {ccn})"
        ws["A3"] = "As of:"
        ws["B3"] = AS_OF
        ws["B3"].number_format = "m/d/yyyy"
        ws.append([])
        ws.append(["Department", "Job Title", "Headcount", "FTE"])
        for row, ((dept, title, n), f) in enumerate(
            zip(counts.itertuples(index=False), fte, strict=True), start=6
        ):
            ws.append([dept, title, int(n), float(f)])
            ws.cell(row, 4).number_format = "0.0"
        ws.append(["Total", None, f"=SUM(C6:C{5 + len(counts)})"])
        rows += len(counts)
    _save(wb, path)
    return rows


def _member_counts(staff: pd.DataFrame, hosp: pd.DataFrame) -> pd.DataFrame:
    others = hosp["is_member"].to_numpy() & ~hosp["heartland"].to_numpy()
    mine = staff[others[staff["hosp"].to_numpy()]]
    counts = mine.groupby(["hosp", "department", "role"]).size().rename("n").reset_index()
    counts["label"] = counts["role"].map(ROLE_LABELS)
    return counts.sort_values(["hosp", "department", "label"], kind="stable").reset_index(drop=True)


def _stale(counts: pd.DataFrame, staff: pd.DataFrame, act: Activity) -> pd.DataFrame:
    """The (hospital, role) with the most completers by the as-of date keeps a number from an
    old system: 40% of its completers, so the ETL must flag completers above headcount. Chosen
    among MHA Moodle hospitals, whose completion reports show the job title (role) of learners."""
    done = act.enr["video_ts"].to_numpy() <= np.datetime64(AS_OF)
    people = np.unique(act.enr["person"].to_numpy()[done])
    who = staff.iloc[people]
    who = who[who["hosp"].isin(counts["hosp"].unique()) & (who["system"] == "mha")]
    completers = who.groupby(["hosp", "role"]).size()
    (h, role), n_done = completers.idxmax(), int(completers.max())
    sel = ((counts["hosp"] == h) & (counts["role"] == role)).to_numpy()
    share = 0.4 * n_done / counts.loc[sel, "n"].sum()
    counts.loc[sel, "n"] = np.floor(counts.loc[sel, "n"].to_numpy() * share).astype(int)
    return counts


def _member(path: Path, counts: pd.DataFrame, hosp: pd.DataFrame, as_of: datetime) -> int:
    wb = Workbook()
    ws = wb.active
    ws.title = "Headcount"
    ws["A1"] = f"Member hospital staff headcount, as of {as_of:%B} {as_of.day}, {as_of.year}"
    ws.merge_cells("A1:F1")
    ws.append(MEMBER_HEADER)
    ccn = hosp["ccn"].to_numpy()[counts["hosp"].to_numpy()]
    name = hosp["name"].to_numpy()[counts["hosp"].to_numpy()]
    rows = zip(ccn, name, counts["department"], counts["label"], counts["n"], strict=True)
    for row, (c, nm, dept, label, n) in enumerate(rows, start=3):
        ws.append([int(c), nm, as_of, dept, label, int(n)])
        ws.cell(row, 3).number_format = "m/d/yyyy"
    _save(wb, path)
    return len(counts)


def write_headcount(
    out: Path, staff: pd.DataFrame, hosp: pd.DataFrame, act: Activity, seed: int
) -> list:
    rng = rng_for(seed, "hr-headcount")
    folder = out / "exports" / "hr-headcount"
    stats = []
    path = folder / f"heartland-headcount-{AS_OF:%Y-%m-%d}.xlsx"
    stats.append((path, _heartland(path, staff, hosp, rng)))
    counts = _member_counts(staff, hosp)
    # A year earlier: about 5% fewer people in post.
    before = counts.assign(n=rng.binomial(counts["n"].to_numpy(), 0.95))
    before = before[before["n"] > 0]
    for as_of, frame in ((AS_OF, _stale(counts, staff, act)), (YEAR_BEFORE, before)):
        path = folder / f"member-headcount-{as_of:%Y-%m-%d}.xlsx"
        stats.append((path, _member(path, frame, hosp, as_of)))
    return stats
