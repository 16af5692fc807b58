"""Multiple-comparison corrections: Holm across modules, Benjamini-Hochberg across items."""

import numpy as np
from scipy import stats


def holm(p) -> np.ndarray:
    """Holm's step-down adjusted p-values; NaN (no test) stays NaN and is not in the family."""
    p = np.asarray(p, dtype="float64")
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adjusted = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(adjusted)
    return out


def benjamini_hochberg(p) -> np.ndarray:
    """BH adjusted p-values (scipy's false_discovery_control); NaN stays NaN."""
    p = np.asarray(p, dtype="float64")
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out
