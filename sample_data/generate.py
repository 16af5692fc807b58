"""Seeded sample-data generator: `python -m sample_data.generate --tier demo|state|collaborative`.

demo          -> sample_data/reference and sample_data/exports (committed, ~12 MB)
state, collab -> data/tiers/<tier>/reference and .../exports (git-ignored)
`--out DIR` writes reference/ and exports/ under DIR instead. Same seed, same bytes.

Pipeline: hospitals -> staff population (once per tier) -> simulated activity and toolkit
download intents -> one writer per source system, each taking `staff`, `hosp` and, where it
needs them, the simulated activity or the download intents.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from .activity import simulate
from .dlm import write_dlm
from .downloads import simulate_downloads
from .headcount import write_headcount
from .moodle import write_moodle
from .population import build_staff
from .reference import build_hospitals, quiz_layout, write_reference
from .survey import write_redcap
from .toolkit import write_toolkit_web
from .vendors import write_healthstream, write_quizlong, write_scormcloud

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SEED = 20261121

# Sizes per DESIGN.md section 8. reach_base/full_base set how many staff train and how many
# finish everything; quiz_rate is the share of started Moodle/NHA enrolments that take the
# (optional) pre-test, which sets the attempt count against the completion count.
# downloads: counted toolkit downloads (web log after the 30-minute rule plus Download Monitor).
TIERS = {
    "demo": {
        "n_hospitals": None,
        "n_staff": 6_000,
        "reach_base": 0.6,
        "full_base": -0.4,
        "quiz_rate": 0.36,
        "gap_full": 6.0,
        "gap_partial": 18.0,
        "idle_rate": 0.25,
        "drop_base": -2.6,
        "followup_rate": 0.6,
        "abandon_rate": 0.02,
        "downloads": 10_000,
    },
    "state": {
        "n_hospitals": 150,
        "n_staff": 160_000,
        "reach_base": 1.0,
        "full_base": 0.4,
        "quiz_rate": 0.75,
        "gap_full": 6.0,
        "gap_partial": 18.0,
        "idle_rate": 0.3,
        "drop_base": -2.6,
        "followup_rate": 0.6,
        "abandon_rate": 0.02,
        "downloads": 300_000,
    },
}
# The collaborative tier is the state tier's behaviour at four states' size.
TIERS["collaborative"] = {
    **TIERS["state"],
    "n_hospitals": 570,
    "n_staff": 700_000,
    "downloads": 1_500_000,
}


def output_dir(tier: str, out: str | None) -> Path:
    if out:
        return Path(out)
    return REPO / "sample_data" if tier == "demo" else REPO / "data" / "tiers" / tier


def generate(tier: str, seed: int, out: Path) -> dict[str, list]:
    cfg = TIERS[tier]
    for sub in ("reference", "exports"):  # only the two folders this generator owns
        shutil.rmtree(out / sub, ignore_errors=True)
    hosp = build_hospitals(seed, cfg["n_hospitals"])
    layout = quiz_layout(seed)
    ref_counts = write_reference(out / "reference", hosp, layout)
    stats: dict[str, list] = {
        "reference": [(out / "reference" / f"{k}.csv", v) for k, v in ref_counts.items()]
    }
    staff = build_staff(hosp, cfg["n_staff"], seed)
    act = simulate(staff, cfg, seed)
    stats.update(write_moodle(out, staff, act, layout, seed))
    stats["healthstream transcript"] = write_healthstream(out, staff, hosp, act, seed)
    stats["scormcloud registrations"] = write_scormcloud(out, staff, act, seed)
    stats["quizlong responses"] = write_quizlong(out, staff, act, layout, seed)
    dl = simulate_downloads(hosp, staff, cfg["downloads"], seed)
    stats["toolkit-web access log"] = write_toolkit_web(out, dl, seed)
    stats["download monitor log"] = write_dlm(out, dl, staff, seed)
    stats["redcap protocol survey"] = write_redcap(out, hosp, staff, act, dl, seed)
    stats["hr headcount"] = write_headcount(out, staff, hosp, act, seed)
    stats["_population"] = [(None, len(staff))]
    return stats


def _mb(paths) -> float:
    return sum(p.stat().st_size for p in paths) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sample_data.generate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--tier", required=True, choices=sorted(TIERS))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", help="folder that receives reference/ and exports/")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    out = output_dir(args.tier, args.out)
    stats = generate(args.tier, args.seed, out)
    print(f"{args.tier}: {stats.pop('_population')[0][1]:,} staff -> {out}")
    total = 0.0
    for kind, files in stats.items():
        paths = [p for p, _ in files]
        size = _mb(paths)
        total += size
        print(
            f"  {kind:<26} {len(files):>4} files {sum(r for _, r in files):>11,} rows "
            f"{size:>9.1f} MB"
        )
    print(f"  total {total:.1f} MB in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
