"""Retention at follow-up and attrition before the post-test, with their bias checks
(DESIGN.md section 5).

retention(): over matched learners invited to the follow-up (their post-test far enough back),
a histogram of (pre, post, follow-up or NaN): the response rate; on responders (triples) mean pre,
post and follow-up, the follow-up against pre and against post as paired comparisons, and the
retention ratio (follow-up - pre) / (post - pre) when the gain is at least 5 points; and the bias
check: post-test of responders against non-responders.

attrition(): over learners with a pre-test, a histogram of (pre, has_post): the share without a
post-test and the bias check: pre-test of those without a post-test against those with one.

Counts split within a cell (responders, dropouts) are released only when each part is 0 or at
least MIN_CELL_N, since one part follows from the cell's n and the other.
"""

import math

import numpy as np
import pandas as pd

from analysis import compare, groups, paired
from analysis.rules import MIN_CELL_N, RETENTION_MIN_GAIN_PP

_BIAS = [f"bias_{k}" for k in compare.FIELDS]
RETENTION_FIELDS = [
    "n_eligible",
    "n_followup",
    "response_rate_pct",
    "mean_pre_pct",
    "mean_post_pct",
    "mean_followup_pct",
    *(
        f"{prefix}_{field}"
        for prefix in ("fu_vs_pre", "fu_vs_post")
        for field in ("mean_change_pp", "ci_low_pp", "ci_high_pp", "p_t")
    ),
    "retention_ratio",
    *_BIAS,
]
ATTRITION_FIELDS = ["n_pretest", "n_without_post", "attrition_pct", *_BIAS]


# the knowledge_retention query's bins: per eligibility and response, the learners and the sums,
# sums of squares and extremes of what the figures use (DESIGN.md section 8: sufficient statistics)
MOMENTS = {
    "sum_pre_pct": ("sum", "pre"),
    "sum_post_pct": ("sum", "post"),
    "sumsq_post_pct": ("sumsq", "post"),
    "sum_fu_pct": ("sum", "fu"),
    "sum_fu_vs_pre_pp": ("sum", "fu_vs_pre"),
    "sumsq_fu_vs_pre_pp": ("sumsq", "fu_vs_pre"),
    "sum_fu_vs_post_pp": ("sum", "fu_vs_post"),
    "sumsq_fu_vs_post_pp": ("sumsq", "fu_vs_post"),
    "min_post_pct": ("min", "post"),
    "max_post_pct": ("max", "post"),
    "min_fu_vs_pre_pp": ("min", "fu_vs_pre"),
    "max_fu_vs_pre_pp": ("max", "fu_vs_pre"),
    "min_fu_vs_post_pp": ("min", "fu_vs_post"),
    "max_fu_vs_post_pp": ("max", "fu_vs_post"),
}
BIN_KEYS = ["is_followup_eligible", "is_responded"]


def retention(hist: pd.DataFrame, count="n_learners") -> dict:
    """From a histogram of (pre, post, follow-up or NaN) scores. With an `is_followup_eligible`
    column it holds every matched learner and the figures use the eligible ones (released only
    if the eligible / not-eligible split is); without it, every row is eligible."""
    pre, post, fu, c = groups.arrays(hist, ["pre_pct", "post_pct", "fu_pct", count])
    eligible = (
        hist["is_followup_eligible"].astype(bool).to_numpy()
        if "is_followup_eligible" in hist
        else np.ones(len(hist), dtype=bool)
    )
    return retention_of(moments(pre, post, fu, c, eligible))


def moments(pre, post, fu, c, eligible) -> dict[str, np.ndarray]:
    """The bins retention_of() reads, from learners' scores (what the query sums in DuckDB)."""
    used = c > 0
    values = {"pre": pre, "post": post, "fu": fu, "fu_vs_pre": fu - pre, "fu_vs_post": fu - post}
    agg = {
        "sum": lambda v, n: (n * v).sum(),
        "sumsq": lambda v, n: (n * v * v).sum(),
        "min": lambda v, n: v.min(),
        "max": lambda v, n: v.max(),
    }
    bins = {"is_followup_eligible": [], "is_responded": [], "n_learners": []}
    bins |= {col: [] for col in MOMENTS}
    for is_eligible in (False, True):
        for is_responded in (False, True):
            at = used & (eligible == is_eligible) & (np.isnan(fu) != is_responded)
            if at.any():
                bins["is_followup_eligible"].append(is_eligible)
                bins["is_responded"].append(is_responded)
                bins["n_learners"].append(c[at].sum())
                for col, (kind, value) in MOMENTS.items():
                    bins[col].append(agg[kind](values[value][at], c[at]))
    return {k: np.asarray(v) for k, v in bins.items()}


def retention_of(b: dict[str, np.ndarray]) -> dict:
    """The figures from one cell's bins: n_learners, the BIN_KEYS flags and the MOMENTS."""
    b = {k: v[b["n_learners"] > 0] for k, v in b.items()}
    n = b["n_learners"]
    n_all = int(n.sum())
    eligible = b["is_followup_eligible"].astype(bool)
    responded = eligible & b["is_responded"].astype(bool)
    others = eligible & ~b["is_responded"].astype(bool)
    n_eligible = int(n[eligible].sum())
    n_fu = int(n[responded].sum())
    out = {"n_eligible": n_eligible, "n_followup": n_fu}
    split_ok = _releasable(n_fu, n_eligible - n_fu, n_all - n_eligible)
    if not _releasable(n_eligible, n_all - n_eligible):
        out["n_eligible"] = math.nan
    out["response_rate_pct"] = compare.share(n_fu, n_eligible) if split_ok else math.nan
    if not split_ok:
        out["n_followup"] = math.nan

    nan = math.nan

    def total(col, rows=responded):  # the sums, or the extremes, of the rows' bins
        kind = MOMENTS[col][0]
        return float({"min": np.min, "max": np.max}.get(kind, np.sum)(b[col][rows]))

    def of(value, rows):  # a group's (n, sum, sum of squares, least, greatest) of a value
        if not rows.any():
            return 0, 0.0, 0.0, nan, nan
        extent = (total(f"{k}_{value}", rows) for k in ("sum", "sumsq", "min", "max"))
        return int(n[rows].sum()), *extent

    # figures on responders are shown with their n, so only when that n may be shown
    enough = n_fu >= MIN_CELL_N and split_ok
    out["mean_pre_pct"] = total("sum_pre_pct") / n_fu if enough else nan
    out["mean_post_pct"] = total("sum_post_pct") / n_fu if enough else nan
    out["mean_followup_pct"] = total("sum_fu_pct") / n_fu if enough else nan
    for prefix in ("fu_vs_pre", "fu_vs_post"):
        res = paired.t_of_moments(*of(f"{prefix}_pp", responded)) if enough else {}
        for field in ("mean_change_pp", "ci_low_pp", "ci_high_pp", "p_t"):
            out[f"{prefix}_{field}"] = res.get(field, nan)
    gain = out["mean_post_pct"] - out["mean_pre_pct"]
    out["retention_ratio"] = (
        (out["mean_followup_pct"] - out["mean_pre_pct"]) / gain
        if gain >= RETENTION_MIN_GAIN_PP
        else nan
    )
    bias = compare.of_moments(of("post_pct", responded), of("post_pct", others))
    out.update(_bias(bias, split_ok))
    return out


def attrition(hist: pd.DataFrame, count="n_learners") -> dict:
    pre, c = groups.arrays(hist, ["pre_pct", count])
    return attrition_of(pre, hist["has_post"].astype(bool).to_numpy(), c)


def attrition_of(pre, has_post, c) -> dict:
    """attrition() of arrays: pre-test scores, has-a-post-test flags and counts."""
    used = c > 0
    pre, dropped, c = pre[used], ~has_post[used], c[used]
    n_pre = int(c.sum())
    n_dropped = int(c[dropped].sum())
    ok = _releasable(n_dropped, n_pre - n_dropped)
    out = {
        "n_pretest": n_pre,
        "n_without_post": n_dropped if ok else math.nan,
        "attrition_pct": compare.share(n_dropped, n_pre) if ok else math.nan,
    }
    bias = compare.of_arrays(pre, dropped, c)
    out.update(_bias(bias, ok))
    return out


def _bias(bias: dict, split_ok: bool) -> dict:
    if not split_ok:  # the group sizes would give the withheld split away
        bias = {**bias, "n_a": math.nan, "n_b": math.nan}
    return {f"bias_{k}": v for k, v in bias.items()}


def _releasable(*parts: int) -> bool:
    return all(p == 0 or p >= MIN_CELL_N for p in parts)
