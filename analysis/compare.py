"""Two independent groups, for the bias checks (DESIGN.md section 5): Welch's t-test and interval
for the difference in means, and the standardized difference (Cohen's d on the pooled SD)."""

import math

import numpy as np
import pandas as pd
from scipy import stats

from analysis import groups, weighted
from analysis.rules import ALPHA, MIN_CELL_N

FIELDS = (
    "n_a",
    "mean_a",
    "sd_a",
    "n_b",
    "mean_b",
    "sd_b",
    "diff",
    "ci_low",
    "ci_high",
    "t_stat",
    "df",
    "p",
    "smd",
    "note",
)


def two_groups(hist: pd.DataFrame, value: str, is_a: str, count="n_learners") -> dict:
    """Group a (rows where `is_a`) against group b (the rest): a - b. Score figures of a group
    with fewer than MIN_CELL_N learners are withheld (NaN), and so is the comparison."""
    v, c = groups.arrays(hist, [value, count])
    return of_arrays(v, hist[is_a].astype(bool).to_numpy(), c)


def of_arrays(v: np.ndarray, is_a: np.ndarray, c: np.ndarray) -> dict:
    """two_groups() of values, group-a flags and counts (rows with a missing value or no count
    left out)."""
    keep = ~np.isnan(v) & (c > 0)  # a missing count compares False
    v, is_a, c = v[keep], is_a[keep], c[keep]
    return _compare(
        int(c[is_a].sum()),
        int(c[~is_a].sum()),
        lambda part: (weighted.mean(v[part], c[part]), weighted.sd(v[part], c[part])),
        is_a,
        ~is_a,
    )


def of_moments(a: tuple, b: tuple) -> dict:
    """two_groups() from each group's (n, sum, sum of squares, least value, greatest value)."""
    return _compare(
        int(a[0]),
        int(b[0]),
        lambda g: (g[1] / g[0], weighted.sd_of_moments(*g)),
        a,
        b,
    )


def _compare(n_a: int, n_b: int, moments, a, b) -> dict:
    """The comparison, with moments(a) and moments(b) the (mean, sd) of each group, asked for
    only when the group is large enough to be described."""
    out = dict.fromkeys(FIELDS, math.nan)
    out["note"] = None
    out["n_a"], out["n_b"] = n_a, n_b
    small = [g for g, n in (("a", n_a), ("b", n_b)) if n < MIN_CELL_N]
    for g, part in (("a", a), ("b", b)):
        if g not in small:
            out[f"mean_{g}"], out[f"sd_{g}"] = moments(part)
    if small:
        out["note"] = f"fewer than {MIN_CELL_N} learners in a group: no comparison"
        return out
    va, vb = out["sd_a"] ** 2 / out["n_a"], out["sd_b"] ** 2 / out["n_b"]
    out["diff"] = out["mean_a"] - out["mean_b"]
    if va + vb == 0:
        out["note"] = "no spread in either group: no test"
        return out
    pooled = math.sqrt(
        ((out["n_a"] - 1) * out["sd_a"] ** 2 + (out["n_b"] - 1) * out["sd_b"] ** 2)
        / (out["n_a"] + out["n_b"] - 2)
    )
    out["smd"] = out["diff"] / pooled
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (out["n_a"] - 1) + vb**2 / (out["n_b"] - 1))
    half = stats.t.ppf(1 - ALPHA / 2, df) * se
    out.update(t_stat=out["diff"] / se, df=df, ci_low=out["diff"] - half)
    out["ci_high"] = out["diff"] + half
    out["p"] = float(2 * stats.t.sf(abs(out["t_stat"]), df))
    return out


def share(part: float, whole: float) -> float:
    return 100 * part / whole if whole else math.nan
