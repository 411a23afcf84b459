"""F7 政策资金兑现表 and F8 重点任务进展表 read and checked like every other form: a declaration in forms.toml,
row-level Chinese messages for an unknown clause, task or unit, paid above approved, and the rules of each."""

from __future__ import annotations

import datetime as dt

from conftest import cli, query, uscc, write_xlsx

from etl import pipeline

F7_HEADER = ["年度", "单位名称", "统一社会信用代码", "政策条款", "申请金额（万元）", "核定金额（万元）", "已拨付金额（万元）",
             "拨付日期", "资金来源", "所在县区"]
F8_HEADER = ["报告期", "任务编号", "报送单位", "进展状态", "进展情况", "存在问题", "下一步计划"]
A = uscc("91441602MA8000001")
D = dt.date


def problems(path):
    parsed = pipeline.check([path]).parsed[0]
    return [(m.level, m.row, (m.column or "")[:2], m.value, m.text) for m in parsed.problems]


def test_f7_payments_checked_row_by_row(tmp_path):
    path = write_xlsx(tmp_path / "兑现.xlsx", {"资金兑现表": [F7_HEADER,
        [2016, "示例网络科技有限公司", A, "三(一)2", 60, 50, 50, D(2017, 5, 10), "市本级", "源城区"],     # 2 fine
        [2016, "示例网络科技有限公司", A, "三（一）4", 2, 2, 2, D(2017, 5, 10), "市本级", "源城区"],      # 3 fine: full-width
        [2016, "示例商贸有限公司", None, "三(九)9", 10, 10, 12, D(2017, 6, 1), "市本级", None],          # 4 D clause; G > F
        [2016, "示例村", None, "三(三)4", 5, 6, 0, None, "县区", "连平县"],                              # 5 F > E: warning
        [2017, "示例食品有限公司", None, "三(一)3", 10, 10, 10, None, "县区", "紫金县"],                  # 6 H: paid, no date
    ]})
    got = problems(path)
    assert [(lv, r, c, v) for lv, r, c, v, _ in got] == [
        ("错误", 4, "D列", "三(九)9"), ("错误", 4, "G列", "12万元"), ("警告", 5, "F列", "6万元"), ("错误", 6, "H列", None)]
    texts = [t for *_, t in got]
    assert texts[0].startswith("不是政策的扶持条款：应为 三(一)2、三(一)3")
    assert texts[1] == "已拨付金额不能大于核定金额（10万元）"
    assert texts[2] == "核定金额大于申请金额（5万元），请核实"
    assert texts[3] == "已拨付的资金须填写拨付日期"


def test_f7_loads_with_the_city_as_the_scope_of_a_blank_county(home, tmp_path):
    path = write_xlsx(tmp_path / "兑现.xlsx", {"资金兑现表": [F7_HEADER,
        [2016, "示例网络科技有限公司", A, "三(一)2a", 60, 50, 50, D(2017, 5, 10), "市本级", None]]})
    code, out = cli("load", path)
    assert code == 0, out
    assert query(home, "SELECT region, year, name, clause, applied, approved, paid, paid_date, source FROM current_f7") == [
        ("441600", 2016, "示例网络科技有限公司", "三(一)2", 60.0, 50.0, 50.0, D(2017, 5, 10), "市本级")]


def test_f8_task_progress_checked_row_by_row(tmp_path):
    path = write_xlsx(tmp_path / "任务.xlsx", {"重点任务进展表": [F8_HEADER,
        ["2024Q2", "三(三)6", "市商务局", "推进中", "示例：对接两家平台", None, "完成开通"],      # 2 fine
        ["2024Q2", "三(九)1", "市商务局", "推进中", None, None, None],                        # 3 B unknown task
        ["2024Q2", "三(三)6", "市示例局", "推进中", None, None, None],                        # 4 C unknown unit
        ["2024Q2", "三(三)6", "市教育局", "进行中", None, None, None],                        # 5 C not its task (warning), D choice
        ["2024年第二季度", "三(一)1", "河源市商务局", "滞后", "用地未落实", None, None],         # 6 F: 滞后 needs problems
    ]})
    got = problems(path)
    assert [(lv, r, c, v) for lv, r, c, v, _ in got] == [
        ("错误", 3, "B列", "三(九)1"), ("错误", 4, "C列", "市示例局"), ("错误", 5, "D列", "进行中"), ("警告", 5, "C列", "市教育局"),
        ("错误", 6, "F列", None)]
    texts = [t for *_, t in got]
    assert texts[0] == "不是政策的任务编号：应为 三(一)1 至 三(五)4 中的一项，如 三(三)6"
    assert texts[1].startswith("不是政策中列出的单位")
    assert texts[3] == "市教育局不是任务三(三)6的牵头或配合单位，请核实任务编号"
    assert texts[4] == "进展状态为“滞后”时须写明存在问题"


def test_f8_loads_per_unit_task_and_period(home, tmp_path):
    path = write_xlsx(tmp_path / "任务.xlsx", {"重点任务进展表": [F8_HEADER,
        ["2024Q2", "三(三)6", "河源市商务局", "推进中", "示例：对接两家平台", None, "完成开通"]]})
    assert cli("load", path)[0] == 0
    assert query(home, "SELECT unit, period, task, status FROM current_f8") == [("市商务局", "2024Q2", "三(三)6", "推进中")]
    assert query(home, "SELECT form, scope, period, action FROM receipt_coverage") == [("F8", "市商务局", "2024Q2", "upsert")]
