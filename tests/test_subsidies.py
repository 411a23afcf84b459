"""政策兑现测算 (etl/sql/40_subsidies.sql): one small warehouse built by the real ETL from F2, F3 and F6
workbooks written here, every amount worked out by hand, both sides of every edge.

Boundary reading (subsidies.csv boundary_note): 以上/以下 include the number, the HIGHER tier applies where
two tiers meet (5000万 → 80, 1亿 → 100, 2000万 → 50); 超过 excludes the number.
Years (subsidies.csv years_note): 连续N年 is one unbroken run per entity from its first qualifying year; a gap
ends it (more cases, and the rules 三(一)2b, 2c, 三(三)6b, 三(五)1, in tests/test_fidelity.py).

The whole table is compared with EXPECTED, so an estimate that should not exist fails as surely as a
wrong amount. Names say what each entity tests.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import build_home, query, uscc
from e2e_support import open_app_page, use_home

D = dt.date
F2_HEADER = ["年度", "企业名称", "统一社会信用代码", "所在县区", "企业类别", "平台模式", "认定为知名平台",
             "网上销售额（万元）", "入驻本地商户数（家）", "贷款利息支出（万元）", "主税种地方财政贡献（万元）",
             "平台建设费用（万元）", "研发费用（万元）", "新三板挂牌日期", "承办河源产品特色馆"]
F3_HEADER = ["年度", "名称", "所在县区", "类别", "集中化程度较高", "建设方式", "建筑面积（㎡）", "入驻面积（㎡）",
             "入驻企业数（家）", "阶段"]
F6_HEADER = ["年度", "名称", "所在县区", "类别", "认定日期"]

_codes: dict[str, str] = {}


def _uscc(name: str) -> str:
    if name not in _codes:
        _codes[name] = uscc(f"91441602MA5{len(_codes) + 1:06d}")
    return _codes[name]


def f2(year, name, category, sales=None, interest=None, listed=None, pavilion="否", region="源城区"):
    return [year, name, _uscc(name), region, category, "B2C" if category == "平台型电商企业" else None, "否",
            sales, None, interest, None, None, None, listed, pavilion]


PLAT, BIG_I, BIG_T, SMALL, OTHER = "平台型电商企业", "规上工业企业", "限上商贸企业", "小微电商企业", "其他电商企业"

F2_ROWS = [
    # 三(一)2a caps: interest 1000 → 20% = 200, above every cap, so the cap shows the tier
    f2(2015, "平台销售1999.99", PLAT, 1999.99, 1000),  # < 2000: no interest subsidy
    f2(2015, "平台销售2000", PLAT, 2000, 1000),  # 2000 → 50
    f2(2015, "平台销售4999.99", PLAT, 4999.99, 1000),  # → 50
    f2(2015, "平台销售5000", PLAT, 5000, 1000),  # both tiers: the higher, 80
    f2(2015, "平台销售9999.99", PLAT, 9999.99, 1000),  # → 80
    f2(2015, "平台销售10000", PLAT, 10000, 1000),  # both tiers: the higher, 100
    f2(2015, "平台利息120", PLAT, 6000, 120),  # 120 × 20% = 24 < 80
    f2(2015, "平台利息250", PLAT, 2000, 250),  # 250 × 20% = 50 = the cap exactly
    f2(2015, "平台无利息", PLAT, 6000, None),  # no interest reported: nothing
    # 连续3年: the first three years as a platform, whether or not they qualified
    *[f2(y, "平台四年", PLAT, 3000, 100) for y in (2015, 2016, 2017, 2018)],  # 20 in 2015–2017, not 2018
    f2(2015, "平台首年不足", PLAT, 1000, 100),  # year 1: below 2000, nothing
    *[f2(y, "平台首年不足", PLAT, 3000, 100) for y in (2016, 2017, 2018)],  # years 2, 3: 20; year 4: nothing
    # filed by a county and by a zone in the same year: one estimate, in the county
    f2(2016, "平台县区与园区", PLAT, 3000, 100),  # 市高新区 files it too (ZONE_F2)
    # 三(一)3: 超过500 and growing, once
    f2(2015, "限上500", BIG_T, 400), f2(2016, "限上500", BIG_T, 500),  # 500 is not 超过500
    f2(2017, "限上500", BIG_T, 500.01), f2(2018, "限上500", BIG_T, 600),  # 2017: 10; 2018: already had it
    f2(2015, "规上不增长", BIG_I, 800), f2(2016, "规上不增长", BIG_I, 700),  # falls
    f2(2017, "规上不增长", BIG_I, 700), f2(2018, "规上不增长", BIG_I, 900),  # equal: no; 2018 grows: 10
    f2(2016, "规上无上年", BIG_I, 1000),  # no previous year: growth unknown, nothing
    # 三(一)4: ≥ 100 → 2 (first year); 规上/限上 the next year → 5
    f2(2015, "小微次年规上", SMALL, 99.99), f2(2016, "小微次年规上", SMALL, 100),  # 2016: 2
    f2(2017, "小微次年规上", BIG_I, 200), f2(2018, "小微次年规上", SMALL, 150),  # 2017: 5; 2018: nothing more
    f2(2015, "小微隔年限上", SMALL, 100), f2(2016, "小微隔年限上", SMALL, 300),  # 2015: 2
    f2(2017, "小微隔年限上", BIG_T, 400),  # two years later: no 5
    # before the policy (December 2015): 2014 data earns nothing, and the windows start in 2015
    f2(2014, "政策前小微", SMALL, 150), f2(2015, "政策前小微", SMALL, 150),  # 2015: 2 (not 2014)
    *[f2(y, "政策前平台", PLAT, 3000, 100) for y in (2014, 2015, 2016, 2017, 2018)],  # 20 in 2015–2017
    # 三(一)5: 50 in the listing year, once
    f2(2015, "新三板挂牌", OTHER), f2(2016, "新三板挂牌", OTHER, listed=D(2016, 8, 1)),
    f2(2017, "新三板挂牌", OTHER, listed=D(2016, 8, 1)),
    # 三(三)1: 10 a year for 2 consecutive years; 2016 without a pavilion ends the run: 2015 only, never again
    f2(2015, "特色馆", OTHER, pavilion="是"), f2(2016, "特色馆", OTHER, pavilion="否"),
    f2(2017, "特色馆", OTHER, pavilion="是"), f2(2018, "特色馆", OTHER, pavilion="是"),
    f2(2016, "特色馆两年", OTHER, pavilion="是"), f2(2017, "特色馆两年", OTHER, pavilion="是"),
    f2(2018, "特色馆两年", OTHER, pavilion="是"),  # 2016, 2017: 10 each; 2018: the two years are over
]


PARK = "聚集发展园区"


def f3(year, name, mode, floor, occupied, category="电商楼宇"):
    return [year, name, "源城区", category, "否" if category == "孵化基地" else None, mode, floor, occupied, 5,
            "在建" if category == "聚集发展园区" else None]


ZONE_F2 = [f2(2016, "平台县区与园区", PLAT, 3000, 100, region="市高新区")]

F3_ROWS = [
    # 三(二)1a rented, 超过2000㎡, from 2016, occupied × 0.0024 万元, ≤ 20 a year, 3 years
    f3(2016, "租用2000", "租用", 2000, 1500),  # not 超过2000
    f3(2016, "租用2000.5", "租用", 2000.5, 1500, "孵化基地"),  # 1500 × 2 × 12 = 36000元 = 3.6万
    f3(2016, "租用未到上限", "租用", 10000, 8333),  # 19.9992
    f3(2016, "租用刚过上限", "租用", 10000, 8334),  # 20.0016 → 20
    *[f3(y, "租用五年", "租用", 100000, 90000) for y in (2015, 2016, 2017, 2018, 2019)],  # 216 → 20 in 2016–2018
    # 三(二)1b self-built 聚集发展园区 (企业自建园区), 入驻率超过60%, from 2015, ≤ 50 a year, 3 years
    f3(2015, "自建60%", "自建", 2000, 1200, PARK),  # exactly 60%: not 超过
    f3(2015, "自建60.1%", "自建", 2000, 1202, PARK),  # 1202 × 0.0024 = 2.8848
    f3(2015, "自建未到上限", "自建", 30000, 20833, PARK),  # 49.9992
    f3(2015, "自建刚过上限", "自建", 30000, 20834, PARK),  # 50.0016 → 50
    *[f3(y, "自建五年", "自建", 300000, 250000, PARK) for y in (2014, 2015, 2016, 2017, 2018)],  # 600 → 50 in 2015–2017
    # the self-built clause is for parks only: a self-built base or building at 90% gets nothing
    f3(2015, "自建孵化基地", "自建", 10000, 9000, "孵化基地"), f3(2015, "自建电商楼宇", "自建", 10000, 9000),
]

F6_ROWS = [
    [2014, "示范村2014", "紫金县", "电商示范村", D(2014, 9, 1)],
    [2015, "示范村2015", "紫金县", "电商示范村", D(2015, 9, 1)],
    [2016, "示范村2015", "紫金县", "电商示范村", D(2016, 9, 1)],  # recognised again: still once
    [2017, "示范村2017", "龙川县", "电商示范村", D(2017, 9, 1)],
    [2018, "示范村2018", "龙川县", "电商示范村", D(2018, 9, 1)],
    [2014, "跨境平台2014", "源城区", "跨境电商平台开通", D(2014, 5, 1)],
    [2015, "跨境平台2015", "源城区", "跨境电商平台开通", D(2015, 5, 1)],
    [2017, "跨境平台2017", "源城区", "跨境电商平台开通", D(2017, 5, 1)],
    [2018, "跨境平台2018", "源城区", "跨境电商平台开通", D(2018, 5, 1)],
]

EXPECTED = {
    ("三(一)2a", 2015, "平台销售2000"): 50.0,
    ("三(一)2a", 2015, "平台销售4999.99"): 50.0,
    ("三(一)2a", 2015, "平台销售5000"): 80.0,
    ("三(一)2a", 2015, "平台销售9999.99"): 80.0,
    ("三(一)2a", 2015, "平台销售10000"): 100.0,
    ("三(一)2a", 2015, "平台利息120"): 24.0,
    ("三(一)2a", 2015, "平台利息250"): 50.0,
    ("三(一)2a", 2015, "平台四年"): 20.0,
    ("三(一)2a", 2016, "平台四年"): 20.0,
    ("三(一)2a", 2017, "平台四年"): 20.0,
    ("三(一)2a", 2016, "平台首年不足"): 20.0,
    ("三(一)2a", 2017, "平台首年不足"): 20.0,
    ("三(一)2a", 2016, "平台县区与园区"): 20.0,
    ("三(一)3", 2017, "限上500"): 10.0,
    ("三(一)3", 2018, "规上不增长"): 10.0,
    ("三(一)4a", 2016, "小微次年规上"): 2.0,
    ("三(一)4b", 2017, "小微次年规上"): 5.0,
    ("三(一)4a", 2015, "小微隔年限上"): 2.0,
    ("三(一)4a", 2015, "政策前小微"): 2.0,
    ("三(一)2a", 2015, "政策前平台"): 20.0,
    ("三(一)2a", 2016, "政策前平台"): 20.0,
    ("三(一)2a", 2017, "政策前平台"): 20.0,
    ("三(一)5", 2016, "新三板挂牌"): 50.0,
    ("三(三)1", 2015, "特色馆"): 10.0,
    ("三(三)1", 2016, "特色馆两年"): 10.0,
    ("三(三)1", 2017, "特色馆两年"): 10.0,
    ("三(二)1a", 2016, "租用2000.5"): 3.6,
    ("三(二)1a", 2016, "租用未到上限"): 19.9992,
    ("三(二)1a", 2016, "租用刚过上限"): 20.0,
    ("三(二)1a", 2016, "租用五年"): 20.0,
    ("三(二)1a", 2017, "租用五年"): 20.0,
    ("三(二)1a", 2018, "租用五年"): 20.0,
    ("三(二)1b", 2015, "自建60.1%"): 2.8848,
    ("三(二)1b", 2015, "自建未到上限"): 49.9992,
    ("三(二)1b", 2015, "自建刚过上限"): 50.0,
    ("三(二)1b", 2015, "自建五年"): 50.0,
    ("三(二)1b", 2016, "自建五年"): 50.0,
    ("三(二)1b", 2017, "自建五年"): 50.0,
    ("三(三)4", 2015, "示范村2015"): 5.0,
    ("三(三)4", 2017, "示范村2017"): 5.0,
    ("三(三)6a", 2015, "跨境平台2015"): 10.0,
    ("三(三)6a", 2017, "跨境平台2017"): 10.0,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_home(tmp_path_factory.mktemp("subsidies"), {
        "电子商务企业名录.xlsx": {"电子商务企业名录": [F2_HEADER, *F2_ROWS]},
        "电子商务企业名录_市高新区.xlsx": {"电子商务企业名录": [F2_HEADER, *ZONE_F2]},
        "孵化基地和产业园情况表.xlsx": {"孵化基地和产业园情况表": [F3_HEADER, *F3_ROWS]},
        "农村电商与示范认定表.xlsx": {"农村电商与示范认定表": [F6_HEADER, *F6_ROWS]},
    })


@pytest.fixture(scope="module")
def estimates(built) -> dict[tuple, dict]:
    cols = ["rule_id", "clause", "year", "region_code", "entity_key", "entity_name", "basis", "amount_wan", "note"]
    rows = query(built, f"SELECT {', '.join(cols)} FROM subsidy_estimates")
    out = {}
    for row in rows:
        rec = dict(zip(cols, row, strict=True))
        key = (rec["rule_id"], rec["year"], rec["entity_name"])
        assert key not in out, f"two estimates for {key}"
        out[key] = rec
    return out


def test_columns(built):
    cols = query(built, "SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_name = 'subsidy_estimates' ORDER BY ordinal_position")
    assert cols == [("rule_id", "VARCHAR"), ("clause", "VARCHAR"), ("year", "BIGINT"), ("region_code", "VARCHAR"),
                    ("entity_key", "VARCHAR"), ("entity_name", "VARCHAR"), ("basis", "VARCHAR"),
                    ("amount_wan", "DOUBLE"), ("note", "VARCHAR")]
    cols = query(built, "SELECT column_name FROM information_schema.columns "
                        "WHERE table_name = 'subsidy_summary' ORDER BY ordinal_position")
    assert [c for (c,) in cols] == ["year", "clause", "entities", "amount_wan"]


def test_every_estimate_and_no_other(estimates):
    got = {k: r["amount_wan"] for k, r in estimates.items()}
    assert set(got) == set(EXPECTED), (sorted(set(got) - set(EXPECTED)), sorted(set(EXPECTED) - set(got)))
    for key, amount in EXPECTED.items():
        assert got[key] == pytest.approx(amount, abs=1e-9), key


@pytest.mark.parametrize(("sales", "cap"), [(1999.99, None), (2000, 50), (4999.99, 50), (5000, 80), (9999.99, 80),
                                            (10000, 100)])
def test_interest_cap_on_both_sides_of_every_edge(estimates, sales, cap):
    name = f"平台销售{sales:g}"
    row = estimates.get(("三(一)2a", 2015, name))
    if cap is None:
        assert row is None
    else:
        assert row["amount_wan"] == cap
        assert row["basis"] == f"贷款利息1000万元×20%=200万元；平台年销售额{sales:g}万元，当年限额{cap}万元，按限额{cap}万元"


def test_interest_below_the_cap_is_20_percent(estimates):
    row = estimates[("三(一)2a", 2015, "平台利息120")]
    assert row["amount_wan"] == 24.0
    assert row["basis"] == "贷款利息120万元×20%=24万元；平台年销售额6000万元，当年限额80万元"
    assert row["clause"] == "三(一)2" and row["entity_key"] == _uscc("平台利息120") and row["region_code"] == "441602"
    assert row["note"] == "测算：平台型电商企业第1年（连续3年贴息）"
    assert estimates[("三(一)2a", 2015, "平台利息250")]["basis"].endswith("当年限额50万元")  # 50 = the cap: not "按限额"


def test_three_year_window_counts_from_the_first_platform_year(estimates):
    assert [y for (r, y, n) in sorted(estimates) if n == "平台四年"] == [2015, 2016, 2017]
    assert [y for (r, y, n) in sorted(estimates) if n == "平台首年不足"] == [2016, 2017]
    assert estimates[("三(一)2a", 2017, "平台首年不足")]["note"] == "测算：平台型电商企业第3年（连续3年贴息）"


def test_an_enterprise_filed_by_county_and_zone_is_estimated_once_in_the_county(estimates):
    row = estimates[("三(一)2a", 2016, "平台县区与园区")]
    assert row["region_code"] == "441602"


def test_online_sales_award_needs_more_than_500_and_growth(estimates):
    row = estimates[("三(一)3", 2017, "限上500")]
    assert row["basis"] == "限上商贸企业年网上销售额500.01万元>500万元，且高于上年500万元；一次性奖励10万元"
    assert ("三(一)3", 2016, "限上500") not in estimates  # 500: not 超过
    assert ("三(一)3", 2018, "限上500") not in estimates  # one-off
    assert ("三(一)3", 2017, "规上不增长") not in estimates  # 700 after 700
    assert not [k for k in estimates if k[2] == "规上无上年"]


def test_small_enterprise_award_and_the_next_year_bonus(estimates):
    assert ("三(一)4a", 2015, "小微次年规上") not in estimates  # 99.99
    assert estimates[("三(一)4a", 2016, "小微次年规上")]["basis"] == "小微电商企业年网上销售额100万元≥100万元；一次性奖励2万元"
    assert estimates[("三(一)4b", 2017, "小微次年规上")]["basis"] == \
        "2016年为小微电商培育对象（三(一)4a），2017年为规上工业企业；再给予一次性奖励5万元"
    assert not [k for k in estimates if k[2] == "小微隔年限上" and k[0] != "三(一)4a"]


def test_neeq_listing_and_pavilion(estimates):
    assert estimates[("三(一)5", 2016, "新三板挂牌")]["basis"] == "新三板挂牌日期2016-08-01；每家一次性奖励50万元"
    # 2015 yes, 2016 no, 2017 yes again: the run of 2015 ended in 2016, so only 2015 is paid
    assert [y for (r, y, n) in sorted(estimates) if n == "特色馆"] == [2015]
    assert [y for (r, y, n) in sorted(estimates) if n == "特色馆两年"] == [2016, 2017]
    assert estimates[("三(三)1", 2017, "特色馆两年")]["note"] == "测算：第2年（连续2年）"


def test_park_area_occupancy_and_caps(estimates):
    assert not [k for k in estimates if k[2] in ("租用2000", "自建60%")]
    assert estimates[("三(二)1a", 2016, "租用2000.5")]["basis"] == \
        "租用，建筑面积2000.5㎡>2000㎡；入驻面积1500㎡×2元/㎡/月×12月=3.6万元"
    assert estimates[("三(二)1a", 2016, "租用刚过上限")]["basis"].endswith("=20.0016万元，超过每年最高20万元，按20万元")
    assert estimates[("三(二)1b", 2015, "自建60.1%")]["basis"] == \
        "自建聚集发展园区，入驻率1202÷2000=60.1%>60%；入驻面积1202㎡×2元/㎡/月×12月=2.8848万元"
    assert estimates[("三(二)1b", 2015, "自建刚过上限")]["basis"].endswith("=50.0016万元，超过每年最高50万元，按50万元")
    # rented: nothing before 2016, three years; self-built: nothing before 2015, three years
    assert [y for (r, y, n) in sorted(estimates) if n == "租用五年"] == [2016, 2017, 2018]
    assert [y for (r, y, n) in sorted(estimates) if n == "自建五年"] == [2015, 2016, 2017]
    assert estimates[("三(二)1a", 2018, "租用五年")]["note"] == "测算：2016年起连续补助第3年（连续3年）"
    assert not [k for k in estimates if k[2] in ("自建孵化基地", "自建电商楼宇")]


def test_recognitions_only_2015_to_2017_and_once(estimates):
    assert [(r, y, n) for (r, y, n) in sorted(estimates) if r in ("三(三)4", "三(三)6a")] == [
        ("三(三)4", 2015, "示范村2015"), ("三(三)4", 2017, "示范村2017"),
        ("三(三)6a", 2015, "跨境平台2015"), ("三(三)6a", 2017, "跨境平台2017")]
    assert estimates[("三(三)4", 2015, "示范村2015")]["entity_key"] == "441621|示范村2015"


def test_summary_by_year_and_clause(built):
    rows = {(y, c): (n, a) for y, c, n, a in query(built, "SELECT * FROM subsidy_summary")}
    # 2015 三(一)2: 50+50+80+80+100+24+50+20 (平台四年) +20 (政策前平台) = 474 from 9 platforms
    assert rows[(2015, "三(一)2")] == (9, 474.0)
    # 2016 三(二)1: rented 3.6 + 19.9992 + 20 + 20, self-built 自建五年 50 = 113.5992 from 5 parks
    assert rows[(2016, "三(二)1")][0] == 5 and rows[(2016, "三(二)1")][1] == pytest.approx(113.5992)
    # 2015 三(二)1: 2.8848 + 49.9992 + 50 + 50 = 152.884 from 4 self-built parks
    assert rows[(2015, "三(二)1")][1] == pytest.approx(152.884)
    # 2017 三(一)4: the 5 of 三(一)4b
    assert rows[(2017, "三(一)4")] == (1, 5.0)
    total = query(built, "SELECT sum(amount_wan) FROM subsidy_summary")[0][0]
    assert total == pytest.approx(sum(EXPECTED.values()))


def test_policy_page_tab_shows_the_estimates(built, monkeypatch):
    use_home(built, monkeypatch)
    at = open_app_page("app_pages/policy.py")
    assert [t.label for t in at.tabs][-1] == "兑现测算"
    info = next(i.value for i in at.info if "兑现决定" in i.value)
    assert "测算，不是兑现决定" in info and "按较高档次适用" in info and "“超过”不含本数" in info
    year = at.selectbox(key="subsidy_year")
    assert year.options == [f"{y}年" for y in (2018, 2017, 2016, 2015)] and year.value == 2018
    year.set_value(2015).run()
    assert not at.exception, [e.value for e in at.exception]
    frames = [d.value for d in at.dataframe]
    summary = next(f for f in frames if "企业或单位数" in f.columns)
    assert summary.set_index("条款").loc["三(一)2", "测算金额（万元）"] == pytest.approx(474.0)
    detail = next(f for f in frames if "测算依据" in f.columns)
    assert len(detail) == sum(1 for (_, y, _) in EXPECTED if y == 2015)
    row = detail[detail["企业或单位"] == "平台利息120"].iloc[0]
    assert row["测算金额（万元）"] == 24.0 and row["县区"] == "源城区"
    skipped = next(f for f in frames if "未测算原因" in f.columns)
    assert set(skipped["规则"]) == {"三(二)2", "三(四)4"}
