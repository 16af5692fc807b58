"""Definitions: every metric the app and the exports report, with its formula and level."""

import pandas as pd
import streamlit as st

from ui.glossary import METRICS

st.title("Metric definitions")
st.caption(
    "One definition per metric, shared by every page and export. Levels: RE-AIM dimension, "
    "Moore's outcome level for continuing education, Kirkpatrick's training level."
)
st.dataframe(
    pd.DataFrame([m.__dict__ for m in METRICS]),
    hide_index=True,
    column_config={
        "name": st.column_config.TextColumn("Metric", width="medium"),
        "definition": st.column_config.TextColumn("Definition", width="large"),
        "formula": st.column_config.TextColumn("Computed as", width="medium"),
        "re_aim": "RE-AIM",
        "moore": "Moore",
        "kirkpatrick": "Kirkpatrick",
    },
)
