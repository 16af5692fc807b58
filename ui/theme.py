"""Colours and number formats used by every chart and table (no Streamlit: exports use them too).

The palette is Okabe and Ito's, which stays distinguishable with the common colour-vision
deficiencies; sequential scales are viridis (perceptually even, readable in greyscale).
"""

import math

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",
]
SEQUENTIAL = "Viridis"
STAGE_COLOURS = {  # protocol adoption stages: ordered, and still readable without colour
    "in_place": "#009E73",
    "in_progress": "#56B4E9",
    "not_started": "#D55E00",
    "not_applicable": "#BBBBBB",
    "unknown": "#FFFFFF",
}
PEER_COLOUR = "#999999"
WITHHELD = "<11"

pio.templates["htra"] = go.layout.Template(
    layout=dict(
        colorway=OKABE_ITO,
        font=dict(family="Source Sans Pro, Arial, sans-serif", size=13),
        colorscale=dict(sequential=SEQUENTIAL),
        hoverlabel=dict(namelength=-1),
        margin=dict(l=10, r=10, t=50, b=10),
    )
)
pio.templates.default = "plotly_white+htra"


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def count(value) -> str:
    return "–" if _missing(value) else f"{int(value):,}"


def pct(value, digits: int = 1) -> str:
    return "–" if _missing(value) else f"{value:.{digits}f}%"


def pp(value, digits: int = 1) -> str:
    """A difference of percentages, in percentage points."""
    return "–" if _missing(value) else f"{value:+.{digits}f} pp"


def number(value, digits: int = 1) -> str:
    return "–" if _missing(value) else f"{value:,.{digits}f}"


def p_value(value) -> str:
    return "–" if _missing(value) else ("< 0.001" if value < 0.001 else f"{value:.3f}")


def formatter(column: str):
    """Format by what the column's name says it holds."""
    if column.endswith("_pct"):
        return pct
    if column.endswith("_pp"):
        return pp
    if column.startswith(("n_", "rows_")) or column in ("headcount", "line"):
        return count
    return number


def display(frame: pd.DataFrame, suppressed: pd.DataFrame | None = None) -> pd.DataFrame:
    """Numbers as text for tables: withheld cells read `<11`, never blank or zero."""
    out = frame.copy()
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            out[col] = frame[col].map(lambda t: "–" if pd.isna(t) else f"{t:%Y-%m-%d %H:%M}")
            continue
        if pd.api.types.is_bool_dtype(frame[col]):
            continue
        if not pd.api.types.is_numeric_dtype(frame[col]):
            out[col] = frame[col].astype(object).where(frame[col].notna(), "")
            continue
        if col == "line":  # a position in a file, not a quantity
            out[col] = frame[col].map(lambda v: "–" if _missing(v) else str(int(v))).astype(object)
            continue
        fmt = count if pd.api.types.is_integer_dtype(frame[col]) else formatter(col)
        text = frame[col].map(fmt).astype(object)
        if suppressed is not None and col in suppressed:
            text = text.mask(suppressed[col].astype(bool), WITHHELD)
        out[col] = text
    return out
