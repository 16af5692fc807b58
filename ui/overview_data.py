"""The Overview's frames and figures for one period and the period it compares with
(queries.overview, analysis.overview), derived once per warehouse version and view."""

import pandas as pd

from analysis import overview as figures
from queries import overview
from queries.filters import Filters
from ui.context import Context


def previous(ctx: Context) -> tuple[Filters | None, str]:
    return overview.previous(ctx.runner, ctx.filters)


def headline(ctx: Context, f: Filters) -> tuple[dict, dict]:
    """(frames, headline figures) of the period of `f`."""

    def build():
        data = overview.gather(ctx.runner, ctx.viewer, f)
        return data, figures.figures(data)

    return ctx.runner.memo(("overview.headline", ctx.viewer, f), build)


def gaps(ctx: Context, data: dict, elements: pd.DataFrame, targets: dict) -> pd.DataFrame:
    """The largest shortfalls of the period in view (data, elements and targets follow from
    the view and the warehouse)."""
    return ctx.runner.memo(
        ("overview.gaps", ctx.viewer, ctx.filters),
        lambda: figures.largest_gaps(data, elements, targets),
    )
