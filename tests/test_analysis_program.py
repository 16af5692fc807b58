"""Training coverage (DESIGN.md section 5): Wilson intervals, the NCHS imprecision flags, completers
above headcount capped and flagged, learners without a recorded role, and the pooled figures by
hospital, role, department and region. Every expected value is worked out by hand in a comment
or by a second method (the Wilson closed form at p = 0, 1/2 and 1; scipy's binomtest interval),
never copied from the code's output.

Input frames mimic the query runner's: `hospital`, `is_peer_group`, `n_hospitals`, the query's
keys and counts; withheld counts are <NA> in a nullable Int64 column, as the runner leaves them.
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import coverage, sums

NA = pd.NA
Z = 1.959963984540054
COUNTS = ("n_covered", "n_reached", "headcount")


def runner_frame(key: str, rows) -> pd.DataFrame:
    """(hospital, is_peer_group, n_hospitals, key, n_covered, n_reached, headcount) tuples; the
    counts become Int64 when one is withheld (None), int64 otherwise, as the runner returns."""
    cols = ["hospital", "is_peer_group", "n_hospitals", key, *COUNTS]
    frame = pd.DataFrame([list(r) for r in rows], columns=cols)
    for c in COUNTS:
        withheld = frame[c].isna().any()
        frame[c] = frame[c].astype("Int64") if withheld else frame[c].astype("int64")
    return frame


def mine(hospital, role, covered, reached, head):
    return (hospital, False, 1, role, covered, reached, head)


def peer(group, role, covered, reached, head, size=6):
    return (group, True, size, role, covered, reached, head)


def wilson_by_scipy(k, n) -> tuple[float, float]:
    ci = stats.binomtest(k, n).proportion_ci(method="wilson")
    return 100 * ci.low, 100 * ci.high


def row(frame: pd.DataFrame, col: str, value) -> pd.Series:
    hit = frame[frame[col] == value]
    assert len(hit) == 1, (col, value, len(hit))
    return hit.iloc[0]


def approx(value):
    return pytest.approx(value, rel=1e-12, abs=1e-12)


# ------------------------------------------------------------------------------------- wilson


def test_the_95_percent_z_is_the_normal_97_5th_percentile():
    z = stats.norm.ppf(0.975)
    assert pytest.approx(z, rel=1e-15) == coverage.Z95
    assert pytest.approx(z, rel=1e-15) == Z  # the z of the closed forms below


def test_wilson_none_of_ten_runs_from_zero_to_z_squared_over_n_plus_z_squared():
    # p = 0: centre = half = (z^2 / 2n) / (1 + z^2 / n), so low = 0 and
    # high = z^2 / (n + z^2) = 3.8415 / 13.8415 = 27.75%
    lo, hi = coverage.wilson(0, 10)
    assert float(lo) == pytest.approx(0.0, abs=1e-12)
    assert float(hi) == pytest.approx(100 * Z**2 / (10 + Z**2), rel=1e-12)
    assert float(hi) == pytest.approx(27.7533, abs=1e-4)


def test_wilson_all_of_ten_mirrors_none_of_ten():
    # p = 1: low = n / (n + z^2) = 10 / 13.8415 = 72.25%, high = 100%
    lo, hi = coverage.wilson(10, 10)
    assert float(lo) == pytest.approx(100 * 10 / (10 + Z**2), rel=1e-12)
    assert float(lo) == pytest.approx(72.2467, abs=1e-4)
    assert float(hi) == pytest.approx(100.0, abs=1e-12)


def test_wilson_half_of_ten_is_centred_on_50_with_half_width_z_over_2_root_n_plus_z_squared():
    # p = 1/2: centre 1/2; sqrt(1/(4n) + z^2/(4n^2)) / (1 + z^2/n) = 1 / (2 sqrt(n + z^2)),
    # so the half-width is z / (2 sqrt(13.8415)) = 26.34 points
    lo, hi = coverage.wilson(5, 10)
    half = 100 * Z / (2 * math.sqrt(10 + Z**2))
    assert half == pytest.approx(26.3407, abs=1e-4)
    assert (float(lo), float(hi)) == pytest.approx((50 - half, 50 + half), rel=1e-12)


@pytest.mark.parametrize(
    "k, n", [(0, 10), (5, 10), (10, 10), (1, 3), (15, 30), (20, 40), (37, 45), (999, 1000)]
)
def test_wilson_matches_scipy_binomtest(k, n):
    lo, hi = coverage.wilson(k, n)
    assert (float(lo), float(hi)) == pytest.approx(wilson_by_scipy(k, n), rel=1e-9, abs=1e-9)


def test_wilson_is_vectorised_and_missing_where_n_is_zero_or_missing():
    lo, hi = coverage.wilson([0, 5, 3, 2], [10, 10, 0, np.nan])
    assert lo[:2] == pytest.approx([0.0, 50 - 100 * Z / (2 * math.sqrt(10 + Z**2))], abs=1e-12)
    assert np.isnan(lo[2:]).all() and np.isnan(hi[2:]).all()


# -------------------------------------------------------------------------------- proportions


def props(**columns) -> pd.DataFrame:
    return coverage.proportions(pd.DataFrame(columns))


def test_a_proportion_on_fewer_than_30_is_imprecise_even_with_a_narrow_interval():
    # 0 of 29: CI 0 to 11.70 (width 11.70 < 30), but the denominator is under 30
    # 0 of 30: CI 0 to 11.35 and n = 30: precise
    out = props(n_covered=[0, 0], n_reached=[0, 0], headcount=[29, 30])
    assert out["coverage_pct"].tolist() == [0.0, 0.0]
    assert out["ci_high_pct"].tolist() == pytest.approx(
        [wilson_by_scipy(0, 29)[1], wilson_by_scipy(0, 30)[1]], rel=1e-9
    )
    assert out["is_imprecise"].tolist() == [True, False]


def test_a_proportion_whose_interval_is_30_points_wide_is_imprecise_even_on_30_or_more():
    # p = 1/2: width = z / sqrt(n + z^2): n = 30 -> 196.0 / 5.817 = 33.69 (imprecise);
    # n = 40 -> 196.0 / 6.621 = 29.60 (precise)
    out = props(n_covered=[15, 20], n_reached=[15, 20], headcount=[30, 40])
    width = out["ci_high_pct"] - out["ci_low_pct"]
    assert width.tolist() == pytest.approx(
        [100 * Z / math.sqrt(30 + Z**2), 100 * Z / math.sqrt(40 + Z**2)], rel=1e-12
    )
    assert width.tolist() == pytest.approx([33.69, 29.60], abs=0.01)
    assert out["is_imprecise"].tolist() == [True, False]
    assert out["coverage_pct"].tolist() == [50.0, 50.0]


def test_more_completers_than_headcount_are_capped_at_100_percent_and_flagged():
    # 12 covered (14 reached) of 10 staff: coverage min(12, 10) / 10 = 100%, the interval of
    # 10 of 10 (72.25 to 100); 8 covered but 12 reached of 10: 80%, flagged all the same
    out = props(n_covered=[12, 8, 8], n_reached=[14, 12, 9], headcount=[10, 10, 10])
    assert out["coverage_pct"].tolist() == [100.0, 80.0, 80.0]
    assert (out.loc[0, "ci_low_pct"], out.loc[0, "ci_high_pct"]) == pytest.approx(
        (100 * 10 / (10 + Z**2), 100.0), rel=1e-12
    )
    assert out["is_over_headcount"].tolist() == [True, True, False]


def test_zero_or_withheld_headcount_gives_no_coverage_no_interval_and_no_flag():
    out = props(
        n_covered=pd.array([3, NA, 5, NA], dtype="Int64"),
        n_reached=pd.array([3, 2, NA, NA], dtype="Int64"),
        headcount=pd.array([0, NA, 40, 50], dtype="Int64"),
    )
    # 3 of 0 staff: nothing to compute, and not "more trained than headcount" (no headcount)
    # withheld headcount: nothing; 5 of 40 with reached withheld: 12.5%, not flagged
    # withheld numerator: nothing, and a missing figure is never called imprecise
    assert out["coverage_pct"].tolist()[2] == 12.5
    for i in (0, 1, 3):
        assert np.isnan(out.loc[i, "coverage_pct"])
        assert np.isnan(out.loc[i, "ci_low_pct"]) and np.isnan(out.loc[i, "ci_high_pct"])
    assert out["is_imprecise"].tolist() == [False, False, False, False]
    assert out["is_over_headcount"].tolist() == [False, False, False, False]


def test_proportions_accepts_other_numerator_and_denominator_columns():
    out = coverage.proportions(
        pd.DataFrame({"n_current": [3], "n_reached": [3], "n_ever": [4]}), "n_current", "n_ever"
    )
    assert out.loc[0, "coverage_pct"] == 75.0
    assert (out.loc[0, "ci_low_pct"], out.loc[0, "ci_high_pct"]) == pytest.approx(
        wilson_by_scipy(3, 4), rel=1e-9
    )


# ----------------------------------------------------------------------------------- recorded


def test_a_hospital_records_roles_unless_most_of_its_reached_learners_have_none():
    rows = runner_frame(
        "role",
        [
            mine("Alpha", "RN", 5, 6, 20),  # 4 of 10 reached unrecorded: 40%, recorded
            mine("Alpha", "unrecorded", 3, 4, 0),
            mine("Beta", "RN", 2, 2, 20),  # 3 of 5: 60%, most have none: not recorded
            mine("Beta", "unrecorded", 3, 3, 0),
            mine("Gamma", "RN", 5, 5, 20),  # 5 of 10: exactly half is not "most": recorded
            mine("Gamma", "unrecorded", 4, 5, 0),
            mine("Delta", "RN", 0, 0, 30),  # nobody reached: no evidence against it
            mine("Delta", "unrecorded", 0, 0, 0),
            mine("Epsilon", "RN", 1, 1, 10),  # no unrecorded row at all
        ],
    )
    got = coverage.recorded(rows)
    assert got.to_dict() == {
        "Alpha": True,
        "Beta": False,
        "Gamma": True,
        "Delta": True,
        "Epsilon": True,
    }


def test_recorded_by_department_looks_at_the_unrecorded_department():
    rows = runner_frame(
        "department",
        [
            mine("Alpha", "ED", 1, 1, 10),
            mine("Alpha", "unrecorded", 5, 9, 0),  # 9 of 10 without a department
            mine("Beta", "ED", 1, 3, 10),
            mine("Beta", "unrecorded", 1, 1, 0),  # 1 of 4
        ],
    )
    assert coverage.recorded(rows, key="department").to_dict() == {"Alpha": False, "Beta": True}


def test_a_hospital_nobody_reached_records_roles_when_peer_counts_are_withheld():
    # Peer counts withheld make the runner's count columns nullable (Int64); a named hospital
    # with no learner yet must still count as recording roles (plain True, not <NA>), or it
    # drops out of the role figures and their headcount.
    rows = runner_frame(
        "role",
        [
            mine("Alpha", "RN", 0, 0, 40),
            peer("Peers", "RN", None, None, None),
        ],
    )
    assert rows["n_reached"].dtype == "Int64"
    got = coverage.recorded(rows)
    assert got.tolist() == [True, True]
    assert got.dtype == bool


# -------------------------------------------------------------------------------- by_hospital

BY_ROLE_ROWS = [
    # Alpha: 35 RNs reached of 25 on HR's (stale) count: RN capped at 25 covered, 25 reached
    mine("Alpha", "RN", 30, 35, 25),
    mine("Alpha", "physician", 4, 6, 20),
    mine("Alpha", "unrecorded", 3, 5, 0),  # no job title in the export: no headcount of its own
    mine("Beta", "RN", 10, 12, 40),
    mine("Beta", "unrecorded", 2, 2, 0),
    # Rho: 9 of its 10 reached learners have no role recorded
    mine("Rho", "RN", 1, 1, 10),
    mine("Rho", "unrecorded", 6, 9, 0),
    peer("Peers", "RN", 500, 600, 1000),
    peer("Peers", "physician", None, None, 80),  # withheld
]


def test_by_hospital_caps_each_role_at_its_headcount_before_summing():
    out = coverage.by_hospital(runner_frame("role", BY_ROLE_ROWS))
    alpha = row(out, "hospital", "Alpha")
    # covered: min(30, 25) + min(4, 20) + 3 (unrecorded, uncapped) = 32 (37 without the cap)
    # reached: 25 + 6 + 5 = 36; headcount 25 + 20 + 0 = 45
    assert (alpha.n_covered, alpha.n_reached, alpha.headcount) == (32, 36, 45)
    assert alpha.coverage_pct == approx(100 * 32 / 45)  # 71.11%
    assert (alpha.ci_low_pct, alpha.ci_high_pct) == pytest.approx(wilson_by_scipy(32, 45), rel=1e-9)
    assert alpha.reached_pct == approx(100 * 36 / 45)  # 80%
    assert alpha.is_over_headcount  # 35 RNs reached of 25
    assert not alpha.is_imprecise  # n = 45, width 25.6


def test_by_hospital_counts_unrecorded_learners_toward_the_total_without_flagging_them():
    out = coverage.by_hospital(runner_frame("role", BY_ROLE_ROWS))
    beta = row(out, "hospital", "Beta")
    # (10 + 2) / (40 + 0) = 30%; reached (12 + 2) / 40 = 35%; the 2 unrecorded learners
    # exceed the unrecorded "headcount" of 0, which is not a stale headcount
    assert (beta.n_covered, beta.n_reached, beta.headcount) == (12, 14, 40)
    assert beta.coverage_pct == approx(30.0)
    assert beta.reached_pct == approx(35.0)
    assert not beta.is_over_headcount
    assert not beta.is_imprecise  # n = 40, width 27.4
    rho = row(out, "hospital", "Rho")
    assert (rho.n_covered, rho.headcount) == (7, 10)  # 1 + 6 of 10 staff
    assert rho.coverage_pct == approx(70.0)
    assert rho.is_imprecise  # 10 staff


def test_by_hospital_flags_a_hospital_whose_unrecorded_learners_outnumber_its_staff():
    out = coverage.by_hospital(
        runner_frame(
            "role",
            [mine("Gamma", "RN", 0, 0, 5), mine("Gamma", "unrecorded", 8, 8, 0)],
        )
    )
    gamma = row(out, "hospital", "Gamma")
    # 8 learners against 5 staff: coverage capped at 100%, flagged, reached capped at 100%
    assert gamma.coverage_pct == 100.0
    assert gamma.reached_pct == 100.0
    assert gamma.is_over_headcount


def test_by_hospital_caps_a_role_hr_does_not_count_at_zero_and_flags_it():
    out = coverage.by_hospital(
        runner_frame("role", [mine("Delta", "RN", 4, 4, 10), mine("Delta", "chaplain", 2, 2, 0)])
    )
    delta = row(out, "hospital", "Delta")
    assert (delta.n_covered, delta.headcount) == (4, 10)  # min(2, 0) = 0 chaplains count
    assert delta.coverage_pct == approx(40.0)
    assert delta.is_over_headcount


def test_by_hospital_leaves_a_peer_group_missing_when_one_of_its_cells_is_withheld():
    out = coverage.by_hospital(runner_frame("role", BY_ROLE_ROWS))
    peers = row(out, "hospital", "Peers")
    assert bool(peers.is_peer_group) and peers.n_hospitals == 6
    assert pd.isna(peers.n_covered) and pd.isna(peers.n_reached)  # 500 + <NA>
    assert peers.headcount == 1080
    assert pd.isna(peers.coverage_pct) and pd.isna(peers.reached_pct)
    assert not peers.is_imprecise and not peers.is_over_headcount
    assert out["hospital"].tolist() == ["Alpha", "Beta", "Rho", "Peers"]  # input order kept


def test_by_hospital_with_no_headcount_has_no_coverage():
    out = coverage.by_hospital(runner_frame("role", [mine("Eta", "unrecorded", 3, 3, 0)]))
    eta = row(out, "hospital", "Eta")
    assert pd.isna(eta.coverage_pct) and pd.isna(eta.reached_pct)
    assert not eta.is_over_headcount and not eta.is_imprecise


# ------------------------------------------------------------------------------------ by_role


def test_by_role_pools_own_hospitals_that_record_roles_capping_each_hospital_first():
    out = coverage.by_role(runner_frame("role", BY_ROLE_ROWS))
    # Rho is left out (90% unrecorded), so are unrecorded learners and the peer group.
    assert out["role"].tolist() == ["RN", "physician"]
    rn = row(out, "role", "RN")
    # RN: Alpha min(30, 25) = 25 covered, min(35, 25) = 25 reached of 25; Beta 10, 12 of 40
    # -> 35 covered, 37 reached of 65 = 53.85% (40 / 65 = 61.5% without the cap)
    assert (rn.n_covered, rn.n_reached, rn.headcount) == (35, 37, 65)
    assert rn.coverage_pct == approx(100 * 35 / 65)
    assert (rn.ci_low_pct, rn.ci_high_pct) == pytest.approx(wilson_by_scipy(35, 65), rel=1e-9)
    assert not rn.is_imprecise  # 65 staff, width 23.6
    assert rn.n_hospitals_over == 1
    assert rn.is_over_headcount  # Alpha's stale RN headcount, flagged on the role too
    md = row(out, "role", "physician")
    assert (md.n_covered, md.headcount, md.n_hospitals_over) == (4, 20, 0)
    assert md.coverage_pct == approx(20.0)
    assert md.is_imprecise  # 20 staff
    assert not md.is_over_headcount


def test_by_role_keeps_a_hospital_nobody_reached_in_the_denominator():
    rows = runner_frame(
        "role",
        [
            mine("Alpha", "RN", 10, 12, 20),
            mine("Zeta", "RN", 0, 0, 40),
            peer("Peers", "RN", None, None, None),  # withheld: the counts come as Int64
        ],
    )
    out = coverage.by_role(rows)
    # 10 of (20 + 40) = 16.67%, not 10 of 20
    assert (out.loc[0, "n_covered"], out.loc[0, "headcount"]) == (10, 60)
    assert out.loc[0, "coverage_pct"] == approx(100 * 10 / 60)


def test_by_role_withholds_a_role_total_and_its_flag_when_one_hospitals_count_is_withheld():
    # an external export withholds own counts of 1-10: Beta's RN covered count is missing
    rows = runner_frame(
        "role",
        [
            mine("Alpha", "RN", 12, 30, 25),  # 30 reached of 25 staff: over headcount
            mine("Beta", "RN", None, None, 40),
            mine("Alpha", "physician", 4, 5, 20),
            mine("Beta", "physician", 11, 12, 30),
        ],
    )
    out = coverage.by_role(rows)
    rn = row(out, "role", "RN")
    # 12 + <11 is not 12: the total, its coverage and the over-headcount count are withheld
    assert pd.isna(rn.n_covered) and pd.isna(rn.n_reached) and pd.isna(rn.coverage_pct)
    assert rn.headcount == 65
    assert pd.isna(rn.n_hospitals_over)
    md = row(out, "role", "physician")
    assert (md.n_covered, md.n_reached, md.headcount, md.n_hospitals_over) == (15, 17, 50, 0)
    assert md.coverage_pct == approx(30.0)


def test_by_role_by_department_uses_the_department_key():
    rows = runner_frame(
        "department",
        [
            mine("Alpha", "ED", 6, 8, 10),
            mine("Alpha", "ICU", 2, 2, 4),
            mine("Alpha", "unrecorded", 1, 1, 0),
            mine("Beta", "ED", 9, 12, 8),  # capped: 8 covered, 8 reached of 8
            mine("Beta", "unrecorded", 30, 40, 0),  # 40 of 52: Beta does not record departments
            mine("Gamma", "ED", 3, 3, 12),
        ],
    )
    out = coverage.by_role(rows, key="department")
    assert out["department"].tolist() == ["ED", "ICU"]
    # ED: Alpha 6 of 10, Gamma 3 of 12 (Beta left out) = 9 / 22
    assert out["n_covered"].tolist() == [9, 2]
    assert out["headcount"].tolist() == [22, 4]
    assert out["coverage_pct"].tolist() == pytest.approx([100 * 9 / 22, 50.0], rel=1e-12)
    assert out["n_hospitals_over"].tolist() == [0, 0]


def test_by_role_is_empty_when_no_own_hospital_records_roles():
    rows = runner_frame(
        "role",
        [mine("Rho", "RN", 1, 1, 10), mine("Rho", "unrecorded", 6, 9, 0)],
    )
    assert coverage.by_role(rows).empty


# ---------------------------------------------------------------------------------- by_region

HOSPITALS = pd.DataFrame(
    {
        "hospital_ccn": ["260001", "260002", "260003", "260004", "260005"],
        "hospital_name": ["Alpha", "Beta", "Gamma", "Delta", "Unused"],
        "state": ["MO", "MO", "MO", "MO", "KS"],
        "region": ["Central", "Central", "Southwest", "Southwest", "West"],
        "county": ["Boone", "Cole", "Greene", None, "Finney"],
    }
)


def per_hospital_frame(rows) -> pd.DataFrame:
    """The columns by_hospital hands on: (hospital, is_peer_group, covered, reached, headcount)."""
    frame = pd.DataFrame(
        rows, columns=["hospital", "is_peer_group", "n_covered", "n_reached", "headcount"]
    )
    return frame.assign(n_hospitals=np.where(frame["is_peer_group"], 6, 1))


def test_by_region_pools_the_named_hospitals_of_each_region_with_their_counties():
    per = per_hospital_frame(
        [
            ("Alpha", False, 32.0, 36.0, 45),
            ("Beta", False, 12.0, 14.0, 40),
            ("Gamma", False, 5.0, 5.0, 5),
            ("Delta", False, 0.0, 0.0, 25),
            ("Omega", False, 9.0, 9.0, 10),  # not in the hospitals list: left out
            ("Peers", True, 500.0, 600.0, 1000),
        ]
    )
    out = coverage.by_region(per, HOSPITALS)
    assert list(zip(out["state"], out["region"], strict=True)) == [
        ("MO", "Central"),
        ("MO", "Southwest"),
    ]
    central, southwest = out.iloc[0], out.iloc[1]
    # Central: Alpha + Beta = 44 of 85 staff = 51.76%; counties sorted
    assert (central.n_covered, central.headcount, central.n_member_hospitals) == (44, 85, 2)
    assert central.coverage_pct == approx(100 * 44 / 85)
    assert (central.ci_low_pct, central.ci_high_pct) == pytest.approx(
        wilson_by_scipy(44, 85), rel=1e-9
    )
    assert central.counties == ["Boone", "Cole"]
    # Southwest: Gamma 5 of 5 + Delta 0 of 25 = 5 of 30; Delta's county is unknown
    assert (southwest.n_covered, southwest.headcount) == (5, 30)
    assert southwest.coverage_pct == approx(100 * 5 / 30)
    assert southwest.counties == ["Greene"]
    assert southwest.n_member_hospitals == 2


def test_by_region_counts_a_hospital_at_most_up_to_its_headcount():
    # Gamma's learners without a job title (8) outnumber its 5 staff; pooled with Delta's
    # 0 of 25, the region is 5 of 30 = 16.67% (not 8 of 30), as Gamma itself is capped at 100%
    per = per_hospital_frame([("Gamma", False, 8.0, 8.0, 5), ("Delta", False, 0.0, 0.0, 25)])
    out = coverage.by_region(per, HOSPITALS)
    assert out.loc[0, "n_covered"] == 5
    assert out.loc[0, "coverage_pct"] == approx(100 * 5 / 30)


def test_by_region_works_on_by_hospital_output():
    per = coverage.by_hospital(runner_frame("role", BY_ROLE_ROWS[:5]))  # Alpha, Beta
    out = coverage.by_region(per, HOSPITALS)
    assert out[["n_covered", "n_reached", "headcount"]].iloc[0].tolist() == [44, 50, 85]
    assert out.loc[0, "coverage_pct"] == approx(100 * 44 / 85)


def test_a_group_total_is_missing_when_any_of_its_parts_is_withheld():
    rows = pd.DataFrame(
        {
            "hospital": ["A", "A", "B", "B", "C"],
            "n": pd.array([3, 4, 5, pd.NA, 7], dtype="Int64"),
            "x": [1.5, 2.0, np.nan, 1.0, 0.5],
        }
    )
    out = sums.whole(rows, ["hospital"], {"n_total": "n", "x_total": "x"}, sort=True)
    assert out["n_total"].tolist() == [7, pd.NA, 7]  # B's 5 + withheld is not 5
    assert out["x_total"].tolist()[0] == 3.5 and math.isnan(out["x_total"].iloc[1])
    assert out["x_total"].iloc[2] == 0.5
    both = sums.whole(rows, ["hospital"], {"n_total": "n"}, sort=False, top=("x", "max"))
    assert list(both.columns) == ["n_total", "top"] and both["top"].tolist()[0] == 2.0
