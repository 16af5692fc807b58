"""Thresholds the statistics share (DESIGN.md sections 5 and 6)."""

MIN_TEST_N = 10  # no significance test below 10 matched pairs
MIN_CELL_N = 11  # no score statistic on fewer than 11 learners (`<11`)
RETENTION_MIN_GAIN_PP = 5.0  # retention ratio only when the gain is at least 5 points
GAP_FACILITY = 0.70  # an item is a knowledge gap below this post-test facility (configurable)
LOW_EFFICIENCY_PCT = 15.0  # Moodle flags a discriminative efficiency below this
HAKE_BANDS = ((0.3, "low"), (0.7, "medium"), (float("inf"), "high"))
ALPHA = 0.05


def hake_band(g: float) -> str | None:
    if g != g:  # NaN
        return None
    return next(label for upper, label in HAKE_BANDS if g < upper)
