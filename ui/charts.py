"""Charts of the program pages (plotly.graph_objects only: much cheaper than plotly.express on
hot pages; no Streamlit, so exports can draw them too). Every chart has a title, axis titles with
units, and hover text that names the hospital and the n behind the figure."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.theme import OKABE_ITO, PEER_COLOUR, SEQUENTIAL, STAGE_COLOURS, WITHHELD

STAGE_LABELS = {
    "in_place": "In place",
    "in_progress": "In progress",
    "not_started": "Not started",
    "not_applicable": "Not applicable",
    "unknown": "Unknown",
}


def _layout(fig: go.Figure, title: str, height: int, **kw) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, xanchor="left"), height=height, **kw)
    return fig


def heatmap(
    matrix: pd.DataFrame,
    *,
    title: str,
    x_title: str,
    y_title: str,
    value_label: str,
    hover: pd.DataFrame | None = None,
    text_digits: int = 0,
) -> go.Figure:
    """Rows x columns of one measure; missing cells (withheld or no data) are blank and say so."""
    z = matrix.to_numpy(dtype="float64")
    text = np.where(np.isnan(z), "", np.vectorize(lambda v: f"{v:.{text_digits}f}")(z))
    extra = hover.to_numpy() if hover is not None else np.full(z.shape, "")
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(matrix.columns),
            y=list(matrix.index),
            text=text,
            texttemplate="%{text}",
            customdata=extra,
            colorscale=SEQUENTIAL,
            colorbar=dict(title=dict(text=value_label, side="right")),
            hovertemplate=f"%{{y}}<br>%{{x}}<br>{value_label}: %{{z:.1f}}<br>%{{customdata}}"
            "<extra></extra>",
            hoverongaps=False,
            xgap=1,
            ygap=1,
        )
    )
    fig.update_yaxes(title=y_title, autorange="reversed", automargin=True)
    fig.update_xaxes(title=x_title, side="bottom", automargin=True)
    return _layout(fig, title, max(320, 26 * len(matrix.index) + 160))


def lines(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    series: str,
    title: str,
    x_title: str,
    y_title: str,
    partial=None,
) -> go.Figure:
    """One line per series (peer groups dashed grey); `partial`: the data's last month, which
    the latest exports cover only in part, is marked so its drop is not read as a decline."""
    fig = go.Figure()
    for i, (name, part) in enumerate(frame.groupby(series, sort=False)):
        peer = bool(part.get("is_peer_group", pd.Series([False])).iloc[0])
        fig.add_trace(
            go.Scatter(
                x=part[x],
                y=part[y],
                name=str(name),
                mode="lines+markers",
                line=dict(
                    color=PEER_COLOUR if peer else OKABE_ITO[i % len(OKABE_ITO)],
                    dash="dash" if peer else "solid",
                ),
                hovertemplate=f"{name}<br>%{{x|%b %Y}}: %{{y:,.0f}}<extra></extra>",
            )
        )
    if partial is not None and len(frame) and frame[x].max() >= partial:
        fig.add_vrect(
            x0=pd.Timestamp(partial) - pd.Timedelta(days=15),
            x1=pd.Timestamp(partial) + pd.Timedelta(days=15),
            fillcolor="#DDDDDD",
            opacity=0.5,
            line_width=0,
            annotation_text="latest month, partial",
            annotation_position="top left",
        )
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title, rangemode="tozero")
    return _layout(fig, title, 380, legend=dict(orientation="h", y=-0.25))


def bars_with_ci(
    frame: pd.DataFrame,
    *,
    label: str,
    value: str,
    low: str,
    high: str,
    title: str,
    x_title: str,
    hover: str,
    highlight: str | None = None,
    target: float | None = None,
) -> go.Figure:
    """Horizontal bars with 95% CI whiskers; rows where `highlight` is true in orange."""
    f = frame.iloc[::-1]  # plotly draws the first row at the bottom
    colours = [
        OKABE_ITO[5] if highlight and bool(h) else OKABE_ITO[0]
        for h in (f[highlight] if highlight else [False] * len(f))
    ]
    fig = go.Figure(
        go.Bar(
            x=f[value],
            y=f[label],
            orientation="h",
            marker_color=colours,
            showlegend=False,
            error_x=dict(
                type="data",
                symmetric=False,
                array=(f[high] - f[value]).clip(lower=0),
                arrayminus=(f[value] - f[low]).clip(lower=0),
                color="#444",
            ),
            customdata=f[hover],
            hovertemplate="%{y}<br>%{customdata}<extra></extra>",
        )
    )
    _mark_withheld(fig, f, label, value)
    if target is not None and not np.isnan(target):
        fig.add_vline(
            x=target,
            line_dash="dot",
            line_color=OKABE_ITO[2],
            annotation_text=f"target {target:.0f}%",
            annotation_position="top",
        )
    fig.update_xaxes(title=x_title, range=[0, 100])
    fig.update_yaxes(title=None, automargin=True)
    return _layout(fig, title, max(300, 24 * len(f) + 140), bargap=0.25)


def _mark_withheld(fig: go.Figure, f: pd.DataFrame, label: str, value: str) -> None:
    """A bar with no value was withheld (or has no denominator): say so where the bar would be,
    rather than leave a blank row."""
    gone = f[f[value].isna()]
    if len(gone):
        fig.add_trace(
            go.Scatter(
                x=[0] * len(gone),
                y=gone[label],
                mode="text",
                text=[f"{WITHHELD} or no figure"] * len(gone),
                textposition="middle right",
                textfont=dict(color="#666"),
                hoverinfo="skip",
                showlegend=False,
            )
        )


def bars(
    frame: pd.DataFrame,
    *,
    label: str,
    value: str,
    title: str,
    x_title: str,
    hover: str,
    highlight: str | None = None,
    value_format: str = ",.0f",
) -> go.Figure:
    """Horizontal bars, largest first; `highlight` rows in orange."""
    f = frame.iloc[::-1]
    colours = [
        OKABE_ITO[5] if highlight and bool(h) else OKABE_ITO[0]
        for h in (f[highlight] if highlight else [False] * len(f))
    ]
    fig = go.Figure(
        go.Bar(
            x=f[value],
            y=f[label],
            orientation="h",
            marker_color=colours,
            showlegend=False,
            text=[("" if pd.isna(v) else format(v, value_format)) for v in f[value]],
            textposition="outside",
            cliponaxis=False,
            customdata=f[hover],
            hovertemplate="%{y}<br>%{customdata}<extra></extra>",
        )
    )
    _mark_withheld(fig, f, label, value)
    fig.update_xaxes(title=x_title, rangemode="tozero")
    fig.update_yaxes(title=None, automargin=True)
    return _layout(fig, title, max(300, 24 * len(f) + 140), bargap=0.25)


def stage_heatmap(matrix: pd.DataFrame, names: dict, *, title: str) -> go.Figure:
    """Hospital x protocol element, coloured by stage (a categorical scale; the cell text says
    the stage too, so it reads without colour)."""
    order = list(STAGE_LABELS)
    codes = matrix.apply(lambda col: col.map({s: i for i, s in enumerate(order)}))
    z = codes.to_numpy(dtype="float64")
    n = len(order)
    scale = []
    for i, s in enumerate(order):
        scale += [(i / n, STAGE_COLOURS[s]), ((i + 1) / n, STAGE_COLOURS[s])]
    short = {"in_place": "✓", "in_progress": "…", "not_started": "✗", "not_applicable": "n/a"}
    text = matrix.apply(lambda col: col.map(lambda s: short.get(s, "?"))).fillna("")
    hover = matrix.apply(lambda col: col.map(lambda s: STAGE_LABELS.get(s, "No answer")))
    x = [f"{e}" for e in matrix.columns]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=list(matrix.index),
            zmin=-0.5,
            zmax=n - 0.5,
            colorscale=scale,
            text=text.to_numpy(),
            texttemplate="%{text}",
            customdata=np.dstack(
                [
                    hover.fillna("No answer").to_numpy(),
                    np.array([[names.get(e, e) for e in matrix.columns]] * len(matrix)),
                ]
            ),
            hovertemplate="%{y}<br>%{x} %{customdata[1]}<br>%{customdata[0]}<extra></extra>",
            colorbar=dict(
                title="Stage",
                tickvals=list(range(n)),
                ticktext=[STAGE_LABELS[s] for s in order],
            ),
            xgap=1,
            ygap=1,
        )
    )
    fig.update_xaxes(title="Protocol element", side="bottom")
    fig.update_yaxes(title=None, autorange="reversed", automargin=True)
    return _layout(fig, title, max(320, 26 * len(matrix.index) + 170))


def stacked_stages(shares: pd.DataFrame, names: dict, *, title: str) -> go.Figure:
    """Per element, the share of a peer group's hospitals at each stage (stacked to 100%)."""
    fig = go.Figure()
    for stage, label in STAGE_LABELS.items():
        part = shares[shares["stage"] == stage]
        fig.add_trace(
            go.Bar(
                x=part["share_pct"],
                y=part["element_id"],
                name=label,
                orientation="h",
                marker=dict(color=STAGE_COLOURS[stage], line=dict(color="#666", width=0.5)),
                customdata=np.column_stack(
                    [part["element_id"].map(names), part["n_hospitals_at_stage"]]
                )
                if len(part)
                else None,
                hovertemplate="%{y} %{customdata[0]}<br>"
                + label
                + ": %{x:.0f}% (%{customdata[1]} hospitals)<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=-0.2))
    fig.update_xaxes(title="Share of peer hospitals (%)", range=[0, 100])
    fig.update_yaxes(title="Protocol element", autorange="reversed")
    return _layout(fig, title, 520)


def scatter(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    label: str,
    title: str,
    x_title: str,
    y_title: str,
    hover: str,
) -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=frame[x],
            y=frame[y],
            mode="markers",
            marker=dict(size=10, color=OKABE_ITO[0], line=dict(color="white", width=1)),
            text=frame[label],
            customdata=frame[hover],
            hovertemplate="%{text}<br>%{customdata}<extra></extra>",
        )
    )
    fig.update_xaxes(title=x_title, range=[-2, 102])
    fig.update_yaxes(title=y_title, range=[-2, 102])
    return _layout(fig, title, 420)


def withheld_text(value, fmt) -> str:
    return WITHHELD if pd.isna(value) else fmt(value)
