"""The SQL console's runner (dashboard/sql_console.py): what an analyst may run, and what is refused.

One small warehouse for the whole module, built by the real loader from one F1 workbook written here:

    2016, 网络零售额 / 社会消费品零售总额 (万元): 源城区 10000 / 100000, 紫金县 4000 / 50000,
    龙川县 3000 / 60000, 连平县 2000 / 40000, 和平县 1500 / 30000, 东源县 5000 / 70000,
    市高新区 6000 / 20000 (a zone: never added to the city).
    → 全市 (六县区合计) 25500 / 350000; 农村网络零售额 only from 源城区 1000 and 紫金县 800 (no city sum).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import SMALL_F1_2016, build_home

from dashboard import sql_console as sc

F1_HEADER = ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）", "农村网络零售额（万元）"]
F1_ROWS = [
    *SMALL_F1_2016,
]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """The warehouse above, built by the real ETL in its own ECMON_HOME."""
    home = build_home(tmp_path_factory.mktemp("console"),
                      {"2016年县区电子商务统计表.xlsx": {"县区电子商务统计表": [F1_HEADER, *F1_ROWS]}})
    return home / "warehouse.duckdb"


def refused(result: sc.Result, expected: str) -> None:
    """A refusal: no frame, a Chinese message containing ``expected``, nothing English or traceback-like."""
    assert not result.ok and result.frame is None
    assert expected in result.error, result.error
    assert CHINESE.search(result.error)
    assert "Traceback" not in result.error and "Error:" not in result.error


# ---- what works ------------------------------------------------------------------------------------------

def test_a_select_returns_the_exact_rows(warehouse):
    result = sc.run(
        "SELECT region_code, period, value, source FROM indicator_values "
        "WHERE indicator = 'online_retail' ORDER BY region_code", warehouse)
    assert result.ok, result.error
    assert result.frame.rows() == [
        ("441600", "2016", 25500.0, "derived"),  # the six counties; 市高新区 not added
        ("441602", "2016", 10000.0, "reported"),
        ("441621", "2016", 4000.0, "reported"),
        ("441622", "2016", 3000.0, "reported"),
        ("441623", "2016", 2000.0, "reported"),
        ("441624", "2016", 1500.0, "reported"),
        ("441625", "2016", 5000.0, "reported"),
        ("441691", "2016", 6000.0, "reported"),
    ]
    assert not result.truncated


def test_ratios_and_missing_city_sums_are_as_the_contract_says(warehouse):
    share = sc.run("SELECT round(value, 6) FROM indicator_values WHERE indicator = 'online_retail_share' "
                   "AND region_code = '441600'", warehouse)
    assert share.frame.rows() == [(round(100 * 25500 / 350000, 6),)]
    rural = sc.run("SELECT region_code FROM indicator_values WHERE indicator = 'rural_online_retail' ORDER BY 1", warehouse)
    assert rural.frame["region_code"].to_list() == ["441602", "441621"]  # two counties only: no city value


@pytest.mark.parametrize("sql", [
    "WITH t AS (SELECT 1 AS x) SELECT x FROM t",
    "FROM regions SELECT name WHERE region_code = '441600'",
    "DESCRIBE indicator_values",
    "SHOW TABLES",
    "SUMMARIZE regions",
    "PRAGMA table_info('regions')",
    "EXPLAIN SELECT * FROM regions",
    "PIVOT (SELECT region_code, period, value FROM indicator_values WHERE indicator = 'retail_total') ON period USING sum(value)",
    "SELECT * FROM information_schema.columns WHERE table_name = 'receipts'",
])
def test_reading_statements_of_other_kinds_work(warehouse, sql):
    result = sc.run(sql, warehouse)
    assert result.ok, (sql, result.error, result.detail)
    assert result.frame.height > 0


def test_every_example_query_runs(warehouse):
    assert 5 <= len(sc.EXAMPLES) <= 8
    for title, sql in sc.EXAMPLES:
        assert sql.lstrip().startswith("--") and CHINESE.search(sql), title  # explained in Chinese
        result = sc.run(sql, warehouse)
        assert result.ok, (title, result.error, result.detail)


def test_the_default_warehouse_is_the_one_in_ecmon_home(warehouse, monkeypatch):
    monkeypatch.setenv("ECMON_HOME", str(warehouse.parent))
    assert sc.run("SELECT count(*) FROM regions").frame.rows() == [(9,)]
    monkeypatch.setenv("ECMON_HOME", str(warehouse.parent / "nowhere"))
    assert "还没有数据仓库" in sc.run("SELECT 1").error


# ---- what is refused ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sql, expected", [
    ("SELECT * FROM read_csv('/etc/passwd')", "不能读写服务器上的文件"),
    ("SELECT * FROM read_text('/etc/hostname')", "不能读写服务器上的文件"),
    ("SELECT * FROM '/etc/passwd.csv'", "不能读写服务器上的文件"),
    ("SELECT * FROM glob('/etc/*')", "不能读写服务器上的文件"),
    ("COPY (SELECT * FROM regions) TO '{tmp}/out.csv'", "不能用 COPY"),
    ("COPY regions TO '{tmp}/out.parquet' (FORMAT parquet)", "不能用 COPY"),
    ("EXPORT DATABASE '{tmp}/export'", "不能用 EXPORT"),
    ("ATTACH '{tmp}/other.duckdb' AS other", "不能用 ATTACH"),
    ("DETACH warehouse", "不能用 DETACH"),
    ("SET threads = 8", "设置已锁定"),
    ("SET enable_external_access = true", "设置已锁定"),
    ("RESET memory_limit", "设置已锁定"),
    ("PRAGMA threads = 8", "设置已锁定"),
    ("USE memory", "设置已锁定"),
    ("INSTALL httpfs", "不能用 INSTALL / LOAD"),
    ("LOAD httpfs", "不能用 INSTALL / LOAD"),
    ("CREATE TABLE t AS SELECT 1", "只读"),
    ("CREATE TEMP TABLE t AS SELECT 1", "只读"),
    ("DELETE FROM regions", "只读"),
    ("UPDATE regions SET name = 'x'", "只读"),
    ("DROP VIEW indicator_values", "只读"),
    ("SELECT 1; SELECT 2", "一次只能执行一条"),
    ("SELECT 1; COPY regions TO '{tmp}/x.csv'", "一次只能执行一条"),
    ("   ", "请输入"),
    ("-- 只有注释", "请输入"),
])
def test_forbidden_statements_are_refused_in_chinese(warehouse, tmp_path, sql, expected):
    result = sc.run(sql.format(tmp=tmp_path), warehouse)
    refused(result, expected)
    assert list(tmp_path.iterdir()) == []  # nothing was written


def test_the_sandbox_itself_blocks_files_attach_and_settings(warehouse, tmp_path):
    """Behind the statement check, the connection itself refuses (stack.md: read_only is not a sandbox)."""
    con = sc.sandbox(warehouse)
    try:
        settings = dict(con.sql("SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', "
                                "'lock_configuration', 'threads', 'allow_community_extensions', "
                                "'autoload_known_extensions', 'autoinstall_known_extensions', 'TimeZone')").fetchall())
        assert settings == {"enable_external_access": "false", "lock_configuration": "true", "threads": "2",
                            "allow_community_extensions": "false", "autoload_known_extensions": "false",
                            "autoinstall_known_extensions": "false", "TimeZone": "Asia/Shanghai"}
        with pytest.raises(duckdb.PermissionException):
            con.sql("SELECT * FROM read_csv('/etc/passwd')").fetchall()
        with pytest.raises(duckdb.PermissionException):
            con.execute(f"COPY (SELECT 1) TO '{tmp_path}/x.csv'")
        with pytest.raises(duckdb.PermissionException):
            con.execute(f"ATTACH '{tmp_path}/other.duckdb' AS other")
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute("SET enable_external_access = true")
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute("SET lock_configuration = false")
        with pytest.raises(duckdb.Error):
            con.execute("LOAD httpfs")
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("CREATE TABLE warehouse.t AS SELECT 1")
        assert con.sql("SELECT count(*) FROM regions").fetchall() == [(9,)]
    finally:
        con.close()
    assert list(tmp_path.iterdir()) == []


def test_engine_refusals_are_explained_too(warehouse):
    """Refusals that only the engine sees (inside an allowed SELECT/PRAGMA) still come back in Chinese."""
    for exc, expected in [
        (duckdb.PermissionException('Cannot access file "/etc/passwd" - file system operations are disabled'),
         "不能读写服务器上的文件"),
        (duckdb.PermissionException("Loading external extensions is disabled through configuration"), "扩展"),
        (duckdb.InvalidInputException('Cannot change configuration option "threads" - the configuration has been locked'),
         "设置已锁定"),
        (duckdb.InterruptException("INTERRUPT Error: Interrupted!"), "秒"),
        (duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate"), "内存"),
    ]:
        message, detail = sc.friendly(exc)
        assert expected in message and detail is None


def test_mistakes_get_a_chinese_message_with_the_engine_line(warehouse):
    syntax = sc.run("SELEC * FROM regions", warehouse)
    assert syntax.error.startswith("SQL 语法有误") and "SELEC" in syntax.detail
    missing = sc.run("SELECT * FROM no_such_table", warehouse)
    assert "找不到" in missing.error and "no_such_table" in missing.detail
    column = sc.run("SELECT no_such_column FROM regions", warehouse)
    assert "列名" in column.error and "no_such_column" in column.detail
    cast = sc.run("SELECT 'abc'::INTEGER", warehouse)
    assert "转换" in cast.error


# ---- limits -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sql", [
    "SELECT count(*) FROM range(1000000000000::BIGINT) a, range(1000) b",  # needs no memory, only time
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
])
def test_a_runaway_query_is_stopped_by_the_time_limit(warehouse, sql):
    started = time.monotonic()
    result = sc.run(sql, warehouse, time_limit=1.0)
    took = time.monotonic() - started
    refused(result, "查询超过 1 秒仍未结束，已自动停止")
    assert 0.9 <= took < 6, took


def test_the_default_limits_are_as_shown_on_the_page():
    assert sc.ROW_LIMIT == 10_000 and sc.TIME_LIMIT_S == 10.0


def test_the_row_limit_cuts_and_says_so(warehouse):
    cut = sc.run("SELECT range AS n FROM range(25)", warehouse, row_limit=10)
    assert cut.ok and cut.truncated and cut.frame["n"].to_list() == list(range(10))
    exact = sc.run("SELECT range AS n FROM range(10)", warehouse, row_limit=10)
    assert exact.ok and not exact.truncated and exact.frame.height == 10
    default = sc.run("SELECT * FROM range(20000)", warehouse)
    assert default.truncated and default.frame.height == sc.ROW_LIMIT
    # an endless result is streamed and cut, not materialised until the time limit
    endless = sc.run("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r", warehouse,
                     row_limit=100, time_limit=5)
    assert endless.ok and endless.truncated and endless.frame["n"].to_list() == list(range(1, 101))


def test_results_download_as_csv_with_a_bom(warehouse):
    result = sc.run("SELECT name AS 地区, [1, 2] AS 列表, {'a': 1} AS 结构 FROM regions WHERE region_code = '441602'",
                    warehouse)
    data = sc.csv_bytes(result.frame)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ["地区,列表,结构", '源城区,"[1, 2]","{""a"": 1}"']
    assert pl.read_csv(data).columns == ["地区", "列表", "结构"]
