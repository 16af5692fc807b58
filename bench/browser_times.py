"""Time until a page's charts have rendered, in a real browser (headless Chromium).

    python -m bench.browser_times --warehouse data/warehouse.duckdb --tier demo

One `streamlit run dashboard.py` server on the warehouse (as the README starts it), one Chromium.
For each of three viewers (collaborative staff, the largest state association, the first
hospital) a new browser tab picks the viewer in the sidebar, then clicks through every page of
the sidebar navigation twice: the first round is cold (the server has not run those queries for
that viewer yet), the second warm. A visit's time runs from the click to the moment the server
has finished the script run, the page is settled (no spinner, no stale element) and every plotly
chart has its data drawn. Polling every 25 ms bounds the resolution.
"""

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb

from bench import common
from bench.page_times import _p, scopes

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
READY_JS = (
    """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  if (document.querySelector(
      '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-stale="true"]'))
    return false;
  const drawn = """
    + common.PLOTLY_DRAWN_JS.strip()
    + """;
  return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(
    (c) => drawn(c.querySelector(".js-plotly-plot")));
}
"""
)


class Tab:
    def __init__(self, browser, base: str):
        self.base, self.runs = base, 0
        self.context = browser.new_context(viewport={"width": 1500, "height": 1200})
        self.page = self.context.new_page()
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        self.page.on("pageerror", lambda e: sys.exit(f"JavaScript error: {e}"))

    def _frame(self, payload) -> None:
        self.runs += common.is_finished_run(payload)

    def settle(self, before: int, timeout_s: float = 600) -> None:
        deadline = time.monotonic() + timeout_s
        while self.runs <= before:
            if time.monotonic() > deadline:
                sys.exit(f"no script run finished in {timeout_s:.0f} s")
            self.page.wait_for_timeout(25)
        self.page.wait_for_function(READY_JS, timeout=timeout_s * 1000, polling=25)
        if self.page.locator('[data-testid="stException"]').count():
            sys.exit(f"exception on {self.page.url}")

    def pick(self, label: str, option: str) -> None:
        box = self.page.locator(
            f'[data-testid="stSidebar"] input[role="combobox"][aria-label="{label}"]'
        )
        if box.input_value() == option:
            return
        before = self.runs
        box.click()
        box.press("Control+a")
        box.press_sequentially(option)
        self.page.get_by_role("option", name=option, exact=True).click()
        self.settle(before)

    def visit(self, url_path: str) -> float:
        """Seconds from the click on the page's link to its charts drawn."""
        link = self.page.locator(f'[data-testid="stSidebarNav"] a[href="{self.base}/{url_path}"]')
        if not link.count():
            self.page.locator('[data-testid="stSidebarNavViewButton"]').click()
        before = self.runs
        t0 = time.perf_counter()
        link.click()
        self.settle(before)
        return time.perf_counter() - t0


def _server(warehouse: str, port: int) -> subprocess.Popen:
    cmd = common.streamlit_command(port)
    env = {**os.environ, "HTRA_WAREHOUSE": str(Path(warehouse).resolve())}
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit("streamlit did not start")
            time.sleep(0.3)


def measure(warehouse: str) -> dict:
    from playwright.sync_api import sync_playwright

    from ui.nav import PAGES

    scope = scopes(warehouse)
    con = duckdb.connect(warehouse, read_only=True)
    hospital_name = con.execute(
        "select hospital_name from mart_hospital where hospital_ccn = $c", {"c": scope["hospital"]}
    ).fetchall()[0][0]
    con.close()
    viewers = {
        "collaborative": [],
        "state": [("View as", "State association"), ("Which state association", scope["state"])],
        "hospital": [("View as", "Hospital"), ("Which hospital", hospital_name)],
    }
    with socket.socket() as s:
        s.bind(("localhost", 0))
        port = s.getsockname()[1]
    proc = _server(warehouse, port)
    base = f"http://localhost:{port}"
    samples = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for role, picks in viewers.items():
                tab = Tab(browser, base)
                t0 = time.perf_counter()
                tab.page.goto(base + "/")
                tab.settle(0)
                first_s = time.perf_counter() - t0
                for label, option in picks:
                    tab.pick(label, option)
                tab.visit("definitions")  # so that the first timed click is a page change
                for round_ in ("cold", "warm"):
                    for page in PAGES:
                        seconds = tab.visit(page.url_path or "")
                        samples.append(
                            {"page": page.title, "role": role, "kind": round_, "ms": seconds * 1000}
                        )
                samples.append(
                    {"page": "(first load)", "role": role, "kind": "cold", "ms": first_s * 1000}
                )
                tab.context.close()
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    out = {}
    for title in dict.fromkeys(s["page"] for s in samples):
        out[title] = {}
        for kind in ("cold", "warm"):
            v = [s["ms"] for s in samples if s["page"] == title and s["kind"] == kind]
            if v:
                out[title][kind] = {
                    "n": len(v),
                    "p50_ms": round(statistics.median(v)),
                    "p95_ms": round(_p(v, 0.95)),
                    "max_ms": round(max(v)),
                    "by_role_ms": {
                        s["role"]: round(s["ms"])
                        for s in samples
                        if s["page"] == title and s["kind"] == kind
                    },
                }
    return {"viewers": list(viewers), "pages": out}


def main() -> None:
    args = common.args(__doc__)
    result = {"tier": args.tier, "machine": common.machine(), **measure(args.warehouse)}
    dest = ROOT / "bench" / "results" / f"browser_times_{args.tier}.json"
    dest.write_text(json.dumps(result, indent=1) + "\n")
    for title, r in result["pages"].items():
        print(title, {k: (v["p50_ms"], v["max_ms"]) for k, v in r.items()})
    print(f"written to {dest}")


if __name__ == "__main__":
    main()
