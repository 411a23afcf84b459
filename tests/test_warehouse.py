"""The public views, after loading the fixture set through the real command line.

Every expected number is worked out by hand from the fixture (tests/conftest.py) in the comments.
County order everywhere: 源城区, 紫金县, 龙川县, 连平县, 和平县, 东源县.
"""

from __future__ import annotations

import math

import pytest
from conftest import city_values, cli, make_fixture_set, query, write_xlsx

CITY = "441600"


@pytest.fixture
def loaded(home, fixture_files):
    code, out = cli("load", *fixture_files)
    assert code == 0, out
    assert "已入库 7 个文件" in out
    # the fixture is clean but for one warning: the statistics bureau's 全市 2016 online retail (36500) is 5.5%
    # above the six counties' sum (34600), beyond the stated ±5%
    warnings = [line for line in out.splitlines() if line.strip().startswith("警告：")]
    assert len(warnings) == 1 and "全市网络零售额与六个县区之和（34,600万元）相差+5.5%，超过±5%" in warnings[0]
    return home


@pytest.fixture
def loaded_to_2016(home, tmp_path):
    code, out = cli("load", *make_fixture_set(tmp_path / "to2016", last_year=2016))
    assert code == 0, out
    return home


def test_contract_view_columns(loaded):
    cols = query(loaded, "SELECT column_name, data_type FROM information_schema.columns "
                         "WHERE table_name = 'indicator_values' ORDER BY ordinal_position")
    assert [c for c, _ in cols] == ["indicator", "region_code", "period", "value", "source"]
    assert dict(cols)["period"] == "VARCHAR"
    cols = query(loaded, "SELECT column_name FROM information_schema.columns "
                         "WHERE table_name = 'target_progress' ORDER BY ordinal_position")
    assert [c for (c,) in cols] == ["indicator", "deadline", "target", "comparator", "actual", "actual_period", "ratio",
                                    "status"]
    # one value per indicator, region and period
    assert query(loaded, "SELECT count(*) FROM (SELECT indicator, region_code, period FROM indicator_values "
                         "GROUP BY ALL HAVING count(*) > 1)") == [(0,)]


def test_city_retail_from_county_sums_or_the_reported_city_figure(loaded):
    # 社零: 2014 100000+50000+60000+30000+30000+30000 = 300000; 2015 110000+55000+66000+33000+33000+33000 = 330000;
    # 2016 the statistics bureau's 全市 365000 beats the county sum 360000; 2017 130000+70000+80000+40000×3 = 400000.
    # 江东新区's 8000 (2016) and 9000 (2017) are never added.
    rows = query(loaded, "SELECT period, value, source FROM indicator_values WHERE indicator = 'retail_total' "
                         "AND region_code = ? ORDER BY period", [CITY])
    assert rows == [("2014", 300000.0, "derived"), ("2015", 330000.0, "derived"), ("2016", 365000.0, "reported"),
                    ("2017", 400000.0, "derived")]
    # 网络零售额: 2014 10000+2000+3000+1000+1000+3000 = 20000; 2015 12000+2600+4000+1400+1400+4000 = 25400;
    # 2016 全市 36500 (counties: 34600); 2017 22000+5000+7000+2800+2800+8400 = 48000
    assert city_values(loaded, "online_retail") == {"2014": 20000.0, "2015": 25400.0, "2016": 36500.0, "2017": 48000.0}
    # the zone is there beside the counties, as reported
    assert query(loaded, "SELECT period, value, source FROM indicator_values WHERE indicator = 'online_retail' "
                         "AND region_code = '441692' ORDER BY period") == [("2016", 1000.0, "reported"),
                                                                            ("2017", 1200.0, "reported")]
    assert query(loaded, "SELECT value FROM indicator_values WHERE indicator = 'online_retail' "
                         "AND region_code = '441625' AND period = '2017'") == [(8400.0,)]


def test_city_missing_when_a_county_has_not_reported(loaded):
    # 2017Q3: five counties reported, 东源县 did not → no city value (no 全市 row either)
    assert query(loaded, "SELECT count(*) FROM indicator_values WHERE region_code = ? AND period = '2017Q3'", [CITY]) == [(0,)]
    assert query(loaded, "SELECT count(*) FROM indicator_values WHERE indicator = 'online_retail' "
                         "AND period = '2017Q3'") == [(5,)]
    # 农村网络零售额 2016: 东源县 left it blank → no city value; 2017 all six: 2000+1500+2000+1000+1000+3000 = 10500
    assert city_values(loaded, "rural_online_retail") == {"2017": 10500.0}


def test_online_retail_share_is_city_online_over_city_total(loaded):
    share = city_values(loaded, "online_retail_share")
    # 2014: 20000 ÷ 300000 = 6.667% (the mean of the county shares 10, 4, 5, 3.33, 3.33, 10 would be 5.94%)
    assert share["2014"] == pytest.approx(100 * 20000 / 300000)
    assert share["2014"] != pytest.approx((10 + 4 + 5 + 10 / 3 + 10 / 3 + 10) / 6)
    assert share["2015"] == pytest.approx(100 * 25400 / 330000)  # 7.697%
    assert share["2016"] == pytest.approx(10.0)  # 全市 36500 ÷ 365000 (the counties' 34600 ÷ 360000 would be 9.61%)
    assert share["2017"] == pytest.approx(12.0)  # 48000 ÷ 400000
    assert query(loaded, "SELECT value FROM indicator_values WHERE indicator = 'online_retail_share' "
                         "AND region_code = '441602' AND period = '2017'") == [(pytest.approx(100 * 22000 / 130000),)]


def test_brand_online_rate_is_recomputed_not_averaged(loaded):
    # 2014: 2 of 5 online = 40% (源城 1/2, 紫金 1/1, 龙川 0/2: mean of county rates 50%)
    # 2016: 3 of 5 = 60% (mean of 100, 100, 0 = 66.7%); 2017: 6 of 8 = 75% (mean of 100, 50, 50 = 66.7%)
    assert city_values(loaded, "brand_online_rate") == {"2014": 40.0, "2015": 60.0, "2016": 60.0, "2017": 75.0}
    county = query(loaded, "SELECT region_code, value FROM indicator_values WHERE indicator = 'brand_online_rate' "
                           "AND period = '2017' AND region_code <> ? ORDER BY region_code", [CITY])
    assert county == [("441602", 100.0), ("441621", 50.0), ("441622", 50.0)]


def test_counts_stage_and_training(loaded):
    # platforms: P1 (源城区, recognised from 2015) and P3 (紫金县, recognised 2017); 市高新区 also lists P1
    # in 2017 under the same 统一社会信用代码 → city 2017 = 2, not 3
    assert city_values(loaded, "platform_enterprises") == {"2014": 0.0, "2015": 1.0, "2016": 1.0, "2017": 2.0}
    assert query(loaded, "SELECT region_code, value FROM indicator_values WHERE indicator = 'platform_enterprises' "
                         "AND period = '2017' ORDER BY region_code") == [
        ("441600", 2.0), ("441602", 1.0), ("441621", 1.0), ("441691", 1.0)]
    assert city_values(loaded, "incubation_bases") == {"2014": 0.0, "2015": 1.0, "2016": 2.0, "2017": 2.0}
    assert city_values(loaded, "concentrated_incubation_bases") == {"2014": 0.0, "2015": 0.0, "2016": 1.0, "2017": 2.0}
    # stage = the highest stage of any park: 2017 龙川 在建 (2) and 东源 规划中 (0) → 2
    assert city_values(loaded, "cluster_park_stage") == {"2014": 0.0, "2015": 1.0, "2016": 2.0, "2017": 2.0}
    assert query(loaded, "SELECT region_code, value FROM indicator_values WHERE indicator = 'cluster_park_stage' "
                         "AND period = '2017' ORDER BY region_code") == [("441600", 2.0), ("441622", 2.0), ("441625", 0.0)]
    # trainees by the year a class ends: 2014 500; 2015 1200+900; 2016 1600+1400; 2017 1000 (the class of
    # 2016-12-20 – 2017-01-10 counts in 2017) + 3000
    assert city_values(loaded, "trainees") == {"2014": 500.0, "2015": 2100.0, "2016": 3000.0, "2017": 4000.0}
    assert query(loaded, "SELECT period, value FROM indicator_values WHERE indicator = 'trainees' "
                         "AND region_code = '441625'") == [("2017", 1000.0)]
    # cumulative from 2015 (the 2014 class is not counted): 2100, 5100, 9100
    assert city_values(loaded, "trainees_cumulative") == {"2015": 2100.0, "2016": 5100.0, "2017": 9100.0}
    assert city_values(loaded, "demo_villages") == {"2015": 1.0, "2016": 2.0, "2017": 1.0}
    assert city_values(loaded, "cross_border_platforms")["2016"] == 1.0


def test_places_are_keyed_by_county_and_name(loaded):
    # a base, park, village or platform is (所在县区, 名称): entity_key = region code | name
    assert query(loaded, "SELECT entity_key FROM indicator_entities WHERE indicator = 'incubation_bases' AND year = 2016 "
                         "ORDER BY entity_key") == [("441602|源城区电商孵化基地",), ("441621|紫金县电商孵化中心",)]
    assert query(loaded, "SELECT DISTINCT entity_key FROM indicator_entities WHERE indicator = 'cluster_park_stage' "
                         "ORDER BY 1") == [("441622|龙川县电子商务产业园",), ("441625|东源县电商聚集区",)]
    # brand enterprises: one row per enterprise (统一社会信用代码), 2017: 8 enterprises, 6 online
    assert query(loaded, "SELECT count(*), count(DISTINCT entity_key), sum(amount) FROM indicator_entities "
                         "WHERE indicator = 'brand_enterprises' AND year = 2017") == [(8, 8, 6.0)]


def test_the_cross_border_aim_is_tracked_beside_the_14_targets(loaded):
    # 三(三)6 从2015年起至2017年，培育2—3家: one platform opened (2016, 源城区) → cumulative 2015 0, 2016 1, 2017 1
    assert city_values(loaded, "cross_border_platforms_cumulative") == {"2015": 0.0, "2016": 1.0, "2017": 1.0}
    assert city_values(loaded, "cross_border_platforms") == {"2015": 0.0, "2016": 1.0, "2017": 0.0}  # per year
    cols = query(loaded, "SELECT column_name FROM information_schema.columns WHERE table_name = 'aim_progress' "
                         "ORDER BY ordinal_position")
    assert [c for (c,) in cols] == ["indicator", "deadline", "target", "comparator", "actual", "actual_period", "ratio",
                                    "status", "aim_id", "aim_text", "clause", "clause_text", "note"]
    # 1 < 2 at the end of 2017: 未达标
    assert query(loaded, "SELECT indicator, deadline, target, comparator, actual, actual_period, ratio, status, aim_id, "
                         "clause FROM aim_progress") == [
        ("cross_border_platforms_cumulative", 2017, 2.0, ">=", 1.0, "2017", 0.5, "未达标", "2017_cross_border_platforms",
         "三(三)6")]


def test_the_cross_border_aim_before_its_deadline(loaded_to_2016):
    # data to 2016 only: path 0 + 2 × (2016 − 2014)/(2017 − 2014) = 1.333 > 1 → 滞后
    assert query(loaded_to_2016, "SELECT actual, actual_period, status FROM aim_progress") == [(1.0, "2016", "滞后")]


# Target statuses with all data (as-of year 2017). path = v0 + (target − v0)·(t − 2014)/(deadline − 2014), t = 2017
FULL = [
    # indicator, deadline, target, comparator, actual, actual_period, ratio, status
    ("platform_enterprises", 2015, 1.0, ">=", 1.0, "2015", 1.0, "达标"),
    ("incubation_bases", 2015, 2.0, ">=", 1.0, "2015", 0.5, "未达标"),
    ("cluster_park_stage", 2015, 1.0, ">=", 1.0, "2015", 1.0, "达标"),
    ("trainees_cumulative", 2015, 2000.0, ">=", 2100.0, "2015", 1.05, "达标"),
    ("platform_enterprises", 2017, 2.0, ">=", 2.0, "2017", 1.0, "达标"),
    ("concentrated_incubation_bases", 2017, 2.0, ">=", 2.0, "2017", 1.0, "达标"),
    ("cluster_park_stage", 2017, 3.0, ">=", 2.0, "2017", 2 / 3, "未达标"),
    ("trainees_cumulative", 2017, 10000.0, ">=", 9100.0, "2017", 0.91, "未达标"),
    ("brand_online_rate", 2017, 70.0, ">=", 75.0, "2017", 75 / 70, "达标"),
    ("platform_enterprises", 2020, 5.0, ">=", 2.0, "2017", 0.4, "滞后"),  # path 0 + 5·3/6 = 2.5 > 2
    ("concentrated_incubation_bases", 2020, 3.0, ">=", 2.0, "2017", 2 / 3, "进度正常"),  # path 1.5 ≤ 2
    ("cluster_park_stage", 2020, 3.0, ">=", 2.0, "2017", 2 / 3, "进度正常"),  # v0 = 0 (规划中 in 2014); path 1.5
    ("online_retail_share", 2020, 20.0, ">=", 12.0, "2017", 0.6, "滞后"),  # path 6.667 + 13.333·3/6 = 13.333 > 12
    ("brand_online_rate", 2020, 100.0, ">=", 75.0, "2017", 0.75, "进度正常"),  # path 40 + 60·3/6 = 70 ≤ 75
]

# Only 2014–2016 loaded (as-of year 2016): the 2017 targets are still ahead, t = 2016
TO_2016 = FULL[:4] + [
    ("platform_enterprises", 2017, 2.0, ">=", 1.0, "2016", 0.5, "滞后"),  # path 0 + 2·2/3 = 1.333 > 1
    ("concentrated_incubation_bases", 2017, 2.0, ">=", 1.0, "2016", 0.5, "滞后"),  # path 1.333 > 1
    ("cluster_park_stage", 2017, 3.0, ">=", 2.0, "2016", 2 / 3, "进度正常"),  # path 0 + 3·2/3 = 2 ≤ 2 (on the path)
    ("trainees_cumulative", 2017, 10000.0, ">=", 5100.0, "2016", 0.51, "滞后"),  # path 10000·2/3 = 6666.7 > 5100
    ("brand_online_rate", 2017, 70.0, ">=", 60.0, "2016", 60 / 70, "进度正常"),  # path 40 + 30·2/3 = 60 ≤ 60
    ("platform_enterprises", 2020, 5.0, ">=", 1.0, "2016", 0.2, "滞后"),  # path 5·2/6 = 1.667 > 1
    ("concentrated_incubation_bases", 2020, 3.0, ">=", 1.0, "2016", 1 / 3, "进度正常"),  # path 3·2/6 = 1 ≤ 1
    ("cluster_park_stage", 2020, 3.0, ">=", 2.0, "2016", 2 / 3, "进度正常"),  # path 1 ≤ 2
    ("online_retail_share", 2020, 20.0, ">=", 10.0, "2016", 0.5, "滞后"),  # path 6.667 + 13.333·2/6 = 11.11 > 10
    ("brand_online_rate", 2020, 100.0, ">=", 60.0, "2016", 0.6, "进度正常"),  # path 40 + 60·2/6 = 60 ≤ 60
]


def _progress(home):
    return query(home, "SELECT * FROM target_progress")


def _approx(rows):
    return [tuple(pytest.approx(v) if isinstance(v, float) else v for v in r) for r in rows]


def test_target_progress_all_data(loaded):
    assert query(loaded, "SELECT as_of_year FROM warehouse_info") == [(2017,)]
    assert _progress(loaded) == _approx(FULL)


def test_target_progress_with_data_only_up_to_2016(loaded_to_2016):
    assert query(loaded_to_2016, "SELECT as_of_year FROM warehouse_info") == [(2016,)]
    assert _progress(loaded_to_2016) == _approx(TO_2016)
    # the path values behind 进度正常 / 滞后
    paths = dict(query(loaded_to_2016, "SELECT indicator || '@' || deadline, path_value FROM target_progress_detail"))
    assert paths["trainees_cumulative@2017"] == pytest.approx(10000 * 2 / 3)
    assert paths["brand_online_rate@2017"] == pytest.approx(60.0)
    assert paths["online_retail_share@2020"] == pytest.approx(20 / 3 + (20 - 20 / 3) * 2 / 6)


def test_target_progress_without_data(home):
    assert cli("build")[0] == 0
    rows = _progress(home)
    assert len(rows) == 14
    assert {r[-1] for r in rows} == {"无数据"}
    assert [r[1] for r in rows] == [2015] * 4 + [2017] * 5 + [2020] * 5


def test_target_progress_detail_projection_and_growth(loaded):
    detail = {r[0]: r[1:] for r in query(loaded, "SELECT target_id, growth_base_t, growth_base_value, cagr_observed, "
                                                 "cagr_required, growth_ratio, growth_category, projection, path_value "
                                                 "FROM target_progress_detail")}
    # 网零占比 2020: base 2014 (b = 2014, vb = 20000/300000·100 = 6.667), actual 12 at t = 2017
    #   g observed = (12 ÷ 6.667)^(1/3) − 1 = 1.8^(1/3) − 1 = 0.21644
    #   g required = (20 ÷ 6.667)^(1/(2020 − 2014)) − 1 = 3^(1/6) − 1 = 0.20094
    #   growth_ratio = 0.21644 ÷ 0.20094 = 1.0772 → 进展良好 (≥ 0.95)
    #   projection = 12 × 1.8^((2020 − 2017)/3) = 12 × 1.8 = 21.6; path = 13.333
    b, vb, obs, req, ratio, cat, proj, path = detail["2020_online_retail_share"]
    assert (b, vb) == (2014.0, pytest.approx(20 / 3))
    assert obs == pytest.approx(1.8 ** (1 / 3) - 1) and obs == pytest.approx(0.21644, abs=1e-5)
    assert req == pytest.approx(3 ** (1 / 6) - 1) and req == pytest.approx(0.20094, abs=1e-5)
    assert ratio == pytest.approx(1.0772, abs=1e-4) and cat == "进展良好"
    assert proj == pytest.approx(21.6)
    assert path == pytest.approx(40 / 3)
    # 累计培训 2017: base 2015 (2014 has no cumulative value; 2100), actual 9100 at 2017
    #   g observed = (9100 ÷ 2100)^(1/2) − 1 = 1.08167; required = (10000 ÷ 2100)^(1/2) − 1 = 1.18218
    #   ratio 0.91498 → 需要加速 (≥ 0.6, < 0.95); deadline reached: projection = actual
    b, vb, obs, req, ratio, cat, proj, _ = detail["2017_trainees_cumulative"]
    assert (b, vb) == (2015.0, 2100.0)
    assert obs == pytest.approx(math.sqrt(9100 / 2100) - 1)
    assert req == pytest.approx(math.sqrt(10000 / 2100) - 1)
    assert ratio == pytest.approx(0.91498, abs=1e-5) and cat == "需要加速"
    assert proj == 9100.0
    # 园区阶段 2017: base 2015 (stage 1; 2014 was 0), actual 2 at 2017: g = √2 − 1 = 0.41421;
    #   required = (3 ÷ 1)^(1/2) − 1 = 0.73205; ratio 0.56583 → 进展有限 (< 0.6)
    _, _, obs, req, ratio, cat, _, _ = detail["2017_cluster_park_stage"]
    assert (obs, req) == (pytest.approx(math.sqrt(2) - 1), pytest.approx(math.sqrt(3) - 1))
    assert ratio == pytest.approx(0.56583, abs=1e-5) and cat == "进展有限"
    # 2015 targets: base 2015 = actual year → no observed growth
    assert detail["2015_trainees_cumulative"][2:6] == (None, None, None, None)


def test_a_zone_row_never_adds_to_a_city_that_is_summed(home, tmp_path):
    header = ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"]
    rows = [header] + [[c, "2019", 1000 * (i + 1), 100 * (i + 1)] for i, c in enumerate(
        ["源城区", "紫金县", "龙川县", "连平县", "和平县", "东源县"])] + [["市高新区", "2019", 50000, 40000]]
    assert cli("load", write_xlsx(tmp_path / "2019.xlsx", {"S": rows}))[0] == 0
    # 1000+2000+…+6000 = 21000; 100+…+600 = 2100; the zone's 50000 / 40000 not added
    assert city_values(home, "retail_total") == {"2019": 21000.0}
    assert city_values(home, "online_retail") == {"2019": 2100.0}
    assert city_values(home, "online_retail_share") == {"2019": pytest.approx(10.0)}


def test_a_reported_city_figure_stands_in_for_counties_that_have_not_reported(home, tmp_path):
    header = ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"]
    five = [["源城区", 1], ["紫金县", 2], ["龙川县", 3], ["连平县", 4], ["和平县", 5]]  # 东源县 has not reported
    rows = [header] + [[c, "2019", 1000 * k, 100 * k] for c, k in five] + [["全市", "2019", 20000, 3000]]
    rows += [[c, "2019Q1", 200 * k, 20 * k] for c, k in five]
    assert cli("load", write_xlsx(tmp_path / "2019.xlsx", {"S": rows}))[0] == 0
    # 2019: the 全市 row (20000 / 3000), reported; 2019Q1: five counties and no 全市 → no city value
    assert query(home, "SELECT indicator, period, value, source FROM indicator_values WHERE region_code = ? "
                       "ORDER BY indicator, period", [CITY]) == [
        ("online_retail", "2019", 3000.0, "reported"),
        ("online_retail_share", "2019", pytest.approx(15.0), "derived"),
        ("retail_total", "2019", 20000.0, "reported"),
    ]
