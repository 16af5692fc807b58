"""Exports: the full workbooks, built only when asked for, for the viewer's own scope."""

import time

import streamlit as st

from exports import audit, reports
from exports.source import AUDIENCES, Source
from queries.scope import COLLABORATIVE, Viewer
from ui import context
from ui.download import XLSX

ctx = context.current()
st.title("Excel reports")
st.caption(
    "Workbooks for analysts: one table per sheet, with number formats, charts, a Definitions "
    "sheet and a Notes sheet (data version, filters, sources, suppression). They use the "
    "filters in the sidebar and are built when you ask, for your own scope only."
)

frame = ctx.runner.frame(ctx.viewer)
own = frame.own
systems = own.groupby("health_system")["hospital_ccn"].count()
whole = frame.hospitals.groupby("health_system")["hospital_ccn"].count()
# a system's card is offered when every one of its hospitals is in the viewer's own scope
cards = {
    f"system:{s}": f"Report card: {s} (health system)"
    for s in systems.index
    if systems[s] == whole.get(s)
}
cards |= {
    f"hospital:{c}": f"Report card: {n}"
    for c, n in own.sort_values("hospital_name")[["hospital_ccn", "hospital_name"]].values
}
choices = {"collaborative": "Collaborative report"} if ctx.viewer.is_collaborative else {}
choices |= cards
if not choices:
    st.info("No report is available for your scope.")
    st.stop()
report = st.selectbox("Report", list(choices), format_func=choices.get, key="x_report")
audience = st.radio(
    "Audience", list(AUDIENCES), format_func=AUDIENCES.get, key="x_audience", horizontal=False
)
kind, _, scope = report.partition(":")
viewer = COLLABORATIVE if kind == "collaborative" else Viewer(kind, scope)
if st.button("Build workbook", type="primary", icon=":material/table_view:"):
    bar = st.progress(0.0, text="Starting…")
    t0 = time.perf_counter()
    src = Source(ctx.runner, viewer, ctx.filters, audience)  # scope and filters captured now
    build = reports.collaborative if kind == "collaborative" else reports.hospital_card
    data = build(src, ctx.user, lambda step, i, n: bar.progress(i / n, text=step))
    audit.record(src, kind, ctx.user, "app", len(data))
    bar.empty()
    # an anonymized workbook's file name must not name its hospital or system either
    who = "anonymized" if audience == "external" else scope or "all"
    name = f"{kind}-{who}-{audience}-{src.version[:15]}.xlsx".replace(" ", "_")
    took = f"{time.perf_counter() - t0:.1f} s"
    st.session_state["x_built"] = (report, audience, ctx.filters, name, data, took)
built = st.session_state.get("x_built")
if built and built[:3] == (report, audience, ctx.filters):  # not one built for other choices
    name, data, took = built[3:]
    st.success(f"Built `{name}` ({len(data) / 1024:,.0f} KB) in {took}.")
    st.download_button(
        "Download",
        data=data,
        file_name=name,
        mime=XLSX,
        on_click="ignore",
        icon=":material/download:",
    )
st.caption(
    "Internal: hospitals named, for the association's staff. External: for members and "
    "funders; hospitals get codes and every count of 1-10 reads <11. Each export is recorded "
    "(who, what, when, audience) in the audit log."
)
