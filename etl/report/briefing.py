"""会议材料: the joint meeting's deck as a PPTX (native, restylable PowerPoint charts) and a PDF of the same.

One slide model (``deck``) is drawn twice: by python-pptx into the PPTX, and as HTML pages that headless
Chromium prints to the PDF (same slides, same numbers, same colours; the bars are drawn in HTML). Chromium
is Debian's (tests/run.sh and dashboard/serve.sh install it with the CJK fonts): no LibreOffice needed.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from etl.report import facts
from etl.report.facts import LIGHT_COLORS, RED
from etl.report.fmt import SIMULATED_MARK, STATUS_COLORS, STATUS_ORDER, fmt_value

FONT = "Microsoft YaHei"  # with the East Asian face set (a:ea), PowerPoint and WPS draw the Chinese with it
HTML_FONT = "'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', sans-serif"
INK, MUTED, ACCENT = "#1C2430", "#4A5563", "#1F4E79"
LIGHT_FILL = {"绿": "#D5EFDD", "黄": "#FFF0C2", "红": "#F8D0CB", "灰": "#E5E8EB"}
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
NO_CHROMIUM = ("无法生成PDF：本机没有找到 Chromium 浏览器（/usr/bin/chromium）；请先运行 bash dashboard/serve.sh "
               "或 apt-get install chromium fonts-noto-cjk。")
CAP = 1.5  # completion bars are drawn up to 150%


class NoChromium(RuntimeError):
    pass


# ---- the slide model ------------------------------------------------------------------------------------

@dataclass
class Bar:
    label: str  # category
    value: float  # drawn length (percent or score)
    text: str  # data label
    color: str


@dataclass
class Slide:
    kind: str  # title | summary | group | counties | text
    title: str
    subtitle: str = ""
    bars: list[Bar] = field(default_factory=list)
    bar_axis: str = ""
    table: list[list[str]] = field(default_factory=list)  # first row = header
    fills: list[list[str | None]] = field(default_factory=list)  # cell fills of table rows (same shape, no header)
    lines: list[str] = field(default_factory=list)
    tiles: list[tuple[str, int, str]] = field(default_factory=list)  # (status, count, colour)


@dataclass
class Deck:
    meeting: str
    date: dt.date
    as_of: int
    footer: str
    simulated: bool
    slides: list[Slide]


def deck(src, as_of: int, meeting: str = facts.DEFAULT_MEETING, date: dt.date | None = None) -> Deck:
    """Read the facts once and lay them out as slides."""
    date = date or dt.date.today()
    status = facts.data_status(src)
    prog = facts.progress(src, as_of)
    slides = [Slide("title", meeting, subtitle="河源市电子商务发展目标推进情况", lines=[
        f"会议日期：{facts.chinese_date(date)}",
        f"数据截至：{as_of}年底（依据河府办〔2015〕43号，14项发展目标）",
        f"数据状态：建库时间 {status['built_at']:%Y-%m-%d %H:%M}，已入库报表文件 {status['files']} 个",
    ] + ([f"{SIMULATED_MARK}：示例企业和全部数字均为虚构，仅用于演示"] if status["simulated"] else []))]
    counts = facts.status_counts(prog)
    slides.append(Slide("summary", f"总体情况：截至{as_of}年底", subtitle=facts.headline(prog, as_of),
                        tiles=[(s, counts.get(s, 0), STATUS_COLORS[s]) for s in STATUS_ORDER],
                        lines=[facts.attention_line(prog)]))
    rows = facts.target_rows(prog)
    for d in sorted(prog["deadline"].unique().to_list()):
        part = [r for r in rows if r["deadline"] == d]
        frame = prog.filter(pl.col("deadline") == d)
        bars = [Bar(r["short_name"], min(r["ratio"] or 0, CAP) * 100,
                    f"{r['status']} {r['ratio_text']}" if r["ratio_text"] != "—" else f"{r['status']}（{r['actual']}）",
                    STATUS_COLORS[r["status"]]) for r in part]
        table = [["目标", "实际", "目标值", "状态", "差距"]] + [
            [r["short_name"], f"{r['actual']}（{r['period']}）" if r["period"] != "—" else r["actual"], r["target"],
             r["status"], r["gap"] or "—"] for r in part]
        fills = [[None, None, None, STATUS_COLORS[r["status"]], None] for r in part]
        slides.append(Slide("group", f"{facts.group_title(d)}（{frame.height}项：{facts.status_counts_text(frame)}）",
                            subtitle=f"截至{as_of}年底；完成率 = 实际值 ÷ 目标值，100%即达到目标（超过150%按150%画）",
                            bars=bars, bar_axis="完成率（%）",
                            table=table, fills=fills))
    slides.append(county_slide(src, as_of))
    slides.extend(tasks_and_funds(src, as_of))
    slides.append(Slide("text", "指标口径与数据来源", lines=[f"{n}：{d}" for n, d in facts.definitions(src)]
                        + [facts.SOURCE_NOTE]))
    slides.append(Slide("text", "县区评价口径（县区比较页与督查通报同一口径）", lines=list(facts.COUNTY_RULES)))
    footer = f"河源电商发展目标监测 · 数据截至{as_of}年底 · 建库 {status['built_at']:%Y-%m-%d}"
    return Deck(meeting, date, as_of, footer, status["simulated"], slides)


def county_slide(src, year: int) -> Slide:
    r = facts.county_reading(src, year)
    scores = r.scores
    cols = r.lights.select("indicator", "short_name").unique(maintain_order=True).rows()
    lights = {(x["region_code"], x["indicator"]): x for x in r.lights.iter_rows(named=True)}
    table = [["县区", *[s for _i, s in cols]]]
    fills = []
    for s in scores.iter_rows(named=True):
        row, fill = [f"{s['rank']}. {s['region_name']}"], [None]
        for ind, _s in cols:
            x = lights[(s["region_code"], ind)]
            value = fmt_value(x["value"], x["unit"], short=True) if x["value"] is not None else (x["note"] or "").split("，")[0]
            row.append(f"{x['light']} {value}")
            fill.append(LIGHT_FILL[x["light"]])
        table.append(row)
        fills.append(fill)
    bars = [Bar(s["region_name"], s["score"], f"{s['score']:.1f}分",
                LIGHT_COLORS[facts.GREEN if s["score"] >= 80 else facts.YELLOW if s["score"] >= 60 else RED])
            for s in scores.iter_rows(named=True)]
    return Slide("counties", f"县区比较：{year}年（对照{facts.group_title(r.deadline)}）",
                 subtitle=f"得分 = {facts.PROGRESS_WEIGHT}×完成序时进度程度 + {facts.REPORTING_WEIGHT}×报表报送率（不按规模）；"
                          "信号灯 绿 达到序时进度 · 黄 达到80% · 红 明显滞后或未报送 · 灰 不评价",
                 bars=bars, bar_axis="得分（满分100）", table=table, fills=fills)


COMMITMENT_NAMES = {"city_total_2016_2018": ("全市统筹（2016—2018年）", "全市统筹"),
                    "city_level_2016_2018": ("市本级（2016—2018年）", "市本级"),
                    "training_2015_2017": ("培训经费（2015—2017年）", "培训经费"),
                    "service_centre_annual": ("市级公共服务中心（每年）", "服务中心")}


def tasks_and_funds(src, as_of: int) -> list[Slide]:
    """The 22 tasks' lights (as judged after the last reported quarter of ``as_of``) and the fiscal commitments,
    once their progress is reported (F8, F7): no report, no slide."""
    slides = []
    quarter, lights = facts.tasks_at(src, as_of)
    if quarter:
        counts = facts.task_light_counts(lights)
        behind = [f"{r['task_id']} {r['title']}（{r['lead_units'].split('、')[0]}）"
                  for lt in ("红灯", "黄灯") for r in lights.filter(pl.col("light") == lt).iter_rows(named=True)]
        slides.append(Slide("summary", f"22项重点任务督办（按{quarter}报告）",
                            subtitle="红灯：滞后或逾期未报；黄灯：连续两期无进展；绿灯：正常推进；灰灯：已完成销号",
                            tiles=[(lt, counts[lt], facts.TASK_LIGHT_COLORS[lt]) for lt in facts.TASK_LIGHTS],
                            lines=["需督办：" + "；".join(behind) if behind else "需督办：无"]))
    done = facts.commitments(src).filter(pl.col("year") <= as_of)
    if done.height:
        table, fills, bars = [["承诺（万元/年）", "各年已拨付（完成率）", "最近一年"]], [], []
        for (cid,), part in done.group_by("commitment_id", maintain_order=True):
            part = part.tail(3)  # the three-year commitments whole, the centre's last three years
            last = part.row(-1, named=True)
            name, short = COMMITMENT_NAMES.get(cid, (cid, cid))
            table.append([f"{name}{last['committed_wan']:,.0f}",
                          "；".join(f"{r['year']}年{r['paid_wan']:,.1f}（{(r['ratio'] or 0) * 100:.0f}%）"
                                   for r in part.iter_rows(named=True)), last["status"]])
            fills.append([None, None, STATUS_COLORS.get(last["status"])])
            bars.append(Bar(short, min(last["ratio"] or 0, CAP) * 100, f"{last['year']}年 {(last['ratio'] or 0) * 100:.0f}%",
                            STATUS_COLORS.get(last["status"], "#7F8C8D")))
        slides.append(Slide("counties", "财政资金承诺落实情况（四(二)、三(五)1、三(二)2）",
                            subtitle="按拨付日期所在年度计；当年资金用于兑现上年度政策；省级资金不计入全市统筹承诺",
                            bars=bars, bar_axis="各项承诺最近一年的完成率（%）", table=table, fills=fills))
    return slides


def axis_top(s: Slide) -> float:
    """The bar axis' end: room for the data labels beyond the longest bar."""
    return 175.0 if s.kind == "group" else 120.0


def column_shares(s: Slide) -> list[float]:
    """Column widths of a slide's table as shares of its width (the same in the PPTX and the PDF)."""
    if s.kind == "group":
        return [0.25, 0.25, 0.16, 0.14, 0.20]
    if s.table[0][0].startswith("承诺"):  # the commitments: a name, the years in words, the status
        return [0.26, 0.56, 0.18]
    n = len(s.table[0]) - 1
    return [0.14] + [0.86 / n] * n


# ---- PPTX -----------------------------------------------------------------------------------------------

def _rgb(color: str) -> RGBColor:
    return RGBColor.from_string(color.lstrip("#"))


def _ea(rpr, name: str = FONT) -> None:
    """Set the Latin and East Asian faces of a run/defRPr element (a:latin, a:ea)."""
    for tag in ("a:latin", "a:ea"):
        el = rpr.find(qn(tag))
        if el is None:
            el = etree.SubElement(rpr, qn(tag))
        el.set("typeface", name)


def _text(slide, x, y, w, h, text: str, size: float, color: str = INK, bold: bool = False,
          align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP, lines: list[str] | None = None, spacing: float = 1.0):
    box = slide.shapes.add_textbox(x, y, w, h)
    tf = box.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = anchor
    for i, t in enumerate(lines if lines is not None else [text]):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = align
        p.space_after = Pt(size * (spacing - 1) + 2)
        run = p.add_run()
        run.text = t
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = _rgb(color)
        _ea(run.font._rPr)
    return box


def _chart(slide, s: Slide, x, y, w, h):
    data = CategoryChartData()
    data.categories = [b.label for b in s.bars]
    data.add_series(s.bar_axis, [round(b.value, 1) for b in s.bars])
    gf = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, x, y, w, h, data)
    chart = gf.chart
    chart.has_legend = False
    chart.has_title = False
    chart.font.size = Pt(14)
    _ea(chart.font._rPr)
    cat = chart.category_axis
    cat.reverse_order = True  # the first target on top, as on the slide's table
    cat.tick_labels.font.size = Pt(14)
    val = chart.value_axis
    val.minimum_scale, val.maximum_scale = 0, axis_top(s)
    val.major_unit = 25 if s.kind == "group" else 20
    val.has_major_gridlines = True
    val.tick_labels.font.size = Pt(12)
    val.has_title = True
    val.axis_title.text_frame.text = s.bar_axis
    val.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(12)
    plot = chart.plots[0]
    plot.gap_width = 60
    series = plot.series[0]
    for i, b in enumerate(s.bars):
        pt = series.points[i]
        pt.format.fill.solid()
        pt.format.fill.fore_color.rgb = _rgb(b.color)
        label = pt.data_label
        label.position = XL_LABEL_POSITION.OUTSIDE_END
        tf = label.text_frame
        tf.text = b.text
        run = tf.paragraphs[0].runs[0]
        run.font.size = Pt(14)
        run.font.bold = True
        run.font.color.rgb = _rgb(INK)
        _ea(run.font._rPr)
    return chart


def _table(slide, s: Slide, x, y, w, size: float):
    rows, cols = len(s.table), len(s.table[0])
    row_h = Pt(size * 2.6)
    gf = slide.shapes.add_table(rows, cols, x, y, w, Emu(row_h * rows))
    tbl = gf.table
    for j, share in enumerate(column_shares(s)):
        tbl.columns[j].width = int(w * share)
    for i, row in enumerate(s.table):
        for j, text in enumerate(row):
            cell = tbl.cell(i, j)
            cell.margin_left = cell.margin_right = Pt(4)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            fill = "#1F4E79" if i == 0 else (s.fills[i - 1][j] if s.fills and s.fills[i - 1][j] else "#FFFFFF")
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(fill)
            tf = cell.text_frame
            tf.word_wrap = True
            tf.text = text
            run = tf.paragraphs[0].runs[0]
            run.font.size = Pt(size)
            run.font.bold = i == 0 or (j == 0)
            dark = i == 0 or fill in STATUS_COLORS.values()
            run.font.color.rgb = _rgb("#FFFFFF" if dark else INK)
            _ea(run.font._rPr)
    return tbl


def _frame(prs, d: Deck, s: Slide, n: int):
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    W = prs.slide_width
    if s.kind != "title":
        band = slide.shapes.add_shape(1, 0, 0, W, Inches(0.12))
        band.fill.solid()
        band.fill.fore_color.rgb = _rgb(ACCENT)
        band.line.fill.background()
        _text(slide, Inches(0.5), Inches(0.25), W - Inches(1.0), Inches(0.8), s.title, 30, ACCENT, True)
        if s.subtitle:
            _text(slide, Inches(0.5), Inches(1.0), W - Inches(1.0), Inches(0.6), s.subtitle, 16, MUTED)
    _text(slide, Inches(0.5), Inches(7.0), Inches(8.5), Inches(0.4), d.footer, 11, MUTED)
    _text(slide, W - Inches(4.5), Inches(7.0), Inches(4.0), Inches(0.4),
          (f"{SIMULATED_MARK}　" if d.simulated else "") + f"{n} / {len(d.slides)}", 12,
          "#C00000" if d.simulated else MUTED, d.simulated, PP_ALIGN.RIGHT)
    return slide


def pptx_bytes(d: Deck) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    W = prs.slide_width
    for n, s in enumerate(d.slides, start=1):
        slide = _frame(prs, d, s, n)
        if s.kind == "title":
            band = slide.shapes.add_shape(1, 0, Inches(2.0), W, Inches(1.9))
            band.fill.solid()
            band.fill.fore_color.rgb = _rgb(ACCENT)
            band.line.fill.background()
            _text(slide, Inches(0.7), Inches(2.1), W - Inches(1.4), Inches(1.0), s.title, 40, "#FFFFFF", True)
            _text(slide, Inches(0.7), Inches(3.0), W - Inches(1.4), Inches(0.8), s.subtitle, 26, "#FFFFFF")
            _text(slide, Inches(0.7), Inches(4.3), W - Inches(1.4), Inches(2.4), "", 20, INK, lines=s.lines[:3], spacing=1.3)
            if len(s.lines) > 3:
                _text(slide, Inches(0.7), Inches(5.9), W - Inches(1.4), Inches(0.6), s.lines[3], 20, "#C00000", True)
        elif s.kind == "summary":
            tile_w = (W - Inches(1.0) - Inches(0.2) * 4) / 5
            for i, (status, count, color) in enumerate(s.tiles):
                x = Inches(0.5) + int(i * (tile_w + Inches(0.2)))
                tile = slide.shapes.add_shape(1, x, Inches(1.8), int(tile_w), Inches(1.9))
                tile.fill.solid()
                tile.fill.fore_color.rgb = _rgb(color)
                tile.line.fill.background()
                _text(slide, x, Inches(1.85), int(tile_w), Inches(1.1), f"{count}项", 48, "#FFFFFF", True, PP_ALIGN.CENTER)
                _text(slide, x, Inches(2.95), int(tile_w), Inches(0.6), status, 24, "#FFFFFF", True, PP_ALIGN.CENTER)
            _text(slide, Inches(0.5), Inches(4.1), W - Inches(1.0), Inches(2.7), s.lines[0], 22, "#8A2E0B", True)
        elif s.kind == "group":
            _chart(slide, s, Inches(0.4), Inches(1.6), Inches(5.9), Inches(5.3))
            _table(slide, s, Inches(6.4), Inches(1.75), Inches(6.5), 13)
        elif s.kind == "counties":
            _chart(slide, s, Inches(0.4), Inches(1.6), Inches(4.3), Inches(5.3))
            _table(slide, s, Inches(4.8), Inches(1.75), Inches(8.1), 12)
        else:
            size = 13 if sum(len(t) for t in s.lines) > 700 else 16
            _text(slide, Inches(0.5), Inches(1.3), W - Inches(1.0), Inches(5.6), "", size, INK, lines=s.lines, spacing=1.15)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# ---- HTML → PDF -------------------------------------------------------------------------------------------

def _e(text) -> str:
    return html.escape(str(text))


def _html_bars(s: Slide) -> str:
    top = axis_top(s)
    rows = []
    for b in s.bars:
        rows.append(f'<div class="bar-row"><div class="bar-label">{_e(b.label)}</div><div class="bar-track">'
                    f'<div class="bar" style="width:{b.value / top * 100:.2f}%;background:{b.color}"></div>'
                    f'<span class="bar-text">{_e(b.text)}</span></div></div>')
    return f'<div class="bars">{"".join(rows)}<div class="bar-axis">{_e(s.bar_axis)}</div></div>'


def _html_table(s: Slide, size: float) -> str:
    head = "".join(f'<th style="width:{w * 100:.1f}%">{_e(t)}</th>' for t, w in zip(s.table[0], column_shares(s), strict=True))
    body = []
    for i, row in enumerate(s.table[1:]):
        cells = []
        for j, t in enumerate(row):
            fill = s.fills[i][j] if s.fills else None
            dark = fill in STATUS_COLORS.values()
            style = f' style="background:{fill};color:{"#fff" if dark else INK}"' if fill else ""
            cells.append(f"<td{style}>{_e(t)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table style="font-size:{size}pt"><tr>{head}</tr>{"".join(body)}</table>'


def html_pages(d: Deck) -> str:
    pages = []
    for n, s in enumerate(d.slides, start=1):
        foot = (f'<div class="foot"><span>{_e(d.footer)}</span><span class="{"sim" if d.simulated else ""}">'
                f'{_e(SIMULATED_MARK) + "　" if d.simulated else ""}{n} / {len(d.slides)}</span></div>')
        if s.kind == "title":
            lines = "".join(f"<p>{_e(t)}</p>" for t in s.lines[:3])
            sim = f'<p class="sim">{_e(s.lines[3])}</p>' if len(s.lines) > 3 else ""
            body = (f'<div class="title-band"><h1>{_e(s.title)}</h1><h2>{_e(s.subtitle)}</h2></div>'
                    f'<div class="title-lines">{lines}{sim}</div>')
        else:
            head = f'<div class="band"></div><h1 class="st">{_e(s.title)}</h1>' + (
                f'<div class="sub">{_e(s.subtitle)}</div>' if s.subtitle else "")
            if s.kind == "summary":
                tiles = "".join(f'<div class="tile" style="background:{c}"><b>{n_}项</b><span>{_e(st)}</span></div>'
                                for st, n_, c in s.tiles)
                body = head + f'<div class="tiles">{tiles}</div><div class="attn">{_e(s.lines[0])}</div>'
            elif s.kind == "group":
                body = head + f'<div class="cols g"><div>{_html_bars(s)}</div><div>{_html_table(s, 13)}</div></div>'
            elif s.kind == "counties":
                body = head + f'<div class="cols c"><div>{_html_bars(s)}</div><div>{_html_table(s, 12)}</div></div>'
            else:
                size = 13 if sum(len(t) for t in s.lines) > 700 else 16
                body = head + f'<div class="text" style="font-size:{size}pt">' + "".join(
                    f"<p>{_e(t)}</p>" for t in s.lines) + "</div>"
        pages.append(f'<section class="slide">{body}{foot}</section>')
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{_e(d.meeting)}</title><style>
@page {{size: 13.333in 7.5in; margin: 0}}
* {{box-sizing: border-box}}
body {{margin:0; font-family:{HTML_FONT}; color:{INK}}}
.slide {{width:13.333in; height:7.5in; position:relative; overflow:hidden; page-break-after:always; padding:0 0.5in}}
.band {{position:absolute; left:0; top:0; width:100%; height:0.12in; background:{ACCENT}}}
h1.st {{font-size:30pt; color:{ACCENT}; margin:0; padding-top:0.3in; line-height:1.2}}
.sub {{font-size:16pt; color:{MUTED}; margin-top:0.08in}}
.title-band {{position:absolute; left:0; top:2.0in; width:100%; height:1.9in; background:{ACCENT}; color:#fff; padding:0.15in 0.7in}}
.title-band h1 {{font-size:40pt; margin:0}} .title-band h2 {{font-size:26pt; font-weight:400; margin:0.1in 0 0 0}}
.title-lines {{position:absolute; top:4.3in; left:0.7in; font-size:20pt; line-height:1.3}}
.title-lines p {{margin:0 0 0.1in 0}}
.sim {{color:#C00000; font-weight:700}}
.tiles {{display:flex; gap:0.2in; margin-top:0.45in}}
.tile {{flex:1; height:1.9in; color:#fff; display:flex; flex-direction:column; align-items:center; justify-content:center}}
.tile b {{font-size:48pt}} .tile span {{font-size:24pt; font-weight:700}}
.attn {{font-size:22pt; font-weight:700; color:#8A2E0B; margin-top:0.4in; line-height:1.4}}
.cols {{display:grid; gap:0.2in; margin-top:0.3in}} .cols.g {{grid-template-columns:5.9in 1fr}} .cols.c {{grid-template-columns:4.3in 1fr}}
.bars {{position:relative; font-size:14pt; padding-top:0.3in}}
.bar-row {{display:flex; align-items:center; height:0.75in}}
.bar-label {{width:9.5em; flex:none; text-align:right; padding-right:0.1in; font-size:14pt}}
.cols.c .bar-label {{width:4.5em}}
.bar-track {{flex:1; position:relative; height:0.5in; display:flex; align-items:center}}
.bar {{height:100%}} .bar-text {{font-weight:700; padding-left:0.08in; white-space:nowrap}}
.bar-axis {{font-size:12pt; color:{MUTED}; text-align:center; margin-top:0.1in}}
table {{border-collapse:collapse; width:100%; table-layout:fixed}}
th {{background:{ACCENT}; color:#fff; text-align:left}}
th, td {{border:1px solid #BFC5CC; padding:0.5em 0.4em; vertical-align:middle}}
td:first-child {{font-weight:700}}
.text p {{margin:0 0 0.5em 0; line-height:1.35}} .text {{margin-top:0.2in}}
.foot {{position:absolute; left:0.5in; right:0.5in; bottom:0.12in; display:flex; justify-content:space-between;
        font-size:11pt; color:{MUTED}}}
.foot .sim {{font-size:12pt}}
</style></head><body>{"".join(pages)}</body></html>"""


def chromium_path() -> str:
    for p in CHROMIUM_PATHS:
        if Path(p).exists():
            return p
    found = shutil.which("chromium")
    if found:
        return found
    raise NoChromium(NO_CHROMIUM)


def pdf_bytes(d: Deck) -> bytes:
    """The same slides printed by headless Chromium (one 16:9 page a slide)."""
    exe = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:  # the dev group is installed by uv sync (serve.sh, run.sh)
        raise NoChromium(NO_CHROMIUM) from e
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            page.set_content(html_pages(d), wait_until="load")
            page.evaluate("document.fonts.ready")
            return page.pdf(width="13.333in", height="7.5in", print_background=True,
                            margin={"top": "0", "right": "0", "bottom": "0", "left": "0"})
        finally:
            browser.close()


def file_stem(d: Deck) -> str:
    return f"{d.meeting}材料（截至{d.as_of}年底）"


def write(src, as_of: int, out_dir: Path, meeting: str = facts.DEFAULT_MEETING, date: dt.date | None = None) -> list[Path]:
    """Write the .pptx and the .pdf of the same deck into ``out_dir``; returns both paths. Raises
    ``NoChromium`` (after writing the PPTX) when Chromium is missing."""
    d = deck(src, as_of, meeting, date)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = "".join(ch for ch in file_stem(d) if ch not in '/\\:*?"<>|')
    pptx_path = out_dir / f"{stem}.pptx"
    pptx_path.write_bytes(pptx_bytes(d))
    pdf_path = out_dir / f"{stem}.pdf"
    pdf_path.write_bytes(pdf_bytes(d))
    return [pptx_path, pdf_path]


__all__ = ["Deck", "NoChromium", "Slide", "deck", "html_pages", "pdf_bytes", "pptx_bytes", "write"]
