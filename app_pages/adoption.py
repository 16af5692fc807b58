"""Protocol adoption: which elements each hospital has in place, the change between survey
waves, each hospital's gaps with what addresses them, and coverage against adoption."""

import streamlit as st

from analysis import adoption, coverage
from ui import charts, context, download, glossary, program

ctx = context.current()
run = ctx.runner.run
elements = run("protocol_elements").frame
names = elements.set_index("element_id")["name"].to_dict()

st.title("Protocol adoption")
st.caption(glossary.levels("Protocol adoption index"))
index = run("adoption_by_hospital", ctx.viewer, ctx.filters)
stages = run("adoption_by_hospital_element", ctx.viewer, ctx.filters).frame
for note in index.notes:
    st.caption(note)
if index.empty:
    st.info("No protocol-adoption survey response from these hospitals yet.")
    st.stop()
waves = sorted(set(index.frame["wave"]), key=lambda w: (w != "baseline", len(w), w))
wave = st.radio(
    "Survey wave",
    waves,
    index=len(waves) - 1,
    horizontal=True,
    format_func=program.wave_label,
    key=download.WAVE_KEY,
)

matrix = adoption.stage_matrix(stages, wave)
in_wave = index.frame[index.frame["wave"] == wave]
shown, few = program.chart_hospitals(in_wave, "adoption_index_pct")
matrix = matrix[matrix.index.isin(shown)]
if matrix.empty:
    st.info(f"None of your hospitals answered the {program.wave_label(wave)} survey.")
else:
    if few:
        st.caption(few)
    st.plotly_chart(
        charts.stage_heatmap(
            matrix,
            names,
            title=f"Stage of each protocol element, "
            f"{program.wave_label(wave)} (✓ in place, … in progress, "
            "✗ not started, n/a not applicable, ? unknown)",
        ),
        width="stretch",
    )
peers = adoption.peer_shares(stages, wave)
if len(peers) and peers["share_pct"].notna().any():
    st.plotly_chart(
        charts.stacked_stages(peers, names, title="Peer hospitals: share at each stage"),
        width="stretch",
    )

st.subheader("Adoption index and its change between waves")
change = adoption.index_change(index.frame)
st.dataframe(program.index_table(change), hide_index=True, width="stretch")
st.caption(
    "Index: elements in place / applicable elements answered. Unknown answers are left "
    "out of the denominator and shown as unknown, never as not started."
)

st.subheader("Gaps and what addresses them")
gaps = adoption.gaps(stages, elements, wave)
own = sorted(gaps["hospital"].unique()) if len(gaps) else []
if not own:
    st.success(f"Every applicable element is in place in the {program.wave_label(wave)} answers.")
else:
    pick = st.selectbox("Hospital", own)
    st.dataframe(
        program.gap_table(gaps[gaps["hospital"] == pick]), hide_index=True, width="stretch"
    )

st.subheader("Training coverage against protocol adoption")
cov = run("coverage_by_hospital_role", ctx.viewer, ctx.filters).frame
both = program.coverage_vs_adoption(coverage.by_hospital(cov), change)
if both.empty:
    st.info("No hospital has both a coverage figure and a survey answer under these filters.")
else:
    st.plotly_chart(
        charts.scatter(
            both,
            x="coverage_pct",
            y="latest_index_pct",
            label="hospital",
            hover="hover",
            title="Coverage of required training vs adoption index "
            "(each dot a hospital row, latest wave)",
            x_title="Staff with all required modules (%)",
            y_title="Adoption index (%)",
        ),
        width="stretch",
    )
