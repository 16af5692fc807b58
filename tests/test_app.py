"""The app runs on a real fixture warehouse (placeholder page until the pages issue)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).parent.parent / "dashboard.py"


def test_the_data_status_page_shows_the_row_accounting(loaded, monkeypatch):
    monkeypatch.setenv("HTRA_WAREHOUSE", str(loaded))
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Files": "22", "Rows read": "69", "Rows loaded": "57", "Rows rejected": "5"}
    assert "Local demo mode" in at.sidebar.caption[0].value


def test_without_a_warehouse_the_app_says_how_to_build_one(tmp_path, monkeypatch):
    monkeypatch.setenv("HTRA_WAREHOUSE", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception
    assert "make warehouse" in at.error[0].value
