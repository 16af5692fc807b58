"""Protocol adoption (DESIGN.md section 5): stages per hospital and element, the index and its
change between survey waves, and each hospital's gaps with what addresses them."""

import pandas as pd

STAGES = ["in_place", "in_progress", "not_started", "not_applicable", "unknown"]
GAP_STAGES = ("in_progress", "not_started", "unknown")


def wave_order(wave: str) -> tuple:
    """Survey waves sort `baseline`, then by name length and name (`month_6` before `month_12`)."""
    return (wave != "baseline", len(wave), wave)


def latest_wave(waves) -> str | None:
    order = sorted(set(waves), key=wave_order)
    return order[-1] if order else None


def stage_matrix(rows: pd.DataFrame, wave: str) -> pd.DataFrame:
    """Named hospital x element: the stage in that wave (hospitals that did not answer the
    wave are left out; an unanswered element is `unknown`)."""
    mine = rows[(~rows["is_peer_group"]) & (rows["wave"] == wave)]
    return mine.pivot(index="hospital", columns="element_id", values="stage")


def index_change(index_rows: pd.DataFrame) -> pd.DataFrame:
    """Per hospital row: the adoption index at its first and latest wave, and the change (pp)."""
    r = index_rows.dropna(subset=["adoption_index_pct"])
    key = r["wave"].map(wave_order)
    r = r.assign(_order=key).sort_values("_order")
    g = r.groupby(["hospital", "is_peer_group"], sort=False)
    out = g.agg(
        first_wave=("wave", "first"),
        latest_wave=("wave", "last"),
        first_index_pct=("adoption_index_pct", "first"),
        latest_index_pct=("adoption_index_pct", "last"),
        n_waves=("wave", "nunique"),
    ).reset_index()
    out["change_pp"] = (out["latest_index_pct"] - out["first_index_pct"]).where(out["n_waves"] > 1)
    return out


def gaps(rows: pd.DataFrame, elements: pd.DataFrame, wave: str) -> pd.DataFrame:
    """Per named hospital: each applicable element not in place in the wave, with the toolkit
    resources and modules that address it."""
    mine = rows[(~rows["is_peer_group"]) & (rows["wave"] == wave)]
    out = mine[mine["stage"].isin(GAP_STAGES)][["hospital", "element_id", "stage"]]
    out = out.merge(elements[["element_id", "name", "resources", "modules"]], on="element_id")
    return out.sort_values(["hospital", "element_id"]).reset_index(drop=True)


def peer_shares(rows: pd.DataFrame, wave: str) -> pd.DataFrame:
    """Per peer group and element: share of its hospitals at each stage (withheld stays NaN)."""
    peers = rows[rows["is_peer_group"] & (rows["wave"] == wave)]
    total = peers.groupby(["hospital", "element_id"])["n_hospitals_at_stage"].transform("sum")
    return peers.assign(share_pct=100 * peers["n_hospitals_at_stage"] / total)
