"""Reading one cell the way people write it: periods, years, dates, yes/no, codes, amounts.

Each ``parse_*`` takes the text of a cell and returns the value, or raises ``ValueError`` with a
Chinese explanation of what was expected. Amount columns are read vectorised in ``forms.py`` (with
``NUMBER``). ``arrived`` is the day the file was received: nothing in it can lie after that day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from etl.catalog import norm

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
NULL_MARKS = {"-", "--", "—", "——", "/", "无", "不适用", "N/A", "NA"}
EXCEL_EPOCH = dt.date(1899, 12, 30)

_YEAR = re.compile(r"(\d{4})(?:\.0+)?(?:年度?|年全年)?")
_QUARTER_Q = re.compile(r"(\d{4})(?:年)?[-/]?Q([1-4])")
_QUARTER_CN = re.compile(r"(\d{4})年?(?:第|前)?([1-4一二三四])季度?")
_MONTH = re.compile(r"(\d{4})(?:[-/.]|年)(\d{1,2})月?份?")
_MONTH_YTD = re.compile(r"(\d{4})年?1[-~至到—–－](\d{1,2})月?份?")
_MONTH_COMPACT = re.compile(r"(\d{4})(0[1-9]|1[0-2])")
_HALF = re.compile(r"(\d{4})年?(上半年|下半年|全年)")
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")

PERIOD_HELP = "统计期应写成年度（2018、2018年）、季度（2018Q3、2018年第三季度）或月份（2018-09、2018年9月、2018年1-9月）"
DATE_HELP = "日期应写成 2024-03-15、2024/3/15、2024.3.15 或 2024年3月15日"
YES = {"是", "Y", "YES", "√", "✓", "✔", "TRUE", "1", "有", "已触网", "已认定"}
NO = {"否", "N", "NO", "×", "✗", "✘", "FALSE", "0", "无", "未触网", "未认定"}
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# A number as people write it (after NFKC, so full-width digits are digits): an optional sign, digits with
# thousands separators in groups of three ("1,234,567.5", "50 000 000") or none, an optional decimal point,
# an optional exponent. Not: "1234,5" or "12,34" (a decimal comma, or a separator out of place: ambiguous),
# "NaN", "inf", "Infinity", units or words.
_INT = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)"
NUMBER = rf"^[+-]?(?:{_INT}(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def _check_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise ValueError("年份不在 2000–2100 之间")
    return year


def _day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def parse_year(text: str, arrived: dt.date | None = None) -> int:
    t = norm(text)
    m = _YEAR.fullmatch(t)
    if not m:
        raise ValueError("年度应为四位年份，如 2018 或 2018年")
    year = _check_year(int(m.group(1)))
    if arrived is not None and year > arrived.year:
        raise ValueError(f"年度{year}年晚于本文件的接收日期（{_day(arrived)}），请核对年度")
    return year


def period_end(period: str) -> dt.date:
    """The last day of '2018', '2018Q3' or '2018-09'."""
    year = int(period[:4])
    month = 12 if len(period) == 4 else (3 * int(period[5]) if "Q" in period else int(period[5:]))
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str, arrived: dt.date | None = None) -> str:
    """A statistical period → '2018', '2018Q3' or '2018-09' (part-year figures are year to date); with
    ``arrived``, a period that had not ended by then is an error."""
    period = _period(text)
    if arrived is not None and period_end(period) > arrived:
        end = period_end(period)
        raise ValueError(f"统计期到{_day(end)}才结束，晚于本文件的接收日期（{_day(arrived)}）；"
                         "只能填报已经结束的统计期")
    return period


def _period(text: str) -> str:
    t = norm(text).upper()
    if m := _YEAR.fullmatch(t):
        return str(_check_year(int(m.group(1))))
    if m := _HALF.fullmatch(t):
        year = _check_year(int(m.group(1)))
        if m.group(2) == "全年":
            return str(year)
        if m.group(2) == "上半年":
            return f"{year}-06"
        raise ValueError("“下半年”不是年初至今的累计期，请填全年或 1-12 月累计数")
    if m := _QUARTER_Q.fullmatch(t):
        return f"{_check_year(int(m.group(1)))}Q{m.group(2)}"
    if "季" in t and (m := _QUARTER_CN.fullmatch(t)):
        q = m.group(2)
        return f"{_check_year(int(m.group(1)))}Q{CN_DIGITS.get(q) or int(q)}"
    for pattern in (_MONTH_YTD, _MONTH, _MONTH_COMPACT):
        if m := pattern.fullmatch(t):
            month = int(m.group(2))
            if not 1 <= month <= 12:
                raise ValueError("月份不在 1–12 之间")
            return f"{_check_year(int(m.group(1)))}-{month:02d}"
    if m := _DATE.fullmatch(t):  # an Excel date typed into the period column: its month
        return f"{_check_year(int(m.group(1)))}-{int(m.group(2)):02d}"
    raise ValueError(PERIOD_HELP)


def period_year(period: str) -> int:
    return int(period[:4])


def parse_date(text: str, arrived: dt.date | None = None) -> dt.date:
    value = _date(text)
    if arrived is not None and value > arrived:
        raise ValueError(f"日期晚于本文件的接收日期（{_day(arrived)}），请核对")
    return value


def _date(text: str) -> dt.date:
    t = norm(text)
    try:
        if m := _DATE.fullmatch(t):
            y, mo, d = (int(g) for g in m.groups())
        elif m := _DATE_COMPACT.fullmatch(t):
            y, mo, d = (int(g) for g in m.groups())
        elif _SERIAL.fullmatch(t) and 20000 <= float(t) <= 80000:  # an Excel serial number
            serial = EXCEL_EPOCH + dt.timedelta(days=int(float(t)))
            y, mo, d = serial.year, serial.month, serial.day
        else:
            raise ValueError(DATE_HELP)
        value = dt.date(y, mo, d)
    except ValueError as exc:
        if str(exc) == DATE_HELP:
            raise
        raise ValueError("不是一个存在的日期") from None
    _check_year(value.year)
    return value


def parse_yesno(text: str) -> bool:
    t = norm(text).upper()
    if t in YES:
        return True
    if t in NO:
        return False
    raise ValueError("应填“是”或“否”")


_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARS)}


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def parse_uscc(text: str) -> str:
    """统一社会信用代码 per GB 32100-2015: 18 characters, the last a check character."""
    t = norm(text).upper()
    if len(t) != 18:
        raise ValueError(f"统一社会信用代码应为18位，这里是{len(t)}位")
    bad = [c for c in t if c not in USCC_CHARS]
    if bad:
        raise ValueError(f"统一社会信用代码含有不允许的字符“{bad[0]}”（不使用 I、O、Z、S、V）")
    expected = uscc_check_char(t[:17])
    if t[17] != expected:
        raise ValueError(f"统一社会信用代码校验位错误：按GB 32100-2015，第18位应为“{expected}”，请核对代码是否抄错")
    return t


def split_choices(text: str) -> list[str]:
    return [p for p in re.split(r"[、,，/;；+\s]+", norm_keep_spaces(text).upper()) if p]


def norm_keep_spaces(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", str(text)).strip()
