"""Shared look: the status palette (always with its text label), number formats, the sample banner, and the
two functions that show a user's text as plain text (``plain`` for Streamlit, ``chart_text`` for Plotly)."""

from __future__ import annotations

import html
import re
import string
import sys
from pathlib import Path

import polars as pl
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl import exports  # noqa: E402
from etl.report.fmt import (  # noqa: E402,F401 - one set of formats for the pages and every export
    STAGE_NAMES,
    STATUS_COLORS,
    STATUS_HELP,
    STATUS_ICONS,
    STATUS_ORDER,
    as_of_label,
    fmt_number,
    fmt_period,
    fmt_value,
)

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


def badge(status: str, big: bool = False) -> str:
    color = STATUS_COLORS.get(status, "#7F8C8D")
    size = "1.05em" if big else "0.85em"
    return (
        f'<span class="status-badge" style="background:{color};color:#fff;border-radius:4px;padding:2px 8px;'
        f'font-weight:600;font-size:{size};white-space:nowrap">{STATUS_ICONS.get(status, "")} {html.escape(status)}</span>'
    )


def sample_banner(simulated: bool) -> None:
    if simulated:
        st.warning(
            "**当前显示的是模拟数据。** 示例企业、园区和全部数字均为虚构，仅用于演示系统功能，不是官方统计数据。",
            icon="⚠️",
        )


# The projector and the office wall: sized by the screen (vh), never under 28 px at 1280×720 or 1920×1080.
PRESENTATION_CSS = """
section[data-testid="stSidebar"], div[data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] {display:none !important;}
.block-container {max-width:100% !important; padding:1.2vh 2.2vw 0 2.2vw !important;}
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {gap:0.8vh;}
.pr-meeting {font-size:max(32px, 4.4vh); font-weight:700; color:#1F4E79; line-height:1.2;}
div.stButton button {min-height:max(48px, 6vh);}
div.stButton button p {font-size:max(28px, 3.4vh) !important; white-space:nowrap;}
div.stButton kbd {display:none !important;}  /* the shortcut hints (PageUp, PageDown, Esc): the clicker needs none */
.pr-head-line {display:flex; justify-content:space-between; align-items:baseline; gap:2vw;}
.pr-head-line .headline {font-size:max(28px, 3.6vh) !important; margin:0 !important; font-weight:600;}
.pr-mark {font-size:max(28px, 3.4vh); color:#C00000; font-weight:700; white-space:nowrap;}
.pr-title {font-size:max(40px, 5.8vh); font-weight:700; margin:1vh 0 0.6vh 0; line-height:1.25;}
.pr-title span {font-size:max(28px, 3.6vh); font-weight:400; color:#4A5563;}
.pr-row {display:grid; grid-template-columns:1.9fr 1.8fr 1.6fr 0.9fr 1.5fr 1.9fr; gap:1.2vw; align-items:center;
         border-left:max(10px, 1.2vh) solid transparent; border-bottom:1px solid #D5DCE5;
         padding:calc(max(8px, 2vh) + (5 - var(--rows, 5)) * 1.2vh) 1vw; font-size:max(28px, 3.9vh); line-height:1.25;}
.pr-row.pr-head {padding-top:0.4vh; padding-bottom:0.8vh;}  /* fewer targets in a group: taller rows fill the screen */
.pr-head {font-size:max(28px, 3.2vh); color:#4A5563;}
.pr-head div:nth-child(n+2):nth-child(-n+4) {text-align:right;}
.pr-name {font-weight:700;}
.pr-num {font-weight:700; text-align:right; white-space:nowrap;}
.pr-period {font-size:max(28px, 3.2vh); font-weight:400; color:#4A5563; white-space:normal;}
.pr-gap {font-size:max(28px, 3.6vh); color:#8A2E0B; font-weight:600;}
.pr-attn {font-size:max(28px, 3.6vh); font-weight:700; color:#8A2E0B; margin-top:1.6vh; line-height:1.35;}
.pr-auto {font-weight:400; color:#4A5563;}
.stAlert p {font-size:max(28px, 3.4vh);}
"""

# Printing any page: A4 landscape, no navigation and no controls, every tab's content, nothing cut.
PRINT_CSS = """
@page {size: A4 landscape; margin: 12mm;}
@media print {
  section[data-testid="stSidebar"], div[data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stBaseButton-secondary"], [data-testid="stBaseButton-primary"], .stButton, .stDownloadButton,
  [data-testid="stSlider"], .stSelectSlider, .stSelectbox, .stMultiSelect, .stTextInput, .stNumberInput,
  .stRadio, .stCheckbox, .stFileUploader, .stDateInput, .stTextArea, [data-testid="stExpander"],
  [data-testid="stElementToolbar"], [role="tablist"], .modebar-container, .st-key-screen_only {display:none !important;}
  .st-key-print_only {display:block !important;}
  html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"], section.main {
    height:auto !important; overflow:visible !important; position:static !important;}
  .block-container {padding:0 !important; max-width:none !important;}
  [data-baseweb="tab-panel"], [role="tabpanel"] {display:block !important; visibility:visible !important;
    height:auto !important; overflow:visible !important;}
  [role="tabpanel"][hidden] {display:block !important;}
  .print-only {display:block !important;}
  .pr-print-page {break-after:page;}
  .pr-row, .pr-title, .pr-head-line .headline, .pr-attn, .pr-mark, .pr-meeting {font-size:14pt !important;}
  .pr-title, .pr-ptitle {font-size:20pt !important; font-weight:700;}
  .print-tab {font-size:1.3rem; font-weight:700; border-bottom:2px solid #1F4E79; margin:0.8rem 0 0.4rem 0;
    break-after:avoid;}
  .status-badge {white-space:normal !important; display:inline-block; max-width:100%;}
  .sb-row, .target-card, .pr-row, [data-testid="stPlotlyChart"], table, tr {break-inside:avoid;}
  .sb-num, .sb-gap, .pr-num {white-space:normal !important;}
  [data-testid="stHorizontalBlock"] {flex-wrap:wrap !important;}
  * {-webkit-print-color-adjust:exact !important; print-color-adjust:exact !important;}
}
"""


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
    .corr-badge {display:inline-block;margin-left:6px;padding:0 5px;border:1px solid #8E44AD;border-radius:3px;
                 color:#6C3483;font-size:0.75rem;font-weight:600;vertical-align:middle;}
    .corrected {border-left:4px solid #8E44AD;background:#F7F1FA;padding:6px 12px;margin:8px 0;font-size:0.9rem;}
    .corrected ul {margin:2px 0 0 0;}
    .headline-sub.ahead {color:#7A5200;}
    .print-only, .st-key-print_only {display:none;}
    .print-cards {display:grid; grid-template-columns:repeat(3, 1fr); gap:8px;}
    [data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > script:only-child) {display:none;}
    """ + PRINT_CSS
    if presentation:
        css += PRESENTATION_CSS
    st.markdown(css + "</style>", unsafe_allow_html=True)


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_pair(stem: str, sheets: dict[str, pl.DataFrame], key: str, notes: list[str] | None = None) -> None:
    """下载 CSV (the sheets one after another) and 下载 Excel (a sheet each, the notes on 说明) side by side, through
    etl/exports (no cell can become a formula); each file is written only when its button is pressed."""
    left, right, _ = st.columns([1, 1, 3])
    left.download_button("下载 CSV", lambda: exports.csv_bytes(pl.concat(list(sheets.values()))), f"{stem}.csv",
                         "text/csv", on_click="ignore", icon=":material/download:", key=f"{key}_csv")
    right.download_button("下载 Excel", lambda: exports.xlsx_bytes(sheets, notes), f"{stem}.xlsx", XLSX_MIME,
                          on_click="ignore", icon=":material/download:", key=f"{key}_xlsx")
