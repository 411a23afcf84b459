"""Shared builders for the ETL tests: real .xlsx and CSV bytes on disk, one ECMON_HOME per test.

The fixture set (``fixture_files``) is a small but complete submission for all six forms, the six
counties and 2014–2017, with numbers chosen so that every city value can be worked out by hand.
The hand-worked values live in ``EXPECTED`` below; test_warehouse.py explains each one.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

REPO = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------------------------------ builders


def write_xlsx(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    """A real workbook: ``{sheet: rows}``, rows a list of lists, None for a blank cell.

    Numbers are written as numbers, ``datetime.date``/``datetime`` as real Excel dates (a date number
    format), text as text. ``merges`` maps a sheet to ranges such as ``"A1:E1"``; the merged cell shows
    the value of its first cell.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    merged_fmt = wb.add_format({"bold": True, "align": "center"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.datetime):
                    ws.write_datetime(r, c, value, date_fmt)
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_fmt)
                elif isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value))
        for rng in (merges or {}).get(name, []):
            first, _last = rng.split(":")
            col = ord(first[0]) - 65
            row = int(first[1:]) - 1
            value = rows[row][col] if row < len(rows) and col < len(rows[row]) else None
            ws.merge_range(rng, value if value is not None else "", merged_fmt)
    wb.close()
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    """CSV bytes as Excel on a Chinese Windows writes them (``encoding`` e.g. utf-8-sig, gbk, gb18030)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows([["" if v is None else v for v in row] for row in rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(first17: str) -> str:
    """A valid 统一社会信用代码 for 17 given characters (GB 32100-2015: weights 3^i mod 31, C18 = 31 − Σ mod 31).

    Written independently of etl/values.py so that the tests check it rather than repeat it.
    """
    assert len(first17) == 17
    total = sum(USCC_CHARS.index(ch) * pow(3, i, 31) for i, ch in enumerate(first17))
    return first17 + USCC_CHARS[(31 - total % 31) % 31]


# ------------------------------------------------------------------------------------------ homes, CLI, queries


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own, empty ECMON_HOME (never the checkout's data/)."""
    folder = tmp_path / "home"
    monkeypatch.setenv("ECMON_HOME", str(folder))
    monkeypatch.delenv("ECMON_CATALOG", raising=False)
    return folder


def cli(*args) -> tuple[int, str]:
    """Run the real command line in this process: (exit code, what it printed)."""
    from etl import cli as etl_cli

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = etl_cli.main([str(a) for a in args])
    return code, out.getvalue()


def cli_subprocess(*args, home: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``python -m etl …`` as a separate process, as a clerk or a script would."""
    env = {**os.environ, "ECMON_HOME": str(home), "PYTHONPATH": str(REPO)}
    env.pop("ECMON_CATALOG", None)
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


def query(home: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of a query on the served warehouse; the connection is closed again at once."""
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.sql(sql, params=params).fetchall() if params else con.sql(sql).fetchall()
    finally:
        con.close()


def city_values(home: Path, indicator: str) -> dict[str, float]:
    rows = query(home, "SELECT period, value FROM indicator_values WHERE indicator = ? AND region_code = '441600'",
                 [indicator])
    return {p: v for p, v in rows}


# ------------------------------------------------------------------------------------------ the fixture set
#
# Regions: 源城区 441602, 紫金县 441621, 龙川县 441622, 连平县 441623, 和平县 441624, 东源县 441625;
# zones 市高新区 441691, 江东新区 441692 (inside the counties: never added to a city total).

COUNTIES = ["源城区", "紫金县", "龙川县", "连平县", "和平县", "东源县"]

F1_HEADER = ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）", "农村网络零售额（万元）"]
# 社会消费品零售总额 (万元) by county and year; the six add up to 300000, 330000, 360000, 400000.
RETAIL = {
    "源城区": [100000, 110000, 120000, 130000],
    "紫金县": [50000, 55000, 60000, 70000],
    "龙川县": [60000, 66000, 70000, 80000],
    "连平县": [30000, 33000, 36000, 40000],
    "和平县": [30000, 33000, 36000, 40000],
    "东源县": [30000, 33000, 38000, 40000],
}
# 网络零售额 (万元); the six add up to 20000, 25400, 34600, 48000. No change beyond ±50% (no warning).
ONLINE = {
    "源城区": [10000, 12000, 16000, 22000],
    "紫金县": [2000, 2600, 3800, 5000],
    "龙川县": [3000, 4000, 5000, 7000],
    "连平县": [1000, 1400, 2000, 2800],
    "和平县": [1000, 1400, 2000, 2800],
    "东源县": [3000, 4000, 5800, 8400],
}
# 农村网络零售额: 2016 reported by five counties (东源县 left it blank), 2017 by all six (sum 10500).
RURAL = {
    "源城区": [None, None, 1500, 2000],
    "紫金县": [None, None, 1000, 1500],
    "龙川县": [None, None, 1500, 2000],
    "连平县": [None, None, 800, 1000],
    "和平县": [None, None, 800, 1000],
    "东源县": [None, None, None, 3000],
}
YEARS = [2014, 2015, 2016, 2017]
# The statistics bureau reports 全市 for 2016 itself (beats the county sums 360000 / 34600).
CITY_2016 = ["全市", "2016", 365000, 36500, None]
# 江东新区 reports its own figures (never added to the city).
ZONE_F1 = [["江东新区", "2016", 8000, 1000, None], ["江东新区", "2017", 9000, 1200, None]]
# 2017Q3 year-to-date: five counties only (东源县 missing), so no city value for 2017Q3.
Q3_2017 = [
    ["源城区", "2017Q3", 95000, 15000, None],
    ["紫金县", "2017Q3", 50000, 3500, None],
    ["龙川县", "2017Q3", 58000, 5000, None],
    ["连平县", "2017Q3", 29000, 2000, None],
    ["和平县", "2017Q3", 29000, 2000, None],
]

F2_HEADER = ["年度", "企业名称", "统一社会信用代码", "所在县区", "企业类别", "平台模式", "认定为知名平台",
             "网上销售额（万元）", "入驻本地商户数（家）", "贷款利息支出（万元）", "主税种地方财政贡献（万元）",
             "平台建设费用（万元）", "研发费用（万元）", "新三板挂牌日期", "承办河源产品特色馆"]
P1 = ("河源市万绿网络科技有限公司", uscc("91441602MA5000001"))  # 源城区 (also registered with 市高新区)
P3 = ("紫金县客家电商平台有限公司", uscc("91441621MA5000003"))  # 紫金县
S1 = ("紫金县蓝塘小微电商商行", uscc("92441621MA5000004"))  # a small enterprise, never counted
# (year, enterprise, region, category, recognised): recognised platforms 2014 0, 2015 1, 2016 1, 2017 2
F2_ROWS = [
    (2014, P1, "源城区", "平台型电商企业", "否"),
    (2014, S1, "紫金县", "小微电商企业", "否"),
    (2015, P1, "源城区", "平台型电商企业", "是"),
    (2015, S1, "紫金县", "小微电商企业", "否"),
    (2016, P1, "源城区", "平台型电商企业", "是"),
    (2016, P3, "紫金县", "平台型电商企业", "否"),
    (2017, P1, "源城区", "平台型电商企业", "是"),
    (2017, P3, "紫金县", "平台型电商企业", "是"),
]
# 市高新区 files its own F2: P1 again (same 统一社会信用代码) — counted once at city level.
F2_ZONE_ROWS = [(2017, P1, "市高新区", "平台型电商企业", "是")]

F3_HEADER = ["年度", "名称", "所在县区", "类别", "集中化程度较高", "建设方式", "建筑面积（㎡）", "入驻面积（㎡）",
             "入驻企业数（家）", "阶段"]
B1, B2 = "源城区电商孵化基地", "紫金县电商孵化中心"
K1, K2 = "龙川县电子商务产业园", "东源县电商聚集区"
# incubation bases 2014 0, 2015 1, 2016 2, 2017 2; concentrated 0, 0, 1, 2; park stage 0, 1, 2, 2
F3_ROWS = [
    [2014, K1, "龙川县", "聚集发展园区", None, "自建", 50000, 0, 0, "规划中"],
    [2015, B1, "源城区", "孵化基地", "否", "租用", 3000, 2000, 12, None],
    [2015, K1, "龙川县", "聚集发展园区", None, "自建", 50000, 0, 0, "启动规划建设"],
    [2016, B1, "源城区", "孵化基地", "是", "租用", 3000, 2500, 20, None],
    [2016, B2, "紫金县", "孵化基地", "否", "自建", 2000, 800, 6, None],
    [2016, K1, "龙川县", "聚集发展园区", None, "自建", 50000, 5000, 3, "在建"],
    [2017, B1, "源城区", "孵化基地", "是", "租用", 3000, 2800, 25, None],
    [2017, B2, "紫金县", "孵化基地", "是", "自建", 2000, 1500, 10, None],
    [2017, K1, "龙川县", "聚集发展园区", None, "自建", 50000, 8000, 6, "在建"],
    [2017, K2, "东源县", "聚集发展园区", None, "租用", 10000, 0, 0, "规划中"],
]

F4_HEADER = ["培训班名称", "主办单位", "所在县区", "开班日期", "结业日期", "培训人次（人次）", "培训费用（万元）", "政府购买服务"]
D = dt.date
# trainees by the year a class ends: 2014 500 (before 2015: not cumulated), 2015 2100, 2016 3000,
# 2017 4000 (the winter class ending 2017-01-10 counts in 2017) → cumulative 2100, 5100, 9100
F4_ROWS = [
    ["2014年电商入门班", "源城区商务局", "源城区", D(2014, 5, 10), D(2014, 5, 12), 500, 5, "是"],
    ["2015年农村电商培训班", "紫金县商务局", "紫金县", D(2015, 4, 1), D(2015, 4, 3), 1200, 12, "是"],
    ["2015年跨境电商培训班", "龙川县商务局", "龙川县", D(2015, 9, 1), D(2015, 9, 2), 900, 9, "否"],
    ["2016年网店运营培训班", "连平县商务局", "连平县", D(2016, 6, 1), D(2016, 6, 5), 1600, 16, "是"],
    ["2016年直播电商培训班", "和平县商务局", "和平县", D(2016, 8, 1), D(2016, 8, 3), 1400, 14, "否"],
    ["2016年冬季电商培训班", "东源县商务局", "东源县", D(2016, 12, 20), D(2017, 1, 10), 1000, 10, "是"],
    ["2017年电商人才培训班", "源城区商务局", "源城区", D(2017, 5, 8), D(2017, 5, 12), 3000, 30, "是"],
]

F5_HEADER = ["年度", "企业名称", "统一社会信用代码", "所在县区", "品牌名称", "品牌类别", "是否触网", "触网渠道", "首次触网日期"]


def _brand(region_code: str, n: int) -> tuple[str, str, str]:
    return f"品牌企业{region_code}-{n}", uscc(f"91{region_code}MA6{n:06d}"), f"品牌{region_code}-{n}"


A = [_brand("441602", n) for n in range(1, 5)]  # 源城区
B = [_brand("441621", n) for n in range(1, 3)]  # 紫金县
C = [_brand("441622", n) for n in range(1, 3)]  # 龙川县
# (year, brand enterprise, region, online, first online date)
# 2014: 2 of 5 online = 40% (county rates 50, 100, 0: their mean 50 is NOT the city rate)
# 2015: 3 of 5 = 60%; 2016: 3 of 5 = 60% (mean of county rates 100, 100, 0 = 66.7)
# 2017: 6 of 8 = 75% (county rates 100, 50, 50: mean 66.7)
F5_ROWS = [
    (2014, A[0], "源城区", "是", D(2013, 6, 1)), (2014, A[1], "源城区", "否", None),
    (2014, B[0], "紫金县", "是", D(2014, 3, 1)),
    (2014, C[0], "龙川县", "否", None), (2014, C[1], "龙川县", "否", None),
    (2015, A[0], "源城区", "是", D(2013, 6, 1)), (2015, A[1], "源城区", "是", D(2015, 2, 1)),
    (2015, B[0], "紫金县", "是", D(2014, 3, 1)),
    (2015, C[0], "龙川县", "否", None), (2015, C[1], "龙川县", "否", None),
    (2016, A[0], "源城区", "是", D(2013, 6, 1)), (2016, A[1], "源城区", "是", D(2015, 2, 1)),
    (2016, B[0], "紫金县", "是", D(2014, 3, 1)),
    (2016, C[0], "龙川县", "否", None), (2016, C[1], "龙川县", "否", None),
    (2017, A[0], "源城区", "是", D(2013, 6, 1)), (2017, A[1], "源城区", "是", D(2015, 2, 1)),
    (2017, A[2], "源城区", "是", D(2017, 1, 5)), (2017, A[3], "源城区", "是", D(2017, 2, 5)),
    (2017, B[0], "紫金县", "是", D(2014, 3, 1)), (2017, B[1], "紫金县", "否", None),
    (2017, C[0], "龙川县", "是", D(2017, 5, 1)), (2017, C[1], "龙川县", "否", None),
]

F6_HEADER = ["年度", "名称", "所在县区", "类别", "认定日期"]
# demo villages 2015 1, 2016 2, 2017 1; cross-border platforms 2016 1
F6_ROWS = [
    [2015, "黄塘村", "紫金县", "电商示范村", D(2015, 10, 8)],
    [2016, "佗城村", "龙川县", "电商示范村", D(2016, 9, 1)],
    [2016, "林寨村", "和平县", "电商示范村", D(2016, 9, 1)],
    [2016, "河源跨境电商服务平台", "源城区", "跨境电商平台开通", D(2016, 11, 1)],
    [2017, "仙塘村", "东源县", "电商示范村", D(2017, 8, 1)],
]


def make_fixture_set(folder: Path, last_year: int = 2017) -> list[Path]:
    """Seven valid files (one per form, plus 市高新区's own F2) holding the years up to ``last_year``."""
    folder = Path(folder)
    keep = [i for i, y in enumerate(YEARS) if y <= last_year]
    f1 = [["河源市电子商务发展情况统计表（2014—2017年）"], ["单位：万元"], F1_HEADER]
    for county in COUNTIES:
        for i in keep:
            f1.append([county, str(YEARS[i]), RETAIL[county][i], ONLINE[county][i], RURAL[county][i]])
    if last_year >= 2016:
        f1.append(CITY_2016)
    f1 += [r for r in ZONE_F1 if int(r[1]) <= last_year]
    if last_year >= 2017:
        f1 += Q3_2017

    def f2_rows(rows):
        return [[y, e[0], e[1], reg, cat, "B2B、O2O" if cat == "平台型电商企业" else "B2C", rec, 3000, 120, 50, 20,
                 None, None, None, "否"] for y, e, reg, cat, rec in rows if y <= last_year]

    files = [
        write_xlsx(folder / "F1_县区电子商务统计表.xlsx", {"县区电子商务统计表": f1}, merges={"县区电子商务统计表": ["A1:E1"]}),
        write_xlsx(folder / "F2_电子商务企业名录.xlsx", {"电子商务企业名录": [F2_HEADER, *f2_rows(F2_ROWS)]}),
        write_xlsx(folder / "F3_孵化基地和产业园情况表.xlsx",
                   {"孵化基地和产业园情况表": [F3_HEADER, *[r for r in F3_ROWS if r[0] <= last_year]]}),
        write_xlsx(folder / "F4_电商培训台账.xlsx", {"电商培训台账": [F4_HEADER, *[r for r in F4_ROWS if r[4].year <= last_year]]}),
        write_xlsx(folder / "F5_本地知名品牌企业触网情况表.xlsx", {"本地知名品牌企业触网情况表": [F5_HEADER, *[
            [y, e[0], e[1], reg, e[2], "广东省著名商标", on, "天猫、京东" if on == "是" else None, first]
            for y, e, reg, on, first in F5_ROWS if y <= last_year]]}),
        write_xlsx(folder / "F6_农村电商与示范认定表.xlsx", {"农村电商与示范认定表": [F6_HEADER, *[r for r in F6_ROWS if r[0] <= last_year]]}),
    ]
    zone = f2_rows(F2_ZONE_ROWS)
    if zone:
        files.append(write_xlsx(folder / "F2_电子商务企业名录_市高新区.xlsx", {"电子商务企业名录": [F2_HEADER, *zone]}))
    return files


# The fixture set is sent on 2017-03-01: before the 2016 forms' due date (2017-03-31), so 2016 is 按时报送.
FIXTURE_SENT_ON = "2017-03-01"


def load_fixture_set(folder: Path) -> Path:
    """A home under ``folder`` with the fixture set loaded by the real ETL, sent on FIXTURE_SENT_ON."""
    from etl import pipeline

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ECMON_HOME", str(folder / "home"))
        mp.delenv("ECMON_CATALOG", raising=False)
        files = make_fixture_set(folder / "incoming")
        outcome = pipeline.load(files, simulated=True, submitted_on=dict.fromkeys((p.name for p in files), FIXTURE_SENT_ON))
        assert outcome.ok and outcome.published, [str(m) for p in outcome.parsed for m in p.problems]
    return folder / "home"


@pytest.fixture
def fixture_files(tmp_path) -> list[Path]:
    return make_fixture_set(tmp_path / "incoming")


# One year of F1 for the six counties and a zone (city sums: total 350000, online 25500; the zone not added)
SMALL_F1_2016 = [
    ["源城区", "2016", 100000, 10000, 1000],
    ["紫金县", "2016", 50000, 4000, 800],
    ["龙川县", "2016", 60000, 3000, None],
    ["连平县", "2016", 40000, 2000, None],
    ["和平县", "2016", 30000, 1500, None],
    ["东源县", "2016", 70000, 5000, None],
    ["市高新区", "2016", 20000, 6000, None],
]


def build_home(folder: Path, files: dict[str, dict[str, list[list]]]) -> Path:
    """An ECMON_HOME under ``folder`` loaded by the real ETL from xlsx files given as {name: {sheet: rows}}."""
    from etl import pipeline

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ECMON_HOME", str(folder / "home"))
        mp.delenv("ECMON_CATALOG", raising=False)
        paths = [write_xlsx(folder / "incoming" / name, sheets) for name, sheets in files.items()]
        outcome = pipeline.load(paths, simulated=True)
        assert outcome.ok and outcome.published, [str(m) for p in outcome.parsed for m in p.problems]
    return folder / "home"


@pytest.fixture
def sample(tmp_path_factory, home, monkeypatch) -> Path:
    """The shipped sample warehouse (built once a session), read by this test with a clean cache."""
    from e2e_support import sample_home, use_home

    return use_home(sample_home(tmp_path_factory), monkeypatch)


@pytest.fixture(scope="module")
def browser():
    """Headless chromium for a module's browser tests (started on first use)."""
    from dashboard.bench_pages import chromium

    with chromium() as b:
        yield b
