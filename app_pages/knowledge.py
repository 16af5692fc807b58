"""Knowledge: did staff learn? Matched pre/post gains, items, retention, attrition and bias."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from analysis import knowledge, readings
from queries.filters import Filters
from ui import context, download, glossary, knowledge_blocks
from ui import knowledge as view

ctx = context.current()
run = ctx.runner.run
titles = run("modules").frame.set_index("module_id")["title"].to_dict()

st.title("Knowledge gains")
policy = st.radio(
    "Attempt used for each learner",
    ["first", "best", "last"],
    format_func={"first": "First finished", "best": "Best", "last": "Last finished"}.get,
    horizontal=True,
    help="Matching pairs the same learner's pre- and post-test of a module.",
    key=download.POLICY_KEY,
)
res = run("knowledge_gains", ctx.viewer, ctx.filters, pool=True, policy=policy)
for note in res.notes:
    st.caption(note)
if res.empty:
    st.info("No learner has both a finished pre-test and post-test under these filters.")
    st.stop()
gains = res.derive(knowledge.gains)
mine = gains[~gains["is_peer_group"]]
if mine.empty:
    st.info(
        "None of your hospitals has 11 or more learners with both a pre-test and a post-test "
        "in a module under these filters, so no knowledge figures are shown for them. "
        "The peer benchmark follows."
    )
    st.plotly_chart(view.forest(gains, titles), width="stretch")
    st.dataframe(view.gains_table(gains, titles), hide_index=True, width="stretch")
    st.stop()
own = mine["hospital"].iloc[0]
default = ctx.filters.module or mine.sort_values("n_learners", ascending=False)["module_id"].iloc[0]
modules = sorted(mine["module_id"].unique())
module = st.selectbox(
    "Module for the detail below",
    modules,
    index=modules.index(default) if default in modules else 0,
    format_func=lambda m: f"{m} {titles.get(m, '')}",
)

st.header("Did scores rise after the modules?")
st.caption(glossary.levels("Knowledge gain"))
row = mine[mine["module_id"] == module].iloc[0]  # modules come from these rows
if pd.notna(row["released"]):
    st.info(
        readings.gain(
            row["mean_change_pp"],
            row["ci_low_pp"],
            row["ci_high_pp"],
            int(row["n_learners"]),
            row["p_t"],  # this module alone, as its interval (the table adds Holm's)
            what=f"{module} {titles.get(module, '')}",
        )
    )
else:
    st.info(
        f"{own}: fewer than 11 matched learners in {module} (`<11`), so no figures are shown; "
        "they would describe too few people."
    )
st.plotly_chart(view.forest(gains, titles), width="stretch")
st.dataframe(view.gains_table(gains, titles), hide_index=True, width="stretch")
st.caption(
    "pp = percentage points. p-values are Holm-adjusted across the modules of each row of "
    "hospitals; no test below 10 pairs; `<11`: fewer than 11 learners, withheld."
)
bins = res.detail
if own in set(bins["hospital"]) and module in set(bins[bins["hospital"] == own]["module_id"]):
    st.plotly_chart(view.distributions(bins[bins["module_id"] == module], own), width="stretch")

st.header(f"Which questions? {module} {titles.get(module, '')}")
st.caption(glossary.levels("Item facility and McNemar test"))
items_res = run("knowledge_items", ctx.viewer, ctx.filters, pool=True, policy=policy)
texts = run("quiz_items").frame.set_index("item_id")["item_text"]
if items_res.empty:
    st.info("No item responses for matched learners under these filters.")
else:
    items = items_res.derive(knowledge.item_changes)
    items = items[(items["module_id"] == module) & ~items["is_peer_group"]]
    gaps = items[items["is_gap"].fillna(False).astype(bool)]
    if len(gaps):
        st.warning(
            "Knowledge gaps (post-test facility below 0.70): "
            + "; ".join(
                f"{i} “{texts.get(i, '')}” ({f:.0%})"
                for i, f in zip(gaps["item_id"], gaps["facility_post"], strict=True)
            )
        )
    st.dataframe(view.items_table(items, texts), hide_index=True, width="stretch")

st.subheader("Are the questions sound? (Moodle item analysis, first attempts)")
st.caption(glossary.levels("Item analysis") + " · all roles and months")
phase = st.radio("Quiz", ["pre", "post", "followup"], horizontal=True, format_func=str.capitalize)
quality = run("item_quality", ctx.viewer, replace(ctx.filters, module=module), pool=True)
if quality.empty:
    st.info("No first attempts of this quiz in view.")
else:
    per_item, per_quiz = quality.derive(knowledge.item_quality)
    knowledge_blocks.quality(per_item, per_quiz, own, phase, texts)

st.header("Did they keep it? Follow-up and attrition")
st.caption(glossary.levels("Retention"))
ret = run("knowledge_retention", ctx.viewer, ctx.filters, pool=True, policy=policy)
drop = run("knowledge_attrition", ctx.viewer, ctx.filters, pool=True, policy=policy)
narrowed = replace(ctx.filters, module=None) != Filters()
knowledge_blocks.follow_up(ret, drop, own, module, titles, narrowed)
