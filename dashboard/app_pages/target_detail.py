"""目标详情 — one indicator: city and county series, targets, the path and the projection, the clause,
the definition, the files the numbers came from and the entities behind a count."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, data, ui
from etl.report import facts

info = data.info()
inds = data.indicators()
targets_all = data.q("SELECT * FROM targets ORDER BY deadline, sort_order")
target_codes = targets_all["indicator"].unique(maintain_order=True).to_list()
order = target_codes + [c for c in inds["code"].to_list() if c not in target_codes]
labels = {r["code"]: f"{r['name']}（{r['unit']}）" for r in inds.iter_rows(named=True)}

head, pick = st.columns([1, 3], vertical_alignment="bottom")
head.markdown("## 目标详情")
default = st.query_params.get("indicator", order[0])
code = pick.selectbox("指标", order, index=order.index(default) if default in order else 0, format_func=labels.get,
                      key="detail_indicator")
st.query_params["indicator"] = code
ind = data.indicator(code)
unit = ind["unit"]

values = data.values(code).filter(pl.col("is_annual"))
city = values.filter(pl.col("region_code") == "441600").select("year", "value").sort("year")
county_order = {r["region_code"]: r["sort_order"] for r in data.regions().filter(pl.col("level") == "county").iter_rows(named=True)}
counties = (values.filter(pl.col("region_code").is_in(list(county_order)))
            .with_columns(pl.col("region_code").replace_strict(county_order).alias("_o"))
            .sort("_o", "year").select("year", "value", "region_name"))
tgts = targets_all.filter(pl.col("indicator") == code).select("deadline", pl.col("target_value").alias("target"), "target_text",
                                                              "clause", "clause_text", "note")
progress = data.progress(info["as_of_year"]).filter(pl.col("indicator") == code)

# the path and the projection of the next target still ahead (or the last one)
path = projection = None
if progress.height:
    row = progress.sort("deadline").row(-1, named=True)
    ahead = progress.filter(pl.col("deadline") >= info["as_of_year"])
    row = ahead.row(0, named=True) if ahead.height else row
    v0 = row["path_base_value"]
    path = pl.DataFrame({"year": [2014, row["deadline"]], "value": [v0, row["target"]]})
    if row["projection"] is not None and row["actual_period"] and row["deadline"] > int(row["actual_period"][:4]):
        projection = pl.DataFrame({"year": [int(row["actual_period"][:4]), row["deadline"]],
                                   "value": [row["actual"], row["projection"]]})

left, right = st.columns([3, 2])
with left:
    show_counties = st.toggle("显示各县区", value=len(county_order) <= 12)
    fig = charts.series_chart(city, counties if show_counties else counties.clear(), unit, tgts, path, projection)
    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False})
    st.caption("全市：" + ("由各县区数据推算或全市报送数，见下方数据来源" if ind["city_method"] == "sum" else
                         {"ratio": "由全市分子、分母重新计算", "count": "全市不重复计数（含功能区）",
                          "cumulative": "2015年起累计", "stage": "全市最高阶段"}.get(ind["city_method"], "")))
with right:
    if progress.height:
        st.markdown("#### 目标完成情况")
        marks = facts.corrections(data.SOURCE)
        for r in progress.iter_rows(named=True):
            corrected = r["target_id"] in marks and r["deadline"] <= r["as_of_year"]
            st.markdown(
                f"**{r['deadline']}年目标** {ui.badge(r['status'])}"
                + (' <span class="corr-badge">已更正</span>' if corrected else "") + "  \n"
                f"实际 {ui.fmt_value(r['actual'], unit)}（{ui.fmt_period(r['actual_period'])}）／目标 ≥{ui.fmt_value(r['target'], unit)}"
                + (f"，完成率 {r['ratio'] * 100:.0f}%" if r["ratio"] is not None else ""),
                unsafe_allow_html=True,
            )
            if corrected:
                st.caption(ui.plain(marks[r["target_id"]]["text"]))
    st.markdown("#### 政策原文")
    if tgts.height:
        for r in tgts.iter_rows(named=True):
            st.markdown(f"> {r['clause_text']}\n>\n> —— 河府办〔2015〕43号 {r['clause']}、发展目标（{r['deadline']}年）")
            if r["note"]:
                st.caption(f"口径说明：{r['note']}")
    else:
        st.markdown(f"本指标不是发展目标，用于监测第{ind['clause']}条相关任务。")
    st.markdown("#### 定义与计算")
    st.markdown(f"{ind['definition']}  \n来源报表：**{ind['source_form']}**　单位：**{unit}**")

st.markdown("#### 数据")
years = sorted(values["year"].unique().to_list())
if years:
    order_of = {r["region_code"]: r["sort_order"] for r in data.regions().iter_rows(named=True)}
    wide = (
        values.with_columns(pl.col("region_code").replace_strict(order_of, default=99).alias("_o"),
                            pl.col("year").cast(pl.String), pl.col("value").round(int(ind["decimals"])))
        .sort("_o")
        .pivot(on="year", index="region_name", values="value", sort_columns=True)
        .rename({"region_name": f"县区（{unit}）"})
    )
    st.dataframe(wide, width="stretch", hide_index=True)
    st.caption("河源市为全市值；市高新区、江东新区为功能区，位于县区境内，不计入全市合计。")

entities = data.q(
    "SELECT e.year, r.name AS region_name, e.entity_name, e.attribute, e.amount, e.receipt_id "
    "FROM indicator_entities e JOIN regions r USING (region_code) WHERE e.indicator = ? ORDER BY e.year DESC, r.sort_order",
    "brand_enterprises" if code in ("brand_online_rate", "brand_enterprises_online") else code,
)
if entities.height:
    st.markdown("#### 计数背后的对象")
    ent_years = sorted(entities["year"].unique().to_list(), reverse=True)
    start = ent_years[0]
    if code in ("brand_online_rate", "brand_enterprises", "brand_enterprises_online"):
        # open on the latest year that still has brand enterprises not online: that is what a leader asks about
        offline_years = sorted(entities.filter(pl.col("amount") == 0)["year"].unique().to_list(), reverse=True)
        start = offline_years[0] if offline_years else start
    year = st.selectbox("年度", ent_years, index=ent_years.index(start), key="entity_year")
    shown = entities.filter(pl.col("year") == year)
    if code in ("brand_online_rate", "brand_enterprises", "brand_enterprises_online"):
        offline = shown.filter(pl.col("amount") == 0)
        st.markdown(f"{year}年本地知名品牌企业 {shown.height} 家，已触网 {shown.height - offline.height} 家；"
                    f"**尚未触网 {offline.height} 家**：" + ("、".join(map(ui.plain, offline["entity_name"].to_list())) or "无"))
    st.dataframe(shown.rename({"year": "年度", "region_name": "县区", "entity_name": "名称", "attribute": "情况",
                               "amount": "数值", "receipt_id": "回执号"}), width="stretch", hide_index=True)

st.markdown("#### 数据来源（接收的文件）")
sources = data.q(
    """
    SELECT DISTINCT r.receipt_id AS 回执号, r.file AS 文件, r.received_at AS 接收时间, r.channel AS 渠道
    FROM receipts r JOIN receipt_coverage c USING (receipt_id)
    JOIN submission_history h ON h.receipt_id = c.receipt_id AND h.form = c.form AND h.region_code = c.region_code
         AND h.period = c.period AND h.is_current
    WHERE c.form = ? ORDER BY r.receipt_id
    """,
    ind["source_form"],
)
st.caption(f"本指标来自报表 {ind['source_form']}；下列文件是各县区、各期当前有效的报送（更正后的文件替代了旧文件）。")
st.dataframe(sources, width="stretch", hide_index=True, height=240)
