"""The Training coverage page's region map (Streamlit block): regions shaded by coverage on an
offline base map; hospital points for collaborative staff only."""

import pandas as pd
import streamlit as st

from analysis import coverage
from ui import geo
from ui.context import Context
from ui.theme import count


def draw(ctx: Context, per_hospital: pd.DataFrame) -> None:
    frame = ctx.runner.frame(ctx.viewer)
    regions = coverage.by_region(per_hospital, frame.own)
    if regions.empty:
        st.info("No coverage figure for the regions of your hospitals under these filters.")
        return
    counties = regions.explode("counties").rename(columns={"counties": "county"})
    counties = counties.dropna(subset=["county"])
    counties["value"] = counties["coverage_pct"]
    counties["covered"] = counties.apply(
        lambda r: (
            f"{count(r.n_covered)} of {count(r.headcount)} staff "
            f"({r.n_member_hospitals} member hospital{'s' if r.n_member_hospitals != 1 else ''})"
        ),
        axis=1,
    )
    counties["ci"] = counties.apply(
        lambda r: (
            f"{r.ci_low_pct:.1f} to {r.ci_high_pct:.1f}"
            + (" (imprecise)" if r.is_imprecise else "")
        ),
        axis=1,
    )
    points = None
    if ctx.viewer.is_collaborative:
        h = frame.own[["hospital_name", "state", "county"]]
        points = per_hospital[~per_hospital["is_peer_group"]].merge(
            h, left_on="hospital", right_on="hospital_name"
        )
        points["value"] = points["coverage_pct"]
        points["covered"] = points.apply(
            lambda r: f"{count(r.n_covered)} of {count(r.headcount)} staff", axis=1
        )
        points["ci"] = points.apply(
            lambda r: (
                "–" if pd.isna(r.coverage_pct) else f"{r.ci_low_pct:.1f} to {r.ci_high_pct:.1f}"
            ),
            axis=1,
        )
    fig = geo.region_map(
        counties,
        points,
        title="Coverage of required training by region (counties with member hospitals)",
        value_label="Coverage (%)",
        hover_cols={"covered": "Staff", "ci": "95% CI (%)"},
    )
    st.plotly_chart(fig, width="stretch", config=geo.CONFIG)
    note = (
        "A region's shade is its member hospitals' pooled coverage, drawn on the counties they "
        "are in. "
    )
    if points is None:
        note += "Only the regions of your own hospitals are shown; peers appear above as groups."
    else:
        note += "Dots: hospitals, placed at their county."
    st.caption(note)
