"""Trusted submissions, through the real ETL: a 补报 adds to a ledger instead of wiping it, removals are explicit
and previewed, web submissions wait for a reviewer, decisions and locks are recorded with who and when, a late
correction of a target's value is marked, and the as-of never moves on one county's part-year figures."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import cli, query, write_xlsx

from etl import pipeline, store

F1_HEADER = ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"]
F4_HEADER = ["培训班名称", "主办单位", "所在县区", "开班日期", "结业日期", "培训人次（人次）"]
F6_HEADER = ["年度", "名称", "所在县区", "类别", "认定日期"]
COUNTIES = ["源城区", "紫金县", "龙川县", "连平县", "和平县", "东源县"]
CLERK = store.Actor("clerk.lianping", "县区填报员", "441623", "网页上传")
REVIEWER = store.Actor("reviewer.a", "审核员", None, "网页上传")
OTHER_REVIEWER = store.Actor("reviewer.b", "审核员", None, "网页上传")
D = dt.date


def f4(tmp_path, name, rows):
    return write_xlsx(tmp_path / name, {"培训台账": [F4_HEADER, *rows]})


def value(home, indicator, region, period):
    rows = query(home, "SELECT value FROM indicator_values WHERE indicator = ? AND region_code = ? AND period = ?",
                 [indicator, region, period])
    return rows[0][0] if rows else None


def test_a_one_row_training_supplement_adds_to_the_county_ledger(home, tmp_path):
    # 连平县's 2017 ledger: two classes, 413 人次
    ledger = f4(tmp_path, "连平县2017培训台账.xlsx", [
        ["网店运营班", "连平县商务局", "连平县", D(2017, 3, 1), D(2017, 3, 5), 213],
        ["农村电商班", "连平县商务局", "连平县", D(2017, 6, 1), D(2017, 6, 3), 200]])
    assert cli("load", ledger)[0] == 0
    assert value(home, "trainees", "441623", "2017") == 413.0
    # the 补报 of one class: 413 + 450 = 863, not 450
    supplement = f4(tmp_path, "连平县2017补报.xlsx", [["直播电商班", "连平县团县委", "连平县", D(2017, 11, 1), D(2017, 11, 4), 450]])
    code, out = cli("check", supplement)
    assert code == 0
    assert "F4 电商培训台账 · 连平县 · 2017（增补或更正）：新增1行，替换0行，删除0行，不变0行，保留原有2行" in out
    assert "+ 新增 直播电商班·连平县团县委·2017-11-01" in out
    assert cli("load", supplement)[0] == 0
    assert value(home, "trainees", "441623", "2017") == 863.0


def test_a_full_replacement_and_a_zero_report_say_so_above_the_header_and_are_previewed(home, tmp_path):
    first = write_xlsx(tmp_path / "认定.xlsx", {"认定": [F6_HEADER,
                       [2024, "示例村甲", "连平县", "电商示范村", D(2024, 5, 1)],
                       [2024, "示例村乙", "连平县", "电商示范村", D(2024, 6, 1)]]})
    assert cli("load", first)[0] == 0
    assert value(home, "demo_villages", "441623", "2024") == 2.0
    replace = write_xlsx(tmp_path / "全量.xlsx", {"认定": [["报送方式：全量替换"], F6_HEADER,
                         [2024, "示例村甲", "连平县", "电商示范村", D(2024, 5, 1)]]})
    code, out = cli("load", replace)
    assert code == 0, out
    assert "F6 农村电商与示范认定表 · 连平县 · 2024（整体替换）：新增0行，替换0行，删除1行，不变1行" in out
    assert "- 删除 示例村乙·电商示范村（原数据来自回执000001）" in out
    assert value(home, "demo_villages", "441623", "2024") == 1.0
    # nothing recognised in 2025: a 零报告 (label and value in two cells, as the blank template has them)
    zero = write_xlsx(tmp_path / "零报告.xlsx", {"认定": [["报送方式：", "零报告", "填报县区：", "连平县", "报送年度：", 2025],
                                                      F6_HEADER]})
    code, out = cli("load", zero)
    assert code == 0, out
    assert "F6 农村电商与示范认定表 · 连平县 · 2025（零报告）：新增0行，替换0行，删除0行，不变0行" in out
    assert query(home, "SELECT form, region_code, period, action FROM receipt_coverage WHERE receipt_id = '000003'") == [
        ("F6", "441623", "2025", "zero")]
    # a header without rows or marker is still an error that says how to make a 零报告
    empty = write_xlsx(tmp_path / "空表.xlsx", {"认定": [F6_HEADER]})
    code, out = cli("check", empty)
    assert code == 1 and "请在表头上方写明“报送方式：零报告”、填报县区和报送年度" in out
    # a 零报告 that forgets the county cannot say whose
    vague = write_xlsx(tmp_path / "无县区.xlsx", {"认定": [["报送方式：零报告"], F6_HEADER]})
    code, out = cli("check", vague)
    assert code == 1 and "零报告须在表头上方写明填报县区和报送年度" in out


def test_a_city_correction_shows_what_it_replaces_and_is_marked_as_a_correction(home, tmp_path):
    rows = [[c, "2020", 100000, 16000] for c in COUNTIES]  # six counties: 600000 / 96000 = 16.0%
    assert cli("load", write_xlsx(tmp_path / "县区2020.xlsx", {"表": [F1_HEADER, *rows]}))[0] == 0
    assert query(home, "SELECT actual, status FROM target_progress WHERE indicator = 'online_retail_share'") == [
        (16.0, "未达标")]
    bureau = write_xlsx(tmp_path / "市统计局2020.xlsx", {"表": [F1_HEADER, ["全市", "2020", 600000, 99000]]})
    assert cli("load", bureau)[0] == 0  # the bureau's own figure beats the county sum: 16.5%
    correction = write_xlsx(tmp_path / "市统计局2020更正.xlsx", {"表": [F1_HEADER, ["全市", "2020", 600000, 126000]]})
    code, out = cli("check", correction)
    assert code == 0
    # the preview names the receipt it replaces and the change, and warns that it is far from the counties' sum
    assert "F1 县区电子商务统计表 · 河源市 · 2020（整体替换）：新增0行，替换1行，删除0行，不变0行" in out
    assert "~ 替换 河源市·2020（原数据来自回执000002）：网络零售额（万元）：99,000万元 → 126,000万元" in out
    assert "全市网络零售额与六个县区之和（96,000万元）相差+31.2%，超过±5%" in out
    assert cli("load", correction)[0] == 0
    assert query(home, "SELECT actual, status FROM target_progress WHERE indicator = 'online_retail_share'") == [
        (21.0, "达标")]
    # every change of a published value whose deadline has passed is marked: the bureau's own figure replacing
    # the counties' sum (16.0% → 16.5%), then its correction (16.5% → 21.0%)
    assert query(home, "SELECT target_id, old_actual, new_actual, receipts, role FROM target_corrections ORDER BY id") == [
        ("2020_online_retail_share", 16.0, 16.5, "000002", "运维人员（命令行）"),
        ("2020_online_retail_share", 16.5, 21.0, "000003", "运维人员（命令行）")]


def test_a_web_submission_waits_for_a_reviewer_who_sees_the_preview(home, tmp_path):
    assert cli("load", f4(tmp_path, "台账.xlsx", [["网店运营班", "连平县商务局", "连平县", D(2017, 3, 1), D(2017, 3, 5), 213]]))[0] == 0
    supplement = f4(tmp_path, "补报.xlsx", [["直播电商班", "连平县团县委", "连平县", D(2017, 11, 1), D(2017, 11, 4), 450]])
    out = pipeline.load([supplement], actor=CLERK, publish=False)
    assert out.ok and not out.published
    (r,) = out.receipts
    assert (r["status"], r["user"], r["role"], r["unit"], r["channel"]) == (
        "pending", "clerk.lianping", "县区填报员", "441623", "网页上传")
    assert value(home, "trainees", "441623", "2017") == 213.0  # leaders see approved data only
    (change,) = pipeline.preview_receipt(r["seq"])
    assert (change.form, change.scope, change.period, change.added, change.kept) == (
        "F4", "441623", "2017", ["直播电商班·连平县团县委·2017-11-01"], 1)
    with pytest.raises(store.Refused, match="须写明原因"):
        pipeline.send_back(r["seq"], REVIEWER, "  ")
    approved = pipeline.approve(r["seq"], REVIEWER)
    assert (approved["status"], approved["decided_by"], approved["decided_role"]) == ("accepted", "reviewer.a", "审核员")
    assert value(home, "trainees", "441623", "2017") == 663.0
    actions = [(e["action"], e["user"], e["receipt_id"]) for e in store.events()]
    assert ("approve", "reviewer.a", r["seq"]) in actions and ("receive", "clerk.lianping", r["seq"]) in actions


def test_refusals_say_one_sentence_and_change_nothing(home, tmp_path):
    mine = f4(tmp_path, "连平.xlsx", [["网店运营班", "连平县商务局", "连平县", D(2017, 3, 1), D(2017, 3, 5), 213]])
    theirs = f4(tmp_path, "混报.xlsx", [["网店运营班", "连平县商务局", "连平县", D(2018, 3, 1), D(2018, 3, 5), 100],
                                       ["示例培训班", "和平县商务局", "和平县", D(2018, 3, 1), D(2018, 3, 5), 80]])
    # a county clerk may only send the county's own rows: the other county's row is named
    out = pipeline.load([theirs], actor=CLERK, publish=False)
    assert not out.ok
    (err,) = out.parsed[0].problems.errors
    assert (err.row, err.column, err.value) == (3, "C列“所在县区”", "和平县")
    assert err.text == "本账号只能报送连平县的数据，这一行属于和平县；请删去这一行，或由和平县自行报送"
    (r,) = pipeline.load([mine], actor=CLERK, publish=False).receipts
    with pytest.raises(store.Refused, match="您本人提交的"):
        pipeline.approve(r["seq"], store.Actor("clerk.lianping", "审核员"))
    returned = pipeline.send_back(r["seq"], REVIEWER, "开班日期与通知不符，请核对")
    assert (returned["status"], returned["reason"]) == ("returned", "开班日期与通知不符，请核对")
    with pytest.raises(store.Refused, match="只有待审核的回执可以审核通过"):
        pipeline.approve(r["seq"], OTHER_REVIEWER)
    assert not (home / "warehouse.duckdb").exists() or value(home, "trainees", "441623", "2017") is None


def test_a_locked_period_takes_no_rows_until_unlocked(home, tmp_path):
    assert cli("load", write_xlsx(tmp_path / "2020.xlsx", {"表": [F1_HEADER, ["紫金县", "2020", 60000, 5000]]}))[0] == 0
    assert cli("lock", "F1", "全部", "2020")[0] == 0
    late = write_xlsx(tmp_path / "2020更正.xlsx", {"表": [F1_HEADER, ["紫金县", "2020", 61000, 5100]]})
    code, out = cli("load", late)
    assert code == 1
    assert "F1 2020的数据已由市商务局审核锁定，不能再报送或更正；如确需更正，请联系审核员解锁" in out
    assert value(home, "online_retail", "441621", "2020") == 5000.0
    # a year's lock holds the year's quarters and months too, at the check as at the approval
    part = write_xlsx(tmp_path / "2020Q3.xlsx", {"表": [F1_HEADER, ["紫金县", "2020Q3", 45000, 3800]]})
    code, out = cli("check", part)
    assert code == 1 and "F1 2020的数据已由市商务局审核锁定" in out
    assert cli("unlock", "F1", "全部", "2020")[0] == 0
    assert cli("load", late)[0] == 0
    assert value(home, "online_retail", "441621", "2020") == 5100.0
    assert [e["action"] for e in reversed(store.events()) if e["action"] in ("lock", "unlock")] == ["lock", "unlock"]


def test_the_as_of_is_the_latest_city_period_and_one_countys_part_year_does_not_move_it(home, tmp_path):
    rows = [[c, "2024", 100000, 20000] for c in COUNTIES]
    assert cli("load", write_xlsx(tmp_path / "2024.xlsx", {"表": [F1_HEADER, *rows]}))[0] == 0
    partial = write_xlsx(tmp_path / "源城2025.xlsx", {"表": [F1_HEADER, ["源城区", "2025年1-9月", 80000, 17000]]})
    assert cli("load", partial)[0] == 0
    assert query(home, "SELECT as_of_year, as_of_period FROM warehouse_info") == [(2024, "2024")]
    assert query(home, "SELECT period, regions FROM as_of_ahead") == [("2025-09", ["源城区"])]
    rest = write_xlsx(tmp_path / "其余2025.xlsx", {"表": [F1_HEADER, *[[c, "2025年1-9月", 80000, 17000] for c in COUNTIES[1:]]]})
    assert cli("load", rest)[0] == 0
    assert query(home, "SELECT as_of_year, as_of_period FROM warehouse_info") == [(2025, "2025-09")]


def test_the_reporting_calendar_judges_each_county_by_the_real_due_date(home, tmp_path, monkeypatch):
    # F1 for a year is due 90 days after the year ends: 2020 → 2021-03-31
    monkeypatch.setenv("ECMON_TODAY", "2021-06-30")
    on_time = write_xlsx(tmp_path / "源城.xlsx", {"表": [F1_HEADER, ["源城区", "2020", 100000, 16000]]})
    late = write_xlsx(tmp_path / "紫金.xlsx", {"表": [F1_HEADER, ["紫金县", "2020", 60000, 6000]]})
    assert cli("load", "--submitted-on", "2021-03-31", on_time)[0] == 0
    assert cli("load", "--submitted-on", "2021-04-01", late)[0] == 0
    # 连平县 had nothing recognised in 2020: its 零报告 counts as reported
    zero = write_xlsx(tmp_path / "连平零报告.xlsx", {"认定": [["报送方式：", "零报告", "填报县区：", "连平县", "报送年度：", 2020],
                                                        F6_HEADER]})
    village = write_xlsx(tmp_path / "和平认定.xlsx", {"认定": [F6_HEADER, [2020, "示例村", "和平县", "电商示范村", D(2020, 5, 1)]]})
    assert cli("load", "--submitted-on", "2021-02-01", zero, village)[0] == 0
    status = dict(((f, r), s) for f, r, s in query(
        home, "SELECT form, region_name, status FROM reporting_status WHERE year = 2020"))
    assert status[("F1", "源城区")] == "按时报送"  # on the due date itself
    assert status[("F1", "紫金县")] == "逾期报送"  # one day after
    assert status[("F1", "龙川县")] == "逾期未报"
    assert status[("F6", "连平县")] == "按时报送" and status[("F6", "和平县")] == "按时报送"
    assert status[("F6", "东源县")] == "逾期未报"
    assert query(home, "SELECT DISTINCT status FROM reporting_status WHERE year = 2021") == [("未到期",)]  # not yet due…
    monkeypatch.setenv("ECMON_TODAY", "2022-04-01")  # …until 2022-03-31 has passed
    assert cli("build")[0] == 0
    assert query(home, "SELECT DISTINCT status FROM reporting_status WHERE year = 2021") == [("逾期未报",)]
    assert ("F1", "紫金县", 2021) in [(f, r, y) for f, r, y, *_ in query(
        home, "SELECT form, region_name, year, days_late FROM reminders")]


def test_a_blank_template_turned_into_a_zero_report_loads_as_one(home, tmp_path):
    import openpyxl

    assert cli("template", tmp_path / "模板")[0] == 0
    path = next((tmp_path / "模板").glob("F6_*.xlsx"))
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws["B2"], ws["D2"], ws["F2"] = "零报告", "东源县", 2023
    wb.save(path)
    code, out = cli("load", path)
    assert code == 0, out
    assert "F6 农村电商与示范认定表 · 东源县 · 2023（零报告）" in out
    assert query(home, "SELECT form, region_code, period, action FROM receipt_coverage") == [("F6", "441625", "2023", "zero")]
