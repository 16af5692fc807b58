"""One function per sheet: the runner's figures (and the analysis layer's statistics on them)
as a table with display headers, number formats and the cells that are withheld.

A statistic is withheld (`<11`) where the runner withheld it or what it is computed from; a
blank cell means there is no figure (no data, or not applicable)."""

import numpy as np
import pandas as pd

from analysis import adoption, coverage, knowledge, overview, utilization
from exports.source import Source
from exports.xlsx import Chart, Sheet
from queries import labels
from queries import overview as overview_q
from queries.suppress import THRESHOLD

STAGE_WORDS = {
    "in_place": "In place",
    "in_progress": "In progress",
    "not_started": "Not started",
    "not_applicable": "Not applicable",
    "unknown": "Unknown",
}


def _sheet(
    name, frame, columns: dict, held_rows=None, chart=None, depends=None, held_cells=None
) -> Sheet:
    """columns: source column -> (header, kind). held_rows: rows whose missing figures are
    withheld rather than absent; held_cells: the same per cell (source columns, frame's index)."""
    out = pd.DataFrame({h: frame[c].to_numpy() for c, (h, _) in columns.items()})
    kinds = {h: k for h, k in columns.values()}
    held = pd.DataFrame(False, index=out.index, columns=out.columns)
    if held_rows is not None:
        rows = np.asarray(held_rows, dtype=bool)
        for h, k in kinds.items():
            if k not in ("text", "", "date", "month", "datetime"):
                held[h] = out[h].isna().to_numpy() & rows
    if held_cells is not None:
        for c, (h, _) in columns.items():
            if c in held_cells.columns:
                cells = held_cells[c].reindex(frame.index).fillna(False).to_numpy(dtype=bool)
                held[h] = held[h].to_numpy() | (out[h].isna().to_numpy() & cells)
    return Sheet(name, out, kinds, held, chart, depends or {})


def _agg_held(res, key: str, mapping: dict, keep=None) -> pd.DataFrame:
    """Per value of key: is an aggregated column (summed over the key's rows) resting on a
    withheld cell? mapping: output column -> the runner's columns it is computed from."""
    sup, fr = res.suppressed, res.frame
    if keep is not None:
        sup, fr = sup[keep], fr[keep]
    return pd.DataFrame(
        {
            out: sup[cols].any(axis=1).groupby(fr[key].to_numpy()).any()
            for out, cols in mapping.items()
        }
    )


def _by_key(held: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    return held.reindex(keys.to_numpy()).fillna(False).astype(bool).set_axis(keys.index)


def _titles(src: Source) -> dict:
    return src.catalog("modules").set_index("module_id")["title"].to_dict()


# --- summary -----------------------------------------------------------------------------------


def _peer_view(data: dict, n_peers: int) -> dict:
    """The same frames with the peer groups as 'own' rows, for figures() to read."""

    def flip(frame):
        if frame is None:
            return None
        peers = frame[frame["is_peer_group"].astype(bool)].copy()
        peers["is_peer_group"] = False
        return peers

    out = {k: flip(v) for k, v in data.items() if k != "n_hospitals"}
    out["n_hospitals"] = n_peers
    return out


def summary(src: Source, with_peers: bool) -> Sheet:
    runner, f = src.runner, src.filters
    # totals over roles and hospitals: suppression is decided on the totals shown (below), since
    # a role's withheld headcount would otherwise withhold every total it is part of
    data = overview_q.gather(runner, src.viewer, f)
    now = overview.figures(data)
    before_f, before_label = overview_q.previous(runner, f)
    before_data = overview_q.gather(runner, src.viewer, before_f) if before_f else None
    before = overview.figures(before_data) if before_data else {}
    targets = overview_q.targets(runner, f)
    peer = {}
    if with_peers:
        n_peers = len(runner.frame(src.viewer).groups)
        if n_peers:
            peer = overview.figures(_peer_view(data, n_peers))
    rows = []
    for fig in now.values():
        was, label, was_n, was_held = np.nan, "", np.nan, False
        if fig.metric in before:
            was, label, was_n = before[fig.metric].value, before_label, before[fig.metric].n
            was_held = _withheld_inputs(before_data, fig.metric)
        if pd.notna(fig.prior):  # the previous survey wave, from this period's own frames
            was, label, was_n, was_held = fig.prior, fig.prior_label, np.nan, False
        rows.append(
            {
                "dimension": fig.dimension,
                "label": fig.label,
                "unit": "percentage points" if fig.unit == "pp" else "percent",
                "value": fig.value,
                "n": fig.n,
                "n_label": fig.n_label,
                "target": targets.get(fig.metric, np.nan),
                # a peer group is one pooled row: how many of its hospitals took part is unknown
                "peer": peer[fig.metric].value
                if fig.metric in peer and fig.metric != "hospitals_with_completion_pct"
                else np.nan,
                "peer_n": peer[fig.metric].n if fig.metric in peer else np.nan,
                "was": was,
                "was_label": label,
                "was_n": was_n,
                "was_held": was_held,
                "change": fig.value - was,
            }
        )
    frame = pd.DataFrame(rows)
    cols = {
        "dimension": ("RE-AIM dimension", "text"),
        "label": ("Measure", "text"),
        "value": ("Value", "one"),
        "unit": ("Unit", "text"),
        "n": ("n", "count"),
        "n_label": ("n counts", "text"),
        "target": ("Target", "one"),
    }
    if with_peers:
        cols |= {"peer": ("Peer hospitals", "one"), "peer_n": ("Peer n", "count")}
    cols |= {
        "was": ("Compared with", "one"),
        "was_label": ("Compared with (period)", "text"),
        "change": ("Change (pp)", "pp"),
    }
    # n counts staff in some rows and hospitals or survey answers in others: outsiders lose
    # the staff rows resting on 1-10 people here, not in the generic sweep
    staff = frame["n_label"].isin(
        ["staff (headcount)", "learner-modules", "staff ever fully trained"]
    )

    def small(col, pct=None):
        """Outsiders: n of 1-10, or (for a percentage) its numerator of 1-10, since value x n
        would give the numerator back."""
        few = frame[col].between(1, THRESHOLD - 1)
        if pct is not None:
            k = (frame[pct] * frame[col] / 100).round()
            few |= (frame["unit"] == "percent") & k.between(1, THRESHOLD - 1)
        return staff & few & src.external

    # a figure whose inputs were withheld is withheld, and so is its n where n is a sum of
    # staff counts that skipped the withheld one (it would read too low, or give it away)
    inputs = pd.Series([_withheld_inputs(data, m) for m in now])
    peer_inputs = pd.Series([bool(peer) and _withheld_inputs(data, m, True) for m in now])
    few = small("n") | (inputs & staff)
    few_peer = small("peer_n") | (peer_inputs & staff)
    held = inputs | few | small("n", "value")
    peer_held = peer_inputs | few_peer | small("peer_n", "peer")
    was_held = frame["was_held"].astype(bool) | small("was_n", "was")
    for col, rows in (("value", held), ("change", held | was_held), ("was", was_held)):
        frame[col] = frame[col].where(~rows, np.nan)
    frame["peer"] = frame["peer"].where(~peer_held, np.nan)
    frame["n"] = frame["n"].where(~few, np.nan)
    frame["peer_n"] = frame["peer_n"].where(~few_peer, np.nan)
    sheet = _sheet("Summary", frame, cols)
    for col, rows in (
        ("Value", held),
        ("Change (pp)", held | was_held),
        ("n", few),
        ("Compared with", was_held),
    ):
        sheet.withheld[col] = rows.to_numpy()
    if with_peers:
        sheet.withheld["Peer hospitals"] = peer_held.to_numpy()
        sheet.withheld["Peer n"] = few_peer.to_numpy()
    return sheet


# what each headline figure is computed from: a withheld input withholds the figure (a sum that
# skipped it would read too low)
_INPUTS = {
    "coverage_pct": ("coverage", ["n_covered", "headcount"]),
    "hospitals_with_completion_pct": ("utilization", ["n_completed"]),
    "adoption_index_pct": ("adoption", ["n_in_place", "n_applicable_answered"]),
    "current_pct": ("refresher", ["n_current", "n_ever_covered"]),
}


def _withheld_inputs(data: dict, metric: str, peers: bool = False) -> bool:
    if metric not in _INPUTS:
        return False
    key, cols = _INPUTS[metric]
    frame = data[key]
    rows = frame[frame["is_peer_group"].astype(bool) == peers]
    return bool(rows[cols].isna().to_numpy().any())


# --- module use --------------------------------------------------------------------------------


def utilization_by_hospital(src: Source) -> Sheet:
    res = src.run("utilization_by_hospital_module")
    fr = src.relabel(res.frame).assign(title=lambda d: d["module_id"].map(_titles(src)))
    fr = fr.sort_values(["is_peer_group", "hospital", "module_id"], kind="stable")
    cols = {
        "hospital": ("Hospital", "text"),
        "module_id": ("Module", "text"),
        "title": ("Title", "text"),
        "n_started": ("Staff started", "n"),
        "n_completed": ("Staff completed", "n"),
        "completion_rate_pct": ("Completion rate among starters", "pct"),
        "headcount": ("Headcount", "n"),
        "completions_per_100_staff": ("Completions per 100 staff", "one"),
        "sum_contact_hours": ("Contact hours earned", "one"),
        "mean_time_spent_min": ("Mean time spent (min)", "one"),
        "mean_days_to_complete": ("Mean days to complete", "one"),
    }
    return _sheet("Module use by hospital", fr, cols, held_cells=res.suppressed)


def utilization_ranked(src: Source) -> Sheet:
    res = src.run("utilization_by_hospital_module", totals=True)
    per = utilization.per_hospital(res.frame)
    held = _agg_held(
        res,
        "hospital",
        {
            "n_started": ["n_started"],
            "n_completed": ["n_completed"],
            "completion_rate_pct": ["n_completed_of_started", "n_started"],
            "headcount": ["headcount"],
            "completions_per_100_staff": ["n_completed", "headcount"],
            "sum_contact_hours": ["sum_contact_hours", "n_completed"],
        },
    )
    held = _by_key(held, per["hospital"])
    per = src.relabel(per).sort_values(
        "completions_per_100_staff", ascending=False, na_position="last"
    )
    cols = {
        "hospital": ("Hospital", "text"),
        "n_started": ("Staff-modules started", "n"),
        "n_completed": ("Staff-modules completed", "n"),
        "completion_rate_pct": ("Completion rate among starters", "pct"),
        "headcount": ("Headcount", "n"),
        "completions_per_100_staff": ("Completions per 100 staff per module", "one"),
        "sum_contact_hours": ("Contact hours earned", "one"),
        "is_lagging": ("Lagging", "flag"),
    }
    chart = Chart(
        "bar",
        "Completions per 100 staff per module",
        "Hospital",
        ["Completions per 100 staff per module"],
    )
    return _sheet("Module use ranked", per, cols, chart=chart, held_cells=held)


def completions_by_month(src: Source) -> Sheet:
    res = src.run("completions_by_month", pool=True)
    fr = src.relabel(res.frame)
    held = res.suppressed["n_completed"].to_numpy()
    wide = fr.pivot_table(
        index="month", columns="hospital", values="n_completed", aggfunc="first", dropna=False
    )
    mask = (
        fr.assign(_h=held)
        .pivot_table(index="month", columns="hospital", values="_h", aggfunc="first")
        .reindex_like(wide)
        .fillna(False)
        .astype(bool)
    )
    order = [c for c in wide.columns if c in set(fr.loc[~fr["is_peer_group"], "hospital"])]
    order += [c for c in wide.columns if c not in order]
    wide, mask = wide[order].reset_index(), mask[order].reset_index(drop=True)
    wide["month"] = pd.to_datetime(wide["month"])
    cols = {"month": ("Month", "month")} | {h: (str(h), "n") for h in order}
    sheet = _sheet(
        "Completions by month",
        wide,
        cols,
        chart=Chart("line", "Module completions per month", "Month", [str(h) for h in order]),
    )
    for h in order:
        sheet.withheld[str(h)] = mask[h].to_numpy()
    return sheet


# --- coverage ----------------------------------------------------------------------------------


def _no_headcount(res) -> bool:
    """As the Coverage page: without an HR headcount there is no coverage to show."""
    return res.empty or res.frame["headcount"].fillna(0).sum() == 0


def coverage_by_hospital(src: Source) -> Sheet | None:
    res = src.run("coverage_by_hospital_role", totals=True)
    if _no_headcount(res):
        return None
    per = coverage.by_hospital(res.frame)
    covered = ["n_covered", "headcount"]
    held = _agg_held(
        res,
        "hospital",
        {
            "headcount": ["headcount"],
            "n_covered": ["n_covered"],
            "coverage_pct": covered,
            "ci_low_pct": covered,
            "ci_high_pct": covered,
            "reached_pct": ["n_reached", "headcount"],
        },
    )
    held = _by_key(held, per["hospital"])
    per = src.relabel(per).sort_values("coverage_pct", ascending=False, na_position="last")
    cols = {
        "hospital": ("Hospital", "text"),
        "headcount": ("Headcount", "n"),
        "n_covered": ("Staff with all required modules", "n"),
        "coverage_pct": ("Coverage", "pct"),
        "ci_low_pct": ("95% CI low", "pct"),
        "ci_high_pct": ("95% CI high", "pct"),
        "reached_pct": ("Reached (1+ module)", "pct"),
        "is_imprecise": ("Imprecise", "flag"),
        "is_over_headcount": ("More trained than headcount", "flag"),
    }
    chart = Chart("bar", "Training coverage by hospital", "Hospital", ["Coverage"])
    return _sheet("Coverage by hospital", per, cols, chart=chart, held_cells=held)


def coverage_by_role(src: Source) -> Sheet | None:
    res = src.run("coverage_by_hospital_role", totals=True)
    by = coverage.by_role(res.frame) if not _no_headcount(res) else pd.DataFrame()
    if by.empty:
        return None
    roles = src.catalog("roles")
    names = roles.set_index("role")["label"].to_dict()
    front = set(roles.loc[roles["is_front_line"].fillna(False).astype(bool), "role"])
    by = by.assign(label=by["role"].map(names).fillna(by["role"]), front=by["role"].isin(front))
    by = by.sort_values("coverage_pct", ascending=False)
    cols = {
        "label": ("Role", "text"),
        "front": ("Front-line role", "text"),
        "headcount": ("Headcount", "n"),
        "n_covered": ("Staff with all required modules", "n"),
        "coverage_pct": ("Coverage", "pct"),
        "ci_low_pct": ("95% CI low", "pct"),
        "ci_high_pct": ("95% CI high", "pct"),
        "n_hospitals_over": ("Hospitals with more trained than headcount", "count"),
    }
    covered = ["n_covered", "headcount"]
    held = _agg_held(
        res,
        "role",
        {
            "headcount": ["headcount"],
            "n_covered": ["n_covered"],
            "coverage_pct": covered,
            "ci_low_pct": covered,
            "ci_high_pct": covered,
            "n_hospitals_over": ["n_reached", "headcount"],
        },
        keep=~res.frame["is_peer_group"].astype(bool),
    )
    held = _by_key(held, by["role"])
    chart = Chart("bar", "Training coverage by role", "Role", ["Coverage"])
    return _sheet("Coverage by role", by, cols, chart=chart, held_cells=held)


def refresher(src: Source) -> Sheet:
    res = src.run("refresher_currency")
    roles = src.catalog("roles").set_index("role")["label"].to_dict()
    fr = src.relabel(res.frame).assign(label=lambda d: d["role"].map(roles).fillna(d["role"]))
    cols = {
        "hospital": ("Hospital", "text"),
        "label": ("Role", "text"),
        "n_ever_covered": ("Staff ever fully trained", "n"),
        "n_current": ("Current", "n"),
        "n_lapsing": ("Lapsing within 3 months", "n"),
        "n_lapsed": ("Lapsed", "n"),
        "current_pct": ("Current share", "pct"),
        "lapsed_pct": ("Lapsed share", "pct"),
    }
    return _sheet("Refresher currency", fr, cols, held_cells=res.suppressed)


# --- knowledge ---------------------------------------------------------------------------------


def _pooled_stats(src: Source, name: str, fn):
    res = src.run(name, pool=True, policy=src.policy)
    cells = res.frame
    bins = res.detail if res.detail is not None else cells.iloc[0:0]
    stats = fn(cells, bins)
    return src.relabel(stats).sort_values(["is_peer_group", "hospital"], kind="stable")


def knowledge_gains(src: Source) -> Sheet:
    g = _pooled_stats(src, "knowledge_gains", knowledge.gains)
    g = g.assign(title=g["module_id"].map(_titles(src)))
    g = g.sort_values(["is_peer_group", "hospital", "module_id"], kind="stable")
    cols = {
        "hospital": ("Hospitals", "text"),
        "module_id": ("Module", "text"),
        "title": ("Title", "text"),
        "n_learners": ("Learners (pairs)", "n"),
        "mean_pre_pct": ("Mean pre-test", "pct"),
        "mean_post_pct": ("Mean post-test", "pct"),
        "mean_change_pp": ("Mean change (pp)", "pp"),
        "ci_low_pp": ("95% CI low (pp)", "pp"),
        "ci_high_pp": ("95% CI high (pp)", "pp"),
        "p_t_holm": ("Paired t p (Holm)", "p"),
        "p_wilcoxon_holm": ("Wilcoxon p (Holm)", "p"),
        "dz": ("Cohen's dz", "two"),
        "dz_ci_low": ("dz 95% CI low", "two"),
        "dz_ci_high": ("dz 95% CI high", "two"),
        "r_rank_biserial": ("Rank-biserial r", "two"),
        "hake_g": ("Hake normalized gain", "two"),
        "hake_band": ("Gain band", "text"),
        "note": ("Note", "text"),
    }
    n_own = int((~g["is_peer_group"]).sum())
    own_labels = g.loc[~g["is_peer_group"], "hospital"].unique()
    chart = (
        Chart("bar", "Mean change pre to post (pp), first attempts", "Module", ["Mean change (pp)"])
        if len(own_labels) == 1 and n_own
        else None
    )
    sheet = _sheet("Knowledge gains", g, cols, held_rows=g["released"].isna(), chart=chart)
    if chart:
        chart.rows = n_own
    return sheet


def knowledge_items(src: Source) -> Sheet:
    it = _pooled_stats(src, "knowledge_items", knowledge.item_changes)
    stems = src.catalog("quiz_items").set_index("item_id")["item_text"]
    it = it.assign(stem=it["item_id"].map(stems))
    it = it.sort_values(["is_peer_group", "hospital", "item_id"], kind="stable")
    cols = {
        "hospital": ("Hospitals", "text"),
        "module_id": ("Module", "text"),
        "item_id": ("Item", "text"),
        "stem": ("Question", "text"),
        "n_learners": ("Learners (pairs)", "n"),
        "facility_pre": ("Correct before", "share"),
        "facility_post": ("Correct after", "share"),
        "n_improved": ("Wrong to right", "n"),
        "n_worsened": ("Right to wrong", "n"),
        "p_mcnemar": ("McNemar exact p", "p"),
        "p_bh": ("p (Benjamini-Hochberg)", "p"),
        "is_gap": ("Knowledge gap (correct after < 70%)", "flag"),
    }
    return _sheet("Item analysis", it, cols, held_rows=it["released"].isna())


# --- toolkit -----------------------------------------------------------------------------------


def toolkit_by_resource(src: Source) -> Sheet:
    res = src.run("downloads_by_resource", pool=True)
    rs = src.catalog("toolkit_resources").set_index("resource_id")
    fr = src.relabel(res.frame)
    fr = fr.assign(title=fr["resource_id"].map(rs["title"]), kind=fr["resource_id"].map(rs["kind"]))
    fr = fr.sort_values(["is_peer_group", "hospital", "n_downloads"], ascending=[True, True, False])
    cols = {
        "hospital": ("Hospitals", "text"),
        "resource_id": ("Resource", "text"),
        "title": ("Title", "text"),
        "kind": ("Kind", "text"),
        "n_downloads": ("Downloads", "n"),
        "n_clients": ("Unique clients", "n"),
    }
    return _sheet("Toolkit by resource", fr, cols, held_cells=res.suppressed)


def toolkit_all(src: Source) -> Sheet:
    """Collaborative staff only: every counted download, attributed to a hospital or not."""
    fr = src.run("downloads_all_by_resource_month").frame
    rs = src.catalog("toolkit_resources").set_index("resource_id")
    tot = fr.groupby("resource_id", as_index=False)["n_downloads"].sum()
    tot = tot.assign(title=tot["resource_id"].map(rs["title"]).fillna(tot["resource_id"]))
    tot = tot.sort_values("n_downloads", ascending=False)
    cols = {
        "title": ("Resource", "text"),
        "resource_id": ("Resource id", "text"),
        "n_downloads": ("Downloads (all, attributed or not)", "n"),
    }
    chart = Chart(
        "bar", "Toolkit downloads by resource", "Resource", ["Downloads (all, attributed or not)"]
    )
    return _sheet("Toolkit downloads", tot, cols, chart=chart)


def toolkit_by_hospital(src: Source) -> Sheet:
    res = src.run("downloads_by_hospital")
    fr = src.relabel(res.frame).sort_values("n_downloads", ascending=False)
    cols = {
        "hospital": ("Hospital", "text"),
        "n_downloads": ("Downloads", "n"),
        "n_clients": ("Unique clients", "n"),
    }
    return _sheet("Toolkit by hospital", fr, cols, held_cells=res.suppressed)


# --- protocol adoption -------------------------------------------------------------------------


def adoption_index(src: Source) -> Sheet:
    res = src.run("adoption_by_hospital")
    ch = src.relabel(adoption.index_change(res.frame))
    cols = {
        "hospital": ("Hospital", "text"),
        "first_wave": ("First wave", "text"),
        "latest_wave": ("Latest wave", "text"),
        "first_index_pct": ("Adoption index, first wave", "pct"),
        "latest_index_pct": ("Adoption index, latest wave", "pct"),
        "change_pp": ("Change (pp)", "pp"),
    }
    return _sheet("Adoption index", ch, cols)


def _stages(src: Source):
    res = src.run("adoption_by_hospital_element")
    waves = set(res.frame["wave"])
    wave = src.wave if src.wave in waves else adoption.latest_wave(waves) if waves else None
    return res, wave


def adoption_stages(src: Source) -> Sheet:
    res, wave = _stages(src)
    names = src.catalog("protocol_elements").set_index("element_id")["name"]
    fr = res.frame
    fr = fr[(~fr["is_peer_group"]) & (fr["wave"] == wave)] if wave else fr.iloc[0:0]
    fr = src.relabel(fr).assign(
        name=lambda d: d["element_id"].map(names), stage_word=lambda d: d["stage"].map(STAGE_WORDS)
    )
    cols = {
        "hospital": ("Hospital", "text"),
        "wave": ("Survey wave", "text"),
        "element_id": ("Element", "text"),
        "name": ("Protocol element", "text"),
        "stage_word": ("Stage", "text"),
    }
    return _sheet("Adoption stages", fr.sort_values(["hospital", "element_id"]), cols)


def peer_adoption(src: Source) -> Sheet | None:
    res, wave = _stages(src)
    if not wave or not res.frame["is_peer_group"].any():
        return None
    sh = adoption.peer_shares(res.frame, wave)
    names = src.catalog("protocol_elements").set_index("element_id")["name"]
    sh = sh.assign(name=sh["element_id"].map(names), stage_word=sh["stage"].map(STAGE_WORDS))
    cols = {
        "hospital": ("Peer group", "text"),
        "n_hospitals": ("Hospitals in group", "count"),
        "element_id": ("Element", "text"),
        "name": ("Protocol element", "text"),
        "stage_word": ("Stage", "text"),
        "n_hospitals_at_stage": ("Hospitals at stage", "n"),
        "share_pct": ("Share of answered", "pct"),
    }
    held = res.suppressed.loc[sh.index]
    held = held.assign(share_pct=held["n_hospitals_at_stage"])
    return _sheet("Peer adoption", sh, cols, held_cells=held)


def protocol_gaps(src: Source) -> Sheet:
    res, wave = _stages(src)
    elements = src.catalog("protocol_elements")
    gaps = (
        adoption.gaps(res.frame, elements, wave)
        if wave
        else pd.DataFrame(
            columns=["hospital", "element_id", "stage", "name", "resources", "modules"]
        )
    )
    gaps = src.relabel(gaps).assign(stage_word=lambda d: d["stage"].map(STAGE_WORDS))
    cols = {
        "hospital": ("Hospital", "text"),
        "element_id": ("Element", "text"),
        "name": ("Protocol element", "text"),
        "stage_word": ("Stage", "text"),
        "resources": ("Toolkit resources that address it", "text"),
        "modules": ("Education modules that address it", "text"),
    }
    return _sheet("Protocol gaps", gaps, cols)


# --- data status, definitions ------------------------------------------------------------------


def data_status(src: Source) -> Sheet:
    fr = src.catalog("source_freshness")
    fr = fr.assign(format=fr["format"].map(labels.format_label))
    cols = {
        "format": ("Source", "text"),
        "system": ("System", "text"),
        "n_files": ("Files", "count"),
        "last_export_at": ("Newest export", "datetime"),
        "last_event_at": ("Newest record in it", "datetime"),
        "last_loaded_at": ("Last loaded", "datetime"),
    }
    return _sheet("Data status", fr, cols)


def definitions() -> Sheet:
    from ui.glossary import METRICS  # plain dataclasses, shared with the Definitions page

    frame = pd.DataFrame([m.__dict__ for m in METRICS])
    cols = {
        "name": ("Metric", "text"),
        "definition": ("Definition", "text"),
        "formula": ("Formula", "text"),
        "re_aim": ("RE-AIM dimension", "text"),
        "moore": ("Moore level", "text"),
        "kirkpatrick": ("Kirkpatrick level", "text"),
    }
    return _sheet("Definitions", frame, cols)
