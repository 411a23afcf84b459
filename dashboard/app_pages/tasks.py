"""任务督办 — the 22 tasks of 三、明确任务 supervised by their lead units (F8 重点任务进展表): which are on track, late or
done; what each unit leads and cooperates on; who has not reported which task this quarter; the history of a task.
The lights and the calendar are worked out in the warehouse (etl/sql/60_tasks.sql); this page only shows them."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data, ui
from dashboard import levers as lv

st.title("任务督办")
st.caption("《意见》三、明确任务的22项重点任务，每项有牵头单位和配合单位（文件原文）。各单位按季度报送“重点任务进展表”（F8），"
           "季度结束后15天内报送；按牵头单位督办，灯号的理由写在灯旁。")
st.markdown(lv.CSS, unsafe_allow_html=True)

points = data.q("SELECT * FROM task_review_points ORDER BY qi DESC")
today = data.q("SELECT today FROM calendar_today")["today"][0]

if points.is_empty():
    judge, review = today, None
    st.info("还没有任何单位报送“重点任务进展表”（F8），报送日历从第一次报送的季度开始。下面列出22项任务及其牵头、配合单位；"
            "空白模板在“数据报送”页下载。")
else:
    quarters = points["quarter"].to_list()
    default = lv.default_review(points)
    if default:
        st.warning(f"按今天（{today:%Y-%m-%d}）计，{lv.quarter_label(quarters[default - 1])}至{lv.quarter_label(quarters[0])}"
                   f"共{default}个到期季度没有任何单位报送进展，各牵头单位均为逾期未报。下面默认按最近一次有报送的"
                   f"{lv.quarter_label(quarters[default])}督办，可在下面选择更晚的季度查看。", icon="⚠️")
    review = st.selectbox(
        "督办季度", quarters, index=default, key="task_quarter",
        format_func=lambda q: (f"{lv.quarter_label(q)}（截止{points.filter(pl.col('quarter') == q)['due_date'][0]:%Y-%m-%d}，"
                               f"按{points.filter(pl.col('quarter') == q)['judged_on'][0]:%Y-%m-%d}判断）"))
    judge = points.filter(pl.col("quarter") == review)["judged_on"][0]

lights = data.q("SELECT * FROM task_lights_at(?::DATE) ORDER BY task_order", judge)
calendar = data.q("SELECT * FROM task_calendar_at(?::DATE) ORDER BY qi, task_order, unit_order", judge)
units = data.q("SELECT * FROM unit_tasks ORDER BY unit_sort")
tasks = data.q("SELECT task_id, title, clause_text, lead_units, cooperating_units FROM tasks")
now = calendar.filter(pl.col("quarter") == review) if review else calendar.clear()

counts = dict(lights.group_by("light").len().iter_rows())
parts = [f"{light}{counts[light]}项" for light in lv.LIGHT_ORDER if counts.get(light)]
when = (f"{lv.quarter_label(review)}（报送截止{lights['review_due_date'][0]:%Y-%m-%d}，按{judge:%Y-%m-%d}判断）" if review
        else f"{judge:%Y-%m-%d}")
st.markdown(f'<div class="headline">{lv.text(when)}：22项任务中 {lv.text("、".join(parts))}。</div>', unsafe_allow_html=True)
st.markdown(lv.chips(counts), unsafe_allow_html=True)


def task_label(task_id: str) -> str:
    row = tasks.filter(pl.col("task_id") == task_id)
    return f"{task_id} {row['title'][0]}" if row.height else task_id


def task_detail(task_id: str, where: str) -> None:
    """One task: the clause, its units, its light and reason, its history chart and every report (``where``: which
    place on the page, so that the same task can be shown twice)."""
    row = tasks.filter(pl.col("task_id") == task_id).row(0, named=True)
    light = lights.filter(pl.col("task_id") == task_id).row(0, named=True)
    st.markdown(f"<div>{lv.light_badge(light['light'])} <b>{lv.text(task_label(task_id))}</b></div>"
                f'<p class="lv-muted">{lv.text(light["reason"])}</p>', unsafe_allow_html=True)
    st.markdown(f"**牵头单位**：{lv.text(light['lead_units'])}　**配合单位**：{lv.text(light['cooperating_units'] or '—')}",
                unsafe_allow_html=True)
    with st.expander("政策原文"):
        st.text(row["clause_text"])
    owed = calendar.filter(pl.col("task_id") == task_id)
    marks = owed.filter(pl.col("status").is_not_null() | (pl.col("report_status") == "逾期未报")).with_columns(
        pl.col("status").fill_null("未报送"))
    if marks.height:
        st.plotly_chart(lv.task_history_chart(marks.select("quarter", "unit", "status"),
                                              owed.unique("unit", maintain_order=True)["unit"].to_list()),
                        config={"displayModeBar": False}, key=f"history_{where}_{task_id}")
        st.caption("每行一个单位，每个点一个季度：形状和颜色表示进展状态（图例）；空心红圈为应报未报。")
    history = data.q("SELECT * FROM task_progress WHERE task_id = ? ORDER BY qi DESC, role, unit", task_id)
    if history.is_empty():
        st.caption("该任务还没有进展报告。")
        return
    st.dataframe(
        history.select(
            pl.col("quarter").alias("季度"), pl.col("unit").alias("报送单位"), pl.col("role").alias("角色"),
            pl.col("status").alias("进展状态"), pl.col("progress").alias("进展情况"), pl.col("problems").alias("存在问题"),
            pl.col("next_steps").alias("下一步计划"), pl.col("submitted_on").alias("报送日期"),
            pl.col("timeliness").alias("是否按时"), pl.col("file").alias("文件")),
        hide_index=True, width="stretch", key=f"history_table_{where}_{task_id}", placeholder="—",
        column_config={"进展情况": st.column_config.TextColumn(width="large"),
                       "存在问题": st.column_config.TextColumn(width="medium")})


asked = st.query_params.get("task")
if asked and asked in set(lights["task_id"].to_list()):
    with st.container(border=True):
        st.markdown("**从政策条款页进入的任务**")
        task_detail(asked, "asked")

tab_lights, tab_units, tab_missing, tab_history = st.tabs(["任务灯号", "按单位", "未报送", "任务进展历史"])

with tab_lights:
    f1, f2 = st.columns([3, 2])
    shown_lights = f1.multiselect("只看", lv.LIGHT_ORDER, default=[], key="task_light_filter", placeholder="全部灯号",
                                  format_func=lambda x: f"{x}（{lv.LIGHTS[x][3]}）")
    order = f2.radio("排序", ["按灯号（红灯在前）", "按任务编号"], horizontal=True, key="task_order")
    shown = lights.filter(pl.col("light").is_in(shown_lights)) if shown_lights else lights
    if order.startswith("按灯号"):
        shown = shown.sort(pl.col("light").replace_strict({k: i for i, k in enumerate(lv.LIGHT_ORDER)}), "task_order")
    board = shown.with_columns(
        pl.col("light").map_elements(lv.light_badge, return_dtype=pl.String).alias("badge"),
        (pl.col("task_id") + " " + pl.col("title")).alias("task"),
        pl.when(pl.col("lead_quarter").is_not_null())
          .then(pl.col("lead_status") + "（" + pl.col("lead_quarter") + "）").otherwise(pl.lit("—")).alias("latest"))
    st.markdown(lv.table(board, {"badge": "灯号", "task": "任务", "lead_units": "牵头单位", "cooperating_units": "配合单位",
                                 "latest": "牵头单位最新状态", "reason": "理由"},
                         html_columns=("badge",),
                         widths={"badge": "7%", "task": "17%", "lead_units": "12%", "cooperating_units": "20%",
                                 "latest": "10%"}),
                unsafe_allow_html=True)
    out = lights.select(pl.col("task_id").alias("任务编号"), pl.col("title").alias("任务"), pl.col("light").alias("灯号"),
                        pl.col("reason").alias("理由"), pl.col("lead_units").alias("牵头单位"),
                        pl.col("cooperating_units").alias("配合单位"), pl.col("lead_status").alias("牵头单位最新状态"),
                        pl.col("lead_quarter").alias("最新报告季度"), pl.col("review_quarter").alias("督办季度"),
                        pl.col("judged_on").alias("判断日期"))
    stem = f"任务督办_{review or judge}"
    ui.download_pair(stem, {"任务灯号": out}, "dl_lights", [f"{k}：{v}" for k, v in lv.LIGHT_HELP.items()])

with tab_units:
    due = now.filter(pl.col("report_status") != "已销号").group_by("unit").agg(
        pl.len().alias("owed"), pl.col("status").is_not_null().sum().alias("sent"),
        (pl.col("report_status") == "逾期未报").sum().alias("missing"))
    overview = units.join(due, on="unit", how="left").with_columns(
        (pl.col("tasks_led").cast(pl.String) + "项" + pl.when(pl.col("led_task_ids") != "")
         .then("（" + pl.col("led_task_ids") + "）").otherwise(pl.lit(""))).alias("led"),
        (pl.col("tasks_cooperating").cast(pl.String) + "项").alias("coop"),
        pl.col("owed").fill_null(0), pl.col("sent").fill_null(0), pl.col("missing").fill_null(0))
    st.markdown(f"**各单位牵头和配合的任务，及{lv.text(lv.quarter_label(review)) if review else '本期'}报送情况**",
                unsafe_allow_html=True)
    st.markdown(lv.table(overview, {"unit": "单位", "led": "牵头", "coop": "配合", "owed": "本期应报", "sent": "已报",
                                    "missing": "逾期未报"}, numeric=("owed", "sent", "missing"),
                         widths={"unit": "18%", "led": "44%"}), unsafe_allow_html=True)
    unit = st.selectbox("查看单位", units["unit"].to_list(), key="task_unit")
    mine = data.q("SELECT * FROM task_units WHERE unit = ? ORDER BY role DESC, task_order", unit)
    u = units.filter(pl.col("unit") == unit).row(0, named=True)
    st.markdown(f"**{lv.text(unit)}**：牵头{u['tasks_led']}项、配合{u['tasks_cooperating']}项", unsafe_allow_html=True)
    rows = mine.join(lights.select("task_id", "light", "reason"), on="task_id", how="left").join(
        now.select("task_id", "unit", "report_status", "status", "progress"), on=["task_id", "unit"], how="left")
    rows = rows.with_columns(
        pl.col("light").map_elements(lv.light_badge, return_dtype=pl.String).alias("badge"),
        pl.col("report_status").map_elements(lv.report_cell, return_dtype=pl.String).alias("report"),
        (pl.col("task_id") + " " + pl.col("title")).alias("task"))
    st.markdown(lv.table(rows, {"role": "角色", "task": "任务", "badge": "任务灯号", "report": "本期报送",
                                "status": "本期状态", "progress": "本期进展情况"},
                         html_columns=("badge", "report"), widths={"role": "5%", "task": "20%", "badge": "8%",
                                                                  "report": "9%", "status": "7%"}),
                unsafe_allow_html=True)

with tab_missing:
    if not review:
        st.caption("还没有到期的季度。")
    else:
        missing = now.filter(pl.col("report_status") == "逾期未报").sort(
            pl.col("role").replace_strict({"牵头": 0, "配合": 1}), "task_order", "unit_order")
        tally = dict(now.group_by("report_status").len().iter_rows())
        st.markdown(f"**{lv.text(lv.quarter_label(review))}**（截止{lights['review_due_date'][0]:%Y-%m-%d}）应报"
                    f"{sum(v for k, v in tally.items() if k != '已销号')}份：按时报送{tally.get('按时报送', 0)}份、"
                    f"逾期报送{tally.get('逾期报送', 0)}份、逾期未报{tally.get('逾期未报', 0)}份"
                    f"（其中牵头单位{missing.filter(pl.col('role') == '牵头').height}份）。", unsafe_allow_html=True)
        st.caption("牵头和配合单位每个季度都应报送；灯号只按牵头单位判断。报送日期为文件的报送日期（补录的历史报表以导入时指定的日期为准，"
                   "未指定的以入库日期计）。")
        table_rows = missing.with_columns((pl.col("task_id") + " " + pl.col("title")).alias("task"),
                                          pl.col("due_date").cast(pl.String).alias("due"),
                                          (pl.col("days_late").cast(pl.String) + "天").alias("late"))
        if missing.is_empty():
            st.success("本季度应报的进展都已报送。")
        else:
            st.markdown(lv.table(table_rows, {"unit": "未报送单位", "role": "角色", "task": "任务", "due": "截止日期",
                                              "late": "已逾期"}, widths={"unit": "18%", "role": "6%", "due": "11%",
                                                                        "late": "8%"}),
                        unsafe_allow_html=True)
        out = missing.select(pl.col("unit").alias("未报送单位"), pl.col("role").alias("角色"), pl.col("task_id").alias("任务编号"),
                             pl.col("title").alias("任务"), pl.col("quarter").alias("季度"), pl.col("due_date").alias("截止日期"),
                             pl.col("days_late").alias("已逾期天数"))
        ui.download_pair(f"任务未报送_{review}", {"未报送": out}, "dl_missing")

with tab_history:
    ids = lights["task_id"].to_list()
    first = asked if asked in ids else next(iter(lights.filter(pl.col("light") == "红灯")["task_id"]), ids[0])
    pick = st.selectbox("任务", ids, index=ids.index(first), format_func=task_label, key="task_pick")
    task_detail(pick, "tab")

with st.expander("判断规则（读法）"):
    st.markdown(
        "- **报告期归入季度**：报告期按其结束的季度计（2024年上半年、2024-06 计入2024年第二季度，年度报告计入第四季度）；"
        "同一单位同一任务同一季度有多份时，取报告期最晚的一份。\n"
        "- **报送日历**：从有单位第一次报送F8的季度起，每项任务的每个牵头和配合单位每季度应报一次，季度结束后15天截止"
        "（如第一季度为4月15日）；截止日当天报送算按时。报告不论何时报送都算已报，按首次报送日期判断按时或逾期。\n"
        "- **督办季度**：判断日之前截止日期已过的最近一个季度；选择某个季度时，按下一季度的截止日（不晚于今天）判断。\n"
        + "\n".join(f"- **{k}**：{v}" for k, v in lv.LIGHT_HELP.items()) +
        "\n- **销号**：牵头单位报告“已完成”并在“进展情况”中写明完成依据（文件、验收等）后，此后各季度不再应报。")
