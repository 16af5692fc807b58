"""A reload while three browser sessions page through the app (issue 8, fault tolerance).

The server runs on a private copy of the demo warehouse. Three Chromium sessions (collaborative
staff, as the demo opens) click through every page in turn while the ETL, in another process,
loads a Download Monitor log with five new downloads and swaps a new warehouse version in. Every
page must render without an exception or error box, every banner must name the old or the new
version (never a third, never none), and once the load has finished a page run shows the new one.

Run with `make browser-test`.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import test_pages_in_browser as pages
from test_pages_in_browser import browser, server  # noqa: F401 (fixtures)

from ui.nav import PAGES

pytestmark = pytest.mark.browser

N_SESSIONS = 3
VERSION = re.compile(r"version (\d{8}T\d{6}Z-[0-9a-f]{12})")
DLM = pages.ROOT / "sample_data" / "exports" / "dlm-kha" / "download_log_2026-10-31.csv"


@pytest.fixture(scope="module")
def demo_load(demo_load, tmp_path_factory):
    """The server of this module gets a copy: the load below must not change other modules'."""
    warehouse, results = demo_load
    copy = tmp_path_factory.mktemp("reload") / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    return copy, results


def _new_downloads(root: Path) -> Path:
    """Five downloads after the demo's last day, in the folder sources.csv maps to KHA's
    Download Monitor (so the load needs no options)."""
    header = DLM.read_text(encoding="utf-8").split("\n", 1)[0]
    rows = [
        f'"{990000 + i}","Referral pathway flowchart","1070","referral-pathway.pdf","0","-","-",'
        f'"203.0.113.{10 + i}","Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",'
        f'"2026-11-1{i} 10:0{i}:00","completed","version: 3.0"'
        for i in range(5)
    ]
    path = root / "exports" / "dlm-kha" / "download_log_2026-11-19.csv"
    path.parent.mkdir(parents=True)
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path.parent.parent


def _version(warehouse: Path) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select version from warehouse_meta").fetchall()[0][0]
    finally:
        con.close()


def test_three_sessions_keep_paging_while_a_reload_swaps_the_warehouse(
    server,  # noqa: F811
    browser,  # noqa: F811
    demo_load,
    tmp_path,
):
    base, _ = server
    warehouse = demo_load[0]
    old = _version(warehouse)
    sessions = []
    for _ in range(N_SESSIONS):
        context = browser.new_context(viewport={"width": pages.WIDTH, "height": 1200})
        context.set_default_timeout(30_000)
        page = context.new_page()
        s = pages.Session(pages.VIEWERS[0], context, page)
        page.on("websocket", lambda ws, s=s: ws.on("framereceived", s.on_frame))
        page.on("pageerror", lambda e, s=s: s.events.append(f"JavaScript error: {e}"))
        page.goto(base + "/")
        s.settle(0)
        sessions.append(s)

    etl = None
    seen: list[str] = []
    problems: list[str] = []
    try:
        for round_no in range(3):
            if round_no == 1:  # the load runs while the sessions page (it takes a few seconds)
                source = _new_downloads(tmp_path / "new")
                etl = subprocess.Popen(
                    [sys.executable, "-m", "etl", "--warehouse", str(warehouse), "load", source],
                    cwd=pages.ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                )
            if round_no == 2:
                out, _ = etl.communicate(timeout=300)
                assert etl.returncode == 0, out.decode(errors="replace")[-2000:]
            for entry in PAGES:
                for i, s in enumerate(sessions):
                    s.events.clear()
                    pages._visit(s, base, entry.url_path)
                    found = s.page.evaluate(pages.INSPECT_JS, list(pages.BAD_TEXT))
                    got = VERSION.findall(found["text"])
                    seen.append(got[0] if got else "no version")
                    problems += [
                        f"round {round_no}, session {i}, /{entry.url_path}: {p}"
                        for p in pages._problems(found, s.events)
                    ]
            for s in sessions:  # back to the first page, so the next round runs every page again
                pages._visit(s, base, PAGES[0].url_path)
    finally:
        if etl is not None and etl.poll() is None:
            etl.kill()
        for s in sessions:
            s.context.close()
    new = _version(warehouse)
    assert new != old
    assert not problems, "\n".join(problems[:20])
    assert set(seen) <= {old, new}, sorted(set(seen) - {old, new})
    assert old in seen and new in seen
    assert seen[-1] == new  # after the load, a page run reads the newest version
