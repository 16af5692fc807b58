"""Training coverage against headcount (DESIGN.md section 5): Wilson intervals, imprecision flags,
completers above headcount, and the hospitals whose exports do not say a learner's role.

Input rows come from the query runner (one per hospital row and role or department, with
n_covered, n_reached and headcount; withheld counts are missing). Nothing here reads the
warehouse or draws.
"""

import numpy as np
import pandas as pd

from analysis import sums

Z95 = 1.959963984540054
MIN_DENOMINATOR = 30  # NCHS: a proportion on fewer than 30 is imprecise
MAX_CI_WIDTH_PP = 30.0  # NCHS: so is one whose 95% CI is 30 points wide or more
UNRECORDED = "unrecorded"
ROW = ["hospital", "is_peer_group", "n_hospitals"]


def wilson(k, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for k of n, in percent; NaN where n is 0 or missing."""
    k = np.asarray(k, dtype="float64")
    n = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    bad = ~(n > 0)
    lo = np.where(bad, np.nan, np.clip(centre - half, 0, 1) * 100)
    hi = np.where(bad, np.nan, np.clip(centre + half, 0, 1) * 100)
    return lo, hi


def proportions(frame: pd.DataFrame, k: str = "n_covered", n: str = "headcount") -> pd.DataFrame:
    """Adds coverage_pct (k capped at n), its Wilson CI, and the flags: `is_over_headcount`
    (more trained than HR says exist: a stale headcount or contractors) and `is_imprecise`."""
    out = frame.copy()
    kk = pd.to_numeric(out[k]).astype("float64")
    nn = pd.to_numeric(out[n]).astype("float64")
    over = (pd.to_numeric(out["n_reached"]).astype("float64") > nn) | (kk > nn)
    capped = np.minimum(kk, nn)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["coverage_pct"] = np.where(nn > 0, 100 * capped / nn, np.nan)
    out["ci_low_pct"], out["ci_high_pct"] = wilson(capped, nn)
    width = out["ci_high_pct"] - out["ci_low_pct"]
    out["is_imprecise"] = (nn < MIN_DENOMINATOR) | (width >= MAX_CI_WIDTH_PP)
    out["is_over_headcount"] = over.fillna(False) & (nn > 0)
    out.loc[out["coverage_pct"].isna(), "is_imprecise"] = False
    return out


def recorded(rows: pd.DataFrame, key: str = "role") -> pd.Series:
    """Per hospital row: do its exports name learners' roles (or departments)? No when most of
    its reached learners have none recorded (their coverage by role would read as 0%)."""
    reached = rows.groupby("hospital", sort=False)["n_reached"].sum()
    unknown = rows[rows[key] == UNRECORDED].groupby("hospital", sort=False)["n_reached"].sum()
    share = unknown.reindex(reached.index, fill_value=0) / reached.where(reached > 0)
    return ~(share.astype("float64") > 0.5)  # nobody reached (<NA> share): no evidence


def by_hospital(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per hospital row: every role summed (unrecorded roles count toward the total),
    each role capped at its own headcount first so one stale role cannot inflate the total."""
    r = rows.copy()
    r["n_covered"] = np.minimum(r["n_covered"].astype("float64"), _cap(r))
    r["n_reached_capped"] = np.minimum(r["n_reached"].astype("float64"), _cap(r))
    r["has_over"] = (r["n_reached"] > r["headcount"]) & (r["role"] != UNRECORDED)
    total = sums.whole(
        r,
        ROW,
        {"n_covered": "n_covered", "n_reached": "n_reached_capped", "headcount": "headcount"},
        sort=False,
        has_over=("has_over", "any"),
    )
    total = total.reset_index()
    out = proportions(total)
    out["is_over_headcount"] = out["is_over_headcount"] | out["has_over"].astype(bool)
    out["reached_pct"] = (
        100
        * np.minimum(out["n_reached"], out["headcount"])
        / out["headcount"].where(out["headcount"] > 0)
    )
    return out.drop(columns="has_over")


def _cap(rows: pd.DataFrame) -> pd.Series:
    """A role's headcount, except staff with no recorded role, who have none of their own."""
    head = rows["headcount"].astype("float64")
    return head.where(rows["role"] != UNRECORDED, np.inf)


def by_role(rows: pd.DataFrame, key: str = "role") -> pd.DataFrame:
    """Per role (or department) across the viewer's own hospitals whose exports record it;
    learners without one are left out."""
    mine = rows[~rows["is_peer_group"] & (rows[key] != UNRECORDED)]
    keep = recorded(rows[~rows["is_peer_group"]], key)
    mine = mine[mine["hospital"].map(keep).fillna(False).astype(bool)].copy()
    head = mine["headcount"].astype("float64")
    # a withheld count (missing) withholds the role's total and its flag: a sum that skipped
    # it, or an "is over" that read it as false, would be a false figure
    over = (mine["n_reached"] > head).astype("float64")
    mine["is_over_headcount"] = over.where(mine["n_reached"].notna() & head.notna())
    mine["n_covered"] = np.minimum(mine["n_covered"], head)  # capped per hospital, then summed
    mine["n_reached"] = np.minimum(mine["n_reached"], head)
    summed = sums.whole(
        mine,
        [key],
        {
            "n_covered": "n_covered",
            "n_reached": "n_reached",
            "headcount": "headcount",
            "n_hospitals_over": "is_over_headcount",
        },
        sort=True,
    )
    out = proportions(summed.reset_index())  # capped sums are never over: flag the hospitals
    out["is_over_headcount"] = out["is_over_headcount"] | (out["n_hospitals_over"] > 0)
    return out


def by_region(per_hospital: pd.DataFrame, hospitals: pd.DataFrame) -> pd.DataFrame:
    """Per (state, region) of the named hospitals: coverage pooled over its hospitals (each
    capped already), with the counties its hospitals are in (for the map)."""
    h = hospitals[["hospital_name", "state", "region", "county"]]
    mine = per_hospital[~per_hospital["is_peer_group"]].merge(
        h, left_on="hospital", right_on="hospital_name"
    )
    head = mine["headcount"]  # learners without a role can outnumber a hospital's staff
    mine = mine.assign(
        n_covered=np.minimum(mine["n_covered"], head), n_reached=np.minimum(mine["n_reached"], head)
    )
    totals = mine.groupby(["state", "region"], sort=True).agg(
        n_covered=("n_covered", "sum"),
        n_reached=("n_reached", "sum"),
        headcount=("headcount", "sum"),
        n_member_hospitals=("hospital", "nunique"),
    )
    out = proportions(totals.reset_index())
    counties = mine.groupby(["state", "region"])["county"].agg(lambda s: sorted(set(s.dropna())))
    return out.merge(counties.rename("counties").reset_index(), on=["state", "region"])
