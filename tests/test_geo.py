"""Region maps (ui/geo.py) and the vendored base map and county shapes they need offline."""

import csv
import json
import math
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from ui import geo

ROOT = Path(__file__).parent.parent
STATIC = ROOT / "static"

# By hand from the Census FIPS list, for every (state, county) of the sample hospitals.
SAMPLE_FIPS = {
    ("IL", "Champaign"): "17019",
    ("IL", "McLean"): "17113",
    ("IL", "Peoria"): "17143",
    ("IL", "Sangamon"): "17167",
    ("IL", "Williamson"): "17199",
    ("KS", "Douglas"): "20045",
    ("KS", "Finney"): "20055",
    ("KS", "Johnson"): "20091",
    ("MO", "Buchanan"): "29021",
    ("MO", "Cape Girardeau"): "29031",
    ("MO", "Cole"): "29051",
    ("MO", "Greene"): "29077",
    ("MO", "Howell"): "29091",
    ("MO", "Jackson"): "29095",
    ("MO", "Jasper"): "29097",
    ("MO", "Phelps"): "29161",
    ("MO", "St. Louis"): "29189",
    ("NE", "Douglas"): "31055",
    ("NE", "Lancaster"): "31109",
    ("NE", "Scotts Bluff"): "31157",
}


def regions_frame(rows):
    """rows: (state, county, region, value, n_covered)."""
    return pd.DataFrame(rows, columns=["state", "county", "region", "value", "n_covered"])


REGIONS = regions_frame(
    [
        ("MO", "Jackson", "Kansas City", 61.25, "412"),
        ("MO", "Clay", "Kansas City", 61.25, "412"),
        ("MO", "St. Louis", "St. Louis", 48.0, "903"),
        ("MO", "St. Louis city", "St. Louis", 48.0, "903"),
        ("KS", "Sedgwick", "South Central KS", 75.5, "230"),
        ("KS", "Douglas", "Northeast KS", float("nan"), "<11"),
        ("NE", "Douglas", "Omaha", 33.3, "150"),
        ("NE", "Scotts Bluff", "Panhandle", float("nan"), "<11"),
        ("IL", "Cook", "Chicago", 90.0, "1,204"),
    ]
)
HOVER = {"n_covered": "Staff covered"}
POINTS = pd.DataFrame(
    {
        "hospital_name": ["A Hospital", "B Hospital", "C Hospital", "D Hospital"],
        "state": ["MO", "MO", "NE", "IL"],
        "county": ["Jackson", "Jackson", "Douglas", "Cook"],
        "value": [55.0, 70.0, float("nan"), 88.8],
        "n_covered": ["120", "292", "<11", "1,000"],
    }
)


def figure(regions=REGIONS, points=None):
    return geo.region_map(
        regions, points, title="Staff covered", value_label="Staff covered (%)", hover_cols=HOVER
    )


def choropleths(fig):
    return [t for t in fig.data if t.type == "choropleth"]


def coloured(fig):
    (trace,) = [t for t in choropleths(fig) if t.coloraxis == "coloraxis"]
    return trace


def grey(fig):
    (trace,) = [t for t in choropleths(fig) if t.coloraxis is None]
    return trace


def points_traces(fig):
    return [t for t in fig.data if t.type == "scattergeo"]


# --- county names to FIPS ---------------------------------------------------------------------


def test_every_county_of_the_sample_hospitals_maps_to_its_fips():
    with open(ROOT / "sample_data/reference/hospitals.csv", newline="", encoding="utf-8") as f:
        counties = {(r["State"], r["County/Parish"]) for r in csv.DictReader(f)}
    assert {c: geo.county_fips(*c) for c in counties} == SAMPLE_FIPS


@pytest.mark.parametrize(
    ("state", "county", "fips"),
    [
        ("MO", "Jackson", "29095"),
        ("KS", "Sedgwick", "20173"),
        ("NE", "Douglas", "31055"),
        ("KS", "Douglas", "20045"),
        ("IL", "Cook", "17031"),
        ("MO", "St. Louis", "29189"),
        ("MO", "ST. LOUIS", "29189"),
        ("MO", "St Louis County", "29189"),
        ("MO", "Saint Louis", "29189"),
        ("MO", "St. Louis city", "29510"),
        ("MO", "ST LOUIS CITY", "29510"),
        ("mo", " cape girardeau ", "29031"),
        ("MO", "Sainte Genevieve", "29186"),
        ("IL", "MC LEAN", "17113"),
        ("IL", "De Kalb", "17037"),
        ("IL", "LaSalle", "17099"),
        ("IL", "DeWitt", "17039"),
        ("IL", "Jackson", "17077"),
    ],
)
def test_a_cms_county_name_maps_to_its_fips_whatever_its_spelling(state, county, fips):
    assert geo.county_fips(state, county) == fips


@pytest.mark.parametrize(
    ("state", "county"),
    [("TX", "Jackson"), ("MO", "Atlantis"), ("MO", ""), ("MO", None), (None, "Jackson")],
)
def test_a_county_outside_the_collaborative_or_unknown_has_no_fips(state, county):
    assert geo.county_fips(state, county) is None


# --- the figure --------------------------------------------------------------------------------


def test_the_choropleth_locations_are_exactly_the_input_counties_fips():
    fig = figure()
    locations = [loc for t in choropleths(fig) for loc in t.locations]
    expected = [
        geo.county_fips(s, c) for s, c in zip(REGIONS["state"], REGIONS["county"], strict=True)
    ]
    assert sorted(locations) == sorted(expected)
    assert len(set(locations)) == 9
    assert [f["id"] for t in choropleths(fig) for f in t.geojson["features"]] == locations


def test_counties_are_coloured_by_their_regions_value_on_one_viridis_axis():
    fig = figure()
    trace = coloured(fig)
    assert list(trace.locations) == ["29095", "29047", "29189", "29510", "20173", "31055", "17031"]
    assert list(trace.z) == [61.25, 61.25, 48.0, 48.0, 75.5, 33.3, 90.0]
    assert fig.layout.coloraxis.cmin == 33.3
    assert fig.layout.coloraxis.cmax == 90.0
    assert fig.layout.coloraxis.colorscale[0][1] == "#440154"  # viridis
    assert fig.layout.coloraxis.colorbar.title.text == "Staff covered (%)"


def test_withheld_or_missing_regions_are_grey_and_say_so_on_hover():
    trace = grey(figure())
    assert list(trace.locations) == ["20045", "31157"]
    assert {c for _, c in trace.colorscale} == {geo.GREY}
    assert trace.showscale is False
    assert trace.name == "Withheld or no data"
    assert "Staff covered (%): withheld or no data" in trace.hovertemplate
    assert [row[0] for row in trace.customdata] == ["Northeast KS", "Panhandle"]
    assert [row[2] for row in trace.customdata] == ["&lt;11", "&lt;11"]


def test_the_hover_shows_region_county_state_the_value_to_one_decimal_and_hover_columns():
    trace = coloured(figure())
    assert trace.hovertemplate == (
        "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>Staff covered (%): %{z:.1f}"
        "<br>Staff covered: %{customdata[2]}<extra></extra>"
    )
    assert list(trace.customdata[0]) == ["Kansas City", "Jackson County, Missouri", "412"]
    assert list(trace.customdata[3]) == ["St. Louis", "St. Louis city, Missouri", "903"]


def test_the_map_uses_the_vendored_usa_base_map_with_state_lines_and_no_lakes():
    fig = figure()
    g = fig.layout.geo
    assert (g.scope, g.resolution, g.projection.type) == ("usa", 50, "albers usa")
    assert (g.showland, g.showlakes, g.showsubunits) == (True, False, True)
    assert geo.CONFIG["topojsonURL"] == "app/static/"
    assert fig.layout.title.text == "Staff covered"


def test_the_base_map_file_plotly_will_request_exists_and_is_a_topojson_with_states():
    for resolution in (geo.RESOLUTION, 110):  # 110 is plotly's default resolution
        path = STATIC / f"usa_{resolution}m.json"
        topology = json.loads(path.read_text(encoding="utf-8"))
        assert topology["type"] == "Topology"
        assert {"land", "subunits", "lakes"} <= topology["objects"].keys()
        subunits = {g["id"] for g in topology["objects"]["subunits"]["geometries"]}
        assert {"IL", "KS", "MO", "NE", "IA", "OK", "CO"} <= subunits
    assert geo.BASEMAP_FILE == STATIC / "usa_50m.json"


def test_streamlit_serves_the_static_folder_beside_the_main_script():
    config = tomllib.loads((ROOT / ".streamlit/config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
    assert (ROOT / "dashboard.py").exists()
    assert geo.STATIC == ROOT / "static"


def test_the_view_is_zoomed_onto_the_drawn_counties():
    fig = figure()
    center, scale = fig.layout.geo.center, fig.layout.geo.projection.scale
    assert -97 < center.lon < -93
    assert 38 < center.lat < 41
    assert 3 < scale < 6
    assert fig.layout.geo.fitbounds is False  # not supported by "albers usa"


def test_the_view_contains_every_drawn_vertex_within_the_albers_usa_box():
    fig = figure()
    center, scale = fig.layout.geo.center, fig.layout.geo.projection.scale
    cx, cy = geo._albers(center.lon, center.lat)
    for trace in choropleths(fig):
        for feature in trace.geojson["features"]:
            ring = feature["geometry"]["coordinates"][0]
            for lon, lat in ring if feature["geometry"]["type"] == "Polygon" else ring[0]:
                x, y = geo._albers(lon, lat)
                assert abs(x - cx) * scale <= 0.455
                assert abs(y - cy) * scale <= 0.238


def test_hospital_points_appear_only_when_given():
    assert points_traces(figure()) == []
    fig = figure(points=POINTS)
    traces = points_traces(fig)
    assert sum(len([v for v in t.lon if v is not None]) for t in traces) == 4
    assert [t.name for t in traces if t.showlegend is not False] == ["Hospitals"]
    assert {t.legendgroup for t in traces} == {"hospitals"}


def test_hospital_points_share_the_colour_axis_and_missing_values_are_grey():
    traces = points_traces(figure(points=POINTS))
    valued, missing = traces[0], traces[1]
    assert valued.marker.coloraxis == "coloraxis"
    assert list(valued.marker.color) == [88.8, 55.0, 70.0]  # sorted by FIPS, then name
    assert [row[0] for row in missing.customdata] == ["C Hospital"]
    assert missing.marker.color == "#8c8c8c"
    assert "withheld or no data" in missing.hovertemplate


def positions(trace, place):
    rows = zip(trace.lon, trace.lat, trace.customdata, strict=True)
    return [(x, y) for x, y, row in rows if row[1].startswith(place)]


def test_hospitals_sharing_a_county_are_spread_apart_deterministically():
    fig = figure(points=POINTS)
    again = figure(points=POINTS)
    valued = points_traces(fig)[0]
    assert list(valued.lon) == list(points_traces(again)[0].lon)
    jackson = positions(valued, "Jackson County")
    assert len(set(jackson)) == 2
    centroid = geo._counties()[0]["29095"]["properties"]["centroid"]
    for x, y in jackson:
        assert 0.05 < math.dist((x, y), centroid) < 0.5
    cook = positions(valued, "Cook County")
    assert cook == [tuple(geo._counties()[0]["17031"]["properties"]["centroid"])]


def test_counties_that_cannot_be_placed_are_named_under_the_map():
    regions = pd.concat(
        [REGIONS, regions_frame([("MO", "Atlantis", "Lost", 50.0, "12")])], ignore_index=True
    )
    fig = figure(regions)
    assert sorted(loc for t in choropleths(fig) for loc in t.locations) == sorted(
        loc for t in choropleths(figure()) for loc in t.locations
    )
    assert fig.layout.annotations[0].text == "Not placed (county not found): Atlantis, MO"


def test_many_unplaced_counties_are_summarised_not_listed_in_full():
    regions = regions_frame([("MO", f"Nowhere {k}", "Lost", 50.0, "12") for k in range(7)])
    fig = figure(pd.concat([REGIONS, regions], ignore_index=True))
    assert fig.layout.annotations[0].text == (
        "Not placed (county not found): Nowhere 0, MO; Nowhere 1, MO; Nowhere 2, MO; "
        "Nowhere 3, MO; and 3 more"
    )


def test_an_empty_input_gives_an_empty_map_of_the_collaborative():
    fig = figure(REGIONS.iloc[0:0], POINTS.iloc[0:0])
    assert list(fig.data) == []
    assert fig.layout.coloraxis.showscale is False
    assert -97 < fig.layout.geo.center.lon < -94
    assert 1 < fig.layout.geo.projection.scale < 4


def test_a_map_where_every_region_is_withheld_has_no_colour_bar():
    regions = REGIONS.assign(value=float("nan"))
    fig = figure(regions)
    assert [t.coloraxis for t in choropleths(fig)] == [None]
    assert len(grey(fig).locations) == 9
    assert fig.layout.coloraxis.showscale is False


def test_a_realistic_map_of_forty_counties_in_twenty_regions_builds_with_all_of_them():
    shapes = geo._counties()[0]
    ids = sorted(shapes)[::10][:40]
    regions = pd.DataFrame(
        {
            "state": [shapes[i]["properties"]["state"] for i in ids],
            "county": [shapes[i]["properties"]["name"] for i in ids],
            "region": [f"Region {k // 2}" for k in range(40)],
            "value": [float("nan") if k // 2 in (3, 7) else 10.0 + k // 2 for k in range(40)],
            "n_covered": ["x"] * 40,
        }
    )
    fig = figure(regions)
    assert sorted(loc for t in choropleths(fig) for loc in t.locations) == ids
    assert len(grey(fig).locations) == 4
    assert len(set(coloured(fig).z)) == 18


# --- the vendored county shapes ------------------------------------------------------------------


def test_the_county_geojson_holds_exactly_the_counties_of_the_four_states():
    collection = json.loads((STATIC / "collaborative_counties.geojson").read_text("utf-8"))
    features = collection["features"]
    states = {"17": "IL", "20": "KS", "29": "MO", "31": "NE"}
    assert all(states[f["id"][:2]] == f["properties"]["state"] for f in features)
    assert {s: sum(f["id"][:2] == s for f in features) for s in states} == {
        "17": 102,
        "20": 105,
        "29": 115,
        "31": 93,
    }
    assert len({f["id"] for f in features}) == 415
    assert all(len(f["id"]) == 5 and f["id"].isdigit() for f in features)


def test_each_county_centroid_lies_within_its_shapes_bounding_box():
    for fips, feature in geo._counties()[0].items():
        g = feature["geometry"]
        polygons = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        lons = [p[0] for poly in polygons for p in poly[0]]
        lats = [p[1] for poly in polygons for p in poly[0]]
        lon, lat = feature["properties"]["centroid"]
        assert min(lons) <= lon <= max(lons), fips
        assert min(lats) <= lat <= max(lats), fips


def test_the_vendored_files_stay_small():
    assert (STATIC / "collaborative_counties.geojson").stat().st_size < 200_000
    assert (STATIC / "usa_50m.json").stat().st_size < 500_000
    assert (STATIC / "usa_110m.json").stat().st_size < 60_000
