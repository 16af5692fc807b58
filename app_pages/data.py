"""Data: what went into the warehouse, what was left out and why, what is not mapped yet."""

import streamlit as st

from queries import labels
from ui import context, upload
from ui.tables import columns
from ui.theme import display

ctx = context.current()


def _table(frame) -> None:
    shown = display(frame)
    st.dataframe(shown, hide_index=True, column_config=columns(shown))


st.title("Data status")
upload.flash()

fresh = ctx.runner.run("source_freshness", ctx.viewer).frame
st.subheader("Freshness of each source")
if fresh.empty:
    st.info("No export files loaded yet. Run `python -m etl load sample_data`.")
else:
    fresh["format"] = fresh["format"].map(labels.format_label)
    _table(fresh)

if not ctx.viewer.is_collaborative:
    st.info(
        "File-by-file accounting, rejected rows and the mapping worklist are shown to "
        "collaborative staff only: they name files and hospitals across the collaborative."
    )
    st.stop()

files = ctx.runner.run("load_files", ctx.viewer).frame
cols = st.columns(5)
for col, (label, key) in zip(
    cols,
    [
        ("Files", None),
        ("Rows read", "rows_read"),
        ("Loaded", "rows_loaded"),
        ("Excluded by rule", "rows_excluded"),
        ("Rejected", "rows_rejected"),
    ],
    strict=True,
):
    col.metric(label, f"{len(files) if key is None else int(files[key].sum()):,}")
st.caption(
    "Every row of every file is accounted for: read = loaded + excluded + rejected + duplicate."
)

tabs = st.tabs(["Files", "Excluded by rule", "Rejected rows", "Not attributed", "Worklist"])
with tabs[0]:
    files["format"] = files["format"].map(labels.format_label)
    _table(files.drop(columns=["file_id"]))
with tabs[1]:
    excl = ctx.runner.run("load_exclusions", ctx.viewer).frame
    excl["reason"] = excl["reason"].map(labels.reason_label)
    excl["format"] = excl["format"].map(labels.format_label)
    _table(excl)
with tabs[2]:
    rej = ctx.runner.run("rejected_rows", ctx.viewer, limit=1000).frame
    if rej.empty:
        st.success("No rejected rows.")
    else:
        st.caption(
            "Personal data in the records is masked. Showing at most 1,000 rows; "
            "`python -m etl rejects` lists them all."
        )
        _table(rej)
with tabs[3]:
    st.markdown("**Learners without a hospital** (kept; attributed once a mapping arrives)")
    who = ctx.runner.run("unattributed_learners", ctx.viewer).frame
    _table(who)
    st.markdown("**Downloads without a hospital**")
    dl = ctx.runner.run("unattributed_downloads", ctx.viewer).frame
    _table(dl)
with tabs[4]:
    todo = ctx.runner.run("unmapped_values", ctx.viewer).frame
    if todo.empty:
        st.success("The reference data maps every value seen.")
    else:
        st.caption(
            "Add these to the reference files (role map, module aliases, toolkit "
            "resources, membership domains) and reload them."
        )
        todo["kind"] = todo["kind"].map(labels.kind_label)
        _table(todo)

upload.section(ctx)
