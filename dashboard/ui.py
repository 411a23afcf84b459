"""Shared look: the status palette (always with its text label), number formats, the sample banner, and the
two functions that show a user's text as plain text (``plain`` for Streamlit, ``chart_text`` for Plotly)."""

from __future__ import annotations

import html
import math
import re
import string

import polars as pl
import streamlit as st

# ---- a user's text, shown as text ------------------------------------------------------------------
# Streamlit renders Markdown (and, with unsafe_allow_html, HTML) in st.markdown, st.caption, st.info/
# warning/error/success, st.metric, st.table cells and in the labels of buttons, expanders and tabs:
# ``![x](http://…)`` makes every visitor's browser fetch a URL, ``<iframe srcdoc=…>`` runs script, and
# ``**…**``, ``:material/…:``, ``$…$`` change what is shown. ``plain`` turns every ASCII punctuation
# character that Markdown or HTML can read as syntax into a numeric character reference, which both show as
# the character itself and never as syntax (``, . - / % ? ; ( )`` are syntax only at the start of a line, and
# are escaped only there: ``- x``, ``1. x``); line breaks become spaces, and a leading space is kept from
# starting a code block. Links that GFM makes out of plain ``www.``/``http:``/e-mail text after parsing are
# broken by an invisible word joiner (U+2060). st.dataframe cells, st.text and the options of st.selectbox/
# st.multiselect are plain text already and must NOT get ``plain`` (the references would show).
WORD_JOINER = "\u2060"
_INLINE_SAFE = ",.-/%?;() "
_PLAIN = {ord(c): f"&#{ord(c)};" for c in string.punctuation if c not in _INLINE_SAFE} | {
    ord(c): " " for c in "\r\n\t\v\f\x85\u2028\u2029"}
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=ftp)(?=:)|(?<=www)(?=\.)|(?=@)")
_LINE_START = re.compile(r"^(?: |-(?=[\s-]*$|\s)|(\d+)([.)])(?=\s|$))")


def _line_start(match: re.Match) -> str:
    if match.group(1):  # 1. / 1) : an ordered list
        return match.group(1) + f"&#{ord(match.group(2))};"
    return f"&#{ord(match.group(0))};"  # a leading space (code block) or "- " / "---" (list, rule)


def plain(text) -> str:
    """A user's text (file, sheet, enterprise name, message, value …) for any Streamlit text that renders
    Markdown or HTML, with or without unsafe_allow_html: shown exactly as typed, never as syntax."""
    out = _AUTOLINK.sub(WORD_JOINER, "" if text is None else str(text)).translate(_PLAIN)
    return _LINE_START.sub(_line_start, out, count=1)


def plain_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text cell of ``frame`` through ``plain``: for st.table, whose cells are Markdown."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(pl.col(c).map_elements(plain, return_dtype=pl.String) for c in text)


def chart_text(text) -> str:
    """A user's text for Plotly text, hover, names and annotations (Plotly renders <b>, <a href>, <br> … and
    decodes &lt; &gt; &amp; but not &quot;, so only & < > are escaped)."""
    return html.escape("" if text is None else str(text), quote=False)


# One status palette for the whole app; never colour alone: every use carries the label.
STATUS_COLORS = {
    "达标": "#1E8449",
    "进度正常": "#1F5FA8",
    "滞后": "#B9770E",
    "未达标": "#C0392B",
    "无数据": "#7F8C8D",
}
STATUS_ICONS = {"达标": "✔", "进度正常": "➜", "滞后": "⚠", "未达标": "✖", "无数据": "—"}
STATUS_ORDER = list(STATUS_COLORS)
STATUS_HELP = {
    "达标": "实际值已达到目标值",
    "进度正常": "目标年份未到，实际值不低于序时进度",
    "滞后": "目标年份未到，实际值低于序时进度",
    "未达标": "目标年份已过，实际值未达到目标值",
    "无数据": "没有可用于判断的数据",
}


def badge(status: str, big: bool = False) -> str:
    color = STATUS_COLORS.get(status, "#7F8C8D")
    size = "1.05em" if big else "0.85em"
    return (
        f'<span class="status-badge" style="background:{color};color:#fff;border-radius:4px;padding:2px 8px;'
        f'font-weight:600;font-size:{size};white-space:nowrap">{STATUS_ICONS.get(status, "")} {html.escape(status)}</span>'
    )


def fmt_number(value, unit: str = "", decimals: int | None = None) -> str:
    """Chinese statistical style: 万元 amounts of 1亿 and above shown in 亿元; thousands separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "万元" and abs(value) >= 10000:
        return f"{value / 10000:,.2f}亿元"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else (1 if unit == "%" else 2)
    text = f"{value:,.{decimals}f}"
    return f"{text}{unit}" if unit in ("%", "万元", "亿元", "人次", "家", "个", "㎡", "级") else (f"{text} {unit}" if unit else text)


def fmt_value(value, unit: str, decimals: int | None = None, short: bool = False) -> str:
    """A value with its unit; the park stage is shown by name (with its step 0–4 unless short)."""
    if unit == "阶段" and value is not None and not (isinstance(value, float) and math.isnan(value)):
        name = STAGE_NAMES.get(int(value), str(value))
        return name if short else f"{name}（{int(value)}级）"
    return fmt_number(value, unit, decimals)


STAGE_NAMES = {0: "规划中", 1: "启动规划建设", 2: "在建", 3: "初具规模", 4: "建成运营"}


def fmt_period(period: str | None) -> str:
    if not period:
        return "—"
    if len(period) == 4:
        return f"{period}年"
    if "Q" in period:
        return f"{period[:4]}年第{period[-1]}季度"
    return f"{period[:4]}年1-{int(period[5:])}月"


def sample_banner(simulated: bool) -> None:
    if simulated:
        st.warning(
            "**当前显示的是模拟数据。** 示例企业、园区和全部数字均为虚构，仅用于演示系统功能，不是官方统计数据。",
            icon="⚠️",
        )


def page_css(presentation: bool = False) -> None:
    css = """
    <style>
    .block-container {padding-top: 1.2rem; padding-left: 2rem; padding-right: 2rem; max-width: none;}
    h1 {font-size: 2.2rem !important; padding-top: 0.4rem !important;}
    .status-badge {display:inline-block;}
    .target-card {border:1px solid #D5DCE5;border-left-width:8px;border-radius:6px;padding:10px 14px;margin-bottom:10px;background:#fff;}
    .target-card h4 {margin:0 0 4px 0;font-size:1.05rem;}
    .target-card .big {font-size:1.6rem;font-weight:700;}
    .target-card .muted {color:#4A5563;font-size:0.9rem;}
    .headline {font-size:1.25rem;font-weight:600;margin:0.2rem 0 0.6rem 0;line-height:1.5;}
    .sb {border:1px solid #D5DCE5;border-radius:6px;padding:6px 10px;background:#fff;}
    .sb-title {font-weight:700;font-size:1.1rem;margin-bottom:4px;}
    .sb-sub {font-weight:400;font-size:0.85rem;color:#4A5563;margin-bottom:2px;}
    .headline-sub {font-size:0.95rem;font-weight:400;color:#4A5563;}
    .sb-row {display:grid;grid-template-columns:minmax(5.5em,1fr) auto auto;gap:8px;align-items:center;
             border-top:1px solid #E5E8EC;padding:5px 0;font-size:0.95rem;}
    .sb-name {font-weight:600;}
    .sb-num {text-align:right;font-weight:700;white-space:nowrap;}
    .sb-target {font-weight:400;font-size:0.8rem;color:#4A5563;}
    .sb-status {text-align:right;}
    .sb-gap {font-size:0.8rem;color:#4A5563;white-space:nowrap;}
    """
    if presentation:
        css += """
        section[data-testid="stSidebar"], div[data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {display:none !important;}
        .stAlert p {font-size: 1.05rem;}
        .block-container {max-width: 100% !important; padding: 0.8rem 2rem !important;}
        .pr-title {font-size:2rem;font-weight:700;margin:0.3rem 0 0.5rem 0;}
        .pr-title span {font-size:1.3rem;font-weight:400;color:#4A5563;}
        .pr-row {display:grid;grid-template-columns:2.6fr 1.3fr 1.3fr 0.8fr 1.2fr;gap:12px;align-items:center;
                 border-left:10px solid transparent;border-bottom:1px solid #D5DCE5;padding:5px 12px;font-size:1.5rem;}
        .pr-head {font-size:1.05rem;color:#4A5563;border-left-color:transparent;padding-top:0;padding-bottom:4px;}
        .pr-head div:nth-child(n+2):nth-child(-n+4) {text-align:right;}
        .pr-name {font-weight:700;line-height:1.25;}
        .pr-num {font-weight:700;text-align:right;white-space:nowrap;}
        .pr-period {font-size:0.95rem;font-weight:400;color:#4A5563;}
        .pr-gap {font-size:1rem;color:#4A5563;}
        .target-card h4 {font-size:1.5rem;}
        .target-card .big {font-size:2.4rem;}
        .target-card .muted {font-size:1.15rem;}
        .headline {font-size:1.7rem;}
        .headline-sub {font-size:1.15rem;}
        div.stButton button p {font-size:1.3rem;}
        """
    st.markdown(css + "</style>", unsafe_allow_html=True)
