"""Definitions: every metric the app and the exports report, with its formula and level."""

import streamlit as st

from ui.glossary import METRICS

st.title("Metric definitions")
st.caption(
    "One definition per metric, shared by every page and export. Levels: the RE-AIM dimension, "
    "Moore's outcome level for continuing education and Kirkpatrick's training level."
)
for m in METRICS:
    with st.container(border=True):
        st.markdown(f"**{m.name}**  \n{m.definition}")
        st.markdown(f"*Computed as:* {m.formula}")
        st.caption(f"RE-AIM: {m.re_aim} · Moore: {m.moore} · Kirkpatrick: {m.kirkpatrick}")
