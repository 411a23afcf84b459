"""Pure chart functions: a frame in, a Plotly figure out (no Streamlit here)."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.ui import STATUS_COLORS, fmt_value

FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, sans-serif"
PALETTE = ["#1F5FA8", "#E07B39", "#2E8B57", "#8E44AD", "#C0392B", "#16A085", "#7F8C8D", "#D4A017", "#5D6D7E"]


def base_layout(fig: go.Figure, height: int = 380, title: str | None = None, font_size: int = 14) -> go.Figure:
    fig.update_layout(
        height=height,
        title={"text": title, "x": 0, "font": {"size": font_size + 3}} if title else None,
        font={"family": FONT, "size": font_size, "color": "#1C2430"},
        margin={"l": 10, "r": 20, "t": 50 if title else 20, "b": 10},
        plot_bgcolor="#FFFFFF",
        paper_bgcolor="#FFFFFF",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"font": {"family": FONT}},
    )
    return fig


def completion_bars(progress: pl.DataFrame, font_size: int = 14, height: int | None = None) -> go.Figure:
    """完成率 (actual ÷ target) of each target, coloured and labelled by status, with the 100% line."""
    df = progress.reverse()
    pct = [min(r, 1.5) * 100 if r is not None else 0 for r in df["ratio"].to_list()]
    labels = [
        f"{s} {r * 100:.0f}%" if r is not None and u != "阶段" else f"{s}（{fmt_value(a, u, short=True)}）"
        for s, r, u, a in zip(df["status"], df["ratio"], df["unit"], df["actual"], strict=True)
    ]
    names = [f"{n}（{d}）" for n, d in zip(df["indicator_name"], df["deadline"], strict=True)]
    hover = [
        f"{n}<br>实际：{fmt_value(a, u)}（{p or '—'}）<br>目标：≥{fmt_value(t, u)}<br>状态：{s}"
        for n, a, u, p, t, s in zip(df["indicator_name"], df["actual"], df["unit"], df["actual_period"], df["target"],
                                    df["status"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=pct, y=names, orientation="h", text=labels, textposition="outside", cliponaxis=False,
            marker={"color": [STATUS_COLORS.get(s, "#7F8C8D") for s in df["status"]]},
            hovertext=hover, hoverinfo="text",
        )
    )
    fig.add_vline(x=100, line={"color": "#1C2430", "dash": "dash", "width": 1.5}, annotation_text="目标 100%",
                  annotation_position="top")
    fig.update_xaxes(range=[0, 175], ticksuffix="%", title="完成率（实际值 ÷ 目标值，超过150%按150%画）",
                     gridcolor="#E5E8EC")
    return base_layout(fig, height or 60 + 44 * df.height, font_size=font_size)


def series_chart(city: pl.DataFrame, counties: pl.DataFrame, unit: str, targets: pl.DataFrame,
                 path: pl.DataFrame | None = None, projection: pl.DataFrame | None = None, title: str | None = None) -> go.Figure:
    """City line (bold), county lines, target markers, the time-proportional path and the projection.

    Frames: city/counties have (year, value[, region_name]); targets (deadline, target); path and
    projection (year, value)."""
    fig = go.Figure()
    for i, (name, part) in enumerate(counties.group_by("region_name", maintain_order=True)):
        part = part.sort("year")
        fig.add_trace(go.Scatter(x=part["year"], y=part["value"], name=name[0], mode="lines+markers",
                                 line={"width": 1.5, "color": PALETTE[(i + 1) % len(PALETTE)]}, marker={"size": 5}))
    if city.height:
        fig.add_trace(go.Scatter(x=city["year"], y=city["value"], name="全市", mode="lines+markers",
                                 line={"width": 4, "color": "#1C2430"}, marker={"size": 8}))
    if path is not None and path.height:
        fig.add_trace(go.Scatter(x=path["year"], y=path["value"], name="序时进度", mode="lines",
                                 line={"dash": "dot", "color": "#1F5FA8", "width": 2}))
    if projection is not None and projection.height:
        fig.add_trace(go.Scatter(x=projection["year"], y=projection["value"], name="按现增速预测", mode="lines",
                                 line={"dash": "dash", "color": "#B9770E", "width": 2}))
    if targets.height:
        fig.add_trace(go.Scatter(
            x=targets["deadline"], y=targets["target"], name="目标", mode="markers",
            marker={"symbol": "star", "size": 18, "color": "#C0392B"},
        ))
        for d, t in zip(targets["deadline"], targets["target"], strict=True):
            fig.add_annotation(x=d, y=t, text=f"{d}年目标 {fmt_value(t, unit, short=True)}", showarrow=False, yshift=18,
                               bgcolor="rgba(255,255,255,0.85)", font={"color": "#C0392B"})
    fig.update_xaxes(dtick=1, title=None, gridcolor="#EEF1F4")
    fig.update_yaxes(title=unit, gridcolor="#EEF1F4", rangemode="tozero")
    base_layout(fig, 420, title)
    fig.update_layout(legend={"orientation": "v", "yanchor": "top", "y": 1, "x": 1.02, "xanchor": "left"},
                      margin={"r": 10})
    return fig
