"""政策条款 — the policy as the monitor encodes it: tasks and their units, subsidy rules, funds, the
joint meeting. Every clause is quoted from 河府办〔2015〕43号 with its section number."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data
from dashboard import levers as lv

st.title("政策条款")
st.caption("《河源市人民政府办公室关于推动河源市电子商务发展的意见》（河府办〔2015〕43号，2015年12月10日）。"
           "下列条款原文均摘自文件，条款编号如“三(一)2”即第三部分第（一）项第2条。")

tasks = data.q("SELECT * FROM tasks")
subsidies = data.q("SELECT * FROM subsidies")
funds = data.q("SELECT * FROM fiscal_commitments")
units = data.q("SELECT * FROM joint_meeting_units ORDER BY CAST(sort_order AS INTEGER)")

tab_tasks, tab_subsidy, tab_funds, tab_meeting, tab_estimate = st.tabs(
    [f"重点任务（{tasks.height}项）", f"扶持政策（{subsidies.height}条）", "财政资金安排", f"联席会议（{units.height}个成员单位）",
     "兑现测算"]
)

with tab_tasks:
    aims = data.q("SELECT * FROM aim_progress")
    st.markdown("**政策其他量化要求**（不属于“二、发展目标”的14项目标，按相同规则判断状态）")
    st.dataframe(
        aims.select(
            pl.col("clause").alias("条款"), pl.col("clause_text").alias("原文"),
            pl.format("≥{}", pl.col("target").cast(pl.Int64)).alias("目标值"), pl.col("deadline").alias("期限（年底）"),
            pl.col("actual").alias("实际值"), pl.col("actual_period").alias("统计期"), pl.col("status").alias("状态"),
            pl.col("note").alias("口径"),
        ),
        width="stretch", hide_index=True,
    )
    all_units = sorted({u for col in ("lead_units", "cooperating_units") for v in tasks[col].to_list() for u in v.split(";") if u})
    unit = st.selectbox("按单位筛选（牵头或配合）", ["全部单位", *all_units])
    shown = tasks if unit == "全部单位" else tasks.filter(
        pl.col("lead_units").str.split(";").list.contains(unit) | pl.col("cooperating_units").str.split(";").list.contains(unit))
    # the 督办 light of each task, judged as the 任务督办 page opens (the newest quarter anyone reported for)
    points = data.q("SELECT * FROM task_review_points ORDER BY qi DESC")
    judged = points["judged_on"][lv.default_review(points)] if points.height else data.q("SELECT today FROM calendar_today")["today"][0]
    lights = data.q("SELECT task_id, light, reason, review_quarter FROM task_lights_at(?::DATE)", judged)
    board = shown.join(lights, on="task_id", how="left").with_columns(
        pl.col("task_id").map_elements(lv.task_link, return_dtype=pl.String).alias("link"),
        pl.col("light").map_elements(lv.light_badge, return_dtype=pl.String).alias("badge"),
        pl.col("lead_units").str.replace_all(";", "、").alias("leads"),
        pl.col("cooperating_units").str.replace_all(";", "、").alias("coops"))
    st.markdown(lv.CSS, unsafe_allow_html=True)
    review = lights["review_quarter"][0]
    st.caption(f"单位名称为文件原文全称。“督办”为任务督办页的灯号（{lv.quarter_label(review) if review else '尚无到期季度'}），"
               "点任务编号查看进展和理由。")
    st.markdown(lv.table(board, {"link": "条款", "section_title": "方面", "title": "任务", "leads": "牵头单位",
                                 "coops": "配合单位", "badge": "督办", "reason": "督办理由"},
                         html_columns=("link", "badge"),
                         widths={"link": "6%", "section_title": "11%", "title": "15%", "leads": "11%", "coops": "20%",
                                 "badge": "7%"}), unsafe_allow_html=True)
    pick = st.selectbox("查看任务原文", shown["task_id"].to_list(),
                        format_func=lambda t: f"{t} {tasks.filter(pl.col('task_id') == t)['title'][0]}")
    if pick:
        row = tasks.filter(pl.col("task_id") == pick).row(0, named=True)
        st.markdown(f"> {row['clause_text']}\n>\n> —— {row['task_id']}（牵头单位：{row['lead_units'].replace(';', '、')}；"
                    f"配合单位：{row['cooperating_units'].replace(';', '、')}）")

with tab_subsidy:
    st.info("边界读法：政策条文中“以上”“以下”均含本数，相邻档次在边界重叠时（如年销售额恰为5000万元）按较高档次适用；"
            "“超过”不含本数。  \n年度读法：“连续N年”指一段不间断的N个年度，从对象第一个符合条件的年度（不早于规则的起始年度，"
            "无起始年度的从2015年起）起算；某年不符合条件或未报送即中断，其余年度不再补助（如特色馆2015年承办、2016年未承办、"
            "2017年再承办：只补助2015年）。企业按统一社会信用代码识别，园区、基地、楼宇、村按“所在县区+名称”识别。"
            "下表每条规则旁注明了所用读法。", icon="📏")
    for row in subsidies.iter_rows(named=True):
        with st.expander(f"{row['rule_id']}　{row['summary']}"):
            st.markdown(f"**对象**：{row['beneficiary']}  \n**标准**：{row['amount_text']}  \n**期限**：{row['period_text'] or '—'}")
            st.markdown(f"> {row['clause_text']}\n>\n> —— 河府办〔2015〕43号 {row['clause']}")
            if row["boundary_note"]:
                st.caption(f"边界读法：{row['boundary_note']}")
            if row["years_note"]:
                st.caption(f"年度读法：{row['years_note']}")

with tab_funds:
    st.dataframe(
        funds.select(
            pl.col("clause").alias("条款"), pl.col("scope").alias("范围"),
            pl.col("amount_wan").alias("金额（万元/年）"), pl.col("years").str.replace_all(";", "、").alias("年度"),
            pl.col("clause_text").alias("原文"),
        ),
        width="stretch", hide_index=True,
    )
    st.caption("各项承诺的落实（按年、按资金来源，状态与目标相同）见“资金兑现”页。")

with tab_meeting:
    st.markdown("四(一)：建立河源市发展电子商务联席会议制度，由市长担任总召集人，分管副市长为召集人；"
                "联席会议办公室设在**市商务局**。成员单位：")
    st.markdown("、".join(f"**{u}**" if "办公室" in r else u for u, r in zip(units["unit"], units["role"], strict=True)))

# Rules the forms cannot estimate, and why (etl/sql/40_subsidies.sql estimates the others).
NOT_ESTIMATED = [
    ("三(二)2", "市级电子商务公共服务中心运营资金", "每年固定安排30万元，不按报表数据测算，见“财政资金安排”"),
    ("三(四)4", "新型电商业务模式龙头企业研发补助", "报表有研发费用，但没有“新型电商业务模式龙头企业”的认定，无法确定扶持对象"),
]

with tab_estimate:
    st.info("**测算，不是兑现决定**：以下金额按各县区报送的企业名录（F2）、孵化基地和产业园情况表（F3）、电商培训台账（F4）、"
            "农村电商与示范认定表（F6）逐条套用扶持政策估算，未经企业申请、部门认定和审核，不代表实际兑现。  \n"
            "**边界读法**（全部规则一致）：“以上”“以下”均含本数，相邻档次在边界重叠时按较高档次适用（年销售额恰为5000万元适用80万元档，"
            "恰为1亿元适用100万元档，恰为2000万元适用50万元档）；“超过”不含本数（网上销售额须大于500万元，建筑面积须大于2000㎡，"
            "入驻率须大于60%）。  \n**年度读法**：“连续N年”为一段不间断的年度，某年不符合条件或未报送即中断，之后不再补助；"
            "各规则的具体读法见“扶持政策”。", icon="🧮")
    est = data.q("SELECT e.*, r.name AS region_name FROM subsidy_estimates e LEFT JOIN regions r USING (region_code)")
    if est.is_empty():
        st.caption("报送数据中暂无适用扶持政策的企业或单位。")
    else:
        est_years = sorted(set(est["year"].to_list()), reverse=True)
        year = st.selectbox("年度", est_years, key="subsidy_year", format_func=lambda y: f"{y}年")
        shown = est.filter(pl.col("year") == year)
        clause_order = {c: i for i, c in enumerate(tasks["task_id"].to_list())}
        rules = shown.group_by("clause").agg(pl.col("rule_id").unique().sort().str.join("、").alias("rules"))
        summary = (data.q("SELECT * FROM subsidy_summary WHERE year = ?", year)
                   .join(tasks.select(pl.col("task_id").alias("clause"), "title"), on="clause", how="left")
                   .join(rules, on="clause", how="left")
                   .sort(pl.col("clause").replace_strict(clause_order, default=len(clause_order))))
        c1, c2 = st.columns(2)
        c1.metric(f"{year}年测算金额合计", f"{shown['amount_wan'].sum():,.2f} 万元")
        c2.metric("涉及企业或单位", f"{shown['entity_key'].n_unique()} 个")
        st.markdown(f"**{year}年按条款汇总**")
        st.dataframe(
            summary.select(pl.col("clause").alias("条款"), pl.col("title").alias("任务"), pl.col("rules").alias("规则"),
                           pl.col("entities").alias("企业或单位数"), pl.col("amount_wan").alias("测算金额（万元）")),
            width="stretch", hide_index=True,
        )
        st.markdown(f"**{year}年逐家测算**")
        st.dataframe(
            shown.sort("rule_id", "region_code", "entity_name").select(
                pl.col("rule_id").alias("规则"), pl.col("region_name").alias("县区"), pl.col("entity_name").alias("企业或单位"),
                pl.col("amount_wan").alias("测算金额（万元）"), pl.col("basis").alias("测算依据"), pl.col("note").alias("说明"),
            ),
            width="stretch", hide_index=True,
        )
    st.markdown("**未测算的规则**")
    st.dataframe(pl.DataFrame(NOT_ESTIMATED, schema=["规则", "扶持政策", "未测算原因"], orient="row"),
                 width="stretch", hide_index=True)
