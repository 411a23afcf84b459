"""Messy but valid forms, as county clerks really fill them in, are read with the right values.

Every file here is a real .xlsx or real CSV bytes; values are checked as they land in the typed table
(amounts in 万元, periods canonical, regions as GB/T 2260 codes, dates as dates).
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import uscc, write_csv, write_xlsx

from etl import pipeline

D = dt.date


def read_one(path):
    """`check` one file (the public first step of a load) and return what it read."""
    outcome = pipeline.check([path])
    assert len(outcome.parsed) == 1
    return outcome.parsed[0]


def rows_of(parsed, form, *fields):
    return [tuple(r) for r in parsed.tables[form].select("_row", *fields).iter_rows()]


def texts(parsed):
    return [str(m) for m in parsed.problems]


# ------------------------------------------------------------------------------------------ F1


def test_f1_messy_workbook_units_separators_periods_regions_totals_notes(tmp_path):
    rows = [
        ["河源市电子商务发展情况统计表（2018年）"],  # 1 merged title
        ["单位：万元"],  # 2 unit row: applies to the column whose header has no unit
        ["县区", "统计期", "社会消费品零售总额（亿元）", "网络零售额（元）", "农村网络零售额"],  # 3
        ["源城区", "2018", 12.5, "12,345,000", "1,234.5"],  # 4
        ["紫金", "2018年", "１２．５", "  50 000 000 ", "１２３４"],  # 5 short name, full-width, spaces
        [441621, "2018Q3", 10, 30000000, None],  # 6 code typed as a number
        ["441622", "2018年第三季度", 10, 30000000, None],  # 7 code as text
        ["连平县", "2018年3季度", 10, 30000000, None],  # 8
        ["和平县", "2018-09", 8, 20000000, None],  # 9
        ["东源县", "2018年9月", 8, 20000000, None],  # 10
        ["江东新区", "2018年1-9月", 1, 1000000, None],  # 11 a zone, year to date
        ["市高新区", "2018", 2, 3000000, None],  # 12 a zone
        ["全市", "2018", 80, 120000000, 9000],  # 13 the statistics bureau's city figure
        # 14: 合计 of the 2018 county rows: 社零 12.5 + 12.5 = 25 亿元 (right: the zone's 2 亿元 is inside the
        # counties and the 全市 row is not part of the sum); 网络零售额 wrong (1,000 万元 ≠ 1,234.5 + 5,000)
        ["合计", "2018", 25, 10000000, None],
        [None],  # 15
        ["填报说明：本表金额为年初至期末累计数。"],  # 16
        ["填表人：张三", None, "审核人：李四", None, "联系电话：0762-3333333"],  # 17
        ["  ", " ", None, None, "　"],  # 18 blank (spaces only, full-width too)
        ["   "],  # 19
    ]
    path = write_xlsx(tmp_path / "县区统计表.xlsx", {"县区电子商务统计表": rows},
                      merges={"县区电子商务统计表": ["A1:E1"]})
    parsed = read_one(path)

    assert parsed.problems.errors == []
    assert rows_of(parsed, "F1", "region", "period", "retail_total", "online_retail", "rural_online_retail") == [
        (4, "441602", "2018", 125000.0, pytest.approx(1234.5), 1234.5),  # 12.5 亿元 = 125000 万元; 12,345,000 元
        (5, "441621", "2018", 125000.0, pytest.approx(5000.0), 1234.0),
        (6, "441621", "2018Q3", 100000.0, pytest.approx(3000.0), None),
        (7, "441622", "2018Q3", 100000.0, pytest.approx(3000.0), None),
        (8, "441623", "2018Q3", 100000.0, pytest.approx(3000.0), None),
        (9, "441624", "2018-09", 80000.0, pytest.approx(2000.0), None),
        (10, "441625", "2018-09", 80000.0, pytest.approx(2000.0), None),
        (11, "441692", "2018-09", 10000.0, pytest.approx(100.0), None),
        (12, "441691", "2018", 20000.0, pytest.approx(300.0), None),
        (13, "441600", "2018", 800000.0, pytest.approx(12000.0), 9000.0),
    ]
    # the 合计 row is not loaded; only its wrong column is a warning, naming its row, column and value
    assert len(parsed.problems.warnings) == 1, texts(parsed)
    w = parsed.problems.warnings[0]
    assert (w.row, w.column, w.value) == (14, "D列“网络零售额（元）”", "10,000,000")
    assert "第14行" in str(w) and "合计行与明细行之和不一致" in w.text and "62,345,000" in w.text
    assert [c[:2] for c in parsed.coverage()["F1"]] == [
        ("441600", "2018"), ("441602", "2018"), ("441621", "2018"), ("441621", "2018Q3"), ("441622", "2018Q3"),
        ("441623", "2018Q3"), ("441624", "2018-09"), ("441625", "2018-09"), ("441691", "2018"), ("441692", "2018-09"),
    ]
    assert {c[2] for c in parsed.coverage()["F1"]} == {"replace"}  # F1 is a snapshot: a file replaces its periods


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("2018", "2018"), ("2018年", "2018"), ("2018Q3", "2018Q3"), ("2018年第三季度", "2018Q3"),
        ("2018年3季度", "2018Q3"), ("2018-09", "2018-09"), ("2018年9月", "2018-09"), ("2018年1-9月", "2018-09"),
        ("２０１８年第一季度", "2018Q1"), ("2018q4", "2018Q4"), ("2018年12月", "2018-12"), (2018, "2018"),
        (D(2018, 9, 1), "2018-09"),  # "2018-09" typed into Excel becomes the date 2018-09-01
    ],
)
def test_f1_period_forms(tmp_path, text, canonical):
    path = write_xlsx(tmp_path / "f1.xlsx", {"Sheet1": [
        ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"],
        ["龙川", text, 100, 10],
    ]})
    parsed = read_one(path)
    assert parsed.problems == []
    assert rows_of(parsed, "F1", "region", "period") == [(2, "441622", canonical)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_f1_csv_in_every_encoding_excel_writes(tmp_path, encoding):
    path = write_csv(tmp_path / "f1.csv", [
        ["河源市电子商务统计表（2016年）", None, None, None, None],
        ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）", "农村网络零售额（万元）"],
        ["源城区", "2016年", "120,000", "16,000.5", "1,500"],
        ["紫金县", "2016", "６００００", "3 800", None],
        ["合计", None, "180,000", "19,800.5", "1,500"],
        ["注：数据来源为各县区统计局。", None, None, None, None],
    ], encoding)
    parsed = read_one(path)
    assert parsed.problems == [], texts(parsed)
    assert rows_of(parsed, "F1", "region", "period", "retail_total", "online_retail", "rural_online_retail") == [
        (3, "441602", "2016", 120000.0, 16000.5, 1500.0),
        (4, "441621", "2016", 60000.0, 3800.0, None),
    ]
    if encoding == "utf-8-sig":  # the BOM does not stick to the first header
        assert parsed.labels[(None, "region")] == "A列“县区”"


def test_csv_header_with_a_line_break_keeps_line_numbers(tmp_path):
    # Excel writes a header cell typed with Alt+Enter as a quoted cell over two lines; messages must still
    # name the line the clerk sees (the bad value is on line 4, not 3).
    path = write_csv(tmp_path / "f1.csv", [
        ["县区", "统计期", "社会消费品零售总额\n（万元）", "网络零售额（万元）"],
        ["源城区", "2016", "120,000", "16,000"],
        ["紫金县", "2016", "60000", "abc"],
    ], "gbk")
    parsed = read_one(path)
    assert [(m.row, m.column, m.value) for m in parsed.problems.errors] == [(4, "D列“网络零售额（万元）”", "abc")]


def test_csv_gb18030_only_characters(tmp_path):
    # 𪚥 (U+2A6A5) exists in GB18030 but not in GBK: such a file must be read as GB18030
    path = write_csv(tmp_path / "f6.csv", [
        ["年度", "名称", "所在县区", "类别", "认定日期"],
        ["2016", "𪚥村", "和平", "电商示范村", "2016/9/1"],
    ], "gb18030")
    with pytest.raises(UnicodeEncodeError):
        "𪚥".encode("gbk")
    parsed = read_one(path)
    assert parsed.problems == []
    assert rows_of(parsed, "F6", "year", "name", "region", "category", "recognised_date") == [
        (2, 2016, "𪚥村", "441624", "电商示范村", D(2016, 9, 1)),
    ]


# ------------------------------------------------------------------------------------------ F2–F6


def test_f2_messy_enterprise_directory(tmp_path):
    code1 = uscc("91441621MA4W12345")  # = 91441621MA4W12345N (worked out in test_validation.py)
    code2 = uscc("91441602MA5X00001")
    code3 = uscc("92441625MA5X00002")
    rows = [
        ["电子商务企业名录（2018年度）"],
        ["年度", "企业名称", "统一社会信用代码", "所在县区", "企业类别", "平台模式", "认定为知名平台", "网上销售额（亿元）",
         "入驻本地商户数（家）", "贷款利息支出（元）", "新三板挂牌日期", "承办河源产品特色馆"],
        ["2018年", "紫金县客家电商平台有限公司", code1.lower(), "紫金", "平台型电商企业", "B2B、O2O", "Y", 0.65,
         "1,200", "150,000", D(2017, 8, 30), "是"],
        [2018, "河源市万绿网络科技有限公司", code2, 441602, "平台型电商企业", "b2c,c2c", "是", "２．５",
         520, None, "2016/3/15", "N"],
        ["2018", "东源县小微电商商行", f" {code3} ", "东源县", "小微电商企业", None, "否", 0.01,
         None, None, None, "否"],
        ["合计", None, None, None, None, None, None, 3.16, "1,720", None, None, None],
    ]
    parsed = read_one(write_xlsx(tmp_path / "f2.xlsx", {"企业名录": rows}))
    assert parsed.problems == [], texts(parsed)
    got = rows_of(parsed, "F2", "year", "uscc", "region", "category", "platform_modes", "is_recognised_platform",
                  "online_sales", "local_merchants", "loan_interest", "neeq_listing_date", "runs_heyuan_pavilion")
    assert got == [
        (3, 2018, "91441621MA4W12345N", "441621", "平台型电商企业", "B2B、O2O", True, 6500.0, 1200, 15.0,
         D(2017, 8, 30), True),
        (4, 2018, code2, "441602", "平台型电商企业", "B2C、C2C", True, 25000.0, 520, None, D(2016, 3, 15), False),
        (5, 2018, code3, "441625", "小微电商企业", None, False, 100.0, None, None, None, False),
    ]


def test_f3_parks_with_area_units_and_stages(tmp_path):
    rows = [
        [None, "孵化基地和产业园情况表"],
        [None, "年度", "名称", "所在县区", "类别", "集中化程度较高", "建设方式", "建筑面积（平方米）", "入驻面积（㎡）",
         "入驻企业数（家）", "阶段"],
        [None, 2018, "源城区电商孵化基地", "源城", "孵化基地", "是", "租用", "12,000", "８０００", 35, None],
        [None, "2018年", "龙川县电子商务产业园", "龙川县", "聚集发展园区", None, "自建", 50000.5, 0, 0, "初具规模"],
        [None, "2018", "河源电商大厦", "市高新区", "电商楼宇", "否", "自建", " 20 000 ", "15000", "42", "建成运营"],
    ]
    parsed = read_one(write_xlsx(tmp_path / "f3.xlsx", {"园区": rows}))
    assert parsed.problems == [], texts(parsed)
    assert rows_of(parsed, "F3", "year", "name", "region", "category", "is_concentrated", "build_mode", "floor_area",
                   "occupied_area", "tenant_count", "stage") == [
        (3, 2018, "源城区电商孵化基地", "441602", "孵化基地", True, "租用", 12000.0, 8000.0, 35, None),
        (4, 2018, "龙川县电子商务产业园", "441622", "聚集发展园区", None, "自建", 50000.5, 0.0, 0, "初具规模"),
        (5, 2018, "河源电商大厦", "441691", "电商楼宇", False, "自建", 20000.0, 15000.0, 42, "建成运营"),
    ]
    assert parsed.labels[("园区", "floor_area")] == "H列“建筑面积（平方米）”"


def test_f4_training_dates_in_every_written_form(tmp_path):
    rows = [
        ["电商培训台账"],
        ["培训班名称", "主办单位", "所在县区", "开班日期", "结业日期", "培训人次（人次）", "培训费用（元）", "政府购买服务"],
        ["农村电商培训班", "紫金县商务局", "紫金县", D(2024, 3, 15), dt.datetime(2024, 3, 17), "１２０", "35,000", "是"],
        ["跨境电商培训班", "龙川县商务局", "441622", "2024-03-15", "2024/3/16", "1,050", 0, "否"],
        ["网店美工培训班", "连平县商务局", "连平", "2024.3.15", "2024年3月18日", 60, None, "Y"],
        # a class whose name begins like a note word is a class, not a note
        ["注册电商企业负责人培训班", "和平县商务局", "和平县", "2024年3月15日", "2024.03.19", 45, None, "N"],
        ["说明书编写与详情页设计培训班", "东源县商务局", "东源县", "2024/03/15", "2024-3-20", 30, None, None],
        ["合计", None, None, None, None, 1305, "35,000", None],
        ["备注：费用单位为元。"],
    ]
    parsed = read_one(write_xlsx(tmp_path / "f4.xlsx", {"培训台账": rows}))
    assert parsed.problems == [], texts(parsed)
    assert rows_of(parsed, "F4", "name", "region", "start_date", "end_date", "trainees", "cost",
                   "is_government_purchased", "year") == [
        (3, "农村电商培训班", "441621", D(2024, 3, 15), D(2024, 3, 17), 120, 3.5, True, 2024),
        (4, "跨境电商培训班", "441622", D(2024, 3, 15), D(2024, 3, 16), 1050, 0.0, False, 2024),
        (5, "网店美工培训班", "441623", D(2024, 3, 15), D(2024, 3, 18), 60, None, True, 2024),
        (6, "注册电商企业负责人培训班", "441624", D(2024, 3, 15), D(2024, 3, 19), 45, None, False, 2024),
        (7, "说明书编写与详情页设计培训班", "441625", D(2024, 3, 15), D(2024, 3, 20), 30, None, None, 2024),
    ]


def test_f5_brands_yes_no_and_dates(tmp_path):
    a, b = uscc("91441602MA6000001"), uscc("91441622MA6000002")
    rows = [
        ["年度", "企业名称", "统一社会信用代码", "所在县区", "品牌名称", "品牌类别", "是否触网", "触网渠道", "首次触网日期"],
        [2017, "河源米粉厂", a, "源城区", "万绿湖", "广东省著名商标", "Y", "天猫、京东", "2017.5.1"],
        ["2017年", "龙川茶业公司", b, "龙川", "霍山茶", "地理标志产品", "N", None, None],
        ["2017", "龙川茶业公司", b, "龙川", "佗城", "其他", "是", "微店", D(2016, 12, 31)],
    ]
    parsed = read_one(write_csv(tmp_path / "f5.csv", rows, "utf-8-sig"))
    assert parsed.problems == [], texts(parsed)
    assert rows_of(parsed, "F5", "year", "uscc", "region", "brand", "brand_category", "is_online", "channels",
                   "first_online_date") == [
        (2, 2017, a, "441602", "万绿湖", "广东省著名商标", True, "天猫、京东", D(2017, 5, 1)),
        (3, 2017, b, "441622", "霍山茶", "地理标志产品", False, None, None),
        (4, 2017, b, "441622", "佗城", "其他", True, "微店", D(2016, 12, 31)),
    ]


def test_f6_recognitions(tmp_path):
    rows = [
        ["农村电商与示范认定表"],
        ["单位：个"],
        ["年度", "名称", "所在县区", "类别", "认定日期"],
        [2016, "黄塘村", "紫金县", "电商示范村", "2016年9月1日"],
        [2016, "紫金县", 441621, "国家级电子商务进农村综合示范县", D(2016, 6, 30)],
        [2016, "河源跨境电商服务平台", "江东", "跨境电商平台开通", "2016-11-01"],
        [None, None, None, None, None],
        [None, None, None, None, None],
    ]
    parsed = read_one(write_xlsx(tmp_path / "f6.xlsx", {"示范认定": rows}))
    assert parsed.problems == [], texts(parsed)
    assert rows_of(parsed, "F6", "year", "name", "region", "category", "recognised_date") == [
        (4, 2016, "黄塘村", "441621", "电商示范村", D(2016, 9, 1)),
        (5, 2016, "紫金县", "441621", "国家级电子商务进农村综合示范县", D(2016, 6, 30)),
        (6, 2016, "河源跨境电商服务平台", "441692", "跨境电商平台开通", D(2016, 11, 1)),
    ]


# ------------------------------------------------------------------------------------------ workbooks


def test_workbook_with_several_forms_and_an_instructions_sheet(tmp_path):
    path = write_xlsx(tmp_path / "紫金县2018年报表.xlsx", {
        "填报说明": [
            ["紫金县2018年电子商务报表 填报说明"],
            ["列", "是否必填", "填写要求"],
            ["县区", "必填", "县区名称或代码"],
            ["网络零售额（万元）", "必填", "年初至期末累计"],
        ],
        "F1统计表": [
            ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"],
            ["紫金县", "2018", 75000, 6000],
        ],
        "F4培训": [
            ["培训班名称", "主办单位", "所在县区", "开班日期", "结业日期", "培训人次（人次）"],
            ["紫金县电商培训班", "紫金县商务局", "紫金县", D(2018, 4, 1), D(2018, 4, 3), 150],
            ["紫金县直播培训班", "紫金县商务局", "紫金县", D(2018, 10, 1), D(2018, 10, 2), 80],
        ],
        "F6认定": [
            ["年度", "名称", "所在县区", "类别", "认定日期"],
            [2018, "南岭村", "紫金县", "电商示范村", D(2018, 7, 1)],
        ],
    })
    parsed = read_one(path)
    assert parsed.ok, texts(parsed)
    assert [(s.sheet, s.form, s.header_row, s.rows) for s in parsed.sheets] == [
        ("F1统计表", "F1", 1, 1), ("F4培训", "F4", 1, 2), ("F6认定", "F6", 1, 1),
    ]
    assert rows_of(parsed, "F1", "region", "period", "online_retail") == [(2, "441621", "2018", 6000.0)]
    assert parsed.tables["F4"]["trainees"].to_list() == [150, 80]
    assert parsed.tables["F6"]["name"].to_list() == ["南岭村"]
    # the 缺 optional column 培训费用 is simply empty, not an error
    assert parsed.tables["F4"]["cost"].to_list() == [None, None]


def test_excel_rows_and_columns_when_the_sheet_starts_with_blank_rows_and_columns(tmp_path):
    # calamine trims leading blank rows and columns; the messages must still name the cells as Excel does
    blank = [None, None]
    rows = [
        [None], [None], [None],  # rows 1–3 blank
        [*blank, "县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"],  # row 4, from column C
        [*blank, "源城区", "2018", 120000, 16000],  # row 5
        [*blank, "紫金县", "2018", "12万", 3800],  # row 6: E6 is not a number
    ]
    parsed = read_one(write_xlsx(tmp_path / "offset.xlsx", {"表": rows}))
    assert [str(m) for m in parsed.problems.errors] == [
        "错误：文件「offset.xlsx」，工作表「表」，第6行，E列“社会消费品零售总额（万元）”：值“12万”："
        "不是有效的数字（可以带千分位逗号，不要写单位或文字）",
    ]
    assert parsed.tables["F1"]["_row"].to_list() == [5, 6]
    assert parsed.sheets[0].header_row == 4


def test_excel_positions_with_a_stray_space_above_and_a_far_cell_below(tmp_path):
    # A1 holds a lone space (calamine keeps it: nothing is trimmed) and another sheet has a note in
    # column B of row 300, far below a table that starts in column D: both change what calamine trims.
    sheet1 = [[" "], [None], [None, None, "县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"],
              [None, None, "源城区", "2018", -5, 16000]]
    sheet2 = [[None]] * 4 + [[None, None, None, "县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"],
                             [None, None, None, "紫金县", "2018", 60000, "abc"]]
    sheet2 = sheet2 + [[None]] * (299 - len(sheet2)) + [[None, "填表人：张三"]]
    parsed = read_one(write_xlsx(tmp_path / "stray.xlsx", {"一": sheet1, "二": sheet2}))
    got = [(m.sheet, m.row, m.column, m.value) for m in parsed.problems.errors]
    assert got == [
        ("一", 4, "E列“社会消费品零售总额（万元）”", "-5"),
        ("二", 6, "G列“网络零售额（万元）”", "abc"),
    ]
