"""模拟数据 · A SIMULATED data set of report forms (F1–F6, 2014–2024) for the 河府办〔2015〕43号 monitor.

Everything written here is invented: it is not official statistics. Every enterprise, park, base,
building, village, training class, organiser and brand is named ``示例…`` so that it looks invented;
the 统一社会信用代码 are random but carry a valid GB 32100-2015 check digit.

    uv run python -m etl.sample data/sample           # write every file (same bytes on every run)
    uv run python -m etl.sample load data/sample      # load them (ECMON_HOME): the reports, then the corrections

``EXPECTED_CITY`` is the story computed from the generated rows themselves (an oracle independent of the
ETL); tests/test_sample.py loads the files through the real ETL and compares.

The files are what the six counties, the two zones (市高新区, 江东新区) and the 市统计局 would send,
filled in the way people really fill them in (title rows, unit rows, 合计 rows, codes or short names,
thousands separators, full-width digits, text dates, Y/N, CSV in GBK …). Every file name starts with
``<year>_<n>_`` so that ``sorted()`` of the paths is the order to load them in: ``1`` county and zone
files, ``2`` the statistics bureau, ``3`` the 市商务局's payments, ``4`` the units' progress reports, ``9``
corrected resubmissions (更正). The corrections come after everything else was published, each in a load of
its own (``load_batches``), so that a corrected value replaces a published one.

The story at city level (the policy's targets for 2015, 2017 and 2020):

- 知名平台型电商企业 (F2): 0, 1, 1, 2, 3, 3, 4, 5, 5, 6, 6 for 2014–2024: met in 2015 and 2017,
  missed in 2020 (4 of 5, the fifth comes in 2021). One zone platform is listed by 源城区 as well.
- 孵化基地 (F3): 1, 3, 4, 5, 5, 6, 6, 7, 7, 8, 8; of them 集中化程度较高: 0, 1, 1, 1, 2, 3, 3, 4, 4, 5, 5
  (2015 ≥2 bases met; 2017 2 concentrated missed; 2020 3 concentrated met).
- 聚集发展园区 (F3), highest stage: 规划中 2014, 启动规划建设 2015, 在建 2016–17, 初具规模 2018–21,
  建成运营 2022–24 (2015 met, 2017 missed, 2020 met).
- 培训人次 (F4, by 结业日期): 600 in 2014 (before the policy), then 2300, 3500, 3800 …: cumulative from
  2015 is 2300 at end 2015 (≥2000 met) and 9600 at end 2017 (10000 missed).
- 知名品牌企业触网 (F5): 18/6 (2014), 20/9, 22/13, 25/18 (72%, 2017 target met), 25/20, 26/23,
  28/27 (96.4%, 2020 target missed), 28/28, 30/30 ….
- 网络零售额 ÷ 社会消费品零售总额 (F1): 6.0% (2014) → 16.8% (2020, 20% missed) → 22.0% (2024). The
  市统计局 reports 全市 rows for 2016–2024, 1–3% off the county sum. It corrects its 2020 online retail up 2%
  long after (``2020_9_市统计局2020年全市电子商务统计表（更正）.xlsx``, sent 2025-07-16): 2020 is 17.1% (still
  missed), and 总览 marks the target value 已更正 (16.8% before).

Cases that show how the monitor reads identity and years (tests/test_fidelity.py tests them by hand):

- Two 孵化基地 named 示例电商孵化基地, one in 源城区 (from 2014) and one in 龙川县 (from 2016): two places,
  both counted (2016: 4 bases, not 3), both rented above 2000㎡, both get 三(二)1a in 2016–2018.
- A brand enterprise offline in 2017 lists four brands (four F5 rows): it counts once, so 2017 is
  18/25 = 72% (达标); counted by rows it would be 18/28 = 64.3% (未达标).
- 示例恒远网络科技有限公司, a 连平县 platform enterprise, is reported 2015, not 2016, then 2017–2024: its
  interest subsidy (三(一)2a, 连续3年) is paid for 2015 only, the run having ended in 2016.
- The 龙川县 platform that runs a 河源产品特色馆 from 2019 does not in 2020 and does again from 2021:
  三(三)1 (连续2年) pays 2019 only.
- 三(三)6: the cross-border platforms opened 2016 (1) and 2017 (2) make 3 by 2017 (2—3家: 达标).

Warnings on purpose: 东源县's online retail jumps by more than 50% in 2019 (a new platform), and the
合计 row of 龙川县's 2021 training ledger is 20 人次 too high. Two supersede cases: 龙川县 resubmits its
2019 F1 (``2019_9_2019年龙川县电子商务报表（更正）.xlsx``) and the 市统计局 its 2020 city figure (above).

The reporting calendar (etl/sql/50_calendar.sql: every county and zone owes F1–F6 every year from the first year
anyone reported the form, by 90 days after the year). Each file's 报送日期 is in ``manifest/报送日期.csv``
(``python -m etl load --dates``; ``sent_on``): a county's (zone's) files of a year are all sent on one day between
1月29日 and the due date of the next year, but those of LATE_SENDERS, in April–June (和平县 2015, 龙川县 2018,
江东新区 2020, 连平县 2022, 紫金县 2023: 逾期报送); the 市统计局's city figures come in May–June (a city figure is owed
by no county). A region with nothing to report in a ledger form it owes (F2–F6: a zone has no brand enterprises,
most counties recognise nothing in a year) sends a sheet with the header and ``报送方式：零报告 填报县区：… 报送年度：…``
above it in its workbook; three did not (NOT_SENT: 市高新区 F5 2023, 和平县 F6 2023, 江东新区 F6 2024), so 催报 lists
them as 逾期未报. The data end in 2024: every 2025 report (due 2026-03-31) is honestly 逾期未报 once that day has
passed (the calendar judges today; ECMON_TODAY overrides).

The money (F7 政策资金兑现表, ``<year>_3_市商务局…`` for 市本级 and 省级 money, and an F7 sheet in each county's
workbook for its own 县区 money). The entitlements are the sample's own subsidy estimates (etl/sql/40_subsidies.sql
run on the rows written here); of those for 2015–2023 most are paid the next year (四(二): a year's money pays the
previous year's policies), about one in eight is approved one year and paid two years on (the row is updated), one
in ten is never applied for (应享未申), one in eight is approved at 80%. 三(三)6 is paid out of 省级 money; the
counties add 3万 a 示范村 and half the city's 三(二)1 rent subsidy (县区). Training (三(五)1): the estimate plus
0.12万 a government-purchased trainee, paid in December of the year. The 市级电子商务公共服务中心 gets 30万 a year
from 2016 (20万 in 2020). One 三(一)3 award for 2017 is paid twice out of 市本级 money (by the city, as 全市, and
by its county): 超额拨付. One 其他电商企业 is paid the 小微 award (三(一)4) for 2018: 无测算依据. So the commitments:
全市统筹3000万 and 市本级1000万 missed 2016–2018 (the sample's economy is small); training 300万 missed 2015 and 2016,
met 2017; the centre's 30万 met every year but 2020; 2025 onwards 无数据 (no payment reported).

The tasks (F8 重点任务进展表, ``<year>_4_<unit>…``: a unit's back-filled 2016—2019 file, sent in March 2020, so all
逾期报送; then one file a quarter, sent 5–15 days after it, one in eight 16–30 days: 逾期报送): every
lead unit reports every quarter 2016Q1–2024Q4; 团市委 and 市农业局 report on tasks they cooperate on from 2021.
三(五)4 is closed (已完成, with its evidence) in 2016Q2 and 三(三)6 in 2017Q4; 三(四)1 is 滞后 in 2024Q3–Q4;
市人力资源社会保障局 sends nothing on 三(五)3 for 2024Q4; 三(二)3 says the same thing in 2024Q3 and 2024Q4; 市科技局
reports on 三(三)2 (which it co-leads) only from 2018; a few other reports are missing. Judged after the 2024Q4 deadline
(on 2025-04-15): 红灯 三(四)1 and 三(五)3, 黄灯 三(二)3, 灰灯 三(三)6 and 三(五)4, 绿灯 the other 17 (EXPECTED_LIGHTS).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import random
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "data" / "catalog"
FORMS = tomllib.loads((CATALOG / "forms.toml").read_text(encoding="utf-8"))
SEED = 20151210  # the policy's date
YEARS = list(range(2014, 2025))

# ----------------------------------------------------------------------------------------------
# Regions (from the catalog) and the story
# ----------------------------------------------------------------------------------------------


def _load_regions() -> dict[str, dict]:
    lines = (CATALOG / "regions.csv").read_text(encoding="utf-8").splitlines()
    rows = list(csv.DictReader(lines))
    return {r["region_code"]: {**r, "aliases": r["aliases"].split(";")} for r in rows}


REGIONS = _load_regions()
CITY = "441600"
COUNTIES = [c for c, r in REGIONS.items() if r["level"] == "county"]
ZONES = [c for c, r in REGIONS.items() if r["level"] == "zone"]
YUANCHENG, ZIJIN, LONGCHUAN, LIANPING, HEPING, DONGYUAN = COUNTIES
GAOXIN, JIANGDONG = ZONES
# The code a zone's enterprises carry in their 统一社会信用代码 (the county the zone lies in).
USCC_AREA = {GAOXIN: YUANCHENG, JIANGDONG: DONGYUAN}

# F1: city retail, its growth, and the share of online retail the story wants.
CITY_RETAIL_2014 = 2_870_000.0  # 万元
RETAIL_GROWTH = {2015: .088, 2016: .085, 2017: .082, 2018: .078, 2019: .075, 2020: .061, 2021: .072,
                 2022: .062, 2023: .068, 2024: .064}
ONLINE_SHARE = {2014: 6.0, 2015: 7.4, 2016: 8.9, 2017: 10.6, 2018: 12.5, 2019: 14.5, 2020: 16.8,
                2021: 18.4, 2022: 19.5, 2023: 20.6, 2024: 22.0}
RETAIL_WEIGHT = {YUANCHENG: .37, ZIJIN: .12, LONGCHUAN: .16, LIANPING: .08, HEPING: .09, DONGYUAN: .18,
                 GAOXIN: .045, JIANGDONG: .02}
ONLINE_FACTOR = {YUANCHENG: 1.30, ZIJIN: .85, LONGCHUAN: .80, LIANPING: .62, HEPING: .70, DONGYUAN: .78,
                 GAOXIN: 1.70, JIANGDONG: 1.30}
RURAL_FRACTION = {YUANCHENG: .12, ZIJIN: .42, LONGCHUAN: .40, LIANPING: .45, HEPING: .44, DONGYUAN: .38}
JUMP = (DONGYUAN, 2019, 1.45)  # 东源县's online retail jumps in 2019 (a warning, on purpose)
BUREAU_YEARS = range(2016, 2025)
YTD_FRACTION = {"Q1": (.232, .221), "Q2": (.478, .462), "Q3": (.731, .712),
                "03": (.232, .221), "06": (.478, .462), "09": (.731, .712)}  # (retail, online)
SUB_PERIODS = {  # part-year rows (year to date) sent in 2023 and 2024
    YUANCHENG: {2023: ["Q1", "Q2", "Q3"], 2024: ["Q1", "Q2", "Q3"]},
    ZIJIN: {2023: ["Q1", "Q2", "Q3"], 2024: ["Q1", "Q2", "Q3"]},
    LONGCHUAN: {2023: ["03", "06", "09"], 2024: ["03", "06", "09"]},
    DONGYUAN: {2023: ["06"], 2024: ["06"]},
    HEPING: {2024: ["Q3"]},
    GAOXIN: {2024: ["Q3"]},
    CITY: {2023: ["Q1", "Q2", "Q3"], 2024: ["03", "06", "09"]},
}
# Corrected resubmissions (更正, ``<year>_9_…``), loaded in a second load after everything else was published.
# (sender, year): the figures first sent = the corrected ones × these.
CORRECTIONS = {
    (LONGCHUAN, 2019): {"retail_total": 1 / 1.006, "online_retail": 1 / 1.032, "rural_online_retail": 1 / 1.02},
    (CITY, 2020): {"online_retail": 1 / 1.02},  # the 市统计局 revises its 2020 online retail up 2% (网零占比 16.8% → 17.1%)
}
CORRECTION_NAMES = {LONGCHUAN: "{y}年龙川县电子商务报表", CITY: "市统计局{y}年全市电子商务统计表"}

# F2: the recognised platforms (region, first year listed, first year recognised, modes, sales then).
PLATFORMS = [
    (YUANCHENG, 2014, 2015, ["B2C", "O2O"], 1650.0),
    (GAOXIN, 2015, 2017, ["B2B", "B2C"], 1500.0),
    (ZIJIN, 2016, 2018, ["B2B", "O2O"], 1400.0),
    (LONGCHUAN, 2017, 2020, ["B2C"], 1100.0),
    (JIANGDONG, 2018, 2021, ["O2O"], 1000.0),
    (DONGYUAN, 2019, 2023, ["B2B", "B2C", "O2O"], 1500.0),
]
LISTED_TWICE = (1, YUANCHENG, 2019)  # PLATFORMS[1] is also listed by 源城区 from 2019 on
UNRECOGNISED_PLATFORMS = [(HEPING, 2017, ["C2C"]), (LIANPING, 2020, ["O2O"])]
CROSS_BORDER = {2016: [ZIJIN], 2017: [YUANCHENG, DONGYUAN]}  # cross-border platforms opened
OTHER_ENTERPRISES = {  # enterprises besides the recognised platforms: 2014 → 2024
    YUANCHENG: (5, 12), ZIJIN: (4, 10), LONGCHUAN: (4, 10), LIANPING: (3, 7), HEPING: (3, 8),
    DONGYUAN: (4, 10), GAOXIN: (3, 8), JIANGDONG: (2, 6),
}
GENERIC_KINDS = [  # (category, name ending, modes)
    ("小微电商企业", "电子商务有限公司", ["B2C", "C2C"]),
    ("小微电商企业", "网络科技有限公司", ["B2C"]),
    ("规上工业企业", "食品有限公司", ["B2B", "B2C"]),
    ("规上工业企业", "农业科技有限公司", ["B2B"]),
    ("限上商贸企业", "商贸有限公司", ["B2C", "O2O"]),
    ("其他电商企业", "电子商务有限公司", ["O2O"]),
    ("其他电商企业", "农业科技有限公司", ["C2C"]),
]
SALES_RANGE = {"小微电商企业": (60, 600), "规上工业企业": (500, 4000), "限上商贸企业": (300, 2500),
               "其他电商企业": (30, 400)}

# F3: bases (region, opened, concentrated from, build mode, floor area), parks' stages, buildings.
BASES = [
    (YUANCHENG, 2014, 2015, "租用", 6800),
    (GAOXIN, 2015, 2018, "自建", 12000),
    (ZIJIN, 2015, 2019, "租用", 4200),
    (LONGCHUAN, 2016, 2021, "租用", 3600),
    (DONGYUAN, 2017, 2023, "自建", 5200),
    (JIANGDONG, 2019, None, "租用", 2600),
    (HEPING, 2021, None, "租用", 2400),
    (LIANPING, 2023, None, "租用", 1800),
]
PARK_STAGES = {  # stage index by year (see data/catalog/stages.csv)
    GAOXIN: dict(zip(YEARS, [0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4], strict=True)),
    JIANGDONG: dict(zip(YEARS[2:], [0, 0, 1, 1, 2, 2, 3, 3, 3], strict=True)),
}
BUILDINGS = [(YUANCHENG, 2017, "租用", 9600), (LONGCHUAN, 2020, "自建", 8200), (GAOXIN, 2022, "租用", 12500)]
STAGES = [line.split(",")[1] for line in (CATALOG / "stages.csv").read_text(encoding="utf-8").split()[1:]]

# F4: trainees by year of 结业日期, who trains, and the classes that run over New Year.
TRAINEES = {2014: 600, 2015: 2300, 2016: 3500, 2017: 3800, 2018: 4000, 2019: 4200, 2020: 3000,
            2021: 3500, 2022: 3600, 2023: 3900, 2024: 4100}
TRAINING_WEIGHT = {YUANCHENG: .26, ZIJIN: .15, LONGCHUAN: .16, LIANPING: .10, HEPING: .11, DONGYUAN: .14,
                   GAOXIN: .05, JIANGDONG: .03}
TRAINING_2014 = [YUANCHENG, ZIJIN, LONGCHUAN]
ZONE_TRAINING_YEARS = {GAOXIN: {2016, 2018, 2019, 2021, 2022, 2023, 2024}, JIANGDONG: {2019, 2022, 2024}}
OVER_NEW_YEAR = [(LONGCHUAN, date(2017, 12, 18), date(2018, 1, 6)),
                 (DONGYUAN, date(2020, 12, 21), date(2021, 1, 8))]
TRAINING_TOPICS = ["电商实操", "农村电商", "网店运营", "电商创业", "跨境电商", "直播电商"]

# F5: brand enterprises newly listed each year, and how many are online (cumulative).
BRANDS_NEW = {2014: 18, 2015: 2, 2016: 2, 2017: 3, 2018: 0, 2019: 1, 2020: 2, 2021: 0, 2022: 2}
BRANDS_ONLINE = {2014: 6, 2015: 9, 2016: 13, 2017: 18, 2018: 20, 2019: 23, 2020: 27, 2021: 28, 2022: 30,
                 2023: 30, 2024: 30}
BRAND_COUNTIES = [YUANCHENG] * 7 + [ZIJIN] * 6 + [LONGCHUAN] * 5 + [LIANPING, HEPING, DONGYUAN] * 4
BRAND_KINDS = ["食品", "茶业", "酒业", "农业科技", "生物科技", "实业"]
BRAND_CATEGORIES = ["中国驰名商标", "广东省著名商标", "广东省名牌产品", "地理标志产品", "其他"]
CHANNELS = ["天猫", "京东", "自建商城", "微店", "拼多多"]

# F6: recognitions.
DEMO_VILLAGES = {2015: [ZIJIN, LONGCHUAN, HEPING], 2016: [DONGYUAN, LIANPING, ZIJIN, YUANCHENG],
                 2017: [LONGCHUAN, HEPING, DONGYUAN, LIANPING, ZIJIN]}
SERVICE_POINTS = {2018: 3, 2019: 4, 2020: 3, 2021: 4, 2022: 3, 2023: 2, 2024: 2}
DEMO_COUNTIES = {2016: ZIJIN, 2018: LONGCHUAN}
PAVILIONS = {2016: (YUANCHENG, 0), 2019: (LONGCHUAN, 3)}  # year: (region, index in PLATFORMS)
PAVILION_GAPS = {3: {2020}}  # PLATFORMS[3] does not run its pavilion in 2020 (then again from 2021)

# 零报告: a region with nothing to report in a ledger form it owes says so, but these (region, form, year) did not
# (the 催报 list shows them as 逾期未报).
NOT_SENT = {(JIANGDONG, "F6", 2024), (HEPING, "F6", 2023), (GAOXIN, "F5", 2023)}

# The identity and year cases (see the docstring). Names written here, not drawn, so that every other name
# and number of the story stays what it was.
SAME_NAMED_BASE = ("示例电商孵化基地", (0, 3))  # the name BASES[0] (源城区) and BASES[3] (龙川县) both carry
GAP_PLATFORM = dict(region=LIANPING, name="示例恒远网络科技有限公司", first=2015, gaps={2016}, sales=2600.0)
MULTI_BRAND_YEAR = 2017  # the first brand enterprise offline in this year lists three more brands
EXTRA_BRANDS = ("二号", "三号", "四号")

# ----------------------------------------------------------------------------------------------
# Invented names and 统一社会信用代码
# ----------------------------------------------------------------------------------------------

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
FIRST_CHARS = "青云丰绿茗瑞禾溪竹松望春翠润鹏果稻蓝锦桂梅柏枫泉岚星晨岭"
SECOND_CHARS = "岭源野泉香田谷畔林川坪塘湾岗园峰苑湖"
AVOID = {"丰田", "锦湖", "桂林", "青川", "松溪", "梅林", "桂园", "稻香", "云峰", "枫林"}


def uscc_check_char(body: str) -> str:
    """GB 32100-2015 check character of the first 17 characters."""
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(body, USCC_WEIGHTS, strict=True))
    check = 31 - total % 31
    return USCC_CHARS[0 if check == 31 else check]


def uscc_is_valid(code: str) -> bool:
    return (len(code) == 18 and all(ch in USCC_CHARS for ch in code)
            and uscc_check_char(code[:17]) == code[17])


class Names:
    """Unique invented two-character names (示例 + 青坪 …) and 统一社会信用代码."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        combos = [a + b for a in FIRST_CHARS for b in SECOND_CHARS if a != b and a + b not in AVOID]
        rng.shuffle(combos)
        self.combos = combos
        self.usccs: set[str] = set()

    def word(self) -> str:
        return self.combos.pop()

    def uscc(self, region: str) -> str:
        while True:
            body = "91" + USCC_AREA.get(region, region) + "".join(self.rng.choice(USCC_CHARS) for _ in range(9))
            code = body + uscc_check_char(body)
            if code not in self.usccs:
                self.usccs.add(code)
                return code


def rand_date(rng: random.Random, year: int, months: tuple[int, int] = (1, 12)) -> date:
    month = rng.randint(*months)
    return date(year, month, rng.randint(1, 28))


def short(region: str) -> str:
    """紫金县 → 紫金; zones and the city keep their name."""
    return REGIONS[region]["aliases"][0] if region in COUNTIES else REGIONS[region]["name"]


# ----------------------------------------------------------------------------------------------
# The data set: canonical rows, one list a form (field names as in forms.toml)
# ----------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    rows: dict[str, list[dict]] = field(default_factory=lambda: {f: [] for f in FORMS})
    first_sent: dict[tuple[str, int], list[dict]] = field(default_factory=dict)  # (sender, year) → F1 rows before 更正
    enterprises: list = field(default_factory=list)
    estimates: list[dict] = field(default_factory=list)  # the sample's own subsidy estimates (40_subsidies.sql)
    sent_f7: dict[tuple[str, int], list[dict]] = field(default_factory=dict)  # (sender, year sent) → F7 rows
    sent_f8: dict[tuple[str, str], list[dict]] = field(default_factory=dict)  # (unit, span of years) → F8 rows

    def select(self, form: str, region: str, year: int) -> list[dict]:
        return [r for r in self.rows[form] if r["region"] == region and row_year(form, r) == year]


def row_year(form: str, row: dict) -> int:
    if form == "F1":
        return int(row["period"][:4])
    if form == "F4":
        return row["end_date"].year
    return row["year"]


def build_dataset() -> Dataset:
    ds = Dataset()
    names = Names(random.Random(f"{SEED}-names"))
    build_f1(ds, random.Random(f"{SEED}-f1"))
    build_f2(ds, random.Random(f"{SEED}-f2"), names)
    build_f3(ds, random.Random(f"{SEED}-f3"), names)
    build_f4(ds, random.Random(f"{SEED}-f4"), names)
    build_f5(ds, random.Random(f"{SEED}-f5"), names)
    build_f6(ds, random.Random(f"{SEED}-f6"), names)
    build_f7(ds)
    build_f8(ds)
    return ds


def f1_row(region: str, period: str, total: float, online: float, rural: float | None) -> dict:
    return {"region": region, "period": period, "retail_total": round(total, 1),
            "online_retail": round(online, 1),
            "rural_online_retail": None if rural is None else round(rural, 1)}


def sub_rows(region: str, year: int, annual: dict, rng: random.Random) -> list[dict]:
    rows = []
    for part in SUB_PERIODS.get(region, {}).get(year, []):
        f_total, f_online = (f + rng.uniform(-.004, .004) for f in YTD_FRACTION[part])
        period = f"{year}{part}" if part.startswith("Q") else f"{year}-{part}"
        rural = annual["rural_online_retail"]
        rows.append(f1_row(region, period, annual["retail_total"] * f_total,
                           annual["online_retail"] * f_online, None if rural is None else rural * f_online))
    return rows + [annual]


def build_f1(ds: Dataset, rng: random.Random) -> None:
    city_total = CITY_RETAIL_2014
    for year in YEARS:
        city_total *= 1 + RETAIL_GROWTH.get(year, 0)
        share = ONLINE_SHARE[year] / 100
        total = {c: city_total * RETAIL_WEIGHT[c] * (1 + rng.uniform(-.02, .02)) for c in COUNTIES}
        raw = {c: total[c] * ONLINE_FACTOR[c] * (1 + rng.uniform(-.03, .03)) for c in COUNTIES}
        if year >= JUMP[1]:
            raw[JUMP[0]] *= JUMP[2]
        scale = share * sum(total.values()) / sum(raw.values())
        counties = []
        for c in COUNTIES:
            online = raw[c] * scale
            rural = online * RURAL_FRACTION[c] * (1 + rng.uniform(-.05, .05))
            counties.append(f1_row(c, str(year), total[c], online, rural))
        for z in ZONES:
            z_total = city_total * RETAIL_WEIGHT[z] * (1 + rng.uniform(-.02, .02))
            counties.append(f1_row(z, str(year), z_total, z_total * share * ONLINE_FACTOR[z], None))
        for row in counties:
            ds.rows["F1"] += sub_rows(row["region"], year, row, rng)
        if year in BUREAU_YEARS:
            ds.rows["F1"] += sub_rows(CITY, year, bureau_row(counties, year, rng), rng)
    for (region, year), factors in CORRECTIONS.items():
        ds.first_sent[(region, year)] = [{k: round(v * factors[k], 1) if k in factors else v for k, v in row.items()}
                                         for row in ds.select("F1", region, year)]


def sent_f1(ds: Dataset, region: str, year: int) -> list[dict]:
    """The F1 rows a sender first sent for a year (before a correction, if one follows)."""
    return ds.first_sent.get((region, year)) or ds.select("F1", region, year)


def bureau_row(rows: list[dict], year: int, rng: random.Random) -> dict:
    """The 市统计局's own city figure: 1–3% off the county sum, with the story's share."""
    counties = [r for r in rows if r["region"] in COUNTIES]
    off = rng.choice([-1, 1]) * rng.uniform(.01, .03)
    total = sum(r["retail_total"] for r in counties) * (1 + off)
    rural = sum(r["rural_online_retail"] for r in counties) * (1 + rng.uniform(-.02, .02))
    corrected = 1 / CORRECTIONS.get((CITY, year), {}).get("online_retail", 1)  # first published: the story's share
    return f1_row(CITY, str(year), total, total * ONLINE_SHARE[year] / 100 * corrected, rural)


@dataclass
class Enterprise:
    name: str
    uscc: str
    region: str
    category: str
    modes: list[str]
    first: int
    sales: float  # in the first year
    growth: float
    recognised: int | None = None
    listed_neeq: date | None = None
    pavilion: int | None = None  # first year it runs a 河源产品特色馆
    pavilion_gaps: frozenset = frozenset()  # years after that it does not
    also_in: tuple[str, int] | None = None  # (region, from year): listed by a second region too

    def row(self, year: int, region: str, rng: random.Random) -> dict:
        sales = round(self.sales * self.growth ** (year - self.first) * (1 + rng.uniform(-.03, .03)), 1)
        platform = self.category in ("平台型电商企业", "跨境电商平台")
        return {
            "year": year, "name": self.name, "uscc": self.uscc, "region": region,
            "category": self.category, "platform_modes": self.modes,
            "is_recognised_platform": self.recognised is not None and year >= self.recognised,
            "online_sales": sales if platform or rng.random() > .05 else None,
            "local_merchants": round(sales / 9) if self.category == "平台型电商企业" else None,
            "loan_interest": round(sales * rng.uniform(.006, .015), 1) if platform or rng.random() < .3 else None,
            "local_tax_contribution": round(sales * rng.uniform(.015, .035), 1) if rng.random() < .8 else None,
            "platform_build_cost": round(rng.uniform(80, 260), 1) if platform and year in (
                self.first, self.recognised) else None,
            "rd_cost": round(sales * rng.uniform(.01, .03), 1) if platform or rng.random() < .25 else None,
            "neeq_listing_date": self.listed_neeq if self.listed_neeq and year >= self.listed_neeq.year else None,
            "runs_heyuan_pavilion": self.pavilion is not None and year >= self.pavilion and year not in self.pavilion_gaps,
        }


def build_enterprises(rng: random.Random, names: Names) -> list[Enterprise]:
    out = []
    for i, (region, first, recognised, modes, sales) in enumerate(PLATFORMS):
        e = Enterprise(f"示例{names.word()}电子商务有限公司", names.uscc(region), region, "平台型电商企业",
                       modes, first, sales, rng.uniform(1.26, 1.32), recognised=recognised)
        out.append(e)
        if i == LISTED_TWICE[0]:
            e.also_in = LISTED_TWICE[1:]
    out[0].listed_neeq = date(2016, 8, 18)
    for year, (_region, i) in PAVILIONS.items():
        out[i].pavilion = year
        out[i].pavilion_gaps = frozenset(PAVILION_GAPS.get(i, ()))
    for region, first, modes in UNRECOGNISED_PLATFORMS:
        out.append(Enterprise(f"示例{names.word()}网络科技有限公司", names.uscc(region), region,
                              "平台型电商企业", modes, first, rng.uniform(300, 900), rng.uniform(1.1, 1.2)))
    for year, regions in CROSS_BORDER.items():
        for region in regions:
            out.append(Enterprise(f"示例{names.word()}跨境电子商务有限公司", names.uscc(region), region,
                                  "跨境电商平台", ["B2B", "B2C"], year, rng.uniform(600, 1500),
                                  rng.uniform(1.15, 1.3)))
    for region, (low, high) in OTHER_ENTERPRISES.items():
        for year in YEARS:
            wanted = round(low + (high - low) * (year - 2014) / 10)
            have = sum(1 for e in out if e.region == region and e.first <= year
                       and (e.recognised is None or year < e.recognised))
            for _ in range(wanted - have):
                category, ending, kind_modes = rng.choice(GENERIC_KINDS)
                modes = sorted(rng.sample(kind_modes, rng.randint(1, len(kind_modes))), key=kind_modes.index)
                out.append(Enterprise(f"示例{names.word()}{ending}", names.uscc(region), region, category,
                                      modes if rng.random() > .1 else [], year,
                                      rng.uniform(*SALES_RANGE[category]), rng.uniform(1.04, 1.22)))
    listed = next(e for e in out if e.category == "规上工业企业" and e.region == ZIJIN and e.first <= 2016)
    listed.listed_neeq = date(2017, 11, 6)
    return out


def build_f2(ds: Dataset, rng: random.Random, names: Names) -> None:
    ds.enterprises = build_enterprises(rng, names)
    for year in YEARS:
        for e in ds.enterprises:
            if e.first <= year:
                ds.rows["F2"].append(e.row(year, e.region, rng))
                if e.also_in and year >= e.also_in[1]:  # the same figures, listed by a second region
                    ds.rows["F2"].append({**ds.rows["F2"][-1], "region": e.also_in[0]})
    add_gap_platform(ds, names)


def add_gap_platform(ds: Dataset, names: Names) -> None:
    """GAP_PLATFORM: a platform enterprise not reported in one year (its own random numbers and 统一社会信用代码,
    so that the rest of the story is unchanged)."""
    rng, g = random.Random(f"{SEED}-gap-platform"), GAP_PLATFORM
    while True:
        body = "91" + g["region"] + "".join(rng.choice(USCC_CHARS) for _ in range(9))
        code = body + uscc_check_char(body)
        if code not in names.usccs:
            names.usccs.add(code)
            break
    e = Enterprise(g["name"], code, g["region"], "平台型电商企业", ["B2B", "B2C"], g["first"], g["sales"], 1.12)
    for year in YEARS:
        row = e.row(year, e.region, rng)
        if year >= e.first and year not in g["gaps"]:
            ds.rows["F2"].append(row)


def build_f3(ds: Dataset, rng: random.Random, names: Names) -> None:
    bases = [(f"示例{names.word()}电商孵化基地", *b) for b in BASES]
    name, same = SAME_NAMED_BASE
    bases = [(name, *b[1:]) if i in same else b for i, b in enumerate(bases)]
    parks = {region: f"示例{names.word()}电商产业园" for region in PARK_STAGES}
    buildings = [(f"示例{names.word()}电商大厦", *b) for b in BUILDINGS]
    for year in YEARS:
        for name, region, opened, concentrated, mode, floor in bases:
            if opened <= year:
                age = year - opened
                occupied = round(floor * min(.92, .45 + .09 * age + rng.uniform(0, .04)))
                ds.rows["F3"].append(f3_row(year, name, region, "孵化基地", concentrated is not None
                                            and year >= concentrated, mode, floor, occupied,
                                            8 + 5 * age + rng.randint(0, 4), 4 if age else 3))
        for region, stages in PARK_STAGES.items():
            if year in stages:
                ds.rows["F3"].append(park_row(year, parks[region], region, stages[year], rng))
        for name, region, opened, mode, floor in buildings:
            if opened <= year:
                occupied = round(floor * min(.95, .55 + .1 * (year - opened)))
                ds.rows["F3"].append(f3_row(year, name, region, "电商楼宇", None, mode, floor, occupied,
                                            12 + 4 * (year - opened), None))


def f3_row(year, name, region, category, concentrated, mode, floor, occupied, tenants, stage) -> dict:
    return {"year": year, "name": name, "region": region, "category": category,
            "is_concentrated": concentrated, "build_mode": mode, "floor_area": floor,
            "occupied_area": occupied, "tenant_count": tenants,
            "stage": None if stage is None else STAGES[stage]}


def park_row(year: int, name: str, region: str, stage: int, rng: random.Random) -> dict:
    floor = [None, None, 60000, 60000, 85000][stage]
    occupied = {2: 0, 3: round(60000 * rng.uniform(.3, .45)), 4: round(85000 * rng.uniform(.6, .75))}.get(stage)
    tenants = {2: 0, 3: rng.randint(30, 50), 4: rng.randint(80, 120)}.get(stage)
    return f3_row(year, name, region, "聚集发展园区", None, "自建", floor, occupied, tenants, stage)


def split(total: int, parts: int, rng: random.Random, least: int = 20) -> list[int]:
    """Random positive integers adding up to total, each at least `least`."""
    cuts = sorted(rng.sample(range(1, total - least * parts + parts), parts - 1))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, total - least * parts + parts], strict=True)]
    return [s + least - 1 for s in sizes]


def training_regions(year: int) -> list[str]:
    if year == 2014:
        return TRAINING_2014
    return COUNTIES + [z for z in ZONES if year in ZONE_TRAINING_YEARS[z]]


def build_f4(ds: Dataset, rng: random.Random, names: Names) -> None:
    organisers = {r: [f"示例{names.word()}职业培训学校", f"示例{names.word()}电子商务协会",
                      f"示例{names.word()}教育咨询有限公司"] for r in COUNTIES + ZONES}
    for year in YEARS:
        regions = training_regions(year)
        weights = [TRAINING_WEIGHT[r] for r in regions]
        alloc = [round(TRAINEES[year] * w / sum(weights)) for w in weights]
        alloc[0] += TRAINEES[year] - sum(alloc)
        for region, region_total in zip(regions, alloc, strict=True):
            classes = []
            for trainees in split(region_total, max(1, min(4, region_total // 150)), rng):
                start = rand_date(rng, year, (3, 11))
                classes.append((start, date.fromordinal(start.toordinal() + rng.randint(1, 12)), trainees))
            for r, start, end in OVER_NEW_YEAR:  # the first class of the year began in December
                if r == region and end.year == year:
                    classes[0] = (start, end, classes[0][2])
            for n, (start, end, trainees) in enumerate(sorted(classes), start=1):
                topic = rng.choice(TRAINING_TOPICS[:4] + (TRAINING_TOPICS[4:] if year >= 2018 else []))
                ds.rows["F4"].append({
                    "name": f"示例{short(region)}{start.year}年{topic}培训班（第{n}期）",
                    "organiser": rng.choice(organisers[region]), "region": region,
                    "start_date": start, "end_date": end, "trainees": trainees,
                    "cost": round(trainees * rng.uniform(.015, .04), 1),
                    "is_government_purchased": rng.random() < .7,
                })


def build_f5(ds: Dataset, rng: random.Random, names: Names) -> None:
    counties = BRAND_COUNTIES[:]
    rng.shuffle(counties)
    brands, online_since = [], {}
    for year in YEARS:
        for _ in range(BRANDS_NEW.get(year, 0)):
            region = counties[len(brands)]
            brands.append({"first": year, "name": f"示例{names.word()}{rng.choice(BRAND_KINDS)}有限公司",
                           "uscc": names.uscc(region), "region": region, "brand": f"示例{names.word()}",
                           "brand_category": rng.choice(BRAND_CATEGORIES)})
        offline = [i for i, b in enumerate(brands) if i not in online_since]
        for i in rng.sample(offline, BRANDS_ONLINE[year] - len(online_since)):
            first_year = year if year > 2014 else rng.randint(2011, 2014)
            online_since[i] = (rand_date(rng, first_year), sorted(rng.sample(CHANNELS, rng.randint(1, 3)),
                                                                  key=CHANNELS.index))
        for i, b in enumerate(brands):
            since, channels = online_since.get(i, (None, []))
            ds.rows["F5"].append({"year": year, "name": b["name"], "uscc": b["uscc"], "region": b["region"],
                                  "brand": b["brand"], "brand_category": b["brand_category"],
                                  "is_online": since is not None, "channels": "、".join(channels) or None,
                                  "first_online_date": since})
    add_brands(ds)


def add_brands(ds: Dataset) -> None:
    """The first brand enterprise offline in MULTI_BRAND_YEAR lists three more brands, never online (one row each)."""
    rows = ds.rows["F5"]
    uscc = next(r["uscc"] for r in rows if r["year"] == MULTI_BRAND_YEAR and not r["is_online"])
    ds.rows["F5"] = []
    for r in rows:
        ds.rows["F5"].append(r)
        if r["uscc"] == uscc:
            ds.rows["F5"] += [{**r, "brand": r["brand"] + extra, "is_online": False, "channels": None,
                               "first_online_date": None} for extra in EXTRA_BRANDS]


def build_f6(ds: Dataset, rng: random.Random, names: Names) -> None:
    def add(year, name, region, category):
        ds.rows["F6"].append({"year": year, "name": name, "region": region, "category": category,
                              "recognised_date": rand_date(rng, year, (4, 12))})

    for year in YEARS:
        for region in DEMO_VILLAGES.get(year, []):
            add(year, f"示例{names.word()}村", region, "电商示范村")
        for _ in range(SERVICE_POINTS.get(year, 0)):
            add(year, f"示例{names.word()}村电商服务点", rng.choice(COUNTIES[1:]), "农村电商服务点")
        for e in ds.enterprises:
            if e.category == "跨境电商平台" and e.first == year:
                add(year, e.name, e.region, "跨境电商平台开通")
        if year in DEMO_COUNTIES:
            add(year, REGIONS[DEMO_COUNTIES[year]]["name"], DEMO_COUNTIES[year], "国家级电子商务进农村综合示范县")
        if year in PAVILIONS:
            add(year, f"示例{names.word()}河源产品特色馆", PAVILIONS[year][0], "河源产品特色馆")


# ----------------------------------------------------------------------------------------------
# How each sender fills the forms in (the real-world mess)
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    sheet_names: str = "F"  # F: F1县区电子商务统计表 · title: 县区电子商务统计表 · alias: 电子商务统计表
    titles: int = 0  # title rows above the header (merged across the columns in xlsx)
    unit_row: bool = False  # "单位：万元" under the title
    total: str = ""  # 合计 / 总计 row under the rows of F2–F4 ("" = none)
    total_off: int = 0  # the 合计 row is this much off (a warning case)
    note: str = ""  # sign: 填表人/审核人 row · guide: 填报说明 row
    blank_tail: int = 0  # empty rows left at the bottom
    region: str = "name"  # name | short | code | alias
    fw_space: bool = False  # full-width spaces around names
    annual: str = "plain"  # 2018 | cn: 2018年
    sub: str = "q"  # part-year periods: q 2018Q3 · cnq 2018年第三季度 · cnq2 2018年3季度 · ytd 2018年1-9月 · month 2018-09
    dates: str = "excel"  # excel | iso | slash | dot | cn
    yesno: str = "是否"  # 是否 | YN
    money: str = "万元"  # 万元 | 亿元 | 元 (F1 amounts)
    numbers: str = "plain"  # plain | format (#,##0.0) | comma ("1,234.5" as text) | fullwidth ("１２３４．５")
    modes_sep: str = "、"
    headers: tuple = ()  # ((field, alias), …): a header written with one of its catalogued aliases
    omit: tuple = ()  # optional columns left out
    guide_sheet: bool = False  # a 填报说明 sheet in the workbook


ALL = ("F1", "F2", "F3", "F4", "F5", "F6")
HABITS = {
    YUANCHENG: Style(titles=1, unit_row=True, total="合计", numbers="format"),
    ZIJIN: Style(sheet_names="title", region="short", annual="cn", sub="cnq", note="sign", total="总计"),
    LONGCHUAN: Style(sheet_names="alias", titles=2, unit_row=True, total="合计", sub="ytd", numbers="format"),
    LIANPING: Style(blank_tail=3, fw_space=True),
    HEPING: Style(sheet_names="title", titles=1, unit_row=True, region="short", dates="cn", note="guide",
                  sub="cnq2"),
    DONGYUAN: Style(region="code", sub="month", total="合计"),
    GAOXIN: Style(titles=1, sub="cnq", omit=("rural_online_retail",)),
    JIANGDONG: Style(sheet_names="title", note="sign", omit=("rural_online_retail",), modes_sep="，"),
    CITY: Style(titles=1, unit_row=True, region="name", sub="cnq"),
}
# (region, years, forms, changes): how a sender's habits changed, and the one-off cases.
QUIRKS = [
    (ZIJIN, range(2017, 2025), ALL, dict(region="code", titles=2)),
    (ZIJIN, range(2019, 2022), ALL, dict(yesno="YN")),
    (ZIJIN, [2016], ["F1"], dict(money="元", numbers="format")),
    (ZIJIN, range(2014, 2017), ["F2", "F5"], dict(headers=(("year", "年份"), ("region", "所属县区")))),
    (YUANCHENG, range(2019, 2025), ALL, dict(guide_sheet=True)),
    (YUANCHENG, range(2014, 2018), ["F2"], dict(modes_sep=",")),
    (LONGCHUAN, range(2022, 2025), ["F2", "F4", "F5", "F6"], dict(dates="iso")),
    (LONGCHUAN, [2021], ["F4"], dict(total_off=20)),
    (LONGCHUAN, range(2014, 2025), ["F1"], dict(headers=(("period", "统计期间"),))),
    (LIANPING, [2015, 2017, 2019, 2021, 2023], ALL, dict(fw_space=False, region="short")),
    (HEPING, [2017], ["F1"], dict(money="亿元")),
    (HEPING, range(2020, 2025), ALL, dict(dates="excel", yesno="YN")),
    (DONGYUAN, range(2014, 2018), ALL, dict(region="short", dates="dot")),
    (GAOXIN, [2016, 2018, 2020, 2022, 2024], ALL, dict(guide_sheet=True, region="alias")),
    (JIANGDONG, range(2019, 2025), ALL, dict(titles=1, total="合计")),
]
# (region, form): years, encoding, changes: forms a sender sends as CSV instead of in its workbook.
CSV_HABITS = {
    (HEPING, "F2"): (YEARS, "gbk", dict(numbers="comma", modes_sep="，", yesno="YN", dates="cn")),
    (LIANPING, "F4"): (range(2016, 2025), "utf-8-sig", dict(dates="slash", blank_tail=2)),
    (DONGYUAN, "F1"): (range(2020, 2025), "utf-8", dict(region="name", numbers="comma", blank_tail=2)),
    (LONGCHUAN, "F5"): (range(2019, 2023), "gbk", dict(titles=1, unit_row=False, dates="slash")),
}
CSV_QUIRKS = {  # (region, form, year): changes on top of the CSV habit
    (HEPING, "F2", 2015): dict(numbers="fullwidth"),
    (HEPING, "F2", 2020): dict(numbers="fullwidth", titles=0),
    (LIANPING, "F4", 2017): dict(dates="dot"),
    (LIANPING, "F4", 2018): dict(numbers="fullwidth"),
    (LIANPING, "F4", 2021): dict(numbers="fullwidth", dates="dot"),
    (LIANPING, "F4", 2023): dict(dates="iso"),
    (LONGCHUAN, "F5", 2021): dict(dates="cn"),
}
BUREAU_FILES = {  # name, years covered, kind, encoding, style changes
    2018: ("市统计局2016-2018年全市电子商务统计表", [2016, 2017, 2018], "xlsx", "", dict(region="name")),
    2019: ("市统计局2019年全市电子商务统计表", [2019], "csv", "gbk", dict(region="alias", titles=1)),
    2020: ("市统计局2020年全市社会消费品零售总额和网络零售额", [2020], "xlsx", "", dict(region="code")),
    2021: ("市统计局2021年全市电子商务统计表", [2021], "xlsx", "", dict(money="亿元")),
    2022: ("市统计局2022年全市电子商务统计表", [2022], "csv", "utf-8-sig", dict(numbers="comma", titles=0)),
    2023: ("市统计局2023年全市电子商务统计表", [2023], "xlsx", "", dict(annual="cn")),
    2024: ("市统计局2024年全市电子商务统计表", [2024], "xlsx", "", dict(sub="ytd", numbers="format")),
}
WORKBOOK_NAMES = {
    YUANCHENG: "{y}年源城区电子商务报表", ZIJIN: "紫金县{y}年电子商务统计报表",
    LONGCHUAN: "{y}年龙川县电子商务报表", LIANPING: "连平县{y}年度电商工作报表",
    HEPING: "和平县电子商务报表（{y}年）", DONGYUAN: "{y}年东源县电子商务发展情况报表",
    GAOXIN: "市高新区{y}年电子商务报表", JIANGDONG: "江东新区{y}年电商报表",
}
CSV_NAMES = {"F1": "{r}{y}年电子商务统计表", "F2": "{r}{y}年电商企业名录", "F4": "{r}{y}年电商培训台账",
             "F5": "{r}{y}年品牌企业触网情况表"}
TITLES = {
    "F1": "{r}电子商务发展情况统计表（{y}年）", "F2": "{r}{y}年电子商务企业名录",
    "F3": "{r}电商孵化基地和产业园情况表（{y}年）", "F4": "{r}{y}年电商培训台账",
    "F5": "{r}{y}年本地知名品牌企业触网情况表", "F6": "{r}{y}年农村电商与示范认定情况表",
    "F7": "{r}{y}年政策资金兑现表",
}
UNIT_ROWS = {"F1": "单位：{money}", "F2": "金额单位：万元", "F3": "面积单位：㎡", "F4": "单位：人次、万元",
             "F5": "", "F6": "", "F7": "金额单位：万元", "F8": ""}
SIGNERS = ["陈某某", "刘某某", "黄某某", "李某某", "张某某", "钟某某"]


def style_for(region: str, year: int, form: str, csv_changes: dict | None = None) -> Style:
    style = HABITS[region]
    for r, years, forms, changes in QUIRKS:
        if r == region and year in years and form in forms:
            style = dataclasses.replace(style, **changes)
    if csv_changes is not None:
        style = dataclasses.replace(style, guide_sheet=False, **csv_changes)
        style = dataclasses.replace(style, **CSV_QUIRKS.get((region, form, year), {}))
        if style.dates == "excel":
            style = dataclasses.replace(style, dates="iso")
        if style.numbers == "format":  # a formatted number exported to CSV is text with separators
            style = dataclasses.replace(style, numbers="comma")
    return style


# ----------------------------------------------------------------------------------------------
# F7 政策资金兑现表: what was applied for, approved and paid for the sample's own entitlements
# ----------------------------------------------------------------------------------------------

F7_PAY_YEARS = range(2016, 2025)  # 四(二): the money of a year pays the previous year's entitlements (2015–2023)
F7_SHARES = {"not_applied": .10, "late": .12, "cut": .12}  # never applied · paid two years on · approved at 80%
PROVINCIAL = {"三(三)6"}  # cross-border awards paid out of provincial money (省级): not the city's commitment
COUNTY_MATCH = {"三(三)4": 3.0, "三(二)1": .5}  # the counties' own 配套: 3万 a village, half the city's rent subsidy
TRAINING_RATE = .12  # 万元 a government-purchased trainee, on top of 三(五)1's 30%: the training fund, paid that year
CENTRE = "示例河源市电子商务公共服务中心"
CENTRE_PAID = {2020: 20.0}  # 三(二)2: 30万 a year from 2016 (approved every year), only 20万 paid in 2020
DOUBLE_PAID = ("三(一)3", 2017)  # the first such entitlement: paid by the city (as 全市) and again by its county
UNENTITLED = ("三(一)4", 2018)  # an 其他电商企业 (not a 小微电商企业) gets the 小微 award of 2万 all the same (paid 2019)
CITY_F7_STYLE = Style(titles=1, unit_row=True)


def typed_frame(form: str, rows: list[dict]):
    """The rows of a form as the warehouse types them (etl/warehouse.py SQL_TYPES), multichoice joined with 、."""
    import polars as pl

    kinds = {"money": pl.Float64, "area": pl.Float64, "integer": pl.Int64, "year": pl.Int64, "date": pl.Date,
             "yesno": pl.Boolean}
    data = {}
    for c in FORMS[form]["columns"]:
        values = [r.get(c["field"]) for r in rows]
        if c["type"] == "multichoice":
            values = ["、".join(v) if v else None for v in values]
        data[c["field"]] = pl.Series(c["field"], values, dtype=kinds.get(c["type"], pl.String))
    return pl.DataFrame(data)


def subsidy_estimates(ds: Dataset) -> list[dict]:
    """The sample's entitlements worked out by the monitor's own rules (etl/sql/40_subsidies.sql, run on the rows
    written here): the F7 payments follow from them, as a county's would from what it reported."""
    import duckdb
    import polars as pl

    con = duckdb.connect()
    try:
        regions = pl.DataFrame({"region_code": list(REGIONS),
                                "in_city_sum": [r["in_city_sum"].lower() == "true" for r in REGIONS.values()]})
        con.register("regions_frame", regions)
        con.execute("CREATE TABLE regions AS SELECT * FROM regions_frame")
        con.execute("CREATE TABLE subsidies AS SELECT * FROM read_csv(?, header = true, all_varchar = true)",
                    [str(CATALOG / "subsidies.csv")])
        for form in ("F2", "F3", "F4", "F6"):
            frame = typed_frame(form, ds.rows[form])
            if form == "F4":
                frame = frame.with_columns(pl.col("end_date").dt.year().cast(pl.Int64).alias("year"))
            con.register("form_frame", frame)
            con.execute(f"CREATE TABLE current_{form.lower()} AS SELECT * FROM form_frame")
            con.unregister("form_frame")
        con.execute((ROOT / "etl" / "sql" / "40_subsidies.sql").read_text(encoding="utf-8"))
        cols = ["rule_id", "clause", "year", "region_code", "entity_key", "entity_name", "amount_wan"]
        rows = con.sql(f"SELECT {', '.join(cols)} FROM subsidy_estimates ORDER BY year, rule_id, region_code, entity_key")
        return [dict(zip(cols, r, strict=True)) for r in rows.fetchall()]
    finally:
        con.close()


def entitlements(ds: Dataset) -> dict[tuple[str, str, int], dict]:
    """(entity, clause, year) → region, name, 统一社会信用代码 and the estimated amount (rules of a clause added). A
    place that is an enterprise (a cross-border platform opened, F6) is that enterprise (its 统一社会信用代码)."""
    enterprise = {f"{e.region}|{e.name}": e.uscc for e in ds.enterprises}
    out: dict[tuple[str, str, int], dict] = {}
    for e in ds.estimates:
        uscc = e["entity_key"] if "|" not in e["entity_key"] else enterprise.get(e["entity_key"])
        key = (uscc or e["entity_key"], e["clause"], e["year"])
        hit = out.setdefault(key, {"region": e["region_code"], "name": e["entity_name"], "uscc": uscc, "amount": 0.0})
        hit["amount"] += e["amount_wan"]
    return out


def f7_row(year: int, name: str, uscc: str | None, clause: str, applied: float, approved: float, paid: float | None,
           paid_date: date | None, source: str, region: str | None) -> dict:
    return {"year": year, "name": name, "uscc": uscc, "clause": clause, "applied": applied, "approved": approved,
            "paid": paid, "paid_date": paid_date, "source": source, "region": region}


def build_f7(ds: Dataset) -> None:
    """Payments 2016–2024 for the entitlements 2015–2023 (most paid the next year, some two years on, some never
    applied for), the counties' own 配套, the training fund paid in the year of the classes, the centre's 30万, one
    award paid twice and one paid with no entitlement in the reported data."""
    ds.estimates = subsidy_estimates(ds)
    owed = entitlements(ds)

    def send(sender: str, year: int, row: dict) -> None:
        ds.sent_f7.setdefault((sender, year), []).append(row)

    double = next(k for k in owed if (k[1], k[2]) == DOUBLE_PAID)
    for key, e in owed.items():
        entity, clause, year = key
        if clause == "三(五)1" or year + 1 not in F7_PAY_YEARS:
            continue
        rng = random.Random(f"{SEED}-f7-{entity}-{clause}-{year}")
        roll = rng.random()
        if roll < F7_SHARES["not_applied"] and key != double:
            continue
        late = roll < F7_SHARES["not_applied"] + F7_SHARES["late"] and key != double
        applied = round(e["amount"], 1)
        approved = round(applied * .8, 1) if rng.random() < F7_SHARES["cut"] else applied
        source = "省级" if clause in PROVINCIAL else "市本级"
        row = f7_row(year, e["name"], e["uscc"], clause, applied, approved, None, None, source,
                     None if key == double else e["region"])
        paid_in = year + 2 if late else year + 1
        if late:
            send(CITY, year + 1, row)  # approved, not yet paid
        if paid_in in F7_PAY_YEARS:
            send(CITY, paid_in, {**row, "paid": approved, "paid_date": rand_date(rng, paid_in, (3, 11))})
        if key == double:  # the county pays the same award again, out of the 市本级 money it holds
            send(e["region"], year + 1, {**row, "region": e["region"], "paid": approved,
                                         "paid_date": rand_date(rng, year + 1, (3, 11))})
        if clause in COUNTY_MATCH:
            match = COUNTY_MATCH[clause] if clause == "三(三)4" else round(approved * COUNTY_MATCH[clause], 1)
            send(e["region"], year + 1, f7_row(year, e["name"], e["uscc"], clause, match, match, match,
                                               rand_date(rng, year + 1, (3, 11)), "县区", e["region"]))
    build_training_payments(ds, owed, send)
    for year in F7_PAY_YEARS:
        send(CITY, year, f7_row(year, CENTRE, None, "三(二)2", 30.0, 30.0, CENTRE_PAID.get(year, 30.0),
                                date(year, 4, 15), "市本级", None))
    clause, year = UNENTITLED
    small = next(r for r in ds.rows["F2"] if r["year"] == year and r["category"] == "其他电商企业"
                 and (r["online_sales"] or 0) >= 100 and not any(k[0] == r["uscc"] and k[1] == clause for k in owed))
    send(CITY, year + 1, f7_row(year, small["name"], small["uscc"], clause, 2.0, 2.0, 2.0, date(year + 1, 6, 18),
                                "市本级", small["region"]))
    for rows in ds.sent_f7.values():
        rows.sort(key=lambda r: (r["year"], r["clause"], int(REGIONS[r["region"] or CITY]["sort_order"]), r["name"]))
    # what stands after every file is loaded in name order (county workbooks _1_ before the city's _3_)
    final: dict[tuple, dict] = {}
    for _sent, rows in sorted(ds.sent_f7.items(), key=lambda kv: (kv[0][1], kv[0][0] == CITY)):
        for r in rows:
            final[(r["region"], r["year"], r["name"], r["clause"], r["source"])] = r
    ds.rows["F7"] = list(final.values())


def build_training_payments(ds: Dataset, owed: dict, send) -> None:
    """三(五)1: each organiser's 30% (the estimate) plus TRAINING_RATE a government-purchased trainee, paid in
    December of the year its classes ended (the training fund of 三(五)1 is spent in its own year)."""
    for (_entity, clause, year), e in owed.items():
        if clause != "三(五)1" or year > YEARS[-1]:
            continue
        trainees = sum(r["trainees"] for r in ds.rows["F4"] if r["region"] == e["region"] and r["organiser"] == e["name"]
                       and r["end_date"].year == year and r["is_government_purchased"])
        amount = round(e["amount"] + TRAINING_RATE * trainees, 1)
        send(CITY, year, f7_row(year, e["name"], None, clause, amount, amount, amount, date(year, 12, 20), "市本级",
                                e["region"]))


# ----------------------------------------------------------------------------------------------
# F8 重点任务进展表: each unit's quarterly progress on the tasks it leads (and some it cooperates on)
# ----------------------------------------------------------------------------------------------

TASKS = list(csv.DictReader((CATALOG / "tasks.csv").read_text(encoding="utf-8").splitlines()))
F8_QUARTERS = [f"{y}Q{q}" for y in range(2016, 2025) for q in range(1, 5)]
F8_SPANS = [("2016Q1", "2019Q4")] + [(q, q) for q in F8_QUARTERS if q >= "2020"]  # a back-filled file, then quarterly
DONE = {  # task: (quarter, the evidence named) — closed (销号): nothing more reported on it
    "三(五)4": ("2016Q2", "已印发《示例河源市电子商务专家咨询小组组建方案》，聘请专家8名，专家费在培训经费中列支"),
    "三(三)6": ("2017Q4", "2015—2017年累计开通跨境电商平台3家，达到“培育2—3家”的要求；验收意见见示例河商务函〔2018〕3号"),
}
LAGGING = ("三(四)1", ("2024Q3", "2024Q4"), "电商信用信息平台与省平台对接未完成，技术方案未获确认")
STUCK = ("三(二)3", ("2024Q3", "2024Q4"), "推动整合现有电子商务行业协会资源，协会换届筹备中")
NOT_STARTED = {"三(四)3": ("2016Q1", "2016Q2")}
MISSING = {("三(五)3", "市人力资源社会保障局", "2024Q4"), ("三(一)5", "市金融局", "2019Q3"),
           ("三(三)4", "市商务局", "2018Q2"), ("三(三)4", "市农业局", "2023Q2")}
LATE_START = {("三(三)2", "市科技局"): "2018Q1"}  # a co-lead unit that began reporting two years late
COOPERATING_REPORTS = {"团市委": ("三(三)3", "三(五)1"), "市农业局": ("三(三)3", "三(三)4")}  # from 2021
COOPERATING_FROM = "2021Q1"
ACTIONS = ["召开专题推进会", "印发年度工作方案", "对接重点企业{n}家", "开展政策宣传{n}场", "督促各县区落实责任",
           "组织实地调研{n}次", "协调解决问题{n}个", "梳理项目清单{n}项"]
UNIT_HABITS = {
    "市商务局": Style(titles=1),
    "市发展改革局": Style(sub="cnq", note="sign"),
    "市金融局": Style(titles=2, sub="cnq2"),
    "市经济和信息化局": Style(sheet_names="title"),
    "市科技局": Style(titles=1, blank_tail=2),
    "市人力资源社会保障局": Style(sheet_names="alias", sub="cnq"),
    "团市委": Style(titles=1, note="sign"),
    "市农业局": Style(sub="cnq"),
}


def quarter_text(quarter: str) -> str:
    return f"{quarter[:4]}年第{CN_QUARTER[int(quarter[-1]) - 1]}季度"


def progress_row(task: dict, unit: str, quarter: str, lead: bool) -> dict:
    rng = random.Random(f"{SEED}-f8-{task['task_id']}-{unit}-{quarter}")
    a, b, c = (x.format(n=rng.randint(2, 9)) for x in rng.sample(ACTIONS, 3))
    tid, label = task["task_id"], quarter_text(quarter)
    doing = f"围绕“{task['title']}”" if lead else f"配合{task['lead_units'].split(';')[0]}推进“{task['title']}”"
    row = {"period": quarter, "task": tid, "unit": unit, "status": "推进中", "progress": f"{label}：{doing}，{a}，{b}",
           "problems": None, "next_steps": f"下季度{c}"}
    if lead and tid in DONE and quarter == DONE[tid][0]:
        row |= {"status": "已完成", "progress": DONE[tid][1], "next_steps": "申请销号"}
    elif lead and tid == LAGGING[0] and quarter in LAGGING[1]:
        row |= {"status": "滞后", "progress": f"{label}：完成平台需求调研", "problems": LAGGING[2]}
    elif lead and tid == STUCK[0] and quarter in STUCK[1]:
        row |= {"progress": STUCK[2], "next_steps": "继续推进"}
    elif lead and quarter in NOT_STARTED.get(tid, ()):
        row |= {"status": "未启动", "progress": f"{label}：正在研究制定工作方案"}
    return row


def build_f8(ds: Dataset) -> None:
    reports: dict[str, list[dict]] = {}
    for task in TASKS:
        tid = task["task_id"]
        owners = [(u, True) for u in task["lead_units"].split(";")]
        owners += [(u, False) for u, tids in COOPERATING_REPORTS.items() if tid in tids]
        for unit, lead in owners:
            for quarter in F8_QUARTERS:
                if tid in DONE and quarter > DONE[tid][0]:
                    break
                if (tid, unit, quarter) in MISSING or quarter < LATE_START.get((tid, unit), "") or (
                        not lead and quarter < COOPERATING_FROM):
                    continue
                reports.setdefault(unit, []).append(progress_row(task, unit, quarter, lead))
    order = {t["task_id"]: i for i, t in enumerate(TASKS)}
    for unit, rows in reports.items():
        for first, last in F8_SPANS:
            part = sorted((r for r in rows if first <= r["period"] <= last),
                          key=lambda r: (r["period"], order[r["task"]]))
            if part:
                ds.sent_f8[(unit, f"{first}-{last}")] = part
                ds.rows["F8"] += part


# ----------------------------------------------------------------------------------------------
# The files: which rows go where
# ----------------------------------------------------------------------------------------------


@dataclass
class Sheet:
    form: str
    rows: list[dict]
    style: Style
    title: str  # what the sender writes in the title rows
    sender: str  # region code of the sender
    zero: bool = False  # a 零报告: the header with 报送方式：零报告, 填报县区 and 报送年度 above it, no rows


@dataclass
class OutFile:
    name: str
    sheets: list[Sheet]
    encoding: str = ""  # CSV only
    year: int = 0
    sent: date | None = None  # 报送日期 (sent_on)

    @property
    def is_csv(self) -> bool:
        return self.name.endswith(".csv")


def plan_files(ds: Dataset) -> list[OutFile]:
    # a ledger form is owed by every county and zone every year from the first year anyone reported it (the
    # reporting calendar, etl/sql/50_calendar.sql): with nothing to report, a region sends a 零报告
    owed = {form: min(row_year(form, r) for r in ds.rows[form]) for form in ALL if FORMS[form]["mode"] == "ledger"}
    files = []
    for year in YEARS:
        for region in COUNTIES + ZONES:
            files += sender_files(ds, region, year, owed)
        if year in BUREAU_FILES:
            files.append(bureau_file(ds, year))
        if (CITY, year) in ds.sent_f7:
            files.append(payment_file(ds, year))
    files += [correction_file(ds, region, year) for region, year in CORRECTIONS]
    files += progress_files(ds)
    for f in files:
        f.sent = sent_on(f)
        for sheet in f.sheets:
            if sheet.style.money == "亿元":
                quantize(sheet.rows)
    return sorted(files, key=lambda f: f.name)


def sender_files(ds: Dataset, region: str, year: int, owed: dict[str, int]) -> list[OutFile]:
    """A county's (zone's) files of a year: its workbook, with a 零报告 sheet for each ledger form owed and empty
    (but those of NOT_SENT), and the forms it sends as CSV."""
    name = REGIONS[region]["name"]
    workbook = OutFile(f"{year}_1_{WORKBOOK_NAMES[region].format(y=year)}.xlsx", [], year=year)
    out = []
    for form in ALL:
        rows = sent_f1(ds, region, year) if form == "F1" else ds.select(form, region, year)
        title = TITLES[form].format(r=name if form != "F1" or year % 2 else "河源市", y=year)
        if not rows:
            if owed.get(form, year + 1) <= year and (region, form, year) not in NOT_SENT:
                workbook.sheets.append(Sheet(form, [], style_for(region, year, form), title, region, zero=True))
            continue
        years, encoding, changes = CSV_HABITS.get((region, form), ((), "", {}))
        if year in years:
            csv_name = CSV_NAMES[form].format(r=name, y=year)
            sheet = Sheet(form, rows, style_for(region, year, form, changes), title, region)
            out.append(OutFile(f"{year}_1_{csv_name}.csv", [sheet], encoding, year))
        else:
            workbook.sheets.append(Sheet(form, rows, style_for(region, year, form), title, region))
    if rows := ds.sent_f7.get((region, year)):  # the county's payments made this year
        workbook.sheets.append(Sheet("F7", rows, style_for(region, year, "F7"), TITLES["F7"].format(r=name, y=year), region))
    return [workbook] + out if workbook.sheets else out


def payment_file(ds: Dataset, year: int) -> OutFile:
    """The 市商务局's list of what the city (市本级, and the 省级 money it passes on) approved and paid this year."""
    sheet = Sheet("F7", ds.sent_f7[(CITY, year)], CITY_F7_STYLE, f"河源市{year}年电子商务扶持政策资金兑现表", CITY)
    return OutFile(f"{year}_3_市商务局{year}年政策资金兑现表.xlsx", [sheet], year=year)


def progress_files(ds: Dataset) -> list[OutFile]:
    """The files a unit sends: one back-filled for 2016—2019, then one a quarter."""
    out = []
    for (unit, span), rows in ds.sent_f8.items():
        first, last = span.split("-")
        label = f"{first[:4]}—{last[:4]}年" if first != last else quarter_text(last)
        sheet = Sheet("F8", rows, UNIT_HABITS.get(unit, Style()), f"{unit}{label}重点任务进展情况", unit)
        out.append(OutFile(f"{last[:4]}_4_{unit}{label}重点任务进展表.xlsx", [sheet], year=int(last[:4])))
    return out


def bureau_file(ds: Dataset, year: int) -> OutFile:
    name, years, kind, encoding, changes = BUREAU_FILES[year]
    rows = [r for y in years for r in sent_f1(ds, CITY, y)]
    style = dataclasses.replace(HABITS[CITY], **changes)
    span = f"{years[0]}-{years[-1]}" if len(years) > 1 else str(year)
    sheet = Sheet("F1", rows, style, f"河源市电子商务发展情况统计表（{span}年）", CITY)
    return OutFile(f"{year}_2_{name}.{kind}", [sheet], encoding, year)


def correction_file(ds: Dataset, region: str, year: int) -> OutFile:
    style = dataclasses.replace(style_for(region, year, "F1"), note="correction")
    title = TITLES["F1"].format(r=REGIONS[region]["name"], y=year) + "（更正）"
    sheet = Sheet("F1", ds.select("F1", region, year), style, title, region)
    return OutFile(f"{year}_9_{CORRECTION_NAMES[region].format(y=year)}（更正）.xlsx", [sheet], year=year)


# ----------------------------------------------------------------------------------------------
# When each file was sent (报送日期): manifest/报送日期.csv, for `python -m etl load --dates` (the calendar judges them)
# ----------------------------------------------------------------------------------------------

LATE_SENDERS = {2015: HEPING, 2018: LONGCHUAN, 2020: JIANGDONG, 2022: LIANPING, 2023: ZIJIN}  # sent April–June
F8_LATE_SHARE = .125  # of the quarterly progress reports: sent 16–30 days after the quarter (due 15 days after it)
F8_BACKFILL_SENT = date(2020, 3, 9)  # the back-filled 2016—2019 progress reports: sent over the next fortnight
CORRECTIONS_SENT = {(LONGCHUAN, 2019): date(2020, 5, 18), (CITY, 2020): date(2025, 7, 16)}
MANIFEST = Path("manifest") / "报送日期.csv"  # a subfolder: data/sample/*.csv globs do not take it for a form


def sent_on(f: OutFile) -> date:
    """报送日期 of a file, by the ``<year>_<n>_`` of its name: 1 a county's (zone's) files of the year, all sent on
    one day from 1月29日 to the due date (90 days after the year: 3月31日, 3月30日 in a leap year), those of LATE_SENDERS in
    April–June; 2 the 市统计局's city figures in May–June (owed by no county); 3 the 市商务局's payments in January
    after the year's last payment; 4 a quarter's progress report 5–15 days after the quarter (F8_LATE_SHARE 16–30
    days); 9 a correction (更正) on its day."""
    kind, sender = f.name.split("_")[1], f.sheets[0].sender
    if kind == "9":
        return CORRECTIONS_SENT[(sender, f.year)]
    rng = random.Random(f"{SEED}-sent-{sender}-{f.year}" if kind == "1" else f"{SEED}-sent-{f.name}")
    if kind == "1":
        if LATE_SENDERS.get(f.year) == sender:
            return date(f.year + 1, 4, 8) + timedelta(days=rng.randint(0, 80))
        first, due = date(f.year + 1, 1, 29), date(f.year, 12, 31) + timedelta(days=FORMS["F1"]["calendar"]["due_days"])
        return first + timedelta(days=rng.randint(0, (due - first).days))  # due: 3月31日 (3月30日 in a leap year)
    if kind == "2":
        return date(f.year + 1, 5, 10) + timedelta(days=rng.randint(0, 50))
    if kind == "3":
        return date(f.year + 1, 1, 6) + timedelta(days=rng.randint(0, 30))
    last = max(r["period"] for r in f.sheets[0].rows)
    if last < "2020":
        return F8_BACKFILL_SENT + timedelta(days=rng.randint(0, 14))
    year, q = int(last[:4]), int(last[-1])
    quarter_end = date(year + q // 4, q * 3 % 12 + 1, 1) - timedelta(days=1)
    return quarter_end + timedelta(days=rng.randint(16, 30) if rng.random() < F8_LATE_SHARE else rng.randint(5, 15))


def load_batches(folder: Path) -> list[list[Path]]:
    """The sample files in the order to load them: one load of every report (in byte order of the names), then,
    after it is published, each correction ``<year>_9_…`` in a load of its own (each was sent on its own day): the
    市统计局's corrected 2020 figure changes a target value already published, and 总览 marks it 已更正, naming that
    file's receipt. dashboard/serve.sh (``python -m etl.sample load``) and the tests' sample warehouse
    (dashboard/bench_pages.py) load these."""
    files = sorted(p for p in Path(folder).iterdir() if p.suffix in (".xlsx", ".csv"))
    corrections = [p for p in files if p.name.split("_")[1] == "9"]
    return [[p for p in files if p not in corrections]] + [[p] for p in corrections]


def manifest_dates(folder: Path) -> dict[str, str]:
    """File name → 报送日期 (YYYY-MM-DD), as written in ``folder``/manifest/报送日期.csv."""
    with (Path(folder) / MANIFEST).open(encoding="utf-8-sig", newline="") as f:
        return {row["文件"]: row["报送日期"] for row in csv.DictReader(f)}


def quantize(rows: list[dict]) -> None:
    """Amounts written in 亿元 with two decimals: the data are what is written (100 万元 steps)."""
    for row in rows:
        for key in ("retail_total", "online_retail", "rural_online_retail"):
            if row.get(key) is not None:
                row[key] = round(row[key] / 100) * 100.0


# ----------------------------------------------------------------------------------------------
# Rendering a sheet into a grid of cells, then into xlsx or CSV
# ----------------------------------------------------------------------------------------------

MONEY_FACTOR = {"万元": 1, "亿元": 1e-4, "元": 1e4}
MONEY_DECIMALS = {"万元": 1, "亿元": 2, "元": 0}
FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
CN_QUARTER = "一二三四"


@dataclass
class Grid:
    rows: list[list] = field(default_factory=list)
    merged: list[int] = field(default_factory=list)  # rows written as one merged cell
    header: int = 0
    width: int = 0
    numeric: list[int] = field(default_factory=list)  # columns with numbers
    decimals: dict[int, int] = field(default_factory=dict)


def columns(form: str, style: Style) -> list[dict]:
    return [c for c in FORMS[form]["columns"] if c["field"] not in style.omit]


def header_text(col: dict, style: Style) -> str:
    name = dict(style.headers).get(col["field"], col["name"])
    unit = style.money if col["type"] == "money" and col["field"] in F1_MONEY else col.get("unit")
    return f"{name}（{unit}）" if unit else name


F1_MONEY = ("retail_total", "online_retail", "rural_online_retail")


def show_number(value: float, decimals: int, style: Style, integral: bool = False):
    if style.numbers in ("plain", "format"):
        return int(round(value)) if integral or decimals == 0 else round(value, decimals)
    text = f"{value:,.0f}" if integral or decimals == 0 else f"{value:,.{decimals}f}"
    return text if style.numbers == "comma" else text.replace(",", "").translate(FULLWIDTH)


def show_period(period: str, style: Style):
    """'2018' → 2018 or 2018年; '2018Q3' → 2018Q3, 2018年第三季度 or 2018年3季度; '2018-09' → 2018-09 or 2018年1-9月."""
    year = period[:4]
    if len(period) == 4:
        return int(year) if style.annual == "plain" else f"{year}年"
    if "Q" in period:
        q = int(period[-1])
        return {"q": period, "cnq2": f"{year}年{q}季度"}.get(style.sub, f"{year}年第{CN_QUARTER[q - 1]}季度")
    return period if style.sub == "month" else f"{year}年1-{int(period[5:])}月"


ALIAS = {CITY: "河源市", GAOXIN: "河源高新区", JIANGDONG: "河源江东新区"}  # other names people write


def show_region(code: str, style: Style, i: int):
    if style.region == "code":
        return int(code)
    if code == CITY:
        return ALIAS[CITY] if style.region == "alias" else "全市"
    text = {"name": REGIONS[code]["name"], "short": short(code),
            "alias": ALIAS.get(code, REGIONS[code]["name"])}[style.region]
    return spaced(text, style, i)


def spaced(text: str, style: Style, i: int) -> str:
    if not style.fw_space:
        return text
    return ("\u3000" + text) if i % 3 == 0 else (text + "\u3000" if i % 3 == 1 else text)


def show_date(d: date, style: Style):
    return {"excel": d, "iso": f"{d:%Y-%m-%d}", "slash": f"{d.year}/{d.month}/{d.day}",
            "dot": f"{d.year}.{d.month}.{d.day}", "cn": f"{d.year}年{d.month}月{d.day}日"}[style.dates]


def show_cell(col: dict, value, style: Style, i: int):
    kind = col["type"]
    if value is None or value == []:
        return None
    if kind == "region":
        return show_region(value, style, i)
    if kind == "period":
        return show_period(value, style)
    if kind == "year":
        return str(value).translate(FULLWIDTH) if style.numbers == "fullwidth" else value
    if kind == "money":
        unit = style.money if col["field"] in F1_MONEY else "万元"
        return show_number(value * MONEY_FACTOR[unit], MONEY_DECIMALS[unit], style)
    if kind in ("area", "integer"):
        return show_number(value, 0, style, integral=True)
    if kind == "date":
        return show_date(value, style)
    if kind == "yesno":
        return ("是" if value else "否") if style.yesno == "是否" else ("Y" if value else "N")
    if kind == "multichoice":
        return style.modes_sep.join(value)
    if col["field"] in ("name", "organiser"):
        return spaced(value, style, i + 1)
    return value


def total_row(cols: list[dict], sheet: Sheet) -> list:
    row: list = [sheet.style.total] + [None] * (len(cols) - 1)
    for j, col in enumerate(cols):
        if col["type"] in ("money", "area", "integer"):
            values = [r[col["field"]] for r in sheet.rows if r[col["field"]] is not None]
            total = sum(values) + (sheet.style.total_off if col["field"] == "trainees" else 0)
            row[j] = show_cell(col, round(total, 1), sheet.style, 0) if values else None
    return row


def note_text(sheet: Sheet, year: int, sent: date) -> str:
    style, rng = sheet.style, random.Random(f"{SEED}-{sheet.sender}-{year}-{sheet.form}")
    if style.note == "sign":
        a, b = rng.sample(SIGNERS, 2)
        signed = sent - timedelta(days=rng.randint(0, 3))
        return f"填表人：{a}    审核人：{b}    填报日期：{signed.year}年{signed.month}月{signed.day}日"
    if style.note == "guide":
        return "填报说明：1.金额单位为万元，面积单位为平方米；2.季度、月度数据填年初至期末累计数；3.是否类填“是”或“否”。"
    if style.note == "correction":
        return f"更正说明：经核实，{year}年网络零售额等数据有误，以本表为准，原报数据作废。"
    return ""


def render(sheet: Sheet, year: int, sent: date) -> Grid:
    style, cols = sheet.style, columns(sheet.form, sheet.style)
    grid = Grid(width=len(cols))
    sender = f"{REGIONS[sheet.sender]['name']}商务局" if sheet.sender in REGIONS else sheet.sender  # a unit: itself
    titles = [sheet.title, f"填报单位：{sender}（盖章）"][: style.titles]
    if sheet.sender == CITY and style.titles > 1:
        titles[1] = "填报单位：河源市统计局"
    for text in titles:
        grid.merged.append(len(grid.rows))
        grid.rows.append([text])
    unit = UNIT_ROWS[sheet.form].format(money=style.money)
    if style.unit_row and unit:
        grid.merged.append(len(grid.rows))
        grid.rows.append([unit])
    if sheet.zero:  # the lines of the blank template (etl/templates.py) above the header
        grid.rows.append(["报送方式：", "零报告", "填报县区：", REGIONS[sheet.sender]["name"], "报送年度：", str(year)])
    grid.header = len(grid.rows)
    grid.rows.append([header_text(c, style) for c in cols])
    for i, row in enumerate(sheet.rows):
        grid.rows.append([show_cell(c, row.get(c["field"]), style, i) for c in cols])
    if style.total and sheet.form in ("F2", "F3", "F4") and len(sheet.rows) > 1:
        grid.rows.append(total_row(cols, sheet))
    if note := note_text(sheet, year, sent):
        grid.rows.append([])
        grid.merged.append(len(grid.rows))
        grid.rows.append([note])
    grid.rows += [[] for _ in range(style.blank_tail)]
    grid.numeric = [j for j, c in enumerate(cols) if c["type"] in ("money", "area", "integer")]
    grid.decimals = {j: (0 if c["type"] != "money" else MONEY_DECIMALS[style.money if c["field"] in F1_MONEY
                                                                       else "万元"]) for j, c in enumerate(cols)}
    return grid


def sheet_name(sheet: Sheet) -> str:
    spec = FORMS[sheet.form]
    return {"F": sheet.form + spec["title"], "title": spec["title"],
            "alias": spec["sheet_aliases"][1]}[sheet.style.sheet_names]


def guide_rows(forms: list[str]) -> list[list[str]]:
    rows = [["填报说明"], ["本工作簿各表按市商务局下发的模板填报；金额单位以表头为准，季度、月度数据填年初至期末累计数。"]]
    for form in forms:
        spec = FORMS[form]
        rows.append([f"{form} {spec['title']}：{spec['grain']}"])
        rows += [[f"    {c['name']}：{c['help']}"] for c in spec["columns"]]
    return rows


def write_xlsx(path: Path, f: OutFile) -> None:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties({"created": datetime(f.sent.year, f.sent.month, f.sent.day, 9, 30), "author": "", "company": ""})
    fmt = {
        "title": wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}),
        "plain": wb.add_format({"align": "left"}),
        "header": wb.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center",
                                 "valign": "vcenter", "bg_color": "#DDEBF7"}),
        "cell": wb.add_format({"border": 1}),
        "date": wb.add_format({"border": 1, "num_format": "yyyy-mm-dd"}),
        "cndate": wb.add_format({"border": 1, "num_format": 'yyyy"年"m"月"d"日"'}),
        0: wb.add_format({"border": 1, "num_format": "#,##0"}),
        1: wb.add_format({"border": 1, "num_format": "#,##0.0"}),
        2: wb.add_format({"border": 1, "num_format": "#,##0.00"}),
    }
    for sheet in f.sheets:
        ws = wb.add_worksheet(sheet_name(sheet))
        write_grid(ws, render(sheet, f.year, f.sent), sheet.style, fmt)
    if any(s.style.guide_sheet for s in f.sheets):
        ws = wb.add_worksheet("填报说明")
        ws.set_column(0, 0, 100)
        for i, row in enumerate(guide_rows([s.form for s in f.sheets])):
            ws.write_string(i, 0, row[0], fmt["title"] if i == 0 else fmt["plain"])
    wb.close()
    path.write_bytes(buffer.getvalue())


def write_grid(ws, grid: Grid, style: Style, fmt: dict) -> None:
    ws.set_column(0, grid.width - 1, 16)
    for i, row in enumerate(grid.rows):
        if i in grid.merged:
            f = fmt["title"] if i < grid.header and not row[0].startswith(("单位", "金额", "面积", "填报单位")) \
                else fmt["plain"]
            if grid.width > 1:
                ws.merge_range(i, 0, i, grid.width - 1, row[0], f)
            else:
                ws.write_string(i, 0, row[0], f)
            continue
        if not row and i > grid.header:  # an empty row keeps its borders
            for j in range(grid.width):
                ws.write_blank(i, j, None, fmt["cell"])
        for j, value in enumerate(row):
            write_cell(ws, i, j, value, grid, style, fmt, i == grid.header)


def write_cell(ws, i: int, j: int, value, grid: Grid, style: Style, fmt: dict, is_header: bool) -> None:
    if is_header:
        ws.write_string(i, j, value, fmt["header"])
    elif value is None:
        ws.write_blank(i, j, None, fmt["cell"])
    elif isinstance(value, date):
        ws.write_datetime(i, j, datetime(value.year, value.month, value.day),
                          fmt["cndate"] if style.dates == "cn" else fmt["date"])
    elif isinstance(value, (int, float)):
        number_format = fmt[grid.decimals[j]] if style.numbers == "format" and j in grid.numeric else fmt["cell"]
        ws.write_number(i, j, value, number_format)
    else:
        ws.write_string(i, j, value, fmt["cell"])


def csv_text(value, decimals: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{decimals}f}" if decimals else str(int(value))
    return str(value)


def write_csv(path: Path, f: OutFile) -> None:
    sheet = f.sheets[0]
    grid = render(sheet, f.year, f.sent)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in grid.rows:
        cells = [csv_text(v, grid.decimals.get(j, 1)) for j, v in enumerate(row)]
        writer.writerow(cells + [""] * (grid.width - len(cells)))
    path.write_bytes(buffer.getvalue().encode(f.encoding))


# ----------------------------------------------------------------------------------------------
# What the files say at city level (EXPECTED_CITY), computed from rows
# ----------------------------------------------------------------------------------------------


def city_indicators(tables: dict[str, list[dict]]) -> dict[str, dict[int, float]]:
    """City values per indicator and year from the (superseded, final) rows of F1–F6."""
    out: dict[str, dict[int, float]] = {}

    def distinct(form, key, keep) -> dict[int, int]:
        seen: dict[int, set] = {y: set() for y in YEARS}
        for r in tables[form]:
            if keep(r):  # an enterprise is its uscc; a place is (所在县区, 名称)
                seen[r["year"]].add((r["region"], r["name"]) if key == "place" else r[key])
        return {y: len(s) for y, s in seen.items()}

    out["platform_enterprises"] = distinct(
        "F2", "uscc", lambda r: r["category"] == "平台型电商企业" and r["is_recognised_platform"])
    out["incubation_bases"] = distinct("F3", "place", lambda r: r["category"] == "孵化基地")
    out["concentrated_incubation_bases"] = distinct(
        "F3", "place", lambda r: r["category"] == "孵化基地" and r["is_concentrated"])
    stages = {y: [STAGES.index(r["stage"]) for r in tables["F3"] if r["year"] == y
                  and r["category"] == "聚集发展园区"] for y in YEARS}
    out["cluster_park_stage"] = {y: max(s) for y, s in stages.items() if s}
    out["trainees"] = {y: sum(r["trainees"] for r in tables["F4"] if r["end_date"].year == y) for y in YEARS}
    running, out["trainees_cumulative"] = 0, {}
    for y in YEARS[1:]:
        running += out["trainees"][y]
        out["trainees_cumulative"][y] = running
    opened = [(r["year"], r["region"], r["name"]) for r in tables["F6"] if r["category"] == "跨境电商平台开通"]
    out["cross_border_platforms_cumulative"] = {
        y: len({(reg, n) for year, reg, n in opened if 2015 <= year <= y}) for y in YEARS[1:]}
    out["brand_enterprises"] = distinct("F5", "uscc", lambda r: True)
    out["brand_enterprises_online"] = distinct("F5", "uscc", lambda r: r["is_online"])
    out["online_retail_share"] = {}
    for y in YEARS:
        annual = [r for r in tables["F1"] if r["period"] == str(y)]
        city = [r for r in annual if r["region"] == CITY] or [r for r in annual if r["region"] in COUNTIES]
        online, total = (sum(r[k] for r in city) for k in ("online_retail", "retail_total"))
        out["online_retail_share"][y] = round(online / total * 100, 1)
    return out


def expected_city() -> dict[str, dict[int, float]]:
    ds = build_dataset()
    plan_files(ds)  # amounts written in 亿元 are rounded to what is written
    return city_indicators(ds.rows)


def expected_funds() -> dict:
    """What the F7 files say, from the rows written (independent of the ETL): paid per year of payment and source,
    the decision paid twice, the payment with no entitlement, and the entitlements never applied for."""
    ds = build_dataset()
    paid: dict[tuple[int, str], float] = {}
    for r in ds.rows["F7"]:
        if r["paid"]:
            key = (r["paid_date"].year, r["source"])
            paid[key] = round(paid.get(key, 0.0) + r["paid"], 4)
    owed = entitlements(ds)
    names = {(r["uscc"] or f"{r['region']}|{r['name']}", r["clause"], r["year"]) for r in ds.rows["F7"]}
    double = next(k for k in owed if (k[1], k[2]) == DOUBLE_PAID)
    small = next(r for r in ds.rows["F7"] if (r["clause"], r["year"]) == UNENTITLED and r["name"] not in
                 {e["name"] for k, e in owed.items() if k[1] == UNENTITLED[0]})
    return {
        "paid": paid,
        "over_paid": [(double[2], double[1], owed[double]["name"])],
        "unentitled": [(small["year"], small["clause"], small["name"])],
        "not_applied": sorted((k[2], k[1], e["name"]) for k, e in owed.items() if k not in names),
    }


# 任务督办 after the 2024Q4 deadline (judged 2025-04-15): the lights the F8 story makes (the docstring)
EXPECTED_LIGHTS = {"红灯": sorted([LAGGING[0], *(t for t, _u, q in MISSING if q == "2024Q4")]), "黄灯": [STUCK[0]],
                   "灰灯": sorted(DONE)}

STORY = {
    "platform_enterprises": [0, 1, 1, 2, 3, 3, 4, 5, 5, 6, 6],
    "incubation_bases": [1, 3, 4, 5, 5, 6, 6, 7, 7, 8, 8],
    "concentrated_incubation_bases": [0, 1, 1, 1, 2, 3, 3, 4, 4, 5, 5],
    "cluster_park_stage": [0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4],
    "trainees": list(TRAINEES.values()),
    "brand_enterprises": [18, 20, 22, 25, 25, 26, 28, 28, 30, 30, 30],
    "brand_enterprises_online": list(BRANDS_ONLINE.values()),
    "online_retail_share": [17.1 if y == 2020 else v for y, v in ONLINE_SHARE.items()],  # 2020: as corrected
}
EXPECTED_CITY = expected_city()


# ----------------------------------------------------------------------------------------------
# README
# ----------------------------------------------------------------------------------------------

MESS = {  # tag: (中文, English)
    "titles": ("标题行（xlsx中合并单元格）", "title rows (merged cells in xlsx)"),
    "unit_row": ("单位行", "unit row"),
    "total": ("合计行", "total row"),
    "total_off": ("合计与明细不符（警告）", "total row disagrees with its rows (warning)"),
    "note": ("表尾说明/签字行", "note or signature row at the bottom"),
    "blank_tail": ("表尾空行", "trailing blank rows"),
    "code": ("行政区划代码代替县区名称", "GB/T 2260 codes instead of names"),
    "short": ("县区简称", "short region names"),
    "alias": ("别称（河源市、河源高新区）", "other names (河源市, 河源高新区)"),
    "fw_space": ("全角空格", "full-width spaces"),
    "fullwidth": ("全角数字", "full-width digits"),
    "comma": ("千分位文本", "thousands separators in text"),
    "format": ("千分位格式数字", "numbers formatted with thousands separators"),
    "亿元": ("金额以亿元填报", "amounts in 亿元"),
    "元": ("金额以元填报", "amounts in 元"),
    "text_dates": ("文本日期", "dates as text"),
    "YN": ("是/否写作Y/N", "是/否 written Y/N"),
    "sub": ("季度/月度累计行", "quarterly or monthly year-to-date rows"),
    "aliases": ("表头用别名", "headers written with aliases"),
    "omit": ("缺少选填列", "optional columns left out"),
    "guide": ("填报说明工作表", "填报说明 sheet"),
    "jump": ("网络零售额同比增幅超过50%（警告）", "online retail up more than 50% on the year (warning)"),
    "listed_twice": ("市高新区的知名平台企业也列入源城区名录", "a 市高新区 platform also listed by 源城区"),
    "over_new_year": ("跨年培训班", "a class running over New Year"),
    "correction": ("更正报送，替代原报数据", "corrected resubmission, supersedes the original"),
    "zero": ("零报告（本年度无数据的台账表）", "zero report (a ledger form with nothing to report this year)"),
    "gbk": ("GBK编码", "GBK encoding"),
    "utf-8-sig": ("UTF-8（带BOM）", "UTF-8 with BOM"),
    "utf-8": ("UTF-8（无BOM）", "UTF-8 without BOM"),
}


def mess_tags(f: OutFile) -> list[str]:
    tags = [f.encoding] if f.encoding else []
    for s in f.sheets:
        st = s.style
        has_dates = any(r.get(c["field"]) for c in columns(s.form, st) if c["type"] == "date" for r in s.rows)
        has_sub = s.form == "F1" and any(len(r.get("period", "2000")) > 4 for r in s.rows)
        tags += [t for t, on in [
            ("titles", st.titles > 0), ("unit_row", st.unit_row and bool(UNIT_ROWS[s.form])),
            ("total", bool(st.total) and s.form in ("F2", "F3", "F4") and len(s.rows) > 1),
            ("total_off", st.total_off != 0), ("note", st.note not in ("", "correction")),
            ("blank_tail", st.blank_tail > 0), (st.region, st.region in ("code", "short", "alias")),
            ("fw_space", st.fw_space), (st.numbers, st.numbers != "plain"),
            (st.money, st.money != "万元" and s.form == "F1"), ("text_dates", has_dates and st.dates != "excel"),
            ("YN", st.yesno == "YN" and s.form in ("F2", "F3", "F4", "F5")), ("sub", has_sub),
            ("aliases", bool(st.headers)), ("omit", bool(st.omit) and s.form == "F1"),
            ("guide", st.guide_sheet), ("correction", st.note == "correction"), ("zero", s.zero),
            ("jump", s.form == "F1" and s.sender == JUMP[0] and f.year == JUMP[1]),
            ("listed_twice", s.form == "F2" and s.sender == LISTED_TWICE[1] and f.year >= LISTED_TWICE[2]),
            ("over_new_year", s.form == "F4" and any(r["start_date"].year < r["end_date"].year for r in s.rows)),
        ] if on]
    return list(dict.fromkeys(tags))


def readme(files: list[OutFile], sizes: dict[str, int]) -> str:
    lines = [
        "# 模拟数据 · Simulated data",
        "",
        "**本目录全部为模拟数据（虚构），不是官方统计数据。** 企业、园区、基地、楼宇、村、培训班、主办单位和品牌名称",
        "均为虚构（以“示例”开头）；统一社会信用代码为随机生成，仅校验位符合 GB 32100-2015。县区名称和代码是真实的，",
        "数字不是。由 `uv run python -m etl.sample data/sample` 生成，每次运行结果逐字节相同。",
        "",
        "**Everything here is simulated (模拟数据): invented, not official statistics.** Every enterprise, park,",
        "base, building, village, training class, organiser and brand is invented (named 示例…); the USCCs are",
        "random with a valid check digit. Region names and codes are real, the numbers are not. Written by",
        "`uv run python -m etl.sample data/sample` (byte-identical on every run); the story is in its docstring.",
        "",
        "文件名以 `年份_序号_` 开头，按文件名排序即为加载顺序：1 县区和功能区，2 市统计局，3 市商务局资金兑现表，",
        "4 市直单位重点任务进展表，9 更正报送；更正报送在其余文件入库之后逐个另行加载。每个文件的报送日期见",
        "`manifest/报送日期.csv`（`python -m etl load --dates`）。`uv run python -m etl.sample load data/sample` 按此加载。",
        "File names start with `<year>_<n>_`: load them in sorted order (1 counties and zones, 2 the statistics",
        "bureau, 3 the 市商务局's payments, 4 the units' task progress, 9 corrections), each correction in a load",
        "of its own after the rest is published; `manifest/报送日期.csv` has each file's send date (`python -m etl load",
        "--dates`). `uv run python -m etl.sample load data/sample` does both. Warnings on purpose: 东源县 2019",
        "online retail jump (>50%), 龙川县 2021",
        "training ledger 合计 off by 20 人次. All files are valid.",
        "",
        "## 报送日期、零报告与更正 · Send dates, zero reports, corrections",
        "",
        "各县区、功能区每年的文件在次年1月29日至报送截止日（年度结束后90天）之间同日报送；逾期报送（4—6月）："
        + "、".join(f"{REGIONS[r]['name']}{y}年度" for y, r in sorted(LATE_SENDERS.items())) + "。",
        "台账表（F2—F6）本年度没有需要报送的内容时，在年度工作簿中加一张零报告表（表头上方写“报送方式：零报告”、填报县区和",
        "报送年度）；未报零报告（催报名单中为逾期未报）："
        + "、".join(f"{REGIONS[r]['name']}{y}年度{form}" for r, form, y in sorted(NOT_SENT, key=lambda k: (k[2], k[1]))) + "。",
        "2025年度的报表（2026年3月31日截止）没有模拟数据：过了截止日即为逾期未报。",
        "市统计局于2025-07-16更正2020年全市网络零售额（+2%）：网络零售额占比由16.8%改为"
        + f"{EXPECTED_CITY['online_retail_share'][2020]}%（仍未达标），总览上该目标值标注“已更正”。",
        "County and zone files of a year are sent together between 29 January and the due date (90 days after the",
        "year), a few late; a region with nothing to report in a ledger form sends a 零报告 sheet, three did not;",
        "the 市统计局 corrects its 2020 online retail after publication (已更正 on 总览).",
        "",
        "## 全市预期值 · Expected city values (`etl.sample.EXPECTED_CITY`)",
        "",
        "| indicator | " + " | ".join(str(y) for y in YEARS) + " |",
        "| --- |" + " --- |" * len(YEARS),
    ]
    for code, values in EXPECTED_CITY.items():
        lines.append(f"| {code} | " + " | ".join(str(values.get(y, "")) for y in YEARS) + " |")
    funds = expected_funds()
    pay_years = sorted({y for y, _ in funds["paid"]})
    lines += ["", "## 资金兑现与任务督办 · Money (F7) and tasks (F8)", "",
              "F7：市商务局每年报送市本级（及省级）资金的兑现表（`<年份>_3_…`），各县区在年度工作簿中加一张兑现表报送县区资金；",
              "应享金额来自本样本数据自身的兑现测算，多数次年拨付（四(二)“用于落实上年度政策”），部分隔年拨付、部分未申请；",
              "一项2017年度三(一)3奖励被重复拨付（超额拨付），一项2018年度三(一)4奖励没有测算依据。",
              "F8：各牵头单位2016Q1—2024Q4逐季报送（`<年份>_4_<单位>…`）；按2024年第四季度督办：红灯 "
              + "、".join(EXPECTED_LIGHTS["红灯"]) + "，黄灯 " + "、".join(EXPECTED_LIGHTS["黄灯"]) + "，灰灯（已销号）"
              + "、".join(EXPECTED_LIGHTS["灰灯"]) + "，其余绿灯。2016—2019年的进展于2020年3月补报（逾期报送），此后各单位逐季报送，"
              "多数在季度结束后15天内（按时报送），约八分之一逾期。",
              "F7 pays the sample's own estimated entitlements (most the next year, some two years on, some never applied",
              "for; one award paid twice, one with no entitlement); F8 has each lead unit's quarterly progress 2016Q1–2024Q4.",
              "", "已拨付（万元，按拨付年度和资金来源）· Paid by year of payment and source:", "",
              "| source | " + " | ".join(str(y) for y in pay_years) + " |", "| --- |" + " ---: |" * len(pay_years)]
    for source in ("市本级", "县区", "省级"):
        lines.append(f"| {source} | " + " | ".join(f"{funds['paid'].get((y, source), 0):.1f}" for y in pay_years) + " |")
    lines += ["", f"## 文件 · Files ({len(files)}, {sum(sizes.values()) / 1024:.0f} KB)", "",
              "| 文件 file | 报送日期 sent | 表 forms | 模拟的填报问题 mess |", "| --- | --- | --- | --- |"]
    for f in files:
        mess = "；".join(f"{MESS[t][0]} {MESS[t][1]}" for t in mess_tags(f))
        forms = ", ".join(s.form + ("（零报告）" if s.zero else "") for s in f.sheets)
        lines.append(f"| {f.name} | {f.sent} | {forms} | {mess} |")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------
# Writing, and checking what was written
# ----------------------------------------------------------------------------------------------


def write_all(out_dir: Path) -> list[OutFile]:
    ds = build_dataset()
    files = plan_files(ds)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.iterdir():
        if old.suffix in (".xlsx", ".csv"):
            old.unlink()
    for f in files:
        (write_csv if f.is_csv else write_xlsx)(out_dir / f.name, f)
    sizes = {f.name: (out_dir / f.name).stat().st_size for f in files}
    manifest = io.StringIO()
    csv.writer(manifest, lineterminator="\n").writerows([("文件", "报送日期")] + [(f.name, f.sent.isoformat()) for f in files])
    (out_dir / MANIFEST).parent.mkdir(exist_ok=True)
    (out_dir / MANIFEST).write_text(manifest.getvalue(), encoding="utf-8-sig")
    (out_dir / "README.md").write_text(readme(files, sizes), encoding="utf-8")
    return files


def load(folder: Path) -> int:
    """``python -m etl.sample load DIR``: load the files of DIR with their send dates (the command line's
    ``load --dates``), in the loads of load_batches."""
    from etl import cli

    for batch in filter(None, load_batches(folder)):
        code = cli.main(["load", "--quiet", "--dates", str(Path(folder) / MANIFEST), *map(str, batch)])
        if code:
            return code
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["load"]:
        return load(Path(argv[1] if len(argv) > 1 else "data/sample"))
    out_dir = Path(argv[0] if argv else "data/sample")
    files = write_all(out_dir)
    print(f"wrote {len(files)} files to {out_dir} (tests/test_sample.py checks them through the real ETL)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
