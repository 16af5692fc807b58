"""The whole app (router + Data page) through AppTest on a real fixture warehouse."""

from conftest import HS_HEADER, query

OTHER = "Bravo"  # a hospital name from tests/fixtures/reference/hospitals.csv


def _files(warehouse) -> int:
    return query(warehouse, "select count(distinct file_id) from load_log")[0][0]


def test_the_data_page_shows_the_row_accounting_for_collaborative_staff(app, loaded):
    at = app(loaded).run().switch_page("app_pages/data.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # 22 files, 69 rows: the per-file accounting pinned in test_formats / test_snapshots
    assert metrics == {
        "Files": "22",
        "Rows read": "69",
        "Loaded": "57",
        "Excluded by rule": "6",
        "Rejected": "5",
    }
    assert [t.label for t in at.tabs] == [
        "Files",
        "Excluded by rule",
        "Rejected rows",
        "Not attributed",
        "Worklist",
    ]
    assert "Demo mode" in at.sidebar.caption[0].value
    assert at.caption[0].value.startswith("Viewing as **Collaborative staff**")
    assert "version `" in at.caption[0].value


def test_switching_the_viewer_to_a_hospital_narrows_the_page_and_the_filters(app, loaded):
    at = app(loaded).run().switch_page("app_pages/data.py").run()
    at.selectbox(key="viewer_role").set_value("hospital").run()
    at.selectbox(key="viewer_scope").set_value("260001").run()
    assert not at.exception
    assert at.caption[0].value.startswith("Viewing as **Hospital: Alpha Medical Center**")
    assert not at.metric and not at.tabs  # no file-by-file accounting outside the collaborative
    assert "collaborative staff only" in at.info[0].value
    assert not at.file_uploader
    labels = [s.label for s in at.sidebar.selectbox]
    assert "Hospital" not in labels[2:]  # one hospital in scope: no hospital filter to offer
    page = " ".join(str(e.value) for e in at.main.children.values() if hasattr(e, "value"))
    assert OTHER not in page


def test_filters_come_from_the_url_and_go_back_to_it_without_widening_scope(app, loaded):
    at = app(loaded, viewer_role="hospital", viewer_scope="260001")
    at.query_params.update({"hospital": "260002", "role": "RN", "period": "FY2026"})
    at.run()
    assert not at.exception
    # another hospital's CCN in the URL is dropped; role and period are kept and written back
    assert dict(at.query_params) == {"role": "RN", "period": "FY2026"}
    assert "Fiscal 2026 (Jan 2026 – Dec 2026)" in at.caption[0].value
    at.switch_page("app_pages/definitions.py").run()
    assert at.session_state["f_role"] == "RN"  # filters survive a page change
    assert "Fiscal 2026" in at.caption[0].value


def test_uploaded_files_go_live_only_after_confirmation(app, loaded):
    before = _files(loaded)
    at = app(loaded).run().switch_page("app_pages/data.py").run()
    rule = at.selectbox(key="upload_rule")
    rule.set_value(next(i for i, o in enumerate(rule.options) if o.startswith("hs/260002-*")) - 1)
    row = (
        "4520,Doe,Ann,Emergency,Registered Nurse,HS-HT101,Human Trafficking 101,Complete,"
        "10/1/2026,90,1.0\n"
    )
    at.file_uploader(key="upload_files").set_value(
        [("260002-transcript-2026-10.csv", (HS_HEADER + row).encode(), "text/csv")]
    )
    at.run()
    next(b for b in at.button if b.label == "Check these files").click().run()
    assert not at.exception, at.exception[0].stack_trace
    review = at.dataframe[-1].value
    assert list(review["rows_read"]) == [1] and list(review["rows_loaded"]) == [1]
    assert _files(loaded) == before  # the live warehouse is untouched until confirmed
    next(b for b in at.button if b.label == "Make it live").click().run()
    assert not at.exception
    assert _files(loaded) == before + 1
    assert any("is live" in s.value for s in at.success)
    assert at.metric[0].value == str(before + 1)
    leftovers = sorted(p.relative_to(loaded.parent).as_posix() for p in loaded.parent.rglob("*"))
    assert leftovers == ["uploads", "warehouse.duckdb", "warehouse.duckdb.lock"]  # nothing else


def test_without_a_warehouse_the_app_says_how_to_build_one(app, tmp_path):
    at = app(tmp_path / "none.duckdb").run()
    assert not at.exception
    assert "make warehouse" in at.error[0].value


def test_uploads_of_the_same_name_both_survive_and_discarding_leaves_nothing(tmp_path, loaded):
    from etl import candidate

    staged = candidate.stage([("../../a.csv", b"x"), ("b\\a.csv", b"y")], tmp_path / "up")
    assert sorted(p.read_bytes() for p in staged.iterdir()) == [b"x", b"y"]
    assert sorted(p.name for p in staged.iterdir()) == ["a-2.csv", "a.csv"]
    c = candidate.build(staged, loaded)
    assert c.records and not c.loaded_anything  # not export files: nothing new would go live
    candidate.discard(c)
    assert not staged.exists() and not c.path.exists()
    assert sorted(p.name for p in loaded.parent.iterdir()) == [
        "warehouse.duckdb",
        "warehouse.duckdb.lock",
    ]


def test_a_warehouse_with_marts_from_another_marts_sql_gets_a_message_not_a_traceback(
    app, tmp_path, loaded
):
    import shutil

    import duckdb
    import pytest

    from queries.runner import Runner, WarehouseOutdated

    old = tmp_path / "old.duckdb"
    shutil.copy(loaded, old)
    con = duckdb.connect(str(old))
    con.execute("update mart_build set marts_sql_sha256 = 'older'")
    con.close()
    with pytest.raises(WarehouseOutdated, match="load it again"):
        Runner(old).version()
    at = app(old).run()
    assert not at.exception
    assert "another version of etl/marts.sql" in at.error[0].value
