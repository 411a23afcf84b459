"""The policy's levers, worked out by hand on small homes loaded through the real ETL: the 22 tasks supervised by
lead unit (F8 → task_progress, task_calendar, task_lights, task_reminders, unit_tasks) and the money from
entitlement to payment (subsidy_estimates + F7 → funds_chain, funds_summary, commitments_progress).

The lights (etl/sql/60_tasks.sql) are judged on 2024-10-20: the 督办 quarter is 2024Q3 (its reports were due
2024-10-15). Each rule is shown on both of its sides: a task that is red/yellow/grey/green and one that, by
one difference, is not.
"""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest
from conftest import cli, query, uscc, write_xlsx

from etl import pipeline

D = dt.date
F8_HEADER = ["报告期", "任务编号", "报送单位", "进展状态", "进展情况", "存在问题", "下一步计划"]
F7_HEADER = ["年度", "单位名称", "统一社会信用代码", "政策条款", "申请金额（万元）", "核定金额（万元）", "已拨付金额（万元）",
             "拨付日期", "资金来源", "所在县区"]
SHANGWU, JINRONG, JINGXIN, KEJI = "市商务局", "市金融局", "市经济和信息化局", "市科技局"


def load_with_dates(tmp_path, files: dict[str, tuple[str, list[list]]]) -> None:
    """Load {file name: (date sent, rows)} of F8 in one batch, each file with its own 报送日期 (--dates)."""
    paths = [write_xlsx(tmp_path / name, {"重点任务进展表": [F8_HEADER, *rows]}) for name, (_, rows) in files.items()]
    dates = tmp_path / "报送日期.csv"
    with dates.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["文件", "报送日期"])
        w.writerows([name, sent] for name, (sent, _) in files.items())
    code, out = cli("load", "--dates", dates, *paths)
    assert code == 0, out


Q2 = [  # sent 2024-07-10, on time (due 2024-07-15)
    ["2024Q2", "三(一)1", SHANGWU, "推进中", "引进示例项目一个", None, "签约"],
    ["2024Q2", "三(一)3", SHANGWU, "推进中", "对接规上企业 5家", None, None],
    ["2024Q2", "三(一)4", SHANGWU, "未启动", "筹备", None, None],
    ["2024Q2", "三(一)5", JINRONG, "推进中", "摸排拟挂牌企业", None, None],
    ["2024Q2", "三(二)1", SHANGWU, "推进中", "园区主体完工", None, None],
    ["2024Q2", "三(二)3", SHANGWU, "未启动", "待协会换届", None, None],
    ["2024Q2", "三(三)2", JINGXIN, "推进中", "制定供应链方案", None, None],
    ["2024Q2", "三(三)2", KEJI, "推进中", "征集项目", None, None],
]
Q2_LATE = [["2024-06", "三(三)3", SHANGWU, "推进中", "建设服务点", None, None]]  # sent 2024-07-16: a day late
Q3 = [  # sent 2024-10-15: on the due date itself
    ["2024Q3", "三(一)1", SHANGWU, "推进中", "签约示例项目", None, None],
    ["2024Q3", "三(一)1", "市教育局", "滞后", "无", "不是本单位任务", None],  # not its task: no effect on the light
    ["2024Q3", "三(一)2", SHANGWU, "滞后", "贴息资金未拨付", "财政资金未到位", "协调市财政局"],
    ["2024Q3", "三(一)3", SHANGWU, "推进中", "对接规上企业5家", None, None],  # same text as Q2 but for a space
    ["2024Q3", "三(一)4", SHANGWU, "推进中", "筹备", None, None],  # same text, the status moved on
    ["2024Q3", "三(二)1", SHANGWU, "已完成", "示例产业园建成并通过验收（示例〔2024〕1号）", None, None],
    ["2024Q3", "三(二)2", SHANGWU, "已完成", None, None, None],  # done, but no evidence named
    ["2024Q3", "三(二)3", SHANGWU, "未启动", "协会换届推迟", None, None],
    ["2024-09", "三(三)1", SHANGWU, "未启动", "拟对接平台", None, None],  # a month: counts for 2024Q3
    ["2024Q3", "三(三)2", JINGXIN, "推进中", "试点企业3家", None, None],
    ["2024Q3", "三(三)3", SHANGWU, "推进中", "服务点20个", None, None],
    ["2024Q3", "三(三)3", "团市委", "滞后", "青年电商培训未开班", "经费未落实", None],
]
Q3_LATE = [["2024Q3", "三(三)5", SHANGWU, "推进中", "拓展文旅电商", None, None]]  # sent 2024-10-18
Q4_EARLY = [["2024Q4", "三(三)6", SHANGWU, "推进中", "对接海关", None, None]]  # sent 2024-10-19, for the next quarter


def make_tasks_home(home, tmp_path, monkeypatch):
    """The F8 reports above, each file with its send date, judged on 2024-10-20."""
    monkeypatch.setenv("ECMON_TODAY", "2024-10-20")
    load_with_dates(tmp_path, {
        "q2.xlsx": ("2024-07-10", Q2), "q2补报.xlsx": ("2024-07-16", Q2_LATE), "q3.xlsx": ("2024-10-15", Q3),
        "q3补报.xlsx": ("2024-10-18", Q3_LATE), "q4.xlsx": ("2024-10-19", Q4_EARLY)})
    return home


@pytest.fixture
def tasks_home(home, tmp_path, monkeypatch):
    return make_tasks_home(home, tmp_path, monkeypatch)


def lights(home, judge: str | None = None) -> dict[str, tuple[str, str]]:
    sql = f"SELECT task_id, light, reason FROM task_lights_at(DATE '{judge}')" if judge else \
        "SELECT task_id, light, reason FROM task_lights"
    return {t: (light, reason) for t, light, reason in query(home, sql)}


def test_lights_of_the_tasks_judged_after_the_third_quarters_deadline(tasks_home):
    got = lights(tasks_home)
    assert len(got) == 22
    assert got["三(一)1"] == ("绿灯", "牵头单位已报送2024年第三季度进展（市商务局：推进中）")
    # red: the latest report says 滞后 (with its problem) …
    assert got["三(一)2"] == ("红灯", "市商务局报告2024年第三季度进展滞后：财政资金未到位")
    # … also when a cooperating unit says so while the lead unit is on track
    assert got["三(三)3"] == ("红灯", "团市委报告2024年第三季度进展滞后：经费未落实")
    # red: a lead unit's report for the 督办 quarter is missing (only the one that is missing is named)
    assert got["三(一)5"] == ("红灯", "市金融局未报送2024年第三季度进展（截止2024-10-15）")
    assert got["三(三)2"] == ("红灯", "市科技局未报送2024年第三季度进展（截止2024-10-15）")
    assert got["三(三)4"] == ("红灯", "市商务局未报送2024年第三季度进展（截止2024-10-15）")
    # a report for the next quarter does not stand in for the missing one
    assert got["三(三)6"][0] == "红灯"
    # a late report is not a missing one
    assert got["三(三)5"][0] == "绿灯"
    # yellow: the same status and the same text two periods running (spaces ignored) …
    assert got["三(一)3"] == ("黄灯", "市商务局连续两期（2024年第二季度、2024年第三季度）进展无变化（推进中，进展情况相同）")
    # … but the same text with the status moved on is progress
    assert got["三(一)4"][0] == "绿灯"
    # yellow: 未启动 twice, whatever the text; 未启动 once is not yet
    assert got["三(二)3"] == ("黄灯", "市商务局连续两期（2024年第二季度、2024年第三季度）未启动")
    assert got["三(三)1"] == ("绿灯", "牵头单位已报送2024年第三季度进展（市商务局：未启动）")
    # grey: 已完成 with its evidence; yellow: 已完成 without one
    assert got["三(二)1"] == ("灰灯", "已完成销号（市商务局报告2024年第三季度）：示例产业园建成并通过验收(示例〔2024〕1号)")  # text is stored NFKC
    assert got["三(二)2"] == ("黄灯", "市商务局报告2024年第三季度已完成，但未写明完成依据，不能销号")
    assert [t for t, (light, _) in got.items() if light == "红灯"] == [
        "三(一)2", "三(一)5", "三(三)2", "三(三)3", "三(三)4", "三(三)6", "三(四)1", "三(四)2", "三(四)3", "三(四)4",
        "三(五)1", "三(五)2", "三(五)3", "三(五)4"]
    assert query(tasks_home, "SELECT DISTINCT review_quarter, review_due_date, judged_on FROM task_lights") == [
        ("2024Q3", D(2024, 10, 15), D(2024, 10, 20))]


def test_the_deadline_day_itself_is_not_yet_overdue(tasks_home):
    # on 2024-10-15 the 督办 quarter is still 2024Q2, which 市金融局 reported; a day later it is 2024Q3, which it did not
    assert lights(tasks_home, "2024-10-15")["三(一)5"] == ("绿灯", "牵头单位已报送2024年第二季度进展（市金融局：推进中）")
    assert lights(tasks_home, "2024-10-16")["三(一)5"][0] == "红灯"


def test_the_calendar_says_who_reported_on_time_late_or_not_at_all(tasks_home):
    status = {(t, u, q): s for t, u, q, s in query(
        tasks_home, "SELECT task_id, unit, quarter, report_status FROM task_calendar")}
    assert status[("三(一)1", SHANGWU, "2024Q2")] == "按时报送"
    assert status[("三(一)1", SHANGWU, "2024Q3")] == "按时报送"  # sent on the due date
    assert status[("三(三)3", SHANGWU, "2024Q2")] == "逾期报送"  # a month's report (2024-06) sent a day late
    assert status[("三(三)5", SHANGWU, "2024Q3")] == "逾期报送"
    assert status[("三(一)5", JINRONG, "2024Q3")] == "逾期未报"
    assert status[("三(三)6", SHANGWU, "2024Q4")] == "按时报送"  # early, for a quarter not yet due
    assert status[("三(一)1", SHANGWU, "2024Q4")] == "未到期"
    assert status[("三(二)1", SHANGWU, "2024Q4")] == "已销号"  # closed in 2024Q3: nothing more owed
    assert status[("三(二)1", "市财政局", "2024Q4")] == "已销号"
    assert status[("三(二)2", SHANGWU, "2024Q4")] == "未到期"  # 已完成 without evidence is not closed
    # the calendar starts with the first quarter anyone reported (2024Q2) and owes lead and cooperating units
    assert query(tasks_home, "SELECT min(quarter), max(quarter), count(DISTINCT unit) FROM task_calendar") == [
        ("2024Q2", "2024Q4", 30)]
    assert ("市教育局", "三(一)1") not in {(u, t) for t, u, _ in status}
    assert query(tasks_home, "SELECT role FROM task_progress WHERE unit = '市教育局'") == [("非责任单位",)]


def test_reminders_list_who_owes_which_task_report_and_for_how_long(tasks_home):
    rows = query(tasks_home, "SELECT task_id, unit, role, quarter, due_date, days_late FROM task_reminders")
    assert ("三(一)5", JINRONG, "牵头", "2024Q3", D(2024, 10, 15), 5) in rows
    assert ("三(一)1", "市国土资源局", "配合", "2024Q2", D(2024, 7, 15), 97) in rows
    assert not [r for r in rows if r[3] == "2024Q4"]  # not due yet
    assert not [r for r in rows if r[0] == "三(二)1" and r[3] == "2024Q4"]
    # 96 task-unit pairs owe 2 quarters each (2024Q2, 2024Q3); 9 + 12 reports of responsible units came in
    assert len(rows) == 96 * 2 - 9 - 12


def test_each_units_tasks_are_counted_by_role(tasks_home):
    rows = {u: (led, coop, ids) for u, led, coop, ids in query(
        tasks_home, "SELECT unit, tasks_led, tasks_cooperating, led_task_ids FROM unit_tasks")}
    assert rows[SHANGWU][:2] == (15, 6)
    assert rows["市人力资源社会保障局"] == (2, 2, "三(五)2、三(五)3")
    assert rows[KEJI][:2] == (1, 3)  # co-lead of 三(三)2
    assert query(tasks_home, "SELECT unit FROM unit_tasks ORDER BY unit_sort LIMIT 2") == [("市发展改革局",), (JINGXIN,)]
    assert query(tasks_home, "SELECT count(*), count(DISTINCT task_id) FROM task_units WHERE role = '牵头'") == [(24, 22)]


def test_history_of_a_task_keeps_every_quarter_and_the_latest_report_of_a_quarter_wins(home, tmp_path, monkeypatch):
    monkeypatch.setenv("ECMON_TODAY", "2024-10-20")
    load_with_dates(tmp_path, {
        "a.xlsx": ("2024-04-10", [["2024-02", "三(一)1", SHANGWU, "推进中", "二月进展", None, None],
                                  ["2024-03", "三(一)1", SHANGWU, "推进中", "三月进展", None, None]]),
        "b.xlsx": ("2024-07-10", [["2024年上半年", "三(一)1", SHANGWU, "推进中", "上半年进展", None, None]])})
    assert query(home, "SELECT quarter, period, progress, timeliness FROM task_progress WHERE task_id = '三(一)1'") == [
        ("2024Q1", "2024-03", "三月进展", "按时报送"), ("2024Q2", "2024-06", "上半年进展", "按时报送")]


def test_no_reports_no_lights_and_an_empty_calendar(home):
    assert cli("build")[0] == 0
    assert set(lights(home).values()) == {("无数据", "尚无进展报告，也未到第一个报送截止日")}
    assert query(home, "SELECT count(*) FROM task_calendar") == [(0,)]


# ---- money: entitlement → application → approval → payment ----------------------------------------------

F2_HEADER = ["年度", "企业名称", "统一社会信用代码", "所在县区", "企业类别", "认定为知名平台", "网上销售额（万元）"]
E1 = ("示例食品有限公司", uscc("91441602MA8000011"))  # 规上 in 源城区: 三(一)3 10万 for 2016 (sales 600 > 500 and > 400)
E2 = ("示例小微电子商务有限公司", uscc("91441602MA8000022"))  # 小微, sales 150: 三(一)4a 2万 for 2016
E3 = ("示例网店有限公司", uscc("91441602MA8000033"))  # 小微, sales 50: no entitlement
CENTRE = "示例河源市电子商务公共服务中心"
SCHOOL = "示例培训学校"  # 源城区: government-purchased classes of 40万 in 2016 → 三(五)1 12万


@pytest.fixture
def funds_home(home, tmp_path, monkeypatch):
    return make_funds_home(home, tmp_path, monkeypatch)


def make_funds_home(home, tmp_path, monkeypatch):
    """Estimates from F2, F4 and F6 and the payments of three F7 files, judged on 2017-06-30."""
    monkeypatch.setenv("ECMON_TODAY", "2017-06-30")  # 181 of 365 days of 2017 gone
    files = [
        write_xlsx(tmp_path / "名录.xlsx", {"企业名录": [F2_HEADER,
            [2015, *E1, "源城区", "规上工业企业", "否", 400],
            [2016, *E1, "源城区", "规上工业企业", "否", 600],
            [2016, *E2, "源城区", "小微电商企业", "否", 150],
            [2016, *E3, "源城区", "小微电商企业", "否", 50]]}),
        write_xlsx(tmp_path / "认定.xlsx", {"认定": [["年度", "名称", "所在县区", "类别", "认定日期"],
            [2015, "示例二村", "紫金县", "电商示范村", D(2015, 9, 1)],
            [2016, "示例村", "连平县", "电商示范村", D(2016, 9, 1)]]}),
        write_xlsx(tmp_path / "培训.xlsx", {"培训台账": [
            ["培训班名称", "主办单位", "所在县区", "开班日期", "结业日期", "培训人次（人次）", "培训费用（万元）", "政府购买服务"],
            ["示例电商班", SCHOOL, "源城区", D(2016, 5, 1), D(2016, 5, 9), 400, 40, "是"]]}),
        write_xlsx(tmp_path / "市商务局兑现表.xlsx", {"兑现表": [F7_HEADER,
            [2016, E1[0], E1[1], "三(一)3", 10, 10, 10, D(2017, 5, 10), "市本级", "源城区"],
            [2016, E1[0], E1[1], "三(一)2", 500, 500, 500, D(2017, 6, 1), "市本级", "源城区"],
            [2016, E3[0], E3[1], "三(一)4a", 2, 2, 2, D(2017, 6, 1), "市本级", "源城区"],
            [2016, "示例村", None, "三(三)4", 5, 5, 5, D(2017, 4, 1), "市本级", "连平县"],
            [2015, "示例二村", None, "三(三)4", 5, 5, 5, D(2017, 2, 1), "市本级", "紫金县"],
            [2016, CENTRE, None, "三(二)2", 30, 30, 30, D(2016, 12, 20), "市本级", None],
            [2017, CENTRE, None, "三(二)2", 30, 30, 30, D(2017, 3, 1), "市本级", None],
            [2016, SCHOOL, None, "三(五)1", 120, 120, 120, D(2016, 11, 1), "市本级", "源城区"],
            [2016, SCHOOL, None, "三(五)1", None, None, 50, D(2016, 11, 2), "省级", "源城区"]]}),
        # the same 三(一)3 award paid again out of 市本级 money, listed for 全市 (blank county)
        write_xlsx(tmp_path / "市财政局补充兑现表.xlsx", {"兑现表": [F7_HEADER,
            [2016, E1[0], E1[1], "三(一)3", 10, 10, 10, D(2017, 5, 20), "市本级", None]]}),
        # the counties' own money: 连平县 adds 3万 to the village, 源城区 5万 to E1
        write_xlsx(tmp_path / "县区兑现表.xlsx", {"兑现表": [F7_HEADER,
            [2016, "示例村", None, "三(三)4", 3, 3, 3, D(2017, 4, 2), "县区", "连平县"],
            [2016, E1[0], E1[1], "三(一)3", 5, 5, 5, D(2017, 5, 2), "县区", "源城区"]]}),
    ]
    outcome = pipeline.load(files)
    assert outcome.ok and outcome.published, [str(m) for p in outcome.parsed for m in p.problems]
    return home


def chain(home) -> dict[tuple, tuple]:
    rows = query(home, "SELECT year, clause, entity_name, region_code, estimated_wan, applied_wan, approved_wan, paid_wan, "
                       "stage, flag_over_paid, flag_paid_without_entitlement, flag_not_applied FROM funds_chain")
    return {(y, c, n): tuple(rest) for y, c, n, *rest in rows}


def test_the_chain_from_entitlement_to_payment_and_its_flags(funds_home):
    got = chain(funds_home)
    # region, 测算, applied, approved, paid, stage, 超额拨付, 无测算依据, 应享未申
    assert got == {
        (2015, "三(三)4", "示例二村"): ("441621", 5.0, 5.0, 5.0, 5.0, "已拨付", False, False, False),
        (2016, "三(一)2", E1[0]): ("441602", None, 500.0, 500.0, 500.0, "已拨付", False, True, False),
        # 市本级: approved 10 (stated twice), paid 10 + 10 = 20 → 超额拨付; plus 源城区's own 5
        (2016, "三(一)3", E1[0]): ("441602", 10.0, 15.0, 15.0, 25.0, "已拨付", True, False, False),
        (2016, "三(一)4", E2[0]): ("441602", 2.0, None, None, None, "未申请", False, False, True),
        (2016, "三(一)4", E3[0]): ("441602", None, 2.0, 2.0, 2.0, "已拨付", False, True, False),
        (2016, "三(三)4", "示例村"): ("441623", 5.0, 8.0, 8.0, 8.0, "已拨付", False, False, False),  # two funders
        (2016, "三(二)2", CENTRE): ("441600", None, 30.0, 30.0, 30.0, "已拨付", False, False, False),  # not estimated
        (2017, "三(二)2", CENTRE): ("441600", None, 30.0, 30.0, 30.0, "已拨付", False, False, False),
        # 省级 paid 50 with nothing approved → 超额拨付
        (2016, "三(五)1", SCHOOL): ("441602", 12.0, 120.0, 120.0, 170.0, "已拨付", True, False, False),
    }
    flags = dict(query(funds_home, "SELECT entity_name || clause, flags FROM funds_chain WHERE flags <> ''"))
    assert flags[E1[0] + "三(一)3"] == "超额拨付：市本级核定10.00万元，已拨付20.00万元（2行）"
    assert flags[SCHOOL + "三(五)1"] == "超额拨付：省级核定（未填），已拨付50.00万元（1行）"
    assert flags[E3[0] + "三(一)4"] == "无测算依据：报送数据中没有该对象2016年三(一)4的应享测算"
    assert flags[E2[0] + "三(一)4"] == "应享未申：测算应享2.00万元，未见申请或拨付"
    assert query(funds_home, "SELECT estimate_label, pay_lag_years FROM funds_chain WHERE clause = '三(三)4' ORDER BY year") == [
        ("测算", 2), ("测算", 1)]


def test_the_summary_per_clause_year_and_county(funds_home):
    rows = query(funds_home, "SELECT entities, estimated_wan, applied_wan, approved_wan, paid_wan, over_paid, "
                             "paid_without_entitlement, not_applied, not_applied_wan FROM funds_summary "
                             "WHERE year = 2016 AND clause = '三(一)4' AND region_code = '441602'")
    assert rows == [(2, 2.0, 2.0, 2.0, 2.0, 0, 1, 1, 2.0)]


def test_fiscal_commitments_by_year_of_payment_and_the_previous_years_policies(funds_home):
    rows = {(c, y): tuple(rest) for c, y, *rest in query(
        funds_home, "SELECT commitment_id, year, paid_city_wan, paid_county_wan, paid_province_wan, paid_wan, "
                    "for_prev_year_wan, for_earlier_years_wan, for_same_year_wan, expected_wan, status "
                    "FROM commitments_progress")}
    # 2016 payments: 市本级 centre 30 + training 120; 省级 50 is not the city's commitment
    assert rows[("city_total_2016_2018", 2016)] == (150.0, 0.0, 50.0, 150.0, 0.0, 0.0, 150.0, 3000.0, "未达标")
    # 2017 (in progress, 181/365 gone): 市本级 10+10+500+2+5+5+30 = 562, 县区 3+5 = 8; of the 570, 535 pays 2016's
    # policies (上年度), 5 pays 2015's (往年), 30 is the centre's 2017 money
    assert rows[("city_total_2016_2018", 2017)] == (562.0, 8.0, 0.0, 570.0, 535.0, 5.0, 30.0, 1487.6712, "滞后")
    assert rows[("city_level_2016_2018", 2017)][3:] == (562.0, 527.0, 5.0, 30.0, 495.8904, "进度正常")
    assert rows[("city_total_2016_2018", 2018)][-1] == "无数据"  # nothing paid in 2018 yet
    assert rows[("training_2015_2017", 2015)][-1] == "无数据"
    assert rows[("training_2015_2017", 2016)][2:4] == (50.0, 120.0) and rows[("training_2015_2017", 2016)][-1] == "未达标"
    assert rows[("training_2015_2017", 2017)][3] == 0.0 and rows[("training_2015_2017", 2017)][-1] == "滞后"
    assert rows[("service_centre_annual", 2016)][3:] == (30.0, 0.0, 0.0, 30.0, 30.0, "达标")
    assert rows[("service_centre_annual", 2017)][-1] == "达标"
    assert [y for c, y in rows if c == "service_centre_annual"] == [2016, 2017]  # from 2016 to this year
    assert query(funds_home, "SELECT DISTINCT pays_policy_year FROM commitments_progress "
                             "WHERE commitment_id = 'city_total_2016_2018' AND year = 2017") == [(2016,)]


# ---- F7 and F8 input: row-level messages, templates -------------------------------------------------------

def messages(path) -> list[tuple]:
    parsed = pipeline.check([path]).parsed[0]
    return [(m.level, m.row, (m.column or "")[:2], m.value, m.text) for m in parsed.problems]


def test_f7_needs_a_funder_and_takes_two_funders_of_one_entitlement_but_not_one_twice(tmp_path):
    path = write_xlsx(tmp_path / "兑现.xlsx", {"兑现表": [F7_HEADER,
        [2016, "示例村", None, "三(三)4", 5, 5, 5, D(2017, 4, 1), "市本级", "连平县"],
        [2016, "示例村", None, "三(三)4", 3, 3, 3, D(2017, 4, 2), "县区", "连平县"],     # 3: another funder: fine
        [2016, "示例村", None, "三(三)4", 5, 5, 5, D(2017, 4, 3), "市本级", "连平县"],   # 4: the same again
        [2016, "示例二村", None, "三(三)4", 5, 5, None, None, None, "连平县"]]})        # 5: no funder
    assert messages(path) == [
        ("错误", 4, "I列", "市本级", "与第2行重复（所在县区、年度、单位名称、政策条款、资金来源相同），"
                                   "同一项资金兑现（同一单位、同一条政策、同一年度、同一资金来源）只能填一行"),
        ("错误", 5, "I列", None, "必填项不能为空")]


def test_f7_and_f8_templates_offer_the_catalogs_lists(tmp_path):
    assert cli("template", tmp_path / "模板")[0] == 0
    lists = {}
    for code in ("F7", "F8"):
        ws = openpyxl.load_workbook(next((tmp_path / "模板").glob(f"{code}_*.xlsx"))).worksheets[0]
        lists[code] = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
        assert [c.value for c in ws[2]][:3] == (["报送方式：", "增补", "填报县区："] if code == "F7" else ["报送方式：", "增补", None])
    assert lists["F7"]["D4"] == '"三(一)2,三(一)3,三(一)4,三(一)5,三(二)1,三(二)2,三(三)1,三(三)4,三(三)6,三(四)4,三(五)1"'
    assert lists["F7"]["I4"] == '"市本级,县区,省级"'
    assert lists["F8"]["B4"].startswith('"三(一)1,三(一)2,') and lists["F8"]["B4"].endswith(',三(五)4"')
    assert lists["F8"]["B4"].count(",") == 21
    assert "市商务局" in lists["F8"]["C4"] and "团市委" in lists["F8"]["C4"]
    assert lists["F8"]["B2"] == '"增补,全量替换"'  # F8 is reported by units: no 零报告 of a county
