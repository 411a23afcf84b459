"""督查 (inspection) data for the 县区比较 page: the report layer (etl/report) read through the app's cache.

The rules live in ``etl.report.facts`` (reporting by the reporting calendar: 按时 / 迟报 / 待审核 / 部分 /
逾期 / 未到期, a 零报告 counting as reported; county ranks; the county reading and score) and the files in ``etl.report.bulletin``
(the 督查通报 .docx and its .xlsx attachment). This module only binds them to ``data.q``.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboard import data
from etl.report import bulletin, facts
from etl.report.bulletin import RANK_NOTE, header_label, region_label  # noqa: F401 - used by the page and tests
from etl.report.facts import (  # noqa: F401 - the page and the tests name the rules through this module
    EMPTY,
    FORMS,
    MISSING,
    SOURCE_NOTE,
    STATUS_DONE,
    STATUS_LATE,
    STATUS_LATE_SENT,
    STATUS_NONE,
    STATUS_PART,
    STATUS_PENDING,
    STATUS_TEXT,
    comparison,
)

ZONE_NOTE = "功能区（位于县区境内，不计入全市合计）"
SRC = data.SOURCE


def year_values(year: int) -> pl.DataFrame:
    return facts.year_values(SRC, year)


def submission_status(years: list[int] | None = None) -> pl.DataFrame:
    """Every county's and zone's reporting by the reporting calendar (see etl.report.facts)."""
    return facts.submission_status(SRC, years)


def key_indicators() -> list[str]:
    """The indicators that carry a target (they get 排名 columns and count in 排名末位); the rest is context."""
    return facts.target_indicators(SRC)


def compared_regions() -> pl.DataFrame:
    return facts.compared_regions(SRC)


def workbook(year: int, table: pl.DataFrame, indicators: pl.DataFrame, info: dict, key_codes: list[str]) -> bytes:
    """The indicator table of ``year`` (every indicator, counties ranked, zones apart, the city)."""
    return bulletin.values_workbook(year, table, indicators, info, key_codes)


def workbook_for_year(year: int) -> bytes:
    regions = compared_regions()
    table = comparison(year_values(year), data.indicators(), regions, submission_status([year]))
    return workbook(year, table, data.indicators(), data.info(), key_indicators())


def bulletin_of(year: int) -> bulletin.Bulletin:
    return bulletin.gather(SRC, year, dt.date.today())


def county_reading(year: int) -> facts.CountyReading:
    return facts.county_reading(SRC, year)


def county_funds(year: int) -> pl.DataFrame:
    return facts.county_funds(SRC, year)


def not_applied(year: int, region: str) -> list[str]:
    return facts.not_applied(SRC, year, region)


def tasks_at(year: int):
    return facts.tasks_at(SRC, year)
