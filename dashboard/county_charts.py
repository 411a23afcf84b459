"""Pure figure functions of the 县区比较 page: frames in, Plotly figures out (no Streamlit here).

Missing values are never drawn as zero: they are grey and carry their reason as text (未报送 / 无数据).
Functional zones are drawn beside the counties in another colour and pattern, and never ranked.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboard.charts import FONT, base_layout
from dashboard.ui import STAGE_NAMES, chart_text, fmt_value

COUNTY_COLOR = "#1F5FA8"
ZONE_COLOR = "#E07B39"
MISSING_COLOR = "#BFC5CC"
REFERENCE_COLOR = "#1C2430"
MAP_SCALE = [[0.0, "#D6E6F4"], [0.5, "#6BAED6"], [1.0, "#08306B"]]  # light blue → navy (never white)
# rank 1 (best) … last: ColorBrewer RdBu, blue = ahead, red = behind (the text always says 第n名)
RANK_SCALE = [[0.0, "#2166AC"], [0.2, "#67A9CF"], [0.4, "#D1E5F0"], [0.6, "#FDDBC7"], [0.8, "#EF8A62"], [1.0, "#B2182B"]]
NEUTRAL_SCALE = [[0.0, "#F3F4F6"], [1.0, "#F3F4F6"]]
CITY_SCALE = [[0.0, "#FFF4D6"], [1.0, "#FFF4D6"]]


def _is_missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def label(value, unit: str, decimals: int | None = None, missing: str | None = None) -> str:
    """A value with its unit, or the reason it is missing."""
    if _is_missing(value):
        return missing or "未报送"
    return fmt_value(value, unit, decimals)


def _short(value, unit: str, decimals: int | None) -> str:
    """Compact label for a cell: the stage by name only, amounts as usual."""
    if unit == "阶段" and not _is_missing(value):
        return STAGE_NAMES.get(int(value), str(value))
    return fmt_value(value, unit, decimals)


# ---- map ------------------------------------------------------------------------------------------

def _ring_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    a = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        a += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    a /= 2
    if a == 0:
        return ring[0][0], ring[0][1], 0.0
    return cx / (6 * a), cy / (6 * a), abs(a)


def centroids(geojson: dict) -> dict[str, tuple[float, float]]:
    """Label point of each feature: the area centroid of its largest polygon's outer ring."""
    return {code: (p["lon"], p["lat"]) for code, p in label_points(geojson).items()}


def label_points(geojson: dict, small: float = 0.25) -> dict[str, dict]:
    """Where to write each feature's label: its centroid, or, for a feature much smaller than the median
    (源城区), just west of the whole map with a leader line from the centroid (``leader`` = True)."""
    out = {}
    min_lon = math.inf
    for feat in geojson["features"]:
        geom = feat["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        lon, lat, area = max((_ring_centroid(p[0]) for p in polys), key=lambda c: c[2])
        min_lon = min(min_lon, *(x for p in polys for x, _ in p[0]))
        out[str(feat["id"])] = {"lon": lon, "lat": lat, "area": area, "leader": False}
    areas = sorted(p["area"] for p in out.values())
    median = areas[len(areas) // 2] if areas else 0
    for p in out.values():
        if p["area"] < small * median:
            p |= {"leader": True, "label_lon": min_lon - 0.03, "label_lat": p["lat"]}
    return out


def county_map(geojson: dict, frame: pl.DataFrame, unit: str, decimals: int | None = None,
               title: str | None = None, height: int = 470) -> go.Figure:
    """Choropleth of the six counties. ``frame``: region_code, region_name, value, missing (reason text).

    Counties without a value are grey and labelled with the reason; labels sit at the polygon centroids."""
    points = label_points(geojson)
    has = frame.filter(pl.col("value").is_not_null())
    lacks = frame.filter(pl.col("value").is_null())
    zmin = zmax = None
    if has.height:
        zmin, zmax = float(has["value"].min()), float(has["value"].max())
        if unit == "阶段":
            zmin, zmax = 0.0, 4.0
        elif zmax == zmin:
            zmin, zmax = (0.0, zmax) if zmax > 0 else (zmin, zmin + 1)
    fig = go.Figure()
    # The label trace goes FIRST: plotly.js (as bundled with Streamlit) fetches the world topojson from
    # cdn.plot.ly when the first geo trace has a locationmode, which fails on a machine without internet
    # and leaves the map blank. Scattergeo by lon/lat has none; layers still draw choropleths beneath text.
    inside: dict[str, list] = {"lon": [], "lat": [], "text": [], "color": []}
    outside: dict[str, list] = {"lon": [], "lat": [], "text": [], "color": []}
    for code, name, value, missing in frame.select("region_code", "region_name", "value", "missing").iter_rows():
        if code not in points:
            continue
        p = points[code]
        text = f"<b>{chart_text(name)}</b><br>{label(value, unit, decimals, missing)}"
        if p["leader"]:
            fig.add_trace(go.Scattergeo(lon=[p["lon"], p["label_lon"]], lat=[p["lat"], p["label_lat"]], mode="lines",
                                        line={"color": REFERENCE_COLOR, "width": 1}, hoverinfo="skip", showlegend=False))
            for k, v in (("lon", p["label_lon"]), ("lat", p["label_lat"]), ("text", text), ("color", REFERENCE_COLOR)):
                outside[k].append(v)
            continue
        dark = not _is_missing(value) and zmax is not None and zmax > zmin and (value - zmin) / (zmax - zmin) > 0.55
        for k, v in (("lon", p["lon"]), ("lat", p["lat"]), ("text", text), ("color", "#FFFFFF" if dark else REFERENCE_COLOR)):
            inside[k].append(v)
    for pts, position in ((inside, "middle center"), (outside, "middle left")):
        if pts["lon"]:
            fig.add_trace(go.Scattergeo(lon=pts["lon"], lat=pts["lat"], text=pts["text"], mode="text", textposition=position,
                                        hoverinfo="skip", showlegend=False,
                                        textfont={"family": FONT, "size": 13, "color": pts["color"]}))
    if has.height:
        shown, factor = column_scale(unit, [zmin, zmax])
        colorbar = {"title": {"text": shown}, "thickness": 14, "len": 0.75, "outlinewidth": 0,
                    "tickformat": ",.0f" if zmax >= 1000 or not decimals else f",.{decimals}f"}
        if factor != 1:  # ticks in 亿元, values (z) stay in 万元
            ticks = nice_ticks(zmin, zmax)
            colorbar |= {"tickvals": ticks, "ticktext": [f"{t / factor:,.{1 if zmax / factor < 10 else 0}f}" for t in ticks]}
        elif decimals == 0 and zmax - zmin <= 8:
            colorbar |= {"dtick": 1}
        if unit == "阶段":
            colorbar |= {"tickvals": list(STAGE_NAMES), "ticktext": list(STAGE_NAMES.values()), "title": {"text": "阶段"}}
        elif unit == "%":
            colorbar |= {"ticksuffix": "%"}
        fig.add_trace(go.Choropleth(
            geojson=geojson, featureidkey="id", locations=has["region_code"].to_list(), z=has["value"].to_list(),
            zmin=zmin, zmax=zmax, colorscale=MAP_SCALE, colorbar=colorbar, name="已报送",
            marker={"line": {"color": "#FFFFFF", "width": 1.5}},
            customdata=[[n, label(v, unit, decimals)] for n, v in zip(has["region_name"], has["value"], strict=True)],
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
        ))
    if lacks.height:
        fig.add_trace(go.Choropleth(
            geojson=geojson, featureidkey="id", locations=lacks["region_code"].to_list(), z=[0] * lacks.height,
            colorscale=[[0, MISSING_COLOR], [1, MISSING_COLOR]], showscale=False, name="未报送",
            marker={"line": {"color": "#FFFFFF", "width": 1.5}},
            customdata=[[n, m or "未报送"] for n, m in zip(lacks["region_name"], lacks["missing"], strict=True)],
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
        ))
    fig.update_geos(fitbounds="locations", visible=False, projection={"type": "mercator"}, bgcolor="rgba(0,0,0,0)")
    base_layout(fig, height, title)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 40 if title else 0, "b": 0}, showlegend=False,
                      dragmode=False)
    return fig


# ---- ranking bars ---------------------------------------------------------------------------------

def ranking_bars(frame: pl.DataFrame, unit: str, decimals: int | None = None, reference: float | None = None,
                 reference_label: str = "全市", title: str | None = None) -> go.Figure:
    """Horizontal bars, best county on top, zones below in another colour and pattern, missing ones grey.

    ``frame``: region_name, level (county/zone), value, rank, missing[, sort_order]. ``reference`` draws a
    dashed line. A 万元 axis reaching 1亿 is drawn in 亿元; labels always carry their unit."""
    order_by = "sort_order" if "sort_order" in frame.columns else "region_name"
    counties = frame.filter(pl.col("level") == "county").sort(["value", order_by], descending=[True, False],
                                                               nulls_last=True)
    zones = frame.filter(pl.col("level") == "zone").sort(order_by)
    names = [f"第{r}名 {chart_text(n)}" if r is not None else chart_text(n)
             for n, r in zip(counties["region_name"], counties["rank"], strict=True)]
    names += [f"{chart_text(n)}（功能区）" for n in zones["region_name"]]
    order = list(reversed(names))
    fig = go.Figure()
    vmax = max([v for v in frame["value"].to_list() if not _is_missing(v)] + [reference or 0, 0])
    shown, factor = column_scale(unit, [vmax])  # a 万元 axis reaching 1亿 is drawn in 亿元
    vmax /= factor
    for part, part_names, color, name, pattern in (
        (counties, names[: counties.height], COUNTY_COLOR, "县区", ""),
        (zones, names[counties.height:], ZONE_COLOR, "功能区（不计入全市合计）", "/"),
    ):
        ok = [i for i, v in enumerate(part["value"].to_list()) if not _is_missing(v)]
        if ok:
            vals = [part["value"][i] for i in ok]
            fig.add_trace(go.Bar(
                x=[v / factor for v in vals], y=[part_names[i] for i in ok], orientation="h", name=name,
                marker={"color": color, "pattern": {"shape": pattern, "fgcolor": "#FFFFFF", "size": 7,
                                                     "fillmode": "overlay"}},
                text=[label(v, unit, decimals) for v in vals], textposition="outside", cliponaxis=False,
                hovertemplate="%{y}：%{text}<extra></extra>",
            ))
    missing_y, missing_text = [], []
    for part, part_names in ((counties, names[: counties.height]), (zones, names[counties.height:])):
        for i, (v, m) in enumerate(zip(part["value"], part["missing"], strict=True)):
            if _is_missing(v):
                missing_y.append(part_names[i])
                missing_text.append(m or "未报送")
    if missing_y:
        fig.add_trace(go.Bar(
            x=[vmax * 0.004 or 0.01] * len(missing_y), y=missing_y, orientation="h", name="未报送/无数据",
            marker={"color": MISSING_COLOR}, text=missing_text, textposition="outside", cliponaxis=False,
            textfont={"color": "#5D6D7E"}, hovertemplate="%{y}：%{text}<extra></extra>",
        ))
    if reference is not None and not _is_missing(reference):
        fig.add_vline(x=reference / factor, line={"color": "#5D6D7E", "dash": "dash", "width": 1.2})
        fig.add_annotation(x=reference / factor, y=1, yref="paper", yanchor="bottom", showarrow=False,
                           text=f"{reference_label} {label(reference, unit, max(decimals or 0, 1) if '平均' in reference_label else decimals)}",
                           font={"size": 12})
    fig.update_yaxes(categoryorder="array", categoryarray=order, title=None)
    xaxis = {"title": {"text": shown, "font": {"size": 12}}, "gridcolor": "#E5E8EC", "range": [0, (vmax or 1) * 1.3],
             "rangemode": "tozero", "tickformat": ","}
    if unit == "阶段":
        xaxis |= {"tickvals": list(STAGE_NAMES), "ticktext": [f"{k}级" for k in STAGE_NAMES], "range": [0, 7.2],
                  "title": None}
    elif unit == "%":
        xaxis |= {"ticksuffix": "%"}
    fig.update_xaxes(**xaxis)
    base_layout(fig, 110 + 34 * len(names), title)
    fig.update_layout(barmode="overlay", bargap=0.3, margin={"l": 10, "r": 30, "t": 60 if title else 40, "b": 10},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "font": {"size": 12}})
    return fig


# ---- county × indicator matrix -----------------------------------------------------------------------

def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values between lo and hi (1, 2 or 5 × a power of ten apart)."""
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) // step) + 1)]


def _wrap(text: str, width: int = 4) -> str:
    return "<br>".join(text[i:i + width] for i in range(0, len(text), width))


def column_scale(unit: str, values: list) -> tuple[str, float]:
    """The unit a matrix column is printed in: 万元 columns reaching 1亿 are shown in 亿元."""
    present = [v for v in values if not _is_missing(v)]
    if unit == "万元" and present and max(abs(v) for v in present) >= 10000:
        return "亿元", 10000.0
    return unit, 1.0


def _cell(value, unit: str, decimals: int | None, factor: float) -> str:
    """A number without its unit (the column header carries it); the stage by name."""
    if unit == "阶段":
        return STAGE_NAMES.get(int(value), str(value))
    v = value / factor
    if factor != 1:
        d = 2
    elif unit == "万元" and abs(v) >= 100:  # whole 万元 are precise enough for a comparison
        d = 0
    else:
        d = decimals if decimals is not None else 1
    return f"{v:,.{d}f}"


def rank_matrix(table: pl.DataFrame, height: int | None = None) -> go.Figure:
    """Rows = counties, then zones, then the city; columns = indicators. A county cell is coloured by its
    rank among the counties in that column (blue = ahead, red = behind) and says its value and rank.

    ``table``: ``inspection_export.comparison`` (region_name, level, sort_order, indicator, short_name, unit,
    decimals, indicator_order, value, rank, ranked, missing). Numbers are printed without units; each
    column header carries its unit (万元 columns reaching 1亿 are printed in 亿元)."""
    inds = table.select("indicator", "short_name", "unit", "indicator_order").unique().sort("indicator_order")
    scale = {code: column_scale(unit, table.filter(pl.col("indicator") == code)["value"].to_list())
             for code, unit in zip(inds["indicator"], inds["unit"], strict=True)}
    cols = [f"{_wrap(s)}<br>（{scale[c][0]}）" for c, s in zip(inds["indicator"], inds["short_name"], strict=True)]
    col_of = dict(zip(inds["indicator"], cols, strict=True))
    level_rank = {"county": 0, "zone": 1, "city": 2}
    regs = (table.select("region_name", "level", "sort_order").unique()
            .with_columns(pl.col("level").replace_strict(level_rank, default=3).alias("_g")).sort("_g", "sort_order"))
    row_label = {}
    for name, level in regs.select("region_name", "level").iter_rows():
        row_label[name] = {"zone": f"{chart_text(name)}<br>（功能区）", "city": "全市"}.get(level, chart_text(name))
    rows = [row_label[n] for n in regs["region_name"]]

    def grid(levels: tuple[str, ...], score_fn):
        z = [[None] * len(cols) for _ in rows]
        text = [[""] * len(cols) for _ in rows]
        hover = [[""] * len(cols) for _ in rows]
        for r in table.filter(pl.col("level").is_in(levels) & pl.col("value").is_not_null()).iter_rows(named=True):
            i, j = rows.index(row_label[r["region_name"]]), cols.index(col_of[r["indicator"]])
            z[i][j] = score_fn(r)
            text[i][j] = _cell(r["value"], r["unit"], r["decimals"], scale[r["indicator"]][1])
            if r["rank"] is not None:
                text[i][j] += f"<br>第{r['rank']}"
            hover[i][j] = (f"{row_label[r['region_name']].replace('<br>', '')} · {r['short_name']}："
                           f"{label(r['value'], r['unit'], r['decimals'])}"
                           + (f"（{r['ranked']}个县区中第{r['rank']}名）" if r["rank"] is not None else ""))
        return z, text, hover

    def score(r):
        return 0.0 if r["ranked"] <= 1 else (r["rank"] - 1) / (r["ranked"] - 1)

    fig = go.Figure()
    for levels, fn, colors in ((("county",), score, RANK_SCALE), (("zone",), lambda r: 0, NEUTRAL_SCALE),
                               (("city",), lambda r: 0, CITY_SCALE)):
        z, text, hover = grid(levels, fn)
        fig.add_trace(go.Heatmap(
            z=z, x=cols, y=rows, text=text, texttemplate="%{text}", customdata=hover,
            hovertemplate="%{customdata}<extra></extra>", colorscale=colors, zmin=0, zmax=1, showscale=False,
            xgap=2, ygap=2, textfont={"size": 11, "family": FONT},
        ))
    # grey cells for missing values, with their reason as text (never coloured as a rank)
    zmiss = [[None] * len(cols) for _ in rows]
    tmiss = [[""] * len(cols) for _ in rows]
    for r in table.filter(pl.col("value").is_null()).iter_rows(named=True):
        i, j = rows.index(row_label[r["region_name"]]), cols.index(col_of[r["indicator"]])
        zmiss[i][j], tmiss[i][j] = 0, _wrap(r["missing"] or "未报送", 3)
    fig.add_trace(go.Heatmap(z=zmiss, x=cols, y=rows, text=tmiss, texttemplate="%{text}",
                             hovertemplate="%{y} · %{text}<extra></extra>", colorscale=[[0, "#E3E6EA"], [1, "#E3E6EA"]],
                             showscale=False, xgap=2, ygap=2, textfont={"size": 11, "color": "#5D6D7E", "family": FONT}))
    fig.update_yaxes(autorange="reversed", title=None, showgrid=False, tickfont={"size": 12}, fixedrange=True)
    fig.update_xaxes(side="top", title=None, showgrid=False, tickangle=0, tickfont={"size": 11}, fixedrange=True)
    base_layout(fig, height or 120 + 46 * len(rows))
    fig.update_layout(margin={"l": 10, "r": 10, "t": 90, "b": 10}, plot_bgcolor="#FFFFFF")
    return fig


# ---- county profile: small multiples ----------------------------------------------------------------

def profile_multiples(series: pl.DataFrame, indicators: pl.DataFrame, county_name: str, cols: int = 4,
                      years: list[int] | None = None) -> go.Figure:
    """One small chart per key indicator: the county (bold) against the six-county average (dashed).

    ``series``: indicator, year, value (the county), avg (mean of the counties with a value that year);
    ``indicators``: code, short_name, unit, decimals, in display order."""
    n = indicators.height
    rows = max(1, math.ceil(n / cols))
    titles = [f"{s}（{u}）" if u != "阶段" else s for s, u in zip(indicators["short_name"], indicators["unit"], strict=True)]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.09, vertical_spacing=0.18)
    for k, ind in enumerate(indicators.iter_rows(named=True)):
        r, c = k // cols + 1, k % cols + 1
        part = series.filter(pl.col("indicator") == ind["code"]).sort("year")
        fig.add_trace(go.Scatter(
            x=part["year"], y=part["avg"], mode="lines", name="六县区平均", legendgroup="avg", showlegend=k == 0,
            line={"color": "#95A5A6", "dash": "dash", "width": 1.5},
            hovertemplate="%{x}年 六县区平均：%{y:,.1f}<extra></extra>"), row=r, col=c)
        fig.add_trace(go.Scatter(
            x=part["year"], y=part["value"], mode="lines+markers", name=chart_text(county_name), legendgroup="county",
            showlegend=k == 0, line={"color": COUNTY_COLOR, "width": 2.5}, marker={"size": 5},
            customdata=[label(v, ind["unit"], ind["decimals"]) for v in part["value"]],
            hovertemplate="%{x}年：%{customdata}<extra></extra>"), row=r, col=c)
        yaxis = {"rangemode": "tozero", "gridcolor": "#EEF1F4"}
        top = max([v for v in [*part["value"].to_list(), *part["avg"].to_list()] if not _is_missing(v)], default=0)
        if ind["unit"] == "阶段":
            yaxis |= {"tickvals": list(STAGE_NAMES), "ticktext": list(STAGE_NAMES.values()), "range": [-0.2, 4.2],
                      "tickfont": {"size": 10}}
        elif ind["unit"] == "%":
            yaxis |= {"ticksuffix": "%"}
        elif ind["decimals"] == 0 and top <= 8:
            yaxis |= {"dtick": 1 if top <= 4 else 2, "range": [0, max(top, 1) * 1.1]}
        if not part["value"].drop_nulls().len():
            fig.add_annotation(text="无数据", showarrow=False, font={"color": "#7F8C8D", "size": 14},
                               xref=f"x{k + 1 if k else ''} domain", yref=f"y{k + 1 if k else ''} domain", x=0.5, y=0.5)
        fig.update_yaxes(row=r, col=c, **yaxis)
        fig.update_xaxes(row=r, col=c, dtick=4, tickangle=0, gridcolor="#EEF1F4",
                         range=[years[0] - 0.5, years[-1] + 0.5] if years else None)
    base_layout(fig, 250 * rows + 40)
    fig.update_annotations(font={"size": 13})
    fig.update_layout(margin={"l": 10, "r": 10, "t": 50, "b": 10}, legend={"y": 1.06})
    return fig
