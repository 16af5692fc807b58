"""Thin router: page config, demo-mode notice, warehouse check, navigation."""

import streamlit as st

from etl.config import warehouse_path
from queries import runner

st.set_page_config(page_title="Trafficking response program analytics", layout="wide")

if not warehouse_path().exists():
    st.error(
        f"No warehouse at `{warehouse_path()}`. Build it with `make warehouse` "
        "(or `python -m etl load sample_data`)."
    )
    st.stop()

version = runner.run("warehouse_version")
st.sidebar.caption(
    "Local demo mode: no login configured; bound to localhost.  \n"
    + (f"Warehouse version `{version.iloc[0]['version']}`" if not version.empty else "")
)
nav = st.navigation(
    [st.Page("pages/data_status.py", title="Data status", icon=":material/database:")]
)
nav.run()
