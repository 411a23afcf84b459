"""任务督办, 资金兑现 and the task table of 政策条款, run by AppTest on small warehouses loaded by the real ETL
(the homes of tests/test_levers.py, whose values are worked out by hand there), and the downloads' safety.

What a user would notice: the headline counts, each light's words and reason, the unit counts, who has not reported,
a task's history; the commitments' statuses, the money from estimate to payment, the flags; full unit names and
links on 政策条款; hostile text shown as text; downloads whose cells cannot run as formulas.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import polars as pl
import pytest
import streamlit as st
from conftest import cli
from e2e_support import markdown_text, open_app_page
from test_levers import E1, E2, E3, SCHOOL, load_with_dates, make_funds_home, make_tasks_home

from etl import exports

TASKS, FUNDS, POLICY = "app_pages/tasks.py", "app_pages/funds.py", "app_pages/policy.py"


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_data.clear()


@pytest.fixture
def tasks_home(home, tmp_path, monkeypatch):
    return make_tasks_home(home, tmp_path, monkeypatch)


@pytest.fixture
def funds_home(home, tmp_path, monkeypatch):
    return make_funds_home(home, tmp_path, monkeypatch)


def tab(at, label: str):
    return next(t for t in at.tabs if t.label == label)


# ---- 任务督办 ---------------------------------------------------------------------------------------------------

def test_the_task_page_opens_on_the_last_due_quarter_with_the_lights_and_their_reasons(tasks_home):
    at = open_app_page(TASKS)
    text = markdown_text(at)
    # tests/test_levers.py: red 14, yellow 3 (三(一)3, 三(二)2, 三(二)3), green 4, grey 1 (三(二)1)
    assert "2024年第三季度（报送截止2024-10-15，按2024-10-20判断）：22项任务中 红灯14项、黄灯3项、绿灯4项、灰灯1项。" in text
    board = markdown_text(tab(at, "任务灯号"))
    assert "市商务局报告2024年第三季度进展滞后：财政资金未到位" in board
    assert "市金融局未报送2024年第三季度进展（截止2024-10-15）" in board
    # every light says its word and meaning beside the colour
    assert "● 红灯<br><small>需督办</small>" in board and "✔ 灰灯<br><small>已销号</small>" in board
    # full unit names, never cut
    assert "河源海关、河源检验检疫局、国家外管局河源支局、市国税局、市地税局" in board
    assert not at.warning or all("没有任何单位报送" not in w.value for w in at.warning)  # the last due quarter has reports


def test_only_red_lights_and_the_red_first_order(tasks_home):
    at = open_app_page(TASKS)
    at.multiselect(key="task_light_filter").set_value(["黄灯"]).run()
    board = markdown_text(tab(at, "任务灯号"))
    assert board.count("lv-light") == 3
    assert board.index("三(一)3") < board.index("三(二)2") < board.index("三(二)3")


def test_an_earlier_quarter_is_judged_on_the_next_quarters_due_date(tasks_home):
    at = open_app_page(TASKS)
    at.selectbox(key="task_quarter").set_value("2024Q2").run()
    assert not at.exception
    text = markdown_text(at)
    assert "2024年第二季度（报送截止2024-07-15，按2024-10-15判断）" in text
    assert "牵头单位已报送2024年第二季度进展（市金融局：推进中）" in markdown_text(tab(at, "任务灯号"))


def test_units_tab_counts_what_each_unit_leads_and_cooperates_on(tasks_home):
    at = open_app_page(TASKS)
    units = markdown_text(tab(at, "按单位"))
    assert "<td>市商务局</td><td>15项（三(一)1、三(一)2、三(一)3、三(一)4、三(二)1、三(二)2、三(二)3、三(三)1、三(三)3、" in units
    at.selectbox(key="task_unit").set_value("市金融局").run()
    mine = markdown_text(tab(at, "按单位"))
    assert "**市金融局**：牵头1项、配合0项" in mine
    assert "逾期未报" in mine  # its report on 三(一)5 for 2024Q3


def test_missing_tab_lists_who_has_not_reported_lead_units_first(tasks_home):
    at = open_app_page(TASKS)
    missing = markdown_text(tab(at, "未报送"))
    # 2024Q3: 96 owed, 11 on time (sent on the due date), 1 late (三(三)5), 84 missing of which 4 lead units'
    assert "应报96份：按时报送11份、逾期报送1份、逾期未报84份（其中牵头单位" in missing
    first_rows = missing.split("<tbody>")[1].split("</tr>")[:4]
    assert all("<td>牵头</td>" in r for r in first_rows)
    assert "<td>市金融局</td><td>牵头</td><td>三(一)5 鼓励电子商务企业上市融资</td><td>2024-10-15</td><td>5天</td>" in missing


def test_a_tasks_history_and_the_link_from_the_policy_page(tasks_home):
    at = open_app_page(TASKS)
    at.selectbox(key="task_pick").set_value("三(一)2").run()
    history = [df.value for df in tab(at, "任务进展历史").dataframe]
    assert history[0]["存在问题"].tolist() == ["财政资金未到位"]
    # arriving with ?task=… shows the task above the tabs
    at = open_app_page()
    at.query_params["task"] = "三(三)3"
    at.switch_page(TASKS).run()
    assert not at.exception
    assert "团市委报告2024年第三季度进展滞后：经费未落实" in markdown_text(at)
    assert at.dataframe[0].value["报送单位"].tolist()[:2] == ["市商务局", "团市委"]


def test_hostile_progress_text_is_shown_as_text(home, tmp_path, monkeypatch):
    monkeypatch.setenv("ECMON_TODAY", "2024-10-20")
    evil = "<img src=x onerror=alert(1)> **粗体** [链接](javascript:alert(1)) $x$\n\n# 标题 :red[红]"
    load_with_dates(tmp_path, {"q3.xlsx": ("2024-10-10", [["2024Q3", "三(一)1", "市商务局", "滞后", "进展", evil, None]])})
    at = open_app_page(TASKS)
    board = markdown_text(tab(at, "任务灯号"))
    assert "<img" not in board and "&lt;img src=x onerror=alert(1)&gt;" in board
    assert "**" not in board and "&#42;&#42;粗体&#42;&#42;" in board
    assert "](javascript" not in board and "&#36;x&#36;" in board
    assert "<br><br>&#35; 标题 &#58;red&#91;红&#93;" in board  # the blank line cannot end the HTML block


def test_no_reports_yet(home):
    assert cli("build")[0] == 0
    at = open_app_page(TASKS)
    assert any("还没有任何单位报送" in i.value for i in at.info)
    assert "22项任务中 无数据22项。" in markdown_text(at)


# ---- 资金兑现 ---------------------------------------------------------------------------------------------------

def test_the_funds_page_headline_and_the_commitments(funds_home):
    at = open_app_page(FUNDS)
    text = markdown_text(at)
    # 12 rows; paid 10+500+2+5+5+30+30+120+50 (市商务局) + 10 (市财政局) + 3+5 (counties) = 770
    assert "截至2017-06-30：已报送兑现12行，已拨付合计770万元；超额拨付2项、无测算依据2项、应享未申1项（测算2万元）。" in text
    commit = markdown_text(tab(at, "财政资金承诺"))
    # the 2017 row of 四(二) 全市统筹: 562 + 8 = 570 of 3000 (19%), 滞后; 535 of it pays 2016's policies
    assert "2017年：滞后，计入570万元（19.0%），其中用于落实2016年度政策535万元" in commit
    assert "2017年：进度正常，计入562万元（56.2%），其中用于落实2016年度政策527万元" in commit
    assert "2016年：未达标，计入120万元（40.0%）" in commit  # training: 省级 50 not counted
    assert "2018年：无数据（没有任何拨付记录）" in commit


def test_progress_from_estimate_to_payment_for_a_policy_year(funds_home):
    at = open_app_page(FUNDS)
    assert at.selectbox(key="funds_year").value == 2016  # the latest year paid the year after
    metrics = {m.label: m.value for m in tab(at, "兑现进度").metric}
    # 2016: 测算 10 + 2 + 5 + 12 = 29; 申请 500 + 15 + 2 + 8 + 30 + 120 = 675; 拨付 500 + 25 + 2 + 8 + 30 + 170 = 735
    assert metrics == {"测算应享（万元，估算）": "29", "申请（万元）": "675", "核定（万元）": "675", "已拨付（万元）": "735"}
    at.selectbox(key="funds_region").set_value("441623").run()
    metrics = {m.label: m.value for m in tab(at, "兑现进度").metric}
    assert metrics["测算应享（万元，估算）"] == "5" and metrics["已拨付（万元）"] == "8"  # the village: 5 + 3 (连平县)


def test_flags_name_the_enterprises_an_inspection_asks_about(funds_home):
    at = open_app_page(FUNDS)
    frames = [df.value for df in tab(at, "需关注").dataframe]
    over, none, missed = frames
    assert sorted(over["对象"]) == sorted([E1[0], SCHOOL])
    assert sorted(none["对象"]) == sorted([E1[0], E3[0]])
    assert missed["对象"].tolist() == [E2[0]] and missed["测算应享（万元，测算）"].tolist() == [2.0]


def test_the_chain_of_one_enterprise(funds_home):
    at = open_app_page(FUNDS)
    at.text_input(key="chain_name").set_value("示例食品").run()
    chain = tab(at, "兑现链条").dataframe[0].value
    assert sorted(chain["条款"]) == ["三(一)2", "三(一)3"]
    at.selectbox(key="chain_pick").set_value((E1[1], "三(一)3", 2016, E1[0])).run()
    rows = tab(at, "兑现链条").dataframe[1].value
    assert sorted(zip(rows["资金来源"], rows["已拨付（万元）"], strict=True)) == [("县区", 5.0), ("市本级", 10.0), ("市本级", 10.0)]
    assert "超额拨付：市本级核定10.00万元，已拨付20.00万元（2行）" in markdown_text(tab(at, "兑现链条"))


def test_no_payments_yet(home):
    assert cli("build")[0] == 0
    at = open_app_page(FUNDS)
    assert any("还没有报送“政策资金兑现表”" in i.value for i in at.info)
    assert "无数据" in markdown_text(tab(at, "财政资金承诺"))


# ---- 政策条款 ---------------------------------------------------------------------------------------------------

def test_policy_tasks_show_full_unit_names_and_link_to_their_supervision(tasks_home):
    at = open_app_page(POLICY)
    tasks = markdown_text(at.tabs[0])
    assert "<td>市工商局、人行河源市中心支行、市农业局、市质监局、河源检验检疫局、市商务局、市统计局</td>" in tasks
    assert '<a href="tasks?task=%E4%B8%89%28%E4%B8%89%296" target="_self">三(三)6</a>' in tasks
    assert "市商务局报告2024年第三季度进展滞后：财政资金未到位" in tasks
    at.selectbox[0].set_value("市科技局").run()
    assert markdown_text(at.tabs[0]).count("<a href=") == 4  # leads 三(三)2, cooperates on 三(二)2, 三(二)3, 三(四)4


# ---- downloads ---------------------------------------------------------------------------------------------

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "示例公司"]


def test_downloads_never_start_a_formula():
    frame = pl.DataFrame({"名称": HOSTILE, "金额": [1.5] * len(HOSTILE)})
    rows = list(csv.reader(io.StringIO(exports.csv_bytes(frame).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "'\rx", "示例公司"]
    assert rows[1][1] == "1.5"
    ws = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes({"表": frame}))).worksheets[0]
    assert [(c.value, c.data_type) for c in ws["A"][1:4]] == [("=1+1", "s"), ("+SUM(A1)", "s"), ("-2+3", "s")]
    assert ws["B2"].value == 1.5 and ws["B2"].data_type == "n"
