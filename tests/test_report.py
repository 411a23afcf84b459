"""The report layer (etl/report/facts.py): the sentences, the county reading, the score and the reporting rule,
with every value worked out by hand on the conftest fixture set (2014–2017, read as at the end of 2016).

The 2016 reading (targets in force: the 2017 group; path fraction (2016 − 2014) ÷ (2017 − 2014) = 2/3):

  数量类: 应达 = county's 2014 value + city increment ÷ 6
    知名平台型企业  city 2014 = 0 → path 2 × 2/3 = 1.333 → 0.2222 each county (2014 base 0 everywhere)
        源城区 1 (P1 recognised) → 绿, share 4.5 (scored as 1); 紫金县 0 → 红 差1家;
        龙川/连平/和平/东源 sent no F2 (past its due date 2017-03-31: 逾期未报) → 红 未报送
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
  reporting: the files are sent on 2017-03-01, before the 2016 due date 2017-03-31 (按时); F1–F6 are all owed
    (a county with nothing to report sends a 零报告: none here). Sent for 2016 (a county sends a form when the
    file has its rows of that year): F1 all six; F2 源城, 紫金; F3 源城, 紫金, 龙川; F4 连平, 和平 (东源县's
    winter class ends in 2017); F5 源城, 紫金, 龙川; F6 源城 (the cross-border platform), 龙川, 和平.
    源城区 5/6, 紫金县 4/6, 龙川县 4/6, 连平县 2/6, 和平县 3/6, 东源县 1/6
  score = 80 × mean(min(share, 1)) + 20 × reporting:
    源城区 80 × (1+1+0+1)/4 + 20 × 5/6 = 60 + 16.67 = 76.7     紫金县 80 × (0+0+1+1)/4 + 20 × 4/6 = 53.3
    龙川县 80 × (0+0+1+0.81+0)/5 + 20 × 4/6 = 28.96 + 13.33 = 42.3
    和平县 80 × 1/5 + 20 × 3/6 = 26.0   连平县 80 × 1/5 + 20 × 2/6 = 22.7   东源县 80 × 0 + 20 × 1/6 = 3.3
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import load_fixture_set

from etl.report import facts

COUNTY = {"源城区": "441602", "紫金县": "441621", "龙川县": "441622", "连平县": "441623", "和平县": "441624",
          "东源县": "441625"}


@pytest.fixture(scope="module")
def src(tmp_path_factory) -> facts.Warehouse:
    """The fixture set loaded by the real ETL into a home of this module."""
    return facts.Warehouse(load_fixture_set(tmp_path_factory.mktemp("report")) / "warehouse.duckdb")


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
    rows = [(n, s, r, round(rep, 1)) for n, s, r, rep in rows]
    assert rows == [("源城区", 76.7, 1, 83.3), ("紫金县", 53.3, 2, 66.7), ("龙川县", 42.3, 3, 66.7),
                    ("和平县", 26.0, 4, 50.0), ("连平县", 22.7, 5, 33.3), ("东源县", 3.3, 6, 16.7)]


def test_each_county_is_told_what_to_fix(reading):
    tail = "（截止日期2017年3月31日已过，六个县区中已有{n}个报送；当年没有需要报送的内容的，报送零报告）。"
    assert reading.fixes["源城区"] == [
        "补报2016年度F4 电商培训台账" + tail.format(n=2),
        "累计培训人次：2016年0人次，序时进度应达1,112人次，差1,112人次（明显滞后），须对照2017年目标10,000人次制定追赶措施。"]
    assert reading.fixes["连平县"] == ["补报2016年度F2 电子商务企业名录" + tail.format(n=2),
                                    "补报2016年度F3 孵化基地和产业园情况表" + tail.format(n=3),
                                    "补报2016年度F5 本地知名品牌企业触网情况表" + tail.format(n=3),
                                    "补报2016年度F6 农村电商与示范认定表" + tail.format(n=3)]
    long = reading.fixes["龙川县"]
    assert long[:2] == ["补报2016年度F2 电子商务企业名录" + tail.format(n=2), "补报2016年度F4 电商培训台账" + tail.format(n=2)]
    assert long[2].startswith("集中化孵化基地：2016年0个，序时进度应达0.2个，差1个（明显滞后）")
    assert "累计培训人次：2016年900人次，序时进度应达1,112人次，差212人次（略低于序时进度）" in long[3]
    assert long[4].startswith("品牌触网率：2016年0%，序时进度应达46.7%，差46.7个百分点（明显滞后）")


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
                                      facts.STATUS_LATE_SENT, facts.STATUS_LATE, facts.STATUS_NONE]})
    got = facts.county_scores(lights, status).select("region_name", "progress_score", "reporting_score", "score", "rank").rows()
    # 甲: progress mean(min(2,1), 0.5) = 0.75 → 75; reporting (1 + 0.5) / 2 = 75 (F4 not yet due) → 60 + 15 = 75.0
    # 乙: progress mean(1) = 100 (the grey target is not scored); reporting (0.5 + 0) / 2 = 25 → 80 + 5 = 85.0
    assert got == [("乙", 100.0, 25.0, 85.0, 1), ("甲", 75.0, 75.0, 75.0, 2)]


# ---- reporting: by the calendar; a 零报告 is reported ---------------------------------------------------------

def test_reporting_follows_the_calendar_and_a_zero_report_counts(tmp_path, monkeypatch):
    from conftest import cli, write_xlsx


    monkeypatch.setenv("ECMON_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ECMON_TODAY", "2025-04-30")
    header = ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"]
    on_time = write_xlsx(tmp_path / "f1.xlsx", {"表": [header, *[[c, "2024", 100, 10] for c in COUNTY if c != "连平县"]]})
    half = write_xlsx(tmp_path / "连平.xlsx", {"表": [header, ["连平县", "2024年1-9月", 70, 7]]})
    village = write_xlsx(tmp_path / "f6.xlsx", {"认定": [["年度", "名称", "所在县区", "类别"], [2024, "示例村", "源城区", "电商示范村"]]})
    zero = write_xlsx(tmp_path / "zero.xlsx", {"认定": [["报送方式：", "零报告", "填报县区：", "紫金县", "报送年度：", 2024],
                                                    ["年度", "名称", "所在县区", "类别"]]})
    assert cli("load", "--submitted-on", "2025-03-20", on_time, half, village)[0] == 0
    assert cli("load", "--submitted-on", "2025-04-02", zero)[0] == 0  # two days after the due date
    status = facts.submission_status(facts.Warehouse(tmp_path / "home" / "warehouse.duckdb"), [2024])
    got = {(f, r): (s, lab) for f, r, s, lab in status.select("form", "region_name", "status", "label").iter_rows()}
    assert got[("F1", "源城区")] == (facts.STATUS_DONE, "✓")
    assert got[("F1", "连平县")] == (facts.STATUS_PART, "至1-9月")  # part-year only, past the due date
    assert got[("F6", "源城区")] == (facts.STATUS_DONE, "✓")
    assert got[("F6", "紫金县")] == (facts.STATUS_LATE_SENT, "零报告（迟报）")
    assert got[("F6", "龙川县")] == (facts.STATUS_LATE, "逾期未报")  # nothing, not even a 零报告



def test_context_indicators_never_count_as_lagging(src):
    table = facts.comparison(facts.year_values(src, 2016), src.q("SELECT * FROM indicators"),
                             facts.compared_regions(src), facts.submission_status(src, [2016]))
    lag = facts.lagging(table, facts.target_indicators(src))
    # 连平县 and 和平县 have the lowest 社零总额 (36000 each) but that is context, not a failure
    every = [n for v in lag.values() for n in v["last"] + v["missing"]]
    assert "社零总额" not in every and "知名品牌企业" not in every and "网络零售额" not in every
    # 龙川县 sent F3 with a park only (0 bases, 0 concentrated) and 0% of two brand enterprises online; it sent
    # no F2 for 2016, and no F4 (its class ended in 2015) nor a 零报告
    assert lag["龙川县"] == {"last": ["孵化基地", "集中化孵化基地", "品牌触网率"], "missing": ["知名平台型企业", "累计培训人次"]}
    # a county that sent no F6 for 2016 (nor a 零报告) is 未报送 there, past the due date
    villages = table.filter((pl.col("indicator") == "demo_villages") & (pl.col("level") == "county"))
    assert dict(villages.select("region_name", "missing").iter_rows())["紫金县"] == facts.MISSING


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
