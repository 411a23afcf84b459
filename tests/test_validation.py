"""Bad input gets clear Chinese messages: file, sheet, the Excel row, the column (letter and header),
the value and what is wrong — and one run lists every error of the file, not only the first."""

from __future__ import annotations

import datetime as dt
import os
import zipfile

import polars as pl
import pytest
from conftest import cli, cli_subprocess, uscc, write_csv, write_xlsx

from etl import pipeline

D = dt.date

# 统一社会信用代码, check character by hand (GB 32100-2015). Characters are worth 0–9, A=10 … H=17,
# J=18 … N=22, P=23, Q=24, R=25, T=26, U=27, W=28, X=29, Y=30 (no I, O, S, V, Z); weights are 3^i mod 31.
#   code       9  1  4  4  1   6  2  1   M   A   4   W  1  2  3   4   5
#   value      9  1  4  4  1   6  2  1  21  10   4  28  1  2  3   4   5
#   weight     1  3  9 27 19  26 16 17  20  29  25  13  8 24 10  30  28
#   product    9  3 36 108 19 156 32 17 420 290 100 364 8 48 30 120 140   sum 1900
#   1900 mod 31 = 9 (31 × 61 = 1891); check = 31 − 9 = 22 → "N"
VALID_USCC = "91441621MA4W12345N"
WRONG_CHECK = "91441621MA4W12345X"  # X (29) ≠ N (22)


def test_uscc_worked_by_hand_matches_the_helper():
    assert uscc("91441621MA4W12345") == VALID_USCC


def check_one(path):
    outcome = pipeline.check([path])
    return outcome.parsed[0]


def where(parsed, level="错误"):
    return sorted(((m.row, (m.column or "")[:2], m.value) for m in parsed.problems if m.level == level),
                  key=lambda t: (t[0] or 0, t[1], t[2] or ""))


def message_at(parsed, row, letter, level="错误"):
    hits = [m for m in parsed.problems if m.level == level and m.row == row and (m.column or "").startswith(f"{letter}列")]
    assert len(hits) == 1, [str(m) for m in parsed.problems]
    return str(hits[0])


# ------------------------------------------------------------------------------------------ F1: every error at once


F1_BAD = [
    ["河源市电子商务统计表（2018年）"],  # 1
    ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）", "农村网络零售额（万元）"],  # 2
    ["源城区", "2017", 100000, 10000, None],  # 3
    ["源城区", "2018", 110000, "1.2万", None],  # 4 D: not a number
    ["紫金县", "2018", 50000, -5, None],  # 5 D: negative
    ["龙川县", "2018", 60000, 5000, 6000],  # 6 E: rural above online (error)
    ["连平县", "2018", 3000, 4000, None],  # 7 D: online above total retail (warning)
    ["和平县", "2017", 30000, 1000, None],  # 8
    ["和平县", "2018", 31000, 2000, None],  # 9 D: +100% on 2017 (warning); 社零 +3.3% is fine
    ["新丰县", "2018", 100, 10, None],  # 10 A: not a region of 河源
    ["东源县", "2018年13月", 100, 10, None],  # 11 B: no 13th month
    ["东源县", "2018", None, 10, None],  # 12 C: required amount blank
    ["源城区", "2017", 100000, 10000, None],  # 13 B: same 县区 and 统计期 as row 3
]


def test_f1_one_run_lists_every_error_and_warning(tmp_path):
    parsed = check_one(write_xlsx(tmp_path / "统计表.xlsx", {"统计表": F1_BAD}))
    assert where(parsed) == [
        (4, "D列", "1.2万"), (5, "D列", "-5"), (6, "E列", "6,000万元"), (10, "A列", "新丰县"), (11, "B列", "2018年13月"),
        (12, "C列", None), (13, "B列", "2017"),
    ]
    assert where(parsed, "警告") == [(7, "D列", "4,000万元"), (9, "D列", "2,000万元")]
    assert parsed.tables["F1"].height == 11  # all data rows typed; none of them will be loaded

    assert message_at(parsed, 4, "D") == (
        "错误：文件「统计表.xlsx」，工作表「统计表」，第4行，D列“网络零售额（万元）”：值“1.2万”："
        "不是有效的数字（可以带千分位逗号，不要写单位或文字）")
    assert message_at(parsed, 5, "D").endswith("第5行，D列“网络零售额（万元）”：值“-5”：不能小于0")
    assert message_at(parsed, 6, "E").endswith(
        "第6行，E列“农村网络零售额（万元）”：值“6,000万元”：农村网络零售额不能大于网络零售额（5,000万元）")
    assert "第10行，A列“县区”：值“新丰县”：不是河源市的县区或功能区" in message_at(parsed, 10, "A")
    assert message_at(parsed, 11, "B").endswith("第11行，B列“统计期”：值“2018年13月”：月份不在 1–12 之间")
    assert message_at(parsed, 12, "C").endswith("第12行，C列“社会消费品零售总额（万元）”：必填金额不能为空（没有发生请填0）")
    assert message_at(parsed, 13, "B").endswith(
        "第13行，B列“统计期”：值“2017”：与第3行重复（县区、统计期相同），同一县区（或功能区、全市）同一统计期只能填一行")
    assert message_at(parsed, 7, "D", "警告").startswith("警告：文件「统计表.xlsx」，工作表「统计表」，第7行，D列“网络零售额（万元）”：值“4,000万元”：")
    assert "网络零售额大于社会消费品零售总额（3,000万元）" in message_at(parsed, 7, "D", "警告")
    assert "网络零售额比上年同期（1,000万元）增长100.0%，超过±50%" in message_at(parsed, 9, "D", "警告")


def test_year_on_year_against_what_the_warehouse_already_holds(tmp_path):
    first = write_xlsx(tmp_path / "2017.xlsx", {"F1": [
        ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"], ["紫金县", "2017年第三季度", 40000, 3000]]})
    assert cli("load", first)[0] == 0
    second = write_xlsx(tmp_path / "2018.xlsx", {"F1": [
        ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"], ["紫金县", "2018Q3", 19000, 3100]]})
    parsed = check_one(second)
    assert parsed.ok
    # 社零 19000 on 40000 is −52.5% (warning); 网络零售额 3100 on 3000 is +3.3% (fine); Q3 compares with Q3
    assert [str(m) for m in parsed.problems] == [
        "警告：文件「2018.xlsx」，工作表「F1」，第2行，C列“社会消费品零售总额（万元）”：值“19,000万元”："
        "社会消费品零售总额比上年同期（40,000万元）下降52.5%，超过±50%，请核实"]


def test_missing_required_column(tmp_path):
    parsed = check_one(write_xlsx(tmp_path / "缺列.xlsx", {"统计表": [
        ["河源市电子商务统计表"],
        ["县区", "统计期", "社会消费品零售总额（万元）", "农村网络零售额（万元）"],
        ["源城区", "2018", 120000, 100],
    ]}))
    assert [str(m) for m in parsed.problems.errors] == [
        "错误：文件「缺列.xlsx」，工作表「统计表」，第2行：缺少必填列“网络零售额（万元）”（F1 县区电子商务统计表）"]


# ------------------------------------------------------------------------------------------ F2–F4


def test_f2_codes_choices_and_yes_no(tmp_path):
    rows = [
        ["年度", "企业名称", "统一社会信用代码", "所在县区", "企业类别", "平台模式", "认定为知名平台", "网上销售额（万元）"],
        [2018, "甲公司", VALID_USCC, "紫金县", "平台型电商企业", "B2B、O2O", "是", 3000],  # 2 fine
        [2018, "乙公司", WRONG_CHECK, "紫金县", "平台型电商企业", "B2C", "是", 3000],  # 3 C: check character
        [2018, "丙公司", "91441621MA4W1234", "紫金县", "小微电商企业", None, "否", 10],  # 4 C: 16 characters
        [2018, "丁公司", "91441621MA4W12I45N", "紫金县", "小微电商企业", None, "否", 10],  # 5 C: letter I
        [2018, "戊公司", "91441621MAOW12345N", "紫金县", "小微电商企业", None, "否", 10],  # 6 C: letter O
        [2018, "己公司", uscc("91441622MA4W12346"), "龙川县", "电商平台", "B2G", "可能", 10],  # 7 E, F, G
        [2018, "庚公司", VALID_USCC, "全市", "其他电商企业", None, "否", 10],  # 8 D: city; C: same code as row 2
    ]
    parsed = check_one(write_xlsx(tmp_path / "名录.xlsx", {"企业名录": rows}))
    assert where(parsed) == [
        (3, "C列", WRONG_CHECK), (4, "C列", "91441621MA4W1234"), (5, "C列", "91441621MA4W12I45N"),
        (6, "C列", "91441621MAOW12345N"), (7, "E列", "电商平台"), (7, "F列", "B2G"), (7, "G列", "可能"),
        (8, "C列", VALID_USCC), (8, "D列", "全市"),
    ]
    assert message_at(parsed, 3, "C") == (
        f"错误：文件「名录.xlsx」，工作表「企业名录」，第3行，C列“统一社会信用代码”：值“{WRONG_CHECK}”："
        "统一社会信用代码校验位错误：按GB 32100-2015，第18位应为“N”，请核对代码是否抄错")
    assert message_at(parsed, 4, "C").endswith("统一社会信用代码应为18位，这里是16位")
    assert "不允许的字符“I”" in message_at(parsed, 5, "C")
    assert "不允许的字符“O”" in message_at(parsed, 6, "C")
    assert "第7行，E列“企业类别”：值“电商平台”：不是可选项（可选：平台型电商企业、" in message_at(parsed, 7, "E")
    assert "值“B2G”：“B2G”不是可选项" in message_at(parsed, 7, "F")
    assert message_at(parsed, 7, "G").endswith("第7行，G列“认定为知名平台”：值“可能”：应填“是”或“否”")
    assert "与第2行重复（年度、统一社会信用代码相同）" in message_at(parsed, 8, "C")
    assert message_at(parsed, 8, "D").endswith("第8行，D列“所在县区”：值“全市”：这里应填企业或单位所在的县区（或功能区），不能填全市")


def test_f3_occupied_area_above_floor_area_and_bad_choices(tmp_path):
    rows = [
        ["年度", "名称", "所在县区", "类别", "集中化程度较高", "建设方式", "建筑面积（㎡）", "入驻面积（㎡）", "阶段"],
        [2018, "甲基地", "源城区", "孵化基地", "是", "租用", 3000, 3500, None],  # 2 H: 3500 > 3000
        [2018, "乙园区", "龙川县", "聚集发展园区", None, "合建", 50000, 100, "快建成了"],  # 3 F, I
        [2018, "丙基地", "紫金县", "孵化基地", None, "自建", "2,000", 100, None],  # 4 E: required for a 孵化基地
    ]
    parsed = check_one(write_xlsx(tmp_path / "园区.xlsx", {"园区": rows}))
    assert where(parsed) == [(2, "H列", "3,500"), (3, "F列", "合建"), (3, "I列", "快建成了"), (4, "E列", None)]
    assert message_at(parsed, 2, "H").endswith("第2行，H列“入驻面积（㎡）”：值“3,500”：入驻面积不能大于建筑面积（3,000㎡）")
    assert message_at(parsed, 3, "F").endswith("值“合建”：不是可选项（可选：自建、租用）")
    assert "孵化基地必须填写“集中化程度较高”" in message_at(parsed, 4, "E")


def test_f4_dates_and_person_times(tmp_path):
    rows = [
        ["电商培训台账"],
        ["培训班名称", "主办单位", "所在县区", "开班日期", "结业日期", "培训人次（人次）", "培训费用（万元）", "政府购买服务"],
        ["甲班", "紫金县商务局", "紫金县", D(2024, 3, 15), "2024-03-10", 30, 1, "是"],  # 3 E: ends before it starts
        ["乙班", "紫金县商务局", "紫金县", D(2024, 3, 15), D(2024, 3, 16), 0, 1, "是"],  # 4 F: 0
        ["丙班", "紫金县商务局", "紫金县", D(2024, 3, 15), D(2024, 3, 16), 2.5, 1, "是"],  # 5 F: 2.5
        ["丁班", "市商务局", "全市", D(2024, 3, 15), D(2024, 3, 16), 30, 1, "是"],  # 6 C: city
        ["戊班", "紫金县商务局", "紫金县", "2024-02-30", D(2024, 3, 16), 30, 1, "是"],  # 7 D: no 30 February
        ["己班", "紫金县商务局", "紫金县", "下周一", D(2024, 3, 16), 30, "-1", "也许"],  # 8 D, G, H
        ["庚班", None, "紫金县", D(2024, 3, 15), D(2024, 3, 16), 30, 1, "否"],  # 9 B: required blank
    ]
    parsed = check_one(write_xlsx(tmp_path / "台账.xlsx", {"台账": rows}))
    assert where(parsed) == [
        (3, "E列", "2024-03-10"), (4, "F列", "0"), (5, "F列", "2.5"), (6, "C列", "全市"), (7, "D列", "2024-02-30"),
        (8, "D列", "下周一"), (8, "G列", "-1"), (8, "H列", "也许"), (9, "B列", None),
    ]
    assert message_at(parsed, 3, "E").endswith("第3行，E列“结业日期”：值“2024-03-10”：结业日期早于开班日期（2024-03-15）")
    assert message_at(parsed, 4, "F").endswith("第4行，F列“培训人次（人次）”：值“0”：应大于0")
    assert message_at(parsed, 5, "F").endswith("第5行，F列“培训人次（人次）”：值“2.5”：应为整数")
    assert message_at(parsed, 7, "D").endswith("第7行，D列“开班日期”：值“2024-02-30”：不是一个存在的日期")
    assert "日期应写成 2024-03-15、2024/3/15、2024.3.15 或 2024年3月15日" in message_at(parsed, 8, "D")
    assert message_at(parsed, 9, "B").endswith("第9行，B列“主办单位”：必填项不能为空")


def test_a_csv_error_names_the_line_and_no_sheet(tmp_path):
    path = write_csv(tmp_path / "统计表.csv", [
        ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"],
        ["紫金县", "2018", "六万", "3,800"],
    ], "gbk")
    parsed = check_one(path)
    assert [str(m) for m in parsed.problems] == [
        "错误：文件「统计表.csv」，第2行，C列“社会消费品零售总额（万元）”：值“六万”：不是有效的数字（可以带千分位逗号，不要写单位或文字）"]


# ------------------------------------------------------------------------------------------ files that are no form


def _files_that_are_no_form(folder):
    folder.mkdir(parents=True, exist_ok=True)
    garbage = folder / "报表.xlsx"
    garbage.write_bytes(os.urandom(2048))
    empty = folder / "空文件.csv"
    empty.write_bytes(b"")
    old = folder / "旧格式.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    text = folder / "说明.txt"
    text.write_text("各县区：请于每月5日前报送电子商务统计数据。\n联系人：张三\n", encoding="utf-8")
    other = write_csv(folder / "GDP.csv", [["年份", "地区", "地区生产总值（亿元）"], ["2018", "紫金县", "150.2"]], "gbk")
    staff = write_csv(folder / "人员.csv", [["姓名", "性别", "电话"], ["张三", "男", "13800000000"]], "utf-8")
    archive = folder / "压缩包.xlsx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    return {
        garbage: "文件不是有效的 Excel 工作簿（.xlsx），可能已损坏或只是改了扩展名",
        empty: "文件是空的，没有任何内容",
        old: "这是旧版 Excel 97-2003 格式（.xls），请在 Excel 中另存为 .xlsx 后再提交",
        text: "没有找到任何报表的表头，无法识别是哪张报表",
        other: "没有找到任何报表的表头，无法识别是哪张报表",
        staff: "没有找到任何报表的表头，无法识别是哪张报表",
        archive: "无法打开这个 Excel 工作簿，可能已损坏或加了密码",
    }


def test_files_that_are_no_form_get_one_sentence(tmp_path):
    expected = _files_that_are_no_form(tmp_path / "in")
    outcome = pipeline.check(list(expected))
    for parsed, (path, text) in zip(outcome.parsed, expected.items(), strict=True):
        assert len(parsed.problems) == 1, [str(m) for m in parsed.problems]
        m = parsed.problems[0]
        assert m.level == "错误" and m.file == path.name and m.row is None and text in m.text


def test_check_command_on_garbage_never_shows_a_traceback(tmp_path, home):
    expected = _files_that_are_no_form(tmp_path / "in")
    proc = cli_subprocess("check", *expected, tmp_path / "in" / "不存在.xlsx", home=home)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    for path, text in expected.items():
        assert f"✗ {path.name}：无数据行；错误1个，警告0个" in lines
        assert any(line.strip().startswith(f"错误：文件「{path.name}」：") and text in line for line in lines)
    assert "  错误：文件「不存在.xlsx」：找不到这个文件（路径不存在或不是文件）" in lines
    assert lines[-1] == "检查未通过：请按上面的提示改正后再提交。"
    assert not (home / "warehouse.duckdb").exists()  # check keeps nothing


def test_load_of_a_bad_file_is_refused_with_exit_code_1(tmp_path, home):
    path = write_xlsx(tmp_path / "统计表.xlsx", {"统计表": F1_BAD})
    code, out = cli("load", path)
    assert code == 1
    assert "✗ 统计表.xlsx：F1共11行；错误7个，警告2个" in out
    assert "有错误，本次提交的 1 个文件均未入库" in out


@pytest.mark.parametrize("period", ["2018年13月", "2018Q5", "18年", "2018年下半年", "二〇一八"])
def test_bad_periods(tmp_path, period):
    parsed = check_one(write_xlsx(tmp_path / "f1.xlsx", {"S": [
        ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"], ["紫金县", period, 1, 1]]}))
    assert [(m.row, m.column, m.value) for m in parsed.problems.errors] == [(2, "B列“统计期”", period)]


# ------------------------------------------------------------------------------------------ impossible numbers (issue 6)

NOT_A_NUMBER = "不是有效的数字（可以带千分位逗号，不要写单位或文字）"
DECIMAL_COMMA = "不是有效的数字：逗号只能用作千分位分隔（每三位一个，如 1,234,567.5），小数点请用“.”"
TOO_BIG_WANYUAN = "数值过大：不能大于100,000,000万元，请核对数值和单位"  # 1e8 万元 = 1万亿元


def test_numbers_that_are_no_finite_number_or_are_ambiguous_are_errors(tmp_path):
    values = {  # D 网络零售额（万元）, line by line; C is always 2,000,000 万元
        "inf": NOT_A_NUMBER, "Infinity": NOT_A_NUMBER, "-inf": NOT_A_NUMBER, "NaN": NOT_A_NUMBER, "nan": NOT_A_NUMBER,
        "1e309": TOO_BIG_WANYUAN,  # beyond a double: infinite
        "1" + "0" * 400: TOO_BIG_WANYUAN,  # 401 digits: infinite
        "1e308": TOO_BIG_WANYUAN, "100,000,001": TOO_BIG_WANYUAN,
        "1234,5": DECIMAL_COMMA, "12,34": DECIMAL_COMMA, "1,23,456": DECIMAL_COMMA,  # a decimal comma, or ambiguous
        "1,234": None, "1,234,567.5": None, "１２３４．５": None, "50 000": None, "100,000,000": None,  # fine
    }
    months = [f"2018-{m:02d}" for m in range(1, 13)] + [f"2019-{m:02d}" for m in range(1, 13)]
    rows = [["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"]]
    rows += [["紫金县", months[i], "2,000,000", v] for i, v in enumerate(values)]
    parsed = check_one(write_csv(tmp_path / "f1.csv", rows, "utf-8"))
    got = {m.value: m.text for m in parsed.problems.errors}
    assert got == {v: text for v, text in values.items() if text}
    assert all(m.column == "D列“网络零售额（万元）”" for m in parsed.problems.errors)
    assert parsed.problems.errors[0].row == 2 and str(parsed.problems.errors[0]) == (
        f"错误：文件「f1.csv」，第2行，D列“网络零售额（万元）”：值“inf”：{NOT_A_NUMBER}")
    fine = parsed.tables["F1"].filter(pl.col("period").is_in(months[12:]))["online_retail"].to_list()
    assert fine == [1234.0, 1234567.5, 1234.5, 50000.0, 100000000.0]


def test_a_ceiling_is_shown_in_the_unit_of_the_header(tmp_path):
    path = write_xlsx(tmp_path / "f1.xlsx", {"S": [
        ["县区", "统计期", "社会消费品零售总额（亿元）", "网络零售额（元）"],
        ["紫金县", "2018", 10001, 1e12],  # 10,001 亿元 = 100,010,000 万元: too big; 1e12 元 = 1e8 万元: the ceiling
        ["龙川县", "2018", 10000, 1.5e12],  # 10,000 亿元 is the ceiling; 1.5e12 元 is too big
    ]})
    parsed = check_one(path)
    assert [(m.row, m.column[:2], m.value, m.text) for m in parsed.problems.errors] == [
        (2, "C列", "10001", "数值过大：不能大于10,000亿元，请核对数值和单位"),
        (3, "D列", "1500000000000", "数值过大：不能大于1,000,000,000,000元，请核对数值和单位"),
    ]


def test_areas_and_counts_have_ceilings_too(tmp_path):
    f3 = write_xlsx(tmp_path / "f3.xlsx", {"园区": [
        ["年度", "名称", "所在县区", "类别", "集中化程度较高", "建筑面积（㎡）", "入驻面积（㎡）", "入驻企业数（家）"],
        [2018, "甲基地", "源城区", "孵化基地", "是", 20_000_000, 100, 100_001],
    ]})
    f4 = write_xlsx(tmp_path / "f4.xlsx", {"台账": [
        ["培训班名称", "主办单位", "所在县区", "开班日期", "结业日期", "培训人次（人次）", "培训费用（万元）"],
        ["甲班", "紫金县商务局", "紫金县", D(2024, 3, 15), D(2024, 3, 16), 10_000_001, 10_001],
    ]})
    assert [(m.column[:2], m.text) for m in check_one(f3).problems.errors] == [
        ("F列", "数值过大：不能大于10,000,000㎡，请核对数值和单位"),
        ("H列", "数值过大：不能大于100,000家，请核对数值和单位"),
    ]
    assert [(m.column[:2], m.text) for m in check_one(f4).problems.errors] == [
        ("F列", "数值过大：不能大于10,000,000人次，请核对数值和单位"),
        ("G列", "数值过大：不能大于10,000万元，请核对数值和单位"),
    ]


def test_not_a_number_stored_in_an_excel_number_cell(tmp_path):
    # Excel cannot store NaN or infinity, a program writing the XML can: <v>NaN</v>, <v>inf</v>, <v>1e309</v>
    from etl import fuzz

    path = write_xlsx(tmp_path / "src.xlsx", {"S": [
        ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"],
        ["紫金县", "2018", 111, 1], ["龙川县", "2018", 222, 2], ["连平县", "2018", 333, 3]]})
    nan = path.with_name("nan.xlsx")
    nan.write_bytes(fuzz.rewrite_parts(path.read_bytes(), {"xl/worksheets/sheet1.xml": lambda s: s.replace(
        b"<v>111</v>", b"<v>NaN</v>").replace(b"<v>222</v>", b"<v>inf</v>").replace(b"<v>333</v>", b"<v>1e309</v>")}))
    parsed = check_one(nan)  # the Excel reader makes 1e309 infinite: "inf"
    assert [(m.row, m.value, m.text) for m in parsed.problems.errors] == [
        (2, "NaN", NOT_A_NUMBER), (3, "inf", NOT_A_NUMBER), (4, "inf", NOT_A_NUMBER)]


# ------------------------------------------------------------------------------------------ after the file arrived


def test_periods_years_and_dates_after_the_file_arrived_are_errors(tmp_path):
    from etl.guard import read_guarded as parse_guarded

    arrived = D(2026, 11, 27)
    f1 = write_xlsx(tmp_path / "f1.xlsx", {"S": [
        ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"],
        ["紫金县", "2026年1-10月", 100, 10],  # 2 ended on 31 October: fine
        ["龙川县", "2026Q3", 100, 10],  # 3 fine
        ["连平县", "2026", 100, 10],  # 4 the year 2026 has not ended
        ["和平县", "2026年11月", 100, 10],  # 5 November ends on the 30th
        ["东源县", "2099", 100, 10],  # 6
    ]})
    parsed = parse_guarded(f1, "f1.xlsx", arrived=arrived)
    tail = "晚于本文件的接收日期（2026年11月27日）；只能填报已经结束的统计期"
    assert [(m.row, m.value, m.text) for m in parsed.problems.errors] == [
        (4, "2026", f"统计期到2026年12月31日才结束，{tail}"),
        (5, "2026年11月", f"统计期到2026年11月30日才结束，{tail}"),
        (6, "2099", f"统计期到2099年12月31日才结束，{tail}"),
    ]
    f4 = write_xlsx(tmp_path / "f4.xlsx", {"台账": [
        ["培训班名称", "主办单位", "所在县区", "开班日期", "结业日期", "培训人次（人次）"],
        ["甲班", "紫金县商务局", "紫金县", D(2026, 11, 20), D(2026, 11, 27), 30],  # ends the day it arrived: fine
        ["乙班", "紫金县商务局", "紫金县", D(2026, 11, 20), "2026-11-28", 30],
        ["丙班", "紫金县商务局", "紫金县", "2099-01-01", D(2099, 1, 2), 30],
    ]})
    parsed = parse_guarded(f4, "f4.xlsx", arrived=arrived)
    later = "日期晚于本文件的接收日期（2026年11月27日），请核对"
    assert [(m.row, m.column[:2], m.text) for m in parsed.problems.errors] == [
        (3, "E列", later), (4, "D列", later), (4, "E列", later)]
    f6 = write_xlsx(tmp_path / "f6.xlsx", {"认定": [
        ["年度", "名称", "所在县区", "类别", "认定日期"],
        [2026, "甲村", "紫金县", "电商示范村", D(2026, 6, 1)],  # the year of arrival: fine
        [2027, "乙村", "紫金县", "电商示范村", None],
    ]})
    parsed = parse_guarded(f6, "f6.xlsx", arrived=arrived)
    assert [(m.row, m.value, m.text) for m in parsed.problems.errors] == [
        (3, "2027", "年度2027年晚于本文件的接收日期（2026年11月27日），请核对年度")]


def test_a_period_in_2099_never_loads(tmp_path, home):
    path = write_xlsx(tmp_path / "f1.xlsx", {"S": [
        ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"], ["紫金县", "2099", 100, 10]]})
    code, out = cli("load", path)
    assert code == 1 and "统计期到2099年12月31日才结束" in out
    assert not (home / "warehouse.duckdb").exists()


# ------------------------------------------------------------------------------------------ formulas


def test_a_formula_without_a_calculated_value_is_an_error_naming_the_cell(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()  # openpyxl writes formulas as a program does: no calculated value
    ws = wb.active
    ws.title = "统计表"
    ws.append(["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"])
    ws.append(["紫金县", "2018", "=100*2", "=C2/10"])
    ws.append(["龙川县", "2018", 300, 30])
    wb.save(tmp_path / "公式.xlsx")
    parsed = check_one(tmp_path / "公式.xlsx")
    formula = "公式没有计算结果（可能是程序生成、未在 Excel 中打开保存），请在 Excel 中打开、保存后再提交"
    assert [str(m) for m in parsed.problems] == [
        f"错误：文件「公式.xlsx」，工作表「统计表」，第2行，C列“社会消费品零售总额（万元）”：{formula}",
        f"错误：文件「公式.xlsx」，工作表「统计表」，第2行，D列“网络零售额（万元）”：{formula}",
    ]


def test_a_formula_with_a_calculated_value_reads_as_its_value(tmp_path):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(tmp_path / "公式.xlsx"))  # as Excel saves it: the formula and its value
    ws = wb.add_worksheet("统计表")
    ws.write_row(0, 0, ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"])
    ws.write_row(1, 0, ["紫金县", "2018"])
    ws.write_formula(1, 2, "=100*2", None, 200)
    ws.write_formula(1, 3, "=C2/10", None, 20)
    wb.close()
    parsed = check_one(tmp_path / "公式.xlsx")
    assert parsed.problems == []
    assert parsed.tables["F1"].select("retail_total", "online_retail").rows() == [(200.0, 20.0)]
