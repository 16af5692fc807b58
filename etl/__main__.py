"""python -m etl load PATH... | status | rejects  (see README.md)."""

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from etl import config

EXIT_OK, EXIT_CRASH, EXIT_USAGE, EXIT_PARTIAL, EXIT_FAILED = 0, 1, 2, 3, 4


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m etl", description=__doc__)
    p.add_argument(
        "--warehouse",
        help=f"warehouse file (default {config.DEFAULT_WAREHOUSE}, or $HTRA_WAREHOUSE)",
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    ld = sub.add_parser("load", help="load export and reference files (files or folders)")
    ld.add_argument("paths", nargs="+", type=Path)
    ld.add_argument("--format", help="skip detection and read every file as this format")
    ld.add_argument("--hospital", metavar="CCN", help="every learner in these files belongs to it")
    ld.add_argument("--system", help="source system (moodle, healthstream, scormcloud, ...)")
    ld.add_argument("--tenant", help="site or customer of that system (scopes employee IDs)")
    ld.add_argument("--date-order", choices=["dmy", "mdy", "auto"])
    ld.add_argument("--timezone", help="IANA zone of local times in the files")
    ld.add_argument("--column-map", type=Path, help="JSON column map for another LMS layout")
    ld.add_argument(
        "--exported-at",
        type=datetime.fromisoformat,
        help="when the export was taken (default: latest time in the file)",
    )
    ld.add_argument("--json", action="store_true", help="print a JSON array, one record per file")
    st = sub.add_parser("status", help="per source: files, rows, date range, last load, rejects")
    st.add_argument("--json", action="store_true")
    rj = sub.add_parser("rejects", help="rejected rows: file, line, column, reason, masked record")
    rj.add_argument("--file", help="only files whose path contains this text")
    rj.add_argument("--limit", type=int, default=50)
    rj.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    live = config.warehouse_path(args.warehouse)
    if args.cmd == "load":
        return _load(args, live)
    from etl import report

    if not live.exists():
        print(f"{live}: no warehouse yet; run: python -m etl load sample_data", file=sys.stderr)
        return EXIT_FAILED
    rows = (
        report.status(live) if args.cmd == "status" else report.rejects(live, args.file, args.limit)
    )
    print(json.dumps(rows, default=str, indent=1) if args.json else report.table(rows))
    return EXIT_OK


def _load(args, live: Path) -> int:
    from etl import loader, report
    from etl.identity import KeyMismatchError

    opts = loader.Options(
        format=args.format,
        hospital=args.hospital,
        system=args.system,
        tenant=args.tenant,
        date_order=args.date_order,
        timezone=args.timezone,
        column_map=args.column_map,
        exported_at=args.exported_at,
    )
    try:
        results, version = loader.run(args.paths, live, opts)
    except (FileNotFoundError, KeyMismatchError, loader.BuildRejected) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    records = [r.as_record() for r in results]
    if args.json:
        print(json.dumps(records, indent=1))
    else:
        # the record's own fields; the message is long and stays for --json and `rejects`
        columns = [k for k in records[0] if k != "message"] if records else None
        print(report.table(records, columns))
    print(
        f"warehouse {live}: " + (f"version {version}" if version else "nothing new to load"),
        file=sys.stderr,
    )
    if any(r.status == "failed" for r in results):
        return EXIT_FAILED
    return EXIT_PARTIAL if any(r.status == "partial" for r in results) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
