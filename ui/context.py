"""Who is looking and what they filtered on: the sidebar, the URL and the banner on every page.

The viewer comes from the login and the access file (ui/login.py) or, without login, from the
demo-mode switch; it lives in the session only, so no URL can widen it. The filters live in
widgets keyed in session state and are written back to the URL on every run (Streamlit clears
query parameters when the page changes).
"""

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from etl.config import warehouse_path
from queries import overview
from queries import runner as runner_mod
from queries.filters import CUSTOM, HOSPITAL_KEYS, LABELS, SINCE_LAUNCH, Filters, parse_month
from queries.scope import COLLABORATIVE, ROLES, ScopeError, Viewer
from ui.login import describe

ALL = ""  # "All" in a selectbox: None would show as an empty "Choose an option"
DEMO_USER = "demo (localhost)"


@dataclass(frozen=True)
class Context:
    runner: runner_mod.Runner
    viewer: Viewer
    filters: Filters
    user: str = DEMO_USER  # the logged-in e-mail: exports record who exported what


@st.cache_resource
def _runner_for(path: str) -> runner_mod.Runner:
    return runner_mod.Runner(path)


def get_runner() -> runner_mod.Runner:
    """One runner (one root connection) per warehouse path for the whole server process."""
    return _runner_for(str(warehouse_path()))


def current() -> Context:
    """For pages: the context the router set up in this run."""
    return st.session_state["ctx"]


def _options(values, labels=None):
    labels = labels or {}
    return [ALL, *values], (lambda v: "All" if v == ALL else labels.get(v, v))


def _keep_valid(key: str, allowed) -> None:
    if st.session_state.get(key) not in allowed:
        st.session_state[key] = ALL


def viewer_switch(runner: runner_mod.Runner) -> Viewer:
    collaborative = runner.frame(COLLABORATIVE)
    everyone = collaborative.hospitals
    st.sidebar.caption(
        ":orange[**Demo mode**]: no login is configured, so the app listens on localhost only "
        "and anyone using it may view as any role."
    )
    role = st.sidebar.selectbox("View as", list(ROLES), format_func=ROLES.get, key="viewer_role")
    if role == "collaborative":
        return COLLABORATIVE
    choices = {
        "state": sorted(everyone["state"].dropna().unique()),
        "system": sorted(everyone["health_system"].dropna().unique()),
        "hospital": list(everyone.sort_values("hospital_name")["hospital_ccn"]),
    }[role]
    names = collaborative.names
    if not choices:
        st.sidebar.warning(f"No {ROLES[role].lower()} in the membership file.")
        return COLLABORATIVE
    if st.session_state.get("viewer_scope") not in choices:
        st.session_state["viewer_scope"] = choices[0]
    scope = st.sidebar.selectbox(
        f"Which {ROLES[role].lower()}",
        choices,
        key="viewer_scope",
        format_func=lambda v: names.get(v, v),
    )
    try:
        return Viewer(role, scope)
    except ScopeError as exc:
        st.sidebar.error(str(exc))
        return COLLABORATIVE


def _init_from_url() -> None:
    if st.session_state.get("_filters_from_url"):
        return
    f = Filters.from_url(st.query_params.to_dict())
    for name, value in f.as_dict().items():
        st.session_state[f"f_{name}"] = (
            value.strftime("%Y-%m") if isinstance(value, date) else value
        )
    st.session_state["_filters_from_url"] = True


def filter_sidebar(runner: runner_mod.Runner, viewer: Viewer) -> Filters:
    _init_from_url()
    frame = runner.frame(viewer)
    side = st.sidebar
    side.subheader("Filters")
    for key in HOSPITAL_KEYS:
        label = LABELS[key]
        values = frame.options(key)
        opts, fmt = _options(values, frame.names if key == "hospital" else None)
        _keep_valid(f"f_{key}", opts)
        if len(values) > 1 or st.session_state.get(f"f_{key}") != ALL:
            side.selectbox(label, opts, key=f"f_{key}", format_func=fmt)
    roles = runner.run("roles").frame
    opts, fmt = _options(list(roles["role"]), dict(zip(roles["role"], roles["label"], strict=True)))
    _keep_valid("f_role", opts)
    side.selectbox(LABELS["role"], opts, key="f_role", format_func=fmt)
    modules = runner.run("modules").frame
    labels = {m: f"{n}. {t}" for m, n, t in modules[["module_id", "module_no", "title"]].values}
    opts, fmt = _options(list(modules["module_id"]), labels)
    _keep_valid("f_module", opts)
    side.selectbox(LABELS["module"], opts, key="f_module", format_func=fmt)
    _period_widgets(runner)
    f = Filters(
        **{
            k: st.session_state.get(f"f_{k}") or None
            for k in (
                "state",
                "region",
                "health_system",
                "hospital_type",
                "hospital",
                "role",
                "module",
            )
        },
        period=st.session_state.get("f_period") or SINCE_LAUNCH,
        month_from=parse_month(st.session_state.get("f_month_from") or ""),
        month_to=parse_month(st.session_state.get("f_month_to") or ""),
    )
    if f.period != CUSTOM:
        f = Filters(**{**f.as_dict(), "month_from": None, "month_to": None})
    f = frame.sanitize(f)
    st.query_params.from_dict(f.to_url())
    return f


def _period_widgets(runner: runner_mod.Runner) -> None:
    periods, launch, last = runner.periods()
    labels = {SINCE_LAUNCH: "Since launch", CUSTOM: "Months…"} | {p.key: p.label for p in periods}
    keys = [SINCE_LAUNCH, *[p.key for p in periods], CUSTOM]
    if st.session_state.get("f_period") not in keys:
        st.session_state["f_period"] = SINCE_LAUNCH
    st.sidebar.selectbox("Period", keys, key="f_period", format_func=labels.get)
    if st.session_state["f_period"] != CUSTOM:
        return
    months = [m.strftime("%Y-%m") for m in pd.date_range(launch, last, freq="MS")]
    for key, default in (("f_month_from", months[0]), ("f_month_to", months[-1])):
        if st.session_state.get(key) not in months:
            st.session_state[key] = default
    a, b = st.sidebar.columns(2)
    a.selectbox("From", months, key="f_month_from")
    b.selectbox("To", months, key="f_month_to")


def banner(ctx: Context) -> None:
    """Version, as-of date, viewer, period and active filters, at the top of every page."""
    stamp = ctx.runner.run("warehouse_version", ctx.viewer, ctx.filters)
    frame = ctx.runner.frame(ctx.viewer)
    names = frame.names
    who = describe(ctx.viewer, names)
    p = stamp.period
    parts = [f"Viewing as **{who}**", f"{p.label} ({p.month_from:%b %Y} – {p.month_to:%b %Y})"]
    roles = ctx.runner.run("roles").frame.set_index("role")["label"]
    modules = ctx.runner.run("modules").frame.set_index("module_id")["title"]
    shown = {
        "state": ("State", str),
        "region": ("Region", str),
        "health_system": ("System", str),
        "hospital_type": ("Type", str),
        "hospital": ("Hospital", lambda v: names.get(v, v)),
        "role": ("Role", lambda v: roles.get(v, v)),
        "module": ("Module", lambda v: modules.get(v, v)),
    }
    active = [
        f"{label}: {fmt(getattr(ctx.filters, key))}"
        for key, (label, fmt) in shown.items()
        if getattr(ctx.filters, key) is not None
    ]
    if active:
        parts.append(" · ".join(active))
    built = f"{stamp.built_at:%Y-%m-%d %H:%M} UTC" if stamp.built_at is not None else "not built"
    parts.append(f"Data as of {built} · version `{stamp.version}`")
    st.caption(" · ".join(parts))


def period_of(ctx: Context):
    return overview.period(ctx.runner, ctx.filters)


def targets(ctx: Context) -> dict:
    return overview.targets(ctx.runner, ctx.filters)
