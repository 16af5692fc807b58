"""Item analysis with Moodle's quiz-statistics definitions, on first attempts (DESIGN.md section 5).

Input: for one quiz (module and phase), a histogram with item_id, max_points, item_points,
rest_points (the attempt's total minus this item) and a count of attempts. Every attempt has a
row for every item (an unanswered question scores 0, as in Moodle), so each item's histogram
holds the whole distribution of totals. Moodle's formulas, with S attempts and sample variances:

- facility index F = mean(x) / max x 100; item SD = sd(x) / max x 100;
- discrimination index D = 100 r(x, rest of test);
- discriminative efficiency DE = 100 cov(x, rest) / cov_max(x, rest), where cov_max pairs the
  sorted item scores with the sorted rest scores (the largest covariance the marginals allow);
- Cronbach alpha = k/(k-1) (1 - sum var(x) / var(total)); error ratio ER = 100 sqrt(1 - alpha);
  standard error SE = ER/100 x SD of the total (percent of the maximum).
Flags: D < 0 (the item works against the test) and DE < 15% (the item barely discriminates).
"""

import math

import numpy as np
import pandas as pd

from analysis.rules import LOW_EFFICIENCY_PCT

ITEM_FIELDS = (
    "n_attempts",
    "facility_pct",
    "sd_pct",
    "discrimination_index",
    "discriminative_efficiency",
    "flag",
)


def item_analysis(hist: pd.DataFrame, count="n_attempts") -> tuple[pd.DataFrame, dict]:
    """(one row per item, the test's figures) for one quiz."""
    rows = []
    variances = []
    for item_id, h in hist.groupby("item_id", sort=True):
        c = h[count].to_numpy("float64")
        x = h["item_points"].to_numpy("float64")
        r = h["rest_points"].to_numpy("float64")
        top = float(h["max_points"].max())
        s = c.sum()
        row = {"item_id": item_id, "n_attempts": int(s)}
        mx = (c * x).sum() / s
        row["facility_pct"] = 100 * mx / top
        if s < 2:
            rows.append(row)
            continue
        mr = (c * r).sum() / s
        vx = (c * (x - mx) ** 2).sum() / (s - 1)
        vr = (c * (r - mr) ** 2).sum() / (s - 1)
        cov = (c * (x - mx) * (r - mr)).sum() / (s - 1)
        variances.append(vx)
        row["sd_pct"] = 100 * math.sqrt(vx) / top
        row["discrimination_index"] = 100 * cov / math.sqrt(vx * vr) if vx * vr > 0 else math.nan
        cmax = _max_covariance(x, r, c, mx, mr)
        row["discriminative_efficiency"] = 100 * cov / cmax if cmax > 0 else math.nan
        row["flag"] = _flag(row["discrimination_index"], row["discriminative_efficiency"])
        rows.append(row)
    items = pd.DataFrame(rows, columns=["item_id", *ITEM_FIELDS])
    return items, _test(hist, count, variances)


def _test(hist: pd.DataFrame, count: str, variances: list[float]) -> dict:
    first = hist[hist["item_id"] == hist["item_id"].min()]
    c = first[count].to_numpy("float64")
    total = (first["item_points"] + first["rest_points"]).to_numpy("float64")
    top = float(hist.groupby("item_id")["max_points"].max().sum())
    s = c.sum()
    k = hist["item_id"].nunique()
    out = {
        "n_attempts": int(s),
        "n_items": int(k),
        "mean_score_pct": 100 * float((c * total).sum() / s) / top,
        "sd_score_pct": math.nan,
        "cronbach_alpha": math.nan,
        "error_ratio_pct": math.nan,
        "standard_error_pct": math.nan,
    }
    if s < 2:
        return out
    mt = (c * total).sum() / s
    vt = float((c * (total - mt) ** 2).sum() / (s - 1))
    out["sd_score_pct"] = 100 * math.sqrt(vt) / top
    if k < 2 or vt == 0:
        return out  # alpha needs two items and some spread of totals
    alpha = k / (k - 1) * (1 - sum(variances) / vt)
    out["cronbach_alpha"] = alpha
    # alpha <= 1 always (var of a sum <= k x sum of variances); max() only absorbs rounding
    out["error_ratio_pct"] = 100 * math.sqrt(max(0.0, 1 - alpha))
    out["standard_error_pct"] = out["error_ratio_pct"] / 100 * out["sd_score_pct"]
    return out


def _max_covariance(x, r, c, mx, mr) -> float:
    """cov of the sorted item scores against the sorted rest scores, from the two marginals:
    walk both cumulative distributions and pair each stretch of attempts."""
    xs, xc = _marginal(x, c)
    rs, rc = _marginal(r, c)
    edges = np.union1d(np.cumsum(xc), np.cumsum(rc))
    lengths = np.diff(np.concatenate([[0.0], edges]))
    xi = np.searchsorted(np.cumsum(xc), edges, side="left")
    ri = np.searchsorted(np.cumsum(rc), edges, side="left")
    return float((lengths * (xs[xi] - mx) * (rs[ri] - mr)).sum() / (c.sum() - 1))


def _marginal(v, c):
    values, inverse = np.unique(v, return_inverse=True)
    return values, np.bincount(inverse, weights=c)


def _flag(disc: float, eff: float) -> str | None:
    flags = []
    if disc < 0:
        flags.append("negative discrimination")
    if eff < LOW_EFFICIENCY_PCT:
        flags.append("low efficiency")
    return "; ".join(flags) or None
