"""Every page through AppTest (the whole app: router, viewer, filters, page), for every viewer
role on the demo warehouse, and exact values on the hand-made fixture warehouse when a filter
changes."""

import json

import pytest

from ui.nav import PAGES

VIEWERS = {
    "collaborative": {},
    "state": {"viewer_role": "state", "viewer_scope": "KS"},
    "system": {"viewer_role": "system", "viewer_scope": "Heartland Health System"},
    "hospital": {"viewer_role": "hospital", "viewer_scope": "260478"},
}


def _text(at) -> str:
    """Everything a page shows as text: markdown, captions, metrics, alerts, tables, charts."""
    parts = []
    for kind in (
        "markdown",
        "caption",
        "title",
        "header",
        "subheader",
        "info",
        "warning",
        "success",
        "error",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value} {m.proto.delta}" for m in at.metric]
    parts += [e.value.to_csv() for e in at.dataframe]
    parts += [e.proto.spec for e in at.get("plotly_chart")]
    return "\n".join(parts)


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_every_page_runs_for_every_viewer_role_without_an_exception(app, demo_load, viewer):
    wh, _ = demo_load
    at = app(wh, **VIEWERS[viewer]).run()
    for page in PAGES:
        at.switch_page(page.path).run()
        assert not at.exception, (page.path, viewer, at.exception[0].value)
        assert at.title, page.path  # every page has a title
        charts = at.get("plotly_chart")
        for chart in charts:
            spec = json.loads(chart.proto.spec)
            assert spec["layout"]["title"]["text"], (page.path, "chart without a title")
            assert any(_has_data(t) for t in spec["data"]), (page.path, "empty chart")


def _has_data(trace: dict) -> bool:
    keys = ("x", "y", "z", "locations", "lat", "lon", "values")
    return any(trace.get(k) is not None and len(_values(trace[k])) for k in keys)


def _values(v):
    # plotly 6+ writes numeric arrays as {"dtype": ..., "bdata": ...}
    return [1] if isinstance(v, dict) and v.get("bdata") else v


def test_a_hospital_viewer_never_sees_another_hospitals_name_or_ccn(app, demo_load):
    wh, _ = demo_load
    from queries.runner import Runner

    hospitals = Runner(wh).frame().hospitals
    others = hospitals[hospitals["hospital_ccn"] != "260478"]
    at = app(wh, **VIEWERS["hospital"]).run()
    for page in PAGES:
        at.switch_page(page.path).run()
        text = _text(at)
        assert "Crossroads Regional Medical Center" in text or page.url_path in (
            "definitions",
            "data",
        ), page.path
        leaked = [n for n in others["hospital_name"] if n in text]
        leaked += [c for c in others["hospital_ccn"] if c in text]
        assert not leaked, (page.path, leaked[:3])


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_module_use_follows_the_hospital_and_role_filters_on_the_fixture(app, loaded):
    # tests/fixtures/exports/hs: Beta (260002) has two HealthStream learners who completed
    # HS-HT101 (module M01): 004512, a Registered Nurse (RN), on 6/15/2026 and 4513, a Security
    # Officer, on 8/20/2026. The third HT101 row has no Student ID and is rejected; FIRE-2026 is
    # not a program course.
    at = app(loaded).run()
    at.session_state["f_hospital"] = "260002"
    at.switch_page("app_pages/utilization.py").run()
    assert not at.exception
    assert _metric(at, "Completions") == "2"
    at.session_state["f_role"] = "RN"
    at.run()
    assert _metric(at, "Completions") == "1"
    at.session_state["f_role"] = "security"
    at.run()
    assert _metric(at, "Completions") == "1"
    # from July 2026 on, only the 8/20/2026 completion counts
    at.session_state["f_role"] = ""
    at.session_state["f_period"] = "custom"
    at.session_state["f_month_from"] = "2026-07"
    at.session_state["f_month_to"] = "2026-09"
    at.run()
    assert not at.exception
    assert _metric(at, "Completions") == "1"


def test_coverage_without_any_headcount_says_why_it_is_empty(app, loaded):
    # the fixture exports have no HR headcount workbook
    at = app(loaded).run()
    at.switch_page("app_pages/coverage.py").run()
    assert not at.exception
    assert "No HR headcount" in at.info[0].value


def test_a_withheld_bar_reads_lt11_instead_of_a_blank_row():
    import numpy as np
    import pandas as pd

    from ui import charts

    f = pd.DataFrame(
        {
            "label": ["Alpha", "Other hospitals in IL"],
            "v": [40.0, np.nan],
            "lo": [30.0, np.nan],
            "hi": [50.0, np.nan],
            "hover": ["a", "b"],
        }
    )
    fig = charts.bars_with_ci(
        f, label="label", value="v", low="lo", high="hi", title="t", x_title="x", hover="hover"
    )
    marks = [t for t in fig.data if t.type == "scatter"]
    assert [list(t.y) for t in marks] == [["Other hospitals in IL"]]
    assert marks[0].text == ("<11 or no figure",)
    fig = charts.bars(f.dropna(), label="label", value="v", title="t", x_title="x", hover="hover")
    assert [t.type for t in fig.data] == ["bar"]  # nothing withheld, nothing marked
