"""Toolkit use: which resources are downloaded, for which protocol elements, by which hospitals."""

import streamlit as st

from analysis import toolkit
from ui import charts, context, glossary, program

ctx = context.current()
run = ctx.runner.run
resources = run("toolkit_resources").frame
titles = resources.set_index("resource_id")["title"].to_dict()
elements = run("protocol_elements").frame
element_names = elements.set_index("element_id")["name"].to_dict()

st.title("Toolkit use")
st.caption(glossary.levels("Toolkit downloads"))
per_resource = run("downloads_by_resource", ctx.viewer, ctx.filters)
monthly = run("downloads_by_resource_month", ctx.viewer, ctx.filters).frame
hospitals = run("downloads_by_hospital", ctx.viewer, ctx.filters).frame
for note in per_resource.notes:
    st.caption(note)
frame = ctx.runner.frame(ctx.viewer)
named = frame.named(ctx.filters)
none = toolkit.without_download(named, hospitals)
mine = hospitals[~hospitals["is_peer_group"]]
a, b, c = st.columns(3)
a.metric("Counted downloads, your hospitals", program.held(mine["n_downloads"].sum()))
b.metric("Unique clients", program.held(mine["n_clients"].sum()))
c.metric("Hospitals with no attributed download", f"{len(none)} of {len(named)}")

if ctx.viewer.is_collaborative:
    every = run("downloads_all_by_resource_month", ctx.viewer, ctx.filters).frame
    st.caption(
        f"All counted downloads, attributed to a hospital or not: {every['n_downloads'].sum():,} "
        f"({every['n_unattributed'].sum():,} from networks no hospital is mapped to)."
    )
if per_resource.empty:
    st.info("No counted download attributed to these hospitals in the period.")
else:
    rows = per_resource.frame
    res_mine = program.resource_summary(rows, titles)
    st.plotly_chart(
        charts.bars(
            res_mine,
            label="label",
            value="n_downloads",
            hover="hover",
            title="Counted downloads by resource (your hospitals)",
            x_title="Counted downloads (once per client and resource per 30 minutes)",
        ),
        width="stretch",
    )
    trend = toolkit.by_element(monthly[~monthly["is_peer_group"]], resources)
    trend["element"] = (
        trend["element_id"]
        + " "
        + trend["element_id"].map(lambda e: program.short(element_names.get(e, ""), 28))
    )
    matrix = trend.pivot(index="element", columns="month", values="n_downloads").fillna(0)
    matrix.columns = [f"{m:%b %Y}" for m in matrix.columns]
    st.plotly_chart(
        charts.heatmap(
            matrix,
            title="Counted downloads by protocol element and month (your hospitals)",
            x_title="Month",
            y_title="Protocol element",
            value_label="downloads",
        ),
        width="stretch",
    )
    st.caption("A resource that supports two elements counts for each.")

st.subheader("Hospitals with no attributed download in the period")
if none.empty:
    st.success("Every hospital in view has at least one attributed download.")
else:
    st.dataframe(program.plain(none), hide_index=True, width="stretch")
    st.caption(
        "Downloads are attributed by the hospital's network ranges or staff e-mail domain; "
        "a hospital whose staff download from home is not seen here."
    )

if ctx.viewer.is_collaborative:
    st.subheader("Requests left out, by reason")
    excl = run("load_exclusions", ctx.viewer).frame
    st.dataframe(program.exclusions(excl), hide_index=True, width="stretch")
