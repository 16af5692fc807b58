"""Statistics from sufficient statistics (n, sums, sums of squares, extremes; DESIGN.md section 8)
against the same statistics computed from the values themselves, and exact zero spreads."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import compare, paired, weighted


def moments(v, c=None) -> tuple:
    v = np.asarray(v, dtype="float64")
    c = np.ones_like(v) if c is None else np.asarray(c, dtype="float64")
    return c.sum(), (c * v).sum(), (c * v * v).sum(), v.min(), v.max()


def test_the_sd_from_moments_is_numpys_sd_of_the_repeated_values():
    rng = np.random.default_rng(11)
    for _ in range(20):
        v = np.round(rng.uniform(0, 100, size=rng.integers(2, 40)), 4)
        c = rng.integers(1, 50, size=len(v))
        expected = np.repeat(v, c).std(ddof=1)
        assert weighted.sd_of_moments(*moments(v, c)) == pytest.approx(expected, rel=1e-9)


def test_equal_values_have_a_spread_of_exactly_zero_although_their_squares_do_not_cancel():
    n, s, ss, lo, hi = moments([33.3333] * 3)
    assert ss - s * s / n > 0  # 3 x 33.3333: the sums of squares leave a rounding error
    assert weighted.sd_of_moments(n, s, ss, lo, hi) == 0.0


@pytest.mark.parametrize("seed", range(8))
def test_the_t_figures_from_moments_equal_the_summary_of_the_pairs(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(10, 120))
    pre = np.round(rng.uniform(20, 80, size=size), 4)
    post = np.round(pre + rng.normal(8, 12, size=size), 4)
    h = pd.DataFrame({"pre_pct": pre, "post_pct": post, "n_learners": 1})
    full = paired.summarize(h, full=False)
    got = paired.t_of_moments(*moments(post - pre))
    ref = stats.ttest_rel(post, pre)
    assert got["p_t"] == pytest.approx(ref.pvalue, rel=1e-9)
    for key in ("mean_change_pp", "ci_low_pp", "ci_high_pp", "t_stat", "p_t"):
        assert got[key] == pytest.approx(full[key], rel=1e-9), key


def test_t_figures_need_pairs_ten_pairs_and_a_spread():
    nan_keys = ("ci_low_pp", "ci_high_pp", "t_stat", "p_t")
    none = paired.t_of_moments(0, 0.0, 0.0, math.nan, math.nan)
    assert all(math.isnan(v) for v in none.values())
    nine = paired.t_of_moments(*moments([1, 2, 3, 4, 5, 6, 7, 8, 9]))
    assert nine["mean_change_pp"] == 5.0 and all(math.isnan(nine[k]) for k in nan_keys)
    n, s, ss, lo, hi = moments([66.6667] * 12)
    assert ss - s * s / n > 0  # a rounding error that would read as a spread
    same = paired.t_of_moments(n, s, ss, lo, hi)
    assert same["mean_change_pp"] == pytest.approx(66.6667)
    assert all(math.isnan(same[k]) for k in nan_keys)


@pytest.mark.parametrize("seed", range(6))
def test_the_welch_comparison_from_moments_equals_the_one_from_the_values(seed):
    rng = np.random.default_rng(100 + seed)
    a = np.round(rng.uniform(30, 90, size=rng.integers(11, 80)), 4)
    b = np.round(rng.uniform(20, 80, size=rng.integers(11, 80)), 4)
    h = pd.DataFrame({"v": [*a, *b], "is_a": [True] * len(a) + [False] * len(b), "n": 1})
    from_values = compare.two_groups(h, "v", "is_a", "n")
    got = compare.of_moments(moments(a), moments(b))
    assert got["p"] == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue, rel=1e-9)
    for key, value in from_values.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, rel=1e-9, nan_ok=True), key
        else:
            assert got[key] == value, key


def test_no_spread_in_either_group_is_no_test_from_moments_either():
    got = compare.of_moments(moments([66.6667] * 12), moments([33.3333] * 3 * 4))
    assert got["diff"] == pytest.approx(33.3334)  # the first group's squares leave an error
    assert math.isnan(got["p"]) and got["note"] == "no spread in either group: no test"


def test_a_small_group_gets_no_figures_from_moments():
    got = compare.of_moments(moments(range(12)), moments(range(5)))
    assert (got["n_a"], got["n_b"]) == (12, 5)
    assert math.isnan(got["mean_b"]) and math.isnan(got["diff"])
