"""Knowledge-gain, comparison, retention, multiplicity and reading statistics (DESIGN.md section 5),
each checked on a tiny fixture against a value worked out without the code under test: by hand
(arithmetic in the comments), by scipy/numpy on the raw vectors, or by full enumeration.

Fixtures are built as raw vectors; the functions get histograms (a count column) made from them,
and the raw-row histogram (count 1 each) must give the same figures as the compressed one.
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import compare, multiple, paired, readings, retention, rules

NAN = math.nan


# ---------------------------------------------------------------- helpers (independent of analysis)


def histogram(compress=True, count="n_learners", **columns) -> pd.DataFrame:
    """A histogram of the raw vectors: distinct rows with their count, or every row with count 1."""
    raw = pd.DataFrame({k: np.asarray(v, dtype="float64") for k, v in columns.items()})
    if not compress:
        return raw.assign(**{count: 1})
    return raw.groupby(list(columns), dropna=False).size().reset_index(name=count)


def pairs(pre, post, compress=True) -> pd.DataFrame:
    return histogram(compress, pre_pct=pre, post_pct=post)


def same_figures(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], float) or isinstance(b[key], float):
            assert a[key] == pytest.approx(b[key], rel=1e-12, abs=1e-12, nan_ok=True), key
        else:
            assert a[key] == b[key], key


def signed_rank_by_enumeration(d) -> tuple[float, float]:
    """(W+, two-sided p) of the signed-rank test with zeros dropped, by listing every sign
    pattern of the nonzero differences (mid-ranks for ties): p = 2 min(P(W >= w), P(W <= w)),
    capped at 1."""
    d = np.asarray(d, dtype="float64")
    nz = d[d != 0]
    ranks = stats.rankdata(np.abs(nz))  # average (mid) ranks
    w_obs = ranks[nz > 0].sum()
    m = len(nz)
    signs = (np.arange(2**m)[:, None] >> np.arange(m)) & 1
    w = signs @ ranks
    p = 2 * min((w >= w_obs - 1e-9).mean(), (w <= w_obs + 1e-9).mean())
    return float(w_obs), min(1.0, float(p))


def holm_loop(p):
    """Holm's step-down procedure written out: sort the tested p, multiply the i-th smallest
    (0-based) by m - i, carry the running maximum, cap at 1; untested (NaN) stay NaN."""
    tested = sorted((i for i in range(len(p)) if not math.isnan(p[i])), key=lambda i: p[i])
    m = len(tested)
    out = [NAN] * len(p)
    running = 0.0
    for rank, i in enumerate(tested):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


# Typical module: 12 matched learners, two zero changes, ties in |d|.
PRE_12 = [40, 50, 50, 60, 30, 70, 40, 50, 80, 60, 20, 50]  # sum 600, mean 50
POST_12 = [60, 70, 50, 80, 50, 70, 70, 60, 90, 50, 50, 80]  # sum 780, mean 65
D_12 = np.subtract(POST_12, PRE_12)  # 20 20 0 20 20 0 30 10 10 -10 30 30, sum 180, mean 15

# Ten learners, no ties, no zeros: |d| = 5 3 12 8 15 7 1 20 11 9 (all distinct).
PRE_10 = [50, 60, 40, 55, 35, 45, 70, 30, 50, 40]
D_10 = [5, -3, 12, 8, 15, 7, -1, 20, 11, 9]
POST_10 = list(np.add(PRE_10, D_10))

# More than 50 learners: integer percent scores, so ties and zeros are plentiful.
_rng = np.random.default_rng(20240501)
PRE_60 = _rng.integers(20, 81, size=60).astype(float)
POST_60 = np.clip(PRE_60 + _rng.integers(-15, 31, size=60) // 5 * 5, 0, 100).astype(float)


# ---------------------------------------------------------------------------- paired.summarize


def test_a_typical_module_matches_scipy_on_the_raw_vectors():
    pre, post, d = np.array(PRE_12, float), np.array(POST_12, float), D_12.astype(float)
    out = paired.summarize(pairs(pre, post))
    ttest = stats.ttest_rel(post, pre)
    ci = ttest.confidence_interval(0.95)
    assert out["n_pairs"] == 12
    assert out["mean_pre_pct"] == pytest.approx(50.0)  # 600 / 12
    assert out["mean_post_pct"] == pytest.approx(65.0)  # 780 / 12
    assert out["mean_change_pp"] == pytest.approx(15.0)  # 180 / 12
    assert out["sd_pre_pct"] == pytest.approx(np.std(pre, ddof=1), rel=1e-12)
    assert out["sd_post_pct"] == pytest.approx(np.std(post, ddof=1), rel=1e-12)
    assert out["sd_change_pp"] == pytest.approx(np.std(d, ddof=1), rel=1e-12)
    assert out["t_stat"] == pytest.approx(ttest.statistic, rel=1e-12)
    assert out["df"] == 11
    assert out["p_t"] == pytest.approx(ttest.pvalue, rel=1e-9)
    assert (out["ci_low_pp"], out["ci_high_pp"]) == pytest.approx((ci.low, ci.high), rel=1e-12)
    assert out["dz"] == pytest.approx(d.mean() / np.std(d, ddof=1), rel=1e-12)
    d_av = d.mean() / ((np.std(pre, ddof=1) + np.std(post, ddof=1)) / 2)
    assert out["d_av"] == pytest.approx(d_av, rel=1e-12)
    # Hake: (65 - 50) / (100 - 50) = 0.3, exactly the low/medium boundary -> medium
    assert out["hake_g"] == pytest.approx(0.3)
    assert out["hake_band"] == "medium"
    assert out["note"] is None


def test_wilcoxon_drops_and_counts_zero_changes_and_mid_ranks_ties():
    out = paired.summarize(pairs(PRE_12, POST_12))
    # nonzero |d|: 10 x3 (ranks 1-3, mid 2), 20 x4 (ranks 4-7, mid 5.5), 30 x3 (ranks 8-10, mid 9)
    # W- = 2 (the single -10); W+ = 10 * 11 / 2 - 2 = 53; r = (53 - 2) / 55 = 51 / 55
    assert out["n_zero_change"] == 2
    assert out["w_plus"] == 53.0
    assert out["w_minus"] == 2.0
    assert out["r_rank_biserial"] == pytest.approx(51 / 55, rel=1e-12)
    # z uses m = 10 nonzero pairs and the tie correction sum(t^3 - t) = 24 + 60 + 24 = 108:
    # var = 10 * 11 * 21 / 24 - 108 / 48 = 96.25 - 2.25 = 94
    assert out["z_wilcoxon"] == pytest.approx((53 - 27.5) / math.sqrt(94), rel=1e-12)
    # n = 12 <= 13 with ties and zeros: the permutation distribution, here listed in full
    assert out["wilcoxon_method"] == "permutation"
    w_plus, p = signed_rank_by_enumeration(D_12)
    assert w_plus == 53.0
    assert out["p_wilcoxon"] == pytest.approx(p, rel=1e-9)
    scipy_p = stats.wilcoxon(D_12.astype(float), zero_method="wilcox").pvalue
    assert out["p_wilcoxon"] == pytest.approx(scipy_p, rel=1e-12)


def test_ten_pairs_are_the_first_with_a_test_and_use_the_exact_distribution():
    out = paired.summarize(pairs(PRE_10, POST_10))
    # ranks of |d|: 1->1, 3->2, 5->3, 7->4, 8->5, 9->6, 11->7, 12->8, 15->9, 20->10
    # W- = 2 + 1 = 3, W+ = 55 - 3 = 52. Sign patterns with W- <= 3: {}, {1}, {2}, {3}, {1, 2}
    # -> P(W+ >= 52) = 5 / 1024; two-sided p = 10 / 1024 = 0.009765625
    assert out["n_pairs"] == 10
    assert out["wilcoxon_method"] == "exact"
    assert out["n_zero_change"] == 0
    assert (out["w_plus"], out["w_minus"]) == (52.0, 3.0)
    assert out["p_wilcoxon"] == pytest.approx(10 / 1024, rel=1e-12)
    assert out["r_rank_biserial"] == pytest.approx(49 / 55, rel=1e-12)
    ttest = stats.ttest_rel(np.array(POST_10, float), np.array(PRE_10, float))
    assert out["p_t"] == pytest.approx(ttest.pvalue, rel=1e-9)
    assert out["note"] is None


def test_thirteen_pairs_with_ties_take_the_permutation_and_fourteen_the_normal_approximation():
    d13 = np.array([10, 10, -10, 20, 20, 5, 5, 5, -5, 15, 0, 25, 30], float)
    out13 = paired.summarize(pairs(np.full(13, 40.0), 40 + d13))
    assert out13["wilcoxon_method"] == "permutation"
    assert out13["p_wilcoxon"] == pytest.approx(signed_rank_by_enumeration(d13)[1], rel=1e-9)

    d14 = np.append(d13, 10.0)
    out14 = paired.summarize(pairs(np.full(14, 40.0), 40 + d14))
    assert out14["wilcoxon_method"] == "normal approximation"
    # by hand: 13 nonzero |d|: 5 x4 (mid 2.5), 10 x4 (6.5), 15 (9), 20 x2 (10.5), 25 (12), 30 (13)
    # W- = 2.5 (-5) + 6.5 (-10) = 9; W+ = 91 - 9 = 82
    # var = 13 * 14 * 27 / 24 - (60 + 60 + 6) / 48 = 204.75 - 2.625 = 202.125
    z = (82 - 13 * 14 / 4) / math.sqrt(202.125)
    assert out14["w_plus"] == 82.0
    assert out14["z_wilcoxon"] == pytest.approx(z, rel=1e-12)
    assert out14["p_wilcoxon"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-12)
    assert out14["p_wilcoxon"] == pytest.approx(stats.wilcoxon(d14).pvalue, rel=1e-12)


def test_more_than_fifty_pairs_use_the_normal_approximation_with_tie_correction():
    d = POST_60 - PRE_60
    assert (d == 0).any() and len(np.unique(np.abs(d))) < len(d)  # the fixture has zeros and ties
    out = paired.summarize(pairs(PRE_60, POST_60))
    assert out["wilcoxon_method"] == "normal approximation"
    assert out["n_zero_change"] == int((d == 0).sum())
    greater = stats.wilcoxon(d, zero_method="wilcox", alternative="greater")  # statistic = W+
    two_sided = stats.wilcoxon(d, zero_method="wilcox", method="asymptotic")
    assert out["w_plus"] == pytest.approx(greater.statistic, rel=1e-12, abs=1e-12)
    assert out["p_wilcoxon"] == pytest.approx(two_sided.pvalue, rel=1e-12, abs=1e-12)
    assert abs(out["z_wilcoxon"]) == pytest.approx(abs(two_sided.zstatistic), rel=1e-12)
    # the same with the textbook formula
    nz = d[d != 0]
    m = len(nz)
    _, t = np.unique(np.abs(nz), return_counts=True)
    var = m * (m + 1) * (2 * m + 1) / 24 - (t**3 - t).sum() / 48
    w_plus = stats.rankdata(np.abs(nz))[nz > 0].sum()
    z = (w_plus - m * (m + 1) / 4) / math.sqrt(var)
    assert out["z_wilcoxon"] == pytest.approx(z, rel=1e-12)
    assert out["p_wilcoxon"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-12)
    ttest = stats.ttest_rel(POST_60, PRE_60)
    assert out["p_t"] == pytest.approx(ttest.pvalue, rel=1e-9)


@pytest.mark.parametrize(
    "pre, post",
    [
        (PRE_12, POST_12),
        (PRE_10, POST_10),
        (PRE_60, POST_60),
        ([30, 40, 50, 60, 70, 30, 40, 50, 60, 70, 80, 90], [40, 50, 60, 70, 80] * 2 + [90, 100]),
        ([40, 60], [50, 90]),
    ],
    ids=["permutation", "exact", "normal", "same-change", "two-pairs"],
)
def test_raw_rows_give_the_same_figures_as_the_compressed_histogram(pre, post):
    same_figures(paired.summarize(pairs(pre, post)), paired.summarize(pairs(pre, post, False)))


def test_rows_with_a_zero_count_or_a_missing_score_are_left_out():
    hist = pairs(PRE_12, POST_12)
    extra = pd.DataFrame({"pre_pct": [10.0, 20.0], "post_pct": [NAN, 90.0], "n_learners": [3, 0]})
    same_figures(
        paired.summarize(pd.concat([hist, extra], ignore_index=True)), paired.summarize(hist)
    )


def test_every_learner_gaining_the_same_amount_has_no_t_test_or_dz():
    pre = [30, 40, 50, 60, 70, 30, 40, 50, 60, 70, 80, 90]
    out = paired.summarize(pairs(pre, np.add(pre, 10)))
    assert out["mean_change_pp"] == 10.0
    assert out["sd_change_pp"] == 0.0
    for field in ("t_stat", "p_t", "ci_low_pp", "ci_high_pp", "dz", "dz_ci_low", "dz_ci_high"):
        assert math.isnan(out[field]), field
    assert out["note"] == "every learner changed by the same amount: no t-test or dz"
    # all 12 changes positive and tied: W+ = 78 is reached by 1 of 2^12 sign patterns -> 2 / 4096
    assert out["w_plus"] == 78.0
    assert out["p_wilcoxon"] == pytest.approx(2 / 4096, rel=1e-9)
    assert out["r_rank_biserial"] == 1.0
    # d_av still defined: 10 / sd(pre) since sd(post) = sd(pre)
    assert out["d_av"] == pytest.approx(10 / np.std(pre, ddof=1), rel=1e-12)


def test_eleven_learners_all_moving_from_a_third_to_two_thirds_have_no_spread():
    # 1 of 3 questions right before, 2 of 3 after, for every learner: every score and every
    # change is the same float, so every SD is 0 by definition, and there is no t-test, no dz and
    # no d_av (0 / 0). Raw rows must agree with the one-row histogram. (Summing 11 copies of
    # 100/3 is not exact in floating point, so an SD computed naively comes out near 1e-14.)
    pre, post = [100 / 3] * 11, [200 / 3] * 11
    assert len(set(np.subtract(post, pre))) == 1
    for compress in (True, False):
        out = paired.summarize(pairs(pre, post, compress))
        assert out["sd_change_pp"] == pytest.approx(0.0, abs=1e-9), compress
        assert out["sd_pre_pct"] == pytest.approx(0.0, abs=1e-9), compress
        assert math.isnan(out["p_t"]) and math.isnan(out["dz"]), compress
        assert math.isnan(out["d_av"]), compress
        assert out["p_wilcoxon"] == pytest.approx(2 / 2048, rel=1e-9)  # 11 tied positive changes


def test_a_module_where_no_learners_score_changed_has_no_tests_at_all():
    pre = [30, 40, 50, 60, 70, 30, 40, 50, 60, 70, 80, 90]
    out = paired.summarize(pairs(pre, pre))
    assert out["mean_change_pp"] == 0.0 and out["sd_change_pp"] == 0.0
    assert out["n_zero_change"] == 12
    assert out["wilcoxon_method"] is None
    for field in ("w_plus", "w_minus", "z_wilcoxon", "p_wilcoxon", "r_rank_biserial", "p_t"):
        assert math.isnan(out[field]), field
    assert out["note"] == (
        "every learner changed by the same amount: no t-test or dz; "
        "no learner's score changed: no signed-rank test"
    )
    assert out["hake_g"] == 0.0 and out["hake_band"] == "low"  # 0 / (100 - 55)


def test_one_pair_gives_means_but_no_spread():
    out = paired.summarize(pairs([40], [70]))
    assert out["n_pairs"] == 1
    assert (out["mean_pre_pct"], out["mean_post_pct"], out["mean_change_pp"]) == (40, 70, 30)
    assert out["hake_g"] == pytest.approx(0.5)  # 30 / 60
    assert out["hake_band"] == "medium"
    for field in ("sd_pre_pct", "sd_change_pp", "df", "d_av", "p_t", "p_wilcoxon"):
        assert math.isnan(out[field]), field
    assert out["note"] == "one pair: no spread"


def test_two_pairs_give_means_and_spread_but_no_test():
    out = paired.summarize(pairs([40, 60], [50, 90]))
    # d = 10, 30: mean 20, sd = sqrt(((-10)^2 + 10^2) / 1) = sqrt(200)
    assert out["mean_change_pp"] == 20.0
    assert out["sd_change_pp"] == pytest.approx(math.sqrt(200))
    # sd pre = sqrt(200), sd post = sqrt(800) = 2 sqrt(200);
    # d_av = 20 / ((sqrt 200 + 2 sqrt 200) / 2) = 40 / (3 sqrt 200)
    assert out["d_av"] == pytest.approx(40 / (3 * math.sqrt(200)))
    assert out["df"] == 1
    for field in ("t_stat", "p_t", "ci_low_pp", "p_wilcoxon", "n_zero_change", "dz"):
        assert math.isnan(out[field]), field
    assert out["wilcoxon_method"] is None
    assert out["note"] == "fewer than 10 pairs: no test"


def test_nine_pairs_are_one_short_of_a_test():
    out = paired.summarize(pairs(PRE_10[:9], POST_10[:9]))
    assert out["n_pairs"] == 9
    assert out["mean_change_pp"] == pytest.approx(np.mean(D_10[:9]))
    assert out["sd_change_pp"] == pytest.approx(np.std(D_10[:9], ddof=1), rel=1e-12)
    assert out["df"] == 8
    assert math.isnan(out["p_t"]) and math.isnan(out["p_wilcoxon"])
    assert out["note"] == "fewer than 10 pairs: no test"


def test_a_module_without_post_tests_has_no_pairs():
    empty = pd.DataFrame({"pre_pct": [], "post_pct": [], "n_learners": []})
    pre_only = pd.DataFrame({"pre_pct": [40.0, 55.0], "post_pct": [NAN, NAN], "n_learners": [7, 5]})
    for hist in (empty, pre_only):
        out = paired.summarize(hist)
        assert out["n_pairs"] == 0
        assert out["note"] == "no matched pairs"
        assert math.isnan(out["mean_pre_pct"]) and math.isnan(out["hake_g"])
        assert out["hake_band"] is None and out["wilcoxon_method"] is None


def test_everyone_at_100_on_the_pretest_has_no_hake_gain():
    post = [100, 100, 90, 100, 80, 100, 100, 90, 100, 100, 70, 100]
    out = paired.summarize(pairs([100] * 12, post))
    assert math.isnan(out["hake_g"])
    assert out["hake_band"] is None
    assert out["note"] == "everyone scored 100 on the pre-test: no room to gain"
    # the tests still run: d = post - 100
    d = np.subtract(post, 100.0)
    assert out["p_t"] == pytest.approx(stats.ttest_1samp(d, 0).pvalue, rel=1e-9)
    assert out["p_wilcoxon"] == pytest.approx(signed_rank_by_enumeration(d)[1], rel=1e-9)
    assert out["n_zero_change"] == 8


def test_one_learner_at_100_on_the_pretest_gets_both_notes():
    out = paired.summarize(pairs([100], [90]))
    assert (
        out["note"] == "everyone scored 100 on the pre-test: no room to gain; one pair: no spread"
    )


@pytest.mark.parametrize(
    "pre, post, g, band",
    [
        (30, 51, 0.3, "medium"),  # (51 - 30) / 70 = 0.3: the lower edge of medium
        (30, 50, 20 / 70, "low"),
        (0, 70, 0.7, "high"),  # 70 / 100 = 0.7: the lower edge of high
        (0, 69, 0.69, "medium"),
        (50, 40, -0.2, "low"),  # a loss is low
        (20, 100, 1.0, "high"),
    ],
)
def test_hake_bands_at_their_boundaries(pre, post, g, band):
    out = paired.summarize(pairs([pre], [post]))
    assert out["hake_g"] == pytest.approx(g, rel=1e-12)
    assert out["hake_band"] == band


def test_hake_band_of_the_rules_module():
    # low < 0.3 <= medium < 0.7 <= high; NaN has no band
    assert rules.hake_band(0.2999999) == "low"
    assert rules.hake_band(0.3) == "medium"
    assert rules.hake_band(0.6999999) == "medium"
    assert rules.hake_band(0.7) == "high"
    assert rules.hake_band(-1.0) == "low"
    assert rules.hake_band(NAN) is None


def test_dz_interval_puts_the_observed_t_at_the_outer_2_5_percent_points():
    out = paired.summarize(pairs(PRE_12, POST_12))
    n, t = 12, out["t_stat"]
    lo, hi = out["dz_ci_low"], out["dz_ci_high"]
    assert lo < out["dz"] < hi
    assert stats.nct.cdf(t, n - 1, lo * math.sqrt(n)) == pytest.approx(0.975, abs=1e-9)
    assert stats.nct.cdf(t, n - 1, hi * math.sqrt(n)) == pytest.approx(0.025, abs=1e-9)


@pytest.mark.parametrize("t, n", [(2.0, 10), (0.0, 10), (10.0, 3), (-10.0, 3), (30.0, 10)])
def test_dz_interval_defining_property_far_from_the_first_guess(t, n):
    # (10, 3) and (-10, 3) have limits outside the first bracket t +/- (2 + |t| / 2)
    lo, hi = paired.dz_interval(t, n)
    assert stats.nct.cdf(t, n - 1, lo * math.sqrt(n)) == pytest.approx(0.975, abs=1e-9)
    assert stats.nct.cdf(t, n - 1, hi * math.sqrt(n)) == pytest.approx(0.025, abs=1e-9)
    # the interval of -t is the mirror image
    mlo, mhi = paired.dz_interval(-t, n)
    assert (mlo, mhi) == pytest.approx((-hi, -lo), rel=1e-8, abs=1e-9)


def test_by_group_summarizes_each_module_on_its_own():
    a = pairs(PRE_12, POST_12).assign(module_id="a")
    b = pairs(PRE_10, POST_10).assign(module_id="b")
    table = paired.by_group(pd.concat([b, a], ignore_index=True), ["module_id"])
    assert list(table.columns) == ["module_id", *paired.FIELDS]
    assert table["module_id"].tolist() == ["a", "b"]
    for (_, row), fixture in zip(table.iterrows(), (a, b), strict=True):
        expected = paired.summarize(fixture)
        same_figures({k: row[k] for k in paired.FIELDS}, expected)


def test_by_group_with_two_keys():
    a = pairs(PRE_12, POST_12).assign(hospital="h1", module_id="m1")
    b = pairs(PRE_10, POST_10).assign(hospital="h1", module_id="m2")
    table = paired.by_group(pd.concat([a, b]), ["hospital", "module_id"])
    assert table[["hospital", "module_id", "n_pairs"]].values.tolist() == [
        ["h1", "m1", 12],
        ["h1", "m2", 10],
    ]


# ------------------------------------------------------------------------------------- multiple


def test_holm_leaves_untested_modules_out_of_the_family():
    p = [0.01, NAN, 0.04, 0.03, 0.005, NAN]
    # tested, sorted: 0.005 x4 = 0.02; 0.01 x3 = 0.03; 0.03 x2 = 0.06; 0.04 x1 = 0.04 -> max 0.06
    expected = [0.03, NAN, 0.06, 0.06, 0.02, NAN]
    np.testing.assert_allclose(multiple.holm(p), expected, rtol=1e-12)
    np.testing.assert_allclose(multiple.holm(p), holm_loop(p), rtol=1e-12)


def test_holm_caps_at_one_and_keeps_ties_in_order():
    p = [0.4, 0.2, 0.2, 0.9]
    # 0.2 x4 = 0.8; 0.2 x3 = 0.6 -> 0.8; 0.4 x2 = 0.8; 0.9 x1 = 0.9
    np.testing.assert_allclose(multiple.holm(p), [0.8, 0.8, 0.8, 0.9], rtol=1e-12)
    # 0.6 x2 = 1.2 -> 1; 0.7 x1 = 0.7 -> running max 1
    np.testing.assert_allclose(multiple.holm([0.6, 0.7]), [1.0, 1.0], rtol=1e-12)
    np.testing.assert_allclose(multiple.holm([0.6, 0.7]), holm_loop([0.6, 0.7]), rtol=1e-12)


def test_holm_of_no_tests_is_all_nan():
    assert np.isnan(multiple.holm([NAN, NAN])).all()
    assert multiple.holm([]).shape == (0,)


def test_benjamini_hochberg_matches_scipy_and_the_hand_computation():
    p = [0.01, 0.04, 0.03, 0.005]
    # sorted 0.005, 0.01, 0.03, 0.04 times m / rank = 4/1, 4/2, 4/3, 4/4: 0.02, 0.02, 0.04, 0.04
    # running minimum from the largest: 0.04, 0.04, 0.02, 0.02
    np.testing.assert_allclose(multiple.benjamini_hochberg(p), [0.02, 0.04, 0.04, 0.02])
    np.testing.assert_allclose(
        multiple.benjamini_hochberg(p), stats.false_discovery_control(p), rtol=1e-12
    )


def test_benjamini_hochberg_leaves_nan_out_of_the_family():
    out = multiple.benjamini_hochberg([0.01, NAN, 0.04])
    # m = 2: 0.01 x 2 = 0.02; 0.04 x 1 = 0.04
    np.testing.assert_allclose(out, [0.02, NAN, 0.04], rtol=1e-12)
    assert np.isnan(multiple.benjamini_hochberg([NAN])).all()


# -------------------------------------------------------------------------------------- compare

GROUP_A = [55, 60, 62, 48, 70, 66, 58, 61, 59, 72, 50, 64]  # 12 learners
GROUP_B = [45, 50, 52, 58, 40, 61, 47, 49, 55, 60, 42, 44, 53, 51, 50]  # 15 learners


def groups(a, b, compress=True, value="score"):
    return histogram(compress, **{value: [*a, *b], "is_a": [1] * len(a) + [0] * len(b)})


def test_welch_comparison_matches_scipy_ttest_ind():
    a, b = np.array(GROUP_A, float), np.array(GROUP_B, float)
    out = compare.two_groups(groups(a, b), "score", "is_a")
    ref = stats.ttest_ind(a, b, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert (out["n_a"], out["n_b"]) == (12, 15)
    assert out["mean_a"] == pytest.approx(a.mean()) and out["mean_b"] == pytest.approx(b.mean())
    assert out["sd_a"] == pytest.approx(a.std(ddof=1)) and out["sd_b"] == pytest.approx(
        b.std(ddof=1)
    )
    assert out["diff"] == pytest.approx(a.mean() - b.mean(), rel=1e-12)
    assert out["t_stat"] == pytest.approx(ref.statistic, rel=1e-12)
    assert out["df"] == pytest.approx(ref.df, rel=1e-12)
    assert out["p"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert (out["ci_low"], out["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-12)
    pooled = math.sqrt((11 * a.var(ddof=1) + 14 * b.var(ddof=1)) / 25)
    assert out["smd"] == pytest.approx((a.mean() - b.mean()) / pooled, rel=1e-12)
    assert out["note"] is None
    same_figures(out, compare.two_groups(groups(a, b, False), "score", "is_a"))


def test_a_group_of_eleven_is_compared():
    out = compare.two_groups(groups(GROUP_A[:11], GROUP_B[:11]), "score", "is_a")
    ref = stats.ttest_ind(GROUP_A[:11], GROUP_B[:11], equal_var=False)
    assert out["p"] == pytest.approx(ref.pvalue, rel=1e-9)


@pytest.mark.parametrize("n_a, n_b, small", [(10, 15, "a"), (12, 10, "b"), (1, 3, "ab")])
def test_groups_below_eleven_learners_are_withheld(n_a, n_b, small):
    a, b = GROUP_A[:n_a], GROUP_B[:n_b]
    out = compare.two_groups(groups(a, b), "score", "is_a")
    assert (out["n_a"], out["n_b"]) == (n_a, n_b)
    for g, values in (("a", a), ("b", b)):
        if g in small:
            assert math.isnan(out[f"mean_{g}"]) and math.isnan(out[f"sd_{g}"])
        else:
            assert out[f"mean_{g}"] == pytest.approx(np.mean(values))
    for field in ("diff", "ci_low", "ci_high", "t_stat", "df", "p", "smd"):
        assert math.isnan(out[field]), field
    assert out["note"] == "fewer than 11 learners in a group: no comparison"


def test_two_groups_without_spread_have_a_difference_but_no_test():
    out = compare.two_groups(groups([60] * 12, [50] * 11), "score", "is_a")
    assert out["diff"] == 10.0 and out["sd_a"] == 0.0 and out["sd_b"] == 0.0
    for field in ("ci_low", "ci_high", "t_stat", "df", "p", "smd"):
        assert math.isnan(out[field]), field
    assert out["note"] == "no spread in either group: no test"


@pytest.mark.filterwarnings("ignore:Precision loss occurred")  # scipy, on the constant group
def test_one_group_without_spread_is_still_tested():
    out = compare.two_groups(groups([60] * 12, GROUP_B), "score", "is_a")
    ref = stats.ttest_ind([60.0] * 12, GROUP_B, equal_var=False)
    assert out["p"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert out["df"] == pytest.approx(14.0)  # all variance from b: df = n_b - 1


def test_missing_values_and_empty_rows_are_not_counted():
    hist = groups(GROUP_A, GROUP_B)
    extra = pd.DataFrame({"score": [NAN, 99.0], "is_a": [1.0, 0.0], "n_learners": [4, 0]})
    same_figures(
        compare.two_groups(pd.concat([hist, extra]), "score", "is_a"),
        compare.two_groups(hist, "score", "is_a"),
    )


def test_share_of_nothing_is_undefined():
    assert compare.share(3, 12) == 25.0
    assert math.isnan(compare.share(0, 0))


# ------------------------------------------------------------------------------------ retention


def followup_hist(pre, post, fu, compress=True):
    return histogram(compress, pre_pct=pre, post_pct=post, fu_pct=fu)


_rng = np.random.default_rng(7)
R_PRE = _rng.integers(30, 70, size=36).astype(float)
R_POST = R_PRE + _rng.integers(5, 35, size=36)
R_FU = np.where(np.arange(36) < 24, R_PRE + _rng.integers(0, 30, size=36), np.nan)


def test_retention_of_a_typical_module():
    out = retention.retention(followup_hist(R_PRE, R_POST, R_FU))
    resp = ~np.isnan(R_FU)
    pre, post, fu = R_PRE[resp], R_POST[resp], R_FU[resp]
    assert (out["n_eligible"], out["n_followup"]) == (36, 24)
    assert out["response_rate_pct"] == pytest.approx(100 * 24 / 36)
    assert out["mean_pre_pct"] == pytest.approx(pre.mean(), rel=1e-12)
    assert out["mean_post_pct"] == pytest.approx(post.mean(), rel=1e-12)
    assert out["mean_followup_pct"] == pytest.approx(fu.mean(), rel=1e-12)
    for prefix, base in (("fu_vs_pre", pre), ("fu_vs_post", post)):
        ref = stats.ttest_rel(fu, base)
        ci = ref.confidence_interval(0.95)
        assert out[f"{prefix}_mean_change_pp"] == pytest.approx((fu - base).mean(), rel=1e-12)
        assert out[f"{prefix}_ci_low_pp"] == pytest.approx(ci.low, rel=1e-12)
        assert out[f"{prefix}_ci_high_pp"] == pytest.approx(ci.high, rel=1e-12)
        assert out[f"{prefix}_p_t"] == pytest.approx(ref.pvalue, rel=1e-9)
    ratio = (fu.mean() - pre.mean()) / (post.mean() - pre.mean())
    assert out["retention_ratio"] == pytest.approx(ratio, rel=1e-12)
    # bias check: post-test of responders (a) against non-responders (b), Welch
    ref = stats.ttest_ind(post, R_POST[~resp], equal_var=False)
    assert (out["bias_n_a"], out["bias_n_b"]) == (24, 12)
    assert out["bias_diff"] == pytest.approx(post.mean() - R_POST[~resp].mean(), rel=1e-12)
    assert out["bias_p"] == pytest.approx(ref.pvalue, rel=1e-9)
    same_figures(out, retention.retention(followup_hist(R_PRE, R_POST, R_FU, False)))


PRE_11 = [40, 50, 60, 40, 50, 60, 40, 50, 60, 50, 50]  # sum 550, mean 50
FU_11 = np.add(PRE_11, [0, 1, 2, 3, 4, 2, 2, 2, 2, 2, 2])  # mean 50 + 22 / 11 = 52


def test_retention_ratio_is_given_when_the_gain_is_exactly_five_points():
    post = np.add(PRE_11, 5)  # mean 55: gain 5.0
    # follow-up mean 52: ratio (52 - 50) / (55 - 50) = 0.4
    out = retention.retention(followup_hist(PRE_11, post, FU_11))
    assert out["response_rate_pct"] == 100.0
    assert out["retention_ratio"] == pytest.approx(0.4, rel=1e-12)


def test_retention_ratio_is_withheld_below_five_points_of_gain():
    out = retention.retention(followup_hist(PRE_11, np.add(PRE_11, 4.9), FU_11))
    assert out["mean_post_pct"] - out["mean_pre_pct"] == pytest.approx(4.9)
    assert math.isnan(out["retention_ratio"])
    out = retention.retention(followup_hist(PRE_11, np.add(PRE_11, -10), FU_11))  # a loss
    assert math.isnan(out["retention_ratio"])


def test_response_rate_is_withheld_when_responders_are_one_to_ten():
    fu = np.where(np.arange(36) < 5, R_FU, np.nan)  # 5 responders, 31 not
    out = retention.retention(followup_hist(R_PRE, R_POST, fu))
    assert out["n_eligible"] == 36
    assert math.isnan(out["n_followup"]) and math.isnan(out["response_rate_pct"])
    for field in ("mean_pre_pct", "mean_followup_pct", "fu_vs_pre_p_t", "retention_ratio"):
        assert math.isnan(out[field]), field
    assert math.isnan(out["bias_diff"])


def test_response_rate_is_withheld_when_non_responders_are_one_to_ten():
    fu = np.where(np.arange(36) < 30, R_PRE + 3, np.nan)  # 30 responders, 6 not
    out = retention.retention(followup_hist(R_PRE, R_POST, fu))
    assert out["n_eligible"] == 36
    assert math.isnan(out["n_followup"]) and math.isnan(out["response_rate_pct"])
    # figures on responders go out with their n, which is withheld, so they are withheld too
    for field in ("mean_pre_pct", "mean_followup_pct", "fu_vs_pre_mean_change_pp"):
        assert math.isnan(out[field]), field


def test_a_withheld_follow_up_count_cannot_be_read_off_the_bias_check():
    # retention.py: counts split within a cell are released only when each part is 0 or >= 11.
    # With 30 of 36 responding the split is withheld, so no released figure may carry 30 or 6.
    fu = np.where(np.arange(36) < 30, R_PRE + 3, np.nan)
    out = retention.retention(followup_hist(R_PRE, R_POST, fu))
    leaked = {k: v for k, v in out.items() if k != "n_eligible" and v in (30, 6)}
    assert leaked == {}


def test_no_follow_up_responses():
    out = retention.retention(followup_hist(R_PRE, R_POST, [NAN] * 36))
    assert (out["n_followup"], out["response_rate_pct"]) == (0, 0.0)  # a part of 0 is released
    assert math.isnan(out["mean_followup_pct"]) and math.isnan(out["retention_ratio"])


def test_attrition_share_and_bias_check():
    pre = np.array(GROUP_A + GROUP_B, float)
    has_post = np.array([0] * 12 + [1] * 15)
    out = retention.attrition(histogram(pre_pct=pre, has_post=has_post))
    assert out["n_pretest"] == 27
    assert out["n_without_post"] == 12
    assert out["attrition_pct"] == pytest.approx(100 * 12 / 27)
    # bias: pre-test of those without a post-test (a) against those with one (b)
    ref = stats.ttest_ind(pre[:12], pre[12:], equal_var=False)
    assert out["bias_diff"] == pytest.approx(pre[:12].mean() - pre[12:].mean(), rel=1e-12)
    assert out["bias_p"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert out["bias_ci_low"] == pytest.approx(ref.confidence_interval().low, rel=1e-12)
    same_figures(out, retention.attrition(histogram(False, pre_pct=pre, has_post=has_post)))


@pytest.mark.parametrize("dropped, kept", [(4, 20), (20, 4)])
def test_attrition_is_withheld_when_a_part_is_one_to_ten(dropped, kept):
    pre = np.arange(dropped + kept, dtype=float) + 40
    hist = histogram(pre_pct=pre, has_post=[0] * dropped + [1] * kept)
    out = retention.attrition(hist)
    assert out["n_pretest"] == dropped + kept
    assert math.isnan(out["n_without_post"]) and math.isnan(out["attrition_pct"])


def test_a_withheld_dropout_count_cannot_be_read_off_the_bias_check():
    # same rule as the follow-up split: 4 of 24 without a post-test is withheld
    hist = histogram(pre_pct=np.arange(24.0) + 40, has_post=[0] * 4 + [1] * 20)
    out = retention.attrition(hist)
    leaked = {k: v for k, v in out.items() if k != "n_pretest" and v in (4, 20)}
    assert leaked == {}


def test_no_dropouts_is_released_as_zero():
    out = retention.attrition(histogram(pre_pct=GROUP_B, has_post=[1] * 15))
    assert (out["n_without_post"], out["attrition_pct"]) == (0, 0.0)


# ------------------------------------------------------------------------------------- readings

CAVEAT = (
    "Without a comparison group this shows change after training, not that the module alone "
    "caused it."
)


def test_reading_of_a_typical_gain():
    assert readings.gain(24.3, 21.2, 27.4, 1412, 0.0001) == (
        "Staff scored 24 percentage points higher after the module (95% CI 21 to 27; n = 1,412). "
        "A change this large would be very unlikely by chance. " + CAVEAT
    )


def test_reading_of_a_negative_change():
    assert readings.gain(-6.4, -9.8, -3.1, 50, 0.01, what="module 3") == (
        "Staff scored 6 percentage points lower after module 3 (95% CI −10 to −3; n = 50). "
        "A change this large would be unlikely by chance alone. " + CAVEAT
    )


def test_reading_of_a_change_that_could_be_chance():
    assert readings.gain(2.0, -1.5, 5.5, 40, 0.2) == (
        "Staff scored 2 percentage points higher after the module (95% CI −2 to 6; n = 40). "
        "A change this size could well be chance. " + CAVEAT
    )


def test_reading_without_a_test_or_interval():
    # n = 9: a mean change but no p and no CI
    assert readings.gain(4.0, NAN, NAN, 9, NAN) == (
        "Staff scored 4 percentage points higher after the module (n = 9). "
        "Too few learners, or too little variation, for a test. " + CAVEAT
    )


def test_reading_with_a_p_value_but_no_interval():
    # every learner changed by 10: no t interval, but the signed-rank p exists
    assert readings.gain(10.0, NAN, NAN, 12, 2 / 4096) == (
        "Staff scored 10 percentage points higher after the module (n = 12). "
        "A change this large would be very unlikely by chance. " + CAVEAT
    )


def test_reading_without_a_change():
    assert readings.gain(NAN, NAN, NAN, 0, NAN) == (
        "Not enough matched learners to describe the change (n = 0)."
    )


def test_reading_at_the_significance_boundary():
    assert readings.chance(0.05) == "A change this size could well be chance."
    assert readings.chance(0.001) == "A change this large would be unlikely by chance alone."
    assert readings.chance(0.000999) == "A change this large would be very unlikely by chance."


def test_a_bound_that_rounds_to_zero_is_not_written_as_minus_zero():
    text = readings.gain(3.0, -0.3, 6.3, 20, 0.08)
    assert "95% CI 0 to 6;" in text


def test_retention_readings():
    assert readings.retention(0.4, 52.0, 50.0, 55.0, 1234) == (
        "At follow-up, responders scored 52% on average, against 50% before and 55% right after "
        "the module (n = 1,234). They kept 40% of their gain."
    )
    assert readings.retention(NAN, 52.0, 50.0, 54.0, 11) == (
        "At follow-up, responders scored 52% on average, against 50% before and 54% right after "
        "the module (n = 11). The gain was under 5 points, so no share of it is given."
    )
    assert readings.retention(NAN, NAN, NAN, NAN, 5) == (
        "Too few follow-up responses to describe retention."
    )


def test_bias_readings():
    what_a, what_b = "learners without a post-test", "those with one"
    assert readings.bias(-8.2, 0.01, what_a, what_b, "pre-test", 120, 1400) == (
        "Learners without a post-test scored 8 percentage points lower on the pre-test than "
        "those with one (n = 120 and 1,400): a difference this large would be unlikely by "
        "chance, so the matched learners may not represent everyone who started."
    )
    assert readings.bias(3.4, 0.3, "responders", "non-responders", "post-test", 40, 25) == (
        "Responders scored 3 percentage points higher on the post-test than non-responders "
        "(n = 40 and 25): no clear difference."
    )
    assert readings.bias(NAN, NAN, what_a, what_b, "pre-test", 4, 20) == (
        "Too few learners without a post-test to compare with those with one."
    )


def test_a_bias_reading_without_a_p_value_says_there_was_no_test():
    text = readings.bias(-5.0, float("nan"), "dropouts", "completers", "pre-test", 12, 40)
    assert text == (
        "Dropouts scored 5 percentage points lower on the pre-test than completers "
        "(n = 12 and 40): too little variation for a test."
    )


def test_the_dz_interval_falls_back_to_the_large_sample_formula_where_scipy_gives_nan():
    # n = 10000, t = 60: scipy's nct.cdf is NaN in the far tail the bracketing visits
    n, t = 10_000, 60.0
    dz = t / n**0.5  # 0.6
    half = 1.959963984540054 * (1 / n + dz**2 / (2 * n)) ** 0.5
    assert paired.dz_interval(t, n) == pytest.approx((dz - half, dz + half), rel=1e-12)


def test_the_large_sample_dz_interval_agrees_with_the_noncentral_t_where_both_work():
    n, t = 1000, 30.0
    dz = t / n**0.5
    half = 1.959963984540054 * (1 / n + dz**2 / (2 * n)) ** 0.5
    lo, hi = paired.dz_interval(t, n)
    assert lo == pytest.approx(dz - half, abs=1e-3)
    assert hi == pytest.approx(dz + half, abs=1e-3)


def test_a_summary_without_effect_sizes_keeps_the_t_figures_and_leaves_out_ranks_and_dz_ci():
    pre = np.array([50.0, 60, 70, 40, 80, 60, 50, 70, 90, 30, 60])
    post = pre + np.array([10.0, 20, 0, 30, 10, 10, 20, 0, 10, 40, 20])
    h = pd.DataFrame({"pre_pct": pre, "post_pct": post, "n_learners": 1})
    full, short = paired.summarize(h), paired.summarize(h, full=False)
    t = stats.ttest_rel(post, pre)
    assert short["p_t"] == pytest.approx(t.pvalue, rel=1e-12) == full["p_t"]
    assert short["n_zero_change"] == 2 and short["dz"] == full["dz"]
    assert math.isnan(short["p_wilcoxon"]) and math.isnan(short["dz_ci_low"])
    assert short["wilcoxon_method"] is None and short["note"] is None


def test_retention_over_all_pairs_uses_the_eligible_and_withholds_a_small_ineligible_part():
    # 20 matched learners: 15 eligible (all 15 responded), 5 not yet eligible.
    # 5 not-eligible learners are a part of 1-10: neither the eligible count nor anything
    # resting on the eligible learners may be shown (gains n - eligible n would give 5 away).
    rows = [(60.0, 80.0, 70.0, True)] * 15 + [(50.0, 90.0, None, False)] * 5
    h = pd.DataFrame(rows, columns=["pre_pct", "post_pct", "fu_pct", "is_followup_eligible"])
    h["n_learners"] = 1
    out = retention.retention(h)
    assert math.isnan(out["n_eligible"]) and math.isnan(out["response_rate_pct"])
    assert math.isnan(out["mean_followup_pct"]) and math.isnan(out["retention_ratio"])
    # 11 not yet eligible instead: everything about the 15 eligible responders is shown
    h2 = pd.concat([h, h.tail(1).assign(n_learners=6)], ignore_index=True)
    out = retention.retention(h2)
    assert out["n_eligible"] == 15 and out["response_rate_pct"] == 100.0
    assert out["mean_followup_pct"] == 70.0
    assert out["retention_ratio"] == pytest.approx((70 - 60) / (80 - 60))


@pytest.mark.parametrize("seed", range(40))
def test_the_counted_permutation_p_equals_scipys_enumeration_of_every_sign(seed):
    # 2 to 13 pairs on a coarse score grid, so ties and zero changes are common
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 14))
    pre = rng.choice(np.arange(0, 101, 20), n).astype(float)
    post = rng.choice(np.arange(0, 101, 20), n).astype(float)
    d = post - pre
    out = paired.summarize(pairs(pre, post))
    if n < 10 or (d == 0).all():
        assert np.isnan(out["p_wilcoxon"])
        return
    expected = stats.wilcoxon(d, zero_method="wilcox").pvalue
    if out["wilcoxon_method"] == "permutation":
        assert out["p_wilcoxon"] == pytest.approx(signed_rank_by_enumeration(d)[1], rel=1e-9)
    assert out["p_wilcoxon"] == pytest.approx(expected, rel=1e-12)
