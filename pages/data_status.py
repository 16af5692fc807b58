"""Data status: what went into the warehouse, file by file (placeholder until the pages issue)."""

import streamlit as st

from queries import labels, runner

st.title("Data status")
summary = runner.run("load_summary")
if summary.empty:
    st.info("No files loaded yet. Run `python -m etl load sample_data`.")
    st.stop()

summary["format"] = summary["format"].map(labels.format_label)
cols = st.columns(4)
cols[0].metric("Files", f"{summary['n_files'].sum():,}")
cols[1].metric("Rows read", f"{summary['rows_read'].sum():,}")
cols[2].metric("Rows loaded", f"{summary['rows_loaded'].sum():,}")
cols[3].metric("Rows rejected", f"{summary['rows_rejected'].sum():,}")
st.dataframe(
    summary,
    hide_index=True,
    column_config={
        "format": st.column_config.TextColumn("Source", width="medium"),
        "system": "System",
        "tenant": st.column_config.TextColumn("Tenant", width="small"),
        "n_files": st.column_config.NumberColumn("Files", format="%d"),
        "rows_read": st.column_config.NumberColumn("Rows read", format="localized"),
        "rows_loaded": st.column_config.NumberColumn("Loaded", format="localized"),
        "rows_excluded": st.column_config.NumberColumn("Excluded", format="localized"),
        "rows_rejected": st.column_config.NumberColumn("Rejected", format="localized"),
        "rows_duplicate": st.column_config.NumberColumn("Duplicate", format="localized"),
        "n_failed_files": st.column_config.NumberColumn("Failed files", format="%d"),
        "last_loaded_at": st.column_config.DatetimeColumn(
            "Last load (UTC)", format="YYYY-MM-DD HH:mm"
        ),
    },
)
st.caption(
    "Every row of every file is accounted for: read = loaded + excluded + rejected + "
    "duplicate. Rejected rows are listed by `python -m etl rejects`."
)
