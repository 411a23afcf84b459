"""The read-only SQL console: one statement typed by an analyst, run in a sandboxed worker process (no
Streamlit here).

``run`` starts ``python -I dashboard/sql_sandbox.py`` for each query (at most ``WORKERS`` at a time), hands it
the statement and reads back the outcome and the rows; dashboard/sql_sandbox.py says what the worker
enforces (an address-space cap, no spilling, a locked DuckDB with no file access, a check of the statement
on DuckDB's parse tree that hides the server's settings, paths and files, and limits on time, rows and size).
The server's own memory never holds more than the cut result, and a worker that overruns the time limit is
killed. Every failure comes back as a short Chinese message, never a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa

from dashboard.sql_sandbox import (  # noqa: F401 — the console's rules, re-exported for the page and the tests
    MAX_RESULT_BYTES,
    MAX_TEXT_CHARS,
    MEMORY_LIMIT,
    MSG_MEMORY,
    MSG_OTHER,
    MSG_TIMEOUT,
    MSG_UNSHOWABLE,
    ROW_LIMIT,
    SANDBOX_SETTINGS,
    TIME_LIMIT_S,
    Refused,
    check_statement,
    friendly,
    sandbox,
)
from etl import exports
from etl.config import warehouse_path

WORKER = Path(__file__).with_name("sql_sandbox.py")
WORKERS = 2  # queries running at once; a third waits for a free worker
GRACE_S = 10.0  # beyond the time limit: the worker's start (about 0.5 s) and its own interrupt
# The worker sees no environment of the server (no paths, no credentials), and works in "/".
WORKER_ENV = {"PATH": os.defpath, "LC_ALL": "C.UTF-8", "HOME": "/nonexistent"}
MSG_NO_WAREHOUSE = "还没有数据仓库，无法查询。请先运行 `python -m etl build`。"
MSG_BUSY = "SQL 控制台正在执行其他查询，请稍后再试。"
log = logging.getLogger("ecmon.sql_console")
_slots = threading.BoundedSemaphore(WORKERS)


@dataclass
class Result:
    """What a run gives back: a frame, or a Chinese ``error`` (with DuckDB's own one line in ``detail``)."""

    frame: pl.DataFrame | None = None
    truncated: bool = False  # more rows than fit: only the first ones are in frame (see ``limited``)
    elapsed: float = 0.0
    error: str | None = None
    detail: str | None = None  # DuckDB's message, for syntax/name errors where it helps the analyst
    statement: str | None = None
    limited: str | None = None  # "rows": cut at row_limit; "bytes": cut at MAX_RESULT_BYTES
    cut_texts: int = 0  # values longer than MAX_TEXT_CHARS, shown cut

    @property
    def ok(self) -> bool:
        return self.error is None


def run(sql: str, warehouse: Path | str | None = None, row_limit: int = ROW_LIMIT,
        time_limit: float = TIME_LIMIT_S) -> Result:
    """Run one reading statement on the warehouse in a sandboxed worker, within the limits."""
    if warehouse is None:
        warehouse = warehouse_path()
    if not Path(warehouse).exists():
        return Result(error=MSG_NO_WAREHOUSE)
    started = time.monotonic()
    if not _slots.acquire(timeout=time_limit):
        return Result(error=MSG_BUSY)
    request = {"sql": sql, "warehouse": str(Path(warehouse).resolve()), "row_limit": row_limit,
               "time_limit": time_limit}
    try:
        done = subprocess.run([sys.executable, "-I", str(WORKER)], input=json.dumps(request).encode("utf-8"),
                              capture_output=True, timeout=time_limit + GRACE_S, cwd="/", env=WORKER_ENV)
    except subprocess.TimeoutExpired:  # run() has killed it
        return Result(error=MSG_TIMEOUT.format(s=time_limit), elapsed=time.monotonic() - started)
    finally:
        _slots.release()
    elapsed = time.monotonic() - started
    head, _, body = done.stdout.partition(b"\n")
    try:
        outcome = json.loads(head)
    except ValueError:  # the worker died (killed, or out of memory before it could answer)
        log.error("SQL console worker ended with %s: %s", done.returncode, done.stderr[-2000:].decode("utf-8", "replace"))
        died_of_memory = done.returncode < 0 or b"MemoryError" in done.stderr or b"bad_alloc" in done.stderr
        return Result(error=MSG_MEMORY.format(limit=MEMORY_LIMIT) if died_of_memory else MSG_OTHER, elapsed=elapsed)
    if outcome.get("error"):
        return Result(error=outcome["error"], detail=outcome.get("detail"), elapsed=elapsed)
    try:
        frame = pl.from_arrow(pa.ipc.open_stream(body).read_all())
    except Exception:  # a type polars cannot take (e.g. UNION)
        return Result(error=MSG_UNSHOWABLE, elapsed=elapsed)
    if isinstance(frame, pl.Series):
        frame = frame.to_frame()
    return Result(frame=frame, truncated=outcome.get("limited") is not None, elapsed=elapsed,
                  statement=outcome.get("statement"), limited=outcome.get("limited"),
                  cut_texts=int(outcome.get("cut_texts") or 0))


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """The result as CSV for Excel (etl/exports.py: UTF-8 with a BOM, lists as JSON, no live formulas)."""
    return exports.csv_bytes(frame)


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
