"""Policy fidelity: the numbers computed from 河府办〔2015〕43号, each worked out by hand from the policy text.

Small homes built by the real ETL (``build_home``: real xlsx files, ``pipeline.load``, the DuckDB warehouse).

1. Identity. An enterprise is its 统一社会信用代码; a base, park, building, village or platform opened is the
   place (所在县区, 名称). Two 示例电商孵化基地 in 源城区 and 龙川县 are two bases (the 2015 target 建设2个以上 is
   met), can sit in ONE F3 file, and both get 三(二)1a.
2. 触网率 (二: 本地知名品牌的**企业**“触网”率) = enterprises with at least one brand online ÷ brand enterprises.
   8 enterprises, 7 online, the offline one with 4 brands: 7/8 = 87.5%, not 7/11 = 63.6% (rows).
3. 连续N年 is one unbroken run per entity from its first qualifying year (not before the rule's start year);
   a year that does not qualify, or is not reported, ends it (subsidies.csv years_note).
4. 三(一)2b, 三(一)2c, 三(三)6b and 三(五)1 are estimated; 三(二)2 and 三(四)4 are not, and the page says why.
5. 三(三)6: 2—3 cross-border platforms 2015—2017, cumulative, as a quantitative aim (aim_progress).

Boundary reading: 以上/以下 include the number (the higher tier where two meet), 超过 excludes it.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from conftest import (
    F2_HEADER,
    F3_HEADER,
    F4_HEADER,
    F5_HEADER,
    F6_HEADER,
    build_home,
    cli,
    query,
    uscc,
    write_xlsx,
)
from e2e_support import open_app_page, use_home

D = dt.date
CITY = "441600"
PLAT, OTHER, CROSS = "平台型电商企业", "其他电商企业", "跨境电商平台"
BASE, PARK, BUILDING = "孵化基地", "聚集发展园区", "电商楼宇"
SAME = "示例电商孵化基地"

_codes: dict[str, str] = {}


def code(name: str) -> str:
    """One valid 统一社会信用代码 per enterprise name of this module."""
    if name not in _codes:
        _codes[name] = uscc(f"91441602MA7{len(_codes) + 1:06d}")
    return _codes[name]


def f2(year, name, category, sales=None, interest=None, tax=None, merchants=None, build=None, modes=None,
       pavilion="否", region="源城区"):
    return [year, name, code(name), region, category, modes, "否", sales, merchants, interest, tax, build, None, None,
            pavilion]


def f3(year, name, mode, floor, occupied, category=BUILDING, region="源城区", concentrated="否"):
    return [year, name, region, category, concentrated if category == BASE else None, mode, floor, occupied, 5,
            "在建" if category == PARK else None]


def f5(year, name, brand, online, region="源城区"):
    return [year, name, code(name), region, brand, "广东省著名商标", "是" if online else "否",
            "天猫" if online else None, D(2016, 3, 1) if online else None]


def f4(name, organiser, region, start, end, cost, purchased="是"):
    return [name, organiser, region, start, end, 50, cost, purchased]


# ==================================================================================================== 1, 2, 5
# Identity, 触网率 and the cross-border aim: one home, as_of 2018 (F5 reaches 2018).

F3_IDENTITY = [
    # ONE file, two bases of the same name in two counties (F3's key is 年度 + 所在县区 + 名称)
    f3(2015, SAME, "租用", 3000, 1000, BASE, "源城区"),
    f3(2015, SAME, "租用", 3000, 1000, BASE, "龙川县"),
    # 2016: both concentrated, both rented above 2000㎡ → 三(二)1a for each: 1000㎡ × 2元 × 12 = 2.4万元
    f3(2016, SAME, "租用", 3000, 1000, BASE, "源城区", "是"),
    f3(2016, SAME, "租用", 3000, 1000, BASE, "龙川县", "是"),
]
# 2017: 8 brand enterprises; 源城区 4 online (one brand each) + 1 offline with 4 brands; 紫金县 3 online.
#   by enterprise: 源城区 4/5 = 80%, 紫金县 3/3 = 100%, city 7/8 = 87.5% (≥ 70%: 2017 target 达标)
#   by rows (the old reading): city 7/11 = 63.6% (未达标)
# 2018: the 4-brand enterprise puts ONE brand online (3 stay offline): 8/8 = 100% (2020 target ≥ 100: 达标)
ONLINE_ENTERPRISES = [(f"示例品牌企业{n}有限公司", "源城区") for n in range(1, 5)] + \
                     [(f"示例品牌企业{n}有限公司", "紫金县") for n in range(5, 8)]
FOUR_BRANDS = "示例四品牌有限公司"
F5_IDENTITY = [
    *[f5(y, name, f"示例品牌{name[6]}", True, region) for y in (2017, 2018) for name, region in ONLINE_ENTERPRISES],
    *[f5(2017, FOUR_BRANDS, f"示例四品牌{k}号", False) for k in "一二三四"],
    *[f5(2018, FOUR_BRANDS, f"示例四品牌{k}号", k == "一") for k in "一二三四"],
]
F6_IDENTITY = [
    # same name, same category, same year, two counties, ONE file: two platforms, two villages
    [2016, "示例跨境电商平台", "源城区", "跨境电商平台开通", D(2016, 5, 1)],
    [2016, "示例跨境电商平台", "龙川县", "跨境电商平台开通", D(2016, 6, 1)],
    [2016, "示例村", "紫金县", "电商示范村", D(2016, 9, 1)],
    [2016, "示例村", "和平县", "电商示范村", D(2016, 9, 1)],
    [2017, "示例跨境电商平台", "源城区", "跨境电商平台开通", D(2017, 5, 1)],  # the same place again: counted once
]


@pytest.fixture(scope="module")
def identity(tmp_path_factory) -> Path:
    return build_home(tmp_path_factory.mktemp("identity"), {
        "孵化基地和产业园情况表.xlsx": {"孵化基地和产业园情况表": [F3_HEADER, *F3_IDENTITY]},
        "本地知名品牌企业触网情况表.xlsx": {"本地知名品牌企业触网情况表": [F5_HEADER, *F5_IDENTITY]},
        "农村电商与示范认定表.xlsx": {"农村电商与示范认定表": [F6_HEADER, *F6_IDENTITY]},
    })


AIM_NOTE = next(csv.DictReader((Path(__file__).resolve().parents[1] / "data" / "catalog" / "quantitative_aims.csv")
                                .read_text(encoding="utf-8").splitlines()))["note"]


def values(home: Path, indicator: str) -> dict[tuple[str, str], float]:
    return dict(((r, p), v) for r, p, v in query(
        home, "SELECT region_code, period, value FROM indicator_values WHERE indicator = ?", [indicator]))


def test_same_named_bases_in_two_counties_are_two_bases(identity):
    # 2015: 源城区 1, 龙川县 1, city 2 (by name alone it was 1); 2016: both concentrated
    assert values(identity, "incubation_bases") == {
        ("441602", "2015"): 1.0, ("441622", "2015"): 1.0, (CITY, "2015"): 2.0,
        ("441602", "2016"): 1.0, ("441622", "2016"): 1.0, (CITY, "2016"): 2.0}
    assert values(identity, "concentrated_incubation_bases") == {
        ("441602", "2015"): 0.0, ("441622", "2015"): 0.0, (CITY, "2015"): 0.0,
        ("441602", "2016"): 1.0, ("441622", "2016"): 1.0, (CITY, "2016"): 2.0}
    assert query(identity, "SELECT region_code, entity_key, entity_name FROM indicator_entities "
                             "WHERE indicator = 'incubation_bases' AND year = 2015 ORDER BY region_code") == [
        ("441602", f"441602|{SAME}", SAME), ("441622", f"441622|{SAME}", SAME)]


def test_same_named_places_of_f6_count_in_each_county(identity):
    assert values(identity, "cross_border_platforms") == {
        ("441602", "2016"): 1.0, ("441622", "2016"): 1.0, ("441621", "2016"): 0.0, ("441624", "2016"): 0.0,
        (CITY, "2016"): 2.0, ("441602", "2017"): 1.0, (CITY, "2017"): 1.0}
    assert values(identity, "demo_villages") == {
        ("441602", "2016"): 0.0, ("441622", "2016"): 0.0, ("441621", "2016"): 1.0, ("441624", "2016"): 1.0,
        (CITY, "2016"): 2.0, ("441602", "2017"): 0.0, (CITY, "2017"): 0.0}
    # 2015—2017 cumulative, each platform once: 2015 0, 2016 2, 2017 still 2 (源城区's is the same place again)
    assert {k: v for k, v in values(identity, "cross_border_platforms_cumulative").items() if k[0] == CITY} == {
        (CITY, "2015"): 0.0, (CITY, "2016"): 2.0, (CITY, "2017"): 2.0}
    assert values(identity, "cross_border_platforms_cumulative")[("441602", "2017")] == 1.0


def test_brand_online_rate_counts_enterprises_not_brand_rows(identity):
    assert values(identity, "brand_enterprises") == {
        ("441602", "2017"): 5.0, ("441621", "2017"): 3.0, (CITY, "2017"): 8.0,
        ("441602", "2018"): 5.0, ("441621", "2018"): 3.0, (CITY, "2018"): 8.0}
    assert values(identity, "brand_enterprises_online") == {
        ("441602", "2017"): 4.0, ("441621", "2017"): 3.0, (CITY, "2017"): 7.0,
        ("441602", "2018"): 5.0, ("441621", "2018"): 3.0, (CITY, "2018"): 8.0}
    assert values(identity, "brand_online_rate") == {
        ("441602", "2017"): 80.0, ("441621", "2017"): 100.0, (CITY, "2017"): 87.5,  # not 7/11 = 63.6
        ("441602", "2018"): 100.0, ("441621", "2018"): 100.0, (CITY, "2018"): 100.0}  # not 8/11 = 72.7


def test_the_entities_behind_the_brand_count_are_enterprises(identity):
    rows = query(identity, "SELECT entity_key, entity_name, attribute, amount FROM indicator_entities "
                             "WHERE indicator = 'brand_enterprises' AND year = 2017 ORDER BY entity_name")
    assert len(rows) == 8  # the list on 目标详情 matches the count
    four = next(r for r in rows if r[1] == FOUR_BRANDS)
    assert four[0] == code(FOUR_BRANDS) and four[3] == 0.0
    assert four[2] == ("品牌4个：示例四品牌一号（广东省著名商标，未触网）、示例四品牌二号（广东省著名商标，未触网）、"
                       "示例四品牌三号（广东省著名商标，未触网）、示例四品牌四号（广东省著名商标，未触网）；企业未触网")
    online = query(identity, "SELECT entity_name, attribute FROM indicator_entities "
                               "WHERE indicator = 'brand_enterprises_online' AND year = 2018 AND entity_name = ?", [FOUR_BRANDS])
    assert online == [(FOUR_BRANDS, "品牌4个：示例四品牌一号（广东省著名商标，已触网）、示例四品牌二号（广东省著名商标，未触网）、"
                                    "示例四品牌三号（广东省著名商标，未触网）、示例四品牌四号（广东省著名商标，未触网）；"
                                    "触网渠道：天猫；首次触网2016-03-01")]


def test_target_progress_with_same_named_bases_and_a_four_brand_enterprise(identity):
    # as_of 2018 (F5). path(t) = v0 + (target − v0)(t − 2014)/(deadline − 2014), v0 = 0 (no 2014 values)
    assert query(identity, "SELECT as_of_year FROM warehouse_info") == [(2018,)]
    assert query(identity, "SELECT * FROM target_progress") == [
        ("platform_enterprises", 2015, 1.0, ">=", None, None, None, "无数据"),
        ("incubation_bases", 2015, 2.0, ">=", 2.0, "2015", 1.0, "达标"),  # two bases, not one
        ("cluster_park_stage", 2015, 1.0, ">=", None, None, None, "无数据"),
        ("trainees_cumulative", 2015, 2000.0, ">=", None, None, None, "无数据"),
        ("platform_enterprises", 2017, 2.0, ">=", None, None, None, "无数据"),
        ("concentrated_incubation_bases", 2017, 2.0, ">=", None, None, None, "无数据"),  # no 2017 F3
        ("cluster_park_stage", 2017, 3.0, ">=", None, None, None, "无数据"),
        ("trainees_cumulative", 2017, 10000.0, ">=", None, None, None, "无数据"),
        ("brand_online_rate", 2017, 70.0, ">=", 87.5, "2017", 1.25, "达标"),  # 7/8, not 7/11
        ("platform_enterprises", 2020, 5.0, ">=", None, None, None, "无数据"),
        # latest up to 2018 is 2016's 2; path 3 × (2016 − 2014)/6 = 1 ≤ 2
        ("concentrated_incubation_bases", 2020, 3.0, ">=", 2.0, "2016", pytest.approx(2 / 3), "进度正常"),
        ("cluster_park_stage", 2020, 3.0, ">=", None, None, None, "无数据"),
        ("online_retail_share", 2020, 20.0, ">=", None, None, None, "无数据"),
        ("brand_online_rate", 2020, 100.0, ">=", 100.0, "2018", 1.0, "达标"),  # 8/8, not 8/11
    ]


def test_the_cross_border_aim_beside_the_targets(identity):
    assert query(identity, "SELECT * FROM aim_progress") == [
        ("cross_border_platforms_cumulative", 2017, 2.0, ">=", 2.0, "2017", 1.0, "达标",
         "2017_cross_border_platforms", "2015—2017年培育2—3家跨境电子商务平台", "三(三)6",
         "从2015年起至2017年，培育2—3家跨境电子商务平台", AIM_NOTE)]
    # seen from the end of 2016, 2 is already ≥ 2
    assert query(identity, "SELECT actual, status FROM aim_progress_at(2016)") == [(2.0, "达标")]
    # the 14 targets stay 14
    assert query(identity, "SELECT count(*) FROM target_progress") == [(14,)]
    assert query(identity, "SELECT count(*) FROM progress_at(2016)") == [(14,)]


@pytest.fixture(scope="module")
def one_platform(tmp_path_factory) -> Path:
    # one platform opened in 2015 and recognised again in 2017: 2015—2017 cumulative = 1 < 2
    return build_home(tmp_path_factory.mktemp("one_platform"), {"农村电商与示范认定表.xlsx": {"农村电商与示范认定表": [
        F6_HEADER,
        [2015, "示例跨境平台", "东源县", "跨境电商平台开通", D(2015, 5, 1)],
        [2017, "示例跨境平台", "东源县", "跨境电商平台开通", D(2017, 5, 1)],
    ]}})


def test_one_platform_misses_the_aim(one_platform):
    assert query(one_platform, "SELECT actual, actual_period, ratio, status FROM aim_progress") == [
        (1.0, "2017", 0.5, "未达标")]
    # from the end of 2016: path 0 + 2 × (2016 − 2014)/(2017 − 2014) = 1.333 > 1 → 滞后; from 2015: path 0.667 ≤ 1
    assert query(one_platform, "SELECT actual, status FROM aim_progress_at(2016)") == [(1.0, "滞后")]
    assert query(one_platform, "SELECT actual, status FROM aim_progress_at(2015)") == [(1.0, "进度正常")]
    assert query(one_platform, "SELECT value FROM indicator_values WHERE indicator = 'cross_border_platforms_cumulative' "
                               "AND region_code = ? ORDER BY period", [CITY]) == [(1.0,), (1.0,), (1.0,)]


def test_identity_subsidies_are_per_place(identity):
    rows = query(identity, "SELECT rule_id, year, region_code, entity_key, amount_wan FROM subsidy_estimates "
                             "ORDER BY rule_id, year, region_code")
    # 三(二)1a: both same-named rented bases, 2016, 1000㎡ × 2元 × 12 = 2.4万元 each;
    # 三(三)4 / 三(三)6a: each same-named village / platform, once (源城区's platform recognised again in 2017: no more)
    assert rows == [
        ("三(三)4", 2016, "441621", "441621|示例村", 5.0),
        ("三(三)4", 2016, "441624", "441624|示例村", 5.0),
        ("三(三)6a", 2016, "441602", "441602|示例跨境电商平台", 10.0),
        ("三(三)6a", 2016, "441622", "441622|示例跨境电商平台", 10.0),
        ("三(二)1a", 2016, "441602", f"441602|{SAME}", 2.4),
        ("三(二)1a", 2016, "441622", f"441622|{SAME}", 2.4),
    ]


def test_one_file_may_hold_same_named_places_of_two_counties_but_not_one_twice(tmp_path):
    ok = write_xlsx(tmp_path / "ok.xlsx", {"孵化基地和产业园情况表": [F3_HEADER, *F3_IDENTITY[:2]]})
    assert cli("check", ok)[0] == 0
    twice = write_xlsx(tmp_path / "twice.xlsx", {"孵化基地和产业园情况表": [F3_HEADER, F3_IDENTITY[0], F3_IDENTITY[0]]})
    exit_code, out = cli("check", twice)
    assert exit_code == 1
    assert "与第2行重复（年度、所在县区、名称相同），同一基地或园区同一年度只能填一行" in out
    f6_ok = write_xlsx(tmp_path / "f6.xlsx", {"农村电商与示范认定表": [F6_HEADER, *F6_IDENTITY[:2]]})
    assert cli("check", f6_ok)[0] == 0
    f6_twice = write_xlsx(tmp_path / "f6x.xlsx", {"农村电商与示范认定表": [F6_HEADER, F6_IDENTITY[0], F6_IDENTITY[0]]})
    exit_code, out = cli("check", f6_twice)
    assert exit_code == 1 and "重复（年度、所在县区、名称、类别相同）" in out


# ==================================================================================================== 3, 4
# 连续N年 on both sides of every gap, and the four rules now estimated, on both sides of every edge.

F2_RULES = [
    # ---- 三(一)2a: interest 100 → 20% = 20 (sales 3000: cap 50). The run is the years as 平台型电商企业.
    # reported 2015, 2017, 2018: the run 2015 ends in 2016 (not reported) → 2015 only (not 2017, 2018 as 第2、3年)
    *[f2(y, "利息间断", PLAT, 3000, 100) for y in (2015, 2017, 2018)],
    # 2015, 2016, gap 2017, 2018 → 2015, 2016
    *[f2(y, "利息两年后断", PLAT, 3000, 100) for y in (2015, 2016, 2018)],
    # a year below 2000万 pays nothing but is a year of the run: 2015 20, 2016 (1500) 0, 2017 20 (第3年), 2018 none
    f2(2015, "利息低销售占年", PLAT, 3000, 100), f2(2016, "利息低销售占年", PLAT, 1500, 100),
    f2(2017, "利息低销售占年", PLAT, 3000, 100), f2(2018, "利息低销售占年", PLAT, 3000, 100),
    # reported in 2016 but not as a platform: the run ends → 2015 only
    f2(2015, "利息类别中断", PLAT, 3000, 100), f2(2016, "利息类别中断", OTHER, 3000, 100),
    f2(2017, "利息类别中断", PLAT, 3000, 100),
    # ---- 三(三)1: 10 a year, 2 years. Not reported in 2016 → 2015 only; 2014 is before the start: 2015, 2016
    f2(2015, "特色馆未报送", OTHER, pavilion="是"), f2(2017, "特色馆未报送", OTHER, pavilion="是"),
    *[f2(y, "特色馆政策前", OTHER, pavilion="是") for y in (2014, 2015, 2016, 2017)],
    # ---- 三(一)2b: sales > 2000 and above last year; year 1 50% × contribution, years 2–3 50% × the increase
    # 2015: 2500 > 2000, > 1800 → 80 × 50% = 40; 2016: (100 − 80) × 50% = 10; 2017: (130 − 100) × 50% = 15; 2018: year 4
    f2(2014, "增长三年", PLAT, 1800, tax=50), f2(2015, "增长三年", PLAT, 2500, tax=80),
    f2(2016, "增长三年", PLAT, 3000, tax=100), f2(2017, "增长三年", PLAT, 3500, tax=130),
    f2(2018, "增长三年", PLAT, 4000, tax=200),
    # 2015 has no 2014 to grow from: not year 1; 2016: 90 × 50% = 45; 2017 equal sales (2600 = 2600): the run ends;
    # 2018 grows again: nothing (one run)
    f2(2015, "增长无上年", PLAT, 2500, tax=80), f2(2016, "增长无上年", PLAT, 2600, tax=90),
    f2(2017, "增长无上年", PLAT, 2600, tax=95), f2(2018, "增长无上年", PLAT, 3000, tax=150),
    # 2015: 2000 is not 超过2000; 2016: 2000.01 → year 1: 60 × 50% = 30; 2017: contribution falls (50 < 60): 0,
    # still year 2; 2018: (70 − 50) × 50% = 10 (year 3); 2019: year 4, nothing
    f2(2014, "增长边界", PLAT, 1000, tax=10), f2(2015, "增长边界", PLAT, 2000, tax=40),
    f2(2016, "增长边界", PLAT, 2000.01, tax=60), f2(2017, "增长边界", PLAT, 2500, tax=50),
    f2(2018, "增长边界", PLAT, 2600, tax=70), f2(2019, "增长边界", PLAT, 2700, tax=100),
    f2(2014, "增长1999.99", PLAT, 1000, tax=10), f2(2015, "增长1999.99", PLAT, 1999.99, tax=40),  # not > 2000
    # ---- 三(一)2c: O2O 平台型电商企业, 入驻本地商户 ≥ 500, sales > 2000: one-off 20% of 平台建设费用, ≤ 50
    f2(2016, "O2O商户499", PLAT, 3000, merchants=499, build=100, modes="O2O"),  # 499 < 500
    f2(2016, "O2O商户500", PLAT, 3000, merchants=500, build=100, modes="B2C、O2O"),  # 500 ≥ 500: 20
    f2(2016, "O2O销售2000", PLAT, 2000, merchants=600, build=100, modes="O2O"),  # not 超过2000
    f2(2016, "O2O销售2000.01", PLAT, 2000.01, merchants=600, build=100, modes="O2O"),  # 20
    f2(2016, "O2O费用250", PLAT, 3000, merchants=600, build=250, modes="O2O"),  # 50 = the cap
    f2(2016, "O2O费用250.05", PLAT, 3000, merchants=600, build=250.05, modes="O2O"),  # 50.01 → 50
    f2(2016, "非O2O平台", PLAT, 3000, merchants=600, build=100, modes="B2B、B2C"),  # not O2O
    f2(2016, "O2O非平台企业", OTHER, 3000, merchants=600, build=100, modes="O2O"),  # not a platform enterprise
    f2(2016, "O2O一次性", PLAT, 3000, merchants=600, build=100, modes="O2O"),  # 20 in 2016 …
    f2(2017, "O2O一次性", PLAT, 3500, merchants=700, build=100, modes="O2O"),  # … and not again
    f2(2014, "O2O政策前", PLAT, 3000, merchants=600, build=100, modes="O2O"),  # before 2015
    f2(2015, "O2O政策前", PLAT, 3000, merchants=600, build=120, modes="O2O"),  # 24
    # ---- 三(三)6b: 跨境电商平台 sales of a year 2015—2017: [1000, 3000) 20, ≥ 3000 30 (3000 takes the higher tier)
    f2(2016, "跨境999.99", CROSS, 999.99), f2(2016, "跨境1000", CROSS, 1000), f2(2016, "跨境2999.99", CROSS, 2999.99),
    f2(2016, "跨境3000", CROSS, 3000),
    f2(2014, "跨境2014起", CROSS, 1500), f2(2015, "跨境2014起", CROSS, 1600),  # 2014 outside: 2015, 20
    f2(2016, "跨境先低后高", CROSS, 1500), f2(2017, "跨境先低后高", CROSS, 3500),  # one-off: 2016, 20
    f2(2017, "跨境2018才达标", CROSS, 800), f2(2018, "跨境2018才达标", CROSS, 3500),  # 2018 outside: nothing
]

F3_RULES = [
    # 三(二)1a: rented, > 2000㎡, from 2016; 1000㎡ × 2元 × 12 = 2.4万元 a year, 3 years
    f3(2016, "示例租用间断", "租用", 3000, 1000), f3(2018, "示例租用间断", "租用", 3000, 1000),  # 2017 missing: 2016 only
    f3(2016, "示例租用面积不足", "租用", 3000, 1000), f3(2017, "示例租用面积不足", "租用", 2000, 1000),  # 2000 ≤ 2000
    f3(2018, "示例租用面积不足", "租用", 3000, 1000),  # the run ended in 2017: 2016 only
    f3(2016, "示例租用空置", "租用", 3000, 0),  # nothing occupied: not a year of the run
    *[f3(y, "示例租用空置", "租用", 3000, 1000) for y in (2017, 2018, 2019, 2020)],  # 2017, 2018, 2019
    # 三(二)1b: self-built 聚集发展园区, occupancy > 60%, from 2015; 6001㎡ × 0.0024 = 14.4024
    f3(2015, "示例自建60%", "自建", 10000, 6000, PARK),  # exactly 60%: no
    f3(2015, "示例自建60.01%", "自建", 10000, 6001, PARK),  # 60.01%: 14.4024
    f3(2016, "示例自建60.01%", "自建", 10000, 6000, PARK),  # 60%: the run ends
    f3(2017, "示例自建60.01%", "自建", 10000, 7000, PARK),  # qualifies again: nothing
    f3(2015, "示例自建孵化基地", "自建", 10000, 9000, BASE),  # self-built base: not a park
    f3(2015, "示例自建楼宇", "自建", 10000, 9000, BUILDING),  # self-built building: not a park
]

F4_RULES = [
    # 三(五)1: government-purchased classes, by organiser (所在县区 + 主办单位) and the year a class ends:
    # 30% of their total cost, ≤ 20 per organiser and year
    f4("示例甲2016第1期", "示例甲培训学校", "源城区", D(2016, 3, 1), D(2016, 3, 5), 30),
    f4("示例甲2016第2期", "示例甲培训学校", "源城区", D(2016, 6, 1), D(2016, 6, 5), 20),  # (30 + 20) × 30% = 15
    f4("示例甲2016第3期", "示例甲培训学校", "源城区", D(2016, 9, 1), D(2016, 9, 5), 100, "否"),  # not purchased
    f4("示例甲2017第1期", "示例甲培训学校", "源城区", D(2017, 3, 1), D(2017, 3, 5), 10),  # 2017: 3
    f4("示例乙2016第1期", "示例乙培训学校", "源城区", D(2016, 3, 1), D(2016, 3, 5), 66.66),  # 19.998
    f4("示例丙2016第1期", "示例丙培训学校", "源城区", D(2016, 3, 1), D(2016, 3, 5), 66.67),  # 20.001 → 20
    f4("示例同名2016源城", "示例同名培训学校", "源城区", D(2016, 4, 1), D(2016, 4, 5), 10),  # 3
    f4("示例同名2016紫金", "示例同名培训学校", "紫金县", D(2016, 4, 1), D(2016, 4, 5), 10),  # 3, another organiser
    f4("示例跨年班", "示例跨年培训中心", "龙川县", D(2014, 12, 20), D(2015, 1, 5), 10),  # ends 2015: 3
    f4("示例政策前班", "示例政策前培训中心", "龙川县", D(2014, 5, 1), D(2014, 5, 5), 10),  # 2014: nothing
    f4("示例无费用班", "示例无费用培训中心", "龙川县", D(2016, 5, 1), D(2016, 5, 5), None),  # no cost: nothing
]

EXPECTED = {
    ("三(一)2a", 2015, "利息间断"): 20.0,
    ("三(一)2a", 2015, "利息两年后断"): 20.0,
    ("三(一)2a", 2016, "利息两年后断"): 20.0,
    ("三(一)2a", 2015, "利息低销售占年"): 20.0,
    ("三(一)2a", 2017, "利息低销售占年"): 20.0,
    ("三(一)2a", 2015, "利息类别中断"): 20.0,
    ("三(三)1", 2015, "特色馆未报送"): 10.0,
    ("三(三)1", 2015, "特色馆政策前"): 10.0,
    ("三(三)1", 2016, "特色馆政策前"): 10.0,
    ("三(一)2b", 2015, "增长三年"): 40.0,
    ("三(一)2b", 2016, "增长三年"): 10.0,
    ("三(一)2b", 2017, "增长三年"): 15.0,
    ("三(一)2b", 2016, "增长无上年"): 45.0,
    ("三(一)2b", 2016, "增长边界"): 30.0,
    ("三(一)2b", 2018, "增长边界"): 10.0,
    ("三(一)2c", 2016, "O2O商户500"): 20.0,
    ("三(一)2c", 2016, "O2O销售2000.01"): 20.0,
    ("三(一)2c", 2016, "O2O费用250"): 50.0,
    ("三(一)2c", 2016, "O2O费用250.05"): 50.0,
    ("三(一)2c", 2016, "O2O一次性"): 20.0,
    ("三(一)2c", 2015, "O2O政策前"): 24.0,
    ("三(三)6b", 2016, "跨境1000"): 20.0,
    ("三(三)6b", 2016, "跨境2999.99"): 20.0,
    ("三(三)6b", 2016, "跨境3000"): 30.0,
    ("三(三)6b", 2015, "跨境2014起"): 20.0,
    ("三(三)6b", 2016, "跨境先低后高"): 20.0,
    ("三(二)1a", 2016, "示例租用间断"): 2.4,
    ("三(二)1a", 2016, "示例租用面积不足"): 2.4,
    ("三(二)1a", 2017, "示例租用空置"): 2.4,
    ("三(二)1a", 2018, "示例租用空置"): 2.4,
    ("三(二)1a", 2019, "示例租用空置"): 2.4,
    ("三(二)1b", 2015, "示例自建60.01%"): 14.4024,
    ("三(五)1", 2015, "示例跨年培训中心"): 3.0,
    ("三(五)1", 2016, "示例甲培训学校"): 15.0,
    ("三(五)1", 2017, "示例甲培训学校"): 3.0,
    ("三(五)1", 2016, "示例乙培训学校"): 19.998,
    ("三(五)1", 2016, "示例丙培训学校"): 20.0,
    ("三(五)1", 2016, "示例同名培训学校"): (3.0, 3.0),  # 源城区 and 紫金县: two organisers
}


@pytest.fixture(scope="module")
def rules(tmp_path_factory) -> Path:
    return build_home(tmp_path_factory.mktemp("rules"), {
        "电子商务企业名录.xlsx": {"电子商务企业名录": [F2_HEADER, *F2_RULES]},
        "孵化基地和产业园情况表.xlsx": {"孵化基地和产业园情况表": [F3_HEADER, *F3_RULES]},
        "电商培训台账.xlsx": {"电商培训台账": [F4_HEADER, *F4_RULES]},
    })


@pytest.fixture(scope="module")
def estimates(rules) -> dict[tuple, list[dict]]:
    cols = ["rule_id", "clause", "year", "region_code", "entity_key", "entity_name", "basis", "amount_wan", "note"]
    out: dict[tuple, list[dict]] = {}
    for row in query(rules, f"SELECT {', '.join(cols)} FROM subsidy_estimates ORDER BY region_code"):
        rec = dict(zip(cols, row, strict=True))
        out.setdefault((rec["rule_id"], rec["year"], rec["entity_name"]), []).append(rec)
    return out


def test_every_estimate_and_no_other(estimates):
    got = {k: tuple(r["amount_wan"] for r in v) for k, v in estimates.items()}
    want = {k: v if isinstance(v, tuple) else (v,) for k, v in EXPECTED.items()}
    assert set(got) == set(want), (sorted(set(got) - set(want)), sorted(set(want) - set(got)))
    for key, amounts in want.items():
        assert got[key] == pytest.approx(amounts, abs=1e-9), key


def years_paid(estimates, rule_id, name):
    return [y for (r, y, n) in sorted(estimates) if r == rule_id and n == name]


def test_interest_subsidy_is_one_unbroken_run(estimates):
    assert years_paid(estimates, "三(一)2a", "利息间断") == [2015]  # not 2017, 2018
    assert years_paid(estimates, "三(一)2a", "利息两年后断") == [2015, 2016]
    assert years_paid(estimates, "三(一)2a", "利息低销售占年") == [2015, 2017]
    assert estimates[("三(一)2a", 2017, "利息低销售占年")][0]["note"] == "测算：平台型电商企业第3年（连续3年贴息）"
    assert years_paid(estimates, "三(一)2a", "利息类别中断") == [2015]


def test_pavilion_run_ends_with_a_year_not_reported_and_starts_no_earlier_than_2015(estimates):
    assert years_paid(estimates, "三(三)1", "特色馆未报送") == [2015]
    assert years_paid(estimates, "三(三)1", "特色馆政策前") == [2015, 2016]
    assert estimates[("三(三)1", 2016, "特色馆政策前")][0]["note"] == "测算：第2年（连续2年）"


def test_tax_contribution_award(estimates):
    def basis(year, name):
        return estimates[("三(一)2b", year, name)][0]["basis"]

    assert basis(2015, "增长三年") == "平台年销售额2500万元>2000万元，且高于上年1800万元；第1年：主税种地方财政贡献80万元×50%=40万元"
    assert basis(2016, "增长三年") == ("平台年销售额3000万元>2000万元，且高于上年2500万元；第2年：主税种地方财政贡献100万元，"
                                       "比上年80万元新增20万元×50%=10万元")
    assert basis(2016, "增长边界") == "平台年销售额2000.01万元>2000万元，且高于上年2000万元；第1年：主税种地方财政贡献60万元×50%=30万元"
    assert basis(2018, "增长边界").endswith("第3年：主税种地方财政贡献70万元，比上年50万元新增20万元×50%=10万元")
    assert estimates[("三(一)2b", 2018, "增长边界")][0]["note"] == "测算：平台型电商企业第3年（第一年按贡献额50%，第二、三年按新增部分50%）"
    assert years_paid(estimates, "三(一)2b", "增长三年") == [2015, 2016, 2017]  # not 2018 (year 4)
    assert years_paid(estimates, "三(一)2b", "增长无上年") == [2016]  # 2015 has no previous year; 2017 flat ends it
    assert years_paid(estimates, "三(一)2b", "增长边界") == [2016, 2018]  # 2015 = 2000; 2017 contribution fell
    assert years_paid(estimates, "三(一)2b", "增长1999.99") == []


def test_o2o_platform_build_cost(estimates):
    assert estimates[("三(一)2c", 2016, "O2O商户500")][0]["basis"] == \
        "O2O平台，入驻本地商户500家≥500家，平台年销售额3000万元>2000万元；平台建设费用100万元×20%=20万元"
    assert estimates[("三(一)2c", 2016, "O2O费用250")][0]["basis"].endswith("平台建设费用250万元×20%=50万元")
    assert estimates[("三(一)2c", 2016, "O2O费用250.05")][0]["basis"].endswith(
        "平台建设费用250.05万元×20%=50.01万元，超过最高50万元，按50万元")
    assert estimates[("三(一)2c", 2016, "O2O一次性")][0]["note"] == "测算：一次性（首个符合年度）"
    for name in ("O2O商户499", "O2O销售2000", "非O2O平台", "O2O非平台企业"):
        assert not [k for k in estimates if k[2] == name], name


def test_cross_border_sales_tiers(estimates):
    assert estimates[("三(三)6b", 2016, "跨境1000")][0]["basis"] == \
        "跨境电商平台2016年销售额1000万元，在1000万元以上、3000万元以下；再给予一次性补助20万元"
    assert estimates[("三(三)6b", 2016, "跨境3000")][0]["basis"] == "跨境电商平台2016年销售额3000万元≥3000万元；一次性补助30万元"
    assert estimates[("三(三)6b", 2016, "跨境3000")][0]["entity_key"] == code("跨境3000")
    assert not [k for k in estimates if k[2] in ("跨境999.99", "跨境2018才达标")]
    assert years_paid(estimates, "三(三)6b", "跨境先低后高") == [2016]


def test_places_runs(estimates):
    assert years_paid(estimates, "三(二)1a", "示例租用间断") == [2016]
    assert years_paid(estimates, "三(二)1a", "示例租用面积不足") == [2016]
    assert years_paid(estimates, "三(二)1a", "示例租用空置") == [2017, 2018, 2019]
    assert estimates[("三(二)1a", 2019, "示例租用空置")][0]["note"] == "测算：2016年起连续补助第3年（连续3年）"
    assert estimates[("三(二)1a", 2016, "示例租用间断")][0]["entity_key"] == "441602|示例租用间断"
    row = estimates[("三(二)1b", 2015, "示例自建60.01%")][0]
    assert row["basis"] == "自建聚集发展园区，入驻率6001÷10000=60.01%>60%；入驻面积6001㎡×2元/㎡/月×12月=14.4024万元"
    assert not [k for k in estimates if k[2] in ("示例自建60%", "示例自建孵化基地", "示例自建楼宇")]


def test_training_organisers(estimates):
    assert estimates[("三(五)1", 2016, "示例甲培训学校")][0]["basis"] == "2016年政府购买服务培训班2个，总培训费用50万元×30%=15万元"
    assert estimates[("三(五)1", 2016, "示例丙培训学校")][0]["basis"] == \
        "2016年政府购买服务培训班1个，总培训费用66.67万元×30%=20.001万元，超过最高20万元，按20万元"
    same = estimates[("三(五)1", 2016, "示例同名培训学校")]
    assert [(r["region_code"], r["entity_key"]) for r in same] == [
        ("441602", "441602|示例同名培训学校"), ("441621", "441621|示例同名培训学校")]
    assert {r["clause"] for v in estimates.values() for r in v if r["rule_id"] == "三(五)1"} == {"三(五)1"}


def test_policy_page_states_the_readings_and_what_stays_unestimated(rules, monkeypatch):
    use_home(rules, monkeypatch)
    at = open_app_page("app_pages/policy.py")
    info = next(i.value for i in at.info if "年度读法" in i.value and "边界读法" in i.value)
    assert "某年不符合条件或未报送即中断" in info and "只补助2015年" in info
    captions = [c.value for c in at.caption]
    pavilion = next(c for c in captions if c.startswith("年度读法：") and "特色馆" in c)
    assert "2016年未承办、2017年再承办，只扶持2015年" in pavilion
    assert sum(c.startswith("年度读法：连续N年按一段不间断的年度计") for c in captions) == 5
    frames = [d.value for d in at.dataframe]
    skipped = next(f for f in frames if "未测算原因" in f.columns)
    assert list(skipped["规则"]) == ["三(二)2", "三(四)4"]
    assert "没有“新型电商业务模式龙头企业”的认定" in skipped.set_index("规则").loc["三(四)4", "未测算原因"]
    aims = next(f for f in frames if "口径" in f.columns and "条款" in f.columns)
    assert aims.iloc[0][["条款", "原文", "目标值", "期限（年底）", "状态"]].tolist() == [
        "三(三)6", "从2015年起至2017年，培育2—3家跨境电子商务平台", "≥2", 2017, "无数据"]  # no F6 here
    at.selectbox(key="subsidy_year").set_value(2016).run()
    detail = next(d.value for d in at.dataframe if "测算依据" in d.value.columns)
    assert set(detail["规则"]) >= {"三(一)2b", "三(一)2c", "三(三)6b", "三(五)1"}


def test_overview_shows_the_aim_beside_the_targets(identity, monkeypatch):
    use_home(identity, monkeypatch)
    at = open_app_page()
    block = next(m.value for m in at.markdown if "政策其他量化要求" in m.value)
    assert "三(三)6 2015—2017年培育2—3家跨境电子商务平台" in block and "达标" in block
    assert "累计跨境电商平台，2017年" in block and "要求 ≥2个，2017年底" in block
