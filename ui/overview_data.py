"""The Overview's frames for one period and the period it compares with (queries.overview)."""

from queries import overview
from queries.filters import Filters
from ui.context import Context


def previous(ctx: Context) -> tuple[Filters | None, str]:
    return overview.previous(ctx.runner, ctx.filters)


def gather(ctx: Context, f: Filters) -> dict:
    return overview.gather(ctx.runner, ctx.viewer, f)
