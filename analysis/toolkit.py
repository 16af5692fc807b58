"""Toolkit use (DESIGN.md section 5): downloads by protocol element, hospitals with none."""

import pandas as pd


def by_element(downloads: pd.DataFrame, resources: pd.DataFrame, keys=("month",)) -> pd.DataFrame:
    """Counted downloads per protocol element (a resource supporting two elements counts for
    each), summed over the given keys."""
    els = resources[["resource_id", "protocol_elements"]].explode("protocol_elements")
    joined = downloads.merge(els.dropna(), on="resource_id")
    keys = [k for k in keys if k in joined.columns]
    out = joined.groupby(["protocol_elements", *keys], sort=True)["n_downloads"].sum()
    return out.reset_index().rename(columns={"protocol_elements": "element_id"})


def without_download(hospitals: pd.DataFrame, downloads: pd.DataFrame) -> pd.DataFrame:
    """Named hospitals with no counted download attributed to them in the period."""
    got = downloads.loc[downloads["n_downloads"].fillna(0) > 0, "hospital_ccn"].dropna()
    out = hospitals[~hospitals["hospital_ccn"].isin(set(got))]
    return out[["hospital_ccn", "hospital_name", "state", "region"]].reset_index(drop=True)
