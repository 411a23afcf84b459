"""Blank report forms, generated from the catalog so that counties always have the current one."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from etl import exports
from etl.catalog import Catalog, current
from etl.messages import column_letter

NOTE = "本表由河源市电子商务发展目标监测系统生成（河府办〔2015〕43号）。请勿修改表头；可以删除示例说明行以外的空行。"
METHOD_HELP = ("增补：新增或更正表中所列的行，以前报送的其他行保留；全量替换：用本表替换本县区本年度以前报送的全部行；"
               "零报告：本年度没有需要报送的内容（须填写填报县区和报送年度，表中不填数据）")


def write_form(form, catalog: Catalog, path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path), exports.WORKBOOK_OPTIONS)
    wb.set_properties({"title": form.label, "author": "河源市商务局"})
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    req = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "valign": "vcenter"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(f"{form.code}{form.title}"[:31])
    ncols = len(form.columns)
    ws.merge_range(0, 0, 0, ncols - 1, f"{form.label}（{form.grain}）", title)
    ws.set_row(0, 28)
    regions = [r.name for r in sorted(catalog.regions.values(), key=lambda r: r.sort_order)]
    counties = [r for r in regions if r != catalog.city.name]
    # the line above the header: how this file replaces earlier ones, and whose/which year it is (for a 零报告)
    label = wb.add_format({"bold": True, "align": "right", "bg_color": "#F2F2F2"})
    pick = wb.add_format({"bg_color": "#FFF2CC", "border": 1})
    # a 零报告 names a region (填报县区); a form reported by units (F8) has none
    methods = ["增补"] + (["全量替换"] if form.is_ledger else []) + (["零报告"] if form.is_ledger and form.scope == "region" else [])
    ws.write(1, 0, "报送方式：", label)
    ws.write(1, 1, "增补", pick)
    ws.data_validation(1, 1, 1, 1, {"validate": "list", "source": methods,
                                    "input_message": METHOD_HELP if form.is_ledger else "按县区、统计期整体替换以前报送的数据"})
    if form.is_ledger and ncols >= 6 and form.scope == "region":
        ws.write(1, 2, "填报县区：", label)
        ws.write_blank(1, 3, None, pick)
        ws.data_validation(1, 3, 1, 3, {"validate": "list", "source": counties})
        ws.write(1, 4, "报送年度：", label)
        ws.write_blank(1, 5, None, pick)
    ws.set_row(2, 36)
    header_row, first, last = 2, 3, 1002
    for j, col in enumerate(form.columns):
        ws.write(header_row, j, col.header, req if col.required else head)
        ws.set_column(j, j, max(12, min(30, len(col.header) * 2 + 2)))
        if col.help:
            ws.write_comment(header_row, j, col.help, {"x_scale": 2})
        rng = (first, j, last, j)
        if col.type == "choice":
            ws.data_validation(*rng, {"validate": "list", "source": choice_source(wb, col, catalog),
                                      "error_message": "请从下拉列表中选择"})
        elif col.type == "yesno":
            ws.data_validation(*rng, {"validate": "list", "source": ["是", "否"]})
        elif col.type == "region":
            choices = regions if col.allow_city else counties
            ws.data_validation(*rng, {"validate": "list", "source": (["全市"] + choices[1:]) if col.allow_city else choices,
                                      "error_type": "warning", "error_message": "可填县区名称或行政区划代码"})
        elif col.type == "date":
            ws.set_column(j, j, 14, date_fmt)
        elif col.type in ("money", "area") and (col.min is not None):
            ws.data_validation(*rng, {"validate": "decimal", "criteria": ">=", "value": col.min, "error_type": "warning",
                                      "error_message": "不能为负数"})
        elif col.type == "integer":
            ws.data_validation(*rng, {"validate": "integer", "criteria": ">" if col.min_exclusive is not None else ">=",
                                      "value": col.min_exclusive if col.min_exclusive is not None else (col.min or 0),
                                      "error_message": "应为整数"})
    ws.freeze_panes(3, 0)

    notes = wb.add_worksheet("填报说明")
    notes.set_column(0, 0, 22)
    notes.set_column(1, 1, 12)
    notes.set_column(2, 2, 80)
    notes.write(0, 0, f"{form.label} 填报说明", title)
    notes.write(1, 0, NOTE, wrap)
    notes.write_row(3, 0, ["列", "是否必填", "填写要求"], head)
    for i, col in enumerate(form.columns):
        options = column_choices(col, catalog)
        text = col.help + (f"（可选：{'、'.join(options)}）" if options else "")
        notes.write_row(4 + i, 0, [col.header, "必填" if col.required else "选填", text], wrap)
    r = 5 + ncols
    general = [
        "金额单位以表头为准：可写（万元）、（亿元）或（元），系统自动换算为万元。",
        "县区可填名称（如 紫金县、紫金）或行政区划代码（如 441621）；功能区填 市高新区、江东新区。",
        "日期可写 2024-03-15、2024/3/15、2024.3.15 或 2024年3月15日。",
        "空白表示未报送，不等于0；确实为0请填0。合计行可保留，系统会核对但不入库。",
        "F1 按县区、统计期报送：同一县区、同一期间重新报送时，以最新提交的为准，旧数据保留在更正历史中。",
        "其他报表是台账：默认“增补”，只新增或更正表中所列的行，以前报送的其他行保留；要删去以前报送的某一行，"
        "在“操作”列填“删除”；要用本表替换本县区本年度的全部内容，把“报送方式”选为“全量替换”。",
        "本年度没有需要报送的内容（如没有新认定的示范村）时，把“报送方式”选为“零报告”，填写填报县区和报送年度后提交，"
        "否则会被列为逾期未报。",
    ]
    for i, text in enumerate(general):
        notes.write(r + i, 0, f"{i + 1}. {text}")
    wb.close()
    return path


def column_choices(col, catalog: Catalog) -> list[str]:
    """The fixed choices of a column, or the catalog list it is looked up in (tasks, units, clauses)."""
    if col.choices or not col.lookup:
        return list(col.choices)
    return catalog.lookup_values(col.lookup)


def choice_source(wb, col, catalog: Catalog) -> list[str] | str:
    """A drop-down's list: inline, or (Excel allows 255 characters inline) a range on a hidden sheet."""
    options = column_choices(col, catalog)
    if len(",".join(options)) <= 255:
        return options
    sheet = wb.get_worksheet_by_name("选项") or wb.add_worksheet("选项")
    sheet.hide()
    column = 0 if sheet.dim_colmax is None else sheet.dim_colmax + 1
    for i, value in enumerate(options):
        sheet.write_string(i, column, value)
    letter = column_letter(column)
    return f"=选项!${letter}$1:${letter}${len(options)}"


def file_name(form) -> str:
    """The blank template's file name, e.g. F1_县区电子商务统计表.xlsx."""
    return f"{form.code}_{form.title}.xlsx"


def write_all(folder: Path, catalog: Catalog | None = None) -> list[Path]:
    catalog = catalog or current()
    folder.mkdir(parents=True, exist_ok=True)
    return [write_form(f, catalog, folder / file_name(f)) for f in catalog.forms.values()]
