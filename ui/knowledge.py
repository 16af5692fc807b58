"""Charts and display tables of the Knowledge page (no Streamlit: the exports draw from here too).

Every figure carries its n; withheld cells read `<11`; numbers are formatted for reading.
"""

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.program import module_label
from ui.theme import OKABE_ITO, PEER_COLOUR, WITHHELD, count, number, p_value, pct


def _short(module_id: str, titles: dict) -> str:
    return module_label(module_id, titles, 34)


def _interval(lo, hi, digits=1) -> str:
    return "–" if math.isnan(lo) else f"{lo:.{digits}f} to {hi:.{digits}f}"


def gains_table(g: pd.DataFrame, titles: dict) -> pd.DataFrame:
    rows = []
    for r in g.itertuples():
        held = pd.isna(r.released)
        row = {
            "Hospitals": r.hospital,
            "Module": _short(r.module_id, titles),
            "Matched learners": WITHHELD if pd.isna(r.n_learners) else f"{int(r.n_learners):,}",
        }
        if held:
            row.update(dict.fromkeys(_GAIN_COLS, WITHHELD))
        else:
            row.update(
                {
                    "Pre (mean %)": number(r.mean_pre_pct),
                    "Post (mean %)": number(r.mean_post_pct),
                    "Change (pp)": number(r.mean_change_pp),
                    "95% CI (pp)": _interval(r.ci_low_pp, r.ci_high_pp),
                    "p (t, Holm)": p_value(r.p_t_holm),
                    "p (Wilcoxon, Holm)": p_value(r.p_wilcoxon_holm),
                    "Rank-biserial r": number(r.r_rank_biserial, 2),
                    "dz (95% CI)": "–"
                    if math.isnan(r.dz)
                    else f"{r.dz:.2f} ({_interval(r.dz_ci_low, r.dz_ci_high, 2)})",
                    "d_av": number(r.d_av, 2),
                    "Hake ⟨g⟩": "–" if math.isnan(r.hake_g) else f"{r.hake_g:.2f} ({r.hake_band})",
                }
            )
        rows.append(row)
    return pd.DataFrame(rows)


_GAIN_COLS = [
    "Pre (mean %)",
    "Post (mean %)",
    "Change (pp)",
    "95% CI (pp)",
    "p (t, Holm)",
    "p (Wilcoxon, Holm)",
    "Rank-biserial r",
    "dz (95% CI)",
    "d_av",
    "Hake ⟨g⟩",
]


def forest(g: pd.DataFrame, titles: dict) -> go.Figure:
    """Mean change per module with its 95% CI, one marker series per hospital row."""
    fig = go.Figure()
    shown = g[g["released"].notna() & g["ci_low_pp"].notna()]
    order = sorted(g["module_id"].unique())
    labels = [f"{m} {titles.get(m, '')}"[:48] for m in order]
    for i, (hosp, part) in enumerate(shown.groupby("hospital", sort=False)):
        peer = bool(part["is_peer_group"].iloc[0])
        colour = PEER_COLOUR if peer else OKABE_ITO[i % len(OKABE_ITO)]
        y = [labels[order.index(m)] for m in part["module_id"]]
        fig.add_trace(
            go.Scatter(
                x=part["mean_change_pp"],
                y=y,
                mode="markers",
                name=hosp,
                marker=dict(color=colour, size=9, symbol="diamond" if peer else "circle"),
                error_x=dict(
                    type="data",
                    symmetric=False,
                    array=part["ci_high_pp"] - part["mean_change_pp"],
                    arrayminus=part["mean_change_pp"] - part["ci_low_pp"],
                    color=colour,
                ),
                customdata=np.stack(
                    [part["ci_low_pp"], part["ci_high_pp"], part["n_learners"].astype(float)],
                    axis=1,
                ),
                hovertemplate="%{y}<br>change %{x:.1f} pp (95% CI %{customdata[0]:.1f} to "
                "%{customdata[1]:.1f})<br>n = %{customdata[2]:,.0f}<extra>%{fullData.name}</extra>",
            )
        )
    fig.add_vline(x=0, line_color="#666", line_width=1)
    fig.update_layout(
        title="Mean change from pre- to post-test, with 95% confidence intervals",
        xaxis_title="Change in score (percentage points)",
        yaxis=dict(categoryorder="array", categoryarray=labels[::-1], title=None),
        height=140 + 34 * len(order),
        legend=dict(orientation="h", y=-0.15),
    )
    return fig


def distributions(bins: pd.DataFrame, hospital: str) -> go.Figure:
    """Share of matched learners at each score, before and after, for one hospital row."""
    part = bins[bins["hospital"] == hospital]
    n = part["n_learners"].sum()
    fig = go.Figure()
    for col, name, colour in (
        ("pre_pct", "Pre-test", OKABE_ITO[1]),
        ("post_pct", "Post-test", OKABE_ITO[0]),
    ):
        s = part.groupby(col)["n_learners"].sum() / n * 100
        fig.add_trace(
            go.Bar(
                x=s.index,
                y=s.values,
                name=name,
                marker_color=colour,
                hovertemplate=f"{name}: %{{x:.0f}}%<br>%{{y:.1f}}% of learners<extra></extra>",
            )
        )
    fig.update_layout(
        title=f"Score distribution of matched learners (n = {int(n):,})",
        xaxis_title="Score (% of maximum)",
        yaxis_title="Share of learners (%)",
        barmode="group",
        legend=dict(orientation="h", y=1.12, x=1, xanchor="right"),
        height=360,
    )
    return fig


def retention_chart(r: pd.DataFrame, titles: dict, module: str) -> go.Figure:
    """Mean score of follow-up responders at pre, post and follow-up, one line per module; the
    module in focus in colour, the others grey behind it."""
    fig = go.Figure()
    shown = r[r["mean_followup_pct"].notna()]
    shown = pd.concat([shown[shown["module_id"] != module], shown[shown["module_id"] == module]])
    for row in shown.itertuples():
        focus = row.module_id == module
        fig.add_trace(
            go.Scatter(
                x=["Pre-test", "Post-test", "Follow-up"],
                y=[row.mean_pre_pct, row.mean_post_pct, row.mean_followup_pct],
                mode="lines+markers",
                name=f"{row.module_id} {titles.get(row.module_id, '')}"[:40],
                line=dict(color=OKABE_ITO[0] if focus else "#C8C8C8", width=4 if focus else 1.5),
                hovertemplate="%{x}: %{y:.1f}%<br>n = "
                + count(row.n_followup)
                + "<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(
        title="Retention: mean score of follow-up responders",
        yaxis_title="Mean score (% of maximum)",
        xaxis_title=None,
        height=420,
    )
    return fig


def items_table(items: pd.DataFrame, texts: pd.Series) -> pd.DataFrame:
    rows = []
    for r in items.itertuples():
        held = pd.isna(r.released)
        rows.append(
            {
                "Item": r.item_id,
                "Question": texts.get(r.item_id, ""),
                "Learners": WITHHELD if pd.isna(r.n_learners) else f"{int(r.n_learners):,}",
                "Right before": WITHHELD if held else pct(100 * r.facility_pre, 0),
                "Right after": WITHHELD if held else pct(100 * r.facility_post, 0),
                "Better / worse": WITHHELD if held else f"{r.n_improved:,} / {r.n_worsened:,}",
                "p (McNemar, BH)": WITHHELD if held else p_value(r.p_bh),
                "Gap": "" if held else ("Yes" if r.is_gap else ""),
            }
        )
    return pd.DataFrame(rows)


def quality_tables(per_item, per_quiz, texts) -> tuple[pd.DataFrame, pd.DataFrame]:
    items = pd.DataFrame(
        {
            "Item": per_item["item_id"],
            "Question": per_item["item_id"].map(texts).fillna(""),
            "Facility index": per_item["facility_pct"].map(lambda v: pct(v, 1)),
            "SD": per_item["sd_pct"].map(lambda v: pct(v, 1)),
            "Discrimination index": per_item["discrimination_index"].map(number),
            "Discriminative efficiency": per_item["discriminative_efficiency"].map(
                lambda v: pct(v, 1)
            ),
            "Flag": per_item["flag"].fillna(""),
        }
    )
    where = per_item["released"].isna()
    items.loc[where, items.columns[2:6]] = WITHHELD
    test = pd.DataFrame(
        {
            "Attempts": per_quiz["n_attempts"].map(lambda v: f"{v:,}"),
            "Items": per_quiz["n_items"],
            "Mean score": per_quiz["mean_score_pct"].map(lambda v: pct(v, 1)),
            "SD": per_quiz["sd_score_pct"].map(lambda v: pct(v, 1)),
            "Cronbach's alpha": per_quiz["cronbach_alpha"].map(lambda v: number(v, 2)),
            "Error ratio": per_quiz["error_ratio_pct"].map(lambda v: pct(v, 1)),
            "Standard error": per_quiz["standard_error_pct"].map(lambda v: pct(v, 1)),
        }
    )
    return items, test


def retention_table(r: pd.DataFrame, titles: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Module": r["module_id"].map(lambda m: _short(m, titles)),
            "Invited": r["n_eligible"].map(count),
            "Responded": r["response_rate_pct"].map(lambda v: pct(v, 0)),
            "Pre → post → follow-up (%)": [
                "–" if pd.isna(x) else f"{x:.0f} → {y:.0f} → {z:.0f}"
                for x, y, z in zip(
                    r["mean_pre_pct"], r["mean_post_pct"], r["mean_followup_pct"], strict=True
                )
            ],
            "Retention ratio": r["retention_ratio"].map(lambda v: number(v, 2)),
            "Responders vs others (pp)": r["bias_diff"].map(number),
            "p (responders)": r["bias_p"].map(p_value),
        }
    )


def attrition_table(a: pd.DataFrame, titles: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Module": a["module_id"].map(lambda m: _short(m, titles)),
            "Pre-test takers": a["n_pretest"].map(count),
            "Without a post-test": a["attrition_pct"].map(lambda v: pct(v, 0)),
            "Pre, no post (mean %)": a["bias_mean_a"].map(number),
            "Pre, with post (mean %)": a["bias_mean_b"].map(number),
            "Difference (pp)": a["bias_diff"].map(number),
            "95% CI (pp)": [
                _interval(lo, hi)
                for lo, hi in zip(a["bias_ci_low"], a["bias_ci_high"], strict=True)
            ],
            "p (Welch)": a["bias_p"].map(p_value),
        }
    )
