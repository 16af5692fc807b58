"""Production login (DESIGN.md section 6): Streamlit's OIDC login says who someone is, the access
file (ui/access.py) says what they may see. Configured by an `[auth]` section in secrets; without
one the router keeps the demo-mode "View as" switch (ui/context.py).

Everything here fails closed: a broken secrets file, a missing or invalid access file, an unknown
or unverified address and a scope without member hospitals all stop the run before any data is
read or shown.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from queries import runner as runner_mod
from queries.scope import ROLES, ScopeError, Viewer
from ui import access

_PINNED = "_login"  # session-state key; no widget uses it, so no browser message can set it
# Settings of the default provider that are tables themselves, not named providers.
_NOT_PROVIDERS = {"client_kwargs"}
ASK = "ask the association's program staff to add you"


@dataclass(frozen=True)
class Login:
    email: str
    viewer: Viewer


def configured() -> bool:
    """True when secrets have an `[auth]` section. No secrets file at all is the demo mode; a
    secrets file that cannot be read stops the app, since falling back to the demo mode (anyone
    may view as anyone) on a production server would open everything."""
    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError as exc:
        if getattr(exc, "error_id", None) == "no-secrets-found":
            return False
        st.error(f"The secrets file cannot be read, so login cannot be set up: {exc}")
        st.stop()


def identify() -> Login:
    """The logged-in person and the viewer the access file gives them, fixed at the first run
    of the session; stops with a login screen or a refusal otherwise."""
    try:
        listed = access.load()
    except access.AccessFileError as exc:
        st.error(f"The access file is missing or invalid, so the dashboard is closed. {exc}")
        st.stop()
    user = st.user
    # .get: under AppTest, is_logged_in is absent unless the test sets it (see tests/test_login.py)
    if not user.get("is_logged_in", False):
        _login_screen()
    email = access.normalize(str(user.get("email") or ""))
    if not email:
        refuse(f"Your login did not include an e-mail address, so access cannot be checked; {ASK}.")
    if str(user.get("email_verified", "")).lower() == "false":
        refuse(f"{_code(email)} is not verified by the login provider; verify it there, or {ASK}.")
    viewer = listed.lookup(email)
    if viewer is None:  # checked on every run: removing someone takes effect at their next click
        refuse(f"{_code(email)} is not on this dashboard's access list; {ASK}.")
    pinned = st.session_state.get(_PINNED)
    if not isinstance(pinned, Login) or pinned.email != email:
        # Fixed once: a later edit of the person's entry applies from their next session only,
        # and nothing in the session (widgets, session state, URL) can change it.
        pinned = st.session_state[_PINNED] = Login(email, viewer)
    return pinned


def admit(runner: runner_mod.Runner, who: Login) -> None:
    """Refuse a viewer whose scope has no member hospitals in the data; else show who is logged
    in, with a way out, in the sidebar."""
    try:
        names = runner.frame(who.viewer).names
    except ScopeError:
        refuse(
            f"{_code(who.email)} is listed as {describe(who.viewer, {})}, which has no member "
            f"hospitals in the current data; {ASK} with the right scope."
        )
    st.sidebar.caption(f"Logged in as {_code(who.email)}  \n{describe(who.viewer, names)}")
    _logout_button(st.sidebar)


def describe(viewer: Viewer, names: Mapping[str, str]) -> str:
    """'Hospital: Crossroads Regional Medical Center', 'State association: KS', ..."""
    label = ROLES[viewer.role]
    return f"{label}: {names.get(viewer.scope, viewer.scope)}" if viewer.scope else label


def refuse(message: str) -> NoReturn:
    _close()
    st.title("No access")
    st.error(message)
    _logout_button(st)
    st.stop()


def _login_screen() -> NoReturn:
    _close()
    st.title("Trafficking response program analytics")
    st.write(
        "Training data of the program's member hospitals: log in with your organization's "
        "account to see what your association, system or hospital may see."
    )
    auth = st.secrets["auth"]
    named = [k for k, v in auth.items() if isinstance(v, Mapping) and k not in _NOT_PROVIDERS]
    # A provider configured directly in [auth] is the default one; named ones get a button each.
    providers = ([None] if "client_id" in auth or not named else []) + named
    for provider in providers:
        label = "Log in" if provider is None else f"Log in with {provider.capitalize()}"
        if st.button(label, key=f"login_{provider or 'default'}", type="primary"):
            st.login(provider)
    st.stop()


def _close() -> None:
    # A context left from an earlier run must not outlive access (callbacks run before the router).
    st.session_state.pop("ctx", None)
    st.session_state.pop(_PINNED, None)


def _logout_button(where) -> None:
    if where.button("Log out", key="logout"):
        _close()
        st.logout()  # the browser is sent to the provider's logout, then back to a new session
        st.rerun()  # meanwhile this session shows the login screen, not the page it was on


def _code(text: str) -> str:
    """Inline code, so an address is shown as typed (no markdown, no auto-link)."""
    return "`" + text.replace("`", "'") + "`"
