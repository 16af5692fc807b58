"""Column settings for st.dataframe: readable names and number formats from the column names."""

import pandas as pd
import streamlit as st

from queries.labels import column_label


def columns(frame: pd.DataFrame) -> dict:
    config = {}
    for name in frame.columns:
        label = column_label(name)
        dtype = frame[name].dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            config[name] = st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm")
        elif name.endswith("_pct") and pd.api.types.is_numeric_dtype(dtype):
            config[name] = st.column_config.NumberColumn(label, format="%.1f%%")
        elif pd.api.types.is_integer_dtype(dtype):
            config[name] = st.column_config.NumberColumn(label, format="localized")
        elif name in ("path", "message", "record_masked", "value"):
            config[name] = st.column_config.TextColumn(label, width="large")
        else:
            config[name] = label
    return config
