"""政策条款 — the policy as the monitor encodes it: tasks and their units, subsidy rules, funds, the
joint meeting. Every clause is quoted from 河府办〔2015〕43号 with its section number."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data

st.title("政策条款")
st.caption("《河源市人民政府办公室关于推动河源市电子商务发展的意见》（河府办〔2015〕43号，2015年12月10日）。"
           "下列条款原文均摘自文件，条款编号如“三(一)2”即第三部分第（一）项第2条。")

tasks = data.q("SELECT * FROM tasks")
subsidies = data.q("SELECT * FROM subsidies")
funds = data.q("SELECT * FROM fiscal_commitments")
units = data.q("SELECT * FROM joint_meeting_units ORDER BY CAST(sort_order AS INTEGER)")

tab_tasks, tab_subsidy, tab_funds, tab_meeting = st.tabs(
    [f"重点任务（{tasks.height}项）", f"扶持政策（{subsidies.height}条）", "财政资金安排", f"联席会议（{units.height}个成员单位）"]
)

with tab_tasks:
    all_units = sorted({u for col in ("lead_units", "cooperating_units") for v in tasks[col].to_list() for u in v.split(";") if u})
    unit = st.selectbox("按单位筛选（牵头或配合）", ["全部单位", *all_units])
    shown = tasks if unit == "全部单位" else tasks.filter(
        pl.col("lead_units").str.contains(unit, literal=True) | pl.col("cooperating_units").str.contains(unit, literal=True))
    st.dataframe(
        shown.select(
            pl.col("task_id").alias("条款"), pl.col("section_title").alias("方面"), pl.col("title").alias("任务"),
            pl.col("lead_units").str.replace_all(";", "、").alias("牵头单位"),
            pl.col("cooperating_units").str.replace_all(";", "、").alias("配合单位"),
        ),
        width="stretch", hide_index=True,
    )
    pick = st.selectbox("查看任务原文", shown["task_id"].to_list(),
                        format_func=lambda t: f"{t} {tasks.filter(pl.col('task_id') == t)['title'][0]}")
    if pick:
        row = tasks.filter(pl.col("task_id") == pick).row(0, named=True)
        st.markdown(f"> {row['clause_text']}\n>\n> —— {row['task_id']}（牵头单位：{row['lead_units'].replace(';', '、')}；"
                    f"配合单位：{row['cooperating_units'].replace(';', '、')}）")

with tab_subsidy:
    st.info("边界读法：政策条文中“以上”“以下”均含本数，相邻档次在边界重叠时（如年销售额恰为5000万元）按较高档次适用；"
            "“超过”不含本数。下表每条规则旁注明了所用读法。", icon="📏")
    for row in subsidies.iter_rows(named=True):
        with st.expander(f"{row['rule_id']}　{row['summary']}"):
            st.markdown(f"**对象**：{row['beneficiary']}  \n**标准**：{row['amount_text']}  \n**期限**：{row['period_text'] or '—'}")
            st.markdown(f"> {row['clause_text']}\n>\n> —— 河府办〔2015〕43号 {row['clause']}")
            if row["boundary_note"]:
                st.caption(f"边界读法：{row['boundary_note']}")

with tab_funds:
    st.dataframe(
        funds.select(
            pl.col("clause").alias("条款"), pl.col("scope").alias("范围"),
            pl.col("amount_wan").alias("金额（万元/年）"), pl.col("years").str.replace_all(";", "、").alias("年度"),
            pl.col("clause_text").alias("原文"),
        ),
        width="stretch", hide_index=True,
    )
    st.caption("资金兑现情况需要报送“政策资金兑现表”后才能监测；目前仅列出文件中的资金承诺。")

with tab_meeting:
    st.markdown("四(一)：建立河源市发展电子商务联席会议制度，由市长担任总召集人，分管副市长为召集人；"
                "联席会议办公室设在**市商务局**。成员单位：")
    st.markdown("、".join(f"**{u}**" if "办公室" in r else u for u, r in zip(units["unit"], units["role"], strict=True)))
