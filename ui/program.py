"""Display helpers shared by the program pages (no Streamlit): labels, hover text, tables."""

import pandas as pd

from queries.labels import column_label, format_label, reason_label
from ui.theme import WITHHELD, count, display, number, pct


def held(value, fmt=count) -> str:
    """A figure as text; missing (withheld after aggregation) reads `<11`."""
    return WITHHELD if pd.isna(value) else fmt(value)


def short(text: str, width: int = 30) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def module_label(module_id: str, titles: dict, width: int = 28) -> str:
    return f"{module_id} {short(titles.get(module_id, ''), width)}"


def role_label(roles: dict):
    return lambda r: roles.get(r, r)


CHART_HOSPITALS = 40


def chart_hospitals(per: pd.DataFrame, value: str) -> tuple[list, str]:
    """The hospital rows a per-hospital chart draws, in `per`'s order, and a note saying so.

    All of them when the viewer has at most CHART_HOSPITALS; else the CHART_HOSPITALS lowest by
    `value` (where the gaps are; withheld figures last) and every peer group. At collaborative size
    a chart of 570 hospitals was a page 45,000 pixels tall that took the browser seconds to draw;
    the tables keep every hospital."""
    own = per[~per["is_peer_group"]]
    if len(own) <= CHART_HOSPITALS:
        return list(per["hospital"]), ""
    low = own.sort_values(value, na_position="last", kind="stable").head(CHART_HOSPITALS)
    keep = set(low["hospital"]) | set(per.loc[per["is_peer_group"], "hospital"])
    note = (
        f"The chart shows the {CHART_HOSPITALS} of your {len(own):,} hospitals with the lowest "
        "figures, and the peer groups; the table lists every hospital. The State, Region, Health "
        "system and Hospital filters narrow the chart to others."
    )
    return [h for h in per["hospital"] if h in keep], note


def ranked_table(per: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Hospitals": per["hospital"],
            "Completions": per["n_completed"].map(held),
            "Staff (headcount)": per["headcount"].map(held),
            "Completions per 100 staff per module": per["completions_per_100_staff"].map(
                lambda v: held(v, number)
            ),
            "Started in period": per["n_started"].map(held),
            "Completion rate among starters": per["completion_rate_pct"].map(
                lambda v: held(v, pct)
            ),
            "Contact hours earned": per["sum_contact_hours"].map(lambda v: held(v, number)),
            "Lagging": per["is_lagging"].map({True: "yes", False: ""}),
        }
    )


def coverage_table(rows: pd.DataFrame, key: str, key_title: str) -> pd.DataFrame:
    def ci(r):
        if pd.isna(r.coverage_pct):
            return "–"
        return f"{r.ci_low_pct:.1f} to {r.ci_high_pct:.1f}"

    flags = rows.apply(
        lambda r: "; ".join(
            f
            for f, on in (
                ("imprecise", r.is_imprecise),
                ("more trained than headcount", r.is_over_headcount),
            )
            if on
        ),
        axis=1,
    )
    return pd.DataFrame(
        {
            key_title: rows[key],
            "Staff covered": rows["n_covered"].map(held),
            "Staff (headcount)": rows["headcount"].map(held),
            "Coverage": rows["coverage_pct"].map(lambda v: held(v, pct)),
            "95% CI (%)": rows.apply(ci, axis=1),
            "Flags": flags.astype(object) if len(rows) else pd.Series(dtype=object),
        }
    )


def time_table(pooled: pd.DataFrame, titles: dict) -> pd.DataFrame:
    mine = pooled[~pooled["is_peer_group"]]
    return pd.DataFrame(
        {
            "Hospitals": mine["hospital"],
            "Module": mine["module_id"].map(lambda m: module_label(m, titles, 40)),
            "Completions": mine["n_completed"].map(held),
            "Mean minutes spent": mine["mean_time_spent_min"].map(
                lambda v: "not recorded" if pd.isna(v) else number(v)
            ),
            "Mean days from first access": mine["mean_days_to_complete"].map(
                lambda v: "not recorded" if pd.isna(v) else number(v)
            ),
        }
    )


def coverage_hover(r) -> str:
    if pd.isna(r.coverage_pct):
        return f"{held(r.n_covered)} covered · {held(r.headcount)} staff"
    flags = ", imprecise" if r.is_imprecise else ""
    flags += ", more trained than headcount" if r.is_over_headcount else ""
    return (
        f"{pct(r.coverage_pct)} (95% CI {r.ci_low_pct:.1f} to {r.ci_high_pct:.1f}){flags}"
        f"<br>{held(r.n_covered)} of {held(r.headcount)} staff"
    )


def front_line_callout(by_role: pd.DataFrame, target) -> str:
    front = by_role[by_role["front_line"]].sort_values("coverage_pct")
    parts = [
        f"{r.label} {pct(r.coverage_pct)} ({int(r.headcount):,} staff)" for r in front.itertuples()
    ]
    goal = f" against a target of {target:.0f}%" if target is not None and target == target else ""
    return (
        "Front-line roles often missed by training (security, registration, ED technicians, "
        f"nurses who triage) {goal}: " + "; ".join(parts) + "."
    )


def refresher_table(fresh: pd.DataFrame) -> pd.DataFrame:
    per = (
        fresh.groupby(["hospital", "is_peer_group"], sort=False)[
            ["n_ever_covered", "n_current", "n_lapsing", "n_lapsed"]
        ]
        .sum(min_count=1)
        .reset_index()
    )
    return pd.DataFrame(
        {
            "Hospitals": per["hospital"],
            "Staff ever fully trained": per["n_ever_covered"].map(held),
            "Still current": per["n_current"].map(held),
            "Lapsing within 3 months": per["n_lapsing"].map(held),
            "Lapsed (a module past the refresher window)": per["n_lapsed"].map(held),
            "Current": (100 * per["n_current"] / per["n_ever_covered"]).map(lambda v: held(v, pct)),
        }
    )


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers formatted and column names in words."""
    out = display(frame)
    return out.rename(columns={c: column_label(c) for c in out.columns})


TOOLKIT_FORMATS = ("access_log_combined", "wordpress_download_monitor")


def exclusions(excl: pd.DataFrame) -> pd.DataFrame:
    t = excl[excl["format"].isin(TOOLKIT_FORMATS)]
    return pd.DataFrame(
        {
            "Reason": t["reason"].map(reason_label),
            "Log format": t["format"].map(format_label),
            "Files": t["n_files"].map(count),
            "Requests left out": t["n_rows"].map(count),
        }
    )


def resource_summary(rows: pd.DataFrame, titles: dict) -> pd.DataFrame:
    mine = rows[~rows["is_peer_group"]]
    out = mine.groupby("resource_id", sort=True)[["n_downloads", "n_clients"]].sum().reset_index()
    out["label"] = (
        out["resource_id"] + " " + out["resource_id"].map(lambda r: short(titles.get(r, ""), 36))
    )
    out["hover"] = out.apply(
        lambda r: (
            f"{titles.get(r.resource_id, '')}<br>{count(r.n_downloads)} downloads · "
            f"{count(r.n_clients)} unique clients"
        ),
        axis=1,
    )
    return out.sort_values("n_downloads", ascending=False)


def wave_label(wave: str) -> str:
    if wave == "baseline":
        return "Baseline"
    return wave.replace("_arm_1", "").replace("month_", "Month ").replace("_", " ")


def index_table(change: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Hospitals": change["hospital"],
            "First wave": change["first_wave"].map(wave_label),
            "Index then": change["first_index_pct"].map(lambda v: held(v, pct)),
            "Latest wave": change["latest_wave"].map(wave_label),
            "Index now": change["latest_index_pct"].map(lambda v: held(v, pct)),
            "Change": change["change_pp"].map(
                lambda v: "one wave only" if pd.isna(v) else f"{v:+.1f} pp"
            ),
        }
    )


STAGE_WORDS = {"in_progress": "In progress", "not_started": "Not started", "unknown": "Unknown"}


def gap_table(gaps: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Element": gaps["element_id"] + " " + gaps["name"],
            "Stage": gaps["stage"].map(STAGE_WORDS),
            "Toolkit resources": gaps["resources"].map(lambda v: "; ".join(v) or "–"),
            "Modules": gaps["modules"].map(lambda v: "; ".join(v) or "–"),
        }
    )


def coverage_vs_adoption(cov: pd.DataFrame, change: pd.DataFrame) -> pd.DataFrame:
    both = cov.merge(change, on=["hospital", "is_peer_group"]).dropna(
        subset=["coverage_pct", "latest_index_pct"]
    )
    both["hover"] = both.apply(
        lambda r: (
            f"coverage {pct(r.coverage_pct)} of {count(r.headcount)} staff"
            f"<br>adoption index {pct(r.latest_index_pct)} ({wave_label(r.latest_wave)})"
        ),
        axis=1,
    )
    return both


def headline(fig) -> str:
    if pd.isna(fig.value):
        return "–"
    return f"{fig.value:+.1f} pp" if fig.unit == "pp" else pct(fig.value)


def _counted(n, label: str) -> str:
    """'1 hospital', '2 hospitals': the labels are plural; 'staff' is both."""
    first, _, rest = label.partition(" ")
    if n == 1 and first.endswith("s"):
        first = first[:-1]
    return f"{count(n)} {' '.join(x for x in (first, rest) if x)}"


def headline_note(fig, target, was, label) -> str:
    n = f"n = {_counted(fig.n, fig.n_label)}"
    if pd.isna(fig.value):
        return f"{n}; no figure (nothing to show, or fewer than 11 learners)."
    unit = " pp" if fig.unit == "pp" else "%"
    parts = [n]
    if target is None or pd.isna(target):
        parts.append("no target set")
    else:
        parts.append(f"target {target:.0f}{unit}: {'met' if fig.value >= target else 'not met'}")
    if label:
        parts.append(f"{label}: " + ("–" if pd.isna(was) else f"{was:.1f}{unit}"))
    return "; ".join(parts) + "."


def gap_line(i: int, g, roles: dict, elements: dict, modules: dict) -> str:
    what = {
        "Role coverage": lambda k: f"coverage of **{roles.get(k, k)}**",
        "Hospital coverage": lambda k: f"coverage of all staff at **{k}**",
        "Protocol element": lambda k: f"hospitals with **{k} {elements.get(k, '')}** in place",
        "Module reach": lambda k: f"hospitals with a completion of **{k} {modules.get(k, '')}**",
    }[g.kind](g.key)
    return (
        f"{i}. {what}: {pct(g.value_pct)} against a target of {g.target_pct:.0f}% "
        f"(**{g.shortfall_pp:.1f} pp short**)"
    )
