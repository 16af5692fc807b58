"""Tables of the knowledge evaluation from the query runner's cells and bins.

Each function takes `cells` (one row per hospital row x module, with `released` <NA> where the
runner withheld the statistics) and `bins` (the histogram rows of released cells), and returns
one row per cell: withheld cells keep their row, with the statistics missing, so a table can say
`<11` where a figure would have been.
"""

import pandas as pd

from analysis import groups, items, paired, quality, retention
from analysis.multiple import holm
from analysis.rules import GAP_FACILITY, MIN_CELL_N

ROW = ["hospital", "is_peer_group", "n_hospitals"]


def gains(cells: pd.DataFrame, bins: pd.DataFrame) -> pd.DataFrame:
    """Per hospital row and module: every paired figure, with Holm-adjusted p-values across the
    modules of each hospital row (one view)."""
    stats = paired.by_group(bins, ["hospital", "module_id"])
    stats = stats.drop(columns="n_pairs")
    out = _attach(cells, stats, ["hospital", "module_id"])
    for p in ("p_t", "p_wilcoxon"):
        out[f"{p}_holm"] = out.groupby("hospital", sort=False)[p].transform(
            lambda s: pd.Series(holm(s.to_numpy()), index=s.index)
        )
    return out


def item_changes(cells: pd.DataFrame, bins: pd.DataFrame, gap=GAP_FACILITY) -> pd.DataFrame:
    """Per hospital row, module and item: facilities, McNemar, BH across the module's items."""
    keys = ["hospital", "module_id", "item_id"]
    stats = items.item_change(bins, keys=keys, gap_facility=gap).drop(columns="n_learners")
    return _attach(cells, stats, keys)


def follow_up(cells: pd.DataFrame, bins: pd.DataFrame) -> pd.DataFrame:
    """From the knowledge_retention query's bins of sufficient statistics."""
    return _per_module(
        cells, bins, retention.BIN_KEYS, retention.MOMENTS, retention.retention_of, _RETENTION
    )


def dropouts(cells: pd.DataFrame, bins: pd.DataFrame) -> pd.DataFrame:
    """From the knowledge_attrition query's bins of sufficient statistics."""
    return _per_module(
        cells,
        bins,
        retention.ATTRITION_KEYS,
        retention.ATTRITION_MOMENTS,
        retention.attrition_of,
        _ATTRITION,
    )


def _per_module(cells, bins, flags, moments, summary, fields) -> pd.DataFrame:
    """summary() of each hospital row and module's bins (n_learners, flags, moments), attached
    to the cells."""
    values = ["n_learners", *moments]
    cols = dict(zip(values, groups.arrays(bins, values), strict=True))
    cols |= {k: bins[k].astype(bool).to_numpy() for k in flags}
    keys = ["hospital", "module_id"]
    rows = [
        {**dict(zip(keys, k, strict=True)), **summary({c: a[at] for c, a in cols.items()})}
        for k, at in groups.positions(bins, keys)
    ]
    return _attach(cells, pd.DataFrame(rows, columns=[*keys, *fields]), keys)


def item_quality(cells: pd.DataFrame, bins: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per item, per quiz) Moodle statistics for each hospital row, module and phase."""
    keys = ["hospital", "module_id", "phase"]
    item_rows, tests = [], []
    for k, part in bins.groupby(keys, sort=True):
        per_item, test = quality.item_analysis(part)
        item_rows.append(per_item.assign(**dict(zip(keys, k, strict=True))))
        tests.append({**dict(zip(keys, k, strict=True)), **test})
    per_item = (
        pd.concat(item_rows, ignore_index=True)
        if item_rows
        else pd.DataFrame(columns=[*keys, "item_id", *quality.ITEM_FIELDS])
    )
    per_item = _attach(cells, per_item.drop(columns="n_attempts"), [*keys, "item_id"])
    per_quiz = pd.DataFrame(tests, columns=[*keys, *_TEST])
    return per_item, per_quiz


_RETENTION = retention.RETENTION_FIELDS
_ATTRITION = retention.ATTRITION_FIELDS
_TEST = [
    "n_attempts",
    "n_items",
    "mean_score_pct",
    "sd_score_pct",
    "cronbach_alpha",
    "error_ratio_pct",
    "standard_error_pct",
]


def _attach(cells: pd.DataFrame, stats: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    # the cell's own n only: split counts (eligible, responded ...) come from the statistics,
    # which withhold them when a part is small
    keep = [*ROW, *keys, "n_learners", "n_attempts", "released"]
    cols = [c for c in cells.columns if c in keep and c not in stats.columns or c in keys]
    out = cells[cols].merge(stats, on=keys, how="left")
    counts = [c for c in out.columns if c.startswith(("n_", "bias_n_")) and c != "n_hospitals"]
    for c in counts:
        values = pd.to_numeric(out[c], errors="coerce").round().astype("Int64")
        # staff counts about peers: 1-10 are withheld (DESIGN.md section 6)
        out[c] = values.mask(out["is_peer_group"].astype(bool) & values.between(1, MIN_CELL_N - 1))
    return out
