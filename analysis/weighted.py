"""Mean and sample SD of values each repeated by its count (a histogram's rows)."""

import math

import numpy as np


def mean(v: np.ndarray, c: np.ndarray) -> float:
    return float((v * c).sum() / c.sum())


def sd(v: np.ndarray, c: np.ndarray) -> float:
    """Sample standard deviation (n - 1) of the values, each repeated by its count."""
    if (v == v[0]).all():
        return 0.0  # exactly: a float mean of equal values can miss them by a rounding error
    m = mean(v, c)
    return math.sqrt(float((c * (v - m) ** 2).sum() / (c.sum() - 1)))


def sd_of_moments(n: float, s: float, ss: float, lo: float, hi: float) -> float:
    """sd() from n, the sum, the sum of squares and the extremes of the values: exactly 0 when
    the extremes are equal, as sd() is, however the sums of squares rounded. One pass: its
    relative error is about 1e-16 x (mean / sd)^2, which for scores in percent reaches display
    precision only when nearly every value is the same (e.g. 5e-5 of an SD of 5e-5 pp)."""
    if lo == hi:
        return 0.0
    return math.sqrt(max(0.0, (ss - s * s / n) / (n - 1)))
