"""The runner keeps serving, each result from one whole version, while the ETL swaps the file."""

import random
import threading
import time
from datetime import date

from conftest import EXPORTS, REFERENCE, load, query
from queries.filters import Filters
from queries.runner import Runner

N_THREADS = 20
RUN_SECONDS = 3.0
QUERIES = [
    "load_files",
    "warehouse_version",
    "source_freshness",
    "hospitals",
    "utilization_by_hospital_module",
]


def built(warehouse) -> tuple[str, int, int]:
    """(version, files, export files) of the live file, read with a plain read-only connection."""
    [(version,)] = query(warehouse, "select version from warehouse_meta")
    [(files, exports)] = query(
        warehouse,
        "select count(distinct coalesce(file_id, path)), "
        "count(distinct file_id) filter (where system <> 'reference') from load_log",
    )
    return version, files, exports


def content_of(name: str, frame):
    """What a result says about the version it was read from."""
    if name == "warehouse_version":
        return frame["version"].iloc[0]
    if name == "source_freshness":
        return int(frame["n_files"].sum())
    return len(frame)


def some_filters(rng: random.Random) -> Filters:
    """Custom periods vary the cache key, so most calls really query the attached file."""
    a, b = sorted(rng.sample(range(1, 13), 2))
    return Filters(period="custom", month_from=date(2026, a, 1), month_to=date(2026, b, 1))


def test_queries_keep_answering_from_one_whole_version_while_loads_swap_the_file(tmp_path):
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    _, v1 = load([REFERENCE, EXPORTS / "moodle-kha"], warehouse)
    expected = {v1: built(warehouse)[1:]}
    # 13 reference files + 1 export; each later load adds one export file.
    assert expected[v1] == (14, 1)
    runner = Runner(warehouse)
    assert runner.version()[0] == v1

    start = threading.Barrier(N_THREADS + 1)
    stop = threading.Event()
    seen = threading.Condition()
    versions_seen: set[str] = set()
    observed: list[tuple] = []  # (query, filters, result.version, content)
    errors: list[BaseException] = []

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        start.wait()
        try:
            while not stop.is_set():
                name = rng.choice(QUERIES)
                filters = some_filters(rng)
                result = runner.run(name, filters=filters)
                content = content_of(name, result.frame)
                with seen:
                    observed.append((name, filters, result.version, content))
                    versions_seen.add(result.version)
                    seen.notify_all()
        except BaseException as exc:  # noqa: B036 - any failure in a reader fails the test
            errors.append(exc)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(N_THREADS)]
    for t in threads:
        t.start()
    try:
        start.wait(timeout=10)
        began = time.monotonic()
        versions = [v1]
        for folder in ("scorm", "long"):
            # Wait until the readers have answered from the current version, then swap.
            with seen:
                assert seen.wait_for(lambda: versions[-1] in versions_seen, timeout=5)
            _, version = load(EXPORTS / folder, warehouse)
            assert version is not None and version not in expected
            expected[version] = built(warehouse)[1:]
            versions.append(version)
        with seen:
            assert seen.wait_for(lambda: versions[-1] in versions_seen, timeout=5)
        time.sleep(max(0.0, RUN_SECONDS - (time.monotonic() - began)))
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=10)
    assert not any(t.is_alive() for t in threads)

    assert errors == []
    assert [expected[v] for v in versions] == [(14, 1), (15, 2), (16, 3)]
    assert len(observed) > N_THREADS
    answers: dict[tuple, set] = {}
    for name, filters, version, content in observed:
        answers.setdefault((name, filters, version), set()).add(content)
        files, exports = expected[version]  # KeyError: a version no load produced
        want = {
            "load_files": files,
            "warehouse_version": version,
            "source_freshness": exports,
            "hospitals": 4,  # the four members of membership.csv, in every version
        }.get(name)
        if want is not None:
            assert content == want, (name, version, content)
    # The same question asked of the same version always got the same answer.
    assert all(len(a) == 1 for a in answers.values())
    assert len({v for _, _, v, _ in observed}) >= 2
    assert set(versions_seen) <= set(versions)

    # A fresh query answers from the newest file, and only its alias stays attached.
    latest = runner.run("warehouse_version")
    assert latest.version == versions[-1]
    assert latest.frame["version"].tolist() == [versions[-1]]
    assert len(runner.run("load_files").frame) == 16
    attached = runner._root.execute(
        "select database_name from duckdb_databases() where database_name like 'wh_%'"
    ).fetchall()
    assert len(attached) == 1
