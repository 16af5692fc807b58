"""What every benchmark step shares: its command line and the machine it ran on."""

import argparse
import os
import platform
from pathlib import Path

import duckdb


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
