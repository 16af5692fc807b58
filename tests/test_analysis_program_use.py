"""Module utilization and toolkit use (DESIGN.md section 5): completions per 100 staff per module,
completion rate among starters, lagging hospitals, topic tags, completions by month, downloads by
protocol element and hospitals without a download. Expected values are worked out by hand in
the comments, never copied from the code's output.

Input frames mimic the query runner's: `hospital`, `is_peer_group`, `n_hospitals`, the query's
keys and counts; withheld counts are <NA> in a nullable Int64 column, as the runner leaves them.
"""

import numpy as np
import pandas as pd
import pytest

from analysis import toolkit, utilization

COUNTS = ("n_completed", "n_started", "n_completed_of_started", "headcount")


def use_frame(rows) -> pd.DataFrame:
    """(hospital, is_peer, module, completed, started, completed_of_started, headcount, hours)
    tuples; a peer group has 6 hospitals; counts are Int64 when one is withheld (None)."""
    frame = pd.DataFrame(
        [list(r) for r in rows],
        columns=["hospital", "is_peer_group", "module_id", *COUNTS, "sum_contact_hours"],
    )
    frame.insert(2, "n_hospitals", np.where(frame["is_peer_group"], 6, 1))
    for c in COUNTS:
        withheld = frame[c].isna().any()
        frame[c] = frame[c].astype("Int64") if withheld else frame[c].astype("int64")
    frame["sum_contact_hours"] = frame["sum_contact_hours"].astype("float64")
    return frame


def lagging(per: pd.DataFrame) -> dict:
    return dict(zip(per["hospital"], per["is_lagging"], strict=True))


def rate(per: pd.DataFrame) -> dict:
    return dict(zip(per["hospital"], per["completions_per_100_staff"], strict=True))


# Three named hospitals and two peer groups (fewer than 4 named: the peers set the bar).
FEW = [
    # Alpha: 30 completions, 50 staff, 2 modules -> 100 * 30 / 50 / 2 = 30 per 100 per module;
    # started 10 + 5 = 15, of which 8 + 2 = 10 completed -> 66.67%; 20 + 5 = 25 contact hours
    ("Alpha", False, "M01", 20, 10, 8, 50, 20.0),
    ("Alpha", False, "M02", 10, 5, 2, 50, 5.0),
    # Beta: 5 completions, 100 staff, 1 module -> 5 (below the peers' lowest, 10): lagging
    ("Beta", False, "M01", 5, 4, 2, 100, 2.5),
    # Gamma: no completion -> 0, lagging; 3 started, none completed -> 0%
    ("Gamma", False, "M01", 0, 3, 0, 40, 0.0),
    # Peers A: 80 completions, 400 staff (the larger module row), 2 modules -> 10
    ("Peers A", True, "M01", 40, 30, 20, 400, 40.0),
    ("Peers A", True, "M02", 40, 10, 10, 380, 30.0),
    # Peers B: 50 of 200, 1 module -> 25
    ("Peers B", True, "M01", 50, 50, 40, 200, 55.0),
]


def test_per_hospital_sums_modules_and_divides_by_headcount_and_modules():
    per = utilization.per_hospital(use_frame(FEW))
    alpha = per[per["hospital"] == "Alpha"].iloc[0]
    assert (alpha.n_completed, alpha.n_started, alpha.n_completed_of_started) == (30, 15, 10)
    assert alpha.headcount == 50
    assert alpha.sum_contact_hours == 25.0
    assert alpha.completions_per_100_staff == pytest.approx(30.0)
    assert alpha.completion_rate_pct == pytest.approx(100 * 10 / 15)
    peers = per[per["hospital"] == "Peers A"].iloc[0]
    assert peers.headcount == 400  # the largest module row's staff count
    assert peers.completions_per_100_staff == pytest.approx(10.0)  # 100 * 80 / 400 / 2
    assert peers.completion_rate_pct == pytest.approx(75.0)  # 30 of 40 starters


def test_per_hospital_sorts_by_rate_descending():
    per = utilization.per_hospital(use_frame(FEW))
    # Alpha 30, Peers B 25, Peers A 10, Beta 5, Gamma 0
    assert per["hospital"].tolist() == ["Alpha", "Peers B", "Peers A", "Beta", "Gamma"]
    assert rate(per) == pytest.approx(
        {"Alpha": 30.0, "Peers B": 25.0, "Peers A": 10.0, "Beta": 5.0, "Gamma": 0.0}
    )


def test_with_fewer_than_4_named_hospitals_those_below_the_lowest_peer_group_lag():
    per = utilization.per_hospital(use_frame(FEW))
    assert lagging(per) == {
        "Alpha": False,  # 30 >= 10
        "Peers B": False,  # peer groups never lag
        "Peers A": False,
        "Beta": True,  # 5 < 10
        "Gamma": True,  # 0 < 10, and none completed
    }


def test_with_fewer_than_4_named_and_no_peers_only_hospitals_without_completion_lag():
    per = utilization.per_hospital(use_frame([r for r in FEW if not r[1]]))
    assert lagging(per) == {"Alpha": False, "Beta": False, "Gamma": True}


def test_when_every_peer_figure_is_withheld_only_hospitals_without_completion_lag():
    # Under a role, module or period filter the runner withholds every peer count: the counts
    # arrive as Int64 with <NA>, and "below the peers" must compare False, not <NA>.
    rows = use_frame(
        [r for r in FEW if not r[1]] + [("Peers A", True, "M01", None, None, None, None, np.nan)]
    )
    per = utilization.per_hospital(rows)
    assert lagging(per) == {"Alpha": False, "Beta": False, "Gamma": True, "Peers A": False}
    assert per["is_lagging"].dtype == bool
    peers = per[per["hospital"] == "Peers A"].iloc[0]
    assert pd.isna(peers.n_completed) and pd.isna(peers.completions_per_100_staff)


def test_a_withheld_module_leaves_the_peer_groups_total_missing():
    rows = use_frame(
        [
            ("Alpha", False, "M01", 20, 10, 8, 50, 20.0),
            ("Peers A", True, "M01", 40, 30, 20, 400, 40.0),
            ("Peers A", True, "M02", None, 10, 10, 400, np.nan),
        ]
    )
    per = utilization.per_hospital(rows)
    peers = per[per["hospital"] == "Peers A"].iloc[0]
    assert pd.isna(peers.n_completed) and pd.isna(peers.sum_contact_hours)
    assert peers.n_started == 40
    assert per["hospital"].tolist() == ["Alpha", "Peers A"]  # missing rate sorts last
    # the peer's rate is missing, so Alpha (40 per 100) has nothing to fall below
    assert lagging(per) == {"Alpha": False, "Peers A": False}


NAMED_RATES = {"Alpha": 10, "Beta": 20, "Gamma": 30, "Delta": 40}


def named_at(rates: dict, extra=()) -> pd.DataFrame:
    """One module each, 100 staff: completions = the rate per 100 staff."""
    rows = [(h, False, "M01", r, r, r, 100, 0.0) for h, r in rates.items()]
    return use_frame(rows + list(extra))


def test_with_4_named_hospitals_the_bottom_quarter_lags():
    # rates 10 20 30 40: 25th percentile (linear) at position 0.25 * 3 = 0.75 -> 10 + 0.75 * 10
    # = 17.5, so only Alpha; a peer group at 1 per 100 lags neither itself nor moves the cut
    peer = ("Peers A", True, "M01", 6, 6, 6, 600, 0.0)
    per = utilization.per_hospital(named_at(NAMED_RATES, [peer]))
    assert rate(per)["Peers A"] == pytest.approx(1.0)
    assert lagging(per) == {
        "Alpha": True,
        "Beta": False,
        "Gamma": False,
        "Delta": False,
        "Peers A": False,
    }


def test_with_5_named_hospitals_the_cut_itself_lags():
    # rates 10 20 30 40 50: position 0.25 * 4 = 1 -> exactly 20, and "at or below" lags
    per = utilization.per_hospital(named_at({**NAMED_RATES, "Epsilon": 50}))
    assert [h for h, lag in lagging(per).items() if lag] == ["Beta", "Alpha"]


def test_with_4_named_a_hospital_without_completion_lags_and_one_without_headcount_does_not():
    rows = named_at(
        {"Alpha": 10, "Beta": 20, "Gamma": 30},
        [
            ("Delta", False, "M01", 0, 5, 0, 100, 0.0),  # none completed (rate 0)
            ("Eta", False, "M01", 7, 7, 7, 0, 0.0),  # no HR headcount: no rate
        ],
    )
    per = utilization.per_hospital(rows)
    # rates 0 10 20 30 (Eta's is missing and left out): cut 0 + 0.75 * 10 = 7.5
    assert pd.isna(rate(per)["Eta"])
    assert lagging(per) == {
        "Gamma": False,
        "Beta": False,
        "Alpha": False,
        "Delta": True,
        "Eta": False,
    }
    assert per["hospital"].iloc[-1] == "Eta"  # missing rate sorts last


def test_no_starters_gives_no_completion_rate():
    per = utilization.per_hospital(use_frame([("Alpha", False, "M01", 4, 0, 0, 10, 1.0)]))
    assert pd.isna(per["completion_rate_pct"].iloc[0])
    assert per["completions_per_100_staff"].iloc[0] == pytest.approx(40.0)


# --------------------------------------------------------------------------------------- topics

MODULES = pd.DataFrame(
    {
        "module_id": ["M01", "M02", "M03", "M04"],
        "topic_tags": [
            ["form:labor", "pop:minors"],
            np.array(["pop:minors", "step:refer:external"]),  # DuckDB lists arrive as arrays
            [],  # no tag
            ["misc"],  # no kind
        ],
    }
)


def test_topics_count_a_module_for_each_of_its_tags():
    rows = use_frame(
        [
            ("Alpha", False, "M01", 20, 0, 0, 50, 0.0),
            ("Alpha", False, "M02", 10, 0, 0, 50, 0.0),
            ("Alpha", False, "M03", 7, 0, 0, 50, 0.0),
            ("Alpha", False, "M04", 1, 0, 0, 50, 0.0),
            ("Peers A", True, "M01", None, 0, 0, 400, 0.0),
            ("Peers A", True, "M02", None, 0, 0, 400, 0.0),
        ]
    )
    out = utilization.topics(rows, MODULES)
    alpha = out[out["hospital"] == "Alpha"]
    assert alpha["tag"].tolist() == ["form:labor", "misc", "pop:minors", "step:refer:external"]
    # pop:minors is on M01 and M02: 20 + 10; M03 has no tag and appears nowhere
    assert alpha["n_completed"].tolist() == [20, 1, 30, 10]
    assert alpha["kind"].tolist() == ["Form of trafficking", "Other", "Population", "Response step"]
    assert alpha["topic"].tolist() == ["labor", "misc", "minors", "refer:external"]
    peers = out[out["hospital"] == "Peers A"]
    assert peers["tag"].tolist() == ["form:labor", "pop:minors", "step:refer:external"]
    assert peers["n_completed"].isna().all()  # all withheld: missing, not 0
    assert peers["is_peer_group"].all() and (peers["n_hospitals"] == 6).all()


# -------------------------------------------------------------------------------------- monthly


def test_monthly_sums_own_hospitals_under_one_label_and_keeps_peers_apart():
    jan, feb = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")
    rows = pd.DataFrame(
        {
            "hospital": ["Peers A", "Alpha", "Beta", "Alpha", "Peers A"],
            "is_peer_group": [True, False, False, False, True],
            "n_hospitals": [6, 1, 1, 1, 6],
            "month": [feb, jan, jan, feb, jan],
            "n_completed": pd.array([12, 5, 3, 4, pd.NA], dtype="Int64"),
        }
    )
    out = utilization.monthly(rows, "Your 2 hospitals")
    assert out["hospital"].tolist() == ["Your 2 hospitals"] * 2 + ["Peers A"] * 2
    assert out["month"].tolist() == [jan, feb, jan, feb]
    assert out["n_completed"].tolist()[:2] == [8, 4]  # 5 + 3 in January
    assert pd.isna(out["n_completed"].iloc[2])  # withheld month stays missing
    assert out["n_completed"].iloc[3] == 12
    assert out.index.tolist() == [0, 1, 2, 3]


# ---------------------------------------------------------------------------------- by_element

RESOURCES = pd.DataFrame(
    {
        "resource_id": ["R1", "R2", "R3", "R4"],
        "protocol_elements": [["PE01", "PE02"], np.array(["PE02"]), [], None],
    }
)


def downloads_frame():
    jan, feb = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")
    return pd.DataFrame(
        {
            "hospital": ["Alpha", "Alpha", "Beta", "Alpha", "Beta"],
            "resource_id": ["R1", "R2", "R3", "R1", "R4"],
            "month": [jan, jan, jan, feb, feb],
            "n_downloads": [5, 3, 7, 2, 1],
        }
    )


def test_a_resource_supporting_two_elements_counts_for_each():
    out = toolkit.by_element(downloads_frame(), RESOURCES)
    jan, feb = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")
    # PE01: R1 (5 in January, 2 in February); PE02: R1 + R2 = 8 in January, R1 = 2 in February;
    # R3 supports no element and R4 none recorded: their downloads count for none
    assert out.columns.tolist() == ["element_id", "month", "n_downloads"]
    assert list(out.itertuples(index=False, name=None)) == [
        ("PE01", jan, 5),
        ("PE01", feb, 2),
        ("PE02", jan, 8),
        ("PE02", feb, 2),
    ]


def test_by_element_sums_over_whatever_keys_the_downloads_have():
    out = toolkit.by_element(downloads_frame(), RESOURCES, keys=())
    assert list(out.itertuples(index=False, name=None)) == [("PE01", 7), ("PE02", 10)]
    out = toolkit.by_element(downloads_frame(), RESOURCES, keys=("hospital", "client"))
    # no client column: summed per hospital only (Beta's R3 and R4 support no element)
    assert list(out.itertuples(index=False, name=None)) == [
        ("PE01", "Alpha", 7),
        ("PE02", "Alpha", 10),
    ]


# ----------------------------------------------------------------------------- without_download


def test_hospitals_without_a_counted_download_are_listed_in_their_order():
    hospitals = pd.DataFrame(
        {
            "hospital_ccn": ["260001", "260002", "260003", "260004"],
            "hospital_name": ["Alpha", "Beta", "Gamma", "Delta"],
            "state": ["MO"] * 4,
            "region": ["Central", "Central", "Southwest", "Southwest"],
            "county": ["Boone", "Cole", "Greene", "Taney"],
        }
    )
    downloads = pd.DataFrame(
        {
            "hospital_ccn": ["260001", "260002", "260004", None],
            "hospital": ["Alpha", "Beta", "Delta", "Peers A"],
            "is_peer_group": [False, False, False, True],
            "n_downloads": pd.array([4, 0, pd.NA, 50], dtype="Int64"),
        }
    )
    out = toolkit.without_download(hospitals, downloads)
    # Alpha has 4; Beta 0 and Delta a missing count have none; Gamma has no row at all
    assert out.columns.tolist() == ["hospital_ccn", "hospital_name", "state", "region"]
    assert out["hospital_name"].tolist() == ["Beta", "Gamma", "Delta"]
    assert out.index.tolist() == [0, 1, 2]
