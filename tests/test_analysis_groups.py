"""analysis.groups: each group's row positions, in the order groupby(sort=True) gives them."""

import math

import numpy as np
import pandas as pd

from analysis import groups


def test_positions_are_each_groups_rows_in_sorted_key_order_with_missing_keys_last():
    frame = pd.DataFrame({"h": ["b", "a", None, "b", "a"], "m": [2, 1, 1, 2, 3]})
    got = [(key, at.tolist()) for key, at in groups.positions(frame, ["h", "m"])]
    assert got[:3] == [(("a", 1), [1]), (("a", 3), [4]), (("b", 2), [0, 3])]
    (h, m), at = got[3]
    assert h is None or (isinstance(h, float) and math.isnan(h))
    assert (m, at) == (1, [2])


def test_one_key_gives_one_value_tuples():
    frame = pd.DataFrame({"m": ["x", "y", "x"]})
    assert [(k, a.tolist()) for k, a in groups.positions(frame, ["m"])] == [
        (("x",), [0, 2]),
        (("y",), [1]),
    ]


def test_arrays_are_float64_with_missing_values_as_nan():
    frame = pd.DataFrame({"n": pd.array([3, None], dtype="Int64"), "v": [1.5, 2.0]})
    n, v = groups.arrays(frame, ["n", "v"])
    assert n.dtype == np.float64 and n[0] == 3.0 and math.isnan(n[1])
    assert v.tolist() == [1.5, 2.0]
