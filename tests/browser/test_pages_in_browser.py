"""Every page of the running app in headless Chromium, for three viewers.

One Streamlit server (started as the README does, on the demo warehouse) and one browser serve the
whole module. Each viewer gets one browser context: the viewer is picked once through the sidebar
("View as", then "Which ..."), and the pages are then visited by clicking the sidebar navigation,
because the viewer lives in the Streamlit session and a fresh page load would start a new one.
After each script run the page must show no exception, no error box, no `nan`/`None`/`<NA>` text
(including every cell of every dataframe), no chart without data, and no request leaving
localhost; a screenshot of the whole page goes to artifacts/screenshots/.

Run with `make browser-test` (needs the `browser` extra and Debian's /usr/bin/chromium).
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bench.common import PLOTLY_DRAWN_JS, is_finished_run, streamlit_command
from ui.nav import PAGES

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
# Streamlit scrolls inside its own container, so a full-page screenshot stops at the viewport:
# the viewport is tall, and grows to the content's height for the screenshot.
WIDTH, HEIGHT, MAX_HEIGHT = 1500, 4400, 20000
RUN_TIMEOUT_MS = 180_000  # a cold page (first queries on a new server) takes ~20 s here
CHART_TIMEOUT_MS = 20_000
# The one request allowed to leave localhost: Streamlit sets the tab's favicon to a page's
# `:material/...` icon by its URL on Google's font server (content never depends on it).
FAVICON = "https://fonts.gstatic.com/s/i/short-term/release/materialsymbolsrounded/"
BAD_TEXT = ("nan", "NaN", "None", "<NA>", "NaT", "undefined")
BAD_WORD = re.compile(r"(?<![\w.])(nan|NaN|<NA>|NaT)(?!\w)")  # "None" is English ("None of ...")


@dataclass(frozen=True)
class ViewerPick:
    slug: str  # in test ids and screenshot names
    role: str  # option of "View as"
    scope_widget: str | None  # label of the second selectbox
    scope: str | None  # its option
    banner: str  # what the banner says after "Viewing as"


VIEWERS = (
    ViewerPick("staff", "Collaborative staff", None, None, "Collaborative staff"),
    ViewerPick(
        "hospital",  # CCN 260478
        "Hospital",
        "Which hospital",
        "Crossroads Regional Medical Center",
        "Hospital: Crossroads Regional Medical Center",
    ),
    ViewerPick(
        "state", "State association", "Which state association", "KS", "State association: KS"
    ),
)
CASES = [(v, p) for v in VIEWERS for p in PAGES]  # viewer-major: one browser context per viewer


def _page_slug(entry) -> str:
    return entry.url_path or "overview"


# After a script run has finished (counted from the server's messages, below), the page is settled
# when the app says so and nothing is left from the run before.
SETTLED_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute("data-test-script-state") === "notRunning"
    && app.getAttribute("data-test-connection-state") === "CONNECTED"
    && !document.querySelector(
      '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-stale="true"]');
}
"""
CHARTS_DRAWN_JS = (
    """
() => { const drawn = """
    + PLOTLY_DRAWN_JS.strip()
    + """;
  return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(
    (c) => drawn(c.querySelector(".js-plotly-plot")))
  && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].every(
    (c) => c.querySelector("svg.marks, canvas")); }
"""
)
# Everything the checks need, in one pass over the DOM.
INSPECT_JS = """
(bad) => {
  const BAD = new Set(bad);
  const app = document.querySelector('[data-testid="stApp"]');
  const out = {exceptions: [], errors: [], text: "", badText: [], charts: [], grids: []};
  const where = (el) => {
    const box = el.closest("[data-testid]");
    const ctx = ((el.closest("p, li, td, th") || el.parentElement)?.textContent || "").trim();
    return (box ? box.getAttribute("data-testid") : "?") + " «" + ctx.slice(0, 80) + "»";
  };
  const EXC = '[data-testid="stException"]';
  out.exceptions = [...app.querySelectorAll(EXC)].map((e) => e.innerText);
  out.errors = [...app.querySelectorAll('[data-testid="stAlertContentError"]')]
    .filter((e) => !e.closest(EXC)).map((e) => e.innerText);  // an exception is one already
  out.text = app.innerText;
  for (const el of app.querySelectorAll("*")) {
    if (["SCRIPT", "STYLE", "NOSCRIPT"].includes(el.tagName)) continue;
    let own = "";
    for (const n of el.childNodes) if (n.nodeType === Node.TEXT_NODE) own += n.nodeValue;
    own = own.trim();
    if (BAD.has(own)) out.badText.push(where(el) + ": " + own);
  }

  const len = (v) => {
    if (v == null) return 0;
    if (Array.isArray(v) || ArrayBuffer.isView(v)) return v.length;
    if (typeof v === "object" && typeof v.bdata === "string") return v.bdata.length;
    return 0;
  };
  const KEYS = ["x", "y", "z", "values", "locations", "lat", "lon", "r", "theta", "a", "b",
                "open", "close", "dimensions"];
  const hasData = (t) => t.visible !== false && (KEYS.some((k) => len(t[k]) > 0)
    || len(t.cells?.values) > 0 || len(t.node?.label) > 0 || len(t.link?.value) > 0);
  for (const c of app.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    const p = c.querySelector(".js-plotly-plot");
    const traces = p ? (p._fullData || p.data || []) : [];
    const title = p?.layout?.title?.text || p?.layout?.title || "";
    out.charts.push({kind: "plotly", title: String(title), traces: traces.length,
                     drawn: !!p, ok: traces.some(hasData)});
  }
  for (const c of app.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
    const svg = c.querySelector("svg.marks");
    const marks = svg ? [...svg.querySelectorAll(".role-mark")] : [];
    out.charts.push({kind: "vega", title: svg?.getAttribute("aria-label") || "",
                     traces: marks.length, drawn: !!svg,
                     ok: marks.some((m) => m.childElementCount > 0)});
  }

  // Dataframes draw on a canvas; their cells come from the grid's own getCellContent (found
  // through React's fiber), so every cell is read, not only the rows scrolled into view.
  for (const df of app.querySelectorAll('[data-testid="stDataFrame"]')) {
    const ed = df.querySelector(".stDataFrameGlideDataEditor");
    const key = ed && Object.keys(ed).find((k) => k.startsWith("__reactFiber$"));
    let f = key ? ed[key] : null;
    while (f && typeof f.memoizedProps?.getCellContent !== "function") f = f.return;
    let placeholder = "";
    for (let g = f; g; g = g.return) {
      const el = g.memoizedProps?.element;
      if (el && typeof el === "object" && "placeholder" in el) {
        placeholder = el.placeholder || "";
        break;
      }
    }
    const grid = {columns: [], rows: 0, bad: [], badCount: 0, loading: 0, viaDom: false};
    if (!f) {  // fallback: the accessibility table of the visible cells
      grid.viaDom = true;
      grid.columns = [...df.querySelectorAll("th")].map((t) => t.innerText);
      for (const td of df.querySelectorAll("td")) {
        const shown = td.textContent.trim();
        if (BAD.has(shown)) { grid.badCount++; grid.bad.push(shown); }
      }
      out.grids.push(grid);
      continue;
    }
    const p = f.memoizedProps;
    grid.columns = p.columns.map((c) => c.title);
    grid.rows = p.rows;
    const limit = Math.min(p.rows, Math.floor(500000 / Math.max(1, p.columns.length)));
    for (let r = 0; r < limit; r++) {
      for (let c = 0; c < p.columns.length; c++) {
        const cell = p.getCellContent([c, r]);
        if (cell.kind === "loading") { grid.loading++; continue; }
        const shown = String(cell.displayData ?? cell.copyData ?? cell.data ?? "").trim();
        let what = null;
        if (cell.isMissingValue && !placeholder) what = "missing value (drawn as None)";
        else if (BAD.has(shown)) what = shown;
        if (what) {
          grid.badCount++;
          if (grid.bad.length < 5) grid.bad.push(`row ${r}, column "${grid.columns[c]}": ${what}`);
        }
      }
    }
    out.grids.push(grid);
  }
  return out;
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_load, tmp_path_factory):
    """`streamlit run dashboard.py` on the demo warehouse; yields (base url, log file)."""
    warehouse, _ = demo_load
    port = _free_port()
    log_path = tmp_path_factory.mktemp("server") / "streamlit.log"
    cmd = streamlit_command(port)
    env = {**os.environ, "HTRA_WAREHOUSE": str(warehouse)}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no /_stcore/health after 90 s:\n{log_path.read_text()}")
            time.sleep(0.3)
        yield base, log_path
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Session:
    """One viewer's browser context and tab, and what the tab reported since the last visit."""

    viewer: ViewerPick
    context: object
    page: object
    path: str = "/"
    events: list[str] = field(default_factory=list)
    runs: int = 0  # script runs finished, from the server's ScriptFinished messages

    def on_frame(self, payload) -> None:
        self.runs += is_finished_run(payload)

    def settle(self, before: int) -> None:
        """Wait until a run after the `before`-th has finished, the page shows it, charts drawn."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
        while self.runs <= before:
            if time.monotonic() > deadline:
                raise AssertionError(f"no script run finished in {RUN_TIMEOUT_MS / 1000:.0f} s")
            self.page.wait_for_timeout(50)  # lets Playwright deliver the frames
        try:
            self.page.wait_for_function(SETTLED_JS, timeout=RUN_TIMEOUT_MS, polling=100)
        except PlaywrightTimeout:
            raise AssertionError(f"the page did not settle: {_state(self.page)}") from None
        with contextlib.suppress(PlaywrightTimeout):  # an undrawn chart is reported by the checks
            self.page.wait_for_function(CHARTS_DRAWN_JS, timeout=CHART_TIMEOUT_MS, polling=100)
        self.page.wait_for_timeout(300)  # plotly's responsive relayout, the grids' first paint


class Sessions:
    """At most one open context: tests run viewer by viewer, so each viewer is picked once."""

    def __init__(self, browser, base: str):
        self.browser, self.base, self.current = browser, base, None

    def get(self, viewer: ViewerPick) -> Session:
        if self.current is not None and self.current.viewer == viewer:
            return self.current
        self.close()
        context = self.browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
        context.set_default_timeout(30_000)
        page = context.new_page()
        s = Session(viewer, context, page)
        self.current = s  # closed by close() even if picking the viewer fails
        host = urlparse(self.base).netloc

        def request(r) -> None:
            if r.url.startswith(FAVICON):
                return
            u = urlparse(r.url)
            if u.scheme in ("http", "https", "ws", "wss") and u.netloc != host:
                s.events.append(f"request outside the app: {r.url}")

        def failed(r) -> None:
            # ERR_ABORTED: a request the page itself dropped (e.g. on leaving it)
            if not r.url.startswith(FAVICON) and "ERR_ABORTED" not in (r.failure or ""):
                s.events.append(f"request failed: {r.url} ({r.failure})")

        page.on("websocket", lambda ws: ws.on("framereceived", s.on_frame))
        page.on("pageerror", lambda e: s.events.append(f"JavaScript error: {e}"))
        page.on("request", request)
        page.on("requestfailed", failed)
        page.goto(self.base + "/")
        s.settle(0)
        if viewer.role != _combo(page, "View as").input_value():
            _pick(s, "View as", viewer.role)
        if viewer.scope_widget and viewer.scope != _combo(page, viewer.scope_widget).input_value():
            _pick(s, viewer.scope_widget, viewer.scope)
        return s

    def drop(self, s: Session) -> None:
        if self.current is s:
            self.close()

    def close(self) -> None:
        if self.current is not None:
            self.current.context.close()
            self.current = None


@pytest.fixture(scope="module")
def sessions(server, browser):
    base, _ = server
    s = Sessions(browser, base)
    yield s
    s.close()


def _state(page) -> dict:
    return page.evaluate(
        """() => {
          const app = document.querySelector('[data-testid="stApp"]');
          const q = (sel) => document.querySelectorAll(sel).length;
          return {url: location.href, script: app?.getAttribute("data-test-script-state"),
                  connection: app?.getAttribute("data-test-connection-state"),
                  statusWidget: [...document.querySelectorAll('[data-testid="stStatusWidget"]')]
                    .map((e) => e.innerText),
                  skeletons: q('[data-testid="stSkeleton"]'), stale: q('[data-stale="true"]')};
        }"""
    )


def _combo(page, label: str):
    return page.locator(f'[data-testid="stSidebar"] input[role="combobox"][aria-label="{label}"]')


def _pick(s: Session, label: str, option: str) -> None:
    """A Streamlit selectbox (a filterable combobox): open it, filter, click the option."""
    page = s.page
    box = _combo(page, label)
    before = s.runs
    box.click()
    box.press("Control+a")
    box.press_sequentially(option)  # the list is virtualized: filter so the option is drawn
    page.get_by_role("option", name=option, exact=True).click()
    s.settle(before)
    assert box.input_value() == option, f"{label}: {box.input_value()!r}, wanted {option!r}"
    box.blur()  # no focus ring in the screenshots


def _visit(s: Session, base: str, url_path: str) -> None:
    """Go to a page through the sidebar navigation (same session), unless already there."""
    target = "/" + url_path
    if s.path == target:
        return
    page = s.page
    link = page.locator(f'[data-testid="stSidebarNav"] a[href="{base}{target}"]')
    if not link.count():  # a long menu is collapsed behind "View more"
        more = page.locator('[data-testid="stSidebarNavViewButton"]')
        if more.count():
            more.click()
    before = s.runs
    link.click()
    s.settle(before)
    s.path = urlparse(page.url).path
    assert s.path == target, f"clicked the link to {target}, landed on {page.url}"


def _screenshot(page, name: str) -> Path:
    height = page.evaluate(
        """() => Math.max(...['stMain', 'stSidebarContent'].map(
             (t) => document.querySelector(`[data-testid="${t}"]`)?.scrollHeight || 0))"""
    )
    tall = HEIGHT if height <= HEIGHT else min(height + 40, MAX_HEIGHT)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    if tall != HEIGHT:
        page.set_viewport_size({"width": WIDTH, "height": tall})
        page.wait_for_timeout(500)
    try:
        page.screenshot(path=str(path))
    finally:
        if tall != HEIGHT:
            page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    return path


def _snippet(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 80) : end + 120].split())


def _problems(found: dict, events: list[str]) -> list[str]:
    out = [f"exception on the page:\n{e}" for e in found["exceptions"]]
    out += [f"error box: {e}" for e in found["errors"]]
    text = found["text"]
    for needle in ("Traceback", "Error:"):
        if needle in text:
            i = text.index(needle)
            out.append(f"page text contains {needle!r}: …{_snippet(text, i, i + len(needle))}…")
    out += [f"standalone text {t}" for t in found["badText"]]
    if not found["badText"]:  # the same words inside a sentence
        for m in list(BAD_WORD.finditer(text))[:5]:
            out.append(f"page text has {m.group()!r}: …{_snippet(text, m.start(), m.end())}…")
    for c in found["charts"]:
        if not c["drawn"]:
            out.append(f"{c['kind']} chart {c['title']!r} was not drawn")
        elif not c["ok"]:
            out.append(f"{c['kind']} chart {c['title']!r} is empty ({c['traces']} traces, no data)")
    for g in found["grids"]:
        if g["badCount"]:
            out.append(
                f"dataframe with columns {g['columns'][:6]}: {g['badCount']} bad cells, e.g. "
                + "; ".join(g["bad"])
            )
        if g["loading"]:
            out.append(f"dataframe with columns {g['columns'][:6]}: {g['loading']} cells loading")
    out += events
    return out


@pytest.mark.parametrize(
    ("viewer", "entry"), CASES, ids=[f"{v.slug}-{_page_slug(p)}" for v, p in CASES]
)
def test_the_page_renders_without_errors_or_empty_charts(sessions, server, viewer, entry):
    base, _ = server
    try:
        s = sessions.get(viewer)
        s.events.clear()
        _visit(s, base, entry.url_path)
    except Exception:
        sessions.drop(sessions.current)  # the next test starts a clean session
        raise
    page = s.page
    found = page.evaluate(INSPECT_JS, list(BAD_TEXT))
    shot = _screenshot(page, f"{_page_slug(entry)}_{viewer.slug}")
    problems = _problems(found, s.events)
    assert f"Viewing as {viewer.banner} ·" in found["text"], (
        f"banner does not name the viewer {viewer.banner!r}: {found['text'][:300]!r}"
    )
    if problems:
        pytest.fail(
            f"{entry.title} (/{entry.url_path}) as {viewer.banner}, screenshot {shot}:\n- "
            + "\n- ".join(problems),
            pytrace=False,
        )


def test_the_server_logged_no_traceback(server):
    """Runs last: exceptions outside a page's own output (callbacks, threads) land in the log."""
    _, log = server
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-4000:]
