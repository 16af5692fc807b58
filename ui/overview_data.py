"""The Overview's frames and figures for one period and the period it compares with
(queries.overview, analysis.overview), derived once per warehouse version and view."""

import pandas as pd

from analysis import overview as overview_figures
from queries import overview
from queries.filters import Filters
from ui.context import Context


def previous(ctx: Context) -> tuple[Filters | None, str]:
    return overview.previous(ctx.runner, ctx.filters)


def headline(ctx: Context, f: Filters) -> tuple[int, dict]:
    """(hospitals in view, headline figures) of the period of `f`. The frames they come from
    stay in the runner's result cache, not in the memo."""

    def build():
        data = overview.gather(ctx.runner, ctx.viewer, f)
        return data["n_hospitals"], overview_figures.figures(data)

    return ctx.runner.memo(("overview.headline", ctx.viewer, f), build)


def gaps(ctx: Context) -> pd.DataFrame:
    """The largest shortfalls against target of the view, from the same warehouse version as
    its key (so its inputs are read here, not passed in)."""

    def build():
        data = overview.gather(ctx.runner, ctx.viewer, ctx.filters)  # cached results
        elements = ctx.runner.run("protocol_elements").frame
        targets = overview.targets(ctx.runner, ctx.filters)
        return overview_figures.largest_gaps(data, elements, targets)

    return ctx.runner.memo(("overview.gaps", ctx.viewer, ctx.filters), build)
