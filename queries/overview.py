"""The frames behind the headline figures for one period, the period compared with, and the
program's targets: shared by the Overview page and the exports (no Streamlit here)."""

from dataclasses import replace
from datetime import date

from queries.filters import CUSTOM, SINCE_LAUNCH, Filters, Period, resolve_period
from queries.runner import Runner
from queries.scope import Viewer


def period(runner: Runner, f: Filters) -> Period:
    periods, launch, last = runner.periods()
    return resolve_period(f, periods, launch, last)


def targets(runner: Runner, f: Filters) -> dict:
    """The program's targets for the period in view: a program period's own, else those of the
    program period holding the view's last month (else the latest period's)."""
    frame = runner.run("targets").frame
    if frame.empty:
        return {}
    periods, _, _ = runner.periods()
    p = period(runner, f)
    ids = [q.key for q in periods if q.key == p.key]
    ids = ids or [q.key for q in periods if q.month_from <= p.month_to <= q.month_to]
    ids = ids or [periods[-1].key] if periods else ids
    chosen = frame[frame["period_id"].isin(ids[:1])]
    return dict(zip(chosen["metric"], chosen["target"].astype(float), strict=True))


def previous(runner: Runner, f: Filters) -> tuple[Filters | None, str]:
    """A program period is compared with the one before it; since launch with the same span
    ending a year earlier; a custom range or the first period with nothing."""
    periods, launch, last = runner.periods()
    p = period(runner, f)
    keys = [q.key for q in periods]
    if p.key in keys and keys.index(p.key) > 0:
        before = periods[keys.index(p.key) - 1]
        return replace(f, period=before.key), before.label
    if p.key == SINCE_LAUNCH:
        end = date(last.year - 1, last.month, 1)
        if end >= launch:
            g = replace(f, period=CUSTOM, month_from=launch, month_to=end)
            return g, f"a year earlier (to {end:%b %Y})"
    return None, ""


def gather(runner: Runner, viewer: Viewer, f: Filters, external: bool = False) -> dict:
    def run(name, **kw):
        return runner.run(name, viewer, f, external=external, **kw)

    return {
        "coverage": run("coverage_by_hospital_role").frame,
        # completions and starters only: no time or days statistics, so no statements guard them
        "utilization": run("utilization_by_hospital_module", scores=False).frame,
        # the knowledge_gains cells the Knowledge page opens on, without their histograms
        "knowledge": run("knowledge_gain_cells", pool=True, policy="first").frame,
        "adoption": run("adoption_by_hospital").frame,
        "stages": run("adoption_by_hospital_element").frame,
        "refresher": run("refresher_currency").frame,
        "n_hospitals": len(runner.frame(viewer).named(f)),
    }
