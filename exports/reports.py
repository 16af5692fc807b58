"""The two workbooks (the collaborative report, a hospital or health-system report card) and a
page's own tables, each ending with a Definitions and a Notes sheet. Pure: bytes out."""

from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd

from exports import sheets
from exports.source import AUDIENCES, Source
from exports.xlsx import WITHHELD, Sheet, workbook
from queries import labels
from queries import overview as overview_q
from queries.filters import LABELS
from queries.scope import MIN_PEERS
from queries.suppress import THRESHOLD

Progress = Callable[[str, int, int], None]


def _plan(card: bool) -> tuple:
    """The sheets in order: a report card sets its hospitals against their peers, and has the
    toolkit use of its own hospitals (the collaborative report: every download, by hospital)."""
    toolkit = (
        [("Toolkit by resource", sheets.toolkit_by_resource)]
        if card
        else [
            ("Toolkit downloads", sheets.toolkit_all),
            ("Toolkit by hospital", sheets.toolkit_by_hospital),
        ]
    )
    return (
        ("Summary", lambda s: sheets.summary(s, with_peers=card)),
        ("Module use ranked", sheets.utilization_ranked),
        ("Module use by hospital", sheets.utilization_by_hospital),
        ("Completions by month", sheets.completions_by_month),
        ("Coverage by hospital", sheets.coverage_by_hospital),
        ("Coverage by role", sheets.coverage_by_role),
        ("Refresher currency", sheets.refresher),
        ("Knowledge gains", sheets.knowledge_gains),
        ("Item analysis", sheets.knowledge_items),
        *toolkit,
        ("Adoption index", sheets.adoption_index),
        ("Adoption stages", sheets.adoption_stages),
        *([("Peer adoption", sheets.peer_adoption)] if card else []),
        ("Protocol gaps", sheets.protocol_gaps),
        ("Data status", sheets.data_status),
    )


COLLABORATIVE_SHEETS, CARD_SHEETS = _plan(card=False), _plan(card=True)
SUPPRESSION = {
    "internal": (
        f"Figures about staff outside this report's scope with counts of 1-{THRESHOLD - 1}, and "
        f"every score statistic (means, gains, item facilities) on fewer than {THRESHOLD} "
        f"learners, read {WITHHELD}; a second cell of a table is withheld where a total would "
        f"give the first away. Peer groups are anonymized aggregates of at least {MIN_PEERS} "
        "hospitals, the report's own excluded."
    ),
    "external": (
        f"For outside audiences every count of 1-{THRESHOLD - 1} reads {WITHHELD}, in every "
        "row, with the percentages and rates of that row; score statistics on fewer than "
        f"{THRESHOLD} learners read {WITHHELD}; a second cell of a table is withheld where a "
        "total would give the first away. Hospitals are named by codes assigned at random for "
        "this workbook (a hospital's size can still hint at who it is: do not publish codes "
        f"beside a map or a list of members). Peer groups hold at least {MIN_PEERS} hospitals. "
        "Two external workbooks under different periods or filters can be set against each "
        "other: release one period and one set of filters per audience."
    ),
}


def collaborative(src: Source, user: str = "", progress: Progress | None = None) -> bytes:
    if not src.viewer.is_collaborative:
        raise PermissionError("the collaborative report is for collaborative staff only")
    return _build(src, "Collaborative report", COLLABORATIVE_SHEETS, user, progress)


def hospital_card(src: Source, user: str = "", progress: Progress | None = None) -> bytes:
    if src.viewer.role not in ("hospital", "system"):
        raise ValueError("a report card is for one hospital or one health system")
    return _build(src, "Report card", CARD_SHEETS, user, progress)


def page(src: Source, title: str, tables: list[Sheet], user: str = "") -> bytes:
    """A page's own tables (already relabelled for the audience), with Definitions and Notes."""
    done = [_finished(src, t) for t in tables]
    return workbook([*done, sheets.definitions(), notes(src, title, user)])


def _build(src, title, plan, user, progress) -> bytes:
    out = []
    total = len(plan) + 2
    for i, (label, make) in enumerate(plan, start=1):
        if progress:
            progress(label, i, total)
        sheet = make(src)
        if sheet is not None:
            out.append(_finished(src, sheet))
    if progress:
        progress("Definitions and notes", total - 1, total)
    out += [sheets.definitions(), notes(src, title, user)]
    data = workbook(out)
    if progress:
        progress("Done", total, total)
    return data


def _finished(src: Source, sheet: Sheet) -> Sheet:
    """A sheet as its audience gets it: swept for outsiders, withheld rows after charted ones."""
    return _withheld_last(_swept(sheet) if src.external else sheet)


def _swept(sheet: Sheet) -> Sheet:
    """Outside audiences: a count of people of 1-10 is withheld, with the figures of its row
    computed from it (a rate beside its denominator would give the count back); a column with a
    single withheld count loses its next smallest too (its total may be shown elsewhere)."""
    frame, held = sheet.frame.copy(), sheet.withheld.copy()
    ns = [h for h, k in sheet.kinds.items() if k == "n"]
    small = {}
    for h in ns:
        v = pd.to_numeric(frame[h], errors="coerce")
        small[h] = ((v >= 1) & (v < THRESHOLD)).fillna(False)
        _complement(v, small[h], held[h])
    derived = [h for h, k in sheet.kinds.items() if k not in _NOT_DERIVED]
    for h in [*ns, *derived]:
        sources = [h] if h in ns else sheet.depends.get(h, ns)
        hit = pd.Series(False, index=frame.index)
        for n in sources:
            hit |= small[n]
        hit &= frame[h].notna()
        held[h] = held[h] | hit
        frame[h] = frame[h].astype(object).where(~hit, None)
    return Sheet(sheet.name, frame, sheet.kinds, held, sheet.chart, sheet.depends)


def _complement(values: pd.Series, small: pd.Series, held: pd.Series) -> None:
    """Secondary suppression down one column: the column's total (a hospital's, the
    collaborative's) can appear on another sheet or in the Summary, and total minus the released
    cells would give a lone withheld cell back."""
    withheld = small | held.astype(bool)
    if int(withheld.sum()) != 1:
        return
    free = values[~withheld & (values > 0)]
    if len(free):
        small[free.idxmin()] = True


def _withheld_last(sheet: Sheet) -> Sheet:
    """Rows whose charted value is withheld go last, so the chart draws the rows before them;
    in the order of their labels, since their order by value would rank the withheld figures."""
    if sheet.chart is None or sheet.chart.rows is not None:
        return sheet
    last = sheet.withheld[sheet.chart.values].any(axis=1).reset_index(drop=True)
    label = sheet.frame[sheet.chart.category].astype(str).reset_index(drop=True)
    rank = pd.Series(range(len(last)), dtype="float64").where(~last, -1)
    order = (
        pd.DataFrame({"last": last, "rank": rank, "label": label})
        .sort_values(["last", "rank", "label"], kind="stable")
        .index
    )
    frame = sheet.frame.iloc[order].reset_index(drop=True)
    held = sheet.withheld.iloc[order].reset_index(drop=True)
    return Sheet(sheet.name, frame, sheet.kinds, held, sheet.chart, sheet.depends)


_NOT_DERIVED = {"n", "count", "text", "month", "date", "datetime", ""}


def notes(src: Source, title: str, user: str = "") -> Sheet:
    period = overview_q.period(src.runner, src.filters)
    built = src.built_at.strftime("%Y-%m-%d %H:%M UTC") if src.built_at is not None else "unknown"
    rows = [
        ("Report", "Workbook", title),
        ("Report", "Audience", AUDIENCES[src.audience]),
        ("Report", "Scope", src.who),
        ("Report", "Exported at", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Report", "Exported by", user or "not recorded"),
        ("Data", "Warehouse version", src.version),
        ("Data", "Data as of", built),
        ("Data", "Times", "UTC, without a time-zone offset (Excel has none)"),
        (
            "Filters",
            "Period",
            f"{period.label} ({period.month_from:%b %Y} to {period.month_to:%b %Y})",
        ),
    ]
    f = src.filters
    for key, label in LABELS.items():
        value = getattr(f, key)
        if value is None:
            continue
        if key == "hospital" and not src.external:
            value = src.runner.frame(src.viewer).names.get(value, value)
        if src.external and key in ("region", "health_system", "hospital_type", "hospital"):
            value = "applied (withheld: it could single out a hospital)"
        if key == "role":
            value = src.catalog("roles").set_index("role")["label"].get(value, value)
        if key == "module":
            value = f"{value}: {src.catalog('modules').set_index('module_id')['title'].get(value)}"
        rows.append(("Filters", label, str(value)))
    if not any(r[0] == "Filters" and r[1] != "Period" for r in rows):
        rows.append(("Filters", "Other filters", "none: all hospitals in scope, roles and modules"))
    rows += [
        ("Filters", "Quiz attempt used", f"{src.policy} finished attempt of each learner"),
        ("Filters", "Protocol survey wave", src.wave or "the latest wave"),
        ("Privacy", "Suppression", SUPPRESSION[src.audience]),
        (
            "Privacy",
            f"{WITHHELD} and blank cells",
            f"{WITHHELD}: withheld. Blank: no figure. Charts leave out withheld rows.",
        ),
        ("Privacy", "Personal data", "No learner is named; the report holds aggregates only."),
    ]
    rows += _accounting(src)
    frame = pd.DataFrame(rows, columns=["section", "item", "value"])
    return sheets._sheet(
        "Notes",
        frame,
        {"section": ("Section", "text"), "item": ("Item", "text"), "value": ("Value", "text")},
    )


def _accounting(src: Source) -> list[tuple]:
    """Source files and their row accounting: per format and system for collaborative staff
    (tenants name organisations, so they are left out of every export), else freshness only."""
    if src.viewer.is_collaborative:
        s = src.runner.run("load_summary").frame
        cols = ["n_files", "rows_read", "rows_loaded", "rows_excluded", "rows_rejected"]
        cols += ["rows_duplicate", "n_failed_files"]
        g = s.groupby(["format", "system"], dropna=False, sort=True)[cols].sum().reset_index()
        return [
            (
                "Source files (each file's latest load)",
                f"{labels.format_label(r.format)} ({r.system})",
                f"{int(r.n_files):,} files ({int(r.n_failed_files):,} failed); "
                f"{int(r.rows_read):,} rows read = {int(r.rows_loaded):,} loaded + "
                f"{int(r.rows_excluded):,} excluded by rule + {int(r.rows_rejected):,} rejected "
                f"+ {int(r.rows_duplicate):,} duplicate",
            )
            for r in g.itertuples()
        ]
    fr = src.runner.run("source_freshness").frame
    return [
        (
            "Source files",
            f"{labels.format_label(r.format)} ({r.system})",
            f"{int(r.n_files):,} files; newest export {pd.Timestamp(r.last_export_at):%Y-%m-%d}"
            if pd.notna(r.last_export_at)
            else f"{int(r.n_files):,} files",
        )
        for r in fr.itertuples()
    ]
