"""Thin router: page config, login, warehouse check, viewer, shared filters, navigation."""

import streamlit as st

from queries.runner import WarehouseMissing, WarehouseOutdated
from ui import context, download, login
from ui.nav import PAGES

st.set_page_config(page_title="Trafficking response program analytics", layout="wide")

# With [auth] in secrets, who may see what is settled before the warehouse is touched: a visitor
# who is not logged in or not listed gets a login screen or a refusal and nothing else.
who = login.identify() if login.configured() else None

runner = context.get_runner()
try:
    runner.version()
except WarehouseMissing:
    st.error(
        f"No warehouse at `{runner.path}`. Build it with `make warehouse` "
        "(or `python -m etl load sample_data`)."
    )
    st.stop()
except WarehouseOutdated as exc:
    st.error(f"Warehouse `{runner.path}`: {exc}.")
    st.stop()

if who is None:
    viewer, user = context.viewer_switch(runner), context.DEMO_USER
else:
    login.admit(runner, who)
    viewer, user = who.viewer, who.email
filters = context.filter_sidebar(runner, viewer)
st.session_state["ctx"] = context.Context(runner, viewer, filters, user)

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
download.page_button(st.session_state["ctx"], nav.url_path, nav.title)
nav.run()
