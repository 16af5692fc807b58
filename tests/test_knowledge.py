"""The knowledge figures the page shows, from the marts through the runner, against a second
computation straight from the raw attempts and item responses with pandas and scipy.

The second path shares nothing with the first but the warehouse's base tables: its own choice of
attempts, its own matching, scipy's tests on the raw vectors, numpy on the learner x item matrix.
"""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import knowledge
from queries import spec as specs
from queries.filters import Filters
from queries.runner import Runner
from queries.scope import Viewer

COLLAB = Viewer("collaborative")


@pytest.fixture(scope="module")
def wh(demo_load):
    return demo_load[0]


@pytest.fixture(scope="module")
def runner(wh):
    return Runner(wh)


@pytest.fixture(scope="module")
def raw(wh):
    """Finished attempts of attributed learners, with their item responses, read plainly."""
    import duckdb

    con = duckdb.connect(str(wh), read_only=True)
    con.execute("set TimeZone = 'UTC'")
    attempts = (
        con.sql(
            "select q.attempt_id, q.learner_id, q.module_id, q.phase, q.finished_at, q.score_pct "
            "from quiz_attempt q join learner l using (learner_id) "
            "where q.state = 'finished' and q.module_id is not null and q.score_pct is not null "
            "and l.hospital_ccn in (select ccn from membership)"
        )
        .to_arrow_table()
        .to_pandas()
    )
    responses = (
        con.sql(
            "select attempt_id, item_id, points, max_points from quiz_item_response "
            "where item_id is not null"
        )
        .to_arrow_table()
        .to_pandas()
    )
    con.close()
    return attempts, responses


def _bins(wh, name: str, **params):
    """A knowledge query's bins over every member hospital, summed, without the runner: the
    marts' own numbers, before any suppression (which the runner tests below cover)."""
    import duckdb

    spec = specs.load(name)
    con = duckdb.connect(str(wh), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        ccns = [r[0] for r in con.execute("select ccn from membership").fetchall()]
        values = {
            "ccns": ccns,
            "role": None,
            "module": None,
            "month_from": date(2000, 1, 1),
            "month_to": date(2100, 1, 1),
            **params,
        }
        sql_params = {p: values[p] for p in spec.params}
        raw = con.sql(spec.sql, params=sql_params).to_arrow_table().to_pandas()
    finally:
        con.close()
    add = list(spec.additive)
    keys = [c for c in raw.columns if c not in ("hospital_ccn", *spec.rollup)]
    bins = raw.groupby(keys, dropna=False)[list(spec.rollup)].agg(spec.rollup).reset_index()
    bins = bins.assign(hospital="all", is_peer_group=False, n_hospitals=len(ccns))
    ids = ["hospital", "is_peer_group", "n_hospitals"]
    cell = [k for k in keys if k not in spec.detail]
    cells = bins.groupby([*ids, *cell])[add].sum().reset_index().assign(released=1.0)
    return cells, bins


def _pick(attempts: pd.DataFrame, policy: str) -> pd.DataFrame:
    order = {
        "first": (["finished_at", "attempt_id"], [True, True]),
        "best": (["score_pct", "finished_at", "attempt_id"], [False, True, True]),
        "last": (["finished_at", "attempt_id"], [False, False]),
    }[policy]
    s = attempts.sort_values(order[0], ascending=order[1], kind="stable")
    return s.drop_duplicates(["learner_id", "module_id", "phase"])


def _pairs(attempts, policy="first") -> pd.DataFrame:
    p = _pick(attempts, policy)
    pre = p[p["phase"] == "pre"]
    post = p[p["phase"] == "post"]
    return pre.merge(post, on=["learner_id", "module_id"], suffixes=("_pre", "_post"))


@pytest.mark.parametrize("policy", ["first", "best", "last"])
def test_gains_from_the_marts_equal_scipy_on_the_raw_pairs(wh, raw, policy):
    got = knowledge.gains(*_bins(wh, "knowledge_gains", policy=policy)).set_index("module_id")
    pairs = _pairs(raw[0], policy)
    assert sorted(got.index) == sorted(pairs["module_id"].unique())
    for module, g in pairs.groupby("module_id"):
        d = (g["score_pct_post"] - g["score_pct_pre"]).to_numpy()
        row = got.loc[module]
        assert row["n_learners"] == len(g)
        assert row["mean_change_pp"] == pytest.approx(d.mean(), rel=1e-12)
        assert row["p_t"] == pytest.approx(
            stats.ttest_rel(g["score_pct_post"], g["score_pct_pre"]).pvalue, rel=1e-9, abs=1e-300
        )
        assert row["p_wilcoxon"] == pytest.approx(stats.wilcoxon(d).pvalue, rel=1e-9, abs=1e-300)
        assert row["dz"] == pytest.approx(d.mean() / d.std(ddof=1), rel=1e-12)
        sd_av = (g["score_pct_pre"].std() + g["score_pct_post"].std()) / 2
        assert row["d_av"] == pytest.approx(d.mean() / sd_av, rel=1e-12)


def test_item_facilities_and_mcnemar_from_the_marts_equal_the_raw_responses(wh, raw):
    attempts, responses = raw
    got = knowledge.item_changes(*_bins(wh, "knowledge_items", policy="first"))
    got = got.set_index("item_id")
    pairs = _pairs(attempts)
    correct = responses.assign(ok=responses["points"] == responses["max_points"])
    a = pairs.merge(correct, left_on="attempt_id_pre", right_on="attempt_id")
    both = a.merge(
        correct, left_on=["attempt_id_post", "item_id"], right_on=["attempt_id", "item_id"]
    )
    checked = 0
    for item, g in both.groupby("item_id"):
        b = int((~g["ok_x"] & g["ok_y"]).sum())
        c = int((g["ok_x"] & ~g["ok_y"]).sum())
        row = got.loc[item]
        assert (row["n_learners"], row["n_improved"], row["n_worsened"]) == (len(g), b, c)
        assert row["facility_post"] == pytest.approx(g["ok_y"].mean(), rel=1e-12)
        assert row["p_mcnemar"] == pytest.approx(stats.binomtest(b, b + c).pvalue, rel=1e-9)
        checked += 1
    assert checked == len(got) == 135  # 13 modules x 10 items + M14's 5


def test_moodle_item_analysis_from_the_marts_equals_the_learner_by_item_matrix(wh, raw):
    attempts, responses = raw
    per_item, per_quiz = knowledge.item_quality(*_bins(wh, "item_quality", module="M03"))
    first = _pick(attempts[attempts["module_id"] == "M03"], "first")
    first = first[first["phase"] == "pre"]
    m = (
        responses[responses["attempt_id"].isin(first["attempt_id"])]
        .assign(points=lambda r: r["points"].fillna(0))
        .pivot(index="attempt_id", columns="item_id", values="points")
    )
    total = m.sum(axis=1)
    pre = per_item[per_item["phase"] == "pre"].set_index("item_id")
    for item in m.columns:
        x, rest = m[item], total - m[item]
        assert pre.loc[item, "facility_pct"] == pytest.approx(100 * x.mean(), rel=1e-12)
        assert pre.loc[item, "discrimination_index"] == pytest.approx(
            100 * np.corrcoef(x, rest)[0, 1], rel=1e-9
        )
    k = m.shape[1]
    alpha = k / (k - 1) * (1 - m.var(ddof=1).sum() / total.var(ddof=1))
    quiz = per_quiz.set_index("phase").loc["pre"]
    assert quiz["n_attempts"] == len(m)
    assert quiz["cronbach_alpha"] == pytest.approx(alpha, rel=1e-9)


def test_retention_and_attrition_from_the_marts_equal_the_raw_attempts(wh, raw):
    attempts = raw[0]
    p = _pick(attempts, "first")
    last = attempts["finished_at"].max()
    posts = p[p["phase"] == "post"]
    eligible = posts[posts["finished_at"] <= last - pd.DateOffset(months=6)]
    pairs = _pairs(attempts).merge(eligible[["learner_id", "module_id"]])
    fu = p[p["phase"] == "followup"][["learner_id", "module_id", "score_pct"]]
    triples = pairs.merge(fu, on=["learner_id", "module_id"], how="left")
    got = knowledge.follow_up(*_bins(wh, "knowledge_retention", policy="first"))
    got = got.set_index("module_id")
    assert triples["module_id"].nunique() >= 10  # the loop below checks every one of them
    for module, g in triples.groupby("module_id"):
        row = got.loc[module]
        responded = g["score_pct"].notna()
        assert row["n_eligible"] == len(g)
        assert row["response_rate_pct"] == pytest.approx(100 * responded.mean(), rel=1e-12)
        t = g[responded]
        ratio = (t["score_pct"].mean() - t["score_pct_pre"].mean()) / (
            t["score_pct_post"].mean() - t["score_pct_pre"].mean()
        )
        assert row["retention_ratio"] == pytest.approx(ratio, rel=1e-12)
        # the tests, from the query's sums of squares, against scipy on the raw triples
        t_pre = stats.ttest_rel(t["score_pct"], t["score_pct_pre"])
        assert row["fu_vs_pre_p_t"] == pytest.approx(t_pre.pvalue, rel=1e-9)
        t_post = stats.ttest_rel(t["score_pct"], t["score_pct_post"])
        assert row["fu_vs_post_ci_low_pp"] == pytest.approx(
            t_post.confidence_interval(0.95).low, rel=1e-9
        )
        welch = stats.ttest_ind(
            t["score_pct_post"], g.loc[~responded, "score_pct_post"], equal_var=False
        )
        assert row["bias_p"] == pytest.approx(welch.pvalue, rel=1e-9)
    got = knowledge.dropouts(*_bins(wh, "knowledge_attrition", policy="first"))
    got = got.set_index("module_id")
    # the cohort: pre-tests at least two months before the latest one (local months)
    pre = p[p["phase"] == "pre"].copy()
    local = pre["finished_at"].dt.tz_convert("America/Chicago").dt.tz_localize(None)
    month = local.dt.to_period("M")
    pre = pre[month <= month.max() - 2]
    pre = pre.merge(posts[["learner_id", "module_id"]].assign(has_post=True), how="left")
    pre["has_post"] = pre["has_post"].fillna(False).astype(bool)
    for module, g in pre.groupby("module_id"):
        row = got.loc[module]
        assert row["n_pretest"] == len(g)
        assert row["attrition_pct"] == pytest.approx(100 * (~g["has_post"]).mean(), rel=1e-12)
        welch = stats.ttest_ind(
            g.loc[~g["has_post"], "score_pct"], g.loc[g["has_post"], "score_pct"], equal_var=False
        )
        assert row["bias_p"] == pytest.approx(welch.pvalue, rel=1e-9)


def test_the_planted_signals_show_in_the_figures(runner):
    """The generator plants small gains in M05 and M10, hard items M03-I04 and M12-I06, decay at
    follow-up and weaker pre-tests among dropouts (sample_data/catalog.py, activity.py)."""
    res = runner.run("knowledge_gains", COLLAB, Filters(), pool=True, policy="first")
    gains = knowledge.gains(res.frame, res.detail).set_index("module_id")["mean_change_pp"]
    assert set(gains.nsmallest(2).index) == {"M05", "M10"}
    assert gains.drop(["M05", "M10"]).min() > 20
    items = runner.run("knowledge_items", COLLAB, Filters(), pool=True, policy="first")
    table = knowledge.item_changes(items.frame, items.detail).set_index("item_id")
    assert table.loc[["M03-I04", "M12-I06"], "is_gap"].all()
    ret = runner.run("knowledge_retention", COLLAB, Filters(), pool=True, policy="first")
    r = knowledge.follow_up(ret.frame, ret.detail)
    shown = r[r["mean_followup_pct"].notna()]
    assert len(shown) >= 10 and (shown["mean_followup_pct"] < shown["mean_post_pct"]).all()
    assert r["retention_ratio"].dropna().between(0, 1).all()
    drop = runner.run("knowledge_attrition", COLLAB, Filters(), pool=True, policy="first")
    a = knowledge.dropouts(drop.frame, drop.detail)
    # dropouts are few per hospital, and hospitals with 1-10 never join a pool: some modules
    shown = a["bias_diff"].dropna()
    assert len(shown) >= 3 and (shown < 0).all()


def test_a_pooled_hospital_view_has_its_hospital_and_the_peers_and_no_small_cell_bins(runner, wh):
    viewer = Viewer("hospital", "260478")
    res = runner.run("knowledge_gains", viewer, Filters(role="security"), pool=True, policy="first")
    assert set(res.frame["hospital"]) <= {"Crossroads Regional Medical Center", "Peer hospitals"}
    released = res.frame[res.frame["released"].notna()]
    withheld = res.frame[res.frame["released"].isna()]
    bins = res.detail.groupby(["hospital", "module_id"])["n_learners"].sum()
    for r in released.itertuples():
        assert r.n_learners >= 11
        assert bins[(r.hospital, r.module_id)] == r.n_learners
    keys = set(zip(withheld["hospital"], withheld["module_id"], strict=True))
    assert not keys & set(bins.index)
    assert len(withheld) > 0  # security staff at one hospital: small cells exist


def test_the_knowledge_page_runs_for_every_viewer_and_says_the_gain_in_words(app, wh):
    viewers = [
        ("collaborative", None),
        ("state", "KS"),
        ("system", "Heartland Health System"),
        ("hospital", "260478"),
    ]
    for role, scope in viewers:
        at = app(wh, viewer_role=role, viewer_scope=scope)
        at.run()
        at.switch_page("app_pages/knowledge.py").run()
        assert not at.exception, [e.value for e in at.exception]
        text = " ".join(i.value for i in at.info)
        if role == "system":  # its hospitals' LMS has no quizzes: 1-2 pairs per module
            assert "None of your hospitals has 11 or more learners" in text
            continue
        assert "percentage points higher after" in text
        assert "not that the module alone caused it" in text


def test_tables_keep_withheld_cells_as_rows_without_figures(runner):
    """Every cell withheld (as for a small hospital): rows stay, figures are missing, no error."""
    res = runner.run("knowledge_gains", COLLAB, Filters(), pool=True, policy="first")
    cells = res.frame.assign(released=pd.NA)
    g = knowledge.gains(cells, res.detail.iloc[0:0])
    assert len(g) == 14 and g["mean_change_pp"].isna().all() and g["p_t_holm"].isna().all()
    q = runner.run("item_quality", COLLAB, Filters(module="M01"), pool=True)
    per_item, per_quiz = knowledge.item_quality(q.frame.assign(released=pd.NA), q.detail.iloc[0:0])
    assert len(per_item) == 30 and per_item["facility_pct"].isna().all() and per_quiz.empty


def test_two_pooled_views_never_differ_by_1_to_10_learners(runner):
    """The review's attack: a state viewer pools one region, then one hospital of it; their
    difference would describe the region's other hospitals. Small hospital cells never join a
    pool, so any difference is 0 or at least 11 learners."""
    viewer = Viewer("state", "MO")
    frames = runner.frame(viewer).own
    checked = 0
    for region in frames["region"].dropna().unique():
        wide = (
            runner.run("knowledge_gains", viewer, Filters(region=region), pool=True, policy="first")
            .frame.query("not is_peer_group")
            .set_index("module_id")
        )
        for ccn in frames.loc[frames["region"] == region, "hospital_ccn"]:
            one = runner.run(
                "knowledge_gains", viewer, Filters(hospital=ccn), pool=True, policy="first"
            ).frame.query("not is_peer_group")
            for r in one.itertuples():
                if r.module_id in wide.index:
                    diff = wide.loc[r.module_id, "n_learners"] - r.n_learners
                    assert diff == 0 or diff >= 11, (region, ccn, r.module_id, diff)
                    checked += 1
    assert checked > 50


def test_under_a_role_filter_the_page_leaves_out_the_bias_checks_and_says_why(app, wh):
    at = app(wh)
    at.query_params["role"] = "RN"
    at.run()
    at.switch_page("app_pages/knowledge.py").run()
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(c.value for c in at.caption)
    assert "bias checks (dropouts, follow-up non-responders) are shown for all your" in captions
    assert not any("without a post-test scored" in i.value for i in at.info)


def test_statistics_derived_from_a_cached_result_are_computed_once_and_served_as_copies(runner):
    calls = []

    def gains(frame, detail):
        calls.append(1)
        out = knowledge.gains(frame, detail)
        frame["module_id"] = "changed by the statistic"  # must not reach the cached result
        return out

    f = Filters(role="RN")
    first = runner.run("knowledge_gains", COLLAB, f, pool=True, policy="best")
    first.frame["n_learners"] = -1  # a page relabelling its own copy
    a = first.derive(gains)
    a["mean_change_pp"] = 0.0  # and editing its statistics
    b = runner.run("knowledge_gains", COLLAB, f, pool=True, policy="best").derive(gains)
    again = runner.run("knowledge_gains", COLLAB, f, pool=True, policy="best")
    assert calls == [1]
    assert (again.frame["module_id"] != "changed by the statistic").all()
    pd.testing.assert_frame_equal(b, knowledge.gains(again.frame, again.detail))
    assert b["mean_change_pp"].notna().any() and (b["mean_change_pp"] != 0).any()


def test_the_retention_extremes_roll_up_as_the_least_and_greatest_over_the_peer_hospitals(
    wh, runner
):
    """A hospital viewer's peer row sums its hospitals' bins, and takes the least and greatest
    of their extremes: checked against mart_knowledge read directly."""
    import duckdb

    hospitals = runner.frame().hospitals
    own = hospitals["hospital_ccn"].iloc[0]
    res = runner.run(
        "knowledge_retention", Viewer("hospital", own), Filters(), pool=True, policy="first"
    )
    peers = res.detail[res.detail["is_peer_group"]]
    assert len(peers) >= 20
    con = duckdb.connect(str(wh), read_only=True)
    raw = (
        con.sql(
            "select module_id, is_followup_eligible, fu_pct is not null as is_responded, "
            "pre_pct, post_pct, fu_pct, n_learners from mart_knowledge "
            "where policy = 'first' and pre_pct is not null and post_pct is not null "
            "and hospital_ccn <> $own and hospital_ccn in (select ccn from membership)",
            params={"own": own},
        )
        .to_arrow_table()
        .to_pandas()
    )
    con.close()
    keys = ["module_id", "is_followup_eligible", "is_responded"]
    for row in peers.itertuples():
        part = raw[(raw[keys] == [getattr(row, k) for k in keys]).all(axis=1)]
        assert row.n_learners == part["n_learners"].sum()
        assert row.max_post_pct == part["post_pct"].max()
        assert row.min_post_pct == part["post_pct"].min()
        assert row.sum_post_pct == pytest.approx((part["post_pct"] * part["n_learners"]).sum())
        if row.is_responded:
            change = part["fu_pct"] - part["pre_pct"]
            assert (row.min_fu_vs_pre_pp, row.max_fu_vs_pre_pp) == (change.min(), change.max())


@pytest.mark.parametrize("external", [False, True])
def test_the_overviews_gain_cells_are_the_knowledge_gains_cells_and_their_bins_mean(
    runner, external
):
    """knowledge_gain_cells (the Overview's) against knowledge_gains (the Knowledge page's): the
    same rows, counts and withheld cells under every viewer and filter, and each shown mean the
    mean change of the cell's released histogram."""
    viewers = [COLLAB, Viewer("state", "MO"), Viewer("system", "Heartland Health System")]
    viewers += [Viewer("hospital", "260478")]
    filters = [Filters(), Filters(role="RN"), Filters(module="M03"), Filters(period="FY2026")]
    filters += [Filters(role="security"), Filters(region="Kansas City metro")]
    keys = ["hospital", "module_id", "is_peer_group", "n_hospitals"]
    shown = 0
    for viewer in viewers:
        for f in filters:
            kw = dict(pool=True, policy="first", external=external)
            gains = runner.run("knowledge_gains", viewer, f, **kw)
            cells = runner.run("knowledge_gain_cells", viewer, f, **kw).frame
            old = gains.frame
            pd.testing.assert_frame_equal(
                cells[[*keys, "n_learners"]], old[[*keys, "n_learners"]], check_dtype=False
            )
            assert cells["released"].isna().equals(old["released"].isna()), (viewer, f)
            assert cells["mean_change_pp"].isna().equals(old["released"].isna()), (viewer, f)
            bins = gains.detail.assign(
                change=lambda d: (d["post_pct"] - d["pre_pct"]) * d["n_learners"]
            )
            by_cell = bins.groupby(["hospital", "module_id"])[["change", "n_learners"]].sum()
            for r in cells[cells["mean_change_pp"].notna()].itertuples():
                change, n = by_cell.loc[(r.hospital, r.module_id)]
                assert n == r.n_learners
                assert r.mean_change_pp == pytest.approx(change / n, rel=1e-12, abs=1e-12)
                shown += 1
    assert shown > 100
