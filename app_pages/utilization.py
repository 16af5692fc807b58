"""Module use: which hospitals use the modules, how much, how fast, and on which topics."""

import streamlit as st

from analysis import utilization
from ui import charts, context, glossary, program

ctx = context.current()
run = ctx.runner.run
modules = run("modules").frame
titles = modules.set_index("module_id")["title"].to_dict()

st.title("Module use")
st.caption(glossary.levels("Completions per 100 staff"))
res = run("utilization_by_hospital_module", ctx.viewer, ctx.filters)
for note in res.notes:
    st.caption(note)
if res.empty:
    st.info("No module was started or completed in these hospitals under these filters.")
    st.stop()
rows = res.frame
per = utilization.per_hospital(rows)
mine = per[~per["is_peer_group"]]
a, b, c = st.columns(3)
a.metric("Completions", program.held(mine["n_completed"].sum()))
b.metric("Contact hours earned", program.held(mine["sum_contact_hours"].sum(), program.number))
c.metric("Lagging hospitals", f"{int(mine['is_lagging'].sum())} of {len(mine)}")

shown, few = program.chart_hospitals(per, "completions_per_100_staff")
rows["module"] = rows["module_id"].map(lambda m: program.module_label(m, titles, 18))
matrix = rows.pivot(index="hospital", columns="module", values="completions_per_100_staff")
matrix = matrix.reindex(shown)
hover = (
    rows.assign(
        h=rows["n_completed"].map(program.held)
        + " completions, "
        + rows["headcount"].map(program.held)
        + " staff"
    )
    .pivot(index="hospital", columns="module", values="h")
    .reindex(shown)
)
if few:
    st.caption(few)
st.plotly_chart(
    charts.heatmap(
        matrix,
        title="Completions per 100 staff, by hospital and module",
        x_title="Module",
        y_title="Hospital",
        value_label="per 100 staff",
        hover=hover[matrix.columns],
    ),
    width="stretch",
)

monthly = run("completions_by_month", ctx.viewer, ctx.filters).frame
if monthly.empty:
    st.info("No completions by month under these filters.")
else:
    pooled = utilization.monthly(monthly, ctx.runner.frame(ctx.viewer).pool_label(ctx.filters))
    st.plotly_chart(
        charts.lines(
            pooled,
            x="month",
            y="n_completed",
            series="hospital",
            title="Completions per month",
            x_title="Month",
            y_title="Completions",
        ),
        width="stretch",
    )

st.subheader("Hospitals ranked")
st.caption(
    "Completions per 100 staff per module: all completions per 100 staff, divided by the number "
    "of modules. Lagging (orange): the bottom quarter of your hospitals (or, with fewer than 4, "
    "below the peer groups), or none completed. Completion rate: of the modules started in the "
    "period, the share completed."
)
per["label"] = per["hospital"].map(lambda h: program.short(h, 34))
per["hover"] = per.apply(
    lambda r: (
        f"{program.held(r.n_completed)} completions · {program.held(r.headcount)} staff"
        f" · completion rate {program.held(r.completion_rate_pct, program.pct)}"
    ),
    axis=1,
)
st.plotly_chart(
    charts.bars(
        per[per["hospital"].isin(shown)],
        label="label",
        value="completions_per_100_staff",
        highlight="is_lagging",
        title="Completions per 100 staff",
        x_title="Completions per 100 staff",
        hover="hover",
        value_format=".1f",
    ),
    width="stretch",
)
st.dataframe(program.ranked_table(per), hide_index=True, width="stretch")

st.subheader("Time spent, where the export records it")
st.caption(glossary.levels("Time spent"))
pooled_use = run("utilization_by_hospital_module", ctx.viewer, ctx.filters, pool=True).frame
st.dataframe(program.time_table(pooled_use, titles), hide_index=True, width="stretch")

st.subheader("Topic coverage")
st.caption("Completions per 100 staff of the modules covering each topic.")
topics = utilization.topics(rows, modules)
topics["per_100"] = (
    100
    * topics["n_completed"]
    / topics["hospital"].map(per.set_index("hospital")["headcount"]).where(lambda s: s > 0)
)
topics["topic_label"] = topics["kind"] + ": " + topics["topic"]
tmatrix = topics.pivot(index="hospital", columns="topic_label", values="per_100")
st.plotly_chart(
    charts.heatmap(
        tmatrix.reindex(shown),
        title="Topic coverage: completions per 100 staff, by hospital and topic",
        x_title="Topic (form of trafficking, population, response step)",
        y_title="Hospital",
        value_label="per 100 staff",
    ),
    width="stretch",
)
