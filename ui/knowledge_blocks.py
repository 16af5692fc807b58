"""Streamlit blocks of the Knowledge page that need more than one call (kept out of the page so
it stays a layout)."""

import pandas as pd
import streamlit as st

from analysis import knowledge, readings
from ui import knowledge as view


def quality(per_item, per_quiz, own: str, phase: str, texts) -> None:
    items = per_item[(per_item["hospital"] == own) & (per_item["phase"] == phase)]
    test = per_quiz[(per_quiz["hospital"] == own) & (per_quiz["phase"] == phase)]
    if items.empty:
        st.info(f"No first attempts of the {phase} quiz in your hospitals under these filters.")
        return
    item_table, test_table = view.quality_tables(items, test, texts)
    st.dataframe(test_table, hide_index=True, width="stretch")
    st.dataframe(item_table, hide_index=True, width="stretch")
    flagged = items[items["flag"].notna()]
    if len(flagged):
        st.caption(
            "Flagged: "
            + "; ".join(
                f"{i} ({f})" for i, f in zip(flagged["item_id"], flagged["flag"], strict=True)
            )
            + ". Discrimination below 0 means stronger learners do worse on the item; an "
            "efficiency under 15% means it barely separates them."
        )


def follow_up(ret, drop, own: str, module: str, titles: dict, narrowed: bool) -> None:
    """`narrowed`: a filter other than the module is set. The bias checks compare parts of a
    cell (dropouts, non-responders) that are not protected against a narrower view being
    subtracted, so they are shown for the viewer's whole pool only."""
    if ret.empty and drop.empty:
        st.info("No follow-up invitations or pre-tests under these filters.")
        return
    r = ret.derive(knowledge.follow_up) if not ret.empty else pd.DataFrame()
    a = drop.derive(knowledge.dropouts) if not drop.empty else pd.DataFrame()
    if narrowed:
        r = r.drop(columns=[c for c in r.columns if c.startswith("bias_")]).assign(
            bias_diff=float("nan"), bias_p=float("nan")
        )
        a = pd.DataFrame()
        st.caption(
            "The bias checks (dropouts, follow-up non-responders) are shown for all your "
            "hospitals, all roles, since launch: narrower views could be subtracted from them."
        )
    r = r[r["hospital"] == own] if len(r) else r
    a = a[a["hospital"] == own] if len(a) else a
    no_followup = len(r) and bool((r["n_followup"] == 0).all())
    if len(r):
        row = r[r["module_id"] == module]
        if len(row) and not no_followup:
            x = row.iloc[0]
            st.info(
                readings.retention(
                    x["retention_ratio"],
                    x["mean_followup_pct"],
                    x["mean_pre_pct"],
                    x["mean_post_pct"],
                    0 if pd.isna(x["n_followup"]) else int(x["n_followup"]),
                )
            )
        if r["mean_followup_pct"].notna().any():
            st.plotly_chart(view.retention_chart(r, titles, module), width="stretch")
        elif no_followup:
            st.info(
                "No follow-up responses from these hospitals: their learning system may not "
                "run the follow-up quiz."
            )
    if len(a):
        row = a[a["module_id"] == module]
        if len(row):
            x = row.iloc[0]
            st.info(
                readings.bias(
                    x["bias_diff"],
                    x["bias_p"],
                    "learners without a post-test",
                    "those with one",
                    "pre-test",
                    x["bias_n_a"],
                    x["bias_n_b"],
                )
            )
    if len(r):
        st.dataframe(view.retention_table(r, titles), hide_index=True, width="stretch")
    if len(a):
        st.dataframe(view.attrition_table(a, titles), hide_index=True, width="stretch")
    st.caption(
        "Invited: matched learners whose post-test is older than the follow-up window (setting "
        "`followup_window_months`, default 6). A retention ratio is given only when the gain "
        "is at least 5 points. Counts split within a module (responders, dropouts) are shown "
        "only when each part is 0 or at least 11."
    )
