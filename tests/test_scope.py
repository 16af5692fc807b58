"""Viewer scope and suppression, proven per role on a hand-built collaborative of nine hospitals.

MO: A 260001 and B 260002 (Heartland Health), C 260003, D 260004, E 260005.
KS: F 171001, G 171002, H 171003, I 171004.

Completions loaded through the real ETL (one HealthStream transcript per hospital):

    hospital  M01 RN Mar  M01 security Mar  M02 RN Mar  M02 RN Jun  M02 security Mar
    A             12             3               4
    B             17             4               3
    C              2                            25                        20
    D              5                             5
    E              1                                        6
    F-I         4 each                        4 each

Matched pre/post quiz pairs on M01 (each score 0 or 100): A 10 pairs; B 12 pairs with the
post-test in March (pre 6 of 12 at 100, post 9 of 12) and 3 more in May (pre 0, post 100).
"""

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import REFERENCE, load
from queries.filters import Filters, parse_month
from queries.runner import Runner
from queries.scope import COLLABORATIVE, PEERS, ScopeError, Viewer

HOSPITALS = {  # ccn: (name, state, health system)
    "260001": ("Alpha General", "MO", "Heartland Health"),
    "260002": ("Bravo Medical Center", "MO", "Heartland Health"),
    "260003": ("Charlie Hospital", "MO", ""),
    "260004": ("Delta Hospital", "MO", ""),
    "260005": ("Echo Hospital", "MO", ""),
    "171001": ("Foxtrot Hospital", "KS", ""),
    "171002": ("Golf Hospital", "KS", ""),
    "171003": ("Hotel Hospital", "KS", ""),
    "171004": ("India Hospital", "KS", ""),
}
# (ccn, course, job title, completion date, how many)
COMPLETIONS = [
    ("260001", "HS-HT101", "Registered Nurse", "3/10/2026", 12),
    ("260001", "HS-HT101", "Security Officer", "3/10/2026", 3),
    ("260001", "HS-HT102", "Registered Nurse", "3/12/2026", 4),
    ("260002", "HS-HT101", "Registered Nurse", "3/10/2026", 17),
    ("260002", "HS-HT101", "Security Officer", "3/11/2026", 4),
    ("260002", "HS-HT102", "Registered Nurse", "3/12/2026", 3),
    ("260003", "HS-HT101", "Registered Nurse", "3/10/2026", 2),
    ("260003", "HS-HT102", "Registered Nurse", "3/15/2026", 25),
    ("260003", "HS-HT102", "Security Officer", "3/15/2026", 20),
    ("260004", "HS-HT101", "Registered Nurse", "3/10/2026", 5),
    ("260004", "HS-HT102", "Registered Nurse", "3/16/2026", 5),
    ("260005", "HS-HT101", "Registered Nurse", "3/10/2026", 1),
    ("260005", "HS-HT102", "Registered Nurse", "6/20/2026", 6),
    *[
        (ccn, course, "Registered Nurse", "3/10/2026", 4)
        for ccn in ("171001", "171002", "171003", "171004")
        for course in ("HS-HT101", "HS-HT102")
    ],
]
# ccn: [(pairs, pre at 100, post at 100, post-test month)]
QUIZ = {"260001": [(10, 5, 5, "03")], "260002": [(12, 6, 9, "03"), (3, 0, 3, "05")]}


def _write_reference(root: Path, members: list[str]) -> Path:
    ref = root / "reference"
    shutil.copytree(REFERENCE, ref)
    with open(REFERENCE / "hospitals.csv", newline="") as fh:
        header = next(csv.reader(fh))
    with open(ref / "hospitals.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for ccn, (name, state, _) in HOSPITALS.items():
            w.writerow(
                [
                    ccn,
                    name,
                    "1 Main St",
                    "Town",
                    state,
                    "64000",
                    "County",
                    "(555) 555-0100",
                    "Acute Care Hospitals",
                    "Voluntary non-profit - Private",
                    "Yes",
                    "Y",
                    "3",
                ]
            )
    with open(ref / "membership.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "ccn",
                "state",
                "region",
                "health_system",
                "member_since",
                "email_domains",
                "network_ranges",
            ]
        )
        for ccn in members:
            _, state, system = HOSPITALS[ccn]
            w.writerow([ccn, state, "Central", system, "2024-01-01", "", ""])
    with open(ref / "module_aliases.csv", "a") as fh:
        fh.write("M02,healthstream,course_id,HS-HT102,,\n")
    return ref


def _write_exports(root: Path, members: list[str]) -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {}
    for ccn in members:
        out = root / "exports" / ccn
        out.mkdir(parents=True)
        rows = [r for r in COMPLETIONS if r[0] == ccn]
        hs = out / "transcript.csv"
        with open(hs, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(
                [
                    "Student ID",
                    "Last Name",
                    "First Name",
                    "Department",
                    "Job Title",
                    "Course ID",
                    "Course Title",
                    "Status",
                    "Completion Date",
                    "Score",
                    "Contact Hours",
                ]
            )
            for i, (_, course, title, day, n) in enumerate(rows):
                for k in range(n):
                    w.writerow(
                        [
                            f"{ccn}-{i}-{k}",
                            "X",
                            "Y",
                            "Dept",
                            title,
                            course,
                            course,
                            "Complete",
                            day,
                            "90",
                            "1.0",
                        ]
                    )
        files[ccn] = [hs]
        if ccn in QUIZ:
            quiz = out / "quiz.csv"
            with open(quiz, "w", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(
                    [
                        "learner",
                        "module",
                        "phase",
                        "attempt",
                        "item",
                        "points",
                        "max_points",
                        "submitted_at",
                    ]
                )
                for g, (pairs, pre_full, post_full, month) in enumerate(QUIZ[ccn]):
                    for k in range(pairs):
                        who = f"q{g}-{k}@{ccn}.example.org"
                        for phase, full, when in (
                            ("pre", k < pre_full, "2026-03-02"),
                            ("post", k < post_full, f"2026-{month}-20"),
                        ):
                            for item in ("M01-I01", "M01-I02", "M01-I03"):
                                w.writerow(
                                    [
                                        who,
                                        "NHA-HT01",
                                        phase,
                                        1,
                                        item,
                                        int(full),
                                        1,
                                        f"{when}T15:00:00Z",
                                    ]
                                )
            files[ccn].append(quiz)
    return files


def _build(root: Path, members: list[str]) -> Path:
    ref = _write_reference(root, members)
    files = _write_exports(root, members)
    warehouse = root / "wh" / "warehouse.duckdb"
    load(ref, warehouse)
    for ccn, paths in files.items():
        load(paths[:1], warehouse, hospital=ccn, system="healthstream", tenant="t")
        if len(paths) > 1:
            load(paths[1:], warehouse, hospital=ccn, system="quizlong", tenant="t")
    return warehouse


@pytest.fixture(scope="module")
def nine(tmp_path_factory) -> Runner:
    return Runner(_build(tmp_path_factory.mktemp("nine"), list(HOSPITALS)))


def _cells(result, column="n_completed"):
    """{(hospital label, module): value or '<11'} of a hospital x module result."""
    out = {}
    for i, row in result.frame.iterrows():
        held = bool(result.suppressed.loc[i, column])
        out[(row["hospital"], row["module_id"])] = "<11" if held else row[column]
    return out


A, B = Viewer("hospital", "260001"), Viewer("hospital", "260002")
OTHER_NAMES = [v[0] for k, v in HOSPITALS.items() if k != "260001"]


def test_collaborative_staff_see_every_hospital_by_name_and_small_counts(nine):
    r = nine.run("utilization_by_hospital_module", COLLABORATIVE)
    cells = _cells(r)
    assert cells[("Alpha General", "M01")] == 15
    assert cells[("Echo Hospital", "M01")] == 1  # in scope: counts are not suppressed
    assert cells[("Echo Hospital", "M02")] == 6
    assert not r.frame["is_peer_group"].any()
    assert len(r.frame["hospital_ccn"].unique()) == 9


def test_a_hospital_sees_itself_and_one_anonymous_peer_group(nine):
    r = nine.run("utilization_by_hospital_module", A)
    assert _cells(r) == {
        ("Alpha General", "M01"): 15,
        ("Alpha General", "M02"): 4,
        (PEERS, "M01"): 21 + 2 + 5 + 1 + 16,  # B, C, D, E, F-I: 45
        (PEERS, "M02"): 3 + 45 + 5 + 6 + 16,  # 75
    }
    peers = r.frame[r.frame["is_peer_group"]]
    assert set(peers["n_hospitals"]) == {8}
    assert peers["hospital_ccn"].isna().all()
    assert r.notes == []


def test_a_hospital_viewer_gets_no_other_hospitals_name_or_ccn_whatever_the_filters(nine):
    others = [k for k in HOSPITALS if k != "260001"]
    attempts = [
        Filters(),
        Filters(hospital="260002"),
        Filters(state="KS"),
        Filters(health_system="Heartland Health"),
        Filters(role="security"),
        Filters.from_url({"hospital": "171001", "state": "KS"}),
    ]
    for f in attempts:
        for name in (
            "utilization_by_hospital_module",
            "coverage_by_hospital_role",
            "knowledge_by_hospital_module",
            "completions_by_month",
            "downloads_by_hospital",
            "adoption_by_hospital",
        ):
            r = nine.run(name, A, f)
            text = r.frame.astype(str).to_csv()
            assert not any(ccn in text for ccn in others), (name, f)
            assert not any(n in text for n in OTHER_NAMES), (name, f)
            named = r.frame[~r.frame["is_peer_group"]]
            assert set(named["hospital_ccn"]) <= {"260001"}
    assert nine.frame(A).sanitize(Filters(hospital="260002")).hospital is None
    with pytest.raises(ScopeError):
        nine.run("hospitals", A)
    with pytest.raises(TypeError):  # the scope and filters cannot be passed around the checks
        nine.run("utilization_by_hospital_module", A, ccns=["260002"])
    with pytest.raises(TypeError):
        nine.run("utilization_by_hospital_module", A, role="security")


def test_a_single_withheld_cell_in_a_line_takes_the_next_smallest_with_it(nine):
    # Peers by month: June = 6 (Echo alone) is withheld; March = 45 + 75 - 6 = 114 would give
    # June away against the peers' since-launch total (shown above), so March is withheld too.
    r = nine.run("completions_by_month", A)
    cells = {
        (row["hospital"], str(row["month"])[:7]): (
            "<11" if r.suppressed.loc[i, "n_completed"] else row["n_completed"]
        )
        for i, row in r.frame.iterrows()
    }
    assert cells == {
        ("Alpha General", "2026-03"): 19,
        (PEERS, "2026-03"): "<11",
        (PEERS, "2026-06"): "<11",
    }


def test_subtraction_attack_on_the_role_filter_finds_no_peer_figure(nine):
    # All roles: peers M01 = 45. Nurses only would be 41, and 45 - 41 = 4 security officers.
    # Peer staff figures are released for all roles since launch only, so there is no 41.
    everyone = _cells(nine.run("utilization_by_hospital_module", A))
    nurses = nine.run("utilization_by_hospital_module", A, Filters(role="RN"))
    assert everyone[(PEERS, "M01")] == 45
    assert _cells(nurses)[(PEERS, "M01")] == "<11"
    assert _cells(nurses)[(PEERS, "M02")] == "<11"
    assert _cells(nurses)[("Alpha General", "M01")] == 12  # in scope, still shown
    assert any("all roles and modules since launch" in n for n in nurses.notes)


def test_subtraction_attack_on_overlapping_periods_finds_no_peer_figure(nine):
    # Since launch (March to June): peers M02 = 75; March alone would be 69, and 75 - 69 = 6
    # would reveal Echo's June completions.
    march = Filters(
        period="custom", month_from=parse_month("2026-03"), month_to=parse_month("2026-03")
    )
    assert _cells(nine.run("utilization_by_hospital_module", A))[(PEERS, "M02")] == 75
    assert _cells(nine.run("utilization_by_hospital_module", A, march))[(PEERS, "M02")] == "<11"


def test_subtraction_attack_on_a_hospitals_own_scores_is_withheld(nine):
    # Bravo since launch: 15 pairs, mean pre 40, post 80. March alone: 12 pairs (mean pre 50,
    # post 75), and 15 x 40 - 12 x 50 = 0 would give away the pre-test mean of the 3 May pairs.
    b_all = nine.run("knowledge_by_hospital_module", B)
    row = b_all.frame[b_all.frame["hospital_ccn"] == "260002"].iloc[0]
    assert (row["n_pairs"], row["mean_pre_pct"], row["mean_post_pct"], row["mean_change_pp"]) == (
        15,
        40.0,
        80.0,
        40.0,
    )
    march = Filters(
        period="custom", month_from=parse_month("2026-03"), month_to=parse_month("2026-03")
    )
    b_march = nine.run("knowledge_by_hospital_module", B, march)
    i = b_march.frame.index[b_march.frame["hospital_ccn"] == "260002"][0]
    assert b_march.frame.loc[i, "n_pairs"] == 12
    assert b_march.suppressed.loc[i, "mean_pre_pct"] and b_march.suppressed.loc[i, "mean_post_pct"]


def test_score_statistics_under_month_ranges_are_withheld_but_program_periods_are_shown(nine):
    # Two nested ranges (March-May: 15 pairs, April-May: 3) could be subtracted from each other
    # whatever each is compared with, so month ranges never carry score statistics; the one
    # program period of the fixture (FY2026, January-December) holds all 15 pairs.
    spring = Filters(
        period="custom", month_from=parse_month("2026-03"), month_to=parse_month("2026-05")
    )
    r = nine.run("knowledge_by_hospital_module", B, spring)
    i = r.frame.index[r.frame["hospital_ccn"] == "260002"][0]
    assert r.frame.loc[i, "n_pairs"] == 15 and r.suppressed.loc[i, "mean_pre_pct"]
    assert "Score statistics are shown since launch or for a whole program period." in r.notes
    fy = nine.run("knowledge_by_hospital_module", B, Filters(period="FY2026"))
    j = fy.frame.index[fy.frame["hospital_ccn"] == "260002"][0]
    assert (fy.frame.loc[j, "n_pairs"], fy.frame.loc[j, "mean_pre_pct"]) == (15, 40.0)


def test_dates_are_whole_months_so_days_cannot_be_subtracted(nine):
    days = Filters.from_url({"period": "custom", "from": "2026-03-10", "to": "2026-03-11"})
    month = Filters(
        period="custom", month_from=parse_month("2026-03"), month_to=parse_month("2026-03")
    )
    a = nine.run("utilization_by_hospital_module", COLLABORATIVE, days)
    b = nine.run("utilization_by_hospital_module", COLLABORATIVE, month)
    assert (a.period.month_from, a.period.month_to) == (b.period.month_from, b.period.month_to)
    assert a.frame.equals(b.frame)
    # a range reaching before launch is cut to it: it cannot be wider than "since launch"
    early = Filters(
        period="custom", month_from=parse_month("2025-01"), month_to=parse_month("2026-06")
    )
    assert nine.run("utilization_by_hospital_module", A, early).period.month_from == (
        nine.run("utilization_by_hospital_module", A).period.month_from
    )


def test_hospital_filters_never_change_the_peer_group(nine):
    system = Viewer("system", "Heartland Health")
    both = nine.run("utilization_by_hospital_module", system)
    alpha = nine.run("utilization_by_hospital_module", system, Filters(hospital="260001"))
    peers = lambda r: _cells(r)[(PEERS, "M01")]  # noqa: E731
    assert peers(both) == peers(alpha) == 2 + 5 + 1 + 16  # C, D, E and F-I: 24, 7 hospitals
    assert set(_cells(both)) >= {("Alpha General", "M01"), ("Bravo Medical Center", "M01")}
    assert ("Bravo Medical Center", "M01") not in _cells(alpha)


def test_a_state_association_sees_its_state_by_name_and_other_states_as_groups(nine):
    kansas = nine.run("utilization_by_hospital_module", Viewer("state", "KS"))
    cells = _cells(kansas)
    assert cells[("Foxtrot Hospital", "M01")] == 4
    assert cells[("Other hospitals in MO", "M01")] == 15 + 21 + 2 + 5 + 1  # 44
    assert cells[("Other hospitals in MO", "M02")] == 4 + 3 + 45 + 5 + 6  # 63
    # Missouri's view of Kansas would be a group of 4 hospitals: withheld, and said so.
    missouri = nine.run("utilization_by_hospital_module", Viewer("state", "MO"))
    assert not missouri.frame["is_peer_group"].any()
    assert missouri.notes == [
        "Other hospitals in KS: withheld (fewer than 5 hospitals, so it could identify one)"
    ]


def test_score_statistics_on_fewer_than_11_learners_or_one_hospital_are_withheld(nine):
    own_a = nine.run("knowledge_by_hospital_module", A)
    row = own_a.frame[own_a.frame["hospital_ccn"] == "260001"].iloc[0]
    assert row["n_pairs"] == 10  # in scope: the n is shown, the means are not
    assert all(own_a.suppressed.loc[row.name, c] for c in ("mean_pre_pct", "mean_change_pp"))
    # A's peers have 15 pairs, but all of them at Bravo: one hospital's figure, withheld
    peers = own_a.frame.index[own_a.frame["is_peer_group"]][0]
    assert own_a.suppressed.loc[peers, "n_pairs"] and own_a.suppressed.loc[peers, "mean_pre_pct"]
    own_b = nine.run("knowledge_by_hospital_module", B)
    b_peers = own_b.frame.index[own_b.frame["is_peer_group"]][0]
    assert own_b.suppressed.loc[b_peers, "n_pairs"]  # 10 learners outside B's scope
    assert own_b.suppressed.loc[b_peers, "mean_pre_pct"]


def test_a_peer_group_of_four_is_withheld(tmp_path):
    five = Runner(_build(tmp_path, ["260001", "260002", "260003", "260004", "260005"]))
    r = five.run("utilization_by_hospital_module", A)
    assert set(r.frame["hospital"]) == {"Alpha General"}
    assert r.notes == [f"{PEERS}: withheld (fewer than 5 hospitals, so it could identify one)"]
    # with a fifth peer the group appears (the nine-hospital collaborative above has eight)


def test_results_carry_the_warehouse_version_and_are_cached_per_viewer_and_filters(nine):
    version, _ = nine.version()
    a1 = nine.run("utilization_by_hospital_module", A)
    cached = len(nine._cache)
    a2 = nine.run("utilization_by_hospital_module", A)
    assert len(nine._cache) == cached  # the second call was a cache hit
    b = nine.run("utilization_by_hospital_module", B)
    assert a1.version == b.version == version
    assert a1.frame.equals(a2.frame) and not a1.frame.equals(b.frame)
    a1.frame["n_completed"] = -1  # a caller relabelling its copy does not touch the cache
    assert (nine.run("utilization_by_hospital_module", A).frame["n_completed"] >= 0).all()


def test_a_role_partition_with_one_small_role_withholds_every_roles_score_statistics():
    # All roles 40 pairs; nurses 20, security 12, other 8. 40 x all - 20 x RN - 12 x security
    # would give the 8 others' mean away, so nurses' and security's means are withheld too.
    from queries import spec as specs
    from queries import suppress

    spec = specs.load("knowledge_by_hospital_module")
    keys = ["hospital", "module_id"]

    def cell(n, mean):
        return pd.DataFrame(
            {
                "hospital": ["Bravo"],
                "module_id": ["M01"],
                "n_pairs": [n],
                "mean_pre_pct": [mean],
                "mean_post_pct": [mean],
                "mean_change_pp": [0.0],
            }
        )

    nurses, security, other, everyone = cell(20, 50.0), cell(12, 60.0), cell(8, 70.0), cell(40, 58)
    for narrow, rest in ((nurses, [security, other]), (security, [nurses, other])):
        mask = suppress.primary(narrow, pd.Series([False]), spec)
        suppress.across_filters(mask, narrow, everyone, keys, spec)
        assert not mask.loc[0, "mean_pre_pct"]  # 20 or 28 fewer than all roles: not enough alone
        parts = pd.concat([part.assign(_part=i) for i, part in enumerate(rest, 1)])
        suppress.small_neighbours(mask, narrow, parts, keys, spec)
        assert mask.loc[0, "mean_pre_pct"] and mask.loc[0, "mean_change_pp"]


def test_a_derived_value_is_computed_once_per_warehouse_version_and_served_as_a_copy(tmp_path):
    path = _build(tmp_path / "one", ["260001", "260002"])
    runner = Runner(path)
    calls = []

    def build():
        calls.append(1)
        return {"rows": [1, 2]}

    first = runner.memo(("figures", A), build)
    first["rows"].append(3)  # a caller's edit does not reach the cache
    second = runner.memo(("figures", A), build)
    assert second == {"rows": [1, 2]}
    second["rows"].append(4)  # nor does an edit of a value served from it
    assert runner.memo(("figures", A), build) == {"rows": [1, 2]}
    assert len(calls) == 1
    runner.memo(("figures", B), build)  # another key
    assert len(calls) == 2
    # a new warehouse version swapped in: computed again
    shutil.copy(_build(tmp_path / "two", ["260001", "260002"]), tmp_path / "new.duckdb")
    (tmp_path / "new.duckdb").replace(path)
    runner.memo(("figures", A), build)
    assert len(calls) == 3
    runner.clear_cache()
    runner.memo(("figures", A), build)
    assert len(calls) == 4
