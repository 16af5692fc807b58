"""Region maps of the four-state collaborative that render offline (no Streamlit here).

Plotly geo fetches its base map (land, state outlines) from a CDN and draws a blank map without
it. The base map is vendored in `static/` (served by Streamlit at `app/static/` with
`server.enableStaticServing`), and pages pass `config=geo.CONFIG` to `st.plotly_chart`, which
points plotly.js there. County shapes come from `static/collaborative_counties.geojson` (derived
once from us-atlas, see `static/README.md`); only the counties drawn are put into the figure.
"""

from __future__ import annotations

import functools
import html
import json
import math
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from ui import theme

STATIC = Path(__file__).resolve().parents[1] / "static"
COUNTIES_FILE = STATIC / "collaborative_counties.geojson"
RESOLUTION = 50  # plotly.js requests f"{topojsonURL}usa_{RESOLUTION}m.json"
BASEMAP_FILE = STATIC / f"usa_{RESOLUTION}m.json"
CONFIG = {"topojsonURL": "app/static/", "displaylogo": False, "scrollZoom": False}

STATE_NAMES = {"IL": "Illinois", "KS": "Kansas", "MO": "Missouri", "NE": "Nebraska"}
NO_DATA = "withheld or no data"
GREY = "#d9d9d9"
# Hospitals sharing a county are spread on a circle of this share of the map's width: markers
# have a fixed size in pixels, so the spread must follow the zoom to keep them apart.
JITTER_SHARE = 0.012


def _key(county: str) -> str:
    """A county name reduced for matching: case, punctuation, spaces, "Saint" and "County"."""
    s = county.strip().lower()
    s = re.sub(r"\s+county$", "", s)
    s = re.sub(r"\bsainte\b", "ste", s)
    s = re.sub(r"\bsaint\b", "st", s)
    return re.sub(r"[^a-z]", "", s)


@functools.cache
def _counties() -> tuple[dict[str, dict], dict[tuple[str, str], str]]:
    """Features by FIPS, and FIPS by (state, county key)."""
    features = json.loads(COUNTIES_FILE.read_text(encoding="utf-8"))["features"]
    by_fips = {f["id"]: f for f in features}
    by_name = {(f["properties"]["state"], _key(f["properties"]["name"])): f["id"] for f in features}
    return by_fips, by_name


def county_fips(state: str, county: str) -> str | None:
    """5-digit FIPS of a CMS county name ("St. Louis" is the county 29189, not the city)."""
    if not isinstance(state, str) or not isinstance(county, str):
        return None
    return _counties()[1].get((state.strip().upper(), _key(county)))


def _text(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return html.escape(str(value), quote=False)


def _hover(first_lines: list[str], value_line: str, hover_cols: dict[str, str]) -> str:
    """A hovertemplate over customdata [name, place, *hover columns]."""
    lines = [*first_lines, value_line]
    lines += [
        f"{html.escape(label, quote=False)}: %{{customdata[{2 + i}]}}"
        for i, label in enumerate(hover_cols.values())
    ]
    return "<br>".join(lines) + "<extra></extra>"


def _customdata(df: pd.DataFrame, name_col: str, place: list[str], hover_cols: dict[str, str]):
    columns = [[_text(v) for v in df[name_col]], place]
    columns += [[_text(v) for v in df[c]] for c in hover_cols]
    return [list(row) for row in zip(*columns, strict=True)]


def _place(feature: dict) -> str:
    """The Census name and state, e.g. "Jackson County, Missouri", "St. Louis city, Missouri"."""
    name, state = feature["properties"]["name"], feature["properties"]["state"]
    county = name if name.endswith(" city") else f"{name} County"
    return f"{html.escape(county, quote=False)}, {STATE_NAMES[state]}"


def _placed(df: pd.DataFrame, describe: str) -> tuple[pd.DataFrame, list[str]]:
    """Rows with a FIPS (new column `fips`, index reset), and a description of the others."""
    fips = [county_fips(s, c) for s, c in zip(df["state"], df["county"], strict=True)]
    found = [f is not None for f in fips]
    rows = df.to_dict("records")
    unplaced = [describe.format(**r) for r, ok in zip(rows, found, strict=True) if not ok]
    placed = df.loc[pd.Series(found, index=df.index, dtype=bool)].reset_index(drop=True)
    return placed.assign(fips=[f for f in fips if f is not None]), unplaced


def _albers(lon: float, lat: float) -> tuple[float, float]:
    """d3.geoAlbersUsa's lower-48 projection at scale 1, y down (conic equal-area, parallels
    29.5 and 45.5, rotated 96 degrees): the units of its clip box, 0.91 x 0.476 wide."""
    lam, phi = math.radians(lon + 96), math.radians(lat)
    r = math.sqrt(_C - 2 * _N * math.sin(phi)) / _N
    return r * math.sin(lam * _N), -(_R0 - r * math.cos(lam * _N))


def _albers_invert(x: float, y: float) -> tuple[float, float]:
    r0y = _R0 + y
    lam = math.atan2(x, abs(r0y)) * math.copysign(1, r0y)
    phi = math.asin((_C - (x * x + r0y * r0y) * _N * _N) / (2 * _N))
    return math.degrees(lam / _N) - 96, math.degrees(phi)


_S0, _S1 = math.sin(math.radians(29.5)), math.sin(math.radians(45.5))
_N = (_S0 + _S1) / 2
_C = 1 + _S0 * (2 * _N - _S0)
_R0 = math.sqrt(_C) / _N


def _view(features: list[dict], points: list[tuple[float, float]]) -> tuple[dict, float]:
    """Center and projection scale that fit the drawn counties and points, with a margin.

    Plotly's "albers usa" (scope usa) cannot fitbounds, and scope usa with any other projection
    fails in plotly.js 3.8. But a geo subplot always shows its projection's bounds: for albers
    usa the lower-48 clip box, 0.91 x 0.476 at scale 1, whatever the chart's size. So scale =
    how many times the drawn extent fits in that box, and center = the extent's middle.
    """
    xy = [_albers(*p) for p in points]
    for f in features:
        g = f["geometry"]
        polygons = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        xy += [_albers(lon, lat) for p in polygons for lon, lat in p[0]]
    if not xy:  # nothing to draw: the whole collaborative
        xy = [_albers(-104.1, 43.0), _albers(-87.5, 36.0)]
    xs, ys = [x for x, _ in xy], [y for _, y in xy]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    scale = 0.92 * min(0.91 / max(width, 1e-3), 0.476 / max(height, 1e-3))
    lon, lat = _albers_invert((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
    return {"lon": round(lon, 4), "lat": round(lat, 4)}, round(min(scale, 40.0), 3)


def _jittered(points: pd.DataFrame, by_fips: dict[str, dict], radius: float) -> tuple[list, list]:
    """Lon/lat of each hospital: its county centroid, spread on a small circle when shared."""
    lon, lat = [], []
    seen: dict[str, int] = {}
    sizes = points["fips"].value_counts().to_dict()
    for fips in points["fips"]:
        x, y = by_fips[fips]["properties"]["centroid"]
        n, i = sizes[fips], seen.get(fips, 0)
        seen[fips] = i + 1
        if n > 1:
            angle = 2 * math.pi * i / n + math.pi / 2
            x += radius * math.cos(angle) / math.cos(math.radians(y))
            y += radius * math.sin(angle)
        lon.append(round(x, 4))
        lat.append(round(y, 4))
    return lon, lat


def region_map(
    regions: pd.DataFrame,
    points: pd.DataFrame | None = None,
    *,
    title: str,
    value_label: str,
    hover_cols: dict[str, str],
) -> go.Figure:
    """Counties coloured by their region's value, with optional hospital markers on top.

    `regions`: one row per county, columns state, county, region, value (NaN: withheld or no
    data) and the `hover_cols` keys (text, already formatted), shown under their labels.
    `points`: hospital_name, state, county, value and the `hover_cols` keys, or None.
    Counties that cannot be placed are named in a note under the map, not dropped silently.
    """
    by_fips, _ = _counties()
    label = html.escape(value_label, quote=False)
    regions, unplaced = _placed(regions, "{county}, {state}")
    regions = regions.drop_duplicates("fips")
    if points is not None:
        points, unplaced_points = _placed(points, "{hospital_name} ({county}, {state})")
        points = points.sort_values(["fips", "hospital_name"], ignore_index=True)
        unplaced += unplaced_points

    values = pd.to_numeric(regions["value"], errors="coerce").astype("float64")
    if points is not None:
        point_values = pd.to_numeric(points["value"], errors="coerce").astype("float64")
        finite = pd.concat([values, point_values]).dropna()
    else:
        finite = values.dropna()
    cmin, cmax = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    if cmin == cmax:
        cmin, cmax = cmin - 0.5, cmax + 0.5

    regions = regions.assign(_place=[_place(by_fips[f]) for f in regions["fips"]])
    region_hover = ["<b>%{customdata[0]}</b>", "%{customdata[1]}"]
    traces = []
    for missing in (False, True):
        part = regions[values.isna() == missing]
        if part.empty:
            continue
        geojson = {"type": "FeatureCollection", "features": [by_fips[f] for f in part["fips"]]}
        common = dict(
            geojson=geojson,
            locations=list(part["fips"]),
            customdata=_customdata(part, "region", list(part["_place"]), hover_cols),
            marker=dict(line=dict(color="white", width=0.6)),
        )
        if missing:
            traces.append(
                go.Choropleth(
                    **common,
                    z=[0] * len(part),
                    colorscale=[[0, GREY], [1, GREY]],
                    showscale=False,
                    name=NO_DATA.capitalize(),
                    showlegend=True,
                    hovertemplate=_hover(region_hover, f"{label}: {NO_DATA}", hover_cols),
                )
            )
        else:
            traces.append(
                go.Choropleth(
                    **common,
                    z=list(values[part.index]),
                    coloraxis="coloraxis",
                    name=value_label,
                    showlegend=False,
                    hovertemplate=_hover(region_hover, f"{label}: %{{z:.1f}}", hover_cols),
                )
            )

    centroids = (
        [] if points is None else [by_fips[f]["properties"]["centroid"] for f in points["fips"]]
    )
    view = _view([by_fips[f] for f in regions["fips"]], centroids)
    if points is not None and not points.empty:
        # the window is 0.91 / scale albers units wide; one unit is about one radian
        radius = JITTER_SHARE * math.degrees(0.91 / view[1])
        lon, lat = _jittered(points, by_fips, radius)
        points = points.assign(
            _lon=lon,
            _lat=lat,
            _value=point_values[points.index],
            _place=[_place(by_fips[f]) for f in points["fips"]],
        )
        point_hover = ["<b>%{customdata[0]}</b>", "%{customdata[1]}"]
        for missing in (False, True):
            part = points[points["_value"].isna() == missing]
            if part.empty:
                continue
            marker = dict(size=8, line=dict(color="white", width=1))
            if missing:
                marker["color"] = "#8c8c8c"
                value_line = f"{label}: {NO_DATA}"
            else:
                marker.update(color=list(part["_value"]), coloraxis="coloraxis")
                value_line = f"{label}: %{{marker.color:.1f}}"
            traces.append(
                go.Scattergeo(
                    lon=list(part["_lon"]),
                    lat=list(part["_lat"]),
                    mode="markers",
                    marker=marker,
                    name="Hospitals",
                    legendgroup="hospitals",
                    showlegend=False,
                    customdata=_customdata(part, "hospital_name", list(part["_place"]), hover_cols),
                    hovertemplate=_hover(point_hover, value_line, hover_cols),
                )
            )
        # The legend draws a marker coloured through a coloraxis in black (plotly.js 3.8
        # takes the first value for a colour): one neutral, empty entry stands for both.
        traces.append(
            go.Scattergeo(
                lon=[None],
                lat=[None],
                mode="markers",
                marker=dict(size=8, color="white", line=dict(color="#333333", width=1.5)),
                name="Hospitals",
                legendgroup="hospitals",
                hoverinfo="skip",
            )
        )

    fig = go.Figure(data=traces)
    fig.update_layout(
        title=dict(text=html.escape(title, quote=False)),
        height=460,
        # one readable label for all traces (a colour-axis marker's own label comes out pale)
        hoverlabel=dict(bgcolor="white", bordercolor="#999999", font=dict(color="#222222")),
        margin=dict(l=0, r=0, t=60, b=30),
        coloraxis=dict(
            colorscale=theme.SEQUENTIAL,
            cmin=cmin,
            cmax=cmax,
            showscale=bool(len(finite)),
            colorbar=dict(
                title=dict(text=label), thickness=14, len=0.7, y=1, yanchor="top", x=1.01
            ),
        ),
        # beside the map, under the colour bar: the map keeps its aspect ratio, so space above
        # and below it varies with the chart's width
        legend=dict(yanchor="bottom", y=0, xanchor="left", x=1.01, font=dict(size=12)),
        geo=dict(
            scope="usa",
            center=view[0],
            projection=dict(type="albers usa", scale=view[1]),
            resolution=RESOLUTION,
            showland=True,
            landcolor="#f7f7f7",
            showlakes=False,
            showsubunits=True,
            subunitcolor="#4d4d4d",
            subunitwidth=1.2,
            showcountries=False,
            showcoastlines=False,
            fitbounds=False,
            bgcolor="rgba(0,0,0,0)",
        ),
    )
    if unplaced:
        more = f"; and {len(unplaced) - 4} more" if len(unplaced) > 5 else ""
        named = "; ".join(unplaced[:4] if more else unplaced)
        fig.add_annotation(
            text=html.escape(f"Not placed (county not found): {named}{more}", quote=False),
            xref="paper",
            yref="paper",
            x=1,
            y=-0.04,
            xanchor="right",
            showarrow=False,
            font=dict(size=11, color="#666666"),
        )
    return fig
