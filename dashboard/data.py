"""Every read of the warehouse goes through here: cached, and fresh after a new warehouse is published.

The cache key includes the file's identity (inode, mtime, size), so a reload after `python -m etl load`
shows the new data with no restart. Each query attaches the file to a fresh in-memory DuckDB and
detaches it again: no long-lived connection, and no use of DuckDB's by-path instance cache, which would
hand back the OLD database after the file is replaced (stack.md).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl import store  # noqa: E402
from etl.config import warehouse_path  # noqa: E402


def stamp() -> tuple | None:
    """Identity of the published warehouse file; None when there is none yet."""
    try:
        s = os.stat(warehouse_path())
    except FileNotFoundError:
        return None
    return (str(warehouse_path()), s.st_ino, s.st_mtime_ns, s.st_size)


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    path = str(warehouse_path()).replace("'", "''")
    con.execute(f"ATTACH '{path}' AS w (READ_ONLY)")
    con.execute("USE w")
    return con


@st.cache_data(show_spinner=False, max_entries=512)
def _query(sql: str, params: tuple, file_stamp: tuple) -> pl.DataFrame:
    """file_stamp is part of the cache key (a leading underscore would exclude it)."""
    con = connect()
    try:
        return con.sql(sql, params=list(params)).pl()
    finally:
        con.close()


def q(sql: str, *params) -> pl.DataFrame:
    """Run a read-only query on the published warehouse (cached until the warehouse changes)."""
    s = stamp()
    if s is None:
        raise FileNotFoundError(str(warehouse_path()))
    return _query(sql, tuple(params), s)


def has_warehouse() -> bool:
    return stamp() is not None


# ---- common look-ups -----------------------------------------------------------------------------

def info() -> dict:
    return q("SELECT * FROM warehouse_info").row(0, named=True)


def indicators() -> pl.DataFrame:
    return q("SELECT * FROM indicators ORDER BY sort_order")


def indicator(code: str) -> dict:
    return indicators().filter(pl.col("code") == code).row(0, named=True)


def regions() -> pl.DataFrame:
    return q("SELECT * FROM regions ORDER BY sort_order")


def region_name(code: str) -> str:
    hit = regions().filter(pl.col("region_code") == code)
    return hit["name"][0] if hit.height else code


def progress(as_of: int) -> pl.DataFrame:
    """target_progress_detail as seen from the end of ``as_of`` (the leaders' as-of selector)."""
    return q("SELECT * FROM progress_at(?) ORDER BY deadline, sort_order", as_of)


def years() -> list[int]:
    """Years with any data, oldest first."""
    return q("SELECT DISTINCT period_year(period) AS y FROM values_all ORDER BY y")["y"].to_list()


def values(indicator_code: str | None = None) -> pl.DataFrame:
    if indicator_code:
        return q("SELECT * FROM indicator_values_detail WHERE indicator = ?", indicator_code)
    return q("SELECT * FROM indicator_values_detail")


def receipts() -> list[dict]:
    """Receipts straight from ECMON_HOME (rejected files never reach the warehouse, but are shown)."""
    return store.receipts()


class _Source:
    """The report layer's source (etl/report/facts.py): its queries go through the cache above."""

    @staticmethod
    def q(sql: str, *params) -> pl.DataFrame:
        return q(sql, *params)


SOURCE = _Source()
