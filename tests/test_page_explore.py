"""数据探索 (analysts): the page runs, the table and its downloads hold exactly the filtered values, the SQL
console refuses what it must with a Chinese message, and the data dictionary documents every column.

One small warehouse, built by the real loader from one F1 workbook written here (2016 and 2017Q1):

    2016, 网络零售额 / 社会消费品零售总额 (万元): 源城区 10000 / 100000, 紫金县 4000 / 50000,
    龙川县 3000 / 60000, 连平县 2000 / 40000, 和平县 1500 / 30000, 东源县 5000 / 70000,
    市高新区 6000 / 20000 (a zone, never added) → 全市 25500 / 350000 (六县区合计), 网零占比 7.2857%.
    2017Q1: 源城区 2800 / 26000 only.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import streamlit as st
from conftest import SMALL_F1_2016, build_home
from e2e_support import open_app_page
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

PAGE = "app_pages/explore.py"
DICTIONARY = Path(__file__).resolve().parents[1] / "data" / "catalog" / "dictionary.csv"

F1_HEADER = ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）", "农村网络零售额（万元）"]
F1_ROWS = [
    *SMALL_F1_2016,
    ["源城区", "2017Q1", 26000, 2800, None],
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The warehouse above, built once by the real ETL in its own ECMON_HOME."""
    return build_home(tmp_path_factory.mktemp("explore"),
                      {"县区电子商务统计表.xlsx": {"县区电子商务统计表": [F1_HEADER, *F1_ROWS]}})


@pytest.fixture
def warehouse(built, monkeypatch):
    monkeypatch.setenv("ECMON_HOME", str(built))
    st.cache_data.clear()
    yield built
    st.cache_data.clear()


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """Every file the page offers for download in the next runs: {file name: bytes}."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename:
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


def open_page(tab: str | None = None) -> AppTest:
    at = open_app_page(PAGE)
    if tab:
        at.session_state["explore_tab"] = tab
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def run_sql(at: AppTest, sql: str) -> AppTest:
    at.text_area(key="sql_text").set_value(sql)
    at.button(key="sql_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def download_labels(at: AppTest) -> list[str]:
    return [el.proto.label for el in at.get("download_button")]


# ---- 指标数据 ----------------------------------------------------------------------------------------------

EXPECTED_TABLE = [  # 网零占比 2016, every region, in the catalog's region order
    ("河源市", "网络零售总额占社会消费品零售总额比重", "%", "2016", 100 * 25500 / 350000, "推算", "网络零售额÷社会消费品零售总额"),
    ("源城区", "网络零售总额占社会消费品零售总额比重", "%", "2016", 10.0, "推算", "网络零售额÷社会消费品零售总额"),
    ("紫金县", "网络零售总额占社会消费品零售总额比重", "%", "2016", 8.0, "推算", "网络零售额÷社会消费品零售总额"),
    ("龙川县", "网络零售总额占社会消费品零售总额比重", "%", "2016", 5.0, "推算", "网络零售额÷社会消费品零售总额"),
    ("连平县", "网络零售总额占社会消费品零售总额比重", "%", "2016", 5.0, "推算", "网络零售额÷社会消费品零售总额"),
    ("和平县", "网络零售总额占社会消费品零售总额比重", "%", "2016", 5.0, "推算", "网络零售额÷社会消费品零售总额"),
    ("东源县", "网络零售总额占社会消费品零售总额比重", "%", "2016", 100 * 5000 / 70000, "推算", "网络零售额÷社会消费品零售总额"),
    ("市高新区", "网络零售总额占社会消费品零售总额比重", "%", "2016", 30.0, "推算", "网络零售额÷社会消费品零售总额"),
]
COLUMNS = ["地区", "指标", "单位", "统计期", "数值", "来源", "计算方法"]


def test_page_runs_with_table_chart_definitions_and_downloads(warehouse, downloads):
    at = open_page()
    assert at.title[0].value == "数据探索"
    table = at.dataframe[0].value
    assert list(table.columns) == COLUMNS
    shown = [tuple(r) for r in table.itertuples(index=False)]
    assert [r[:4] + r[5:] for r in shown] == [r[:4] + r[5:] for r in EXPECTED_TABLE]
    assert [r[4] for r in shown] == [round(r[4], 1) for r in EXPECTED_TABLE]  # shown with the catalog's 1 decimal

    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["name"] for t in spec["data"]] == [r[0] for r in EXPECTED_TABLE]

    text = " ".join(m.value for m in at.markdown)
    assert "F1 中网络零售额除以社会消费品零售总额再乘以100" in text  # the catalog's definition
    assert "比率：由分子、分母重新计算" in text and "F1 县区电子商务统计表" in text and "河府办〔2015〕43号 二" in text

    assert download_labels(at) == ["下载 CSV", "下载 Excel", "下载 Parquet"]
    stem = "河源电商指标数据_2016-2017_年度"
    assert set(downloads) == {f"{stem}.csv", f"{stem}.xlsx", f"{stem}.parquet"}

    data = downloads[f"{stem}.csv"]
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese correctly
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == COLUMNS
    assert [tuple(r[:4] + r[5:]) for r in rows[1:]] == [r[:4] + r[5:] for r in EXPECTED_TABLE]
    assert [float(r[4]) for r in rows[1:]] == pytest.approx([r[4] for r in EXPECTED_TABLE])  # full precision

    parquet = pl.read_parquet(io.BytesIO(downloads[f"{stem}.parquet"]))
    assert parquet.columns == COLUMNS and parquet.height == len(EXPECTED_TABLE)
    assert parquet["数值"].to_list() == pytest.approx([r[4] for r in EXPECTED_TABLE])

    wb = openpyxl.load_workbook(io.BytesIO(downloads[f"{stem}.xlsx"]))
    assert wb.sheetnames == ["数据", "指标说明"]
    sheet = [list(r) for r in wb["数据"].iter_rows(values_only=True)]
    assert sheet[0] == COLUMNS and len(sheet) == 1 + len(EXPECTED_TABLE)
    notes = [list(r) for r in wb["指标说明"].iter_rows(values_only=True)]
    assert notes[0] == ["指标", "代码", "单位", "定义", "计算方法", "来源报表", "政策条款"]
    assert notes[1][:3] == ["网络零售总额占社会消费品零售总额比重", "online_retail_share", "%"]
    assert notes[1][3].startswith("F1 中网络零售额除以社会消费品零售总额") and notes[1][6] == "河府办〔2015〕43号 二"


def test_filters_change_the_table_and_the_download(warehouse, downloads):
    at = open_page()
    at.multiselect(key="ex_indicators").set_value(["online_retail", "rural_online_retail"]).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    # 农村网零: only two counties, so no city value; zone 6000 beside the counties, never in the 25500
    assert [tuple(r) for r in table[["地区", "指标", "数值", "来源"]].itertuples(index=False)] == [
        ("河源市", "网络零售额", 25500.0, "推算"), ("源城区", "网络零售额", 10000.0, "报送"),
        ("紫金县", "网络零售额", 4000.0, "报送"), ("龙川县", "网络零售额", 3000.0, "报送"),
        ("连平县", "网络零售额", 2000.0, "报送"), ("和平县", "网络零售额", 1500.0, "报送"),
        ("东源县", "网络零售额", 5000.0, "报送"), ("市高新区", "网络零售额", 6000.0, "报送"),
        ("源城区", "农村网络零售额", 1000.0, "报送"), ("紫金县", "农村网络零售额", 800.0, "报送"),
    ]
    # both in 万元: one chart, a line per region and indicator
    assert len(at.get("plotly_chart")) == 1

    at.segmented_control(key="ex_grain").set_value("季度").run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert [tuple(r) for r in table[["地区", "指标", "统计期", "数值"]].itertuples(index=False)] == [
        ("源城区", "网络零售额", "2017Q1", 2800.0)]
    assert b"2017Q1" in downloads["河源电商指标数据_2016-2017_季度.csv"]

    at.multiselect(key="ex_indicators").set_value(["online_retail", "online_retail_share"]).run()
    at.segmented_control(key="ex_grain").set_value("全部").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) == 2  # two units: one small chart per indicator


def test_nothing_selected_says_what_to_do(warehouse):
    at = open_page()
    at.multiselect(key="ex_indicators").set_value([]).run()
    assert not at.exception and "请在上方至少选择一个指标" in at.info[0].value
    at.multiselect(key="ex_indicators").set_value(["retail_total"])
    at.segmented_control(key="ex_grain").set_value("月度").run()
    assert not at.exception and "所选条件下没有数据" in at.info[0].value


# ---- SQL 查询 ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sql, message", [
    ("SELECT * FROM read_csv('/etc/passwd')", "不能读写服务器上的文件"),
    ("COPY (SELECT * FROM regions) TO '/tmp/ecmon-explore-test.csv'", "不能用 COPY"),
    ("ATTACH '/tmp/ecmon-explore-test.duckdb' AS other", "不能用 ATTACH"),
    ("SET enable_external_access = true", "设置已锁定"),
    ("INSTALL httpfs", "不能用 INSTALL / LOAD"),
    ("SELECT 1; SELECT 2", "一次只能执行一条"),
])
def test_sql_console_refuses_with_a_chinese_message(warehouse, sql, message):
    at = run_sql(open_page("SQL 查询"), sql)
    assert len(at.error) == 1 and message in at.error[0].value
    assert not at.dataframe and "下载结果 CSV" not in download_labels(at)
    assert not Path("/tmp/ecmon-explore-test.csv").exists() and not Path("/tmp/ecmon-explore-test.duckdb").exists()


def test_sql_console_runs_a_query_and_offers_the_result(warehouse, downloads):
    at = run_sql(open_page("SQL 查询"),
                 "SELECT region_code, value FROM indicator_values WHERE indicator = 'retail_total' "
                 "AND period = '2016' ORDER BY region_code")
    assert not at.error
    assert [tuple(r) for r in at.dataframe[0].value.itertuples(index=False)] == [
        ("441600", 350000.0), ("441602", 100000.0), ("441621", 50000.0), ("441622", 60000.0),
        ("441623", 40000.0), ("441624", 30000.0), ("441625", 70000.0), ("441691", 20000.0)]
    assert "共 8 行" in " ".join(c.value for c in at.caption)
    assert download_labels(at) == ["下载结果 CSV"]
    assert downloads["查询结果.csv"].decode("utf-8-sig").splitlines()[:2] == ["region_code,value", "441600,350000.0"]


def test_sql_console_says_when_rows_are_cut(warehouse, monkeypatch):
    from dashboard import sql_console

    monkeypatch.setattr(sql_console, "ROW_LIMIT", 5)
    at = run_sql(open_page("SQL 查询"), "SELECT * FROM range(100)")
    assert "结果超过 5 行，只显示前 5 行" in at.warning[-1].value
    assert len(at.dataframe[0].value) == 5


def test_an_example_query_fills_the_box_and_runs(warehouse):
    from dashboard import sql_console

    at = open_page("SQL 查询")
    title, sql = sql_console.EXAMPLES[1]
    at.selectbox(key="sql_example").set_value(title).run()
    assert at.text_area(key="sql_text").value == sql
    at.button(key="sql_run").click().run()
    assert not at.exception and not at.error
    assert at.dataframe[0].value.iloc[0].tolist()[:2] == [2016, "2016"]


# ---- 数据字典 ----------------------------------------------------------------------------------------------

def test_dictionary_tab_lists_tables_columns_and_indicators(warehouse):
    at = open_page("数据字典")
    overview = next(m.value for m in at.markdown if "ex-dict" in m.value and "<th style=\"width:24%\">名称" in m.value)
    for name in ["indicator_values", "target_progress", "receipts", "current_f1", "indicators", "progress_at"]:
        assert f"<code>{name}</code>" in overview, name
    assert "<code>indicator_values</code></td><td>视图</td><td style='text-align:right'>29</td>" in overview  # 社零 9 + 网零 9 + 占比 9 + 农村 2
    columns = at.table[0].value  # indicator_values, the first table, shown in full
    assert list(columns.index) == ["indicator", "region_code", "period", "value", "source"]
    assert all(columns["说明"].str.len() > 0)
    at.selectbox(key="dict_table").set_value("current_f1").run()
    f1 = at.table[0].value
    assert f1.loc["retail_total", "说明"].startswith("报表列“社会消费品零售总额”（万元）")  # from the form itself
    assert f1.loc["retail_total", "类型"] == "DOUBLE"
    at.text_input(key="dict_search").set_value("回执").run()
    assert not at.exception and "receipt_id" in set(at.dataframe[0].value["列"])
    text = " ".join(m.value for m in at.markdown)
    assert "online_retail_share" in text and "累计：2015年起各年数值逐年累加" in text


def test_every_column_of_every_listed_table_is_described(warehouse):
    """dictionary.csv keeps up with the warehouse: a new column without a description fails here."""
    import duckdb

    desc = pl.read_csv(DICTIONARY, schema={"table": pl.String, "column": pl.String, "description": pl.String})
    assert desc.filter(pl.col("description").is_null()).is_empty()
    assert not desc.select("table", "column").is_duplicated().any()
    con = duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True)
    try:
        cols = con.sql("SELECT table_name, column_name FROM information_schema.columns "
                       "WHERE table_catalog = current_database()").fetchall()
        form_fields = {(f"{p}{f.lower()}", c) for f, c in con.sql("SELECT form, field FROM form_columns").fetchall()
                       for p in ("current_", "rows_")}
    finally:
        con.close()
    tables = {t for t, c, _ in desc.iter_rows() if c is None} - {"*", "progress_at"}
    assert tables <= {t for t, _ in cols}, tables - {t for t, _ in cols}
    described = {(t, c) for t, c, _ in desc.iter_rows() if c is not None}
    generic = {c for t, c in described if t == "*"}
    missing = [(t, c) for t, c in cols if t in tables and (t, c) not in described and (t, c) not in form_fields
               and c not in generic]
    assert missing == []
    stale = [(t, c) for t, c in described if t != "*" and (t, c) not in set(cols)]
    assert stale == []
    for must in ["indicator_values", "target_progress", "target_progress_detail", "indicator_values_detail",
                 "indicator_entities", "receipts", "submission_history", "f1_history", "regions", "indicators",
                 "targets", *[f"current_f{i}" for i in range(1, 7)]]:
        assert must in tables, must
