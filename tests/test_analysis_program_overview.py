"""Protocol adoption and the Overview (DESIGN.md sections 1 and 5): survey-wave order, stages, the
adoption index (in place / applicable answered; unknown is never "not started") and its change,
each hospital's gaps, peer shares, the five headline figures and the largest shortfalls against
target. Expected values are worked out by hand in the comments, never copied from the code.

Input frames mimic the query runner's: `hospital`, `is_peer_group`, `n_hospitals`, the query's
keys and counts; withheld counts are <NA> in a nullable Int64 column, as the runner leaves them.
"""

import math

import numpy as np
import pandas as pd
import pytest

from analysis import adoption, overview

NA = pd.NA
ROW = ["hospital", "is_peer_group", "n_hospitals"]


def frame(columns, rows, counts=()) -> pd.DataFrame:
    """Rows of (hospital, is_peer_group, *columns); peer groups have 6 hospitals; the count
    columns become Int64 when one is withheld (None), as the runner returns them."""
    out = pd.DataFrame([list(r) for r in rows], columns=["hospital", "is_peer_group", *columns])
    out.insert(2, "n_hospitals", np.where(out["is_peer_group"].astype(bool), 6, 1))
    out["is_peer_group"] = out["is_peer_group"].astype(bool)
    for c in counts:
        out[c] = out[c].astype("Int64") if out[c].isna().any() else out[c].astype("int64")
    return out


def stage_rows(rows) -> pd.DataFrame:
    """(hospital, is_peer, wave, element_id, stage, n_hospitals_at_stage)"""
    return frame(
        ["wave", "element_id", "stage", "n_hospitals_at_stage"], rows, ["n_hospitals_at_stage"]
    )


def index_rows(rows) -> pd.DataFrame:
    """(hospital, is_peer, wave, n_in_place, n_applicable_answered); the runner's index."""
    out = frame(
        ["wave", "n_in_place", "n_applicable_answered"],
        rows,
        ["n_in_place", "n_applicable_answered"],
    )
    out["adoption_index_pct"] = (
        100 * out["n_in_place"] / out["n_applicable_answered"].where(lambda s: s > 0)
    ).astype("float64")
    return out


# ------------------------------------------------------------------------------ wave order


def test_waves_sort_baseline_first_then_month_6_before_month_12():
    waves = ["month_12", "month_9", "baseline", "month_6", "month_18"]
    assert sorted(waves, key=adoption.wave_order) == [
        "baseline",
        "month_6",
        "month_9",
        "month_12",
        "month_18",
    ]


def test_the_latest_wave_is_the_last_in_that_order_and_none_without_waves():
    assert adoption.latest_wave(["month_6", "baseline", "month_12", "month_6"]) == "month_12"
    assert adoption.latest_wave(pd.Series(["baseline"])) == "baseline"
    assert adoption.latest_wave([]) is None


# ---------------------------------------------------------------------------- stage matrix

STAGES = stage_rows(
    [
        ("Alpha", False, "month_6", "PE01", "in_place", 1),
        ("Alpha", False, "month_6", "PE02", "unknown", 1),
        ("Alpha", False, "month_6", "PE03", "in_progress", 1),
        ("Alpha", False, "month_6", "PE04", "not_started", 1),
        ("Alpha", False, "month_6", "PE05", "not_applicable", 1),
        ("Beta", False, "month_6", "PE01", "not_started", 1),
        ("Beta", False, "month_6", "PE02", "in_place", 1),
        ("Alpha", False, "baseline", "PE01", "not_started", 1),
        ("Gamma", False, "baseline", "PE01", "in_progress", 1),  # did not answer month_6
        ("Peers A", True, "month_6", "PE01", "in_place", 3),
        ("Peers A", True, "month_6", "PE01", "not_started", 2),
        ("Peers A", True, "month_6", "PE02", "in_place", None),  # withheld (1-4 hospitals)
        ("Peers A", True, "month_6", "PE02", "unknown", 5),
        ("Peers A", True, "baseline", "PE01", "not_started", 5),
    ]
)


def test_the_stage_matrix_has_the_named_hospitals_that_answered_the_wave():
    m = adoption.stage_matrix(STAGES, "month_6")
    assert m.index.tolist() == ["Alpha", "Beta"]
    assert m.columns.tolist() == ["PE01", "PE02", "PE03", "PE04", "PE05"]
    assert m.loc["Alpha"].tolist() == [
        "in_place",
        "unknown",
        "in_progress",
        "not_started",
        "not_applicable",
    ]
    assert m.loc["Beta", "PE01"] == "not_started"
    assert pd.isna(m.loc["Beta", "PE03"])  # no answer row at all
    assert adoption.stage_matrix(STAGES, "baseline").to_dict("index") == {
        "Alpha": {"PE01": "not_started"},
        "Gamma": {"PE01": "in_progress"},
    }


# --------------------------------------------------------------------------------------- gaps

ELEMENTS = pd.DataFrame(
    {
        "element_id": ["PE01", "PE02", "PE03", "PE04", "PE05", "PE09"],
        "name": ["Policy", "Screening", "Referral", "Hotline", "ED poster", "Unused"],
        "applies_to": ["all"] * 4 + ["emergency_services", "all"],
        "resources": [["Policy template"], [], ["Referral map"], ["Poster"], [], []],
        "modules": [["1. HT 101"], ["3. Screening"], [], [], [], []],
    }
)


def test_gaps_list_only_in_progress_not_started_and_unknown_with_what_addresses_them():
    out = adoption.gaps(STAGES, ELEMENTS, "month_6")
    assert out.columns.tolist() == [
        "hospital",
        "element_id",
        "stage",
        "name",
        "resources",
        "modules",
    ]
    # Alpha: PE02 unknown, PE03 in progress, PE04 not started (PE01 in place, PE05 n/a);
    # Beta: PE01 not started (PE02 in place); peers and other waves never appear
    assert list(zip(out["hospital"], out["element_id"], out["stage"], strict=True)) == [
        ("Alpha", "PE02", "unknown"),
        ("Alpha", "PE03", "in_progress"),
        ("Alpha", "PE04", "not_started"),
        ("Beta", "PE01", "not_started"),
    ]
    assert out["name"].tolist() == ["Screening", "Referral", "Hotline", "Policy"]
    assert out["resources"].tolist() == [[], ["Referral map"], ["Poster"], ["Policy template"]]
    assert out["modules"].tolist() == [["3. Screening"], [], [], ["1. HT 101"]]


def test_no_gap_when_every_applicable_element_is_in_place():
    rows = stage_rows(
        [
            ("Alpha", False, "month_12", "PE01", "in_place", 1),
            ("Alpha", False, "month_12", "PE05", "not_applicable", 1),
        ]
    )
    assert adoption.gaps(rows, ELEMENTS, "month_12").empty


# ------------------------------------------------------------------------------ peer shares


def test_peer_shares_are_the_share_of_the_groups_hospitals_at_each_stage():
    out = adoption.peer_shares(STAGES, "month_6")
    assert out["hospital"].unique().tolist() == ["Peers A"]  # named hospitals are not peers
    assert (out["wave"] == "month_6").all()
    pe01 = out[out["element_id"] == "PE01"].set_index("stage")["share_pct"]
    assert pe01.to_dict() == {"in_place": 60.0, "not_started": 40.0}  # 3 and 2 of 5
    withheld = out[(out["element_id"] == "PE02") & (out["stage"] == "in_place")]
    assert withheld["share_pct"].isna().all()  # withheld stays missing


# ----------------------------------------------------------------------------- index change


def test_index_change_runs_from_the_first_to_the_latest_wave_in_wave_order():
    rows = index_rows(
        [
            ("Alpha", False, "month_12", 6, 10),  # 60%
            ("Alpha", False, "baseline", 2, 10),  # 20%
            ("Alpha", False, "month_6", 5, 10),  # 50%
            ("Beta", False, "month_6", 3, 10),  # one wave only
            ("Gamma", False, "month_12", 7, 10),  # "month_12" < "month_6" as text
            ("Gamma", False, "month_6", 5, 10),
            ("Peers A", True, "baseline", 16, 40),  # 40%
            ("Peers A", True, "month_12", None, 40),  # withheld: no index
        ]
    )
    out = adoption.index_change(rows).set_index("hospital")
    assert sorted(out.index) == ["Alpha", "Beta", "Gamma", "Peers A"]
    alpha = out.loc["Alpha"]
    assert (alpha.first_wave, alpha.latest_wave, alpha.n_waves) == ("baseline", "month_12", 3)
    assert (alpha.first_index_pct, alpha.latest_index_pct) == (20.0, 60.0)
    assert alpha.change_pp == pytest.approx(40.0)  # 60 - 20
    gamma = out.loc["Gamma"]
    assert (gamma.first_wave, gamma.latest_wave) == ("month_6", "month_12")
    assert gamma.change_pp == pytest.approx(20.0)  # 70 - 50


def test_index_change_with_one_wave_has_no_change():
    rows = index_rows(
        [
            ("Beta", False, "month_6", 3, 10),
            ("Peers A", True, "baseline", 16, 40),
            ("Peers A", True, "month_12", None, 40),
        ]
    )
    out = adoption.index_change(rows).set_index("hospital")
    beta = out.loc["Beta"]
    assert (beta.first_wave, beta.latest_wave, beta.n_waves) == ("month_6", "month_6", 1)
    assert beta.first_index_pct == beta.latest_index_pct == 30.0
    assert math.isnan(beta.change_pp)
    peers = out.loc["Peers A"]  # its month_12 index is withheld: baseline is all it has
    assert bool(peers.is_peer_group)
    assert (peers.latest_wave, peers.latest_index_pct, peers.n_waves) == ("baseline", 40.0, 1)
    assert math.isnan(peers.change_pp)


# ------------------------------------------------------------------------------ overview data

COVERAGE_COLUMNS = ["role", "n_covered", "n_reached", "headcount"]
COVERAGE_COUNTS = ["n_covered", "n_reached", "headcount"]
COVERAGE = [
    # Alpha: RN min(30, 25) + physician 4 + 3 without a role = 32 of 25 + 20 = 45 staff
    ("Alpha", False, "RN", 30, 35, 25),
    ("Alpha", False, "physician", 4, 6, 20),
    ("Alpha", False, "unrecorded", 3, 5, 0),
    # Beta: 10 + 2 of 40
    ("Beta", False, "RN", 10, 12, 40),
    ("Beta", False, "unrecorded", 2, 2, 0),
    ("Peers A", True, "RN", 500, 600, 1000),
]
USE_COLUMNS = ["module_id", "n_completed", "n_started", "n_completed_of_started", "headcount"]
USE_COUNTS = USE_COLUMNS[1:]
UTILIZATION = [
    ("Alpha", False, "M01", 5, 5, 5, 45),
    ("Alpha", False, "M02", 0, 1, 0, 45),
    ("Beta", False, "M01", 0, 2, 0, 40),
    ("Beta", False, "M02", 0, 0, 0, 40),
    ("Gamma", False, "M01", 2, 2, 2, 30),
    ("Peers A", True, "M01", 100, 100, 100, 1000),
    ("Peers A", True, "M03", 50, 50, 50, 1000),
]
ADOPTION = [
    ("Alpha", False, "baseline", 1, 8),
    ("Alpha", False, "month_6", 3, 8),
    ("Alpha", False, "month_12", 5, 8),
    ("Beta", False, "month_6", 6, 10),
    ("Beta", False, "month_12", 7, 10),
    ("Peers A", True, "month_12", 30, 40),
    ("Peers A", True, "month_18", 35, 40),  # a later wave only peers answered
]
REFRESHER_COLUMNS = ["role", "n_ever_covered", "n_current"]
REFRESHER = [
    ("Alpha", False, "RN", 25, 20),
    ("Alpha", False, "physician", 4, 3),
    ("Beta", False, "RN", 10, 5),
    ("Peers A", True, "RN", 200, 100),
]
STAGE_DATA = [
    # latest own wave: month_12 (the peers' month_18 does not count)
    ("Alpha", False, "month_12", "PE01", "in_place", 1),
    ("Alpha", False, "month_12", "PE02", "not_started", 1),
    ("Alpha", False, "month_12", "PE03", "in_progress", 1),
    ("Alpha", False, "month_12", "PE04", "unknown", 1),
    ("Beta", False, "month_12", "PE01", "in_place", 1),
    ("Beta", False, "month_12", "PE02", "in_place", 1),
    ("Beta", False, "month_12", "PE03", "in_progress", 1),
    ("Beta", False, "month_12", "PE04", "unknown", 1),
    ("Gamma", False, "month_12", "PE01", "unknown", 1),
    ("Gamma", False, "month_12", "PE02", "not_applicable", 1),
    ("Alpha", False, "month_6", "PE01", "not_started", 1),  # an older wave
    ("Peers A", True, "month_12", "PE01", "not_started", 6),
    ("Peers A", True, "month_18", "PE05", "not_started", 6),
]


def gain_cells(rows) -> pd.DataFrame:
    """knowledge_gain_cells rows: (module, mean change pp or None when withheld, learners)."""
    out = pd.DataFrame(rows, columns=["module_id", "mean_change_pp", "n_learners"])
    out["mean_change_pp"] = out["mean_change_pp"].astype("float64")
    return out.assign(hospital="Your hospitals", is_peer_group=False, n_hospitals=3)


def overview_data(**changes) -> dict:
    data = {
        "coverage": frame(COVERAGE_COLUMNS, COVERAGE, COVERAGE_COUNTS),
        "utilization": frame(USE_COLUMNS, UTILIZATION, USE_COUNTS).assign(sum_contact_hours=0.0),
        # M01: 3 learners at 40 -> 60 (+20 each); M02: 1 at 50 -> 55 (+5); M03 withheld;
        # a peer group's cell is not the viewer's
        "knowledge": pd.concat(
            [
                gain_cells([("M01", 20.0, 3), ("M02", 5.0, 1), ("M03", None, 7)]),
                gain_cells([("M01", 50.0, 30)]).assign(hospital="Peers A", is_peer_group=True),
            ],
            ignore_index=True,
        ),
        "adoption": index_rows(ADOPTION),
        "stages": stage_rows(STAGE_DATA),
        "refresher": frame(REFRESHER_COLUMNS, REFRESHER, ["n_ever_covered", "n_current"]),
        "n_hospitals": 4,  # Alpha, Beta, Gamma and Delta (no activity at all)
    }
    return {**data, **changes}


# ---------------------------------------------------------------------------------- figures


def test_the_five_headline_figures_by_hand():
    figs = overview.figures(overview_data())
    assert list(figs) == [
        "coverage_pct",
        "mean_gain_pp",
        "hospitals_with_completion_pct",
        "adoption_index_pct",
        "current_pct",
    ]
    reach = figs["coverage_pct"]
    assert (reach.dimension, reach.unit, reach.n_label) == ("Reach", "%", "staff (headcount)")
    assert reach.value == pytest.approx(100 * 44 / 85)  # (32 + 12) / (45 + 40) = 51.76%
    assert reach.n == 85
    gain = figs["mean_gain_pp"]
    # changes 20, 20, 20 (3 learners at 40 -> 60) and 5 (50 -> 55): 65 / 4 = 16.25 pp
    assert (gain.dimension, gain.unit) == ("Effectiveness", "pp")
    assert gain.value == pytest.approx(np.mean([20, 20, 20, 5]))
    assert gain.value == pytest.approx(16.25)
    assert gain.n == 4
    active = figs["hospitals_with_completion_pct"]
    # Alpha and Gamma completed a module; Beta did not, Delta has no row: 2 of 4
    assert (active.dimension, active.value, active.n) == ("Adoption", 50.0, 4)
    index = figs["adoption_index_pct"]
    # month_12: (5 + 7) in place / (8 + 10) answered = 66.67%; before it, month_6:
    # (3 + 6) / 18 = 50%
    assert index.dimension == "Implementation"
    assert index.value == pytest.approx(100 * 12 / 18)
    assert index.n == 18
    assert index.prior == pytest.approx(50.0)
    assert index.prior_label == "wave month_6"
    current = figs["current_pct"]
    # (20 + 3 + 5) current / (25 + 4 + 10) ever fully trained = 71.79%
    assert current.dimension == "Maintenance"
    assert current.value == pytest.approx(100 * 28 / 39)
    assert current.n == 39
    for metric in ("coverage_pct", "mean_gain_pp", "hospitals_with_completion_pct", "current_pct"):
        assert math.isnan(figs[metric].prior) and figs[metric].prior_label == ""


def test_a_hospitals_completers_count_at_most_up_to_its_headcount_in_the_headline():
    # Gamma: 8 learners without a job title, 5 staff -> 5; Delta 0 of 25; Eta has no
    # headcount at all, so its 3 learners have nothing to be a share of: 5 / 30 = 16.67%
    # (summing the raw counts would give (8 + 0 + 3) / 30 = 36.67%)
    cov = frame(
        COVERAGE_COLUMNS,
        [
            ("Gamma", False, "RN", 0, 0, 5),
            ("Gamma", False, "unrecorded", 8, 8, 0),
            ("Delta", False, "RN", 0, 0, 25),
            ("Eta", False, "unrecorded", 3, 3, 0),
        ],
        COVERAGE_COUNTS,
    )
    reach = overview.figures(overview_data(coverage=cov))["coverage_pct"]
    assert reach.value == pytest.approx(100 * 5 / 30)
    assert reach.n == 30


def test_one_survey_wave_has_no_prior():
    data = overview_data(adoption=index_rows([("Alpha", False, "baseline", 2, 8)]))
    index = overview.figures(data)["adoption_index_pct"]
    assert index.value == pytest.approx(25.0)
    assert math.isnan(index.prior) and index.prior_label == ""


def test_empty_frames_give_missing_figures_on_zero():
    for knowledge in (None, gain_cells([])):
        data = overview_data(  # frames holding peer groups' rows only
            coverage=frame(COVERAGE_COLUMNS, COVERAGE[-1:], COVERAGE_COUNTS),
            utilization=frame(USE_COLUMNS, UTILIZATION[-2:], USE_COUNTS).assign(
                sum_contact_hours=0.0
            ),
            knowledge=knowledge,
            adoption=index_rows(ADOPTION[-2:]),
            refresher=frame(REFRESHER_COLUMNS, REFRESHER[-1:], ["n_ever_covered", "n_current"]),
            n_hospitals=0,
        )
        figs = overview.figures(data)
        for metric, fig in figs.items():
            assert math.isnan(fig.value), metric
            assert fig.n == 0, metric
        assert math.isnan(figs["adoption_index_pct"].prior)


def test_a_small_knowledge_sample_still_has_its_mean_gain():
    data = overview_data(knowledge=gain_cells([("M01", 40.0, 1)]))  # one learner: +40 pp
    gain = overview.figures(data)["mean_gain_pp"]
    assert (gain.value, gain.n) == (40.0, 1)


# ----------------------------------------------------------------------------- largest gaps

TARGETS = {"coverage_pct": 80.0, "adoption_index_pct": 75.0, "hospitals_with_completion_pct": 60.0}

# Shortfalls (target - value), own hospitals only:
#   Role coverage    RN         80 - 100 * 35 / 65 = 26.15  (Alpha capped at 25 of 25, Beta 10/40)
#   Role coverage    physician  80 - 20            = 60
#   Protocol element PE01       75 - 100 (2 of 2 in place; Gamma's unknown is not "not started")
#   Protocol element PE02       75 - 50 (1 of 2; Gamma's n/a is left out)   = 25
#   Protocol element PE03       75 - 0                                      = 75
#   Protocol element PE04       all unknown: no figure
#   Module reach     M01        60 - 100 * 2 / 4 = 10
#   Module reach     M02        60 - 0           = 60 (rows, but no completion)
ALL_GAPS = [
    ("Protocol element", "PE03", 0.0, 75.0, 75.0),
    ("Module reach", "M02", 0.0, 60.0, 60.0),  # ties at 60: "M02" sorts before "physician"
    ("Role coverage", "physician", 20.0, 80.0, 60.0),
    ("Role coverage", "RN", 100 * 35 / 65, 80.0, 80 - 100 * 35 / 65),
    ("Protocol element", "PE02", 50.0, 75.0, 25.0),
    ("Module reach", "M01", 50.0, 60.0, 10.0),
]


def gap_list(out: pd.DataFrame) -> list:
    assert out.columns.tolist() == ["kind", "key", "value_pct", "target_pct", "shortfall_pp"]
    return list(out.itertuples(index=False, name=None))


def test_largest_gaps_rank_positive_shortfalls_and_keep_the_top_k():
    out = overview.largest_gaps(overview_data(), ELEMENTS, TARGETS)
    assert gap_list(out) == ALL_GAPS[:3]
    assert out.index.tolist() == [0, 1, 2]


def test_largest_gaps_with_a_large_k_lists_every_positive_shortfall():
    out = overview.largest_gaps(overview_data(), ELEMENTS, TARGETS, k=10)
    got = gap_list(out)
    assert [g[:2] for g in got] == [g[:2] for g in ALL_GAPS]
    assert [g[2:] for g in got] == [pytest.approx(g[2:], rel=1e-12) for g in ALL_GAPS]


def test_an_unknown_answer_is_not_counted_as_an_element_not_in_place():
    stages = stage_rows(
        [
            ("Alpha", False, "month_12", "PE01", "in_place", 1),
            ("Beta", False, "month_12", "PE01", "unknown", 1),
        ]
    )
    out = overview.largest_gaps(
        overview_data(stages=stages), ELEMENTS, {"adoption_index_pct": 75.0}
    )
    assert out.empty  # 1 of 1 answered is in place: 100%, no shortfall (not 50%)


def test_a_missing_target_skips_its_kind():
    data = overview_data()
    only = {
        "coverage_pct": "Role coverage",
        "adoption_index_pct": "Protocol element",
        "hospitals_with_completion_pct": "Module reach",
    }
    for target, kind in only.items():
        out = overview.largest_gaps(data, ELEMENTS, {target: TARGETS[target]}, k=10)
        assert set(out["kind"]) == {kind}, target
    assert overview.largest_gaps(data, ELEMENTS, {}).empty


def test_no_module_reach_without_named_hospitals_and_no_elements_without_answers():
    empty_stages = stage_rows(STAGE_DATA[-1:])  # a peer answer only
    data = overview_data(n_hospitals=0, stages=empty_stages)
    out = overview.largest_gaps(data, ELEMENTS, TARGETS, k=10)
    assert set(out["kind"]) == {"Role coverage"}


def test_without_job_titles_the_hospitals_coverage_stands_in_for_roles():
    cov = frame(
        COVERAGE_COLUMNS,
        [
            ("Rho", False, "RN", 1, 1, 10),  # 1 + 6 of 10 = 70%: 10 short of 80
            ("Rho", False, "unrecorded", 6, 9, 0),
            ("Sigma", False, "unrecorded", 9, 9, 0),  # 9 of 10 = 90%: no shortfall
            ("Sigma", False, "RN", 0, 0, 10),
            ("Peers A", True, "RN", 500, 600, 1000),  # 50%, but not one of yours
        ],
        COVERAGE_COUNTS,
    )
    out = overview.largest_gaps(overview_data(coverage=cov), ELEMENTS, {"coverage_pct": 80.0})
    assert gap_list(out) == [("Hospital coverage", "Rho", 70.0, 80.0, pytest.approx(10.0))]
