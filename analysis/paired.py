"""Knowledge gain on matched learners (DESIGN.md section 5).

Input: a histogram of matched pairs, one row per distinct (pre, post) score pair with its count.
Everything below is a function of that histogram, so the figures are the same whether it comes
from raw rows (count 1 each) or from the marts.

- mean change in percentage points with a 95% t interval and the paired t-test;
- Wilcoxon signed-rank (zero differences dropped and counted, ties mid-ranked) with the
  matched-pairs rank-biserial correlation (Kerby 2014): (W+ - W-) / (W+ + W-);
- Cohen's dz = mean(d) / sd(d) with a 95% interval from the noncentral t distribution;
- d_av = mean(d) / ((sd_pre + sd_post) / 2);
- Hake's class gain <g> = (post - pre) / (100 - pre) on the class means, with its band.
No test below MIN_TEST_N pairs; undefined figures are NaN with a note that says why.
"""

import math

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from analysis import groups, weighted
from analysis.rules import ALPHA, MIN_TEST_N, hake_band

EXACT_MAX_N = 50  # up to here scipy's own small-sample method (exact or permutation) is used
PERMUTATION_MAX_N = 13  # with ties or zeros, scipy enumerates every sign (2^13 < 9,999 resamples)

FIELDS = (
    "n_pairs",
    "mean_pre_pct",
    "sd_pre_pct",
    "mean_post_pct",
    "sd_post_pct",
    "mean_change_pp",
    "sd_change_pp",
    "ci_low_pp",
    "ci_high_pp",
    "t_stat",
    "df",
    "p_t",
    "n_zero_change",
    "w_plus",
    "w_minus",
    "z_wilcoxon",
    "p_wilcoxon",
    "wilcoxon_method",
    "r_rank_biserial",
    "dz",
    "dz_ci_low",
    "dz_ci_high",
    "d_av",
    "hake_g",
    "hake_band",
    "note",
)


def summarize(
    hist: pd.DataFrame, before="pre_pct", after="post_pct", count="n_learners", full=True
) -> dict:
    """Every figure of the matched pre/post comparison from a histogram of pairs; with
    full=False only means, SDs, the t interval and test (no signed ranks, no dz interval: the
    root-finding on the noncentral t is most of the time)."""
    return of_arrays(*groups.arrays(hist, [before, after, count]), full=full)


def of_arrays(x: np.ndarray, y: np.ndarray, c: np.ndarray, full: bool = True) -> dict:
    """summarize() of before values, after values and counts (rows with a missing value or no
    count left out)."""
    keep = ~(np.isnan(x) | np.isnan(y)) & (c > 0)  # a missing count compares False
    x, y, c = x[keep], y[keep], c[keep]
    out = dict.fromkeys(FIELDS, math.nan)
    out.update(wilcoxon_method=None, hake_band=None, note=None)
    n = int(c.sum())
    out["n_pairs"] = n
    if n == 0:
        out["note"] = "no matched pairs"
        return out
    d = y - x
    mx, my, md = weighted.mean(x, c), weighted.mean(y, c), weighted.mean(d, c)
    out.update(mean_pre_pct=mx, mean_post_pct=my, mean_change_pp=md)
    out["hake_g"] = (my - mx) / (100.0 - mx) if mx < 100.0 else math.nan
    out["hake_band"] = hake_band(out["hake_g"])
    notes = [] if mx < 100.0 else ["everyone scored 100 on the pre-test: no room to gain"]
    if n < 2:
        out["note"] = "; ".join([*notes, "one pair: no spread"])
        return out
    sx, sy, sd = weighted.sd(x, c), weighted.sd(y, c), weighted.sd(d, c)
    out.update(sd_pre_pct=sx, sd_post_pct=sy, sd_change_pp=sd)
    out["d_av"] = md / ((sx + sy) / 2) if sx + sy > 0 else math.nan
    df = n - 1
    out["df"] = df
    if n < MIN_TEST_N:
        out["note"] = "; ".join([*notes, f"fewer than {MIN_TEST_N} pairs: no test"])
        return out
    out.update(_wilcoxon(d, c, n) if full else {"n_zero_change": int(c[d == 0].sum())})
    if sd == 0:
        notes.append("every learner changed by the same amount: no t-test or dz")
    else:
        out.update(_t_test(md, sd, n))
        out["dz"] = md / sd
        if full:
            out.update(zip(("dz_ci_low", "dz_ci_high"), dz_interval(out["t_stat"], n), strict=True))
    if full and out["wilcoxon_method"] is None:
        notes.append("no learner's score changed: no signed-rank test")
    out["note"] = "; ".join(notes) or None
    return out


def _t_test(md: float, sd: float, n: int) -> dict:
    """The 95% t interval of a mean change and the paired t-test (sd > 0, n >= 2)."""
    df = n - 1
    se = sd / math.sqrt(n)
    half = stats.t.ppf(1 - ALPHA / 2, df) * se
    t_stat = md / se
    p = float(2 * stats.t.sf(abs(t_stat), df))
    return {"ci_low_pp": md - half, "ci_high_pp": md + half, "t_stat": t_stat, "p_t": p}


def t_of_moments(n: int, s: float, ss: float, lo: float, hi: float) -> dict:
    """mean_change_pp with its t interval and p_t, as summarize(full=False) gives them, from the
    number of pairs and the sum, sum of squares and extremes of their changes: NaN below
    MIN_TEST_N pairs or when every change is the same."""
    out = dict.fromkeys(("mean_change_pp", "ci_low_pp", "ci_high_pp", "t_stat", "p_t"), math.nan)
    if n == 0:
        return out
    out["mean_change_pp"] = md = s / n
    if n < MIN_TEST_N:
        return out
    sd = weighted.sd_of_moments(n, s, ss, lo, hi)
    if sd > 0:
        out.update(_t_test(md, sd, n))
    return out


def by_group(
    hist: pd.DataFrame, keys: list[str], before="pre_pct", after="post_pct", count="n_learners"
) -> pd.DataFrame:
    """summarize() for each group of the histogram: one row per group."""
    x, y, c = groups.arrays(hist, [before, after, count])
    rows = [
        {**dict(zip(keys, key, strict=True)), **of_arrays(x[at], y[at], c[at])}
        for key, at in groups.positions(hist, keys)
    ]
    return pd.DataFrame(rows, columns=[*keys, *FIELDS])


def dz_interval(t_stat: float, n: int, level: float = 1 - ALPHA) -> tuple[float, float]:
    """95% interval for dz: the noncentrality parameters that put the observed t at the upper
    and lower 2.5% points of the noncentral t (df = n - 1), divided by sqrt(n)."""
    df = n - 1
    tail = (1 - level) / 2

    def at(target):
        # scipy.special's ufunc is the same computation as stats.nct.cdf (checked equal on 2,000
        # draws) without its per-call argument handling, which was most of the root-finding
        return _root(lambda ncp: special.nctdtr(df, ncp, t_stat) - target, t_stat)

    try:
        return at(1 - tail) / math.sqrt(n), at(tail) / math.sqrt(n)
    except ValueError:
        # scipy's noncentral t returns NaN far in its tails at large df and t; there the
        # large-sample interval dz +/- z sqrt(1/n + dz^2 / (2n)) agrees with it to 3 decimals
        dz = t_stat / math.sqrt(n)
        half = stats.norm.ppf(1 - tail) * math.sqrt(1 / n + dz**2 / (2 * n))
        return dz - half, dz + half


def _root(f, guess: float) -> float:
    """The root of a function decreasing in its argument, bracketed outward from a guess."""
    width = 2.0 + abs(guess) * 0.5
    lo, hi = guess - width, guess + width
    while f(lo) < 0:
        lo -= width
        width *= 2
    while f(hi) > 0:
        hi += width
        width *= 2
    return optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-12)


def _wilcoxon(d: np.ndarray, c: np.ndarray, n: int) -> dict:
    """Signed-rank test with zeros dropped (zero_method='wilcox') from the histogram of d."""
    nonzero = d != 0
    n_zero = int(c[~nonzero].sum())
    out = {"n_zero_change": n_zero, "wilcoxon_method": None}
    dn, cn = d[nonzero], c[nonzero]
    m = cn.sum()
    if m == 0:
        return out
    # mid-ranks of |d| over the distinct values, weighted by their counts
    mags, inverse = np.unique(np.abs(dn), return_inverse=True)
    ties = np.bincount(inverse, weights=cn)
    upper = np.cumsum(ties)
    rank = (upper - (ties - 1) / 2)[inverse]
    w_plus = float((cn * rank)[dn > 0].sum())
    w_minus = float((cn * rank)[dn < 0].sum())
    se = math.sqrt((m * (m + 1) * (2 * m + 1) - (ties**3 - ties).sum() / 2) / 24)
    z = (w_plus - m * (m + 1) / 4) / se  # se > 0 whenever one difference is not zero
    out.update(w_plus=w_plus, w_minus=w_minus, z_wilcoxon=z)
    out["r_rank_biserial"] = (w_plus - w_minus) / (w_plus + w_minus)
    if n <= EXACT_MAX_N:
        # small samples: scipy's choice (exact without ties or zeros, else a full permutation)
        ties_or_zeros = n_zero > 0 or bool((ties > 1).any())
        if ties_or_zeros and n <= PERMUTATION_MAX_N:
            out["p_wilcoxon"] = _every_sign(2 * rank, cn, 2 * w_plus)
            out["wilcoxon_method"] = "permutation"
        else:
            res = stats.wilcoxon(np.repeat(d, c.astype("int64")))
            out["p_wilcoxon"] = float(res.pvalue)
            out["wilcoxon_method"] = "normal approximation" if ties_or_zeros else "exact"
    else:
        out["p_wilcoxon"] = float(2 * stats.norm.sf(abs(z)))
        out["wilcoxon_method"] = "normal approximation"
    return out


def _every_sign(rank2: np.ndarray, counts: np.ndarray, w2_plus: float) -> float:
    """Two-sided p of W+ over every assignment of signs to the non-zero differences, equally
    likely: the test scipy's wilcoxon runs by enumerating 2^n sign flips (its permutation path),
    counted here by dynamic programming over doubled mid-ranks, which are whole numbers."""
    steps = np.repeat(rank2.astype("int64"), counts.astype("int64"))
    ways = np.zeros(int(steps.sum()) + 1)
    ways[0] = 1.0
    for r in steps:
        ways[r:] = ways[r:] + ways[:-r]  # the right side is summed before it is stored
    w = int(round(w2_plus))
    p = ways / ways.sum()
    return float(min(1.0, 2 * min(p[: w + 1].sum(), p[w:].sum())))
