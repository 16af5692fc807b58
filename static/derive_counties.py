"""Derive static/collaborative_counties.geojson from us-atlas's counties-10m.json (run once).

    npm pack us-atlas@3.0.1 && tar xzf us-atlas-3.0.1.tgz
    python static/derive_counties.py package/counties-10m.json

Pure Python (no extra packages). Keeps the counties of the four collaborative states, decodes the
quantized TopoJSON arcs, rounds coordinates to DECIMALS places, drops the repeated points rounding
creates, and adds each county's 2-letter state and an area-weighted centroid (lon, lat) for
placing points. Shared borders are decoded from the same arcs and rounded the same way, so
neighbouring counties still meet exactly. Ring winding is kept as us-atlas has it (d3-geo's).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

STATES = {"17": "IL", "20": "KS", "29": "MO", "31": "NE"}
DECIMALS = 3  # about 100 m: well below what a region map can show
# us-atlas names both St. Louis County (29189) and the independent St. Louis city (29510)
# "St. Louis"; the Census full name of the city tells them apart.
RENAME = {"29510": "St. Louis city"}
OUT = Path(__file__).with_name("collaborative_counties.geojson")


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat points of every arc (TopoJSON arcs are quantized and delta-encoded)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    """One closed ring from arc indexes (~i is arc i reversed), rounded, without repeats."""
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    out: list[list[float]] = []
    for x, y in points:
        p = [round(x, DECIMALS), round(y, DECIMALS)]
        if not out or p != out[-1]:
            out.append(p)
    if out[0] != out[-1]:
        out.append(out[0])
    return out


def ring_moments(r: list[list[float]]) -> tuple[float, float, float]:
    """Signed area and the first moments (shoelace) of a closed ring."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(r, r[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return a / 2, cx / 6, cy / 6


def centroid(polygons: list[list[list[list[float]]]]) -> list[float]:
    """Area-weighted centroid of all polygons (holes subtract), in plain lon/lat."""
    area = mx = my = 0.0
    for rings in polygons:
        for k, r in enumerate(rings):
            a, cx, cy = ring_moments(r)
            sign = 1 if k == 0 else -1  # exterior adds, holes subtract, whatever the winding
            s = sign * (1 if a >= 0 else -1)
            area += s * a
            mx += s * cx
            my += s * cy
    return [round(mx / area, 4), round(my / area, 4)]


def main(path: str) -> None:
    topology = json.loads(Path(path).read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    features = []
    for g in topology["objects"]["counties"]["geometries"]:
        fips = g["id"]
        if fips[:2] not in STATES:
            continue
        if g["type"] == "Polygon":
            polygons = [[ring(r, arcs) for r in g["arcs"]]]
        elif g["type"] == "MultiPolygon":
            polygons = [[ring(r, arcs) for r in p] for p in g["arcs"]]
        else:
            raise ValueError(f"{fips}: unexpected geometry {g['type']}")
        polygons = [[r for r in p if len(r) >= 4] for p in polygons]
        polygons = [p for p in polygons if p]
        geometry = (
            {"type": "Polygon", "coordinates": polygons[0]}
            if len(polygons) == 1
            else {"type": "MultiPolygon", "coordinates": polygons}
        )
        features.append(
            {
                "type": "Feature",
                "id": fips,
                "properties": {
                    "name": RENAME.get(fips, g["properties"]["name"]),
                    "state": STATES[fips[:2]],
                    "centroid": centroid(polygons),
                },
                "geometry": geometry,
            }
        )
    features.sort(key=lambda f: f["id"])
    collection = {
        "type": "FeatureCollection",
        "source": "us-atlas 3.0.1 counties-10m.json (US Census Bureau cartographic boundaries, "
        "2017), counties of IL, KS, MO, NE; see static/README.md",
        "features": features,
    }
    OUT.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(features)} counties, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python static/derive_counties.py path/to/us-atlas/counties-10m.json")
    main(sys.argv[1])
