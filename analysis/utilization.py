"""Module utilization (DESIGN.md section 5): rates per hospital, lagging hospitals, topic coverage.

Rows come from the query runner's `utilization_by_hospital_module` (one per hospital row and
module; withheld counts missing). Pure pandas, no drawing.
"""

import numpy as np
import pandas as pd

from analysis import sums

ROW = ["hospital", "is_peer_group", "n_hospitals"]
LAGGING_QUANTILE = 0.25
TOPIC_KINDS = {"form": "Form of trafficking", "pop": "Population", "step": "Response step"}


def per_hospital(rows: pd.DataFrame) -> pd.DataFrame:
    """Per hospital row: completions, starters, completion rate, completions per 100 staff and
    contact hours; `is_lagging` marks named hospitals in the bottom quarter (or with none)."""
    out = sums.whole(
        rows,
        ROW,
        {
            "n_completed": "n_completed",
            "n_started": "n_started",
            "n_completed_of_started": "n_completed_of_started",
            "sum_contact_hours": "sum_contact_hours",
        },
        sort=False,
        headcount=("headcount", "max"),
    )
    order = ["n_completed", "n_started", "n_completed_of_started", "headcount", "sum_contact_hours"]
    out = out[order].reset_index()
    n_modules = rows.groupby(ROW, sort=False, dropna=False)["module_id"].nunique().to_numpy()
    out["completions_per_100_staff"] = (
        100 * out["n_completed"] / _positive(out["headcount"]) / np.maximum(n_modules, 1)
    )
    out["completion_rate_pct"] = 100 * out["n_completed_of_started"] / _positive(out["n_started"])
    out["is_lagging"] = _lagging(out)
    return out.sort_values("completions_per_100_staff", ascending=False, na_position="last")


def _lagging(out: pd.DataFrame) -> pd.Series:
    """With at least 4 named hospitals: their bottom quarter by rate; with fewer, below the
    peer groups' lowest rate. A named hospital with no completion always lags."""
    rate = out["completions_per_100_staff"].astype("float64")  # <NA> (withheld) -> NaN
    named = ~out["is_peer_group"]
    if named.sum() >= 4:
        cut = rate[named].quantile(LAGGING_QUANTILE)
        low = rate <= cut
    else:
        low = rate < rate[~named].min()  # NaN (no peers) compares False
    return named & (low | (out["n_completed"].astype("float64") == 0))


def _positive(s: pd.Series) -> pd.Series:
    return s.astype("float64").where(s > 0)


def topics(rows: pd.DataFrame, modules: pd.DataFrame) -> pd.DataFrame:
    """Per hospital row and topic tag (`kind:value`, e.g. `pop:minors`): completions of the
    modules carrying the tag, and whether any was completed."""
    tags = modules[["module_id", "topic_tags"]].explode("topic_tags").dropna()
    tags = tags.rename(columns={"topic_tags": "tag"})
    joined = rows[[*ROW, "module_id", "n_completed"]].merge(tags, on="module_id")
    out = (
        joined.groupby([*ROW, "tag"], sort=True, dropna=False)["n_completed"]
        .sum(min_count=1)
        .reset_index()
    )
    out["kind"] = out["tag"].str.split(":").str[0].map(TOPIC_KINDS).fillna("Other")
    out["topic"] = out["tag"].str.split(":", n=1).str[-1]
    return out


def monthly(rows: pd.DataFrame, own_label: str) -> pd.DataFrame:
    """Completions per month: the viewer's own hospitals summed under one label, peer groups
    as they are (withheld months stay missing)."""
    r = rows.copy()
    r.loc[~r["is_peer_group"], "hospital"] = own_label
    out = (
        r.groupby(["hospital", "is_peer_group", "month"], sort=True)["n_completed"]
        .sum(min_count=1)
        .reset_index()
    )
    return out.sort_values(["is_peer_group", "hospital", "month"]).reset_index(drop=True)
