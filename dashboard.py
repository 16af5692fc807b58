"""Thin router: page config, warehouse check, viewer (demo mode), shared filters, navigation."""

import streamlit as st

from queries.runner import WarehouseMissing
from ui import context

st.set_page_config(page_title="Trafficking response program analytics", layout="wide")

runner = context.get_runner()
try:
    runner.version()
except WarehouseMissing:
    st.error(
        f"No warehouse at `{runner.path}`. Build it with `make warehouse` "
        "(or `python -m etl load sample_data`)."
    )
    st.stop()

viewer = context.viewer_switch(runner)
filters = context.filter_sidebar(runner, viewer)
st.session_state["ctx"] = context.Context(runner, viewer, filters)

nav = st.navigation(
    [
        st.Page("app_pages/data.py", title="Data", icon=":material/database:"),
        st.Page(
            "app_pages/knowledge.py",
            title="Knowledge",
            icon=":material/school:",
            url_path="knowledge",
        ),
        st.Page(
            "app_pages/definitions.py",
            title="Definitions",
            icon=":material/menu_book:",
            url_path="definitions",
        ),
    ]
)
st.sidebar.page_link("app_pages/definitions.py", label="Metric definitions", icon=":material/help:")
context.banner(st.session_state["ctx"])
nav.run()
