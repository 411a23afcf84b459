"""督查通报: the Word bulletin and its Excel attachment, read back as a clerk would open them.

The warehouse is the conftest fixture set (2014–2017); the bulletin is for 2016. Its ranking, lights and
fix lists are the hand-worked 2016 reading of tests/test_report.py (源城区 76.7, 紫金县 53.3, 龙川县 42.3,
和平县 26.0, 连平县 22.7, 东源县 3.3; every file sent on 2017-03-01, before the 2016 due date 2017-03-31).
"""

from __future__ import annotations

import datetime as dt
import io

import docx
import openpyxl
import pytest
from conftest import cli_subprocess, load_fixture_set

from etl.report import bulletin, facts

RANKING = [("1", "源城区", "76.7"), ("2", "紫金县", "53.3"), ("3", "龙川县", "42.3"), ("4", "和平县", "26.0"),
           ("5", "连平县", "22.7"), ("6", "东源县", "3.3")]
LATE = "（截止日期2017年3月31日已过，六个县区中已有{n}个报送；当年没有需要报送的内容的，报送零报告）。"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """Overrides conftest's per-test home: one fixture-set home for the module."""
    return load_fixture_set(tmp_path_factory.mktemp("bulletin"))


@pytest.fixture(scope="module")
def b(home) -> bulletin.Bulletin:
    return bulletin.gather(facts.Warehouse(home / "warehouse.duckdb"), 2016, dt.date(2017, 3, 15))


@pytest.fixture(scope="module")
def document(b):
    return docx.Document(io.BytesIO(bulletin.docx_bytes(b)))


def paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def test_the_bulletin_has_the_gongwen_frame(document):
    text = paragraphs(document)
    assert text[0] == "【模拟数据，非官方统计：本通报由示例数据生成，仅用于演示】"
    assert text[1] == "河源市发展电子商务联席会议办公室"
    assert text[2] == "河电商联办〔    〕    号"  # the number is filled in by the office
    assert text[3] == "关于2016年度全市电子商务发展目标推进情况的通报"
    assert text[4] == bulletin.RECIPIENTS
    heads = [t for t in text if t[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    assert heads == ["一、总体进展", "二、各县区排名及得分", "三、存在问题", "四、扶持政策、资金和重点任务落实情况", "五、整改要求",
                     "六、评价口径"]
    assert "附件：2016年度各县区电子商务发展目标推进情况表（Excel）" in text
    assert text[-4:-1] == ["河源市发展电子商务联席会议办公室", "（河源市商务局代章）", "2017年3月15日"]
    assert "模拟数据，非官方统计" in document.sections[0].header.paragraphs[0].text
    # the red head and the title name an East Asian face (Word and WPS choose the CJK font from w:eastAsia)
    head_run = document.paragraphs[1].runs[0]
    assert head_run._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") \
        == "方正小标宋简体"
    assert str(head_run.font.color.rgb) == "C00000"


def test_the_ranking_table_is_ordered_by_the_stated_score(document):
    ranking = document.tables[0]
    assert [c.text for c in ranking.rows[0].cells] == ["名次", "县区", "得分", "进度得分", "报送率", "绿/黄/红", "不评价"]
    assert [tuple(c.text for c in r.cells[:3]) for r in ranking.rows[1:]] == RANKING
    assert [r.cells[4].text for r in ranking.rows[1:]] == ["83%", "67%", "67%", "50%", "33%", "17%"]  # 5/6, 4/6, 4/6, 3/6, 2/6, 1/6
    assert "得分 = 80 × 各评价目标完成序时进度的程度" in "".join(paragraphs(document))


def test_the_lights_say_their_colour_in_words(document):
    lights = document.tables[1]
    head = [c.text for c in lights.rows[0].cells]
    assert head[0] == "县区" and head[1] == "知名平台型企业（2017年≥2家）"
    row = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in lights.rows[1:]}
    assert row["源城区"][0] == "绿　1家（应达0.2家）"
    assert row["连平县"][0] == "红　F2未报送"
    fill = lights.rows[1].cells[1]._element.tcPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}shd").get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}fill")
    assert fill == "D5EFDD"  # green, and the text says 绿


def test_each_county_is_told_what_to_fix(document, b):
    text = paragraphs(document)
    start = text.index("五、整改要求")
    part = text[start:text.index("六、评价口径")]
    heads = [t for t in part if t.startswith("（")]
    assert heads == ["（一）源城区（第1名，76.7分）", "（二）紫金县（第2名，53.3分）", "（三）龙川县（第3名，42.3分）",
                     "（四）和平县（第4名，26.0分）", "（五）连平县（第5名，22.7分）", "（六）东源县（第6名，3.3分）"]
    lianping = part[part.index("（五）连平县（第5名，22.7分）") + 1:part.index("（六）东源县（第6名，3.3分）")]
    assert lianping == ["1. 补报2016年度F2 电子商务企业名录" + LATE.format(n=2), "2. 补报2016年度F3 孵化基地和产业园情况表" + LATE.format(n=3),
                        "3. 补报2016年度F5 本地知名品牌企业触网情况表" + LATE.format(n=3),
                        "4. 补报2016年度F6 农村电商与示范认定表" + LATE.format(n=3),
                        # its 2016 government-purchased class cost 16万: 三(五)1 30% = 4.8万, never applied (no F7)
                        "5. 2016年度有1项按报表测算可享受扶持但未申请：连平县商务局（三(五)1，测算4.80万元），请通知有关企业（单位）核实并申请。"]
    # 和平县 sent F4 and F6 for 2016: it is not told to send them again
    heping = part[part.index("（四）和平县（第4名，26.0分）") + 1:part.index("（五）连平县（第5名，22.7分）")]
    assert not any("F4" in t or "F6" in t for t in heping)


def test_the_attachment_is_ranked_coloured_and_labelled(b):
    wb = openpyxl.load_workbook(io.BytesIO(bulletin.xlsx_bytes(b)))
    assert wb.sheetnames == ["2016年排名与信号灯", "2016年各项指标", "2016年资金兑现"]
    ws = wb["2016年排名与信号灯"]
    assert ws["A1"].value == "附件：2016年度各县区电子商务发展目标推进情况表"
    assert ws["A2"].value.startswith("河源市发展电子商务联席会议办公室　河电商联办〔    〕    号　2017年3月15日　数据截至2017年底")
    assert ws["A3"].value == "注：模拟数据，非官方统计，仅用于演示"
    head = [c.value for c in ws[4]]
    assert head[:5] == ["名次", "县区", "得分", "进度得分", "报送率"] and head[-2:] == ["报表报送", "须整改事项"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5, max_row=10)]
    assert [(str(r[0]), r[1], f"{r[2]:.1f}") for r in rows] == RANKING
    brand = head.index("品牌触网率（2017年目标≥70%）")
    assert rows[2][brand] == "红　0%（应达46.7%）"
    assert ws.cell(row=7, column=brand + 1).fill.fgColor.rgb == "FFF8D0CB"  # red fill, and the text says 红
    assert rows[0][brand] == "绿　100%（应达63.3%）"
    assert ws.cell(row=5, column=brand + 1).fill.fgColor.rgb == "FFD5EFDD"
    assert rows[3][head.index("报表报送")] == "F2 逾期未报；F3 逾期未报；F5 逾期未报"  # 和平县
    assert rows[0][head.index("报表报送")] == "F4 逾期未报"  # 源城区: no class ended in 2016, and no 零报告
    # every string is a string: nothing starts a formula
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


def test_the_indicator_sheet_says_not_sent_only_past_the_due_date(b):
    ws = openpyxl.load_workbook(io.BytesIO(bulletin.xlsx_bytes(b)))["2016年各项指标"]
    head = [c.value for c in ws[3]]
    col = head.index("电商示范村（个）")
    villages = {r[0]: r[col] for r in ws.iter_rows(min_row=4, max_row=12, values_only=True)}
    # 紫金县, 连平县, 东源县 and the zones sent no F6 for 2016 and no 零报告, past its due date: 未报送
    # (源城区 opened a cross-border platform that year, so its F6 says 0 villages)
    assert villages == {"源城区": 0, "紫金县": "未报送", "龙川县": 1, "连平县": "未报送", "和平县": 1, "东源县": "未报送",
                        "市高新区（功能区）": "未报送", "江东新区（功能区）": "未报送", "全市": 2}


def test_the_command_line_writes_both_files(home, tmp_path):
    done = cli_subprocess("bulletin", "--year", "2016", "--out", tmp_path / "out", "--date", "2017-03-15", home=home)
    assert done.returncode == 0, done.stderr
    docx_path = tmp_path / "out" / "2016年度全市电子商务发展目标推进情况通报.docx"
    xlsx_path = tmp_path / "out" / "2016年度全市电子商务发展目标推进情况通报（附件）.xlsx"
    assert done.stdout.splitlines() == [f"已生成 {docx_path}", f"已生成 {xlsx_path}"]
    assert paragraphs(docx.Document(str(docx_path)))[3] == "关于2016年度全市电子商务发展目标推进情况的通报"
    bad = cli_subprocess("bulletin", "--year", "2030", "--out", tmp_path / "x", home=home)
    assert bad.returncode == 1 and bad.stderr.strip() == "2030年没有数据：可选年份为 2014–2017 年。"
    assert not (tmp_path / "x").exists()
