"""The read-only SQL console's runner: one statement typed by an analyst, run in a sandbox (no Streamlit here).

Every run gets a fresh in-memory DuckDB that ATTACHes the published warehouse READ_ONLY and ``USE``s
it; only THEN is the sandbox closed (stack.md: ``read_only`` alone still allows ``read_csv('/etc/passwd')``,
``COPY … TO`` and ``ATTACH``):

    enable_external_access=false        no file or network access: read_csv/COPY/ATTACH/EXPORT/INSTALL fail
    allow_community_extensions=false    no community extensions
    autoload_known_extensions=false     no extension loaded behind the user's back
    autoinstall_known_extensions=false  … nor installed
    memory_limit, threads               a query cannot take the machine
    TimeZone                            times shown in Beijing time (Asia/Shanghai)
    lock_configuration=true             and none of the above can be SET, RESET or PRAGMA'd back

On top of the sandbox: only one statement, and only of a reading kind (SELECT/WITH/FROM/VALUES,
DESCRIBE/SHOW/SUMMARIZE, EXPLAIN, PRAGMA, CALL, PIVOT); a time limit (a ``threading.Timer`` that calls
``con.interrupt()``); a row limit (the result is streamed and cut after ``row_limit`` rows). Every
failure comes back as a short Chinese message, never a traceback.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from etl.config import warehouse_path

ROW_LIMIT = 10_000
TIME_LIMIT_S = 10.0
MEMORY_LIMIT = "1GB"
THREADS = 2

# Set after ATTACH + USE, in this order; lock_configuration last (it freezes every setting, itself included).
SANDBOX_SETTINGS = (
    ("enable_external_access", "false"),
    ("allow_community_extensions", "false"),
    ("autoload_known_extensions", "false"),
    ("autoinstall_known_extensions", "false"),
    ("memory_limit", f"'{MEMORY_LIMIT}'"),
    ("threads", str(THREADS)),
    ("TimeZone", "'Asia/Shanghai'"),  # 接收时间 and other TIMESTAMPTZ shown in Beijing time
    ("lock_configuration", "true"),
)

ALLOWED = {"SELECT", "EXPLAIN", "PRAGMA", "CALL", "MULTI"}  # MULTI: a PIVOT without an IN list

REFUSED = {
    "COPY": "不能用 COPY 导入或导出文件。查询结果可以用下方的“下载 CSV”按钮保存。",
    "EXPORT": "不能用 EXPORT DATABASE 导出数据库。查询结果可以用下方的“下载 CSV”按钮保存。",
    "ATTACH": "不能用 ATTACH 连接其他数据库：控制台只能查询河源电商数据仓库。",
    "DETACH": "不能用 DETACH 断开数据仓库。",
    "SET": "不能用 SET / RESET / USE 更改数据库设置：控制台的设置已锁定。",
    "LOAD": "不能用 INSTALL / LOAD 安装或加载扩展。",
    "CREATE": "数据仓库是只读的：不能新建表、视图或函数（CREATE）。需要中间结果时请用 WITH 子句。",
    "INSERT": "数据仓库是只读的：不能插入数据（INSERT）。",
    "UPDATE": "数据仓库是只读的：不能修改数据（UPDATE）。",
    "DELETE": "数据仓库是只读的：不能删除数据（DELETE）。",
    "DROP": "数据仓库是只读的：不能删除表或视图（DROP）。",
    "ALTER": "数据仓库是只读的：不能修改表结构（ALTER）。",
    "TRANSACTION": "控制台的每条查询都单独执行，不需要 BEGIN / COMMIT。",
    "PREPARE": "控制台不支持 PREPARE / EXECUTE，请直接写出完整的查询。",
    "EXECUTE": "控制台不支持 PREPARE / EXECUTE，请直接写出完整的查询。",
    "VACUUM": "数据仓库是只读的：不能执行 VACUUM / ANALYZE。",
}

MSG_EMPTY = "请输入一条 SQL 查询语句。"
MSG_MANY = "一次只能执行一条 SQL 语句（这里有 {n} 条）。请删掉其余语句，或分几次执行。"
MSG_KIND = "控制台只能执行查询（SELECT、WITH、DESCRIBE、SHOW、SUMMARIZE、EXPLAIN 等），不能执行 {kind} 语句。"
MSG_FILES = "不能读写服务器上的文件（read_csv、read_parquet、COPY、ATTACH、EXPORT 等均已禁用）。控制台只能查询数据仓库里的表和视图，表名见“数据字典”。"
MSG_EXTENSION = "不能安装或加载扩展（INSTALL / LOAD）。"
MSG_LOCKED = "不能更改数据库设置（SET、RESET、PRAGMA 设置项等）：控制台的设置已锁定。"
MSG_READ_ONLY = "数据仓库是只读的：不能新建、修改或删除任何表和数据。"
MSG_TIMEOUT = "查询超过 {s:g} 秒仍未结束，已自动停止。请缩小范围（加 WHERE 条件、先聚合再关联、避免无条件的多表相乘）后再试。"
MSG_MEMORY = "查询所需内存超过上限（{limit}），已停止。请缩小范围或先聚合后再试。"
MSG_SYNTAX = "SQL 语法有误，请检查拼写、逗号、引号和括号。"
MSG_CATALOG = "找不到所写的表、视图、列或函数。可用的表和列见“数据字典”。"
MSG_BINDER = "列名、函数或数据类型不匹配，请检查列名是否存在、参数类型是否正确。"
MSG_CONVERT = "数据类型转换失败（例如把文字当成数字），请检查 CAST 和比较的两边类型。"
MSG_OTHER = "查询没有执行成功。"
MSG_NO_WAREHOUSE = "还没有数据仓库，无法查询。请先运行 `python -m etl build`。"
MSG_UNSHOWABLE = "查询结果中有无法显示的数据类型，请用 CAST(列 AS VARCHAR) 转成文字后再试。"


@dataclass
class Result:
    """What a run gives back: a frame, or a Chinese ``error`` (with DuckDB's own one line in ``detail``)."""

    frame: pl.DataFrame | None = None
    truncated: bool = False  # more rows than row_limit: only the first row_limit are in frame
    elapsed: float = 0.0
    error: str | None = None
    detail: str | None = None  # DuckDB's message, for syntax/name errors where it helps the analyst
    statement: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Refused(Exception):
    """A statement the console does not run; the message is the Chinese text to show."""


def sandbox(warehouse: Path | str) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB with the warehouse attached read-only, in use, and the sandbox locked."""
    con = duckdb.connect(":memory:")
    try:
        path = str(warehouse).replace("'", "''")
        con.execute(f"ATTACH '{path}' AS warehouse (READ_ONLY)")
        con.execute("USE warehouse")
        for name, value in SANDBOX_SETTINGS:
            con.execute(f"SET {name} = {value}")
    except Exception:
        con.close()
        raise
    return con


def check_statement(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The one statement in ``sql`` if it may run; raises Refused (Chinese) otherwise."""
    if not sql or not sql.strip():
        raise Refused(MSG_EMPTY)
    statements = con.extract_statements(sql)  # parser only: touches nothing
    if not statements:
        raise Refused(MSG_EMPTY)
    if len(statements) > 1:
        raise Refused(MSG_MANY.format(n=len(statements)))
    kind = statements[0].type.name
    if kind not in ALLOWED:
        raise Refused(REFUSED.get(kind, MSG_KIND.format(kind=kind)))
    return sql


def friendly(exc: BaseException, time_limit: float = TIME_LIMIT_S) -> tuple[str, str | None]:
    """(Chinese message, DuckDB's own first line or None) for an exception raised by a run."""
    text = str(exc)
    first = text.strip().splitlines()[0] if text.strip() else ""
    detail = re.sub(r"^[A-Za-z ]*Error:\s*", "", first) or None
    if isinstance(exc, Refused):
        return text, None
    if isinstance(exc, duckdb.InterruptException):
        return MSG_TIMEOUT.format(s=time_limit), None
    if isinstance(exc, duckdb.OutOfMemoryException):
        return MSG_MEMORY.format(limit=MEMORY_LIMIT), None
    if isinstance(exc, duckdb.PermissionException):
        if "file system operations" not in text and "extension" in text.lower():
            return MSG_EXTENSION, None
        return MSG_FILES, None
    if "configuration has been locked" in text or "Cannot change configuration" in text:
        return MSG_LOCKED, None
    if "read-only" in text or "read only" in text.lower():
        return MSG_READ_ONLY, None
    if isinstance(exc, duckdb.ParserException):
        return MSG_SYNTAX, detail
    if isinstance(exc, duckdb.CatalogException):
        return MSG_CATALOG, detail
    if isinstance(exc, duckdb.BinderException):
        return MSG_BINDER, detail
    if isinstance(exc, duckdb.ConversionException):
        return MSG_CONVERT, detail
    return MSG_OTHER, detail


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, row_limit: int) -> tuple[pl.DataFrame, bool]:
    rel = con.sql(sql)
    if rel is None:  # a statement with no result set
        return pl.DataFrame(), False
    reader = rel.to_arrow_reader(2048)
    batches, n = [], 0
    try:
        for batch in reader:  # streamed: an endless result is cut, not materialised
            batches.append(batch)
            n += batch.num_rows
            if n > row_limit:
                break
    finally:
        reader.close()
    table = pa.Table.from_batches(batches, schema=reader.schema)
    truncated = table.num_rows > row_limit
    try:
        frame = pl.from_arrow(table.slice(0, row_limit))
    except Exception as exc:  # a type polars cannot take (e.g. UNION)
        raise Refused(MSG_UNSHOWABLE) from exc
    if isinstance(frame, pl.Series):
        frame = frame.to_frame()
    return frame, truncated


def run(sql: str, warehouse: Path | str | None = None, row_limit: int = ROW_LIMIT,
        time_limit: float = TIME_LIMIT_S) -> Result:
    """Run one reading statement on the warehouse, sandboxed, within the row and time limits."""
    if warehouse is None:
        warehouse = warehouse_path()
    if not Path(warehouse).exists():
        return Result(error=MSG_NO_WAREHOUSE)
    started = time.monotonic()
    con = sandbox(warehouse)
    timer = threading.Timer(time_limit, con.interrupt)
    timer.daemon = True
    try:
        statement = check_statement(con, sql)
        timer.start()
        frame, truncated = _fetch(con, statement, row_limit)
        return Result(frame=frame, truncated=truncated, elapsed=time.monotonic() - started, statement=statement)
    except Exception as exc:  # every failure becomes a message: no traceback reaches the page
        message, detail = friendly(exc, time_limit)
        return Result(error=message, detail=detail, elapsed=time.monotonic() - started)
    finally:
        timer.cancel()
        con.close()


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM (Excel then opens Chinese correctly); lists and structs written as JSON text."""
    nested = [c for c, t in frame.schema.items() if t.is_nested() or t == pl.Object]
    if nested:
        frame = frame.with_columns(
            pl.Series(c, [None if v is None else json.dumps(v, ensure_ascii=False, default=str) for v in frame[c].to_list()],
                      dtype=pl.String)
            for c in nested
        )
    return frame.write_csv(include_bom=True).encode("utf-8")


# Example queries for the selectbox: (title, SQL). Comments in Chinese say what each one answers.
EXAMPLES: list[tuple[str, str]] = [
    ("目标进度：14项目标的完成情况", """-- 14项目标截至数据最新年份的完成情况（比率类指标由全市分子分母重新计算）
SELECT deadline           AS 目标年份,
       indicator_name     AS 指标,
       target             AS 目标值,
       unit               AS 单位,
       actual             AS 实际值,
       actual_period      AS 实际值统计期,
       round(ratio * 100, 1) AS 完成率_百分比,
       status             AS 状态
FROM target_progress_detail
ORDER BY deadline, sort_order;"""),
    ("全市网络零售额占比的历年变化", """-- 全市网络零售额占社会消费品零售总额比重（%），每年一个值
-- city_series 每年取该年最后一期；年内分期为年初至期末累计数
SELECT year   AS 年份,
       period AS 统计期,
       round(value, 2) AS 网络零售占比_百分比
FROM city_series
WHERE indicator = 'online_retail_share'
ORDER BY year;"""),
    ("最新年度县区网络零售占比排名", """-- 最新年度六个县区的网络零售额占比排名（功能区不参与排名）
WITH latest AS (
    SELECT max(year) AS y FROM indicator_values_detail
    WHERE indicator = 'online_retail_share' AND is_annual
)
SELECT rank() OVER (ORDER BY value DESC) AS 名次,
       region_name     AS 县区,
       year            AS 年度,
       round(value, 2) AS 网络零售占比_百分比
FROM indicator_values_detail, latest
WHERE indicator = 'online_retail_share' AND is_annual
  AND region_level = 'county' AND year = latest.y
ORDER BY 名次;"""),
    ("知名平台型企业名单（计数背后的企业）", """-- 每年计入“本地化平台型电子商务企业数”的企业，按县区列出
-- 同一企业在多个县区出现时，全市只计一次（entity_key 为统一社会信用代码）
SELECT e.year        AS 年度,
       r.name        AS 县区,
       e.entity_name AS 企业名称,
       e.entity_key  AS 统一社会信用代码,
       e.attribute   AS 情况
FROM indicator_entities e
JOIN regions r USING (region_code)
WHERE e.indicator = 'platform_enterprises'
ORDER BY e.year DESC, r.sort_order, e.entity_name;"""),
    ("报送有错误或警告的文件", """-- 每个报送文件的错误和警告（有错误的文件整份退回，不入库）
SELECT r.received_at AS 接收时间,
       r.file        AS 文件,
       r.status      AS 状态,
       m.level       AS 级别,
       m.sheet       AS 工作表,
       m."row"       AS 行,
       m."column"    AS 列,
       m.value       AS 填写值,
       m.text        AS 问题
FROM receipts r
JOIN receipt_messages m USING (receipt_id)
ORDER BY r.received_at DESC, m.position;"""),
    ("被更正过的 F1 数据（修订历史）", """-- 同一县区同一统计期被多次报送的 F1 数据：每次报送的数值，is_current 为现行值
SELECT region_code AS 地区代码, period AS 统计期, retail_total AS 社零总额_万元,
       online_retail AS 网络零售额_万元, file AS 文件, received_at AS 接收时间, is_current AS 现行
FROM f1_history
WHERE (region_code, period) IN (
    SELECT region_code, period FROM f1_history GROUP BY ALL HAVING count(*) > 1)
ORDER BY region_code, period, received_at;"""),
    ("各县区历年网络零售额（透视表）", """-- 各县区、功能区和全市的年度网络零售额（万元），一行一个地区、一列一年
PIVOT (
    SELECT r.sort_order AS 序号, d.region_name AS 地区, d.year, round(d.value, 1) AS value
    FROM indicator_values_detail d JOIN regions r USING (region_code)
    WHERE d.indicator = 'online_retail' AND d.is_annual
) ON year USING sum(value)
ORDER BY 序号;"""),
    ("查看一张表有哪些列", """-- 数据仓库中某张表或视图的列和类型（把表名换成想看的）
SELECT column_name AS 列名, data_type AS 类型
FROM information_schema.columns
WHERE table_catalog = current_database() AND table_name = 'indicator_values_detail'
ORDER BY ordinal_position;"""),
]
