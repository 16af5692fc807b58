"""Thin router: page config, warehouse check, viewer (demo mode), shared filters, navigation."""

import streamlit as st

from queries.runner import WarehouseMissing
from ui import context
from ui.nav import PAGES

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
        st.Page(
            p.path, title=p.title, icon=p.icon, url_path=p.url_path or None, default=not p.url_path
        )
        for p in PAGES
    ]
)
st.sidebar.page_link("app_pages/definitions.py", label="Metric definitions", icon=":material/help:")
context.banner(st.session_state["ctx"])
nav.run()
