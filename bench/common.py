"""What every benchmark step shares: its command line and the machine it ran on."""

import argparse
import os
import platform
import sys
from pathlib import Path

import duckdb
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


def args(doc: str | None) -> argparse.Namespace:
    """`--warehouse FILE --tier NAME`, the arguments of every step that measures a warehouse."""
    ap = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    ap.add_argument("--warehouse", required=True)
    ap.add_argument("--tier", required=True)
    return ap.parse_args()


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }


def streamlit_command(port: int) -> list[str]:
    """`streamlit run dashboard.py` as the README starts it, on localhost:port, and two flags the
    README's command has not: no usage statistics sent from the browser, and no reruns when
    someone edits a page meanwhile."""
    return [
        str(Path(sys.executable).parent / "streamlit"),
        "run",
        "dashboard.py",
        "--server.address",
        "localhost",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]


def is_finished_run(payload) -> bool:
    """A websocket frame saying a script run finished (not one cut short for a rerun). Runs are
    counted from these: the DOM's "running" flag can miss a fast run (React may render "running"
    and "not running" as one update)."""
    if isinstance(payload, str):
        return False
    msg = ForwardMsg.FromString(payload)
    return (
        msg.WhichOneof("type") == "script_finished"
        and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
    )


# A plotly chart is drawn when it has its data and each map in it has its basemap: plotly.js
# fetches the basemap (topojson) after the first draw, and a page left before it arrives makes
# plotly's map code fail on the removed chart ("reading '_scrollZoom'").
PLOTLY_DRAWN_JS = """
(p) => !!p && !!p._fullData && (p._fullLayout?._subplots?.geo || []).every((id) => {
  const geo = p._fullLayout[id]?._subplot;
  return !!geo && (!geo.topojsonName || !!geo.topojson);
})
"""
