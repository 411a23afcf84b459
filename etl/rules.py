"""Rules across the columns of a form (the rules of a single cell are in ``forms.py``/``values.py``).

Each rule is a filter that returns the offending rows, as a data test should be; ``check`` turns them
into messages and adds ``cov_period``, the period a row speaks for (its year, or F1's 统计期).
"""

from __future__ import annotations

import polars as pl

from etl.catalog import Catalog, Form

YOY_LIMIT = 0.5  # a year-on-year change beyond ±50% is a warning


def _msg(parsed, level, form: Form, sheet, row, field, value, text, skip=frozenset()):
    col = parsed.labels.get((sheet, field), f"“{form.column(field).header}”") if field else None
    if level == "error" and (sheet, row, col) in skip:
        return  # the cell already has its error (e.g. a 阶段 that is not a choice is not also "blank")
    add = parsed.problems.error if level == "error" else parsed.problems.warning
    shown = None if value is None else _show(value)
    if shown is not None and field and form.column(field).type == "money":
        shown += "万元"  # amounts are compared in 万元, whatever unit the header had (亿元, 元)
    add(parsed.file, text, sheet=sheet, row=row, column=col, value=shown)


def _show(v) -> str:
    if isinstance(v, float):
        return f"{v:,.2f}".rstrip("0").rstrip(".")
    return str(v)


def _each(frame: pl.DataFrame, cond: pl.Expr):
    return frame.filter(cond.fill_null(False)).iter_rows(named=True)


def check(form: Form, table: pl.DataFrame, parsed, catalog: Catalog, previous: pl.DataFrame | None) -> pl.DataFrame:
    f = form.code
    cell_errors = {(m.sheet, m.row, m.column) for m in parsed.problems.errors}
    err = lambda r, field, value, text: _msg(parsed, "error", form, r["_sheet"], r["_row"], field, value, text, cell_errors)  # noqa: E731
    warn = lambda r, field, value, text: _msg(parsed, "warning", form, r["_sheet"], r["_row"], field, value, text)  # noqa: E731

    if f == "F1":
        for r in _each(table, pl.col("rural_online_retail") > pl.col("online_retail") + 1e-9):
            err(r, "rural_online_retail", r["rural_online_retail"], f"农村网络零售额不能大于网络零售额（{_show(r['online_retail'])}万元）")
        for r in _each(table, pl.col("online_retail") > pl.col("retail_total")):
            warn(r, "online_retail", r["online_retail"],
                 f"网络零售额大于社会消费品零售总额（{_show(r['retail_total'])}万元），请核实（网络零售额含服务类和外地销售，可以大于社零，但少见）")
        table = table.with_columns(pl.col("period").alias("cov_period"))
        _year_on_year(table, previous, warn)
    elif f == "F2":
        for r in _each(table, pl.col("is_recognised_platform") & (pl.col("category") != "平台型电商企业")):
            warn(r, "is_recognised_platform", "是",
                 f"企业类别为“{r['category']}”，不计入知名平台型电商企业目标；如为平台型电商企业请修改企业类别")
    elif f == "F3":
        for r in _each(table, pl.col("occupied_area") > pl.col("floor_area")):
            err(r, "occupied_area", r["occupied_area"], f"入驻面积不能大于建筑面积（{_show(r['floor_area'])}㎡）")
        for r in _each(table, (pl.col("category") == "孵化基地") & pl.col("is_concentrated").is_null()):
            err(r, "is_concentrated", None, "孵化基地必须填写“集中化程度较高”（是/否）")
        for r in _each(table, (pl.col("category") == "聚集发展园区") & pl.col("stage").is_null()):
            err(r, "stage", None, "聚集发展园区必须填写阶段（规划中/启动规划建设/在建/初具规模/建成运营）")
    elif f == "F4":
        for r in _each(table, pl.col("end_date") < pl.col("start_date")):
            err(r, "end_date", r["end_date"], f"结业日期早于开班日期（{r['start_date']}）")
        table = table.with_columns(pl.col("end_date").dt.year().cast(pl.Int64).alias("year"))
    elif f == "F5":
        for r in _each(table, pl.col("is_online") & (pl.col("first_online_date").dt.year() > pl.col("year"))):
            warn(r, "first_online_date", r["first_online_date"], f"首次触网日期晚于填报年度{r['year']}年，请核实是否触网")
    elif f == "F6":
        for r in _each(table, pl.col("recognised_date").dt.year() != pl.col("year")):
            warn(r, "recognised_date", r["recognised_date"], f"认定日期不在填报年度{r['year']}年内，请核实年度")

    if "cov_period" not in table.columns:
        table = table.with_columns(pl.col("year").cast(pl.String).alias("cov_period"))
    _duplicates(form, table, err)
    return table


def _duplicates(form: Form, table: pl.DataFrame, err) -> None:
    key = list(form.key)
    dup = (
        table.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in key))
        .with_columns(pl.col("_row").first().over(key).alias("_first"), pl.col("_sheet").first().over(key).alias("_first_sheet"))
        .filter(pl.col("_row") != pl.col("_first"))
    )
    names = "、".join(form.column(k).name for k in key)
    for r in dup.iter_rows(named=True):
        where = f"第{r['_first']}行" if r["_first_sheet"] == r["_sheet"] else f"工作表「{r['_first_sheet']}」第{r['_first']}行"
        # grain "每个县区（或功能区、全市）每个统计期一行" → "同一县区（或功能区、全市）同一统计期只能填一行"
        same = form.grain.split("一行")[0].replace("每个", "同一").replace("每", "同一")
        err(r, key[-1], r[key[-1]], f"与{where}重复（{names}相同），{same}只能填一行")


def _year_on_year(table: pl.DataFrame, previous: pl.DataFrame | None, warn) -> None:
    """Amounts that change by more than ±50% on the same period a year before (in this file or kept)."""
    cols = ["region", "period", "retail_total", "online_retail"]
    known = table.select(cols)
    if previous is not None and previous.height:
        known = pl.concat([previous.select(cols).cast(known.schema), known]).unique(["region", "period"], keep="last")
    prior = known.with_columns(
        (pl.col("period").str.slice(0, 4).cast(pl.Int64) + 1).cast(pl.String).alias("_y"),
        pl.col("period").str.slice(4).alias("_rest"),
    ).with_columns((pl.col("_y") + pl.col("_rest")).alias("period")).drop("_y", "_rest")
    joined = table.join(prior, on=["region", "period"], how="inner", suffix="_prev")
    for field, label in (("online_retail", "网络零售额"), ("retail_total", "社会消费品零售总额")):
        change = pl.col(field) / pl.col(f"{field}_prev") - 1
        for r in _each(joined.with_columns(change.alias("_chg")), (pl.col(f"{field}_prev") > 0) & (change.abs() > YOY_LIMIT)):
            warn(r, field, r[field],
                 f"{label}比上年同期（{_show(r[f'{field}_prev'])}万元）{'增长' if r['_chg'] > 0 else '下降'}{abs(r['_chg']) * 100:.1f}%，超过±50%，请核实")
