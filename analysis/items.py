"""Per item, pre item k against post item k of the same learner (DESIGN.md section 5).

Input: a histogram with item_id, is_correct_pre, is_correct_post and a count. An item is correct
when its points equal its maximum. McNemar's exact test is the two-sided binomial test on the
discordant pairs (improved b, worsened c); Benjamini-Hochberg runs across the items of one module.
A knowledge gap is an item whose post-test facility is below the gap threshold.
"""

import math

import numpy as np
import pandas as pd
from scipy import stats

from analysis.multiple import benjamini_hochberg
from analysis.rules import GAP_FACILITY, MIN_CELL_N, MIN_TEST_N

FIELDS = (
    "n_learners",
    "facility_pre",
    "facility_post",
    "n_improved",
    "n_worsened",
    "p_mcnemar",
    "p_bh",
    "is_gap",
)


def item_change(
    hist: pd.DataFrame, keys=("item_id",), count="n_learners", gap_facility=GAP_FACILITY
) -> pd.DataFrame:
    """One row per item: facilities, discordant pairs, McNemar exact p, BH-adjusted p, gap flag.

    `keys` identify an item (the last key) within its family for BH (the keys before it)."""
    keys = list(keys)
    h = hist.assign(
        _pre=hist[count].where(hist["is_correct_pre"], 0),
        _post=hist[count].where(hist["is_correct_post"], 0),
        _b=hist[count].where(~hist["is_correct_pre"] & hist["is_correct_post"], 0),
        _c=hist[count].where(hist["is_correct_pre"] & ~hist["is_correct_post"], 0),
    )
    g = h.groupby(keys, sort=True)[[count, "_pre", "_post", "_b", "_c"]].sum().reset_index()
    n = g[count].astype("float64")
    out = g[keys].copy()
    out["n_learners"] = g[count].astype("int64")
    out["facility_pre"] = g["_pre"] / n
    out["facility_post"] = g["_post"] / n
    out["n_improved"] = g["_b"].astype("int64")
    out["n_worsened"] = g["_c"].astype("int64")
    p = mcnemar_many(g["_b"].to_numpy("int64"), g["_c"].to_numpy("int64"))
    out["p_mcnemar"] = np.where(g[count].to_numpy() >= MIN_TEST_N, p, np.nan)
    family = keys[:-1]
    if family:
        out["p_bh"] = out.groupby(family, sort=False)["p_mcnemar"].transform(
            lambda p: pd.Series(benjamini_hochberg(p.to_numpy()), index=p.index)
        )
    else:
        out["p_bh"] = benjamini_hochberg(out["p_mcnemar"].to_numpy())
    out["is_gap"] = (out["facility_post"] < gap_facility) & (out["n_learners"] >= MIN_CELL_N)
    return out[[*keys, *FIELDS]]


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p: binomial test of b successes in b + c trials at 1/2; NaN when
    no learner changed on the item (no discordant pair, nothing to test)."""
    return float(mcnemar_many(np.array([int(b)]), np.array([int(c)]))[0])


def mcnemar_many(b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """mcnemar_exact() of each pair, in one call. At 1/2 the binomial is symmetric, so the
    two-sided p (outcomes no likelier than the one seen) is twice the smaller tail, at most 1:
    the figure scipy's binomtest gives, without its per-call search of the other tail."""
    n = b + c
    with np.errstate(invalid="ignore"):
        p = np.minimum(1.0, 2 * stats.binom.cdf(np.minimum(b, c), n, 0.5))
    return np.where(n > 0, p, math.nan)
