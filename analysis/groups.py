"""Row positions of each group of a frame, for statistics computed per group on numpy arrays:
a pandas sub-frame per group costs more than most of the statistics computed on it."""

import numpy as np
import pandas as pd


def positions(frame: pd.DataFrame, keys: list[str]) -> list[tuple[tuple, np.ndarray]]:
    """(key values, row positions) of each group, in sorted key order (missing keys last, as
    groupby(sort=True, dropna=False) orders them)."""
    g = frame.groupby(keys, sort=True, dropna=False)
    codes = g.ngroup().to_numpy()
    labels = [k if isinstance(k, tuple) else (k,) for k in g.size().index]
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(labels) + 1))
    return [(labels[i], order[bounds[i] : bounds[i + 1]]) for i in range(len(labels))]


def arrays(frame: pd.DataFrame, cols: list[str]) -> list[np.ndarray]:
    """Columns as float64 arrays, missing values as NaN."""
    return [frame[c].to_numpy("float64", na_value=np.nan) for c in cols]
