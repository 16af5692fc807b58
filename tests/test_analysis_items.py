"""Per-item change (McNemar, Benjamini-Hochberg, gaps) and Moodle's item analysis (facility, SD,
discrimination, discriminative efficiency, Cronbach alpha, error ratio, standard error), each
checked on a tiny fixture against a value worked out without the code under test: by hand
(arithmetic in the comments), or by numpy/scipy on the learner x item matrix.
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import items, quality

NAN = math.nan


# ------------------------------------------------------------------------- items.item_change


def item_rows(module, item, improved, worsened, both_right, both_wrong):
    """One raw row per learner: (module, item, correct before, correct after)."""
    cells = (
        [(False, True)] * improved
        + [(True, False)] * worsened
        + [(True, True)] * both_right
        + [(False, False)] * both_wrong
    )
    return [(module, item, pre, post) for pre, post in cells]


def item_hist(rows, compress=True) -> pd.DataFrame:
    raw = pd.DataFrame(rows, columns=["module_id", "item_id", "is_correct_pre", "is_correct_post"])
    if not compress:
        return raw.assign(n_learners=1)
    return raw.groupby(list(raw.columns)).size().reset_index(name="n_learners")


def mcnemar_by_hand(b, c):
    """Exact two-sided McNemar: 2 P(X <= min(b, c)), X ~ Binomial(b + c, 1/2), capped at 1."""
    n = b + c
    return min(1.0, 2 * sum(math.comb(n, k) for k in range(min(b, c) + 1)) / 2**n)


MODULE_1 = [
    # item 1: 8 improved, 1 worsened, 2 right both times, 1 wrong both times (12 learners)
    *item_rows("m1", "i1", 8, 1, 2, 1),
    # item 2: 3 improved, 3 worsened, 4 right, 2 wrong
    *item_rows("m1", "i2", 3, 3, 4, 2),
    # item 3: all 12 right both times: no discordant pair
    *item_rows("m1", "i3", 0, 0, 12, 0),
    # item 4: 6 improved, none worsened, 2 right, 4 wrong: post facility 8 / 12 < 0.70
    *item_rows("m1", "i4", 6, 0, 2, 4),
]
MODULE_2 = [
    *item_rows("m2", "j1", 5, 0, 6, 0),  # 11 learners
    *item_rows("m2", "j2", 9, 2, 0, 0),  # 11 learners
]


def test_item_change_of_one_module():
    out = items.item_change(item_hist(MODULE_1))
    assert out["item_id"].tolist() == ["i1", "i2", "i3", "i4"]
    assert out["n_learners"].tolist() == [12, 12, 12, 12]
    # facility pre = (worsened + both right) / n; post = (improved + both right) / n
    np.testing.assert_allclose(out["facility_pre"], [3 / 12, 7 / 12, 1.0, 2 / 12])
    np.testing.assert_allclose(out["facility_post"], [10 / 12, 7 / 12, 1.0, 8 / 12])
    assert out["n_improved"].tolist() == [8, 3, 0, 6]
    assert out["n_worsened"].tolist() == [1, 3, 0, 0]
    # i1: 2 (C(9,0) + C(9,1)) / 2^9 = 20 / 512; i2: b = c -> 1; i3: no discordant pair -> NaN;
    # i4: 2 / 2^6 = 2 / 64
    expected_p = [20 / 512, 1.0, NAN, 2 / 64]
    np.testing.assert_allclose(out["p_mcnemar"], expected_p, rtol=1e-12)
    # BH over the three tested items: sorted 2/64, 20/512, 1 times 3/1, 3/2, 3/3:
    # 0.09375, 0.05859375, 1 -> running minimum from the top: 0.05859375, 0.05859375, 1
    np.testing.assert_allclose(out["p_bh"], [0.05859375, 1.0, NAN, 0.05859375], rtol=1e-12)
    tested = [20 / 512, 1.0, 2 / 64]
    np.testing.assert_allclose(
        out["p_bh"].dropna(), stats.false_discovery_control(tested), rtol=1e-12
    )
    assert out["is_gap"].tolist() == [False, True, False, True]  # 7/12 and 8/12 are below 0.70


def test_mcnemar_p_matches_scipy_binomtest_on_the_discordant_pairs():
    out = items.item_change(item_hist(MODULE_1))
    for b, c, p in zip(out["n_improved"], out["n_worsened"], out["p_mcnemar"], strict=True):
        if b + c:
            assert p == pytest.approx(stats.binomtest(b, b + c, 0.5).pvalue, rel=1e-12)


@pytest.mark.parametrize("b, c", [(8, 1), (6, 0), (3, 3), (0, 1), (10, 2), (2, 10), (30, 12)])
def test_mcnemar_exact_by_hand(b, c):
    assert items.mcnemar_exact(b, c) == pytest.approx(mcnemar_by_hand(b, c), rel=1e-12)


def test_an_item_with_no_discordant_pairs_has_no_mcnemar_p():
    assert math.isnan(items.mcnemar_exact(0, 0))
    out = items.item_change(item_hist(item_rows("m1", "i", 0, 0, 5, 7)))
    assert out["n_improved"].item() == 0 and out["n_worsened"].item() == 0
    assert math.isnan(out["p_mcnemar"].item()) and math.isnan(out["p_bh"].item())


def test_an_item_nobody_gets_right_has_facility_zero():
    out = items.item_change(item_hist(item_rows("m1", "i", 0, 0, 0, 12)))
    assert out["facility_pre"].item() == 0.0 and out["facility_post"].item() == 0.0
    assert math.isnan(out["p_mcnemar"].item())
    assert bool(out["is_gap"].item())


def test_benjamini_hochberg_runs_within_each_module_with_a_family_key():
    hist = item_hist(MODULE_1 + MODULE_2)
    out = items.item_change(hist, keys=("module_id", "item_id"))
    assert out[["module_id", "item_id"]].values.tolist() == [
        ["m1", "i1"],
        ["m1", "i2"],
        ["m1", "i3"],
        ["m1", "i4"],
        ["m2", "j1"],
        ["m2", "j2"],
    ]
    # module 1 alone, as above
    np.testing.assert_allclose(out["p_bh"][:4], [0.05859375, 1.0, NAN, 0.05859375], rtol=1e-12)
    # module 2: j1 2 / 2^5 = 0.0625; j2 2 (1 + 11 + 55) / 2^11 = 134 / 2048 = 0.0654296875
    # BH: 0.0625 x 2 = 0.125, 0.0654296875 x 1 -> both 0.0654296875
    np.testing.assert_allclose(out["p_mcnemar"][4:], [0.0625, 134 / 2048], rtol=1e-12)
    np.testing.assert_allclose(out["p_bh"][4:], [134 / 2048, 134 / 2048], rtol=1e-12)


def test_without_a_family_key_every_item_is_one_family():
    hist = item_hist(MODULE_1 + MODULE_2).drop(columns="module_id")
    out = items.item_change(hist)
    p = [20 / 512, 1.0, 2 / 64, 0.0625, 134 / 2048]  # the five tested items
    expected = stats.false_discovery_control(p)
    np.testing.assert_allclose(out["p_bh"].dropna(), expected, rtol=1e-12)
    # one module with and without its family key gives the same p_bh
    one = item_hist(MODULE_1)
    np.testing.assert_allclose(
        items.item_change(one)["p_bh"],
        items.item_change(one, keys=("module_id", "item_id"))["p_bh"],
        rtol=1e-12,
    )


def test_item_change_is_the_same_from_raw_rows():
    keys = ("module_id", "item_id")
    compressed = items.item_change(item_hist(MODULE_1 + MODULE_2), keys=keys)
    raw = items.item_change(item_hist(MODULE_1 + MODULE_2, compress=False), keys=keys)
    pd.testing.assert_frame_equal(compressed, raw, rtol=1e-12)


def test_a_gap_is_strictly_below_the_threshold_and_needs_eleven_learners():
    rows = [
        *item_rows("m1", "at", 4, 0, 10, 6),  # 20 learners, post 14 / 20 = 0.70: not a gap
        *item_rows("m1", "below", 3, 0, 10, 7),  # post 13 / 20 = 0.65: a gap
        *item_rows("m1", "few", 1, 0, 0, 9),  # post 1 / 10, but 10 learners: not flagged
    ]
    out = items.item_change(item_hist(rows)).set_index("item_id")
    assert out.loc["at", "facility_post"] == pytest.approx(0.70)
    assert out["is_gap"].to_dict() == {"at": False, "below": True, "few": False}
    # the threshold is configurable
    higher = items.item_change(item_hist(rows), gap_facility=0.75).set_index("item_id")
    assert higher["is_gap"].to_dict() == {"at": True, "below": True, "few": False}


def test_an_item_answered_by_fewer_than_ten_learners_is_not_tested():
    out = items.item_change(item_hist(item_rows("m1", "i", 9, 0, 0, 0)))
    assert out["n_improved"].item() == 9
    assert math.isnan(out["p_mcnemar"].item())
    ten = items.item_change(item_hist(item_rows("m1", "i", 10, 0, 0, 0)))
    assert ten["p_mcnemar"].item() == pytest.approx(2 / 1024, rel=1e-12)


# ---------------------------------------------------------------------- quality.item_analysis


def quiz_hist(matrix, max_points=None, compress=True) -> pd.DataFrame:
    """Histogram of (item, max, item points, rest of the attempt's points) from a learner x item
    matrix of points; items numbered from 1."""
    m = np.asarray(matrix, dtype="float64")
    top = np.ones(m.shape[1]) if max_points is None else np.asarray(max_points, dtype="float64")
    total = m.sum(axis=1)
    rows = [
        (j + 1, top[j], m[i, j], total[i] - m[i, j])
        for i in range(m.shape[0])
        for j in range(m.shape[1])
    ]
    raw = pd.DataFrame(rows, columns=["item_id", "max_points", "item_points", "rest_points"])
    if not compress:
        return raw.assign(n_attempts=1)
    return raw.groupby(list(raw.columns)).size().reset_index(name="n_attempts")


def moodle_item(matrix, j, top):
    """Moodle's item statistics written out from the matrix; cov_max pairs the literally sorted
    item scores with the literally sorted rest-of-test scores, as Moodle's PHP does."""
    m = np.asarray(matrix, dtype="float64")
    x = m[:, j]
    r = m.sum(axis=1) - x
    s = len(x)
    cov = np.cov(x, r, ddof=1)[0, 1]
    sorted_x, sorted_r = sorted(x), sorted(r)
    cov_max = sum(
        (xi - x.mean()) * (ri - r.mean()) for xi, ri in zip(sorted_x, sorted_r, strict=True)
    ) / (s - 1)
    return {
        "facility_pct": 100 * x.mean() / top,
        "sd_pct": 100 * x.std(ddof=1) / top,
        "discrimination_index": 100 * np.corrcoef(x, r)[0, 1],
        "discriminative_efficiency": 100 * cov / cov_max,
    }


def cronbach_alpha(matrix):
    m = np.asarray(matrix, dtype="float64")
    k = m.shape[1]
    return k / (k - 1) * (1 - m.var(axis=0, ddof=1).sum() / m.sum(axis=1).var(ddof=1))


QUIZ = [  # 8 attempts, 3 items; item 2 is worth 2 points
    [1, 2, 1],
    [1, 1, 0],
    [0, 2, 1],
    [1, 0, 0],
    [0, 1, 0],
    [1, 2, 1],
    [0, 0, 1],
    [1, 1, 0],
]
QUIZ_MAX = [1, 2, 1]


def test_item_analysis_of_a_two_item_quiz_by_hand():
    # A = 1 1 0 1, B = 1 0 0 1, totals 2 1 0 2
    # var A = (3 x 0.25^2 + 0.75^2) / 3 = 0.25; var B = 4 x 0.5^2 / 3 = 1/3
    # var total: mean 1.25, (0.75^2 + 0.25^2 + 1.25^2 + 0.75^2) / 3 = 2.75 / 3
    # alpha = 2 (1 - (0.25 + 1/3) / (2.75 / 3)) = 2 (1 - 1.75 / 2.75) = 2 / 2.75 = 8 / 11
    matrix = [[1, 1], [1, 0], [0, 0], [1, 1]]
    per_item, test = quality.item_analysis(quiz_hist(matrix))
    a = per_item.set_index("item_id").loc[1]
    assert a["facility_pct"] == pytest.approx(75.0)
    assert a["sd_pct"] == pytest.approx(50.0)  # sqrt(0.25) x 100
    # cov(A, B) = (0.25 x 0.5 - 0.25 x 0.5 + 0.75 x 0.5 + 0.25 x 0.5) / 3 = 1/6;
    # r = (1/6) / sqrt(0.25 x 1/3) = 1 / sqrt 3
    assert a["discrimination_index"] == pytest.approx(100 / math.sqrt(3), rel=1e-12)
    # sorted A 0 1 1 1 against sorted B 0 0 1 1: (0.375 - 0.125 + 0.125 + 0.125) / 3 = 1/6 = cov
    assert a["discriminative_efficiency"] == pytest.approx(100.0, rel=1e-12)
    assert a["n_attempts"] == 4
    assert test["n_items"] == 2 and test["n_attempts"] == 4
    assert test["mean_score_pct"] == pytest.approx(62.5)  # 1.25 of 2
    assert test["cronbach_alpha"] == pytest.approx(8 / 11, rel=1e-12)
    # ER = 100 sqrt(1 - 8/11) = 100 sqrt(3/11); SD of total = sqrt(2.75 / 3) of 2 points
    assert test["error_ratio_pct"] == pytest.approx(100 * math.sqrt(3 / 11), rel=1e-12)
    sd_pct = 100 * math.sqrt(2.75 / 3) / 2
    assert test["sd_score_pct"] == pytest.approx(sd_pct, rel=1e-12)
    assert test["standard_error_pct"] == pytest.approx(math.sqrt(3 / 11) * sd_pct, rel=1e-12)


def test_item_analysis_matches_moodle_formulas_on_the_matrix():
    per_item, test = quality.item_analysis(quiz_hist(QUIZ, QUIZ_MAX))
    per_item = per_item.set_index("item_id")
    for j, top in enumerate(QUIZ_MAX):
        expected = moodle_item(QUIZ, j, top)
        for field, value in expected.items():
            assert per_item.loc[j + 1, field] == pytest.approx(value, rel=1e-12), (j, field)
        assert per_item.loc[j + 1, "n_attempts"] == 8
    m = np.asarray(QUIZ, dtype="float64")
    alpha = cronbach_alpha(QUIZ)
    assert test["cronbach_alpha"] == pytest.approx(alpha, rel=1e-12)
    assert test["mean_score_pct"] == pytest.approx(100 * m.sum(axis=1).mean() / 4, rel=1e-12)
    sd_pct = 100 * m.sum(axis=1).std(ddof=1) / 4
    assert test["sd_score_pct"] == pytest.approx(sd_pct, rel=1e-12)
    assert test["error_ratio_pct"] == pytest.approx(100 * math.sqrt(1 - alpha), rel=1e-12)
    se = math.sqrt(1 - alpha) * sd_pct
    assert test["standard_error_pct"] == pytest.approx(se, rel=1e-12)


def test_item_analysis_is_the_same_from_raw_rows():
    compressed, test_c = quality.item_analysis(quiz_hist(QUIZ, QUIZ_MAX))
    raw, test_r = quality.item_analysis(quiz_hist(QUIZ, QUIZ_MAX, compress=False))
    assert quiz_hist(QUIZ, QUIZ_MAX)["n_attempts"].max() > 1  # the fixture really compresses
    pd.testing.assert_frame_equal(compressed, raw, rtol=1e-12)
    assert test_c == pytest.approx(test_r, rel=1e-12)


def test_an_item_nobody_gets_right_has_no_discrimination():
    matrix = [[0, 1, 1], [0, 1, 0], [0, 0, 1], [0, 1, 1], [0, 0, 0]]
    per_item, test = quality.item_analysis(quiz_hist(matrix))
    first = per_item.set_index("item_id").loc[1]
    assert first["facility_pct"] == 0.0 and first["sd_pct"] == 0.0
    assert math.isnan(first["discrimination_index"])
    assert math.isnan(first["discriminative_efficiency"])
    assert pd.isna(first["flag"])
    # its variance of 0 still counts in alpha: 3/2 (1 - (0 + 0.3 + 0.3) / var(total))
    assert test["cronbach_alpha"] == pytest.approx(cronbach_alpha(matrix), rel=1e-12)


NEGATIVE = [[1, 1, 0], [1, 1, 0], [1, 0, 0], [0, 1, 1], [0, 0, 1], [0, 0, 1]]


def test_negative_discrimination_is_flagged():
    per_item, _ = quality.item_analysis(quiz_hist(NEGATIVE))
    third = per_item.set_index("item_id").loc[3]
    expected = moodle_item(NEGATIVE, 2, 1)
    assert expected["discrimination_index"] < 0
    assert third["discrimination_index"] == pytest.approx(expected["discrimination_index"])
    assert third["discriminative_efficiency"] == pytest.approx(
        expected["discriminative_efficiency"], rel=1e-12
    )
    # negative covariance -> negative efficiency, also under 15%
    assert third["flag"] == "negative discrimination; low efficiency"


LOW_EFFICIENCY = [
    [0, 1, 1, 0],
    [0, 0, 0, 1],
    [0, 1, 0, 1],
    [0, 0, 0, 0],
    [0, 1, 1, 1],
    [0, 1, 0, 1],
    [1, 1, 1, 1],
    [0, 1, 0, 1],
    [1, 1, 0, 0],
    [1, 1, 0, 1],
]


def test_low_discriminative_efficiency_is_flagged():
    per_item, _ = quality.item_analysis(quiz_hist(LOW_EFFICIENCY))
    fourth = per_item.set_index("item_id").loc[4]
    expected = moodle_item(LOW_EFFICIENCY, 3, 1)
    assert 0 < expected["discriminative_efficiency"] < 15
    assert expected["discrimination_index"] > 0
    assert fourth["discriminative_efficiency"] == pytest.approx(
        expected["discriminative_efficiency"], rel=1e-12
    )
    assert fourth["flag"] == "low efficiency"
    assert pd.isna(per_item.set_index("item_id").loc[3, "flag"])  # a good item is not flagged


def test_totals_without_spread_have_no_alpha():
    # every attempt scores 1 of 2: var(total) = 0; the items are perfectly opposed
    matrix = [[1, 0], [0, 1], [1, 0], [0, 1]]
    per_item, test = quality.item_analysis(quiz_hist(matrix))
    assert test["sd_score_pct"] == 0.0
    assert math.isnan(test["cronbach_alpha"]) and math.isnan(test["error_ratio_pct"])
    # x = 1 0 1 0 against rest 0 1 0 1: r = -1; cov_max pairs sorted 0 0 1 1 with 0 0 1 1
    assert per_item["discrimination_index"].tolist() == pytest.approx([-100.0, -100.0])
    assert per_item["discriminative_efficiency"].tolist() == pytest.approx([-100.0, -100.0])


def test_a_one_item_quiz_has_no_alpha():
    per_item, test = quality.item_analysis(quiz_hist([[1], [0], [1], [1]]))
    assert test["n_items"] == 1
    assert test["sd_score_pct"] == pytest.approx(100 * math.sqrt(0.25))  # var(1 0 1 1) = 0.25
    assert math.isnan(test["cronbach_alpha"])
    # the rest of the test is always 0: no discrimination
    assert math.isnan(per_item["discrimination_index"].item())


def test_a_single_attempt_gives_facility_only():
    per_item, test = quality.item_analysis(quiz_hist([[1, 0, 2]], [1, 1, 2]))
    assert per_item["facility_pct"].tolist() == [100.0, 0.0, 100.0]
    for field in ("sd_pct", "discrimination_index", "discriminative_efficiency", "flag"):
        assert per_item[field].isna().all(), field
    assert test["n_attempts"] == 1
    assert test["mean_score_pct"] == pytest.approx(75.0)  # 3 of 4 points
    for field in ("sd_score_pct", "cronbach_alpha", "error_ratio_pct", "standard_error_pct"):
        assert math.isnan(test[field]), field


def test_mcnemar_many_equals_scipy_binomtest_over_a_grid_and_large_counts():
    pairs = [(b, c) for b in range(0, 41) for c in range(0, 41)]
    pairs += [(1000, 1100), (5000, 5000), (40000, 40300), (12345, 11000), (3, 90000)]
    b, c = (np.array(x) for x in zip(*pairs, strict=True))
    p = items.mcnemar_many(b, c)
    for bi, ci, pi in zip(b, c, p, strict=True):
        if bi + ci == 0:
            assert math.isnan(pi)
        else:
            assert pi == pytest.approx(stats.binomtest(bi, bi + ci, 0.5).pvalue, rel=1e-12)
