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
    out = dict.fromkeys(FIELDS, math.nan)
    out["note"] = None
    out["n_a"], out["n_b"] = int(c[is_a].sum()), int(c[~is_a].sum())
    small = [g for g, n in (("a", out["n_a"]), ("b", out["n_b"])) if n < MIN_CELL_N]
    for g, part in (("a", is_a), ("b", ~is_a)):
        if g not in small:
            out[f"mean_{g}"] = weighted.mean(v[part], c[part])
            out[f"sd_{g}"] = weighted.sd(v[part], c[part])
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
