"""Decode the ECharts map script for 河源 into GeoJSON (run once; its output is committed).

Source: PyPI package ``echarts-china-cities-pypkg`` 0.0.9 (MIT licence), file
``resources/echarts-china-cities-js/guang3_dong1_he2_yuan2.js``: the six county polygons of 河源市,
feature ids are the GB/T 2260 codes, coordinates in ECharts' compressed (UTF8Encoding) form.

    uv run python -m etl.geodata path/to/guang3_dong1_he2_yuan2.js data/geo/heyuan_counties.geojson
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def _decode_ring(encoded: str, offsets: list[int], scale: float = 1024.0) -> list[list[float]]:
    """ECharts' zig-zag delta decoding of one ring ("@@" prefix marks the encoding)."""
    s = encoded[2:] if encoded.startswith("@@") else encoded
    prev_x, prev_y = offsets
    ring = []
    for i in range(0, len(s) - 1, 2):
        x = ord(s[i]) - 64
        y = ord(s[i + 1]) - 64
        x = (x >> 1) ^ (-(x & 1))
        y = (y >> 1) ^ (-(y & 1))
        prev_x += x
        prev_y += y
        ring.append([round(prev_x / scale, 5), round(prev_y / scale, 5)])
    return ring


def decode(js_text: str) -> dict:
    body = js_text[js_text.index("{type:\"FeatureCollection\"") : js_text.rindex(",UTF8Encoding")] + "}"
    # quote the bare keys of the JS object literal so that it parses as JSON
    body = re.sub(r"([{,])([A-Za-z_][A-Za-z0-9_]*):", r'\1"\2":', body)
    fc = json.loads(body)
    out = {"type": "FeatureCollection", "features": []}
    for feat in fc["features"]:
        geom = feat["geometry"]
        if geom["type"] == "Polygon":
            rings = [_decode_ring(r, o) for r, o in zip(geom["coordinates"], geom["encodeOffsets"], strict=True)]
            new_geom = {"type": "Polygon", "coordinates": rings}
        else:  # MultiPolygon
            polys = [
                [_decode_ring(r, o) for r, o in zip(poly, offs, strict=True)]
                for poly, offs in zip(geom["coordinates"], geom["encodeOffsets"], strict=True)
            ]
            new_geom = {"type": "MultiPolygon", "coordinates": polys}
        out["features"].append(
            {
                "type": "Feature",
                "id": feat["id"],
                "properties": {"region_code": feat["id"], "name": feat["properties"]["name"]},
                "geometry": new_geom,
            }
        )
    return out


if __name__ == "__main__":
    src, dst = sys.argv[1], sys.argv[2]
    Path(dst).write_text(json.dumps(decode(Path(src).read_text(encoding="utf-8")), ensure_ascii=False))
