"""督查 (inspection) data: counties side by side for one year, who submitted what, and the 督查通报 workbook.

Three layers, top to bottom:
  - reads from the warehouse (through ``data.q``): ``year_values``, ``coverage``, ``key_indicators``;
  - pure frame logic: ``submission_status`` (✓ / 至1-9月 (part of the year) / 缺报 / 逾期未报), ``comparison`` (values,
    county ranks and the reason a value is missing);
  - the Excel export: ``workbook`` (pure: frames in, bytes out) and ``workbook_for_year`` (reads, then
    ``workbook``).

Rules stated once here and shown on the page:
  - ranks are among the six counties only (functional zones lie inside the counties and are shown beside
    them, unranked, never added to the city); higher is better for every indicator; ties share the
    better rank (1, 2, 2, 4);
  - a year of a form is 已报 (✓) when an accepted file covers the whole year (an annual period or one
    ending in December), 部分 when only part of the year is covered, else 缺报; 缺报 is 逾期 when at least
    ``LATE_QUORUM`` of the six counties have reported that form for that year (for a functional zone,
    only if the zone has reported that form in some year: zones that never send a form are not chased).
"""

from __future__ import annotations

import io
import math

import polars as pl
import xlsxwriter

from dashboard import data
from dashboard.ui import STAGE_NAMES, fmt_period
from etl import exports

FORMS = ("F1", "F2", "F3", "F4", "F5", "F6")
LATE_QUORUM = 4
ZONE_NOTE = "功能区（位于县区境内，不计入全市合计）"
MISSING = "未报送"  # the form was not submitted for that region and year
EMPTY = "无数据"  # the form was submitted, but it gives no value for this indicator (e.g. no park)
SOURCE_NOTE = ("数据来源：各县区、功能区及市统计局报送的报表（F1–F6），经河源电商发展目标监测系统校验入库后汇总；"
               "依据《河源市人民政府办公室关于推动河源市电子商务发展的意见》（河府办〔2015〕43号）。")
RANK_NOTE = ("排名：仅在六个县区之间排名，数值越大排名越前，并列者名次相同；功能区位于县区境内，单列比较，不参与排名，"
             "也不计入全市合计；“未报送”指该县区未报送相应报表，“无数据”指报表已报送但无此项数据。")

STATUS_DONE, STATUS_PART, STATUS_MISSING, STATUS_LATE = "已报", "部分", "缺报", "逾期"
STATUS_TEXT = {STATUS_DONE: "✓", STATUS_MISSING: "缺报", STATUS_LATE: "逾期未报"}


# ---- reads ------------------------------------------------------------------------------------------

def year_values(year: int) -> pl.DataFrame:
    """Annual values of every indicator for every region in ``year`` (indicator, region_code, value, method)."""
    return data.q(
        "SELECT indicator, region_code, value, source, method FROM indicator_values_detail "
        "WHERE is_annual AND year = ?", year)


def coverage() -> pl.DataFrame:
    """(form, region_code, period) covered by an accepted file (the current one or an earlier one)."""
    return data.q("SELECT DISTINCT form, region_code, period FROM submission_history ORDER BY ALL")


def key_indicators() -> list[str]:
    """The indicators that carry a target of the policy, in catalog order (they get 排名 columns)."""
    return data.q(
        "SELECT code FROM indicators WHERE code IN (SELECT indicator FROM targets) ORDER BY sort_order")["code"].to_list()


def compared_regions() -> pl.DataFrame:
    """The six counties, then the two zones (region_code, name, level, sort_order)."""
    return data.regions().filter(pl.col("level").is_in(["county", "zone"])).select("region_code", "name", "level", "sort_order")


# ---- pure logic -------------------------------------------------------------------------------------

def _period_month(period: str) -> int:
    if len(period) == 4:
        return 12
    if "Q" in period:
        return 3 * int(period[-1])
    return int(period[5:7])


def submission_status(cov: pl.DataFrame, regions: pl.DataFrame, years: list[int],
                      forms: tuple[str, ...] = FORMS) -> pl.DataFrame:
    """One row per form, region and year: status (已报/部分/缺报/逾期), label (text for the grid), the
    latest period covered, and how many of the six counties reported that form and year.

    ``regions``: region_code, name, level (county/zone), sort_order."""
    by_key: dict[tuple[str, str, int], list[str]] = {}
    for form, region, period in cov.select("form", "region_code", "period").iter_rows():
        by_key.setdefault((form, region, int(period[:4])), []).append(period)
    counties = regions.filter(pl.col("level") == "county")["region_code"].to_list()
    reporters = {(form, region) for form, region, _year in by_key}
    rows = []
    for form in forms:
        for year in years:
            done = sum(1 for c in counties if (form, c, year) in by_key)
            for code, name, level, order in regions.select("region_code", "name", "level", "sort_order").iter_rows():
                periods = by_key.get((form, code, year), [])
                latest = max(periods, key=lambda p: (_period_month(p), len(p) == 4), default=None)
                if latest is not None and _period_month(latest) == 12:
                    status, label = STATUS_DONE, STATUS_TEXT[STATUS_DONE]
                elif latest is not None:
                    status, label = STATUS_PART, f"至{fmt_period(latest)[5:]}"
                elif done >= LATE_QUORUM and (level == "county" or (form, code) in reporters):
                    status, label = STATUS_LATE, STATUS_TEXT[STATUS_LATE]
                else:
                    status, label = STATUS_MISSING, STATUS_TEXT[STATUS_MISSING]
                rows.append((form, code, name, level, order, year, status, label, latest, done))
    return pl.DataFrame(
        rows, orient="row",
        schema={"form": pl.String, "region_code": pl.String, "region_name": pl.String, "level": pl.String,
                "sort_order": pl.Int64, "year": pl.Int64, "status": pl.String, "label": pl.String,
                "latest_period": pl.String, "counties_reported": pl.Int64},
    )


def comparison(values: pl.DataFrame, indicators: pl.DataFrame, regions: pl.DataFrame,
               status: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every (region, indicator) of one year for the counties and zones, plus the city.

    ``values``: indicator, region_code, value[, method] for that year; ``status``: submission_status rows
    of that year (to say 未报送 or 无数据 for a missing value). Columns out: region_code, region_name,
    level (county/zone/city), sort_order, indicator, short_name, name, unit, decimals, value, method,
    rank (counties only), ranked (how many counties have a value), missing (None, 未报送, 无数据 or 仅报至…)."""
    city = pl.DataFrame({"region_code": ["441600"], "name": ["全市"], "level": ["city"], "sort_order": [99]})
    regs = pl.concat([regions.select("region_code", "name", "level", "sort_order"),
                      city.with_columns(pl.col("sort_order").cast(regions["sort_order"].dtype))])
    inds = indicators.select("code", "short_name", "name", "unit", "decimals", "source_form", "sort_order")
    vals = values.select("indicator", "region_code", "value",
                         *(["method"] if "method" in values.columns else [pl.lit(None, pl.String).alias("method")]))
    grid = (regs.rename({"name": "region_name"})
            .join(inds.rename({"code": "indicator", "sort_order": "indicator_order"}), how="cross")
            .join(vals, on=["indicator", "region_code"], how="left"))
    grid = grid.with_columns(
        pl.when(pl.col("level") == "county").then(pl.col("value")).rank("min", descending=True)
        .over("indicator").cast(pl.Int64).alias("rank"),
        (pl.col("value").is_not_null() & (pl.col("level") == "county")).sum().over("indicator").alias("ranked"),
    )
    if status is not None and status.height:
        st_ = status.select(pl.col("form").alias("source_form"), "region_code", "status", "label")
        grid = grid.join(st_, on=["source_form", "region_code"], how="left")
    else:
        grid = grid.with_columns(pl.lit(None, pl.String).alias("status"), pl.lit(None, pl.String).alias("label"))
    missing = (pl.when(pl.col("value").is_not_null()).then(None)
               .when(pl.col("level") == "city").then(pl.lit(EMPTY))
               .when(pl.col("status").is_in([STATUS_MISSING, STATUS_LATE])).then(pl.lit(MISSING))
               .when(pl.col("status") == STATUS_PART).then(pl.lit("仅报") + pl.col("label"))
               .when(pl.col("status") == STATUS_DONE).then(pl.lit(EMPTY))
               .otherwise(pl.lit(MISSING)))
    return (grid.with_columns(missing.alias("missing"))
            .sort("sort_order", "indicator_order")
            .select("region_code", "region_name", "level", "sort_order", "indicator", "short_name", "name", "unit",
                    "decimals", "indicator_order", "value", "method", "rank", "ranked", "missing"))


def header_label(short_name: str, unit: str) -> str:
    """'网络零售额（万元）'; the stage has no unit to print."""
    return f"{short_name}（{unit}）" if unit and unit != "阶段" else short_name


def region_label(name: str, level: str) -> str:
    return f"{name}（功能区）" if level == "zone" else name


# ---- the 督查通报 workbook --------------------------------------------------------------------------------

def workbook(year: int, table: pl.DataFrame, indicators: pl.DataFrame, info: dict, key_codes: list[str]) -> bytes:
    """The comparison of ``year`` as a 督查通报 table (xlsx bytes).

    ``table`` is ``comparison(...)`` for that year; ``indicators`` the catalog (code, name, short_name,
    unit, decimals, definition, sort_order); ``info`` warehouse_info (as_of_year, built_at, simulated)."""
    inds = indicators.sort("sort_order")
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **exports.WORKBOOK_OPTIONS})  # text never becomes a formula
    ws = wb.add_worksheet(f"{year}年督查通报")
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
        ws.write(row, 0, label, {"zone": f_name_zone, "city": f_name_city}.get(level, f_name))
        for j, (kind, ind) in enumerate(columns, start=1):
            cell = cells.get((code, ind["code"]), {})
            value = cell.get("value")
            if kind == "rank":
                if level == "county" and cell.get("rank") is not None:
                    ws.write_number(row, j, cell["rank"], f_rank)
                else:
                    ws.write(row, j, "—", f_text)
            elif value is None or (isinstance(value, float) and math.isnan(value)):
                ws.write(row, j, cell.get("missing") or MISSING, f_missing)
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
    ws.merge_range(row, 1, row, last_col, SOURCE_NOTE, f_note)
    ws.set_row(row, 30)

    ws.freeze_panes(head_row + 1, 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(head_row)
    wb.close()
    return buf.getvalue()


def workbook_for_year(year: int) -> bytes:
    """Read the warehouse and return the 督查通报 workbook of ``year``."""
    regions = compared_regions()
    status = submission_status(coverage(), regions, [year])
    table = comparison(year_values(year), data.indicators(), regions, status)
    return workbook(year, table, data.indicators(), data.info(), key_indicators())
