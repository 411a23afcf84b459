"""数据探索 — the analysts' page: pick indicators, regions and periods, see and download the values;
a read-only SQL console over the warehouse; and the data dictionary (tables, columns, indicators)."""

from __future__ import annotations

import html
import io

import plotly.graph_objects as go
import polars as pl
import streamlit as st
import xlsxwriter

from dashboard import charts, data, sql_console, ui
from etl import exports
from etl.config import REPO, catalog_dir

SOURCE_LABELS = {"reported": "报送", "derived": "推算"}
LEVEL_LABELS = {"city": "全市", "county": "县区", "zone": "功能区"}
GRAINS = ["年度", "季度", "月度", "全部"]
TABLE_TYPES = {"BASE TABLE": "表", "VIEW": "视图", "LOCAL TEMPORARY": "临时表"}
# indicators.city_method explained (the method codes are the catalog's; the stage names come from `stages`).
CITY_METHODS = {
    "count": "计数：统计符合定义的对象（企业、基地、培训班等）；全市值汇总全市所有县区和功能区，同一对象只计一次。",
    "sum": "求和：全市取市统计局直接报送的全市数；没有时为六个县区之和（功能区位于县区境内，不再相加）。",
    "ratio": "比率：由分子、分母重新计算；全市比率用全市分子 ÷ 全市分母，不对县区比率求平均。",
    "stage": "阶段：按 {stages} 编码，取已达到的最高阶段。",
    "cumulative": "累计：2015年起各年数值逐年累加到统计期末。",
}
TABLE_COLUMNS = ["地区", "指标", "单位", "统计期", "数值", "来源", "计算方法"]


# ---- pure helpers (no st. inside) ----------------------------------------------------------------

def method_text(city_method: str, stages: pl.DataFrame) -> str:
    stage_list = "、".join(f"{s}{n}" for s, n in stages.sort("stage").iter_rows())
    return CITY_METHODS.get(city_method, city_method).format(stages=stage_list)


def grain_filter(grain: str) -> pl.Expr:
    period = pl.col("period")
    return {
        "年度": pl.col("is_annual"),
        "季度": period.str.contains("Q"),
        "月度": period.str.contains("-"),
    }.get(grain, pl.lit(True))


def period_end(period: pl.Expr) -> pl.Expr:
    """The last day of a period text ('2018' → 2018-12-31, '2018Q3' → 2018-09-30, '2018-05' → 2018-05-31)."""
    year = period.str.slice(0, 4).cast(pl.Int32)
    month = (
        pl.when(period.str.len_chars() == 4).then(12)
        .when(period.str.contains("Q")).then(period.str.slice(5, 1).cast(pl.Int32) * 3)
        .otherwise(period.str.slice(5, 2).cast(pl.Int32))
    )
    return pl.date(year, month, 1).dt.month_end()


def region_styles(regions: pl.DataFrame) -> dict[str, dict]:
    """One colour and dash per region, the same in every chart: the city bold and dark, zones dashed."""
    styles, i = {}, 0
    for code, level in regions.select("region_code", "level").iter_rows():
        if level == "city":
            styles[code] = {"color": "#1C2430", "width": 4, "dash": "solid"}
        else:
            styles[code] = {"color": charts.PALETTE[i % len(charts.PALETTE)], "width": 2,
                            "dash": "dash" if level == "zone" else "solid"}
            i += 1
    return styles


def legend_html(regions: list[tuple[str, str]], styles: dict[str, dict]) -> str:
    """One legend for a grid of small charts: a line sample (colour, width, dash) and the region's name."""
    items = []
    for code, name in regions:
        st_ = styles.get(code, {"color": "#7F8C8D", "width": 2, "dash": "solid"})
        border = f"{max(st_['width'] - 1, 2)}px {'dashed' if st_['dash'] != 'solid' else 'solid'} {st_['color']}"
        items.append(f'<span style="white-space:nowrap;margin-right:14px"><span style="display:inline-block;width:26px;'
                     f'border-top:{border};vertical-align:middle;margin-right:4px"></span>{html.escape(name)}</span>')
    return '<div style="font-size:0.85rem;line-height:1.9">' + "".join(items) + "</div>"


def values_chart(frame: pl.DataFrame, unit: str, styles: dict[str, dict], annual: bool,
                 stages: pl.DataFrame | None = None, title: str | None = None, height: int = 380,
                 legend: bool = True) -> go.Figure:
    """Lines over time, one per region (and per indicator when several share the unit).

    ``frame`` has region_code, region_name, indicator_short, period, x, value (x: the year for annual
    data, else the period's last day)."""
    fig = go.Figure()
    several = frame["indicator_short"].n_unique() > 1
    dashes = ["solid", "dot", "dashdot", "longdash"]
    for j, (ind,) in enumerate(frame.select("indicator_short").unique(maintain_order=True).iter_rows()):
        part_ind = frame.filter(pl.col("indicator_short") == ind)
        for (code, name), part in part_ind.group_by("region_code", "region_name", maintain_order=True):
            part = part.sort("x")
            style = dict(styles.get(code, {"color": "#7F8C8D", "width": 2, "dash": "solid"}))
            if several:
                style["dash"] = dashes[j % len(dashes)]
            xs, ys, hover, last_year = [], [], [], None
            for p, x, v in part.select("period", "x", "value").iter_rows():
                if not annual and last_year is not None and p[:4] != last_year:
                    xs += [None]  # year-to-date values: each year's line starts afresh
                    ys += [None]
                    hover += [None]
                last_year = p[:4]
                xs += [x]
                ys += [v]
                hover += [f"{ui.chart_text(name)}<br>{ui.fmt_period(p)}<br>{ui.chart_text(ind)}：{ui.fmt_value(v, unit)}"]
            fig.add_trace(go.Scatter(
                x=xs, y=ys, name=ui.chart_text(f"{name}·{ind}" if several else name), mode="lines+markers",
                line=style, marker={"size": 7 if style["width"] > 2 else 5}, hovertext=hover, hoverinfo="text",
            ))
    if annual:
        span = frame["x"].max() - frame["x"].min() if frame.height else 0
        fig.update_xaxes(dtick=1 if height >= 400 or span <= 6 else 2, tickformat="d", title=None, gridcolor="#EEF1F4")
    else:
        fig.update_xaxes(title=None, tickformat="%Y-%m", gridcolor="#EEF1F4")
    if unit == "阶段" and stages is not None:
        fig.update_yaxes(tickvals=stages["stage"].to_list(), ticktext=stages["name"].to_list(), range=[-0.3, 4.3])
    else:
        fig.update_yaxes(title=unit, rangemode="tozero")
    fig.update_yaxes(gridcolor="#EEF1F4")
    fig = charts.base_layout(fig, height, title)
    if legend:
        fig.update_layout(legend={"font": {"size": 12}}, margin={"t": 110 if title else 70})
    else:
        fig.update_layout(showlegend=False, margin={"t": 50 if title else 10})
    return fig


def excel_bytes(table: pl.DataFrame, notes: pl.DataFrame) -> bytes:
    """The table on sheet 数据 and each indicator's definition on sheet 指标说明."""
    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf, exports.WORKBOOK_OPTIONS) as wb:  # text stays text: never a formula
        table.write_excel(workbook=wb, worksheet="数据", autofit=True, float_precision=4,
                          header_format={"bold": True, "bg_color": "#E8EEF6"})
        notes.write_excel(workbook=wb, worksheet="指标说明", header_format={"bold": True, "bg_color": "#E8EEF6"},
                          column_widths={"指标": 220, "代码": 160, "单位": 50, "定义": 700, "计算方法": 500,
                                         "来源报表": 200, "政策条款": 300})
        wb.get_worksheet_by_name("指标说明").set_column(3, 4, None, wb.add_format({"text_wrap": True, "valign": "top"}))
    return buf.getvalue()


def parquet_bytes(table: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    table.write_parquet(buf)
    return buf.getvalue()


# ---- look-ups --------------------------------------------------------------------------------------

def form_titles() -> dict[str, str]:
    return dict(data.q("SELECT DISTINCT form, form_title FROM form_columns ORDER BY form").iter_rows())


def clause_label(clause: str, tasks: pl.DataFrame) -> str:
    hit = tasks.filter(pl.col("task_id") == clause)
    return f"河府办〔2015〕43号 {clause}" + (f"（{hit['title'][0]}）" if hit.height else "")


def indicator_notes(codes: list[str], inds: pl.DataFrame, stages: pl.DataFrame) -> pl.DataFrame:
    """One row per selected indicator: what the 指标说明 sheet and the side panel show."""
    forms = form_titles()
    tasks = data.q("SELECT task_id, title FROM tasks")
    rows = []
    for code in codes:
        ind = inds.filter(pl.col("code") == code).row(0, named=True)
        rows.append({
            "指标": ind["name"], "代码": code, "单位": ind["unit"], "定义": ind["definition"],
            "计算方法": method_text(ind["city_method"], stages),
            "来源报表": f"{ind['source_form']} {forms.get(ind['source_form'], '')}".strip(),
            "政策条款": clause_label(ind["clause"], tasks),
        })
    return pl.DataFrame(rows, schema=["指标", "代码", "单位", "定义", "计算方法", "来源报表", "政策条款"])


@st.cache_data(show_spinner=False)
def dictionary_file(path: str, _mtime: float) -> pl.DataFrame:
    return pl.read_csv(path, schema={"table": pl.String, "column": pl.String, "description": pl.String})


def dictionary() -> pl.DataFrame:
    path = catalog_dir() / "dictionary.csv"
    if not path.exists():  # a catalog elsewhere (ECMON_CATALOG) may not carry one
        path = REPO / "data" / "catalog" / "dictionary.csv"
    return dictionary_file(str(path), path.stat().st_mtime)


# ---- 1. 指标数据 ----------------------------------------------------------------------------------

def values_tab() -> None:
    inds = data.indicators()
    regs = data.regions()
    stages = data.q("SELECT stage, name FROM stages ORDER BY stage")
    values = data.values()
    with_data = set(values["indicator"].unique().to_list())
    options = [c for c in inds["code"].to_list() if c in with_data] or inds["code"].to_list()
    ind_info = {r["code"]: r for r in inds.iter_rows(named=True)}
    region_codes = regs["region_code"].to_list()
    region_label = {r["region_code"]: r["name"] + ("（功能区）" if r["level"] == "zone" else "")
                    for r in regs.iter_rows(named=True)}

    left, right = st.columns([3, 1.5])
    default = [c for c in ("online_retail_share",) if c in options] or options[:1]
    codes = left.multiselect("指标", options, default=default, key="ex_indicators",
                             format_func=lambda c: f"{ind_info[c]['name']}（{ind_info[c]['unit']}）",
                             placeholder="选择一个或多个指标")
    grain = right.segmented_control("统计期类型", GRAINS, default="年度", key="ex_grain",
                                    help="季度、月度数据为年初至期末累计数（只有 F1 报表有季度、月度数据）", wrap=True) or "年度"
    left, right = st.columns([3, 1.5])
    region_help = "功能区位于县区境内，与县区并列比较，但不计入全市合计"
    if len(region_codes) <= 20:
        chosen = left.pills("地区", region_codes, selection_mode="multi", default=region_codes, key="ex_regions",
                            format_func=lambda c: region_label[c], wrap=True, help=region_help) or []
    else:  # a catalog with many regions: pick from a list, starting with the city and the first few
        chosen = left.multiselect("地区", region_codes, default=region_codes[:9], key="ex_regions",
                                  format_func=lambda c: region_label[c], help=region_help)
    years = data.years()
    if len(years) > 1:
        y0, y1 = right.slider("年份范围", min(years), max(years), (min(years), max(years)), key="ex_years")
    else:
        y0 = y1 = years[0] if years else 0

    if not codes:
        st.info("请在上方至少选择一个指标。")
        return
    if not chosen:
        st.info("请在上方至少选择一个地区。")
        return

    order_i = {c: i for i, c in enumerate(inds["code"].to_list())}
    order_r = {c: i for i, c in enumerate(region_codes)}
    picked = (
        values.filter(pl.col("indicator").is_in(codes) & pl.col("region_code").is_in(chosen)
                      & pl.col("year").is_between(y0, y1) & grain_filter(grain))
        .with_columns(
            pl.col("indicator").replace_strict(order_i, default=99).alias("_i"),
            pl.col("region_code").replace_strict(order_r, default=99).alias("_r"),
            period_end(pl.col("period")).alias("_end"),
            pl.col("indicator").replace_strict({c: ind_info[c]["short_name"] for c in ind_info}).alias("indicator_short"),
        )
        .sort("_i", "_r", "_end", pl.col("period").str.len_chars())
    )
    if picked.is_empty():
        has_sub = values.filter(pl.col("indicator").is_in(codes) & ~pl.col("is_annual")).height > 0
        hint = "" if grain in ("年度", "全部") or has_sub else "所选指标只有年度数据；"
        st.info(f"所选条件下没有数据。{hint}请换一个统计期类型、年份范围或地区。")
        return

    # Chart: one per unit when the selected indicators share it, else one small chart per indicator.
    annual = grain == "年度" or bool(picked["is_annual"].all())
    picked = picked.with_columns(
        (pl.col("year") if annual else pl.col("_end")).alias("x")
    )
    styles = region_styles(regs)
    units = picked["unit"].unique(maintain_order=True).to_list()
    shown_regions = sorted(picked.select("region_code", "region_name").unique().rows(), key=lambda r: order_r.get(r[0], 99))
    if len(units) == 1:
        several = picked["indicator"].n_unique() > 1  # lines told apart by dash: plotly's own legend names them
        names = "、".join(ind_info[c]["name"] for c in inds["code"].to_list() if c in set(picked["indicator"].to_list()))
        st.markdown(f"**{names}**（{units[0]}）")
        if not several:
            st.markdown(legend_html(shown_regions, styles), unsafe_allow_html=True)
        st.plotly_chart(values_chart(picked, units[0], styles, annual, stages, height=440 if several else 400,
                                     legend=several), width="stretch", config={"displayModeBar": False}, key="ex_chart")
    else:
        st.markdown(legend_html(shown_regions, styles), unsafe_allow_html=True)
        cols = st.columns(2)
        for k, code in enumerate(c for c in inds["code"].to_list() if c in set(picked["indicator"].to_list())):
            part = picked.filter(pl.col("indicator") == code)
            unit = ind_info[code]["unit"]
            with cols[k % 2]:
                st.markdown(f"**{ind_info[code]['name']}**（{unit}）")
                st.plotly_chart(values_chart(part, unit, styles, annual, stages, height=300, legend=False),
                                width="stretch", config={"displayModeBar": False}, key=f"ex_chart_{code}")
    if not annual:
        st.caption("季度、月度值为年初至期末累计数，每年从第一期重新累计，所以图中每年的线段分开画。")

    table = picked.select(
        pl.col("region_name").alias("地区"),
        pl.col("indicator_name").alias("指标"),
        pl.col("unit").alias("单位"),
        pl.col("period").alias("统计期"),
        pl.col("value").alias("数值"),
        pl.col("source").replace_strict(SOURCE_LABELS, default=pl.col("source")).alias("来源"),
        pl.col("method").alias("计算方法"),
    )
    notes = indicator_notes([c for c in inds["code"].to_list() if c in codes], inds, stages)
    decimals = picked["indicator"].replace_strict({c: ind_info[c]["decimals"] for c in ind_info})
    shown = table.with_columns(
        pl.coalesce([pl.when(decimals == d).then(pl.col("数值").round(d)) for d in sorted(set(decimals.to_list()))])
        .alias("数值"))

    main, side = st.columns([5, 2])
    with main:
        st.markdown(f"**数据表**（{table.height}行）")
        st.dataframe(shown, hide_index=True, width="stretch", height=420,
                     column_config={
                         "地区": st.column_config.TextColumn("地区", width=70),
                         "指标": st.column_config.TextColumn("指标", width=190),
                         "单位": st.column_config.TextColumn("单位", width=45),
                         "统计期": st.column_config.TextColumn("统计期", width=65),
                         "数值": st.column_config.NumberColumn("数值", format="localized", width=80),
                         "来源": st.column_config.TextColumn("来源", width=48, help="报送：报表直接填写；推算：由其他数据计算"),
                         "计算方法": st.column_config.TextColumn("计算方法", width="medium")})
        st.caption("表中数值按指标规定的小数位显示；下载的文件保留完整精度。")
        stem = f"河源电商指标数据_{y0}-{y1}_{grain}"
        d1, d2, d3 = st.columns(3)
        d1.download_button("下载 CSV", exports.csv_bytes(table), f"{stem}.csv", "text/csv",
                           on_click="ignore", icon=":material/download:", width="stretch",
                           help="UTF-8（带 BOM），Excel 可直接打开中文")
        d2.download_button("下载 Excel", excel_bytes(table, notes), f"{stem}.xlsx",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
                           icon=":material/download:", width="stretch", help="第二个工作表“指标说明”列出所选指标的定义、单位和政策条款")
        d3.download_button("下载 Parquet", parquet_bytes(table), f"{stem}.parquet", "application/vnd.apache.parquet",
                           on_click="ignore", icon=":material/download:", width="stretch", help="供 Python、R、DuckDB 等分析工具读取")
    with side:
        st.markdown("**指标说明**")
        with st.container(height=420, border=True):
            for row in notes.iter_rows(named=True):
                st.markdown(
                    f"**{row['指标']}**（{row['单位']}）  \n"
                    f"<small>**定义**：{row['定义']}<br>**计算方法**：{row['计算方法']}<br>"
                    f"**来源报表**：{row['来源报表']}<br>**政策依据**：{row['政策条款']}</small>",
                    unsafe_allow_html=True,
                )
                for t in data.q("SELECT deadline, target_text FROM targets WHERE indicator = ? ORDER BY deadline",
                                row["代码"]).iter_rows():
                    st.caption(f"目标（{t[0]}年底）：{t[1]}")


# ---- 2. SQL 查询 ------------------------------------------------------------------------------------

def _use_example() -> None:
    title = st.session_state.get("sql_example")
    for t, sql in sql_console.EXAMPLES:
        if t == title:
            st.session_state["sql_text"] = sql


def sql_tab() -> None:
    st.markdown(
        f"直接用 SQL（DuckDB 语法）查询数据仓库。**只读**：一次执行一条查询语句；最多显示 "
        f"{sql_console.ROW_LIMIT:,} 行；超过 {sql_console.TIME_LIMIT_S:g} 秒自动停止；不能读写服务器上的文件、"
        "不能更改设置或加载扩展。表和列的含义见“数据字典”。"
    )
    st.session_state.setdefault("sql_text", sql_console.EXAMPLES[0][1])
    st.selectbox("示例查询", [t for t, _ in sql_console.EXAMPLES], index=None, key="sql_example",
                 placeholder="选择一个示例，填入下面的输入框…", on_change=_use_example)
    sql = st.text_area("SQL 查询", key="sql_text", height=210)
    if st.button("运行查询", type="primary", icon=":material/play_arrow:", key="sql_run"):
        with st.spinner("正在查询…"):
            st.session_state["sql_result"] = (sql, sql_console.run(sql, row_limit=sql_console.ROW_LIMIT,
                                                                    time_limit=sql_console.TIME_LIMIT_S))
    if "sql_result" not in st.session_state:
        return
    ran, result = st.session_state["sql_result"]
    if ran != sql:
        st.caption("下面是上一次运行的结果；SQL 已修改，点“运行查询”重新执行。")
    if not result.ok:
        st.error(result.error, icon=":material/block:")
        if result.detail:
            st.caption(f"数据库提示：{ui.plain(result.detail)}")
        return
    frame = result.frame
    shown = {"rows": f"结果超过 {sql_console.ROW_LIMIT:,} 行，只显示前 {frame.height:,} 行",
             "bytes": f"结果超过 {sql_console.MAX_RESULT_BYTES // 2**20} MB，只显示前 {frame.height:,} 行"}.get(
        result.limited, f"共 {frame.height:,} 行")
    (st.warning if result.truncated else st.caption)(f"{shown}，用时 {result.elapsed:.2f} 秒。")
    if result.cut_texts:
        st.caption(f"有 {result.cut_texts:,} 个值超过 {sql_console.MAX_TEXT_CHARS:,} 个字符，只显示和下载前 "
                   f"{sql_console.MAX_TEXT_CHARS:,} 个（以“…”结尾）。")
    if frame.width:
        st.dataframe(frame, hide_index=True, width="stretch", height=min(420, 38 + 35 * max(frame.height, 1)))
        st.download_button("下载结果 CSV", sql_console.csv_bytes(frame), "查询结果.csv", "text/csv", on_click="ignore",
                           icon=":material/download:", key="sql_download",
                           help="UTF-8（带 BOM），Excel 可直接打开中文" + ("；只含显示的行" if result.truncated else ""))
    else:
        st.caption("语句已执行，没有返回数据。")


# ---- 3. 数据字典 ----------------------------------------------------------------------------------

def column_descriptions(desc: pl.DataFrame, form_cols: pl.DataFrame) -> dict[tuple[str, str], str]:
    """(table, column) → description: dictionary.csv first, then the form's own column (current_fN/rows_fN),
    then dictionary.csv's generic rows (table ``*``)."""
    out = {(t, c): d for t, c, d in desc.iter_rows() if c is not None and t != "*"}
    for form, field, name, unit, help_ in form_cols.iter_rows():
        text = f"报表列“{name}”" + (f"（{unit}）" if unit else "") + (f"：{help_}" if help_ else "")
        for prefix in ("current_", "rows_"):
            out.setdefault((f"{prefix}{form.lower()}", field), text)
    generic = {c: d for t, c, d in desc.iter_rows() if t == "*"}
    return out | {("*", c): d for c, d in generic.items()}


def describe(descriptions: dict, table: str, column: str) -> str:
    return descriptions.get((table, column)) or descriptions.get(("*", column), "")


def indicators_html(inds: pl.DataFrame, stages: pl.DataFrame, forms: dict, tasks: pl.DataFrame) -> str:
    """Every indicator as a wrapped HTML table (definitions are long; a dataframe would cut them)."""
    esc = html.escape
    rows = []
    for r in inds.iter_rows(named=True):
        rows.append(
            f"<tr><td><b>{esc(r['name'])}</b><br><code>{esc(r['code'])}</code><br>单位：{esc(r['unit'])}</td>"
            f"<td>{esc(r['definition'])}</td><td>{esc(method_text(r['city_method'], stages))}</td>"
            f"<td>{esc(r['source_form'])} {esc(forms.get(r['source_form'], ''))}<br>{esc(clause_label(r['clause'], tasks))}</td></tr>"
        )
    return (
        '<table class="ex-dict"><thead><tr><th style="width:22%">指标（代码、单位）</th><th style="width:38%">定义</th>'
        '<th style="width:24%">全市计算方法</th><th style="width:16%">来源报表与政策依据</th></tr></thead><tbody>'
        + "".join(rows) + "</tbody></table>"
    )


def dictionary_tab() -> None:
    desc = dictionary()
    cols = data.q(
        "SELECT table_name, column_name, data_type, ordinal_position FROM information_schema.columns "
        "WHERE table_catalog = current_database() ORDER BY table_name, ordinal_position"
    )
    kinds = dict(data.q("SELECT table_name, table_type FROM information_schema.tables "
                        "WHERE table_catalog = current_database()").iter_rows())
    descriptions = column_descriptions(desc, data.q("SELECT form, field, name, unit, help FROM form_columns"))
    table_desc = {t: d for t, c, d in desc.iter_rows() if c is None and t != "*"}
    present = [t for t in table_desc if t in kinds or t == "progress_at"]
    tables = [t for t in present if t in kinds]
    counts = dict(data.q(" UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)).iter_rows())

    st.markdown("#### 表和视图")
    st.caption("在“SQL 查询”中直接使用这些名称。公开约定的是 indicator_values 和 target_progress：其列名和含义不会改变。")
    rows = "".join(
        f"<tr><td><code>{html.escape(t)}</code></td><td>{TABLE_TYPES.get(kinds.get(t), '表函数')}</td>"
        f"<td style='text-align:right'>{f'{counts[t]:,}' if t in counts else '—'}</td><td>{html.escape(table_desc[t])}</td></tr>"
        for t in present
    )
    with st.container(height=330, border=False):
        st.markdown('<table class="ex-dict"><thead><tr><th style="width:24%">名称</th><th style="width:8%">类型</th>'
                    '<th style="width:9%">行数</th><th>说明</th></tr></thead><tbody>' + rows + "</tbody></table>",
                    unsafe_allow_html=True)

    st.markdown("#### 列")
    left, right = st.columns([1, 2])
    pick = left.selectbox("表或视图", ["全部"] + tables, index=1 if tables else 0, key="dict_table")
    search = right.text_input("搜索列名或说明", key="dict_search", placeholder="如 period、网络零售、回执")
    col_rows = cols.filter(pl.col("table_name").is_in(tables if pick == "全部" else [pick]))
    order = {t: i for i, t in enumerate(tables)}
    col_table = pl.DataFrame({
        "表": col_rows["table_name"],
        "列": col_rows["column_name"],
        "类型": col_rows["data_type"],
        "说明": [describe(descriptions, t, c) for t, c in col_rows.select("table_name", "column_name").iter_rows()],
        "_o": [order[t] for t in col_rows["table_name"]],
    }, schema={"表": pl.String, "列": pl.String, "类型": pl.String, "说明": pl.String, "_o": pl.Int64})
    col_table = col_table.with_row_index("_n").sort("_o", "_n").drop("_o", "_n")
    if search.strip():
        s = search.strip().lower()
        col_table = col_table.filter(pl.col("列").str.to_lowercase().str.contains(s, literal=True)
                                     | pl.col("说明").str.contains(s, literal=True)
                                     | pl.col("表").str.contains(s, literal=True))
    if pick != "全部" and not search.strip():
        st.markdown(f"**{pick}**（{TABLE_TYPES.get(kinds.get(pick), '表')}，{counts.get(pick, 0):,}行）：{table_desc[pick]}")
        st.table(col_table.drop("表").to_pandas().set_index("列"))
    elif col_table.is_empty():
        st.info("没有找到符合的列。")
    else:
        st.caption(f"找到 {col_table.height} 列。")
        st.dataframe(col_table, hide_index=True, width="stretch", height=min(460, 38 + 35 * col_table.height),
                     column_config={"表": st.column_config.TextColumn("表", width=170),
                                    "列": st.column_config.TextColumn("列", width=160),
                                    "类型": st.column_config.TextColumn("类型", width=110),
                                    "说明": st.column_config.TextColumn("说明", width="large")})

    st.markdown("#### 指标")
    st.caption("指标的名称、单位、定义、计算方法和政策依据均来自指标目录（indicators 表）。")
    stages = data.q("SELECT stage, name FROM stages ORDER BY stage")
    st.markdown(indicators_html(data.indicators(), stages, form_titles(), data.q("SELECT task_id, title FROM tasks")),
                unsafe_allow_html=True)


# ---- page ------------------------------------------------------------------------------------------

PAGE_CSS = """<style>
.st-key-sql_text textarea {font-family: 'Noto Sans Mono CJK SC', 'DejaVu Sans Mono', monospace; font-size: 0.9rem;}
table.ex-dict {border-collapse: collapse; width: 100%; font-size: 0.88rem;}
table.ex-dict th, table.ex-dict td {border: 1px solid #D5DCE5; padding: 6px 8px; vertical-align: top; text-align: left;}
table.ex-dict th {background: #F3F6FA;}
</style>"""

st.markdown(PAGE_CSS, unsafe_allow_html=True)
st.title("数据探索")
TABS = ["指标数据", "SQL 查询", "数据字典"]
tab_values, tab_sql, tab_dict = st.tabs(TABS, key="explore_tab", on_change="rerun")
with tab_values:
    if tab_values.open is not False:
        values_tab()
with tab_sql:
    if tab_sql.open is not False:
        sql_tab()
with tab_dict:
    if tab_dict.open is not False:
        dictionary_tab()
