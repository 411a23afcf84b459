"""县区比较 (inspection teams): the page runs, the map follows the chosen indicator, completeness and ranks
follow the stated rules, and the 督查通报 workbook holds exactly the comparison.

One small warehouse, built by the real loader from one workbook written here (2022 and 2023):

    F1 2023: 源城区 100000 / 30000 (社零 / 网零, 万元), 紫金县 50000 / 5000, 龙川县 60000 / 9000,
             和平县 40000 / 4000, 东源县 80000 / 16000, 市高新区 20000 / 8000, 全市 (reported) 340000 / 70000;
             连平县 and 江东新区 send nothing for 2023 (both sent 2022) → 逾期未报 (past 2024-03-31).
             农村网零: 源城区 5000, 紫金县 1000, the rest blank (F1 sent, item blank → 无数据).
    F2 2023: recognised platforms 源城区 2, 东源县 1, 江东新区 1; 紫金县 one small enterprise (0);
             the others send no F2 → 未报送; city = 4 different enterprises.
    The workbook is sent on 2024-03-01: on time for 2023 (due 2024-03-31), late for 2022 (due 2023-03-31).
    网零占比 2023: 源城区 30%, 东源县 20%, 龙川县 15%, 紫金县 10%, 和平县 10% → ranks 1, 2, 3, 4, 4.
"""

from __future__ import annotations

import io
import json

import openpyxl
import polars as pl
import pytest
import streamlit as st
from conftest import uscc, write_xlsx
from e2e_support import open_app_page
from streamlit.testing.v1 import AppTest

PAGE = "app_pages/counties.py"

F1_HEADER = ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）", "农村网络零售额（万元）"]
F1_ROWS = [
    ["源城区", "2022", 95000, 28000, 4500], ["紫金县", "2022", 48000, 4800, 900],
    ["龙川县", "2022", 58000, 8500, None], ["连平县", "2022", 30000, 2500, None],
    ["和平县", "2022", 39000, 3900, None], ["东源县", "2022", 76000, 15000, None],
    ["市高新区", "2022", 19000, 7600, None], ["江东新区", "2022", 9000, 1500, None],
    ["源城区", "2023", 100000, 30000, 5000], ["紫金县", "2023", 50000, 5000, 1000],
    ["龙川县", "2023", 60000, 9000, None], ["和平县", "2023", 40000, 4000, None],
    ["东源县", "2023", 80000, 16000, None], ["市高新区", "2023", 20000, 8000, None],
    ["全市", "2023", 340000, 70000, None],
]
F2_HEADER = ["年度", "企业名称", "统一社会信用代码", "所在县区", "企业类别", "认定为知名平台"]
F2_ROWS = [
    [2023, "示例源城平台甲有限公司", uscc("91441602MA7000001"), "源城区", "平台型电商企业", "是"],
    [2023, "示例源城平台乙有限公司", uscc("91441602MA7000002"), "源城区", "平台型电商企业", "是"],
    [2023, "示例东源平台有限公司", uscc("91441625MA7000003"), "东源县", "平台型电商企业", "是"],
    [2023, "示例紫金小微商行", uscc("92441621MA7000004"), "紫金县", "小微电商企业", "否"],
    [2023, "示例江东平台有限公司", uscc("91441600MA7000005"), "江东新区", "平台型电商企业", "是"],
]


@pytest.fixture
def warehouse(home, tmp_path):
    """The small warehouse above in a fresh ECMON_HOME (conftest's ``home``), and no stale cache."""
    from etl import pipeline

    path = write_xlsx(tmp_path / "incoming" / "督查测试.xlsx",
                      {"县区电子商务统计表": [F1_HEADER, *F1_ROWS], "电子商务企业名录": [F2_HEADER, *F2_ROWS]})
    outcome = pipeline.load([path], simulated=True, submitted_on={path.name: "2024-03-01"})
    assert outcome.ok and outcome.published, [str(m) for p in outcome.parsed for m in p.problems]
    st.cache_data.clear()
    yield home
    st.cache_data.clear()


def choropleth_z(at: AppTest) -> list:
    """z of the map's coloured (已报送) choropleth, from the plotly spec AppTest exposes."""
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        for trace in spec["data"]:
            if trace.get("type") == "choropleth" and trace.get("name") == "已报送":
                return trace["z"]
    raise AssertionError("no choropleth on the page")


def open_page() -> AppTest:
    return open_app_page(PAGE)


# ---- the page ------------------------------------------------------------------------------------------

def test_page_runs_and_says_who_leads_and_who_did_not_report(warehouse):
    at = open_page()
    assert at.title[0].value == "县区比较"
    text = " ".join(m.value for m in at.markdown)
    # default indicator: the first of the catalog, its only year 2023
    assert ("2023年 本地化平台型电子商务企业数：源城区最高（2家），紫金县最低（0家）；全市 4家（全市不重复计数）；"
            "龙川县、连平县、和平县未报送。") in text
    assert "功能区（位于县区境内，不计入全市合计）" in text


def test_picking_another_indicator_changes_the_map(warehouse):
    at = open_page()
    assert choropleth_z(at) == [2, 0, 1]  # 源城区, 紫金县, 东源县 (the others sent no F2: grey, not 0)
    at.selectbox(key="cmp_indicator").set_value("online_retail").run()
    assert not at.exception, [e.value for e in at.exception]
    assert choropleth_z(at) == [30000, 5000, 9000, 4000, 16000]  # 连平县 is grey (未报送)
    at.selectbox(key="cmp_indicator").set_value("online_retail_share").run()
    assert [round(z, 6) for z in choropleth_z(at)] == [30.0, 10.0, 15.0, 10.0, 20.0]


def test_profile_and_completeness_render_for_a_zone(warehouse):
    at = open_page()
    at.selectbox(key="cmp_profile_region").set_value("441692").run()
    assert not at.exception, [e.value for e in at.exception]
    at.radio(key="cmp_form").set_value("F2").run()
    assert not at.exception, [e.value for e in at.exception]


# ---- the rules -----------------------------------------------------------------------------------------

def test_completeness_follows_the_reporting_calendar(warehouse):
    from dashboard import inspection_export as ie

    status = ie.submission_status([2022, 2023])
    label = {(f, r, y): lab for f, r, y, lab in status.select("form", "region_code", "year", "label").iter_rows()}
    assert label[("F1", "441623", 2023)] == "逾期未报"  # 连平县: nothing for 2023, past 2024-03-31
    assert label[("F1", "441692", 2023)] == "逾期未报"  # 江东新区 owes F1 too
    assert label[("F1", "441602", 2023)] == "✓"  # sent 2024-03-01, before the due date
    assert label[("F1", "441602", 2022)] == "迟报"  # the same file, after 2022's due date 2023-03-31
    assert label[("F2", "441622", 2023)] == "逾期未报"  # 龙川县 sent no F2
    assert label[("F2", "441692", 2023)] == "✓"


def test_partial_year_is_not_a_full_submission(home, tmp_path, monkeypatch):
    from conftest import cli

    from etl.report import facts

    monkeypatch.setenv("ECMON_TODAY", "2025-05-01")
    path = write_xlsx(tmp_path / "f1.xlsx", {"表": [F1_HEADER, ["源城区", "2024Q2", 40000, 9000, None],
                                                  ["源城区", "2024-09", 70000, 16000, None],
                                                  ["紫金县", "2024Q4", 50000, 5000, None]]})
    assert cli("load", "--submitted-on", "2025-01-20", path)[0] == 0
    status = facts.submission_status(facts.Warehouse(home / "warehouse.duckdb"), [2024]).filter(pl.col("form") == "F1")
    got = {r: (s_, lab) for r, s_, lab in status.select("region_code", "status", "label").iter_rows()}
    assert got["441602"] == ("部分", "至1-9月")  # only part of the year
    assert got["441621"] == ("按时", "✓")  # the fourth quarter's year-to-date figure is the year's


def test_ranks_are_among_counties_only_and_ties_share_the_better_rank(warehouse):
    from dashboard import data
    from dashboard import inspection_export as ie

    regions = ie.compared_regions()
    table = ie.comparison(ie.year_values(2023), data.indicators(), regions, ie.submission_status([2023]))
    share = {r["region_name"]: (r["rank"], r["missing"]) for r in
             table.filter(pl.col("indicator") == "online_retail_share").iter_rows(named=True)}
    assert share == {"源城区": (1, None), "紫金县": (4, None), "龙川县": (3, None), "连平县": (None, "未报送"),
                     "和平县": (4, None), "东源县": (2, None), "市高新区": (None, None), "江东新区": (None, "未报送"),
                     "全市": (None, None)}


# ---- the 督查通报 workbook -------------------------------------------------------------------------------

HEADER = ["县区", "知名平台型企业（家）", "知名平台型企业排名", "孵化基地（个）", "孵化基地排名", "集中化孵化基地（个）",
          "集中化孵化基地排名", "聚集园区阶段", "聚集园区阶段排名", "培训人次（人次）", "累计培训人次（人次）",
          "累计培训人次排名", "知名品牌企业（家）", "已触网品牌企业（家）", "品牌触网率（%）", "品牌触网率排名",
          "网络零售额（万元）", "社零总额（万元）", "网零占比（%）", "网零占比排名", "农村网零额（万元）",
          "跨境电商平台（个）", "电商示范村（个）", "累计跨境电商平台（个）"]


def test_inspection_workbook_is_a_circular_table(warehouse):
    from dashboard import data
    from dashboard import inspection_export as ie

    wb = openpyxl.load_workbook(io.BytesIO(ie.workbook_for_year(2023)))
    ws = wb.active
    assert ws.title == "2023年督查通报"
    assert ws["A1"].value == "河源市电子商务发展督查通报表（2023年）"
    assert "A1:X1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value.startswith("数据截至2023年（建库时间：")
    assert "模拟数据" in ws["A2"].value
    assert [c.value for c in ws[3]] == HEADER
    assert ws.freeze_panes == "B4"

    rows = {r[0]: dict(zip(HEADER, r, strict=True)) for r in ws.iter_rows(min_row=4, max_row=12, values_only=True)}
    assert list(rows) == ["源城区", "紫金县", "龙川县", "连平县", "和平县", "东源县", "市高新区（功能区）",
                          "江东新区（功能区）", "全市"]
    col = {name: [rows[r][name] for r in rows] for name in HEADER[1:]}
    assert col["知名平台型企业（家）"] == [2, 0, "未报送", "未报送", "未报送", 1, "未报送", 1, 4]
    assert col["知名平台型企业排名"] == [1, 3, "—", "—", "—", 2, "—", "—", "—"]
    assert col["网络零售额（万元）"] == [30000, 5000, 9000, "未报送", 4000, 16000, 8000, "未报送", 70000]
    assert col["社零总额（万元）"] == [100000, 50000, 60000, "未报送", 40000, 80000, 20000, "未报送", 340000]
    assert col["网零占比排名"] == [1, 4, 3, "—", 4, 2, "—", "—", "—"]
    assert [round(v, 4) if isinstance(v, float) else v for v in col["网零占比（%）"]] == [
        30.0, 10.0, 15.0, "未报送", 10.0, 20.0, 40.0, "未报送", round(7000000 / 340000, 4)]
    assert col["农村网零额（万元）"] == [5000, 1000, "无数据", "未报送", "无数据", "无数据", "无数据", "未报送", "无数据"]
    assert col["孵化基地（个）"] == ["未报送"] * 8 + ["无数据"]
    assert ws["S4"].number_format == "#,##0.0"

    assert ws["A14"].value == "说明："
    assert ws["B14"].value == ie.RANK_NOTE
    notes = [ws.cell(row=r, column=2).value for r in range(15, ws.max_row + 1)]
    inds = data.indicators()
    assert len(notes) == inds.height + 1
    for note, (name, unit, definition) in zip(notes, inds.select("name", "unit", "definition").iter_rows(), strict=False):
        assert note.split("：", 1)[0].endswith(f"{name}（{unit}）") and definition in note
    assert "本表全市数：报送数" in notes[9]  # 网络零售额: the 全市 figure reported by the statistics bureau
    assert notes[-1] == ie.SOURCE_NOTE


def test_context_indicators_are_never_a_countys_last_place(warehouse):
    """和平县 has the lowest 社零总额 (40000) and 网络零售额 (4000) in 2023: context, not a failure; only the
    indicators that carry a target count (网零占比 10%, tied last with 紫金县)."""
    at = open_page()
    tab = next(t for t in at.tabs if t.label == "县区×指标对比")
    text = "\n".join(m.value for m in tab.markdown)
    hep = next(line for line in text.splitlines() if line.startswith("- **和平县**"))
    assert hep == ("- **和平县**　排名末位（1项）：网零占比；"
                   "未报送（6项）：知名平台型企业、孵化基地、集中化孵化基地、聚集园区阶段、累计培训人次、品牌触网率")
    listed = "\n".join(line for line in text.splitlines() if line.startswith("- **"))
    assert "社零总额" not in listed and "网络零售额" not in listed
