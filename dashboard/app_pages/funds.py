"""资金兑现 — the policy's money: were the fiscal commitments kept (四(二) 3000万/1000万 a year 2016–2018, 三(五)1 300万
for training 2015–2017, 三(二)2 30万 a year for the centre), and what happened to each entitlement, from the estimate
(测算) to the application, the approval and the payment (F7 政策资金兑现表), with what an inspection should look at
(四(四): 扶持政策和资金的落实情况). The figures are worked out in the warehouse (etl/sql/70_funds.sql)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data, ui
from dashboard import levers as lv

st.title("资金兑现")
st.caption("四(二)：从2016年起连续3年每年全市统筹安排3000万元以上，其中市本级不少于1000万元，“用于落实上年度促进电子商务发展相关政策”；"
           "四(四)：每年督查“扶持政策和资金的落实情况”。兑现数据来自各县区和市商务局报送的“政策资金兑现表”（F7）；"
           "“测算应享”是按报送数据套用扶持政策的估算（政策条款页“兑现测算”），不是兑现决定。")
st.markdown(lv.CSS, unsafe_allow_html=True)

chain = data.q("SELECT * FROM funds_chain")
payments = data.q("SELECT count(*) AS n, coalesce(sum(paid), 0) AS paid FROM funds_payments").row(0, named=True)
commitments = data.q("SELECT * FROM commitments_progress ORDER BY commitment_order, year")
catalog = data.q("SELECT * FROM fiscal_commitments")
regions = data.q("SELECT region_code, name FROM regions ORDER BY sort_order")
region_names = dict(regions.iter_rows())

if payments["n"] == 0:
    st.info("还没有报送“政策资金兑现表”（F7），下面的承诺状态均为“无数据”，只能看到按报送数据测算的应享金额。空白模板在“数据报送”页下载。")

flagged = {k: chain.filter(pl.col(c)) for k, c in (("over", "flag_over_paid"), ("none", "flag_paid_without_entitlement"),
                                                    ("missed", "flag_not_applied"))}
judged = commitments["judged_on"][0]
st.markdown(
    f'<div class="headline">截至{judged:%Y-%m-%d}：已报送兑现{payments["n"]}行，已拨付合计{lv.fmt_wan(payments["paid"])}万元；'
    f'超额拨付{flagged["over"].height}项、无测算依据{flagged["none"].height}项、应享未申{flagged["missed"].height}项'
    f'（测算{lv.fmt_wan(flagged["missed"]["estimated_wan"].sum())}万元）。</div>', unsafe_allow_html=True)

tab_commit, tab_progress, tab_flags, tab_chain = st.tabs(["财政资金承诺", "兑现进度", "需关注", "兑现链条"])

STAGES = ["未申请", "已申请未核定", "已核定未拨付", "部分拨付", "已拨付", "已报送未申请"]


def region_filter(key: str) -> str | None:
    options = ["全部"] + [c for c in regions["region_code"].to_list()]
    pick = st.selectbox("县区", options, key=key,
                        format_func=lambda c: "全部县区（含市本级统一兑现）" if c == "全部" else
                        ("全市（市本级统一兑现，未填县区）" if c == "441600" else region_names[c]))
    return None if pick == "全部" else pick


CHAIN_COLUMNS = {  # column: header, in the order an inspector reads a chain
    "year": "政策年度", "clause": "条款", "region_name": "县区", "entity_name": "对象", "stage": "进度",
    "estimated_wan": "测算应享（万元，测算）", "applied_wan": "申请（万元）", "approved_wan": "核定（万元）",
    "paid_wan": "已拨付（万元）", "last_paid_date": "拨付日期", "paid_by_source": "资金来源", "flags": "提示",
    "estimate_basis": "测算依据", "uscc": "统一社会信用代码", "pay_lag_years": "拨付年度−政策年度",
}


def chain_columns(frame: pl.DataFrame, only: tuple[str, ...] | None = None) -> pl.DataFrame:
    keep = only or tuple(CHAIN_COLUMNS)
    return frame.with_columns(pl.col("region_name").replace({"河源市": "全市（市本级统一兑现）"})).select(
        pl.col(c).alias(CHAIN_COLUMNS[c]) for c in keep)


def show(frame: pl.DataFrame, key: str, height: int | str = "auto") -> None:
    config = {h: st.column_config.TextColumn(width="large") for h in ("提示", "测算依据") if h in frame.columns}
    config |= {c: st.column_config.DateColumn(format="YYYY-MM-DD") for c, t in frame.schema.items() if t == pl.Date}
    st.dataframe(frame, hide_index=True, width="stretch", key=key, height=height, placeholder="—", column_config=config)


def total(column: str) -> pl.Expr:
    """A sum that stays empty (not 0) when nothing was there to add (e.g. 测算 for a clause that is not estimated)."""
    return pl.when(pl.col(column).is_not_null().any()).then(pl.col(column).sum()).alias(column)


with tab_commit:
    st.caption("按拨付日期计入当年。省级资金是争取来的上级资金，不是市里的承诺，单列不计。状态与目标相同：达标、未达标（年度已过未达到）、"
               "进度正常或滞后（当年按序时：承诺金额×已过天数÷全年天数）、无数据（该年没有任何拨付记录）。")
    titles = {r["commitment_id"]: f"{r['clause']} {r['scope'].split('，')[0]} {r['amount_wan']}万元"
              for r in catalog.iter_rows(named=True)}
    st.markdown("**承诺落实一览**（每格：状态和完成率）", unsafe_allow_html=True)
    st.markdown(lv.commitment_matrix(commitments, titles), unsafe_allow_html=True)
    for spec in catalog.iter_rows(named=True):
        rows = commitments.filter(pl.col("commitment_id") == spec["commitment_id"])
        if rows.is_empty():
            continue
        years = "、".join(spec["years"].split(";")) + "年" if spec["years"] else f"{spec['from_year']}年起每年"
        st.markdown(f"#### {lv.text(spec['clause'])} {lv.text(spec['scope'])} {lv.text(spec['amount_wan'])}万元（{lv.text(years)}）",
                    unsafe_allow_html=True)
        st.markdown(f"> {lv.text(spec['clause_text'])}", unsafe_allow_html=True)
        st.caption(f"计入口径：{spec['reading']}")
        link = spec["clause"] == "四(二)"
        chart, side = st.columns([3, 2])
        with chart:
            st.plotly_chart(lv.commitment_chart(rows, f"{spec['scope']}：承诺与拨付（万元）"), config={"displayModeBar": False},
                            key=f"chart_{spec['commitment_id']}")
        with side:
            done = rows.filter(pl.col("status") != "无数据")
            lines = [f"{r['year']}年：{r['status']}，计入{lv.fmt_wan(r['paid_wan'])}万元（{r['ratio'] * 100:.1f}%）"
                     + (f"，其中用于落实{r['year'] - 1}年度政策{lv.fmt_wan(r['for_prev_year_wan'])}万元" if link else "")
                     for r in done.iter_rows(named=True)]
            nodata = rows.filter(pl.col("status") == "无数据")["year"].to_list()
            if nodata:
                lines.append("、".join(map(str, nodata)) + "年：无数据（没有任何拨付记录）")
            if link:
                st.caption("四(二)：当年资金“用于落实上年度…相关政策”。")
            st.markdown("\n".join(f"- {lv.text(line)}" for line in lines), unsafe_allow_html=True)
        shown = rows.with_columns(
            pl.col("status").map_elements(lv.status_badge, return_dtype=pl.String).alias("badge"),
            pl.format("{}%", (pl.col("ratio") * 100).round(1)).alias("pct"),
            pl.col("year").cast(pl.String).alias("y"))
        columns = {"y": "资金年度", "committed_wan": "承诺", "paid_wan": "计入合计", "pct": "完成率", "badge": "状态"}
        if "市本级" in rows["counted_sources"][0] and "县区" in rows["counted_sources"][0]:
            columns |= {"paid_city_wan": "其中市本级", "paid_county_wan": "其中县区"}
        if link:
            columns |= {"for_prev_year_wan": "用于上年度政策", "for_earlier_years_wan": "用于往年（滞后拨付）",
                        "for_same_year_wan": "用于当年"}
        columns |= {"paid_province_wan": "省级（不计入）"}
        st.markdown(lv.table(shown, columns, html_columns=("badge",),
                             numeric=tuple(c for c in columns if c.endswith("_wan"))), unsafe_allow_html=True)
    out = commitments.select(
        pl.col("commitment_id").alias("承诺"), pl.col("clause").alias("条款"), pl.col("scope").alias("范围"),
        pl.col("year").alias("资金年度"), pl.col("committed_wan").alias("承诺金额（万元）"),
        pl.col("counted_sources").alias("计入来源"), pl.col("paid_city_wan").alias("市本级（万元）"),
        pl.col("paid_county_wan").alias("县区（万元）"), pl.col("paid_province_wan").alias("省级（万元，不计入）"),
        pl.col("paid_wan").alias("计入合计（万元）"), pl.col("for_prev_year_wan").alias("其中用于上年度政策（万元）"),
        pl.col("ratio").alias("完成率"), pl.col("status").alias("状态"), pl.col("judged_on").alias("判断日期"))
    ui.download_pair("财政资金承诺落实", {"财政资金承诺": out}, "dl_commit", catalog["reading"].to_list())

with tab_progress:
    years = sorted(set(chain["year"].to_list()), reverse=True)
    if not years:
        st.caption("没有测算应享，也没有兑现记录。")
    else:
        # the latest policy year paid the year after (四(二)), not the training and centre money paid in its own year
        paid_years = sorted(set(chain.filter(pl.col("pay_lag_years") >= 1)["year"].to_list()), reverse=True)
        c1, c2 = st.columns(2)
        with c1:
            year = st.selectbox("政策年度（应享的年度）", years, index=years.index(paid_years[0]) if paid_years else 0,
                                key="funds_year", format_func=lambda y: f"{y}年度")
        with c2:
            region = region_filter("funds_region")
        part = chain.filter(pl.col("year") == year)
        if region:
            part = part.filter(pl.col("region_code") == region)
        summary = (part.group_by("clause", "clause_title").agg(
            pl.len().alias("entities"), total("estimated_wan"), total("applied_wan"), total("approved_wan"),
            total("paid_wan"), (pl.col("paid_wan") > 0).sum().alias("paid_n"), pl.col("flag_not_applied").sum().alias("missed"))
            .sort("clause"))
        m = st.columns(4)
        for col, (column, name, _c) in zip(m, lv.FUNNEL, strict=True):
            col.metric(name.replace("（估算）", "") + ("（万元，估算）" if column == "estimated_wan" else "（万元）"),
                       lv.fmt_wan(part[column].sum()))
        later = part.filter(pl.col("pay_lag_years") >= 2)["paid_wan"].sum()
        st.caption(f"按四(二)，{year}年度政策的资金应在{year + 1}年拨付；其中滞后到{year + 2}年及以后拨付的{lv.fmt_wan(later)}万元。"
                   "测算应享只含报表能测算的规则（三(二)2 等未测算），培训补助（三(五)1）的拨付含按人次的培训经费，故可大于测算。")
        if summary.height:
            st.plotly_chart(lv.clause_funnel_chart(summary), config={"displayModeBar": False}, key="funds_funnel")
            st.markdown(lv.table(summary.with_columns(pl.format("{}/{}", "paid_n", "entities").alias("n")),
                                 {"clause": "条款", "clause_title": "任务", "n": "已拨付/对象数",
                                  "estimated_wan": "测算应享（测算）", "applied_wan": "申请", "approved_wan": "核定",
                                  "paid_wan": "已拨付", "missed": "应享未申"},
                                 numeric=("estimated_wan", "applied_wan", "approved_wan", "paid_wan")),
                        unsafe_allow_html=True)
        if not region:
            by_region = (part.group_by("region_code", "region_name").agg(
                total("estimated_wan"), total("applied_wan"), total("approved_wan"), total("paid_wan"),
                pl.col("flag_over_paid").sum().alias("over"), pl.col("flag_paid_without_entitlement").sum().alias("none"),
                pl.col("flag_not_applied").sum().alias("missed"))
                .join(regions.with_row_index("order").select("region_code", "order"), on="region_code", how="left")
                .sort("order").with_columns(pl.col("region_name").replace({"河源市": "全市（市本级统一兑现）"})))
            st.markdown(f"**{year}年度按县区**（对象所在县区；“全市”为市本级统一兑现、未填县区的）")
            st.markdown(lv.table(by_region, {"region_name": "县区", "estimated_wan": "测算应享（测算）", "applied_wan": "申请",
                                             "approved_wan": "核定", "paid_wan": "已拨付", "over": "超额拨付",
                                             "none": "无测算依据", "missed": "应享未申"},
                                 numeric=("estimated_wan", "applied_wan", "approved_wan", "paid_wan")),
                        unsafe_allow_html=True)

with tab_flags:
    region = region_filter("flags_region")
    pick = {k: (f.filter(pl.col("region_code") == region) if region else f) for k, f in flagged.items()}
    sections = [
        ("over", "超额拨付", "同一资金来源对同一对象、同一条款、同一年度的拨付合计大于核定金额（或未核定就拨付），如重复拨付。",
         ("year", "clause", "region_name", "entity_name", "approved_wan", "paid_wan", "paid_by_source", "flags")),
        ("none", "无测算依据", "已拨付，但报送的数据中没有该对象该年度该条款的应享测算（只对能测算的条款判断）：请核对认定依据或报表是否漏报。",
         ("year", "clause", "region_name", "entity_name", "paid_wan", "last_paid_date", "paid_by_source", "uscc")),
        ("missed", "应享未申", "按报送数据测算应享，但兑现表中没有申请、核定或拨付：这些企业或单位可能不知道或错过了政策。",
         ("year", "clause", "region_name", "entity_name", "estimated_wan", "estimate_basis", "uscc")),
    ]
    for key, title, help_text, columns in sections:
        frame = pick[key].sort("year", "clause", "region_code")
        st.markdown(f"**{title}（{frame.height}项）**")
        st.caption(help_text)
        if frame.height:
            show(chain_columns(frame, columns), f"flags_{key}")
    out = {title: chain_columns(pick[key]) for key, title, _h, _c in sections}
    ui.download_pair("资金兑现需关注", out, "dl_flags")

with tab_chain:
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        region = region_filter("chain_region")
    with c2:
        clause = st.selectbox("条款", ["全部", *sorted(set(chain["clause"].to_list()))], key="chain_clause")
    with c3:
        stage = st.selectbox("进度", ["全部", *STAGES], key="chain_stage")
    with c4:
        name = st.text_input("对象名称包含", key="chain_name", max_chars=60)
    part = chain
    if region:
        part = part.filter(pl.col("region_code") == region)
    if clause != "全部":
        part = part.filter(pl.col("clause") == clause)
    if stage != "全部":
        part = part.filter(pl.col("stage") == stage)
    if name.strip():
        part = part.filter(pl.col("entity_name").str.contains(name.strip(), literal=True))
    part = part.sort("year", "clause", "region_code", "entity_name", descending=[True, False, False, False])
    st.caption(f"{part.height}项（每个对象、每条条款、每个政策年度一项）。")
    table = chain_columns(part)
    show(table, "chain_table", height=360)
    ui.download_pair("资金兑现链条", {"兑现链条": table}, "dl_chain")
    if part.height:
        keys = part.select("entity_key", "clause", "year", "entity_name").head(500).rows()
        chosen = st.selectbox("查看一项的来龙去脉", keys, key="chain_pick",
                              format_func=lambda k: f"{k[2]}年度 {k[1]} {k[3]}")
        row = part.filter((pl.col("entity_key") == chosen[0]) & (pl.col("clause") == chosen[1])
                          & (pl.col("year") == chosen[2])).row(0, named=True)
        st.markdown(f"**测算（估算，不是兑现决定）**：{lv.text(lv.fmt_wan(row['estimated_wan']))}万元", unsafe_allow_html=True)
        st.text(row["estimate_basis"] or "报送数据中没有该对象该年度该条款的应享测算")
        rows = data.q("SELECT * FROM funds_payments WHERE entity_key = ? AND clause = ? AND year = ? ORDER BY publish_seq",
                      *chosen[:3])
        st.markdown("**申请、核定、拨付（兑现表中的每一行）**")
        if rows.is_empty():
            st.caption("兑现表中没有这一项。")
        else:
            show(rows.select(
                pl.col("source").alias("资金来源"), pl.col("region_name").alias("所在县区"), pl.col("applied").alias("申请（万元）"),
                pl.col("approved").alias("核定（万元）"), pl.col("paid").alias("已拨付（万元）"), pl.col("paid_date").alias("拨付日期"),
                pl.col("file").alias("文件"), pl.col("sheet").alias("工作表"), pl.col("row").alias("行")), "chain_rows")
        if row["flags"]:
            st.markdown(f'<div class="lv-flag">⚠ {lv.text(row["flags"])}</div>', unsafe_allow_html=True)

with st.expander("口径（读法）"):
    st.markdown(
        "- **对象**：企业按统一社会信用代码识别；没有代码的园区、基地、村、培训机构按“所在县区+名称”识别；开通的跨境电商平台（F6）"
        "在兑现表中填了统一社会信用代码的，即为该企业。\n"
        "- **政策年度与拨付年度**：兑现表的“年度”是应享的政策年度；拨付按拨付日期计入当年。四(二)：当年资金用于落实上年度政策，"
        "故拨付年度−政策年度=1为正常，≥2为滞后拨付。\n"
        "- **兑现决定**：同一资金来源对同一对象、同一条款、同一年度的兑现为一项决定；多行时核定金额取最大值、已拨付相加。"
        "两个资金来源（如市本级5万元、县区配套3万元）分别计。\n"
        "- **超额拨付**：一项决定的拨付合计大于核定金额（或未核定就拨付）。单行拨付大于核定在报送时即为错误，不能入库。\n"
        "- **无测算依据**：已拨付，但报送数据中没有应享测算（只对能测算的条款；三(二)2、三(四)4 不测算）。\n"
        "- **应享未申**：有测算应享，但兑现表中没有这一项。\n"
        "- **承诺**：全市统筹3000万元=市本级+县区，市本级1000万元只计市本级，省级资金不计；培训300万元计市本级在三(五)1和"
        "三(五)4下的拨付；公共服务中心30万元计三(二)2，文件2015年12月印发，从2016年起每年判断。")
