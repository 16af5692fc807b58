"""Training coverage: how much of each hospital's staff is trained, by role and department."""

import streamlit as st

from analysis import coverage
from ui import charts, context, glossary, program, region_map
from ui.theme import pct

ctx = context.current()
run = ctx.runner.run
roles = run("roles").frame
role_names = roles.set_index("role")["label"].to_dict()
targets = context.targets(ctx)

st.title("Training coverage")
st.caption(glossary.levels("Training coverage"))
res = run("coverage_by_hospital_role", ctx.viewer, ctx.filters)
for note in res.notes:
    st.caption(note)
if res.empty or res.frame["headcount"].fillna(0).sum() == 0:
    st.info(
        "No HR headcount for these hospitals on or before the period's end, so coverage "
        "cannot be computed. Load the HR headcount workbook on the Data page."
    )
    st.stop()
per = coverage.by_hospital(res.frame)
own = per[~per["is_peer_group"]]
capped = own.assign(n_covered=own[["n_covered", "headcount"]].min(axis=1))  # as the Overview
total = coverage.proportions(capped[["n_covered", "n_reached", "headcount"]].sum().to_frame().T)
t = total.iloc[0]
a, b, c = st.columns(3)
a.metric(
    "Staff with all required modules",
    pct(t.coverage_pct),
    help=f"{int(t.n_covered):,} of {int(t.headcount):,} staff; 95% CI "
    f"{t.ci_low_pct:.1f} to {t.ci_high_pct:.1f}",
)
b.metric("Staff reached (≥ 1 module)", pct(100 * min(t.n_reached, t.headcount) / t.headcount))
c.metric("Target for the period", pct(targets.get("coverage_pct")))

per["label"] = per["hospital"].map(lambda h: program.short(h, 34))
per["hover"] = per.apply(program.coverage_hover, axis=1)
per["flagged"] = per["is_imprecise"] | per["is_over_headcount"]
shown, few = program.chart_hospitals(per, "coverage_pct")
if few:
    st.caption(few)
st.plotly_chart(
    charts.bars_with_ci(
        per[per["hospital"].isin(shown)].sort_values("coverage_pct", ascending=False),
        label="label",
        value="coverage_pct",
        low="ci_low_pct",
        high="ci_high_pct",
        hover="hover",
        highlight="flagged",
        title="Coverage of required training by hospital, with 95% Wilson intervals",
        x_title="Staff with all required modules (%)",
        target=targets.get("coverage_pct"),
    ),
    width="stretch",
)
st.caption(
    "Orange: imprecise (fewer than 30 staff, or a CI 30 points wide or more) or more "
    "staff trained than HR's headcount (a stale headcount or contractors: capped at 100%)."
)

st.subheader("By role")
by_role = coverage.by_role(res.frame)
missing = sorted(
    set(own["hospital"]) - set(coverage.recorded(res.frame).pipe(lambda s: s[s].index))
)
if missing and len(missing) < len(own):
    st.caption(
        f"Left out of the role figures: {len(missing)} hospital(s) whose LMS exports do "
        f"not record job titles ({', '.join(missing[:6])}{'…' if len(missing) > 6 else ''})."
    )
if by_role.empty:
    st.info(
        "No LMS export of these hospitals records job titles, so coverage by role "
        "cannot be computed."
    )
else:
    by_role["label"] = by_role["role"].map(program.role_label(role_names))
    by_role["hover"] = by_role.apply(program.coverage_hover, axis=1)
    front = set(roles.loc[roles["is_front_line"].fillna(False), "role"])
    by_role["front_line"] = by_role["role"].isin(front)
    st.plotly_chart(
        charts.bars_with_ci(
            by_role.sort_values("coverage_pct", ascending=False),
            label="label",
            value="coverage_pct",
            low="ci_low_pct",
            high="ci_high_pct",
            hover="hover",
            highlight="front_line",
            target=targets.get("coverage_pct"),
            title="Coverage by role (orange: front-line roles often missed)",
            x_title="Staff with all required modules (%)",
        ),
        width="stretch",
    )
    st.warning(program.front_line_callout(by_role, targets.get("coverage_pct")))
    st.dataframe(program.coverage_table(by_role, "label", "Role"), hide_index=True, width="stretch")

st.subheader("By department")
dept = run("coverage_by_hospital_department", ctx.viewer, ctx.filters).frame
by_dept = coverage.by_role(dept, key="department") if len(dept) else dept
if by_dept.empty:
    st.info(
        "No LMS export of these hospitals records departments, so coverage by "
        "department cannot be computed."
    )
else:
    st.dataframe(
        program.coverage_table(by_dept, "department", "Department"),
        hide_index=True,
        width="stretch",
    )

st.subheader("Refresher currency")
st.caption(glossary.levels("Refresher currency"))
fresh = run("refresher_currency", ctx.viewer, ctx.filters).frame
if fresh.empty:
    st.info("No staff has completed all required modules by the period's end.")
else:
    st.dataframe(program.refresher_table(fresh), hide_index=True, width="stretch")

st.subheader("Across the collaborative's regions")
region_map.draw(ctx, per)
