"""The report layer (etl/report/facts.py): the sentences, the county reading, the score and the reporting rule,
with every value worked out by hand on the conftest fixture set (2014–2017, read as at the end of 2016).

The 2016 reading (targets in force: the 2017 group; path fraction (2016 − 2014) ÷ (2017 − 2014) = 2/3):

  数量类: 应达 = county's 2014 value + city increment ÷ 6
    知名平台型企业  city 2014 = 0 → path 2 × 2/3 = 1.333 → 0.2222 each county (2014 base 0 everywhere)
        源城区 1 (P1 recognised) → 绿, share 4.5 (scored as 1); 紫金县 0 → 红 差1家;
        龙川/连平/和平/东源 sent no F2 (only two counties did: 缺报, not 逾期) → 红 未报送
    集中化孵化基地  city 2014 = 0 → 0.2222 each; 源城区 1 → 绿; 紫金县 0 (B2 not concentrated) → 红;
        龙川县 0 (F3 sent, a park only) → 红; 连平/和平/东源 no F3 → 红 未报送
    累计培训人次    0 → 10000 × 2/3 = 6666.7 → 1111.1 each; 紫金县 1200 → 绿; 龙川县 900 → 81% → 黄
        (差212人次); 连平县 1600, 和平县 1400 → 绿; 源城区 0 (its 2014 class is before 2015), 东源县 0
        (its class ends 2017-01-10) → 红
  园区阶段: city path 0 + 3 × 2/3 = 2; 龙川县 在建 (2) → 绿; 源城区, 紫金县 sent F3 with no park → 灰 不评价;
        the three without F3 → 红 未报送
  比率类: 应达 = v2014 + (70 − v2014) × 2/3 with v2014 capped at the target
    品牌触网率  源城区 v2014 50 → 63.3, 2016 100 → 绿; 紫金县 v2014 100 (capped 70) → 70, 2016 100 → 绿;
        龙川县 v2014 0 → 46.7, 2016 0 → 红 差46.7个百分点; the others sent no F5 → 红 未报送
  reporting (F1, F2, F3, F5 due): 源城区 4/4, 紫金县 4/4, 龙川县 3/4 (no F2), 连平/和平/东源 1/4 (F1 only)
  score = 80 × mean(min(share, 1)) + 20 × reporting:
    源城区 80 × (1+1+0+1)/4 + 20 = 80.0        紫金县 80 × (0+0+1+1)/4 + 20 = 60.0
    龙川县 80 × (0+0+1+0.81+0)/5 + 15 = 44.0   连平县, 和平县 80 × 1/5 + 5 = 21.0 (tied: both 4th)
    东源县 80 × 0 + 5 = 5.0
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import make_fixture_set

from etl.report import facts

COUNTY = {"源城区": "441602", "紫金县": "441621", "龙川县": "441622", "连平县": "441623", "和平县": "441624",
          "东源县": "441625"}


@pytest.fixture(scope="module")
def src(tmp_path_factory) -> facts.Warehouse:
    """The fixture set loaded by the real ETL into a home of this module."""
    from etl import pipeline

    folder = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ECMON_HOME", str(folder / "home"))
        mp.delenv("ECMON_CATALOG", raising=False)
        outcome = pipeline.load(make_fixture_set(folder / "incoming"), simulated=True)
        assert outcome.ok and outcome.published
    return facts.Warehouse(folder / "home" / "warehouse.duckdb")


@pytest.fixture(scope="module")
def reading(src) -> facts.CountyReading:
    return facts.county_reading(src, 2016)


def lights_of(reading, indicator: str) -> dict[str, tuple]:
    part = reading.lights.filter(pl.col("indicator") == indicator)
    return {n: (lt, None if e is None else round(e, 4), g, note)
            for n, lt, e, g, note in part.select("region_name", "light", "expected", "gap", "note").iter_rows()}


def test_the_targets_in_force_are_the_next_deadline_group():
    assert [facts.target_group(y, [2015, 2017, 2020]) for y in (2014, 2015, 2016, 2017, 2018, 2020, 2024)] == [
        2015, 2015, 2017, 2017, 2020, 2020, 2020]


def test_count_targets_owe_an_equal_sixth_of_the_city_increment(reading):
    assert reading.deadline == 2017
    assert lights_of(reading, "platform_enterprises") == {
        "源城区": ("绿", 0.2222, None, None), "紫金县": ("红", 0.2222, "差1家", None),
        "龙川县": ("红", 0.2222, None, "F2未报送"), "连平县": ("红", 0.2222, None, "F2未报送"),
        "和平县": ("红", 0.2222, None, "F2未报送"), "东源县": ("红", 0.2222, None, "F2未报送")}
    assert lights_of(reading, "trainees_cumulative") == {
        "源城区": ("红", 1111.1111, "差1,112人次", None), "紫金县": ("绿", 1111.1111, None, None),
        "龙川县": ("黄", 1111.1111, "差212人次", None), "连平县": ("绿", 1111.1111, None, None),
        "和平县": ("绿", 1111.1111, None, None), "东源县": ("红", 1111.1111, "差1,112人次", None)}


def test_ratio_targets_follow_each_countys_own_path(reading):
    assert lights_of(reading, "brand_online_rate") == {
        "源城区": ("绿", 63.3333, None, None), "紫金县": ("绿", 70.0, None, None),
        "龙川县": ("红", 46.6667, "差46.7个百分点", None), "连平县": ("红", 46.6667, None, "F5未报送"),
        "和平县": ("红", 46.6667, None, "F5未报送"), "东源县": ("红", 46.6667, None, "F5未报送")}


def test_a_county_without_a_park_is_not_assessed_on_the_park_stage(reading):
    got = lights_of(reading, "cluster_park_stage")
    assert got["龙川县"] == ("绿", 2.0, None, None)
    assert got["源城区"] == got["紫金县"] == ("灰", 2.0, None, "无聚集发展园区，不评价")
    assert got["连平县"] == ("红", 2.0, None, "F3未报送")


def test_the_score_ranks_progress_and_reporting_not_size(reading):
    rows = reading.scores.select("region_name", "score", "rank", "reporting_score").rows()
    assert rows == [("源城区", 80.0, 1, 100.0), ("紫金县", 60.0, 2, 100.0), ("龙川县", 44.0, 3, 75.0),
                    ("连平县", 21.0, 4, 25.0), ("和平县", 21.0, 4, 25.0), ("东源县", 5.0, 6, 25.0)]


def test_each_county_is_told_what_to_fix(reading):
    assert reading.fixes["源城区"] == [
        "累计培训人次：2016年0人次，序时进度应达1,112人次，差1,112人次（明显滞后），须对照2017年目标10,000人次制定追赶措施。"]
    assert reading.fixes["连平县"] == ["补报2016年度F2 电子商务企业名录。", "补报2016年度F3 孵化基地和产业园情况表。",
                                    "补报2016年度F5 本地知名品牌企业触网情况表。"]
    long = reading.fixes["龙川县"]
    assert long[0] == "补报2016年度F2 电子商务企业名录。"
    assert "累计培训人次：2016年900人次，序时进度应达1,112人次，差212人次（略低于序时进度）" in long[2]
    assert long[3].startswith("品牌触网率：2016年0%，序时进度应达46.7%，差46.7个百分点（明显滞后）")
    assert not any("F4" in t or "F6" in t for items in reading.fixes.values() for t in items)


# ---- both sides of every edge of the lights (pure: frames in) ------------------------------------------------

def one_target(indicator: str, method: str, unit: str, target: float, value, base=0.0, city_base=0.0,
               form_status: str = facts.STATUS_DONE, year: int = 2016) -> dict:
    targets = pl.DataFrame({"indicator": [indicator], "short_name": ["x"], "name": ["x"], "unit": [unit],
                            "decimals": [1], "city_method": [method], "source_form": ["F1"], "deadline": [2017],
                            "target": [target]})
    counties = pl.DataFrame({"region_code": ["441602"], "name": ["源城区"], "sort_order": [1]})
    vals = pl.DataFrame({"indicator": [indicator], "region_code": ["441602"], "value": [value]},
                        schema={"indicator": pl.String, "region_code": pl.String, "value": pl.Float64})
    base_f = pl.DataFrame({"indicator": [indicator], "region_code": ["441602"], "value": [base]})
    status = pl.DataFrame({"form": ["F1"], "region_code": ["441602"], "status": [form_status]})
    return facts.county_lights(targets, vals, base_f, {indicator: city_base}, counties, status, year).row(0, named=True)


@pytest.mark.parametrize(("value", "light"), [(20.0, "绿"), (19.99, "黄"), (16.0, "黄"), (15.99, "红")])
def test_ratio_light_edges(value, light):
    # base 20, target 20 at 2017 → 应达 20 in 2016; yellow from 80% (16) up
    assert one_target("online_retail_share", "ratio", "%", 20, value, base=20)["light"] == light


@pytest.mark.parametrize(("value", "light"), [(3.0, "绿"), (2.0, "黄"), (1.5, "红"), (1.0, "红")])
def test_stage_light_edges(value, light):
    # city path 0 + 3 × 2/3 = 2; 2017 target 3 → in 2017 the path is 3: at most one stage behind is yellow
    got = one_target("cluster_park_stage", "stage", "阶段", 3, value, year=2017)
    assert got["expected"] == 3 and got["light"] == light


def test_a_missing_value_of_a_form_that_was_not_sent_is_red_and_scores_nothing():
    got = one_target("online_retail_share", "ratio", "%", 20, None, form_status=facts.STATUS_LATE)
    assert (got["light"], got["share"], got["note"]) == ("红", 0.0, "F1未报送")


def test_the_score_formula_both_sides():
    lights = pl.DataFrame({"region_code": ["a", "a", "b", "b"], "region_name": ["甲", "甲", "乙", "乙"],
                           "sort_order": [1, 1, 2, 2], "share": [2.0, 0.5, 1.0, None],
                           "light": ["绿", "红", "绿", "灰"]})
    status = pl.DataFrame({"form": ["F1", "F2", "F4", "F1", "F2", "F6"], "region_code": ["a", "a", "a", "b", "b", "b"],
                           "level": ["county"] * 6, "year": [2016] * 6,
                           "status": [facts.STATUS_DONE, facts.STATUS_PART, facts.STATUS_NONE,
                                      facts.STATUS_DONE, facts.STATUS_MISSING, facts.STATUS_NONE]})
    got = facts.county_scores(lights, status).select("region_name", "progress_score", "reporting_score", "score", "rank").rows()
    # 甲: progress mean(min(2,1), 0.5) = 0.75 → 75; reporting (1 + 0.5) / 2 = 75 (F4 is not due) → 60 + 15 = 75.0
    # 乙: progress mean(1) = 100 (the grey target is not scored); reporting 1/2 = 50 → 80 + 10 = 90.0
    assert got == [("乙", 100.0, 50.0, 90.0, 1), ("甲", 75.0, 75.0, 75.0, 2)]


# ---- reporting: event-only forms are never 未报送 ------------------------------------------------------------

def test_an_event_only_form_without_rows_is_no_record_never_late():
    regions = pl.DataFrame({"region_code": list(COUNTY.values()), "name": list(COUNTY), "level": ["county"] * 6,
                            "sort_order": list(range(1, 7))})
    # five counties sent F1 and F6 for 2024; 连平县 sent neither
    cov = pl.DataFrame({"form": ["F1"] * 5 + ["F6"] * 5, "region_code": [c for c in COUNTY.values() if c != "441623"] * 2,
                        "period": ["2024"] * 10})
    status = facts.submission_status(cov, regions, [2024], forms=("F1", "F4", "F6"))
    got = {(f, r): lab for f, r, lab in status.select("form", "region_name", "label").iter_rows()}
    assert got[("F1", "连平县")] == "逾期未报"
    assert got[("F6", "连平县")] == "无记录"
    assert got[("F4", "源城区")] == "无记录"
    assert facts.form_due("F6", "county", 2024) is False and facts.form_due("F5", "county", 2024) is True


def test_context_indicators_never_count_as_lagging(src):
    table = facts.comparison(facts.year_values(src, 2016), src.q("SELECT * FROM indicators"),
                             facts.compared_regions(src),
                             facts.submission_status(facts.coverage(src), facts.compared_regions(src), [2016]))
    lag = facts.lagging(table, facts.target_indicators(src))
    # 连平县 and 和平县 have the lowest 社零总额 (36000 each) but that is context, not a failure
    every = [n for v in lag.values() for n in v["last"] + v["missing"]]
    assert "社零总额" not in every and "知名品牌企业" not in every and "网络零售额" not in every
    # 龙川县 sent F3 with a park only (0 bases, 0 concentrated) and 0% of two brand enterprises online
    assert lag["龙川县"] == {"last": ["孵化基地", "集中化孵化基地", "品牌触网率"], "missing": ["知名平台型企业"]}
    # F6 (示范村) with no rows is 无记录 in the table, never 未报送
    villages = table.filter((pl.col("indicator") == "demo_villages") & (pl.col("level") == "county"))
    assert set(villages["missing"].drop_nulls()) <= {facts.NO_RECORD}


# ---- city sentences ----------------------------------------------------------------------------------------

def test_headline_gaps_and_attention_at_2016(src):
    prog = facts.progress(src, 2016)
    assert facts.headline(prog, 2016).startswith("截至2016年底，14项目标中：")
    assert facts.gap_text(3.2, "%") == "差3.2个百分点"
    assert facts.gap_text(0.4, "家") == "差1家"
    assert facts.gap_text(1.0, "阶段") == "差1个阶段"
    assert facts.gap_text(400.0, "人次") == "差400人次"
    rows = {r["indicator"]: r for r in prog.filter(pl.col("deadline") == 2017).iter_rows(named=True)}
    # city 2016: 1 recognised platform against the path 1.333 → 滞后, 1 short of the target 2
    assert rows["platform_enterprises"]["status"] == "滞后" and facts.gap(rows["platform_enterprises"]) == "差1家"
    assert "知名平台型企业（2017年滞后，差1家）" in facts.attention_line(prog)


def test_data_status_says_simulated(src):
    s = facts.data_status(src)
    assert s["simulated"] and s["mark"] == "模拟数据，非官方统计" and s["as_of"] == 2017
    assert s["text"].startswith("数据截至2017年底；建库时间") and s["text"].endswith("模拟数据，非官方统计")


def test_the_report_layer_never_imports_streamlit():
    for path in (Path(__file__).resolve().parents[1] / "etl").rglob("*.py"):
        assert "streamlit" not in path.read_text(encoding="utf-8"), path
