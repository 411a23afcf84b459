"""督查通报: the bulletin as a Word document in the usual 公文 layout, and its Excel attachment.

``write(src, year, out_dir)`` writes both; ``docx_bytes`` / ``xlsx_bytes`` return them for a download.
Everything they say comes from ``facts`` (the county reading, the score, the reporting rule); nothing is
computed here but layout. Every string is written as a string (``write_string``): never a live formula.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import xlsxwriter
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from etl import exports
from etl.report import facts
from etl.report.facts import GREEN, GREY, LIGHT_COLORS, RED, YELLOW
from etl.report.fmt import SIMULATED_MARK, STAGE_NAMES, fmt_value

NUMBER_FIELD = "河电商联办〔    〕    号"
RECIPIENTS = "各县（区）人民政府，市高新区、江东新区管委会，市发展电子商务联席会议各成员单位："
RANK_NOTE = ("排名：仅在六个县区之间排名，数值越大排名越前，并列者名次相同；功能区位于县区境内，单列比较，不参与排名，"
             "也不计入全市合计；“未报送”指截止日期已过该县区仍未报送应报报表（也未报零报告），“无数据”指报表已报送但无此项数据，"
             "“零报告”指县区报告当年没有需要报送的内容。")
LIGHT_FILL = {GREEN: "#D5EFDD", YELLOW: "#FFF0C2", RED: "#F8D0CB", GREY: "#E5E8EB"}
# 公文 fonts, East Asian name first; Word/WPS fall back to what the machine has
FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEAD = "黑体"
FONT_SUB = "楷体_GB2312"


def header_label(short_name: str, unit: str) -> str:
    """'网络零售额（万元）'; the stage has no unit to print."""
    return f"{short_name}（{unit}）" if unit and unit != "阶段" else short_name


def region_label(name: str, level: str) -> str:
    return f"{name}（功能区）" if level == "zone" else name


@dataclass
class Bulletin:
    """Everything the bulletin says, read once from the warehouse."""
    year: int
    date: dt.date
    reading: facts.CountyReading
    progress: pl.DataFrame
    status: dict
    table: pl.DataFrame  # facts.comparison of the year
    indicators: pl.DataFrame
    info: dict
    key_codes: list[str]
    funds: pl.DataFrame = field(default_factory=pl.DataFrame)  # facts.county_funds of the year (policy year)
    not_applied: dict[str, list[str]] = field(default_factory=dict)  # county name → entitled, never applied
    task_quarter: str | None = None  # the quarter the tasks are judged after
    tasks: pl.DataFrame = field(default_factory=pl.DataFrame)  # facts.tasks_at
    commitments: pl.DataFrame = field(default_factory=pl.DataFrame)  # facts.commitments up to the year

    @property
    def title(self) -> str:
        return f"关于{self.year}年度全市电子商务发展目标推进情况的通报"


def gather(src, year: int, date: dt.date | None = None) -> Bulletin:
    regions = facts.compared_regions(src)
    status = facts.submission_status(src, [year])
    inds = src.q("SELECT * FROM indicators ORDER BY sort_order")
    funds = facts.county_funds(src, year)
    quarter, tasks = facts.tasks_at(src, year)
    return Bulletin(year=year, date=date or dt.date.today(), reading=facts.county_reading(src, year),
                    progress=facts.progress(src, year), status=facts.data_status(src),
                    table=facts.comparison(facts.year_values(src, year), inds, regions, status), indicators=inds,
                    info=facts.info(src), key_codes=facts.target_indicators(src), funds=funds,
                    not_applied=_not_applied_by_name(src, year, funds),
                    task_quarter=quarter, tasks=tasks, commitments=facts.commitments(src).filter(pl.col("year") <= year))


def _not_applied_by_name(src, year: int, funds: pl.DataFrame) -> dict[str, list[str]]:
    by_code = facts.not_applied_by_region(src, year)
    return {n: by_code.get(c, []) for c, n in funds.select("region_code", "region_name").iter_rows()}


def light_cell(r: dict) -> str:
    """The text of one county × target cell: the light by name, the value and what was due (never colour alone)."""
    if r["light"] == GREY:
        return f"{r['light']}　{r['note']}"
    if r["value"] is None:
        return f"{r['light']}　{r['note']}"
    return (f"{r['light']}　{fmt_value(r['value'], r['unit'], short=True)}"
            f"（应达{facts.expected_text(r['expected'], r['unit'])}）")


def reporting_text(b: Bulletin, code: str) -> str:
    rows = b.reading.reporting.filter(pl.col("region_code") == code)
    bad = [f"{r['form']} {r['label'] if r['status'] != facts.STATUS_PART else '仅报' + r['label']}"
           for r in rows.sort("form").iter_rows(named=True)
           if r["status"] in (facts.STATUS_LATE, facts.STATUS_PART, facts.STATUS_LATE_SENT)]
    return "；".join(bad) if bad else "应报报表均已按时报送"


def county_fixes(b: Bulletin, name: str) -> list[str]:
    """What a county must fix: its reporting and lagging targets (facts.fixes_for), then enterprises that may be
    missing out on the year's subsidies (entitled by the reported data, never applied)."""
    items = list(b.reading.fixes.get(name, []))
    missing = b.not_applied.get(name) or []
    if missing:
        items.append(f"{b.year}年度有{len(missing)}项按报表测算可享受扶持但未申请：{'、'.join(missing[:5])}"
                     + ("等" if len(missing) > 5 else "") + "，请通知有关企业（单位）核实并申请。")
    return items


def funds_lines(b: Bulletin) -> list[str]:
    """四(四) 扶持政策和资金的落实情况: per county the year's money from entitlement (测算) to payment, who may be
    missing out, and the city's fiscal commitments; then the 22 tasks' lights."""
    out = []
    for r in b.funds.iter_rows(named=True):
        flags = []
        if r["not_applied"]:
            flags.append(f"{r['not_applied']}项测算有资格但未申请（测算{fmt_value(r['not_applied_wan'], '万元')}）")
        if r["paid_without_entitlement"]:
            flags.append(f"{r['paid_without_entitlement']}项拨付无对应测算资格")
        if r["over_paid"]:
            flags.append(f"{r['over_paid']}项拨付超过核定金额")
        if r["estimated_wan"] or r["paid_wan"] or flags:
            out.append(f"{r['region_name']}：测算{fmt_value(r['estimated_wan'], '万元')}，申请{fmt_value(r['applied_wan'], '万元')}，"
                       f"核定{fmt_value(r['approved_wan'], '万元')}，已拨付{fmt_value(r['paid_wan'], '万元')}"
                       + (f"；{'；'.join(flags)}" if flags else "") + "。")
    for _id, part in b.commitments.group_by("commitment_id", maintain_order=True):
        last = part.row(-1, named=True)
        out.append(f"财政承诺（{last['clause']}，{last['scope_text']}{last['committed_wan']:,.0f}万元）：{last['year']}年已拨付"
                   f"{fmt_value(last['paid_wan'], '万元')}，完成{(last['ratio'] or 0) * 100:.0f}%，{last['status']}。")
    if b.task_quarter:
        counts = facts.task_light_counts(b.tasks)
        behind = "；".join(f"{r['task_id']} {r['title']}（{r['light']}：{r['reason']}）"
                          for r in b.tasks.filter(pl.col("light").is_in(["红灯", "黄灯"])).iter_rows(named=True))
        out.append(f"22项重点任务（按{b.task_quarter}报告）：" + "，".join(f"{k}{v}项" for k, v in counts.items())
                   + (f"。需督办：{behind}" if behind else "") + "。")
    return out


def target_columns(b: Bulletin) -> list[dict]:
    return (b.reading.lights.select("indicator", "short_name", "unit", "deadline", "target").unique(maintain_order=True)
            .to_dicts())


def problems(b: Bulletin) -> list[str]:
    """存在问题: per lagging target, which counties are red or yellow and by how much; then the overdue forms."""
    out = []
    for t in target_columns(b):
        part = b.reading.lights.filter((pl.col("indicator") == t["indicator"]) & pl.col("light").is_in([RED, YELLOW]))
        if not part.height:
            continue
        names = "、".join(f"{r['region_name']}（{r['gap'] or r['note']}）" for r in part.sort("sort_order").iter_rows(named=True))
        out.append(f"{t['short_name']}：{names}低于序时进度。")
    late = b.reading.reporting.filter(pl.col("status") == facts.STATUS_LATE)
    if late.height:
        by_form = {}
        for r in late.sort("form", "sort_order").iter_rows(named=True):
            by_form.setdefault(r["form"], []).append(r["region_name"])
        out.append("报表报送：" + "；".join(f"{'、'.join(v)}未报送{k} {b.reading.forms.get(k, '')}"
                                          for k, v in by_form.items()) + "。")
    return out


# ---- the indicator table (sheet 2 of the attachment) ---------------------------------------------------

def values_sheet(wb: xlsxwriter.Workbook, year: int, table: pl.DataFrame, indicators: pl.DataFrame, info: dict,
                 key_codes: list[str], name: str | None = None) -> None:
    """The comparison of ``year``: every indicator for the counties, the zones (apart) and the city, with
    the county ranks of the target indicators, the reason of every missing value and the definitions.

    ``table`` is ``facts.comparison(...)`` for that year; ``indicators`` the catalog (code, name, short_name,
    unit, decimals, definition, sort_order); ``info`` warehouse_info (as_of_year, built_at, simulated)."""
    inds = indicators.sort("sort_order")
    ws = wb.add_worksheet(name or f"{year}年督查通报")
    font = {"font_name": "宋体", "font_size": 10}
    border = {**font, "border": 1, "valign": "vcenter"}
    f_title = wb.add_format({**font, "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    f_sub = wb.add_format({**font, "align": "center", "valign": "vcenter", "font_color": "#404040"})
    f_sub_warn = wb.add_format({**font, "align": "center", "valign": "vcenter", "font_color": "#C00000", "bold": True})
    f_head = wb.add_format({**border, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"})
    f_head_rank = wb.add_format({**border, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#FCE4D6"})
    f_name = wb.add_format({**border, "bold": True})
    f_name_zone = wb.add_format({**border, "italic": True, "bg_color": "#F2F2F2"})
    f_name_city = wb.add_format({**border, "bold": True, "bg_color": "#FFF2CC"})
    f_text = wb.add_format({**border, "align": "center"})
    f_missing = wb.add_format({**border, "align": "center", "font_color": "#7F7F7F", "italic": True})
    f_rank = wb.add_format({**border, "align": "center", "bold": True})
    f_note = wb.add_format({**font, "text_wrap": True, "valign": "top"})
    f_note_head = wb.add_format({**font, "bold": True, "valign": "top"})
    num_formats: dict[tuple[int, str], xlsxwriter.format.Format] = {}

    def num(decimals: int, level: str):
        key = (decimals, level)
        if key not in num_formats:
            fill = {"zone": {"bg_color": "#F2F2F2"}, "city": {"bg_color": "#FFF2CC", "bold": True}}.get(level, {})
            pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
            num_formats[key] = wb.add_format({**border, "num_format": pattern, **fill})
        return num_formats[key]

    # columns: 县区, then each indicator (and its 排名 right after it, for the key indicators)
    columns: list[tuple[str, dict]] = []
    for ind in inds.iter_rows(named=True):
        columns.append(("value", ind))
        if ind["code"] in key_codes:
            columns.append(("rank", ind))
    last_col = len(columns)

    ws.merge_range(0, 0, 0, last_col, f"河源市电子商务发展督查通报表（{year}年）", f_title)
    built = info.get("built_at")
    sub = f"数据截至{info.get('as_of_year') or '—'}年（建库时间：{built:%Y-%m-%d}）" if built else f"数据截至{info.get('as_of_year') or '—'}年"
    sub += f"　统计年度：{year}年"
    if info.get("simulated"):
        sub += "　注：本表为模拟数据，仅用于演示，不是官方统计数据"
    ws.merge_range(1, 0, 1, last_col, sub, f_sub_warn if info.get("simulated") else f_sub)
    ws.set_row(0, 30)
    ws.set_row(1, 20)

    head_row = 2
    ws.write(head_row, 0, "县区", f_head)
    for j, (kind, ind) in enumerate(columns, start=1):
        if kind == "value":
            ws.write(head_row, j, header_label(ind["short_name"], ind["unit"]), f_head)
            ws.set_column(j, j, 13 if ind["unit"] != "阶段" else 12)
        else:
            ws.write(head_row, j, f"{ind['short_name']}排名", f_head_rank)
            ws.set_column(j, j, 8)
    ws.set_row(head_row, 42)
    ws.set_column(0, 0, 16)

    cells = {(r["region_code"], r["indicator"]): r for r in table.iter_rows(named=True)}
    order = (table.select("region_code", "region_name", "level", "sort_order").unique()
             .with_columns(pl.col("level").replace_strict({"county": 0, "zone": 1, "city": 2}, default=3).alias("_g"))
             .sort("_g", "sort_order"))
    row = head_row + 1
    for code, name, level, _order, _g in order.iter_rows():
        label = "全市" if level == "city" else region_label(name, level)
        ws.write_string(row, 0, label, {"zone": f_name_zone, "city": f_name_city}.get(level, f_name))
        for j, (kind, ind) in enumerate(columns, start=1):
            cell = cells.get((code, ind["code"]), {})
            value = cell.get("value")
            if kind == "rank":
                if level == "county" and cell.get("rank") is not None:
                    ws.write_number(row, j, cell["rank"], f_rank)
                else:
                    ws.write(row, j, "—", f_text)
            elif value is None or (isinstance(value, float) and math.isnan(value)):
                ws.write_string(row, j, cell.get("missing") or facts.MISSING, f_missing)
            elif ind["unit"] == "阶段":
                ws.write(row, j, STAGE_NAMES.get(int(value), str(value)), f_text)
            else:
                ws.write_number(row, j, value, num(int(ind["decimals"] or 0), level))
        row += 1

    # notes: the definitions of every indicator (from the catalog), the ranking rule and the source
    row += 1
    ws.write(row, 0, "说明：", f_note_head)
    ws.merge_range(row, 1, row, last_col, RANK_NOTE, f_note)
    ws.set_row(row, 30)
    row += 1
    city = {r["indicator"]: r for r in table.filter(pl.col("level") == "city").iter_rows(named=True)}
    for i, ind in enumerate(inds.iter_rows(named=True), start=1):
        how = city.get(ind["code"], {}).get("method")
        text = f"{i}. {ind['name']}（{ind['unit']}）：{ind['definition']}" + (f"本表全市数：{how}。" if how else "")
        ws.merge_range(row, 1, row, last_col, text, f_note)
        ws.set_row(row, 15 * max(1, math.ceil(len(text) / 150)))
        row += 1
    ws.merge_range(row, 1, row, last_col, facts.SOURCE_NOTE, f_note)
    ws.set_row(row, 30)

    ws.freeze_panes(head_row + 1, 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(head_row)




# ---- the Excel attachment -------------------------------------------------------------------------------

def ranking_sheet(wb: xlsxwriter.Workbook, b: Bulletin) -> None:
    """附件: counties ranked by the stated score, one coloured and labelled cell per target, reporting, fixes."""
    ws = wb.add_worksheet(f"{b.year}年排名与信号灯")
    font = {"font_name": "宋体", "font_size": 10}
    border = {**font, "border": 1, "valign": "vcenter", "text_wrap": True}
    f_title = wb.add_format({**font, "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    f_sub = wb.add_format({**font, "align": "center", "valign": "vcenter"})
    f_warn = wb.add_format({**font, "align": "center", "valign": "vcenter", "font_color": "#C00000", "bold": True})
    f_head = wb.add_format({**border, "bold": True, "align": "center", "bg_color": "#DDEBF7"})
    f_text = wb.add_format({**border})
    f_center = wb.add_format({**border, "align": "center"})
    f_score = wb.add_format({**border, "align": "center", "bold": True, "num_format": "0.0"})
    f_note = wb.add_format({**font, "text_wrap": True, "valign": "top"})
    f_light = {k: wb.add_format({**border, "bg_color": v, "font_color": LIGHT_COLORS[k] if k != YELLOW else "#7A5200",
                                 "bold": k == RED}) for k, v in LIGHT_FILL.items()}
    cols = target_columns(b)
    heads = ["名次", "县区", "得分", "进度得分", "报送率"] + [
        f"{t['short_name']}（{t['deadline']}年目标≥{fmt_value(t['target'], t['unit'], short=True)}）" for t in cols
    ] + ["报表报送", "须整改事项"]
    last = len(heads) - 1
    ws.merge_range(0, 0, 0, last, f"附件：{b.year}年度各县区电子商务发展目标推进情况表", f_title)
    ws.merge_range(1, 0, 1, last, f"{facts.ISSUER}　{NUMBER_FIELD}　{facts.chinese_date(b.date)}　"
                   f"{b.status['text']}", f_sub)
    ws.merge_range(2, 0, 2, last, (f"注：{SIMULATED_MARK}，仅用于演示" if b.status["simulated"] else
                                   "评价口径见表下说明"), f_warn if b.status["simulated"] else f_sub)
    ws.set_row(0, 30)
    for j, h in enumerate(heads):
        ws.write_string(3, j, h, f_head)
    ws.set_row(3, 45)
    widths = [6, 10, 8, 9, 8] + [20] * len(cols) + [24, 56]
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    lights = {(r["region_code"], r["indicator"]): r for r in b.reading.lights.iter_rows(named=True)}
    row = 4
    for s in b.reading.scores.iter_rows(named=True):
        ws.write_number(row, 0, s["rank"], f_center)
        ws.write_string(row, 1, s["region_name"], f_center)
        ws.write_number(row, 2, s["score"], f_score)
        ws.write_number(row, 3, round(s["progress_score"] or 0, 1), f_score)
        ws.write_string(row, 4, f"{s['reporting_score']:.0f}%", f_center)
        for j, t in enumerate(cols, start=5):
            r = lights[(s["region_code"], t["indicator"])]
            ws.write_string(row, j, light_cell(r), f_light[r["light"]])
        ws.write_string(row, 5 + len(cols), reporting_text(b, s["region_code"]), f_text)
        fixes = county_fixes(b, s["region_name"])
        ws.write_string(row, 6 + len(cols), "\n".join(f"{i}. {t}" for i, t in enumerate(fixes, 1)) or "无", f_text)
        ws.set_row(row, max(36, 15 * max(1, sum(math.ceil(len(t) / 32) for t in fixes))))
        row += 1
    row += 1
    ws.write_string(row, 0, "说明：", wb.add_format({**font, "bold": True}))
    for i, text in enumerate([*facts.COUNTY_RULES, facts.SOURCE_NOTE], start=1):
        ws.merge_range(row, 1, row, last, f"{i}. {text}", f_note)
        ws.set_row(row, 15 * max(1, math.ceil(len(text) / 120)))
        row += 1
    ws.freeze_panes(4, 2)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(3)


def funds_sheet(wb: xlsxwriter.Workbook, b: Bulletin) -> None:
    """附件 sheet 3: each county's subsidies of the year from entitlement (测算) to payment, with the flags."""
    ws = wb.add_worksheet(f"{b.year}年资金兑现")
    font = {"font_name": "宋体", "font_size": 10}
    border = {**font, "border": 1, "valign": "vcenter", "text_wrap": True}
    head = wb.add_format({**border, "bold": True, "align": "center", "bg_color": "#DDEBF7"})
    text, num = wb.add_format(border), wb.add_format({**border, "num_format": "#,##0.0"})
    flag = wb.add_format({**border, "font_color": "#C00000", "bold": True})
    heads = ["县区", "测算（万元）", "申请（万元）", "核定（万元）", "已拨付（万元）", "测算有资格未申请", "拨付无测算资格",
             "拨付超过核定", "未申请的企业（单位）"]
    ws.merge_range(0, 0, 0, len(heads) - 1, f"附件：{b.year}年度各县区扶持政策兑现情况（测算为估算，不是兑现决定）",
                   wb.add_format({**font, "bold": True, "font_size": 14, "align": "center"}))
    for j, h in enumerate(heads):
        ws.write_string(1, j, h, head)
    for j, w in enumerate([12, 11, 11, 11, 12, 14, 12, 12, 60]):
        ws.set_column(j, j, w)
    for i, r in enumerate(b.funds.iter_rows(named=True), start=2):
        ws.write_string(i, 0, region_label(r["region_name"], r["level"]), text)
        for j, k in enumerate(("estimated_wan", "applied_wan", "approved_wan", "paid_wan"), start=1):
            ws.write_number(i, j, r[k], num)
        for j, k in enumerate(("not_applied", "paid_without_entitlement", "over_paid"), start=5):
            ws.write_string(i, j, f"{r[k]}项" if r[k] else "—", flag if r[k] else text)
        ws.write_string(i, 8, "、".join(b.not_applied.get(r["region_name"], [])) or "—", text)
    ws.freeze_panes(2, 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def xlsx_bytes(b: Bulletin) -> bytes:
    """The attachment: the ranking with lights (sheet 1) and every indicator's values and ranks (sheet 2)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **exports.WORKBOOK_OPTIONS})  # text stays text
    ranking_sheet(wb, b)
    values_sheet(wb, b.year, b.table, b.indicators, b.info, b.key_codes, name=f"{b.year}年各项指标")
    funds_sheet(wb, b)
    wb.close()
    return buf.getvalue()


def values_workbook(year: int, table: pl.DataFrame, indicators: pl.DataFrame, info: dict, key_codes: list[str]) -> bytes:
    """The indicator table alone (the county page's 督查通报表)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **exports.WORKBOOK_OPTIONS})  # text stays text
    values_sheet(wb, year, table, indicators, info, key_codes)
    wb.close()
    return buf.getvalue()


# ---- the Word bulletin ----------------------------------------------------------------------------------

def _font(run, name: str, size: float, bold: bool = False, color: str | None = None) -> None:
    """Set a run's font for Latin and East Asian text (w:eastAsia: Word and WPS pick the CJK face from it)."""
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color.lstrip("#"))
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _para(doc, text: str, font: str = FONT_BODY, size: float = 16, bold: bool = False, align=None,
          color: str | None = None, indent: bool = True, space_after: float = 0):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_after = Pt(space_after)
    if indent and align is None:
        fmt.first_line_indent = Pt(size * 2)
    _font(p.add_run(text), font, size, bold, color)
    return p


def _shade(cell, color: str) -> None:
    tcpr = cell._element.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), color.lstrip("#"))
    tcpr.append(shd)


def _cell(cell, text: str, size: float = 10.5, bold: bool = False, fill: str | None = None, color: str | None = None):
    cell.text = ""
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), FONT_BODY, size, bold, color)
    if fill:
        _shade(cell, fill)


def _red_rule(doc) -> None:
    p = doc.add_paragraph()
    ppr = p._element.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"), ("w:color", "C00000")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.append(bdr)


def docx_bytes(b: Bulletin) -> bytes:
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    style = doc.styles["Normal"]
    style.font.name = FONT_BODY
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_BODY)
    center = WD_ALIGN_PARAGRAPH.CENTER
    if b.status["simulated"]:
        _para(doc, f"【{SIMULATED_MARK}：本通报由示例数据生成，仅用于演示】", FONT_HEAD, 12, True, center, "#C00000")
        _font(sec.header.paragraphs[0].add_run(f"{SIMULATED_MARK}（演示用）"), FONT_BODY, 10.5, color="#C00000")
    _para(doc, facts.ISSUER, FONT_TITLE, 26, True, center, "#C00000")
    _para(doc, NUMBER_FIELD, FONT_BODY, 16, False, center, space_after=2)
    _red_rule(doc)
    _para(doc, "", indent=False)
    _para(doc, b.title, FONT_TITLE, 22, True, center, space_after=12)
    _para(doc, RECIPIENTS, indent=False)
    prog = b.progress
    city_state = facts.headline(prog, b.year)
    _para(doc, f"根据{facts.POLICY}确定的发展目标，市发展电子商务联席会议办公室依据各县区、功能区及市统计局报送的报表，"
               f"对{b.year}年度全市电子商务发展目标推进情况进行了评价。现将有关情况通报如下：")
    _para(doc, "一、总体进展", FONT_HEAD, 16)
    group = prog.filter(pl.col("deadline") == b.reading.deadline)
    _para(doc, f"{city_state}其中{facts.group_title(b.reading.deadline)}{group.height}项：{facts.status_counts_text(group)}。"
               + facts.attention_line(prog) + "。")
    _para(doc, f"数据情况：本通报评价{b.year}年度数据（{b.status['text']}）。")
    _para(doc, "二、各县区排名及得分", FONT_HEAD, 16)
    _para(doc, f"得分 = {facts.PROGRESS_WEIGHT} × 各评价目标完成序时进度的程度（实际值 ÷ 应达值，超过1按1计）的平均 + "
               f"{facts.REPORTING_WEIGHT} × 应报报表报送率；按进度而非规模评价，评价口径见第五部分。")
    scores = b.reading.scores
    table = doc.add_table(rows=1, cols=7)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for c, h in zip(table.rows[0].cells, ["名次", "县区", "得分", "进度得分", "报送率", "绿/黄/红", "不评价"], strict=True):
        _cell(c, h, bold=True, fill="#DDEBF7")
    for s in scores.iter_rows(named=True):
        cells = table.add_row().cells
        for c, text in zip(cells, [str(s["rank"]), s["region_name"], f"{s['score']:.1f}", f"{s['progress_score'] or 0:.1f}",
                                   f"{s['reporting_score']:.0f}%", f"{s['green']}/{s['yellow']}/{s['red']}", str(s["grey"])],
                           strict=True):
            _cell(c, text)
    _para(doc, "", indent=False)
    _para(doc, "各县区各项目标信号灯（绿：达到序时进度；黄：达到应达值的80%；红：明显滞后或未报送；灰：不评价）：")
    cols = target_columns(b)
    lt = doc.add_table(rows=1, cols=1 + len(cols))
    lt.style = "Table Grid"
    lt.alignment = WD_TABLE_ALIGNMENT.CENTER
    _cell(lt.rows[0].cells[0], "县区", 9, True, "#DDEBF7")
    for c, t in zip(lt.rows[0].cells[1:], cols, strict=True):
        _cell(c, f"{t['short_name']}（{t['deadline']}年≥{fmt_value(t['target'], t['unit'], short=True)}）", 9, True, "#DDEBF7")
    lights = {(r["region_code"], r["indicator"]): r for r in b.reading.lights.iter_rows(named=True)}
    for s in scores.iter_rows(named=True):
        cells = lt.add_row().cells
        _cell(cells[0], s["region_name"], 9, True)
        for c, t in zip(cells[1:], cols, strict=True):
            r = lights[(s["region_code"], t["indicator"])]
            _cell(c, light_cell(r), 9, r["light"] == RED, LIGHT_FILL[r["light"]])
    _para(doc, "", indent=False)
    _para(doc, "三、存在问题", FONT_HEAD, 16)
    issues = problems(b)
    for i, text in enumerate(issues or ["各县区评价目标均达到序时进度，应报报表均已报送。"], start=1):
        _para(doc, f"{i}. {text}" if issues else text)
    _para(doc, "四、扶持政策、资金和重点任务落实情况", FONT_HEAD, 16)
    _para(doc, f"按{b.year}年度政策兑现（测算为依据报表套用扶持政策的估算，不是兑现决定）：")
    for i, text in enumerate(funds_lines(b) or ["本年度尚无资金兑现和任务进展报送。"], start=1):
        _para(doc, f"{i}. {text}")
    _para(doc, "五、整改要求", FONT_HEAD, 16)
    _para(doc, "请各县区对照以下事项逐项整改，并于下一报告期报送整改情况：")
    for n, s in enumerate(scores.iter_rows(named=True), start=1):
        _para(doc, f"（{_cn(n)}）{s['region_name']}（第{s['rank']}名，{s['score']:.1f}分）", FONT_SUB, 16, True)
        fixes = county_fixes(b, s["region_name"])
        for i, text in enumerate(fixes or ["各项评价目标均达到序时进度，应报报表均已报送，请保持。"], start=1):
            _para(doc, f"{i}. {text}" if fixes else text)
    _para(doc, "六、评价口径", FONT_HEAD, 16)
    for i, text in enumerate(facts.COUNTY_RULES, start=1):
        _para(doc, f"{i}. {text}", size=14)
    _para(doc, "", indent=False)
    _para(doc, f"附件：{b.year}年度各县区电子商务发展目标推进情况表（Excel）")
    _para(doc, "", indent=False)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    _para(doc, facts.ISSUER, align=right)
    _para(doc, f"（{facts.ISSUER_SUB}代章）", align=right)
    _para(doc, facts.chinese_date(b.date), align=right)
    _para(doc, "", indent=False)
    _para(doc, facts.SOURCE_NOTE, size=12, indent=False)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _cn(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


def file_stem(year: int) -> str:
    return f"{year}年度全市电子商务发展目标推进情况通报"


def write(src, year: int, out_dir: Path, date: dt.date | None = None) -> list[Path]:
    """Write the .docx and its .xlsx attachment into ``out_dir``; returns both paths."""
    b = gather(src, year, date)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    docx_path = out_dir / f"{file_stem(year)}.docx"
    xlsx_path = out_dir / f"{file_stem(year)}（附件）.xlsx"
    docx_path.write_bytes(docx_bytes(b))
    xlsx_path.write_bytes(xlsx_bytes(b))
    return [docx_path, xlsx_path]
