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


# The queries' bins of sufficient statistics (DESIGN.md section 8): per combination of flags, the
# learners and the sums, sums of squares and extremes (column: (kind, value)) the figures use.
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
ATTRITION_MOMENTS = {
    "sum_pre_pct": ("sum", "pre"),
    "sumsq_pre_pct": ("sumsq", "pre"),
    "min_pre_pct": ("min", "pre"),
    "max_pre_pct": ("max", "pre"),
}
ATTRITION_KEYS = ["has_post"]
_KIND = {col: kind for col, (kind, _) in {**MOMENTS, **ATTRITION_MOMENTS}.items()}
_AGG = {
    "sum": lambda v, n: (n * v).sum(),
    "sumsq": lambda v, n: (n * v * v).sum(),
    "min": lambda v, n: v.min(),
    "max": lambda v, n: v.max(),
}


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
    flags = {"is_followup_eligible": eligible, "is_responded": ~np.isnan(fu)}
    values = {"pre": pre, "post": post, "fu": fu, "fu_vs_pre": fu - pre, "fu_vs_post": fu - post}
    return retention_of(bins_of(flags, values, c, MOMENTS))


def attrition(hist: pd.DataFrame, count="n_learners") -> dict:
    """From a histogram of (pre, has_post). A row without a pre-test score is not a pre-test
    taker (the query never returns one)."""
    pre, c = groups.arrays(hist, ["pre_pct", count])
    c = np.where(np.isnan(pre), 0, c)
    flags = {"has_post": hist["has_post"].astype(bool).to_numpy()}
    return attrition_of(bins_of(flags, {"pre": pre}, c, ATTRITION_MOMENTS))


def bins_of(flags: dict, values: dict, c: np.ndarray, moments: dict) -> dict[str, np.ndarray]:
    """A query's bins from learners' rows (what it sums in DuckDB): per combination of the
    boolean flags, n_learners and each moment."""
    used = c > 0
    bins: dict[str, list] = {k: [] for k in (*flags, "n_learners", *moments)}
    columns = list(flags.values())
    for combo in sorted({tuple(bool(f[i]) for f in columns) for i in np.flatnonzero(used)}):
        at = used & np.logical_and.reduce([f == v for f, v in zip(columns, combo, strict=True)])
        for k, v in zip(flags, combo, strict=True):
            bins[k].append(v)
        bins["n_learners"].append(c[at].sum())
        for col, (kind, value) in moments.items():
            bins[col].append(_AGG[kind](values[value][at], c[at]))
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
    # figures on responders are shown with their n, so only when that n may be shown
    enough = n_fu >= MIN_CELL_N and split_ok
    nan = math.nan
    for mean, col in (("pre", "sum_pre_pct"), ("post", "sum_post_pct"), ("followup", "sum_fu_pct")):
        out[f"mean_{mean}_pct"] = _total(b, col, responded) / n_fu if enough else nan
    for prefix in ("fu_vs_pre", "fu_vs_post"):
        res = paired.t_of_moments(*_moments(b, f"{prefix}_pp", responded)) if enough else {}
        for field in ("mean_change_pp", "ci_low_pp", "ci_high_pp", "p_t"):
            out[f"{prefix}_{field}"] = res.get(field, nan)
    gain = out["mean_post_pct"] - out["mean_pre_pct"]
    out["retention_ratio"] = (
        (out["mean_followup_pct"] - out["mean_pre_pct"]) / gain
        if gain >= RETENTION_MIN_GAIN_PP
        else nan
    )
    bias = compare.of_moments(_moments(b, "post_pct", responded), _moments(b, "post_pct", others))
    out.update(_bias(bias, split_ok))
    return out


def attrition_of(b: dict[str, np.ndarray]) -> dict:
    """The figures from one cell's bins: n_learners, has_post and the ATTRITION_MOMENTS."""
    b = {k: v[b["n_learners"] > 0] for k, v in b.items()}
    n = b["n_learners"]
    dropped = ~b["has_post"].astype(bool)
    n_pre = int(n.sum())
    n_dropped = int(n[dropped].sum())
    ok = _releasable(n_dropped, n_pre - n_dropped)
    out = {
        "n_pretest": n_pre,
        "n_without_post": n_dropped if ok else math.nan,
        "attrition_pct": compare.share(n_dropped, n_pre) if ok else math.nan,
    }
    bias = compare.of_moments(_moments(b, "pre_pct", dropped), _moments(b, "pre_pct", ~dropped))
    out.update(_bias(bias, ok))
    return out


def _total(b: dict, col: str, rows: np.ndarray) -> float:
    """The sum of a moment over the rows' bins, or the least or greatest of an extreme."""
    how = {"min": np.min, "max": np.max}.get(_KIND[col], np.sum)
    return float(how(b[col][rows]))


def _moments(b: dict, value: str, rows: np.ndarray) -> tuple:
    """(n, sum, sum of squares, least, greatest) of a value over the rows' bins."""
    if not rows.any():
        return 0, 0.0, 0.0, math.nan, math.nan
    extent = (_total(b, f"{k}_{value}", rows) for k in ("sum", "sumsq", "min", "max"))
    return int(b["n_learners"][rows].sum()), *extent


def _bias(bias: dict, split_ok: bool) -> dict:
    if not split_ok:  # the group sizes would give the withheld split away
        bias = {**bias, "n_a": math.nan, "n_b": math.nan}
    return {f"bias_{k}": v for k, v in bias.items()}


def _releasable(*parts: int) -> bool:
    return all(p == 0 or p >= MIN_CELL_N for p in parts)
