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


def retention(hist: pd.DataFrame, count="n_learners") -> dict:
    """With an `is_followup_eligible` column the histogram holds every matched learner and the
    figures use the eligible ones (released only if the eligible / not-eligible split is);
    without it, every row is eligible."""
    pre, post, fu, c = groups.arrays(hist, ["pre_pct", "post_pct", "fu_pct", count])
    eligible = (
        hist["is_followup_eligible"].astype(bool).to_numpy()
        if "is_followup_eligible" in hist
        else np.ones(len(hist), dtype=bool)
    )
    return retention_of(pre, post, fu, c, eligible)


def retention_of(pre, post, fu, c, eligible) -> dict:
    """retention() of arrays: pre, post and follow-up scores (NaN: no response), counts and
    eligibility flags."""
    used = c > 0
    n_all = int(c[used].sum())
    used &= eligible
    pre, post, fu, c = pre[used], post[used], fu[used], c[used]
    responded = ~np.isnan(fu)
    n_eligible = int(c.sum())
    n_fu = int(c[responded].sum())
    out = {"n_eligible": n_eligible, "n_followup": n_fu}
    split_ok = _releasable(n_fu, n_eligible - n_fu, n_all - n_eligible)
    if not _releasable(n_eligible, n_all - n_eligible):
        out["n_eligible"] = math.nan
    out["response_rate_pct"] = compare.share(n_fu, n_eligible) if split_ok else math.nan
    if not split_ok:
        out["n_followup"] = math.nan
    t = responded
    vs_pre = paired.of_arrays(pre[t], fu[t], c[t], full=False)
    vs_post = paired.of_arrays(post[t], fu[t], c[t], full=False)
    # figures on responders are shown with their n, so only when that n may be shown
    enough = n_fu >= MIN_CELL_N and split_ok
    nan = math.nan
    out["mean_pre_pct"] = vs_pre["mean_pre_pct"] if enough else nan
    out["mean_post_pct"] = vs_post["mean_pre_pct"] if enough else nan
    out["mean_followup_pct"] = vs_pre["mean_post_pct"] if enough else nan
    for prefix, res in (("fu_vs_pre", vs_pre), ("fu_vs_post", vs_post)):
        for field in ("mean_change_pp", "ci_low_pp", "ci_high_pp", "p_t"):
            out[f"{prefix}_{field}"] = res[field] if enough else nan
    gain = out["mean_post_pct"] - out["mean_pre_pct"]
    out["retention_ratio"] = (
        (out["mean_followup_pct"] - out["mean_pre_pct"]) / gain
        if gain >= RETENTION_MIN_GAIN_PP
        else nan
    )
    bias = compare.of_arrays(post, responded, c)
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
