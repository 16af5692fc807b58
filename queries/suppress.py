"""Small-cell suppression, applied by the runner after aggregation (DESIGN.md section 6).

- Primary: staff counts about hospitals outside the viewer's scope that are 1-10, and every score
  statistic on fewer than 11 learners (any scope), are withheld and shown as `<11`.
- Complementary, within the table: in any line of cells that a total could be set against (one
  hospital row, every value of one other key), a single withheld cell would follow from the total,
  so the smallest other non-zero cell of that line is withheld too.
- Across filters: a score statistic under a role, module or period filter is withheld when the
  same statistic without that filter rests on 1-10 more or fewer learners (the subtraction
  attack); peer figures about staff are not released under such filters at all (runner).
"""

import pandas as pd

THRESHOLD = 11


def _small(values: pd.Series) -> pd.Series:
    return values.notna() & (values >= 1) & (values < THRESHOLD)


def primary(frame: pd.DataFrame, outside: pd.Series, spec) -> pd.DataFrame:
    """Withheld cells (True) for the counts and score statistics of `frame`."""
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for col in spec.counts:
        mask[col] = outside & _small(frame[col])
    for out, _, n in spec.means:
        mask[out] = _small(frame[n])
    return mask


def across_filters(
    mask: pd.DataFrame, narrow: pd.DataFrame, wide: pd.DataFrame, keys, spec
) -> None:
    """Withhold narrow-filter score statistics resting on 1-10 learners more or fewer than the
    unfiltered ones: n x mean of both would give the difference group's mean away."""
    if narrow.empty or not spec.means:
        return
    for out, _, n in spec.means:
        diff = (_n_of(narrow, wide, keys, n, missing=narrow[n]) - narrow[n]).abs()
        mask[out] |= _small(diff)


def _n_of(narrow: pd.DataFrame, other: pd.DataFrame, keys, n: str, missing=0) -> pd.Series:
    """`other`'s column n for each row of `narrow`, matched on keys; `missing` where it has none."""
    w = narrow[keys].merge(other[[*keys, n]], on=keys, how="left")
    return pd.Series(w[n].array, index=narrow.index).fillna(missing)


def small_neighbours(mask: pd.DataFrame, narrow: pd.DataFrame, parts: pd.DataFrame, keys, spec):
    """Withhold narrow score statistics when another cell of the same partition rests on 1-10
    learners: the unfiltered figure minus the released cells would give it away. `parts` holds
    every other cell at once, told apart by a key column not in `keys` (one merge for all)."""
    if narrow.empty or parts.empty:
        return
    rows = narrow[keys].reset_index(names="_row")
    for out, _, n in spec.means:
        w = rows.merge(parts[[*keys, n]], on=keys, how="inner")
        mask.loc[w.loc[_small(w[n]).to_numpy(), "_row"].unique(), out] = True


def small_remainder(mask, narrow, wide, parts, keys, spec) -> None:
    """The same for what the partition's cells leave out of the unfiltered figure."""
    for out, _, n in spec.means:
        rest = _n_of(narrow, wide, keys, n) - sum(_n_of(narrow, p, keys, n) for p in parts)
        mask[out] |= _small(rest.abs())


def complementary(mask: pd.DataFrame, frame: pd.DataFrame, row_key: str, keys, spec) -> None:
    """Secondary suppression along each line (one row label, one other key varying)."""
    units = [(c, c) for c in spec.counts] + [(out, n) for out, _, n in spec.means]
    lines = [[row_key] + [k for k in keys if k != vary] for vary in keys]
    if not lines or frame.empty:
        return
    # each line's group of every row, computed once: grouping on the text keys was most of the
    # time, and the loop below asks for the same groupings again on every pass
    groups = [
        pd.Series(frame.groupby(fixed, dropna=False, sort=False).ngroup(), index=frame.index)
        for fixed in lines
    ]
    changed = True
    while changed:  # a cell withheld in one line can leave another line with a single one
        changed = False
        for target, size_col in units:
            size = frame[size_col].astype("float64").fillna(0)
            for group in groups:
                held = mask[target] & (size > 0)
                free = size.where(~mask[target] & (size > 0))
                n_held = held.groupby(group).transform("sum")
                lone = group[(n_held == 1) & free.notna()].unique()
                if len(lone) == 0:
                    continue
                pick = free[group.isin(lone)].groupby(group[group.isin(lone)]).idxmin().dropna()
                if len(pick):
                    mask.loc[pick.values, target] = True
                    changed = True


def derived(mask: pd.DataFrame, spec) -> None:
    """A percentage is withheld when its numerator or denominator is; a follower with its leader."""
    for out, lead in spec.follows:
        mask[out] |= mask[lead]
    for out, num, den in spec.pcts:
        mask[out] |= mask[num] | mask[den]


def apply(frame: pd.DataFrame, mask: pd.DataFrame) -> pd.DataFrame:
    """Withheld cells become missing: the figure itself never leaves the runner."""
    out = frame.copy()
    for col in mask.columns:
        if mask[col].any():
            kind = "Int64" if pd.api.types.is_integer_dtype(out[col]) else "Float64"
            out[col] = out[col].astype(kind).mask(mask[col])
    return out
