"""Production login (ui/login.py) through AppTest of the whole app on the demo warehouse, and the
access file (ui/access.py) on small files.

AppTest facts these tests rely on (streamlit 1.67): `at.secrets` replaces `st.secrets` for the run
but not the secrets Streamlit's own auth code reads, so `st.user` gets no `is_logged_in` default
(set it in `at.user`) and a real `st.login()` raises "configure credentials" (patch it to record
the call); `st.logout()` leaves `at.user` as {"is_logged_in": False}."""

import json

import pytest
import streamlit
from test_pages import _text

from queries.runner import Runner
from queries.scope import Viewer
from ui import access
from ui.nav import PAGES

AUTH = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret-not-a-real-one",
        "client_id": "test-client",
        "client_secret": "test-secret",
        "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
    }
}
ACCESS = """\
# the demo data's roles, as in access.example.csv, plus a scope with no member hospitals
principal,role,scope
@htcollab.org,collaborative,
@kha-net.org,state,KS
@heartlandhealth.org,system,Heartland Health System
it.lead@crossroadsrmc.org,hospital,260478
ghost@nowhere.org,hospital,999999
"""
USERS = {  # role -> (e-mail, the viewer as the banner names it)
    "collaborative": ("ana@htcollab.org", "Collaborative staff"),
    "state": ("Sam@KHA-net.org", "State association: KS"),
    "system": ("pat@heartlandhealth.org", "Health system: Heartland Health System"),
    "hospital": ("it.lead@crossroadsrmc.org", "Hospital: Crossroads Regional Medical Center"),
}
REFUSED = "is not on this dashboard's access list; ask the association's program staff"


@pytest.fixture
def access_file(tmp_path, monkeypatch):
    path = tmp_path / "access.csv"
    path.write_text(ACCESS)
    monkeypatch.setenv("HTRA_ACCESS_FILE", str(path))
    return path


@pytest.fixture
def login_app(app, demo_load, access_file):
    """The whole app with [auth] configured, as `user` (None: not logged in)."""

    def start(user: str | None, **claims):
        at = app(demo_load[0])
        at.secrets = json.loads(json.dumps(AUTH))  # a copy: runs write secrets back
        at.user = {"is_logged_in": False}
        if user is not None:
            at.user = {"is_logged_in": True, "email": user, **claims}
        return at

    return start


def _no_data(at):
    """Nothing from the warehouse: no banner, tables, metrics, charts, tabs or filters."""
    assert not at.dataframe and not at.metric and not at.tabs and not at.get("plotly_chart")
    assert not at.selectbox, [s.label for s in at.selectbox]
    assert not any("Viewing as" in c.value for c in at.caption)


def _outside_scope(viewer: Viewer, wh) -> tuple[list[str], list[str]]:
    """Names and CCNs of the member hospitals this viewer may not see by name."""
    runner = Runner(wh)
    hospitals = runner.frame().hospitals
    outside = hospitals[~hospitals["hospital_ccn"].isin(runner.frame(viewer).own.index)]
    return list(outside["hospital_name"]), list(outside["hospital_ccn"])


@pytest.mark.parametrize("role", list(USERS))
def test_each_role_logs_in_to_every_page_as_its_access_entry(login_app, demo_load, role):
    email, label = USERS[role]
    at = login_app(email).run()
    viewer = at.session_state["ctx"].viewer
    assert viewer.role == role
    names, ccns = _outside_scope(viewer, demo_load[0]) if role != "collaborative" else ([], [])
    for page in PAGES:
        at.switch_page(page.path).run()
        assert not at.exception, (page.path, at.exception[0].value)
        assert at.caption[0].value.startswith(f"Viewing as **{label}**"), page.path
        sidebar = " ".join(c.value for c in at.sidebar.caption)
        assert f"`{email.lower()}`" in sidebar and label in sidebar, page.path
        assert "Demo mode" not in sidebar and "View as" not in [s.label for s in at.selectbox]
        assert [b.label for b in at.sidebar.button] == ["Log out"]
        assert at.session_state["ctx"].user == email.lower()  # for the exports' audit log
        text = _text(at)
        leaked = [n for n in names if n in text] + [c for c in ccns if c in text]
        assert not leaked, (page.path, leaked[:3])


def test_an_unknown_user_is_refused_on_every_page(login_app):
    at = login_app("mallory@example.com").run()
    for page in PAGES:
        at.switch_page(page.path).run()
        assert not at.exception, page.path
        assert f"`mallory@example.com` {REFUSED}" in at.error[0].value, page.path
        assert [b.label for b in at.button] == ["Log out"]
        _no_data(at)
        assert "ctx" not in at.session_state


@pytest.mark.parametrize(
    "claims, reason",
    [
        ({"email": ""}, "did not include an e-mail address"),
        ({"email_verified": False}, "is not verified by the login provider"),
        ({"email_verified": "false"}, "is not verified by the login provider"),
    ],
)
def test_a_login_without_a_verified_address_is_refused(login_app, claims, reason):
    at = login_app("it.lead@crossroadsrmc.org", **claims).run()
    assert not at.exception
    assert reason in at.error[0].value
    _no_data(at)


def test_a_scope_without_member_hospitals_is_refused(login_app):
    at = login_app("ghost@nowhere.org").run()
    assert not at.exception
    assert "Hospital: 999999, which has no member hospitals" in at.error[0].value
    assert [b.label for b in at.button] == ["Log out"]
    _no_data(at)


def test_a_visitor_who_is_not_logged_in_sees_only_the_login_screen(login_app, monkeypatch):
    calls = []
    monkeypatch.setattr(streamlit, "login", lambda provider=None: calls.append(provider))
    at = login_app(None).run()
    for page in PAGES:
        at.switch_page(page.path).run()
        assert not at.exception, page.path
        assert at.title[0].value == "Trafficking response program analytics"
        assert [b.label for b in at.button] == ["Log in"]
        assert not at.sidebar.button and not at.error
        _no_data(at)
    at.button[0].click().run()
    assert calls == [None]  # the provider configured in [auth] itself
    _no_data(at)


def test_named_providers_get_a_login_button_each(login_app, monkeypatch):
    calls = []
    monkeypatch.setattr(streamlit, "login", lambda provider=None: calls.append(provider))
    at = login_app(None)
    shared = {k: AUTH["auth"][k] for k in ("redirect_uri", "cookie_secret")}
    provider = {k: AUTH["auth"][k] for k in ("client_id", "client_secret", "server_metadata_url")}
    at.secrets = {"auth": {**shared, "microsoft": provider, "okta": provider}}
    at.run()
    assert [b.label for b in at.button] == ["Log in with Microsoft", "Log in with Okta"]
    at.button[1].click().run()
    assert calls == ["okta"]


def test_a_logged_in_viewer_cannot_be_widened_by_session_state_or_the_url(
    login_app, demo_load, access_file
):
    at = login_app("it.lead@crossroadsrmc.org").run()
    hospitals = Runner(demo_load[0]).frame().hospitals
    other = hospitals[hospitals["hospital_ccn"] != "260478"].iloc[0]
    at.session_state["viewer_role"] = "collaborative"  # the demo switch's keys
    at.session_state["viewer_scope"] = other["hospital_ccn"]
    at.query_params.update(
        {"viewer_role": "collaborative", "hospital": other["hospital_ccn"], "state": "KS"}
    )
    at.run()
    assert not at.exception
    assert at.session_state["ctx"].viewer == Viewer("hospital", "260478")
    assert at.caption[0].value.startswith("Viewing as **Hospital: Crossroads")
    assert "hospital" not in at.query_params and "state" not in at.query_params
    assert other["hospital_name"] not in _text(at)
    # fixed once per session: a wider entry written now applies from the next session on
    access_file.write_text(
        ACCESS.replace("crossroadsrmc.org,hospital,260478", "crossroadsrmc.org,collaborative,")
    )
    at.switch_page("app_pages/overview.py").run()
    assert at.session_state["ctx"].viewer == Viewer("hospital", "260478")
    # ... but removing someone from the list takes effect at their next click
    access_file.write_text(ACCESS.replace("it.lead@crossroadsrmc.org,hospital,260478\n", ""))
    at.run()
    assert REFUSED in at.error[0].value
    _no_data(at)


def test_log_out_returns_to_the_login_screen(login_app):
    at = login_app("ana@htcollab.org").run()
    next(b for b in at.sidebar.button if b.label == "Log out").click().run()
    assert not at.exception
    assert at.user == {"is_logged_in": False}
    assert [b.label for b in at.button] == ["Log in"]
    _no_data(at)


@pytest.mark.parametrize("broken", ["missing", "invalid"])
def test_a_missing_or_invalid_access_file_closes_the_dashboard(login_app, access_file, broken):
    if broken == "missing":
        access_file.unlink()
    else:
        access_file.write_text(ACCESS.replace("@kha-net.org,state,KS", "@kha-net.org,admin,KS"))
    for user in (None, "ana@htcollab.org"):
        at = login_app(user).run()
        assert not at.exception
        message = at.error[0].value
        assert str(access_file) in message
        if broken == "invalid":
            assert "line 4, column role: expected one of collaborative" in message
        assert not at.button  # neither a login nor a way in
        _no_data(at)


def test_without_auth_the_demo_mode_is_unchanged(app, demo_load, access_file):
    at = app(demo_load[0]).run()  # no at.secrets, no .streamlit/secrets.toml: the demo mode
    assert not at.exception
    assert "Demo mode" in at.sidebar.caption[0].value
    at.selectbox(key="viewer_role").set_value("hospital").run()
    at.selectbox(key="viewer_scope").set_value("260478").run()
    assert at.caption[0].value.startswith("Viewing as **Hospital: Crossroads")
    assert at.session_state["ctx"].user == "demo (localhost)"
    assert not at.button  # no login, no logout


def test_an_unreadable_secrets_file_does_not_fall_back_to_the_demo_mode(
    app, demo_load, monkeypatch
):
    from streamlit.errors import StreamlitSecretNotFoundError

    class Broken:
        def __contains__(self, key):
            raise StreamlitSecretNotFoundError(
                "Error parsing secrets file at {path}", path="x", error_id="failed-parsing"
            )

    monkeypatch.setattr(streamlit, "secrets", Broken())
    at = app(demo_load[0]).run()
    assert not at.exception
    assert "secrets file cannot be read" in at.error[0].value
    _no_data(at)


# --- the access file on its own ------------------------------------------------------------


def _file(tmp_path, body: str, header: str = "principal,role,scope\n"):
    path = tmp_path / "access.csv"
    path.write_text(header + body)
    return path


def test_an_email_entry_beats_its_domain_and_matching_ignores_case_and_spaces(tmp_path):
    path = _file(
        tmp_path,
        "  @KHA.org , State , ks\n  Alice@Kha.ORG ,collaborative,\n\n# a comment\n"
        'bob@kha.org,system,"Smith, Jones Health"\n',
        header="\ufeff# about this file\nPrincipal, Role, Scope\n",  # Excel's byte-order mark
    )
    assert access.lookup(" ALICE@kha.org ", path) == Viewer("collaborative")
    assert access.lookup("carol@KHA.ORG", path) == Viewer("state", "KS")
    assert access.lookup("bob@kha.org", path) == Viewer("system", "Smith, Jones Health")
    assert access.lookup("dave@sub.kha.org", path) is None  # the exact domain only
    assert access.lookup("dave@kha.org.evil.com", path) is None
    for nobody in ("", None, "@kha.org", "kha.org", "a@b@kha.org"):
        assert access.lookup(nobody, path) is None, nobody


def test_a_collaborative_line_may_leave_out_the_trailing_comma(tmp_path):
    path = _file(tmp_path, "@htcollab.org,collaborative\n")
    assert access.lookup("x@htcollab.org", path) == Viewer("collaborative")


def test_the_file_comes_from_the_environment_else_beside_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.delenv("HTRA_ACCESS_FILE", raising=False)
    monkeypatch.setenv("HTRA_WAREHOUSE", str(tmp_path / "wh" / "warehouse.duckdb"))
    assert access.path() == tmp_path / "wh" / "access.csv"
    monkeypatch.setenv("HTRA_ACCESS_FILE", str(tmp_path / "elsewhere.csv"))
    assert access.path() == tmp_path / "elsewhere.csv"


def test_the_example_file_is_valid_and_covers_the_demo_roles():
    from etl.config import REPO_ROOT

    path = REPO_ROOT / "access.example.csv"
    for role, (email, _) in USERS.items():
        assert access.lookup(email, path).role == role


@pytest.mark.parametrize(
    "line, error",
    [
        (
            "@kha.org,admin,KS",
            "line 4, column role: expected one of collaborative, state, system, hospital; "
            "got 'admin'",
        ),
        (
            "alice,state,KS",
            "line 4, column principal: expected an e-mail address (alice@kha.org) or a domain "
            "(@kha.org); got 'alice'",
        ),
        ("alice kha.org,state,KS", "line 4, column principal: expected an e-mail address"),
        ("@kha,state,KS", "line 4, column principal: expected an e-mail address"),
        (
            "ALICE@kha.org,state,MO",
            "line 4, column principal: 'ALICE@kha.org' is already listed on line 3",
        ),
        (
            "@kha.org,collaborative,KS",
            "line 4, column scope: expected no scope for collaborative (it sees every hospital); "
            "got 'KS'",
        ),
        ("@kha.org,state,Kansas", "line 4, column scope: expected a two-letter state code"),
        ("@kha.org,state,", "line 4, column scope: expected a two-letter state code"),
        (
            "@kha.org,hospital,60478",
            "line 4, column scope: expected a 6-character CCN such as 260478 (Excel drops "
            "leading zeros); got '60478'",
        ),
        ("@kha.org,system,", "line 4, column scope: expected the health system's name"),
        (
            "@kha.org,system,Smith, Jones Health",
            "line 4: expected 3 columns principal,role,scope (quote a scope containing a comma)",
        ),
        ("@kha.org", "line 4: expected 3 columns principal,role,scope"),
    ],
)
def test_a_bad_line_names_the_file_line_column_and_what_was_expected(tmp_path, line, error):
    path = _file(
        tmp_path, f"alice@kha.org,state,KS\n{line}\n", header="# who\nprincipal,role,scope\n"
    )
    with pytest.raises(access.AccessFileError) as exc:
        access.load(path)
    assert str(exc.value).startswith(f"{path} {error}")


@pytest.mark.parametrize(
    "text, error",
    [
        ("email,role,scope\n", "line 1: expected the header principal,role,scope; got 'email"),
        ("# nothing yet\n\n", "no header line; expected principal,role,scope"),
        ("", "no header line"),
    ],
)
def test_a_bad_or_missing_header_is_an_error(tmp_path, text, error):
    path = tmp_path / "access.csv"
    path.write_text(text)
    with pytest.raises(access.AccessFileError, match=f"^{path}") as exc:
        access.load(path)
    assert error in str(exc.value)


def test_a_missing_file_says_where_it_was_looked_for(tmp_path):
    with pytest.raises(access.AccessFileError, match="no access file") as exc:
        access.load(tmp_path / "nope.csv")
    assert str(tmp_path / "nope.csv") in str(exc.value)
