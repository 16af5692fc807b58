import io
import os
import shutil
from pathlib import Path

import duckdb
import pytest

# A fixed key so learner ids are reproducible in tests; never the production key.
os.environ["HTRA_LEARNER_KEY"] = "test-key-not-secret"

from etl import loader  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
HS_HEADER = (  # HealthStream-style transcript header, for tests that write their own rows
    "Student ID,Last Name,First Name,Department,Job Title,Course ID,Course Title,Status,"
    "Completion Date,Score,Contact Hours\n"
)
REFERENCE = FIXTURES / "reference"
EXPORTS = FIXTURES / "exports"


def load(paths, warehouse: Path, **opts):
    """Load through the real loader; results keyed by path relative to its fixture root."""
    paths = [Path(p) for p in (paths if isinstance(paths, list | tuple) else [paths])]
    results, version = loader.run(paths, warehouse, loader.Options(**opts), log=io.StringIO())
    return {_key(r.path): r for r in results}, version


def _key(path: str) -> str:
    p = Path(path)
    for root in (EXPORTS, REFERENCE):
        if p.is_relative_to(root.resolve()):
            return p.relative_to(root.resolve()).as_posix()
    repo = Path(__file__).parent.parent.resolve()
    return p.relative_to(repo).as_posix() if p.is_relative_to(repo) else p.name


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()


SAMPLE = Path(__file__).parent.parent / "sample_data"


@pytest.fixture(scope="session")
def demo_load(tmp_path_factory):
    """The committed demo tier loaded once per test session: (warehouse, load results)."""
    wh = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    results, _ = load(SAMPLE, wh)
    return wh, results


@pytest.fixture
def warehouse(tmp_path) -> Path:
    return tmp_path / "wh" / "warehouse.duckdb"


@pytest.fixture
def loaded(warehouse) -> Path:
    """The fixture reference data and every fixture export, loaded once into a fresh warehouse."""
    load([REFERENCE, EXPORTS], warehouse)
    return warehouse


@pytest.fixture
def ref_only(warehouse) -> Path:
    load(REFERENCE, warehouse)
    return warehouse


@pytest.fixture
def export_copy(tmp_path):
    """Copy one fixture export into tmp so a test can alter it; returns the copy's path."""

    def copy(rel: str, dest_rel: str | None = None) -> Path:
        dest = tmp_path / "in" / (dest_rel or rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(EXPORTS / rel, dest)
        return dest

    return copy


@pytest.fixture
def app(monkeypatch):
    """AppTest of the whole app (router + page) on a given warehouse."""
    from streamlit.testing.v1 import AppTest

    def start(warehouse: Path, **session) -> AppTest:
        monkeypatch.setenv("HTRA_WAREHOUSE", str(warehouse))
        at = AppTest.from_file(
            str(Path(__file__).parent.parent / "dashboard.py"), default_timeout=60
        )
        for key, value in session.items():
            at.session_state[key] = value
        return at

    return start
