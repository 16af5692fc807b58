"""Upload export files in the browser (collaborative staff only): load them into a candidate
warehouse in a separate process, show the accounting, go live only on confirmation."""

import pandas as pd
import streamlit as st

from etl import candidate
from queries import labels
from ui.tables import columns

DETECT = "(detect from the file; reference files and logs)"


def section(ctx) -> None:
    if not ctx.viewer.is_collaborative:
        return
    st.divider()
    st.subheader("Load new export files")
    pending: candidate.Candidate | None = st.session_state.get("candidate")
    if pending is not None:
        _review(ctx, pending)
        return
    rules = ctx.runner.run("source_rules", ctx.viewer).frame.to_dict("records")
    choice = st.selectbox(
        "Where the files come from (a sources.csv rule: sets system, tenant, hospital, dates)",
        [-1, *range(len(rules))],
        format_func=lambda i: DETECT if i < 0 else _rule_label(rules[i]),
        key="upload_rule",
    )
    files = st.file_uploader(
        "Export files",
        accept_multiple_files=True,
        key="upload_files",
        help="CSV, XLSX, logs (.log, .gz) and reference files; formats are detected from content.",
    )
    if st.button("Check these files", disabled=not files, type="primary"):
        staged = candidate.stage(
            [(f.name, f.getvalue()) for f in files],
            ctx.runner.path.parent / "uploads",  # beside the warehouse, never in it
        )
        options = candidate.rule_args(None if choice < 0 else rules[choice])
        with st.spinner("Loading into a candidate warehouse (the live one keeps serving)…"):
            st.session_state["candidate"] = candidate.build(staged, ctx.runner.path, options)
        st.rerun()


def _review(ctx, c: candidate.Candidate) -> None:
    if c.records:
        table = pd.DataFrame(c.records)
        keep = [
            k
            for k in (
                "file",
                "format",
                "status",
                "rows_read",
                "rows_loaded",
                "rows_excluded",
                "rows_rejected",
                "rows_duplicate",
                "message",
            )
            if k in table
        ]
        table = table[keep].assign(file=table["file"].map(lambda p: p.rsplit("/", 1)[-1]))
        table["format"] = table["format"].map(labels.format_label)
        st.dataframe(table, hide_index=True, column_config=columns(table))
    if c.errors:
        st.code(c.errors[-3000:], language=None)
    if not c.loaded_anything:
        st.warning("Nothing new would go live: the files were already loaded or could not be read.")
    else:
        st.info(
            f"Candidate warehouse `{c.version}` is ready. The live warehouse is unchanged "
            "until you make it live."
        )
    left, right = st.columns(2)
    if left.button("Make it live", type="primary", disabled=not c.loaded_anything):
        try:
            version = candidate.confirm(c, ctx.runner.path)
        except candidate.StaleCandidate as exc:
            st.error(str(exc))
            return
        del st.session_state["candidate"]
        st.session_state["upload_done"] = version
        st.rerun()
    if right.button("Discard"):
        candidate.discard(c)
        del st.session_state["candidate"]
        st.rerun()


def _rule_label(rule: dict) -> str:
    where = f", hospital {rule['hospital_ccn']}" if rule["hospital_ccn"] else ""
    return f"{rule['path_glob']}  ({rule['system']} / {rule['tenant']}{where})"


def flash() -> None:
    done = st.session_state.pop("upload_done", None)
    if done:
        st.success(f"Warehouse `{done}` is live.")
