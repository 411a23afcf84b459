"""The policy's levers on screen — pure functions for the 任务督办 and 资金兑现 pages (frames in; HTML, figures or
file bytes out; no Streamlit here, so each can be tested alone).

Every string a user sent (progress texts, problems, enterprise and file names) is hostile: it reaches HTML only
through ``text()`` (escaped, newlines as <br>, the characters Streamlit's markdown would act on as entities, so no
blank line can end the HTML block), and a download only through ``etl.exports`` (``ui.download_pair``: no cell can
become a formula).
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts import FONT, base_layout
from dashboard.ui import STATUS_COLORS

# ---- the lights: colour, mark and words (never colour alone) ---------------------------------------------

LIGHTS = {  # light: (colour, text colour, mark, what it means)
    "红灯": ("#C0392B", "#FFFFFF", "●", "需督办"),
    "黄灯": ("#D4A017", "#1C2430", "●", "无进展"),
    "绿灯": ("#1E8449", "#FFFFFF", "●", "正常推进"),
    "灰灯": ("#6B7785", "#FFFFFF", "✔", "已销号"),
    "无数据": ("#E5E8EC", "#1C2430", "—", "无报告"),
}
LIGHT_ORDER = list(LIGHTS)
LIGHT_HELP = {
    "红灯": "最新一期有单位报告“滞后”，或牵头单位未按期报送最近到期季度的进展",
    "黄灯": "牵头单位连续两期进展无变化（状态和进展情况都相同，或两期都“未启动”），或报告“已完成”却未写明完成依据",
    "绿灯": "牵头单位按期报送，推进中",
    "灰灯": "牵头单位报告“已完成”并写明完成依据，销号，此后不再应报",
    "无数据": "尚无进展报告",
}
REPORT_STYLE = {  # a unit's report for a quarter: background, text
    "按时报送": ("#E3F1E6", "#1E5631"), "逾期报送": ("#FFF4D6", "#7A5200"), "逾期未报": ("#F1A9A0", "#6E0F07"),
    "未到期": ("#F4F6F8", "#4A5563"), "已销号": ("#E5E8EC", "#4A5563"),
}
STATUS_MARKS = {"推进中": ("#1F5FA8", "circle"), "已完成": ("#6B7785", "star"), "滞后": ("#C0392B", "x"),
                "未启动": ("#D4A017", "square"), "未报送": ("#C0392B", "circle-open")}

# one pass (an entity made here is never escaped again): HTML's own characters, then the ones Streamlit's markdown
# acts on ($ math, * _ ~ emphasis, ` code, [ ] links, : emoji and colour directives, # headings, | tables, \ escapes)
_INERT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "$": "&#36;", "*": "&#42;",
                        "_": "&#95;", "`": "&#96;", "~": "&#126;", "[": "&#91;", "]": "&#93;", ":": "&#58;",
                        "\\": "&#92;", "#": "&#35;", "|": "&#124;"})


def text(value) -> str:
    """Any value as inert HTML text: escaped, markdown characters as entities, line breaks as <br>."""
    if value is None:
        return "—"
    escaped = str(value).translate(_INERT)
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def light_badge(light: str) -> str:
    colour, fg, mark, meaning = LIGHTS.get(light, LIGHTS["无数据"])
    return (f'<span class="lv-light" style="background:{colour};color:{fg}" title="{text(LIGHT_HELP.get(light, ""))}">'
            f"{mark} {text(light)}<br><small>{text(meaning)}</small></span>")


def status_badge(status: str) -> str:
    """A commitment's status (达标 …) in the app's one status palette, with its word."""
    colour = STATUS_COLORS.get(status, "#7F8C8D")
    return f'<span class="lv-status" style="background:{colour}">{text(status)}</span>'


def report_cell(status: str | None) -> str:
    bg, fg = REPORT_STYLE.get(status or "", ("#FFFFFF", "#1C2430"))
    return f'<span class="lv-report" style="background:{bg};color:{fg}">{text(status)}</span>'


CSS = """<style>
.lv-table {width:100%;border-collapse:collapse;font-size:0.92rem;}
.lv-wrap {overflow-x:auto;width:100%;}
.lv-table th {background:#EEF2F6;text-align:left;padding:6px 8px;border-bottom:2px solid #C9D1DB;}
.lv-table td {padding:6px 8px;border-bottom:1px solid #E5E8EC;vertical-align:top;line-height:1.45;}
.lv-light {display:inline-block;min-width:4.6em;text-align:center;border-radius:6px;padding:3px 8px;font-weight:700;
           line-height:1.2;white-space:nowrap;}
.lv-light small {font-weight:400;font-size:0.78em;}
.lv-status {display:inline-block;color:#fff;border-radius:4px;padding:2px 8px;font-weight:600;white-space:nowrap;}
.lv-report {display:inline-block;border-radius:4px;padding:1px 6px;white-space:nowrap;}
.lv-chips {display:flex;gap:10px;flex-wrap:wrap;margin:4px 0 10px 0;}
.lv-chip {border-radius:8px;padding:8px 14px;min-width:8.5em;}
.lv-chip b {font-size:1.6rem;display:block;line-height:1.1;}
.lv-num {text-align:right;white-space:nowrap;}
.lv-table a {white-space:nowrap;}
.lv-muted {color:#4A5563;font-size:0.85rem;}
.lv-flag {background:#FFF4D6;color:#7A5200;border-radius:6px;padding:10px 14px;margin:6px 0;}
.lv-matrix td, .lv-matrix th {text-align:center;padding:5px 4px;}
.lv-matrix .lv-status {padding:1px 5px;font-size:0.85em;}
.lv-matrix td:first-child, .lv-matrix th:first-child {text-align:left;min-width:14em;}
</style>"""


def commitment_matrix(rows: pl.DataFrame, titles: dict[str, str]) -> str:
    """承诺落实一览: a row a commitment, a column a year, each cell its status (word and colour) and 完成率."""
    years = sorted(set(rows["year"].to_list()))
    head = "<th>承诺</th>" + "".join(f"<th>{y}</th>" for y in years)
    body = []
    for cid in rows["commitment_id"].unique(maintain_order=True).to_list():
        mine = {r["year"]: r for r in rows.filter(pl.col("commitment_id") == cid).iter_rows(named=True)}
        cells = []
        for y in years:
            r = mine.get(y)
            if r is None:
                cells.append("<td></td>")
                continue
            pct = "" if r["status"] == "无数据" else f'<br><small>{r["ratio"] * 100:.0f}%</small>'
            cells.append(f"<td>{status_badge(r['status'])}{pct}</td>")
        body.append(f"<tr><td>{text(titles.get(cid, cid))}</td>{''.join(cells)}</tr>")
    return (f'<div class="lv-wrap"><table class="lv-table lv-matrix"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def chips(counts: dict[str, int]) -> str:
    """One box a light: mark, word, meaning and how many tasks."""
    out = []
    for light in LIGHT_ORDER:
        if light == "无数据" and not counts.get(light):
            continue
        colour, fg, mark, meaning = LIGHTS[light]
        out.append(f'<div class="lv-chip" style="background:{colour};color:{fg}"><b>{counts.get(light, 0)}项</b>'
                   f"{mark} {text(light)} · {text(meaning)}</div>")
    return '<div class="lv-chips">' + "".join(out) + "</div>"


def table(frame: pl.DataFrame, columns: dict[str, str], html_columns: tuple[str, ...] = (),
          numeric: tuple[str, ...] = (), widths: dict[str, str] | None = None) -> str:
    """A static table that wraps its text (full unit names, long progress texts): {column: header}. Columns in
    ``html_columns`` already hold safe HTML made here (badges, links); every other cell goes through ``text()``."""
    widths = widths or {}
    head = "".join(f'<th style="width:{widths[c]}">{text(h)}</th>' if c in widths else f"<th>{text(h)}</th>"
                   for c, h in columns.items())
    rows = []
    for r in frame.select(list(columns)).iter_rows(named=True):
        cells = []
        for c in columns:
            v = r[c]
            if c in html_columns:
                cells.append(f"<td>{v or ''}</td>")
            elif c in numeric:
                cells.append(f'<td class="lv-num">{text(fmt_wan(v))}</td>')
            else:
                cells.append(f"<td>{text(v) if v not in (None, '') else '—'}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="lv-wrap"><table class="lv-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def fmt_wan(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"


def quarter_label(quarter: str | None) -> str:
    """2024Q3 → 2024年第三季度."""
    if not quarter:
        return "—"
    return f"{quarter[:4]}年第{'一二三四'[int(quarter[-1]) - 1]}季度"


def default_review(points: pl.DataFrame) -> int:
    """Which 督办 quarter to show first (``points``: task_review_points, newest first): the newest due quarter, unless
    nobody reported for it — then the newest quarter anyone reported for (a monitor that is behind on its data
    should not open on a wall of red). Returns the row index."""
    if points.is_empty() or points["reports"][0] > 0:
        return 0
    reported = points["reports"].to_list()
    return next((i for i, n in enumerate(reported) if n > 0), 0)


def task_link(task_id: str) -> str:
    """A link to the task on the 任务督办 page (same tab)."""
    from urllib.parse import quote

    return f'<a href="tasks?task={quote(task_id)}" target="_self">{text(task_id)}</a>'


# ---- charts ------------------------------------------------------------------------------------------------

def task_history_chart(history: pl.DataFrame, units: list[str]) -> go.Figure:
    """One task over time: a row a unit, a mark a quarter, its shape, colour and hover text saying the status
    (the legend names each status: never colour alone). ``history``: quarter, unit, status (未报送 for a gap)."""
    fig = go.Figure()
    for status, (colour, symbol) in STATUS_MARKS.items():
        part = history.filter(pl.col("status") == status)
        if part.is_empty():
            continue
        fig.add_trace(go.Scatter(
            x=part["quarter"].to_list(), y=part["unit"].to_list(), mode="markers", name=status,
            marker={"color": colour, "symbol": symbol, "size": 13, "line": {"width": 2, "color": colour}},
            hovertext=[f"{u} {q}：{status}" for u, q in zip(part["unit"], part["quarter"], strict=True)],
            hoverinfo="text"))
    quarters = sorted(set(history["quarter"].to_list()))
    fig.update_xaxes(categoryorder="array", categoryarray=quarters, tickangle=-45, gridcolor="#EEF1F4",
                     nticks=min(len(quarters), 24))
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(units)), gridcolor="#EEF1F4")
    return base_layout(fig, height=140 + 34 * len(units))


def commitment_chart(rows: pl.DataFrame, title: str) -> go.Figure:
    """One commitment by year: the sources that count stacked (市本级, 县区), 省级 beside it (not counted), and the
    committed amount as a marked line; each bar labelled with its amount."""
    fig = go.Figure()
    years = [str(y) for y in rows["year"].to_list()]
    for column, name, colour in (("paid_city_wan", "市本级", "#1F5FA8"), ("paid_county_wan", "县区", "#2E8B57")):
        if name not in set(rows["counted_sources"][0].split("、")):
            continue
        values = rows[column].to_list()
        fig.add_trace(go.Bar(x=years, y=values, name=f"{name}（计入）", marker_color=colour,
                             text=[f"{v:,.1f}" if v else "" for v in values], textposition="inside"))
    province = rows["paid_province_wan"].to_list()
    if any(province):
        fig.add_trace(go.Bar(x=years, y=province, name="省级（不计入承诺）", marker_color="#B8C2CC",
                             text=[f"{v:,.1f}" if v else "" for v in province], textposition="inside"))
    fig.add_trace(go.Scatter(x=years, y=rows["committed_wan"].to_list(), name="承诺金额", mode="lines+markers",
                             line={"color": "#C0392B", "dash": "dash", "width": 2}, marker={"symbol": "diamond", "size": 10}))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title="万元", gridcolor="#EEF1F4", rangemode="tozero")
    fig.update_xaxes(type="category", title=None)
    fig = base_layout(fig, height=320)
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0}, margin={"t": 10, "b": 10},
                      meta={"title": title})
    return fig


FUNNEL = (("estimated_wan", "测算应享（估算）", "#B8C2CC"), ("applied_wan", "申请", "#8E44AD"),
          ("approved_wan", "核定", "#E07B39"), ("paid_wan", "已拨付", "#1E8449"))


def clause_funnel_chart(summary: pl.DataFrame) -> go.Figure:
    """Per clause: 测算 (an estimate, hatched and named so), 申请, 核定, 拨付 side by side (万元)."""
    fig = go.Figure()
    labels = [f"{c} {t or ''}" for c, t in zip(summary["clause"], summary["clause_title"], strict=True)]
    for column, name, colour in FUNNEL:
        values = [v or 0 for v in summary[column].to_list()]
        fig.add_trace(go.Bar(
            y=labels, x=values, name=name, orientation="h", marker_color=colour,
            marker_pattern_shape="/" if column == "estimated_wan" else "",
            text=[f"{v:,.1f}" if v else "" for v in values], textposition="outside", cliponaxis=False))
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="万元", gridcolor="#EEF1F4", rangemode="tozero")
    fig = base_layout(fig, height=120 + 70 * max(summary.height, 1))
    fig.update_layout(font={"family": FONT})
    return fig
