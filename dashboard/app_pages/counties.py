"""县区比较 — for the inspection teams (督查组): the counties side by side; who is behind, on what, and
which reports are missing. Select → get data → render: map and ranking, the county × indicator matrix, one
county's profile, submission completeness, and the 督查通报 workbook."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import polars as pl
import streamlit as st

from dashboard import auth, county_charts, data, ui
from dashboard import inspection_export as ie
from etl import access
from etl.report import facts

GEOJSON = Path(__file__).resolve().parents[2] / "data" / "geo" / "heyuan_counties.geojson"
PLOT_CONFIG = {"displayModeBar": False}
STATUS_STYLE = {  # background of a completeness cell; the text (✓ / 迟报 / 零报告 / 至9月 / 逾期未报) always says it
    ie.STATUS_DONE: "background-color:#E3F1E6;color:#1E5631",
    ie.STATUS_PENDING: "background-color:#DCE8F7;color:#1F4E8C",
    ie.STATUS_LATE_SENT: "background-color:#FFF4D6;color:#7A5200",
    ie.STATUS_PART: "background-color:#FBE3D6;color:#8A2E0B",
    ie.STATUS_LATE: "background-color:#F1A9A0;color:#6E0F07;font-weight:700",
    ie.STATUS_NONE: "background-color:#F3F4F6;color:#4A5563",
}
LIGHT_STYLE = {  # the county reading's lights; the text (绿/黄/红/灰 and the value) always says it
    "绿": "background-color:#D5EFDD;color:#1E5631", "黄": "background-color:#FFF0C2;color:#7A5200",
    "红": "background-color:#F8D0CB;color:#8A2E0B;font-weight:700", "灰": "background-color:#E5E8EB;color:#4A5563",
}


@st.cache_resource(show_spinner=False)
def geojson() -> dict:
    """The six county polygons (ids = GB/T 2260 codes); read once per server process."""
    return json.loads(GEOJSON.read_text(encoding="utf-8"))


def indicator_years(code: str) -> list[int]:
    return data.q("SELECT DISTINCT year FROM indicator_values_detail WHERE indicator = ? AND is_annual "
                  "AND region_level IN ('county', 'zone') ORDER BY year", code)["year"].to_list()


def county_series(region_code: str) -> pl.DataFrame:
    """Annual values of one region with the six-county average beside each."""
    return data.q(
        "WITH c AS (SELECT indicator, year, avg(value) AS avg FROM indicator_values_detail "
        "           WHERE is_annual AND region_level = 'county' GROUP BY ALL) "
        "SELECT c.indicator, c.year, v.value, c.avg FROM c LEFT JOIN indicator_values_detail v "
        "  ON v.indicator = c.indicator AND v.year = c.year AND v.is_annual AND v.region_code = ? "
        "ORDER BY c.indicator, c.year", region_code)


def form_titles() -> dict[str, str]:
    rows = data.q("SELECT DISTINCT form, form_title FROM form_columns ORDER BY form")
    return dict(rows.iter_rows())


def headline(table: pl.DataFrame, ind: dict, year: int) -> str:
    part = table.filter(pl.col("indicator") == ind["code"])
    counties = part.filter((pl.col("level") == "county") & pl.col("value").is_not_null()).sort("value", descending=True)
    unit, dec = ind["unit"], ind["decimals"]
    parts = []
    if counties.height:
        top, low = counties.row(0, named=True), counties.row(-1, named=True)
        lead = f"{top['region_name']}最高（{ui.fmt_value(top['value'], unit, dec)}）"
        if counties.height > 1:
            lead += f"，{low['region_name']}最低（{ui.fmt_value(low['value'], unit, dec)}）"
        parts.append(lead)
    city = part.filter(pl.col("level") == "city")
    if city.height and city["value"][0] is not None:
        parts.append(f"全市 {ui.fmt_value(city['value'][0], unit, dec)}（{city['method'][0]}）")
    lacking = part.filter((pl.col("level") == "county") & pl.col("value").is_null())
    if lacking.height == 6:
        parts.append(f"六个县区均{lacking['missing'][0] if lacking['missing'].n_unique() == 1 else '无数值'}")
    else:
        for (reason,), grp in lacking.group_by("missing", maintain_order=True):
            parts.append("、".join(grp["region_name"]) + (reason or ie.MISSING))
    return f"{year}年 {ind['name']}：" + "；".join(parts) + "。"


def zone_box(part: pl.DataFrame, ind: dict) -> str:
    rows = "".join(
        f"<tr><td style='padding:4px 10px 4px 0'><b>{html.escape(n)}</b></td>"
        f"<td style='padding:4px 0;text-align:right'>{html.escape(county_charts.label(v, ind['unit'], ind['decimals'], m))}</td></tr>"
        for n, v, m in part.filter(pl.col("level") == "zone").select("region_name", "value", "missing").iter_rows()
    )
    return (
        "<div style='border:1px dashed #E07B39;border-radius:6px;padding:8px 12px;background:#FFF8F2;margin-bottom:8px'>"
        f"<div style='font-weight:600;color:#A0521D'>{ie.ZONE_NOTE}</div>"
        f"<div style='font-size:0.85rem;color:#4A5563;margin-bottom:4px'>{html.escape(ind['short_name'])}（{html.escape(ind['unit'])}），无行政区划图斑，单列显示</div>"
        f"<table style='border:none;font-size:0.95rem'>{rows}</table></div>"
    )


def styled_grid(frame: pd.DataFrame, status: pd.DataFrame):
    """A text grid (✓ / 缺报 …) whose cells are tinted by the status frame of the same shape."""
    return frame.style.apply(lambda _: status.map(lambda s: STATUS_STYLE.get(s, "")), axis=None)


def grid_of(status: pl.DataFrame, rows: str, cols: str, row_order: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pivot submission_status rows into (labels, statuses) grids with rows ``rows`` and columns ``cols``."""
    labels = status.pivot(on=cols, index=rows, values="label", sort_columns=True)
    states = status.pivot(on=cols, index=rows, values="status", sort_columns=True)
    key = {n: i for i, n in enumerate(row_order)}
    labels = labels.sort(pl.col(rows).replace_strict(key, default=99)).to_pandas().set_index(rows)
    states = states.sort(pl.col(rows).replace_strict(key, default=99)).to_pandas().set_index(rows)
    labels.index.name = states.index.name = None
    return labels, states


# ---- select --------------------------------------------------------------------------------------------
info = data.info()
inds = data.indicators()
ind_by_code = {r["code"]: r for r in inds.iter_rows(named=True)}
regions = ie.compared_regions()
region_names = [ie.region_label(n, lv) for n, lv in regions.select("name", "level").iter_rows()]
label_of = dict(zip(regions["region_code"], region_names, strict=True))
titles = form_titles()

st.title("县区比较")
st.caption("督查组用：六个县区并排比较，看谁在哪一项上落后、哪张报表没有报送。功能区（市高新区、江东新区）位于县区境内，"
           "单列比较，不参与县区排名，也不计入全市合计。")

c_ind, c_year, c_dl = st.columns([3, 1.2, 2.2], vertical_alignment="bottom")
code = c_ind.selectbox("指标", inds["code"].to_list(), key="cmp_indicator",
                       format_func=lambda c: ie.header_label(ind_by_code[c]["name"], ind_by_code[c]["unit"]))
ind = ind_by_code[code]
years = indicator_years(code)
if not years:
    st.info(f"“{ind['name']}”还没有任何县区的年度数据。")
    st.stop()
wanted = st.session_state.get("cmp_year_wanted", years[-1])
year = c_year.selectbox("年度", years, index=years.index(wanted) if wanted in years else len(years) - 1,
                        format_func=lambda y: f"{y}年")
st.session_state["cmp_year_wanted"] = year

# ---- get data -------------------------------------------------------------------------------------------
all_years = [y for y in data.years() if y <= (info["as_of_year"] or 0)]
status = ie.submission_status(all_years)
year_status = status.filter(pl.col("year") == year)
table = ie.comparison(ie.year_values(year), inds, regions, year_status)
part = table.filter(pl.col("indicator") == code)
keys = ie.key_indicators()

if auth.allowed(access.EXPORT):  # the 督查通报 is for 领导, 督查组, 审核员, 分析员
    with c_dl.popover(f"{year}年督查通报", icon=":material/download:", width="stretch"):
        st.caption("通报（Word 公文）按得分排名，列出各县区各目标的红黄绿信号灯和须整改事项；附件（Excel）为排名、信号灯和全部指标数值。"
                   "与命令 `python -m etl bulletin --year 年份 --out 目录` 生成的文件相同。")
        stem = ie.bulletin.file_stem(year)
        st.download_button("通报（Word）", data=lambda: ie.bulletin.docx_bytes(ie.bulletin_of(year)), file_name=f"{stem}.docx",
                           mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                           icon=":material/description:", width="stretch", on_click="ignore")
        st.download_button("附件（Excel）", data=lambda: ie.bulletin.xlsx_bytes(ie.bulletin_of(year)), file_name=f"{stem}（附件）.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/table_chart:", width="stretch", on_click="ignore")
        st.download_button("各项指标数值表（Excel）", data=ie.workbook(year, table, inds, info, keys),
                           file_name=f"河源市电子商务发展督查通报表（{year}年）.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/download:", width="stretch",
                           help="本年度全部指标：各县区、功能区（单列）、全市，含关键指标排名、未报送标注和指标口径说明")

st.markdown(f'<div class="headline">{html.escape(headline(table, ind, year))}</div>', unsafe_allow_html=True)

# ---- render ---------------------------------------------------------------------------------------------
t_map, t_matrix, t_score, t_funds, t_profile, t_done = st.tabs(
    ["地图与排名", "县区×指标对比", "得分与整改", "资金与任务", "县区档案", "报送完整性"])

with t_map:
    left, right = st.columns([1.25, 1])
    counties = part.filter(pl.col("level") == "county")
    with left:
        st.plotly_chart(county_charts.county_map(geojson(), counties, ind["unit"], ind["decimals"]),
                        width="stretch", config=PLOT_CONFIG | {"scrollZoom": False}, key="cmp_map")
        st.caption("颜色越深数值越大；灰色为未报送或无数据（不按0计）。")
    with right:
        st.markdown(zone_box(part, ind), unsafe_allow_html=True)
        additive = ind["city_method"] in ("sum", "count", "cumulative")
        city_value = part.filter(pl.col("level") == "city")["value"][0]
        if additive:
            ref = counties["value"].drop_nulls().mean() if counties["value"].drop_nulls().len() else None
            ref_label = "六县区平均"
        else:
            ref, ref_label = city_value, "全市"
        st.plotly_chart(county_charts.ranking_bars(part.filter(pl.col("level") != "city"), ind["unit"], ind["decimals"],
                                                   ref, ref_label), width="stretch", config=PLOT_CONFIG, key="cmp_bars")
        if additive:
            st.caption(f"虚线为六县区平均；全市{ind['short_name']}为"
                       f"{county_charts.label(city_value, ind['unit'], ind['decimals'], '无数据')}（{'全市不重复计数' if ind['city_method'] == 'count' else '全市合计'}），不宜与单个县区直接比较。")
        elif ind["city_method"] == "ratio":
            st.caption("虚线为全市数（由全市分子、分母重新计算，不是县区比率的平均）。")
        else:
            st.caption("虚线为全市数（全市各园区达到的最高阶段）。")
    with st.expander(f"口径：{ind['name']}"):
        st.markdown(f"{ind['definition']}  \n依据：河府办〔2015〕43号 {ind['clause']}；来源报表：{ind['source_form']} "
                    f"{titles.get(ind['source_form'], '')}")

with t_matrix:
    st.markdown(f"**{year}年 各县区各项指标**：格内为数值和在六个县区中的名次；颜色按名次，"
                "<span style='background:#2166AC;color:#fff;padding:0 6px;border-radius:3px'>蓝＝靠前</span> "
                "<span style='background:#B2182B;color:#fff;padding:0 6px;border-radius:3px'>红＝靠后</span>，"
                "灰色为未报送或无数据；功能区和全市不排名。", unsafe_allow_html=True)
    st.plotly_chart(county_charts.rank_matrix(table), width="stretch", config=PLOT_CONFIG, key="cmp_matrix")
    st.markdown("**谁在哪一项上落后**（只看有目标的指标；排名末位：六个县区中数值最低，含并列；未报送：该县区没有报送应报报表。"
                "社零总额、品牌企业数等背景或分母指标不算落后）")
    lines = []
    for name, lag in facts.lagging(table, keys).items():
        parts = []
        if lag["last"]:
            parts.append(f"排名末位（{len(lag['last'])}项）：" + "、".join(lag["last"]))
        if lag["missing"]:
            parts.append(f"未报送（{len(lag['missing'])}项）：" + "、".join(lag["missing"]))
        lines.append(f"- **{name}**　" + ("；".join(parts) if parts else "没有排名末位或未报送的目标指标"))
    st.markdown("\n".join(lines))

with t_score:
    reading = ie.county_reading(year)
    st.markdown(f"**{year}年 各县区得分与信号灯**（对照{facts.group_title(reading.deadline)}；按完成序时进度的程度和报表报送评分，"
                "不按规模）")
    light_rows = {(r["region_code"], r["indicator"]): r for r in reading.lights.iter_rows(named=True)}
    cols_t = reading.lights.select("indicator", "short_name").unique(maintain_order=True).rows()
    score_rows, score_styles = [], []
    for srow in reading.scores.iter_rows(named=True):
        row = {"名次": str(srow["rank"]), "县区": srow["region_name"], "得分": f"{srow['score']:.1f}",
               "报送率": f"{srow['reporting_score']:.0f}%"}
        style = {"名次": "", "县区": "", "得分": "", "报送率": ""}
        for code_t, short in cols_t:
            lr = light_rows[(srow["region_code"], code_t)]
            row[short] = ie.bulletin.light_cell(lr)
            style[short] = LIGHT_STYLE[lr["light"]]
        score_rows.append(row)
        score_styles.append(style)
    score_df, style_df = pd.DataFrame(score_rows), pd.DataFrame(score_styles)
    st.dataframe(score_df.style.apply(lambda _: style_df, axis=None), width="stretch", hide_index=True)
    with st.expander("评分口径"):
        st.markdown("\n".join(f"{i}. {t}" for i, t in enumerate(facts.COUNTY_RULES, 1)))
    st.markdown("**须整改事项**")
    for srow in reading.scores.iter_rows(named=True):
        items = reading.fixes.get(srow["region_name"], [])
        st.markdown(f"**{srow['rank']}. {srow['region_name']}**（{srow['score']:.1f}分）\n"
                    + ("\n".join(f"- {t}" for t in items) if items else "- 各项评价目标均达到序时进度，应报报表均已报送。"))

with t_funds:
    funds = ie.county_funds(year)
    st.markdown(f"**{year}年度政策兑现：各县区从测算到拨付**（测算为依据报表套用扶持政策的估算，不是兑现决定；"
                "“测算有资格未申请”的企业可能漏享政策，请县区通知核实）")
    st.dataframe(funds.select(
        pl.struct("region_name", "level").map_elements(lambda r: ie.region_label(r["region_name"], r["level"]),
                                                        return_dtype=pl.String).alias("县区"),
        pl.col("estimated_wan").alias("测算（万元）"), pl.col("applied_wan").alias("申请（万元）"),
        pl.col("approved_wan").alias("核定（万元）"), pl.col("paid_wan").alias("已拨付（万元）"),
        pl.col("not_applied").alias("测算有资格未申请（项）"), pl.col("paid_without_entitlement").alias("拨付无测算资格（项）"),
        pl.col("over_paid").alias("拨付超过核定（项）")),
        hide_index=True, width="stretch",
        column_config={c: st.column_config.NumberColumn(format="%.1f") for c in ("测算（万元）", "申请（万元）", "核定（万元）", "已拨付（万元）")})
    who = st.selectbox("查看县区测算有资格但未申请的企业（单位）", funds["region_code"].to_list(), key="cmp_funds_region",
                       format_func=label_of.get)
    missing = ie.not_applied(year, who)
    if missing:
        st.dataframe(pl.DataFrame({"企业（单位）、条款和测算金额": missing}), hide_index=True, width="stretch")
    else:
        st.caption("没有测算有资格但未申请的企业（单位）。")
    quarter, tasks = ie.tasks_at(year)
    if quarter:
        st.markdown(f"**22项重点任务**（按{quarter}报告；任务由市直单位牵头，县区配合落实，详见“任务督办”页）")
        counts = facts.task_light_counts(tasks)
        st.markdown("　".join(f"{k}{v}项" for k, v in counts.items()))
        behind = tasks.filter(pl.col("light").is_in(["红灯", "黄灯"]))
        if behind.height:
            st.dataframe(behind.select(pl.col("task_id").alias("任务"), pl.col("title").alias("内容"),
                                       pl.col("lead_units").alias("牵头单位"), pl.col("light").alias("信号灯"),
                                       pl.col("reason").alias("原因")), hide_index=True, width="stretch")

with t_profile:
    pick = st.selectbox("选择县区（或功能区）", regions["region_code"].to_list(), key="cmp_profile_region",
                        format_func=label_of.get)
    prow = regions.filter(pl.col("region_code") == pick).row(0, named=True)
    pname = ie.region_label(prow["name"], prow["level"])
    mine = status.filter(pl.col("region_code") == pick)
    mine_due = mine.filter(pl.col("status") != ie.STATUS_NONE)
    n_done = mine.filter(pl.col("status").is_in([ie.STATUS_DONE, ie.STATUS_PENDING])).height
    n_sent_late = mine.filter(pl.col("status") == ie.STATUS_LATE_SENT).height
    n_part = mine.filter(pl.col("status") == ie.STATUS_PART).height
    n_late = mine.filter(pl.col("status") == ie.STATUS_LATE).height
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("应报（报表 × 年度）", f"{mine_due.height}项",
              help=f"F1–F6 每年应报，截止日期为次年3月31日；没有需要报送内容的报零报告（{all_years[0]}–{all_years[-1]}年）")
    m2.metric("按时报送", f"{n_done}项")
    m3.metric("截止后才报", f"{n_sent_late}项")
    m4.metric("逾期未报", f"{n_late}项", help="截止日期已过，既没有报表也没有零报告")
    if n_part:
        st.caption(f"另有{n_part}项只报了年内部分期（年初至该期累计），没有报全年。")
    if prow["level"] == "zone":
        st.caption(ie.ZONE_NOTE)

    series = county_series(pick)
    key_inds = inds.filter(pl.col("code").is_in(keys))
    st.markdown(f"**{pname} 关键指标（有目标的指标）逐年走势**，虚线为六县区平均")
    st.plotly_chart(county_charts.profile_multiples(series, key_inds, pname, years=all_years), width="stretch", config=PLOT_CONFIG,
                    key="cmp_profile_chart")

    st.markdown(f"**{pname} 全部指标逐年数值**")
    prof = series.join(inds.select(pl.col("code").alias("indicator"), "sort_order"), on="indicator").sort("sort_order", "year")
    prof_rows = []
    for code_, grp in prof.group_by("indicator", maintain_order=True):
        i = ind_by_code[code_[0]]
        got = dict(zip(grp["year"], grp["value"], strict=True))
        row = {"指标": ie.header_label(i["short_name"], i["unit"])}
        row |= {f"{y}年": county_charts.label(got.get(y), i["unit"], i["decimals"], "—") for y in all_years}
        prof_rows.append(row)
    prof_df = pd.DataFrame(prof_rows)
    st.dataframe(prof_df, width="stretch", hide_index=True)

    st.markdown(f"**{pname} 报表报送情况**（✓ 按时报送；迟报：截止日期后才报送；零报告：当年没有需要报送的内容；至…：只报了年内部分期；逾期未报：截止日期已过仍未报送；未到期：截止日期未到）")
    form_rows = mine.with_columns((pl.col("form") + " " + pl.col("form").replace_strict(titles, default="")).alias("报表"))
    labels, states = grid_of(form_rows, "报表", "year", [f"{f} {titles.get(f, '')}" for f in ie.FORMS])
    labels.columns = states.columns = [f"{c}年" for c in labels.columns]
    st.dataframe(styled_grid(labels, states), width="stretch")

with t_done:
    st.markdown(f"**{year}年 各县区报表报送情况**（✓ 按时报送；迟报：截止日期后才报送；零报告：当年没有需要报送的内容；至…：只报了年内部分期；逾期未报：截止日期已过仍未报送；未到期：截止日期未到）")
    ys = year_status.with_columns(pl.col("form").alias("报表"), pl.col("region_code").replace_strict(label_of).alias("县区"))
    labels, states = grid_of(ys, "县区", "报表", region_names)
    st.dataframe(styled_grid(labels, states), width="stretch",
                 column_config={f: st.column_config.TextColumn(f, help=titles.get(f, "")) for f in ie.FORMS})
    st.caption("　".join(f"{f} {t}" for f, t in titles.items()))

    late = status.filter(pl.col("status") == ie.STATUS_LATE).sort("year", "form", "sort_order", descending=[True, False, False])
    st.markdown(f"**逾期未报清单**（共{late.height}项）")
    if late.height:
        st.dataframe(
            late.select((pl.col("year").cast(pl.String) + "年").alias("年度"),
                        (pl.col("form") + " " + pl.col("form").replace_strict(titles, default="")).alias("报表"),
                        pl.col("region_code").replace_strict(label_of).alias("县区"),
                        pl.col("due_date").dt.strftime("%Y-%m-%d").alias("截止日期"),
                        (pl.col("counties_reported").cast(pl.String) + "/6个县区已报").alias("同期已报")),
            width="stretch", hide_index=True)
    else:
        st.success("没有逾期未报的报表。")

    form = st.radio("按报表查看历年报送情况", list(ie.FORMS), horizontal=True, key="cmp_form",
                    format_func=lambda f: f"{f} {titles.get(f, '')}")
    fs = status.filter(pl.col("form") == form).with_columns(
        pl.col("region_code").replace_strict(label_of).alias("县区"),
        (pl.col("year").cast(pl.String) + "年").alias("年度"))
    labels, states = grid_of(fs, "县区", "年度", region_names)
    st.dataframe(styled_grid(labels, states), width="stretch")
    st.caption("依据：报送日历（每张报表的截止日期）和已入库的报表文件（含被更正文件覆盖前的原报文件）、零报告；"
               "补录的历史报表按原报送日期判断。")
