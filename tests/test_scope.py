"""Viewer scope and suppression, proven per role on a hand-built collaborative of nine hospitals.

MO: A 260001 and B 260002 (Heartland Health), C 260003, D 260004, E 260005.
KS: F 171001, G 171002, H 171003, I 171004.

Completions loaded through the real ETL (one HealthStream transcript per hospital):

    hospital  M01 RN Mar  M01 security Mar  M02 RN Mar  M02 RN Jun  M02 security Mar
    A             12             3               4
    B             17             4
    C              2                            25                        20
    D              5                             5
    E              1                                        6
    F-I         4 each

Matched pre/post quiz pairs on M01 (each score 0 or 100): A 10 pairs, B 12 pairs (pre 6 of 12
at 100, post 9 of 12 at 100: mean pre 50, post 75, change +25).
"""

import csv
import shutil
from pathlib import Path

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
    ("260003", "HS-HT101", "Registered Nurse", "3/10/2026", 2),
    ("260003", "HS-HT102", "Registered Nurse", "3/15/2026", 25),
    ("260003", "HS-HT102", "Security Officer", "3/15/2026", 20),
    ("260004", "HS-HT101", "Registered Nurse", "3/10/2026", 5),
    ("260004", "HS-HT102", "Registered Nurse", "3/16/2026", 5),
    ("260005", "HS-HT101", "Registered Nurse", "3/10/2026", 1),
    ("260005", "HS-HT102", "Registered Nurse", "6/20/2026", 6),
    *[
        (ccn, "HS-HT101", "Registered Nurse", "3/10/2026", 4)
        for ccn in ("171001", "171002", "171003", "171004")
    ],
]
QUIZ = {"260001": (10, 5, 5), "260002": (12, 6, 9)}  # ccn: (pairs, pre at 100, post at 100)


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
            pairs, pre_full, post_full = QUIZ[ccn]
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
                for k in range(pairs):
                    who = f"q{k}@{ccn}.example.org"
                    for phase, full, day in (
                        ("pre", k < pre_full, "03"),
                        ("post", k < post_full, "05"),
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
                                    f"2026-03-{day}T15:00:00Z",
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
        (PEERS, "M01"): 17 + 4 + 2 + 5 + 1 + 16,  # 45
        (PEERS, "M02"): 25 + 20 + 5 + 6,  # 56
    }
    peers = r.frame[r.frame["is_peer_group"]]
    assert set(peers["n_hospitals"]) == {8}
    assert peers["hospital_ccn"].isna().all()


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


def test_a_single_withheld_cell_in_a_line_takes_the_next_smallest_with_it(nine):
    # security only: peers M01 = 4 (primary); M02 = 20 would give it away against the
    # peers' all-module security total, so it is withheld too.
    r = nine.run("utilization_by_hospital_module", A, Filters(role="security"))
    assert _cells(r) == {("Alpha General", "M01"): 3, (PEERS, "M01"): "<11", (PEERS, "M02"): "<11"}
    assert r.frame["n_completed"].isna().sum() == 2  # the figures themselves never leave


def test_subtraction_attack_on_the_role_filter_is_withheld(nine):
    # All roles: peers M01 = 45 (shown). Registered nurses only would be 41, and 45 - 41 = 4
    # would reveal the 4 security officers withheld above; so the RN figure is withheld.
    everyone = _cells(nine.run("utilization_by_hospital_module", A))
    nurses = _cells(nine.run("utilization_by_hospital_module", A, Filters(role="RN")))
    assert everyone[(PEERS, "M01")] == 45
    assert nurses[(PEERS, "M01")] == "<11"
    assert nurses[("Alpha General", "M01")] == 12


def test_subtraction_attack_on_overlapping_periods_is_withheld(nine):
    # March to June (= since launch): peers M02 = 56. March alone would be 50, and 56 - 50 = 6
    # would reveal Echo's June completions; so the March figure is withheld.
    march = Filters(
        period="custom", month_from=parse_month("2026-03"), month_to=parse_month("2026-03")
    )
    june = Filters(
        period="custom", month_from=parse_month("2026-06"), month_to=parse_month("2026-06")
    )
    assert _cells(nine.run("utilization_by_hospital_module", A))[(PEERS, "M02")] == 56
    assert _cells(nine.run("utilization_by_hospital_module", A, march))[(PEERS, "M02")] == "<11"
    assert _cells(nine.run("utilization_by_hospital_module", A, june)) == {
        ("Alpha General", "M01"): 0,
        ("Alpha General", "M02"): 0,
        (PEERS, "M01"): 0,
        (PEERS, "M02"): "<11",
    }


def test_dates_are_whole_months_so_days_cannot_be_subtracted(nine):
    days = Filters.from_url({"period": "custom", "from": "2026-03-10", "to": "2026-03-11"})
    month = Filters(
        period="custom", month_from=parse_month("2026-03"), month_to=parse_month("2026-03")
    )
    a = nine.run("utilization_by_hospital_module", COLLABORATIVE, days)
    b = nine.run("utilization_by_hospital_module", COLLABORATIVE, month)
    assert (a.period.month_from, a.period.month_to) == (b.period.month_from, b.period.month_to)
    assert a.frame.equals(b.frame)


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
    assert cells[("Other hospitals in MO", "M02")] == 4 + 25 + 20 + 5 + 6  # 60
    # Missouri's view of Kansas would be a group of 4 hospitals: withheld, and said so.
    missouri = nine.run("utilization_by_hospital_module", Viewer("state", "MO"))
    assert not missouri.frame["is_peer_group"].any()
    assert missouri.notes == [
        "Other hospitals in KS: withheld (fewer than 5 hospitals, so it could identify one)"
    ]


def test_score_statistics_on_fewer_than_11_learners_are_withheld_even_in_scope(nine):
    own_a = nine.run("knowledge_by_hospital_module", A)
    row = own_a.frame[own_a.frame["hospital_ccn"] == "260001"].iloc[0]
    assert row["n_pairs"] == 10  # in scope: the n is shown
    assert all(own_a.suppressed.loc[row.name, c] for c in ("mean_pre_pct", "mean_change_pp"))
    peers = own_a.frame[own_a.frame["is_peer_group"]].iloc[0]
    assert (
        peers["n_pairs"],
        peers["mean_pre_pct"],
        peers["mean_post_pct"],
        peers["mean_change_pp"],
    ) == (12, 50.0, 75.0, 25.0)
    own_b = nine.run("knowledge_by_hospital_module", B)
    b = own_b.frame[own_b.frame["hospital_ccn"] == "260002"].iloc[0]
    assert (b["n_pairs"], b["mean_pre_pct"], b["mean_post_pct"]) == (12, 50.0, 75.0)
    b_peers = own_b.frame[own_b.frame["is_peer_group"]].index[0]
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
    a2 = nine.run("utilization_by_hospital_module", A)
    b = nine.run("utilization_by_hospital_module", B)
    assert a1.version == b.version == version
    assert a1 is a2 and a1 is not b
