"""python -m exports collaborative|hospital CCN|system NAME --audience internal|external --out FILE

Builds a workbook for scheduled runs, shows progress on stderr and records the export in the
audit log beside the warehouse. Exit codes: 0 written, 1 unexpected error, 2 usage error."""

import argparse
import getpass
import os
import sys
import time
from pathlib import Path

from exports import audit, reports
from exports.source import AUDIENCES, Source
from queries.filters import Filters
from queries.runner import Runner, WarehouseMissing, WarehouseOutdated
from queries.scope import COLLABORATIVE, ScopeError, Viewer


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m exports", description=__doc__)
    p.add_argument("report", choices=["collaborative", "hospital", "system"])
    p.add_argument("scope", nargs="?", help="CCN for hospital, health-system name for system")
    p.add_argument("--audience", choices=list(AUDIENCES), required=True)
    p.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    p.add_argument("--warehouse", help="warehouse file (default data/warehouse.duckdb)")
    p.add_argument("--period", help="program period id (e.g. FY2026); default since launch")
    p.add_argument("--user", help="who runs the export, for the audit log (default: $USER)")
    args = p.parse_args(argv)
    if (args.report == "collaborative") != (args.scope is None):
        p.error(f"{args.report} {'takes no scope' if args.scope else 'needs a scope'}")
    if args.out.suffix.lower() != ".xlsx":
        p.error(f"--out {args.out}: expected a file name ending in .xlsx")
    viewer = COLLABORATIVE if args.scope is None else Viewer(args.report, args.scope)
    user = args.user or f"{getpass.getuser()} (cli)"
    t0 = time.perf_counter()

    def progress(step: str, done: int, total: int) -> None:
        print(f"[{done:>2}/{total}] {step}", file=sys.stderr, flush=True)

    try:
        runner = Runner(args.warehouse)
        known = [p.key for p in runner.periods()[0]]
        if args.period and args.period not in known:
            print(f"--period {args.period}: expected one of {', '.join(known)}", file=sys.stderr)
            return 2
        src = Source(
            runner, viewer, Filters(period=args.period) if args.period else Filters(), args.audience
        )
        build = reports.collaborative if viewer.is_collaborative else reports.hospital_card
        data = build(src, user=user, progress=progress)
    except WarehouseMissing as exc:
        print(f"{exc}; build it with: python -m etl load sample_data", file=sys.stderr)
        return 2
    except WarehouseOutdated as exc:
        print(f"{args.warehouse or 'warehouse'}: {exc}", file=sys.stderr)
        return 2
    except ScopeError as exc:
        print(f"{args.report} {args.scope!r}: {exc}", file=sys.stderr)
        return 2
    tmp = args.out.with_name(args.out.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, args.out)  # a scheduled reader never sees half a workbook
    audit.record(src, args.report, user, "cli", len(data))
    print(
        f"wrote {args.out} ({len(data):,} bytes, {args.audience}) in "
        f"{time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
