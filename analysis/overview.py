"""The Overview's headline figures, one per RE-AIM dimension, against target and the previous
period, and the largest shortfalls against target (DESIGN.md sections 1 and 5).

Inputs are the query runner's frames for one period; outputs are plain records. The mean gain
over all modules is a pooled mean of learner-module changes: shown with its n, without a CI,
since one learner's modules are not independent (the Knowledge page has the per-module tests).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import adoption, coverage, utilization, weighted


@dataclass(frozen=True)
class Figure:
    dimension: str
    metric: str
    label: str
    value: float  # NaN when there is nothing to show
    unit: str  # "%" or "pp"
    n: float  # the denominator or number of learners it rests on
    n_label: str
    prior: float = np.nan  # a comparison the figure carries itself (the previous survey wave)
    prior_label: str = ""


def figures(data: dict) -> dict[str, Figure]:
    """Headline figures from one period's frames: coverage rows (by role), utilization rows,
    knowledge cells, adoption-index rows and refresher rows; own hospitals only."""
    cov = coverage.by_hospital(_own(data["coverage"]))
    # each hospital counts at most its headcount (learners without a role can outnumber it)
    n_cov = np.minimum(cov["n_covered"], cov["headcount"]).sum()
    n_head = cov["headcount"].sum()
    use = utilization.per_hospital(_own(data["utilization"]))
    n_hosp = data["n_hospitals"]
    n_active = int((use["n_completed"].fillna(0) > 0).sum())
    n_gain, gain = _mean_gain(data["knowledge"])
    idx = _own(data["adoption"])
    wave = adoption.latest_wave(idx["wave"]) if len(idx) else None
    at = idx[idx["wave"] == wave]
    placed, answered = at["n_in_place"].sum(), at["n_applicable_answered"].sum()
    earlier = sorted(set(idx["wave"]) - {wave}, key=adoption.wave_order)
    prior, prior_label = np.nan, ""
    if wave and earlier:
        was = idx[idx["wave"] == earlier[-1]]
        prior = _pct(was["n_in_place"].sum(), was["n_applicable_answered"].sum())
        prior_label = f"wave {earlier[-1]}"
    fresh = _own(data["refresher"])
    current, ever = fresh["n_current"].sum(), fresh["n_ever_covered"].sum()
    return {
        f.metric: f
        for f in (
            Figure(
                "Reach",
                "coverage_pct",
                "Staff fully trained",
                _pct(n_cov, n_head),
                "%",
                n_head,
                "staff (headcount)",
            ),
            Figure(
                "Effectiveness",
                "mean_gain_pp",
                "Mean knowledge gain",
                gain,
                "pp",
                n_gain,
                "learner-modules",
            ),
            Figure(
                "Adoption",
                "hospitals_with_completion_pct",
                "Hospitals taking part",
                _pct(n_active, n_hosp),
                "%",
                n_hosp,
                "hospitals",
            ),
            Figure(
                "Implementation",
                "adoption_index_pct",
                "Protocol adoption index",
                _pct(placed, answered),
                "%",
                answered,
                "elements answered",
                prior,
                prior_label,
            ),
            Figure(
                "Maintenance",
                "current_pct",
                "Training still current",
                _pct(current, ever),
                "%",
                ever,
                "staff ever fully trained",
            ),
        )
    }


def _mean_gain(cells: pd.DataFrame | None) -> tuple[int, float]:
    """(learners, mean change in pp) over the own cells whose mean is shown: the mean of every
    such learner's change, as paired.summarize of the cells' pooled histograms gives it."""
    if cells is None:
        return 0, np.nan
    shown = _own(cells)
    shown = shown[shown["mean_change_pp"].notna()]
    change, n = (shown[c].to_numpy(dtype="float64") for c in ("mean_change_pp", "n_learners"))
    return int(n.sum()), (weighted.mean(change, n) if n.sum() else np.nan)


def _own(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[~frame["is_peer_group"].astype(bool)]


def _pct(k, n) -> float:
    return 100 * float(k) / float(n) if n and n > 0 else np.nan


def largest_gaps(data: dict, elements: pd.DataFrame, targets: dict, k: int = 3) -> pd.DataFrame:
    """The k largest shortfalls (pp) against target among roles (coverage), protocol elements
    (share of hospitals with the element in place vs the adoption target) and modules (share of
    hospitals with a completion vs the hospitals target)."""
    rows = []
    if "coverage_pct" in targets:
        roles = coverage.by_role(data["coverage"])
        for r in roles.itertuples():
            rows.append(("Role coverage", r.role, r.coverage_pct, targets["coverage_pct"]))
        if roles.empty:  # exports without job titles: the hospitals' coverage instead
            per = coverage.by_hospital(_own(data["coverage"]))
            for r in per.itertuples():
                rows.append(
                    ("Hospital coverage", r.hospital, r.coverage_pct, targets["coverage_pct"])
                )
    stages = _own(data["stages"])
    wave = adoption.latest_wave(stages["wave"]) if len(stages) else None
    if wave and "adoption_index_pct" in targets:
        answered = stages["stage"].isin(["in_place", "in_progress", "not_started"])
        at = stages[(stages["wave"] == wave) & answered]  # unknown is not "not started"
        share = at.groupby("element_id")["stage"].apply(lambda s: 100 * (s == "in_place").mean())
        for el, v in share.items():
            rows.append(("Protocol element", el, v, targets["adoption_index_pct"]))
    if "hospitals_with_completion_pct" in targets and data["n_hospitals"]:
        use = _own(data["utilization"])
        active = use[use["n_completed"].fillna(0) > 0].groupby("module_id")["hospital"].nunique()
        mods = use["module_id"].unique()
        for m in mods:
            v = 100 * active.get(m, 0) / data["n_hospitals"]
            rows.append(("Module reach", m, v, targets["hospitals_with_completion_pct"]))
    out = pd.DataFrame(rows, columns=["kind", "key", "value_pct", "target_pct"])
    out["shortfall_pp"] = out["target_pct"] - out["value_pct"]
    out = out[out["shortfall_pp"] > 0].sort_values(["shortfall_pp", "key"], ascending=[False, True])
    return out.head(k).reset_index(drop=True)
