"""One load run: find files, detect formats, load each in its own transaction, swap the warehouse.

Order: reference files first (in dependency order), then exports. A file that fails is rolled back
alone and logged; the other files still load. Nothing reaches the live warehouse until the build
passes its checks.
"""

import contextlib
import fnmatch
import gzip
import hashlib
import sys
import time
import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from etl import records, reference
from etl import warehouse as wh
from etl.config import DEFAULT_TIMEZONE, SKIPPED_SUFFIXES
from etl.context import FileContext, FileResult
from etl.decode import InputError, decode, duplicate_column, load_text, parse_header
from etl.identity import fingerprint, load_key
from etl.sources import (
    access_log,
    download_monitor,
    hr_headcount,
    mapped_lms,
    moodle_completion,
    moodle_quiz,
    quiz_long,
    redcap_dictionary,
    redcap_records,
)
from etl.stage import stage_csv, temp_from_arrow

ADAPTERS = {
    moodle_completion.FORMAT: ("moodle", moodle_completion),
    moodle_quiz.FORMAT: ("moodle", moodle_quiz),
    quiz_long.FORMAT: ("quizlong", quiz_long),
    download_monitor.FORMAT: ("download_monitor", download_monitor),
    redcap_dictionary.FORMAT: ("redcap", redcap_dictionary),
    redcap_records.FORMAT: ("redcap", redcap_records),
}
# Formats recognised from content rather than a CSV header; they read their own files.
FILE_ADAPTERS = {
    access_log.FORMAT: ("toolkit_web", access_log),
    hr_headcount.FORMAT: ("hr", hr_headcount),
}
# Loaded after the reference data but before other exports, which are read through them.
BEFORE_EXPORTS = [redcap_dictionary.FORMAT]


@dataclass
class Options:
    format: str | None = None
    hospital: str | None = None
    system: str | None = None
    tenant: str | None = None
    date_order: str | None = None
    timezone: str | None = None
    column_map: Path | None = None
    exported_at: datetime | None = None


class BuildRejected(RuntimeError):
    pass


def collect(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() not in SKIPPED_SUFFIXES
                and not any(part.startswith((".", "__")) for part in f.relative_to(p).parts)
            )
        elif p.exists():
            files.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    return list(dict.fromkeys(f.resolve() for f in files))


def _no_duplicate_columns(path: Path, header: list[str]) -> None:
    """Two columns of one name: which one holds the data cannot be known, and reading either
    silently drops the other (found by the malformed-input corpus)."""
    if found := duplicate_column(header):
        first, second = found
        name = header[second - 1]
        raise InputError(
            path,
            f"duplicate column {name!r} in the header (columns {first} and {second}): "
            "expected each column name once",
            1,
            name,
        )


def sniff(path: Path, maps: list[dict], opts: Options) -> tuple[str, object]:
    """(format, spec) from the header row; raises InputError naming what was expected."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as gz:
                head = gz.read(65536)
        except (OSError, EOFError) as exc:
            raise InputError(path, f"gzip stream is damaged or truncated ({exc})") from None
    # A ZIP container named as a workbook: only an HR headcount workbook is known. Under any
    # other name, decode() below says what the file is.
    if head[:4] == b"PK\x03\x04" and path.suffix.lower() in (".xlsx", ".xlsm"):
        if hr_headcount.detect_workbook(path):
            return hr_headcount.FORMAT, hr_headcount
        raise InputError(
            path,
            "unknown workbook: expected an HR headcount workbook (a sheet whose table has a "
            "Headcount column and a Job Title, Job Category or Role column)",
        )
    text = decode(path, head)[0]
    if opts.format == access_log.FORMAT or (not opts.format and access_log.detect_text(text)):
        return access_log.FORMAT, access_log
    header, _ = parse_header(path, text)
    _no_duplicate_columns(path, header)
    candidates: list[tuple[str, object]] = []
    if spec := reference.detect(header):
        candidates.append((spec.format, spec))
    for fmt, (_, mod) in ADAPTERS.items():
        if mod.detect(header):
            candidates.append((fmt, mod))
    for cmap in maps:
        if mapped_lms.detect(header, cmap):
            candidates.append((cmap["format"], cmap))
    if opts.format:
        chosen = [c for c in candidates if c[0] == opts.format]
        if not chosen:
            known = ", ".join(
                sorted({*ADAPTERS, *FILE_ADAPTERS, *(m["format"] for m in maps), *reference.ORDER})
            )
            raise InputError(
                path, f"header does not match format {opts.format!r} (known: {known})", 1
            )
        return chosen[0]
    if not candidates:
        raise InputError(
            path,
            "unknown format: the header row matches no known export. Expected e.g. a Moodle "
            "completion report ('ID,Name,Email address,...,Course complete'), a Moodle quiz grades "
            "report ('Surname,First name,Email address,State,Started on,...'), a HealthStream "
            "transcript ('Student ID,...,Course ID,...'), SCORM Cloud registrations, the long quiz "
            "format, a web-server access log, a Download Monitor log, a REDCap export or data "
            "dictionary, an HR headcount workbook, or a reference file (see "
            "sample_data/README.md). The first row has "
            f"{len(header)} columns",
            1,
        )
    return candidates[0]


def _order(fmt: str) -> int:
    if fmt in reference.ORDER:
        return reference.ORDER.index(fmt)
    if fmt in BEFORE_EXPORTS:
        return len(reference.ORDER) + BEFORE_EXPORTS.index(fmt)
    return len(reference.ORDER) + len(BEFORE_EXPORTS)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run(
    paths: list[Path], live: Path, opts: Options | None = None, log=sys.stderr
) -> tuple[list[FileResult], str | None]:
    """Load files into the warehouse at `live`; returns per-file results and the new version."""
    opts = opts or Options()
    key = load_key()
    maps = mapped_lms.shipped_maps() + (
        [mapped_lms.read_map(opts.column_map)] if opts.column_map else []
    )
    files = collect(paths)
    run_id = uuid.uuid4().hex[:12]
    with wh.writer_lock(live):
        build = wh.start_build(live)
        try:
            con = wh.connect(build)
            wh.init_schema(con)
            wh.check_key(con, fingerprint(key))
            results = _load_all(con, files, maps, opts, key, run_id, log)
            if all(r.status == "unchanged" for r in results) and wh.has_marts(con):
                con.close()
                build.unlink(missing_ok=True)
                return results, None
            _reattribute(con)
            wh.build_marts(con)
            version = wh.stamp_version(con, fingerprint(key))
            problems = wh.verify(con)
            if problems:
                raise BuildRejected(
                    "the new warehouse failed its checks and was not swapped in: "
                    + "; ".join(problems)
                )
            wh.swap_in(con, build, live)
            return results, version
        except BaseException:
            with contextlib.suppress(Exception):
                con.close()
            build.unlink(missing_ok=True)
            raise


def _load_all(con, files, maps, opts, key, run_id, log) -> list[FileResult]:
    planned: list[tuple[Path, str | None, object, InputError | None]] = []
    for f in files:
        try:
            fmt, spec = sniff(f, maps, opts)
            planned.append((f, fmt, spec, None))
        except InputError as exc:
            planned.append((f, None, None, exc))
    planned.sort(key=lambda p: _order(p[1]) if p[1] else -1)
    # DuckDB 2.0 plans every IN list of constants (list_contains of a literal list included, as
    # X.blank and the adapters' checks write them) as a hash join with its own pipeline: an
    # adapter's `rec` had 20 such joins per file, about 50 ms of fixed cost on a 250-row file and
    # 2.5x the time of plain expressions on a 15k-row one. The ETL's lists are all short.
    con.execute("set disabled_optimizers = 'in_clause'")
    try:
        return _load_each(con, planned, opts, key, run_id, log)
    finally:
        with contextlib.suppress(Exception):
            con.execute("reset disabled_optimizers")


def _load_each(con, planned, opts, key, run_id, log) -> list[FileResult]:
    results = []
    for i, (path, fmt, spec, err) in enumerate(planned, 1):
        t0 = time.perf_counter()
        res = FileResult(path=str(path), format=fmt or "unknown")
        if err is not None:
            res.status, res.message = "failed", str(err)
        else:
            size_mb = path.stat().st_size / 1e6 if path.exists() else 0
            if size_mb >= 10:  # say what a long step is working on before it starts
                print(
                    f"[{i}/{len(planned)}] loading {path.name} ({size_mb:,.0f} MB) ...",
                    file=log,
                    flush=True,
                )
        # One transaction per file, its log rows included: each commit costs a WAL flush, and
        # the log and exclusion rows committed on their own took about as long as the file's own
        # commit (about 10 ms per file, more on a busy disk).
        con.execute("begin transaction")
        try:
            if err is None:
                _load_one(con, path, fmt, spec, opts, key, run_id, res)
            _log_result(con, res, run_id)
            con.execute("commit")
        except BaseException:
            with contextlib.suppress(Exception):
                con.execute("rollback")
            raise
        results.append(res)
        print(
            f"[{i}/{len(planned)}] {res.status:<9} {res.format:<32} {path.name} "
            f"read {res.rows_read:,} loaded {res.loaded:,} ({time.perf_counter() - t0:.1f}s)"
            + (f" - {res.message}" if res.status == "failed" else ""),
            file=log,
            flush=True,
        )
    return results


def _load_one(con, path, fmt, spec, opts, key, run_id, res: FileResult) -> None:
    """Load one file inside the caller's open transaction; a file that fails has its work
    rolled back and a new transaction begun, for its log row."""
    try:
        file_id = sha256(path)
    except OSError as exc:  # moved or unreadable since the run started: this file only
        _failed(res, f"{path}: cannot be read ({exc.strerror})")
        return
    res.file_id = file_id
    try:
        ctx = _context(con, path, fmt, opts, key, run_id, file_id)
    except InputError as exc:
        _failed(res, str(exc))
        return
    res.system, res.tenant = ctx.system, ctx.tenant
    # The same bytes are the same load only if read the same way: the file name carries the
    # course or quiz, sources.csv the tenant and hospital. An export is also read again after a
    # reference-data change (a new alias or domain may now map rows it could not).
    res.load_context = load_context(con, path, ctx, isinstance(spec, reference.Spec))
    prev = con.execute(
        "select rows_read from load_log where file_id = $f and status in ('ok', 'partial') "
        "and load_context = $lc order by loaded_at desc limit 1",
        {"f": file_id, "lc": res.load_context},
    ).fetchone()
    if prev:
        res.status, res.rows_read, res.duplicate = "unchanged", prev[0], prev[0]
        res.message = "already loaded (same content, read the same way)"
        return
    try:
        if hasattr(spec, "load_file"):  # logs and workbooks are not CSV: they read themselves
            spec.load_file(con, ctx, path, res)
        else:
            _load_csv(con, ctx, path, spec, res)
        res.status = "partial" if res.rows_rejected else "ok"
        parts = [f"{k} {v:,}" for k, v in sorted(res.excluded.items())]
        res.message = ("excluded: " + ", ".join(parts)) if parts else ""
    except InputError as exc:
        _restart(con)
        _failed(res, str(exc))
    except OSError as exc:
        _restart(con)
        _failed(res, f"{path}: cannot be read ({exc.strerror})")
    except Exception as exc:  # an adapter bug must not take the other files down with it
        _restart(con)
        traceback.print_exc()
        _failed(res, f"{path}: internal error while loading ({type(exc).__name__}: {exc})")


def _restart(con) -> None:
    """Drop a failed file's work; the transaction goes on for its log row."""
    con.execute("rollback")
    con.execute("begin transaction")


def _load_csv(con, ctx: FileContext, path: Path, spec, res: FileResult) -> None:
    dec = load_text(path)
    st = stage_csv(con, path, dec, "stg")
    if st.n_records == 0 and not st.parse_rejects:
        raise InputError(
            path,
            "header only: expected at least one record after the header",
            dec.header_lines + 1,
        )
    if isinstance(spec, reference.Spec):
        reference.load(con, ctx, st, res, spec)
    elif isinstance(spec, dict):
        mapped_lms.load(con, ctx, st, res, spec)
    else:
        spec.load(con, ctx, st, res)


def load_context(con, path: Path, ctx: FileContext, is_reference: bool) -> str:
    """How a file is read: its name, source, hospital, date order, zone, and (for exports) the
    reference files in force (the latest loaded file of each reference format)."""
    refs = ""
    if not is_reference:
        refs = (
            con.execute(
                """select string_agg(file_id, ',' order by format) from (
                   select format, arg_max(file_id, loaded_at) as file_id from load_log
                   where format in (select unnest($formats)) and status in ('ok', 'partial')
                   group by format)""",
                {"formats": reference.ORDER},
            ).fetchone()[0]
            or ""
        )
    how = [
        path.name,
        ctx.system,
        ctx.tenant,
        ctx.hospital_ccn,
        ctx.date_order,
        ctx.timezone,
        str(ctx.exported_at_override),
        refs,
    ]
    return hashlib.sha256("|".join(map(str, how)).encode()).hexdigest()[:16]


def _failed(res: FileResult, message: str) -> None:
    res.status, res.message = "failed", message
    res.rows_read = res.loaded = res.duplicate = 0
    res.excluded.clear()
    res.rejects.clear()


def _context(con, path, fmt, opts, key, run_id, file_id) -> FileContext:
    rules = con.execute(
        "select path_glob, system, tenant, date_order, timezone, hospital_ccn "
        "from source_rule order by rule_no"
    ).fetchall()
    posix = path.as_posix()
    rule = next(
        (
            r
            for r in rules
            if fnmatch.fnmatch(posix, "*/" + r[0].lstrip("/")) or fnmatch.fnmatch(posix, r[0])
        ),
        None,
    )
    default_tz = (
        con.execute("select value from setting where key = 'timezone'").fetchone()
        or [DEFAULT_TIMEZONE]
    )[0]
    own_system = {**ADAPTERS, **FILE_ADAPTERS}.get(fmt, (None,))[0]
    ctx = FileContext(
        path=path, file_id=file_id, run_id=run_id, key=key, exported_at_override=opts.exported_at
    )
    if fmt in reference.ORDER:  # reference data belongs to the program, not to a source system
        ctx.system, ctx.tenant = "reference", None
    else:
        ctx.system = opts.system or (rule[1] if rule else None) or own_system or fmt
        ctx.tenant = opts.tenant or (rule[2] if rule else None) or "default"
    ctx.date_order = opts.date_order or (rule[3] if rule else None) or "auto"
    ctx.timezone = opts.timezone or (rule[4] if rule else None) or default_tz
    ctx.hospital_ccn = opts.hospital or (rule[5] if rule else None)
    if (
        ctx.hospital_ccn
        and not con.execute(
            "select 1 from hospital where ccn = $c", {"c": ctx.hospital_ccn}
        ).fetchone()
    ):
        raise InputError(
            path,
            f"hospital CCN {ctx.hospital_ccn!r} given for this file is not in "
            "the hospitals reference data; expected the CCN of a listed hospital",
        )
    return ctx


def _log_result(con, res: FileResult, run_id: str) -> None:
    con.execute(
        """insert into load_log values ($file_id, $path, $format, $system, $tenant, $read,
           $loaded, $excluded, $rejected, $dup, $status, $message, $export_at, $min_at, $max_at,
           now(), $run, $rv)""",
        {
            "file_id": res.file_id,
            "path": res.path,
            "format": res.format,
            "system": res.system,
            "tenant": res.tenant,
            "read": res.rows_read,
            "loaded": res.loaded,
            "excluded": res.rows_excluded,
            "rejected": res.rows_rejected,
            "dup": res.duplicate,
            "status": res.status,
            "message": res.message,
            "export_at": res.export_at,
            "min_at": res.min_event_at,
            "max_at": res.max_event_at,
            "run": run_id,
            "rv": res.load_context,
        },
    )
    if res.status == "unchanged":
        return
    if res.excluded:
        reasons = list(res.excluded)
        con.execute(
            "insert into load_exclusion select $f, $r, unnest($reasons), unnest($ns)",
            {
                "f": res.file_id,
                "r": run_id,
                "reasons": reasons,
                "ns": [res.excluded[k] for k in reasons],
            },
        )
    if res.rejects:
        n = len(res.rejects)
        rows = pa.table(
            {
                "file_id": [res.file_id] * n,
                "run_id": [run_id] * n,
                "path": [res.path] * n,
                "line": pa.array([r["line"] for r in res.rejects], pa.int64()),
                "column_name": pa.array([r["column"] for r in res.rejects], pa.string()),
                "reason": [r["reason"] for r in res.rejects],
                "record_masked": pa.array([r["record"] for r in res.rejects], pa.string()),
            }
        )
        temp_from_arrow(con, "rejects", rows)
        con.execute("insert into rejected_row select * from rejects")


def _reattribute(con) -> None:
    """Records attributed by e-mail domain follow the current membership file; their fingerprint
    follows too, so that the next read of the same export finds them unchanged. Headcount roles
    and survey resource choices follow the current role map and toolkit catalog."""
    hr_headcount.remap_roles(con)
    redcap_records.remap_resources(con)
    for target in (records.COMPLETION, records.QUIZ_ATTEMPT, "learner", "download_event"):
        table = target if isinstance(target, str) else target.table
        con.execute(
            f"""update {table} set
                    hospital_ccn = d.ccn,
                    attribution = case when d.ccn is null then 'none' else 'domain' end
                from (select t.rowid as rid, d.ccn from {table} t
                      left join hospital_domain_unique d on d.domain = t.email_domain
                      where t.attribution in ('domain', 'none')
                        and t.hospital_ccn is distinct from d.ccn) d
                where {table}.rowid = d.rid"""
        )
        if not isinstance(target, str):  # the fingerprint covers hospital and attribution
            con.execute(
                f"update {table} set row_hash = hash({', '.join(target.values)}) "
                "where attribution in ('domain', 'none')"
            )
