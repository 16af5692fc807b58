"""Excel downloads from the app: each page's own tables (sidebar button) and the full reports
(Exports page). Workbooks are built only when asked for, from the viewer and filters captured
at that moment (the builder may run on another thread, where session state is not available),
and every export is written to the audit log."""

from collections.abc import Callable

import streamlit as st

from exports import audit, reports, sheets
from exports.source import Source
from ui.context import Context

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
POLICY_KEY, WAVE_KEY = "k_policy", "a_wave"  # keys of the Knowledge and Adoption pages' radios


def _toolkit(src: Source):
    if src.viewer.is_collaborative:
        return [
            sheets.toolkit_by_resource(src),
            sheets.toolkit_all(src),
            sheets.toolkit_by_hospital(src),
        ]
    return [sheets.toolkit_by_resource(src)]


def _coverage(src: Source):
    by_hospital = sheets.coverage_by_hospital(src)
    if by_hospital is None:  # no headcount: the page shows nothing else either
        return []
    return [by_hospital, sheets.coverage_by_role(src), sheets.refresher(src)]


# url_path of the page -> the export sheets that hold its figures
PAGE_SHEETS: dict[str, Callable[[Source], list]] = {
    "": lambda s: [sheets.summary(s, with_peers=not s.viewer.is_collaborative)],
    "utilization": lambda s: [
        sheets.utilization_ranked(s),
        sheets.utilization_by_hospital(s),
        sheets.completions_by_month(s),
    ],
    "coverage": _coverage,
    "knowledge": lambda s: [sheets.knowledge_gains(s), sheets.knowledge_items(s)],
    "toolkit": _toolkit,
    "adoption": lambda s: [
        sheets.adoption_index(s),
        sheets.adoption_stages(s),
        sheets.peer_adoption(s),
        sheets.protocol_gaps(s),
    ],
    "data": lambda s: [sheets.data_status(s)],
    "definitions": lambda s: [],  # the workbook's own Definitions sheet is the page
}


def page_workbook(ctx: Context, url_path: str, title: str, **options) -> bytes:
    """options: the page's own choices (policy: the quiz attempt; wave: the survey wave)."""
    src = Source(ctx.runner, ctx.viewer, ctx.filters, "internal", **options)
    tables = [t for t in PAGE_SHEETS[url_path](src) if t is not None]
    data = reports.page(src, title, tables, user=ctx.user)
    audit.record(src, f"page {url_path or 'overview'}", ctx.user, "app", len(data))
    return data


def page_button(ctx: Context, url_path: str, title: str) -> None:
    """A sidebar button with the current page's tables, under the current filters."""
    if url_path not in PAGE_SHEETS:
        return
    # the page's own radios, as the person last left them (the page itself runs after this)
    options = {
        "policy": st.session_state.get(POLICY_KEY) or "first",
        "wave": st.session_state.get(WAVE_KEY),
    }
    st.sidebar.download_button(
        "Download this page's data (.xlsx)",
        # ctx is frozen: the click builds for the viewer and filters of this run, not later ones
        data=lambda: page_workbook(ctx, url_path, title, **options),
        file_name=f"{url_path or 'overview'}-{ctx.viewer.scope or 'collaborative'}.xlsx",
        mime=XLSX,
        on_click="ignore",
        icon=":material/download:",
    )
