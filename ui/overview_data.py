"""The frames the Overview needs for one period, and which period it compares with."""

from dataclasses import replace
from datetime import date

from queries.filters import CUSTOM, SINCE_LAUNCH, Filters
from ui.context import Context, period_of


def previous(ctx: Context) -> tuple[Filters | None, str]:
    """A program period is compared with the one before it; since launch with the same span
    ending a year earlier; a custom range or the first period with nothing."""
    periods, launch, last = ctx.runner.periods()
    p = period_of(ctx)
    keys = [q.key for q in periods]
    if p.key in keys and keys.index(p.key) > 0:
        before = periods[keys.index(p.key) - 1]
        return replace(ctx.filters, period=before.key), before.label
    if p.key == SINCE_LAUNCH:
        end = date(last.year - 1, last.month, 1)
        if end >= launch:
            f = replace(ctx.filters, period=CUSTOM, month_from=launch, month_to=end)
            return f, f"a year earlier (to {end:%b %Y})"
    return None, ""


def gather(ctx: Context, f: Filters) -> dict:
    run, v = ctx.runner.run, ctx.viewer
    gains = run("knowledge_gains", v, f, pool=True, policy="first")
    bins = gains.detail
    if bins is not None:
        bins = bins[~bins["is_peer_group"]]
    return {
        "coverage": run("coverage_by_hospital_role", v, f).frame,
        "utilization": run("utilization_by_hospital_module", v, f).frame,
        "knowledge": bins,
        "adoption": run("adoption_by_hospital", v, f).frame,
        "stages": run("adoption_by_hospital_element", v, f).frame,
        "refresher": run("refresher_currency", v, f).frame,
        "n_hospitals": len(ctx.runner.frame(v).named(f)),
    }
