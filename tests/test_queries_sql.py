"""Every query file parses, binds only named parameters and runs through the runner."""

from datetime import date

import pytest

from conftest import EXPORTS, HS_HEADER, REFERENCE, load
from queries import spec as specs
from queries.filters import Filters
from queries.runner import Runner
from queries.scope import COLLABORATIVE, ScopeError, Viewer

NAMES = specs.names()
COLLABORATIVE_ONLY = [n for n in NAMES if specs.load(n).scope == "collaborative"]
# What the runner binds (queries/runner.py _bind) plus rejected_rows' $limit and the knowledge
# queries' $policy (which attempt of each phase: first, best or last).
BOUND = {"ccns", "role", "module", "month_from", "month_to", "as_of", "limit", "policy"}
EXTRA = {"rejected_rows": {"limit": 10}} | {
    name: {"policy": "first"}
    for name in (
        "knowledge_gains",
        "knowledge_gain_cells",
        "knowledge_items",
        "knowledge_retention",
        "knowledge_attrition",
    )
}


@pytest.fixture(scope="module")
def runner(tmp_path_factory) -> Runner:
    """The `loaded` fixture's warehouse (reference + every export), built once for the module."""
    warehouse = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    load([REFERENCE, EXPORTS], warehouse)
    return Runner(warehouse)


def run(runner: Runner, name: str):
    return runner.run(name, COLLABORATIVE, Filters(), **EXTRA.get(name, {}))


def test_there_are_query_files_to_check():
    assert len(NAMES) >= 20
    assert "load_files" in NAMES and "utilization_by_hospital_module" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_a_query_header_parses_with_two_or_three_comment_lines_before_the_runner_line(name):
    spec = specs.load(name)
    assert spec.name == name
    assert 2 <= len(spec.header) <= 3
    # The same, read from the file text itself rather than through the parser.
    lines = spec.sql.splitlines()
    runner_at = next(i for i, line in enumerate(lines) if line.startswith("-- runner:"))
    assert 2 <= runner_at <= 3
    assert all(line.startswith("--") for line in lines[:runner_at])


@pytest.mark.parametrize("name", NAMES)
def test_a_query_uses_only_named_parameters_the_runner_binds(name):
    spec = specs.load(name)
    assert "?" not in spec.sql  # no positional placeholders
    assert "{" not in spec.sql and "}" not in spec.sql  # no Python format fields
    assert set(spec.params) <= BOUND


@pytest.mark.parametrize("name", NAMES)
def test_a_query_runs_for_the_collaborative_viewer_with_the_columns_its_header_declares(
    runner, name
):
    spec = specs.load(name)
    result = run(runner, name)
    columns = set(result.frame.columns)
    declared = {*spec.counts, *spec.measures}
    declared |= {out for out, _, _ in spec.means} | {out for out, _, _ in spec.pcts}
    assert declared <= columns, f"missing {sorted(declared - columns)}"
    # sufficient statistics never leave the runner
    assert not {*spec.sums, *spec.mins, *spec.maxs} & columns
    assert list(result.suppressed.columns) == list(result.frame.columns)
    assert result.version == runner.version()[0]
    if spec.scope == "hospital":
        assert {"hospital_ccn", "hospital", "is_peer_group", "n_hospitals"} <= columns


@pytest.mark.parametrize("name", COLLABORATIVE_ONLY)
def test_a_collaborative_only_query_is_refused_to_a_hospital_viewer(runner, name):
    # 260001 is the first member in tests/fixtures/reference/membership.csv.
    with pytest.raises(ScopeError):
        runner.run(name, Viewer("hospital", "260001"), Filters(), **EXTRA.get(name, {}))


def test_modules_are_the_two_in_the_fixture_catalog(runner):
    # tests/fixtures/reference/modules.csv has two rows: M01 (module_no 1) and M02 (module_no 2).
    frame = run(runner, "modules").frame
    assert frame["module_id"].tolist() == ["M01", "M02"]
    assert frame["module_no"].tolist() == [1, 2]


def test_periods_are_the_one_period_of_the_targets_file_in_whole_months(runner):
    # tests/fixtures/reference/targets.csv has one row: FY2026, "Fiscal 2026", 2026-01-01 to
    # 2026-12-31; in whole months that is January to December 2026 (month_to = first of the month).
    frame = run(runner, "periods").frame
    assert frame[["period_id", "label"]].values.tolist() == [["FY2026", "Fiscal 2026"]]
    assert frame["month_from"].tolist() == [date(2026, 1, 1)]
    assert frame["month_to"].tolist() == [date(2026, 12, 1)]


def test_hospitals_are_the_four_members(runner):
    # tests/fixtures/reference/membership.csv lists four CCNs; the names are their Facility Name
    # in hospitals.csv (its fifth row, CCN 26004, is malformed and not a member anyway).
    frame = run(runner, "hospitals").frame
    assert dict(zip(frame["hospital_ccn"], frame["hospital_name"], strict=True)) == {
        "260001": "Alpha Medical Center",
        "260002": "Heartland North",
        "260003": "Heartland South",
        "171300": "Prairie Critical Access",
    }


def test_roles_are_the_three_of_the_roles_file_and_the_unrecorded_role(runner):
    # tests/fixtures/reference/roles.csv: RN and security are front-line (Y), other is not (N);
    # learners whose export names no job title form the `unrecorded` role, listed last.
    frame = run(runner, "roles").frame
    assert dict(zip(frame["role"], frame["is_front_line"], strict=True)) == {
        "RN": True,
        "security": True,
        "other": False,
        "unrecorded": False,
    }


def test_source_rules_are_the_five_rules_of_the_sources_file(runner):
    # tests/fixtures/reference/sources.csv, in file order; only the hs rule names a hospital.
    frame = run(runner, "source_rules").frame
    assert frame["path_glob"].tolist() == [
        "moodle-mha/*",
        "moodle-kha/*",
        "hs/260002-*",
        "scorm/*",
        "long/*",
    ]
    assert frame["hospital_ccn"].tolist() == ["", "", "260002", "", ""]


def test_load_files_has_one_row_per_fixture_file(runner):
    # `find tests/fixtures/reference tests/fixtures/exports -type f`: 13 reference files and 9
    # exports (hs 2, long 1, moodle-kha 1, moodle-mha 4 incl. 2026-01/ and quiz/, scorm 1), none
    # with a suffix the loader skips (.md .py .json ...): 22 files, each loaded once.
    files = sorted(
        str(p.resolve()) for root in (REFERENCE, EXPORTS) for p in root.rglob("*") if p.is_file()
    )
    assert len(files) == 22
    frame = run(runner, "load_files").frame
    assert len(frame) == 22
    assert sorted(frame["path"]) == files


def test_a_later_unchanged_reload_keeps_each_files_accounting(tmp_path):
    # Load the exports, then load them again with one new file: every old file is logged again as
    # 'unchanged' (read nothing new). The Data page still shows what each file's real load did:
    # the June HealthStream transcript's 1 rejected row and 2 excluded rows (see test_formats).
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    load([REFERENCE, EXPORTS], warehouse)
    extra = tmp_path / "new" / "hs" / "260002-transcript-2026-10.csv"
    extra.parent.mkdir(parents=True)
    extra.write_text(
        HS_HEADER + "4530,Roe,Al,ED,Registered Nurse,HS-HT101,Human Trafficking 101,"
        "Complete,10/1/2026,90,1.0\n"
    )
    load([REFERENCE, EXPORTS, extra.parent.parent], warehouse)
    files = Runner(warehouse).run("load_files", COLLABORATIVE).frame
    june = files[files["path"].str.endswith("260002-transcript-2026-06.csv")].iloc[0]
    assert (june["status"], june["rows_rejected"], june["rows_excluded"]) == ("partial", 1, 2)
    assert len(files) == 23


def test_a_histogram_needs_the_n_its_statistics_rest_on_but_stats_stand_alone():
    head = "-- purpose\n-- grain\n-- runner: scope=hospital counts=n "
    body = "\nselect hospital_ccn, n from t where list_contains($ccns, hospital_ccn)"
    with pytest.raises(specs.SpecError, match="detail= needs stats="):
        specs.parse("q", head + "detail=pre_pct" + body)
    alone = specs.parse("q", head + "stats=n" + body)
    assert (alone.stats_n, alone.detail) == ("n", ())
