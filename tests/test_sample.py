"""The shipped sample data: what the leaders' screen will say about it, read through the real ETL.

The story (etl/sample.py's docstring) was chosen so that the dashboard has something to say: some
targets met, some missed. Worked out by hand from it, at the end of 2024 (all deadlines past):
2015: 1 platform ≥1 达标, 3 bases ≥2 达标, stage 启动规划建设 (1) ≥1 达标, 2300 trainees ≥2000 达标;
2017: 2 platforms ≥2 达标, 1 concentrated base <2 未达标, stage 在建 (2) <3 未达标, 9600 trainees <10000 未达标,
      18/25 = 72% ≥70% 达标;
2020: 4 platforms <5 未达标, 3 concentrated bases ≥3 达标, stage 初具规模 (3) ≥3 达标, 16.8% <20% 未达标,
      27/28 = 96.4% <100% 未达标.
Beside them, 三(三)6: 3 cross-border platforms opened 2015—2017 (1 in 2016, 2 in 2017) ≥2 达标.

The sample also carries the cases of the readings of identity and years (etl/sample.py's docstring): two
示例电商孵化基地 (源城区, 龙川县), a brand enterprise with four brands offline in 2017 (25 enterprises, 28 rows:
72% by enterprise, 64.3% by rows), a platform not reported in 2016, a pavilion not run in 2020.

The money (F7) and the tasks (F8) are checked against what the generator wrote (sample.expected_funds(),
sample.EXPECTED_LIGHTS), and the commitments against the story: 3000万/1000万 missed 2016–2018, training 300万 missed
2015 and 2016 and met 2017, the centre's 30万 met every year 2016–2024 but 2020.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from e2e_support import query, sample_home

from etl import sample

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

EXPECTED_PROGRESS = [
    ("platform_enterprises", 2015, 1.0, "2015", "达标"),
    ("incubation_bases", 2015, 3.0, "2015", "达标"),
    ("cluster_park_stage", 2015, 1.0, "2015", "达标"),
    ("trainees_cumulative", 2015, 2300.0, "2015", "达标"),
    ("platform_enterprises", 2017, 2.0, "2017", "达标"),
    ("concentrated_incubation_bases", 2017, 1.0, "2017", "未达标"),
    ("cluster_park_stage", 2017, 2.0, "2017", "未达标"),
    ("trainees_cumulative", 2017, 9600.0, "2017", "未达标"),
    ("brand_online_rate", 2017, 72.0, "2017", "达标"),
    ("platform_enterprises", 2020, 4.0, "2020", "未达标"),
    ("concentrated_incubation_bases", 2020, 3.0, "2020", "达标"),
    ("cluster_park_stage", 2020, 3.0, "2020", "达标"),
    ("online_retail_share", 2020, 16.8, "2020", "未达标"),
    ("brand_online_rate", 2020, 96.4, "2020", "未达标"),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return sample_home(tmp_path_factory)


def test_the_sample_builds_with_the_expected_statuses(home):
    rows = query(home, "SELECT indicator, deadline, round(actual, 1), actual_period, status FROM target_progress")
    assert rows == EXPECTED_PROGRESS
    assert query(home, "SELECT as_of_year, simulated, accepted_files, rejected_files FROM warehouse_info") == [
        (2024, True, 185, 0)
    ]


def test_the_cross_border_aim(home):
    assert query(home, "SELECT actual, actual_period, status FROM aim_progress") == [(3.0, "2017", "达标")]


def test_the_identity_and_year_cases_show_in_the_sample(home):
    # two places named 示例电商孵化基地: both counted, both rented above 2000㎡, both get 三(二)1a 2016–2018
    assert query(home, "SELECT region_code, count(*) FROM indicator_entities WHERE indicator = 'incubation_bases' "
                       "AND entity_name = '示例电商孵化基地' AND year = 2016 GROUP BY ALL ORDER BY 1") == [
        ("441602", 1), ("441622", 1)]
    assert query(home, "SELECT entity_key, list(year ORDER BY year) FROM subsidy_estimates WHERE rule_id = '三(二)1a' "
                       "AND entity_name = '示例电商孵化基地' GROUP BY ALL ORDER BY 1") == [
        ("441602|示例电商孵化基地", [2016, 2017, 2018]), ("441622|示例电商孵化基地", [2016, 2017, 2018])]
    # 2017: 25 brand enterprises in 28 rows; the four-brand enterprise is one of the 7 offline
    assert query(home, "SELECT count(*), count(DISTINCT uscc) FROM current_f5 WHERE year = 2017") == [(28, 25)]
    assert query(home, "SELECT count(*) FROM indicator_entities WHERE indicator = 'brand_enterprises' AND year = 2017 "
                       "AND amount = 0 AND attribute LIKE '品牌4个：%'") == [(1,)]
    # a platform reported 2015, then from 2017: interest subsidy for 2015 only
    assert query(home, "SELECT year FROM subsidy_estimates WHERE rule_id = '三(一)2a' "
                       "AND entity_name = '示例恒远网络科技有限公司'") == [(2015,)]
    # the 龙川县 pavilion: 2019, not 2020, again from 2021 → paid 2019 only
    assert query(home, "SELECT e.year FROM subsidy_estimates e WHERE rule_id = '三(三)1' AND region_code = '441622'") == [
        (2019,)]


def test_city_values_match_the_story_the_generator_wrote(home):
    # EXPECTED_CITY is computed by the generator from its own rows, independently of the ETL
    for indicator, by_year in sample.EXPECTED_CITY.items():
        found = dict(query(home, "SELECT CAST(period AS INTEGER), value FROM indicator_values "
                                 "WHERE indicator = ? AND region_code = '441600' AND length(period) = 4", indicator))
        digits = 1 if indicator == "online_retail_share" else 6
        assert {y: round(v, digits) for y, v in found.items()} == {y: round(v, digits) for y, v in by_year.items()}, indicator


def test_the_planted_warnings_are_shown_and_the_correction_supersedes(home):
    warnings = query(home, "SELECT file, \"row\", text FROM receipt_messages WHERE level = '警告' ORDER BY file")
    assert [(f, r) for f, r, _ in warnings] == [
        ("2019_1_2019年东源县电子商务发展情况报表.xlsx", 2),
        ("2021_1_2021年龙川县电子商务报表.xlsx", 8),
    ]
    assert "超过±50%" in warnings[0][2] and "合计行与明细行之和不一致" in warnings[1][2]
    history = query(home, "SELECT file, is_current FROM f1_history WHERE region_code = '441622' AND period = '2019' "
                          "ORDER BY received_at, file")
    assert history == [("2019_1_2019年龙川县电子商务报表.xlsx", False), ("2019_9_2019年龙川县电子商务报表（更正）.xlsx", True)]


def test_the_task_lights_after_the_last_quarter_reported(home):
    # nobody reported after 2024Q4: the 督办 page opens on it, judged when 2025Q1's reports fell due
    assert query(home, "SELECT quarter, judged_on FROM task_review_points WHERE reports > 0 ORDER BY qi DESC LIMIT 1") == [
        ("2024Q4", dt.date(2025, 4, 15))]
    got = dict(query(home, "SELECT light, list(task_id ORDER BY task_id) FROM task_lights_at(DATE '2025-04-15') GROUP BY light"))
    assert {light: sorted(ids) for light, ids in got.items() if light != "绿灯"} == {
        light: sorted(ids) for light, ids in sample.EXPECTED_LIGHTS.items()}
    assert len(got["绿灯"]) == 17
    reasons = dict(query(home, "SELECT task_id, reason FROM task_lights_at(DATE '2025-04-15')"))
    assert reasons["三(五)3"] == "市人力资源社会保障局未报送2024年第四季度进展（截止2025-01-15）"
    assert reasons["三(四)1"].startswith("市发展改革局报告2024年第四季度进展滞后：电商信用信息平台与省平台对接未完成")
    # 三(三)6 was closed in 2017Q4: nothing owed on it since
    assert query(home, "SELECT DISTINCT report_status FROM task_calendar WHERE task_id = '三(三)6' AND qi > 2017 * 4 + 3") == [
        ("已销号",)]


def test_the_money_is_what_the_generator_wrote(home):
    expected = sample.expected_funds()
    paid = {(y, s): round(v, 1) for y, s, v in query(
        home, "SELECT pay_year, source, sum(paid) FROM funds_payments WHERE paid > 0 GROUP BY ALL")}
    assert paid == {k: round(v, 1) for k, v in expected["paid"].items()}
    assert query(home, "SELECT year, clause, entity_name FROM funds_chain WHERE flag_over_paid") == expected["over_paid"]
    assert query(home, "SELECT year, clause, entity_name FROM funds_chain WHERE flag_paid_without_entitlement") == \
        expected["unentitled"]
    assert sorted(query(home, "SELECT year, clause, entity_name FROM funds_chain WHERE flag_not_applied")) == \
        expected["not_applied"]
    # some entitlements were paid two years on (after an approval the year before: the row was updated)
    assert query(home, "SELECT count(*) > 0 FROM funds_chain WHERE pay_lag_years = 2") == [(True,)]


def test_the_fiscal_commitments_tell_the_story(home):
    status = {(c, y): s for c, y, s in query(home, "SELECT commitment_id, year, status FROM commitments_progress")}
    assert [status[("city_total_2016_2018", y)] for y in (2016, 2017, 2018)] == ["未达标"] * 3
    assert [status[("city_level_2016_2018", y)] for y in (2016, 2017, 2018)] == ["未达标"] * 3
    assert [status[("training_2015_2017", y)] for y in (2015, 2016, 2017)] == ["未达标", "未达标", "达标"]
    assert {y: status[("service_centre_annual", y)] for y in range(2016, 2026)} == {
        **{y: "达标" for y in range(2016, 2025)}, 2020: "未达标", 2025: "无数据"}


def test_every_invented_name_looks_invented(home):
    companies = query(home, "SELECT DISTINCT name FROM rows_f2 UNION SELECT DISTINCT name FROM rows_f5")
    assert companies and all(n.startswith("示例") and n.endswith("有限公司") for (n,) in companies)
    places = query(home, "SELECT DISTINCT name FROM rows_f3 UNION SELECT DISTINCT organiser FROM rows_f4 "
                         "UNION SELECT DISTINCT name FROM rows_f6 WHERE category <> '国家级电子商务进农村综合示范县' "
                         "UNION SELECT DISTINCT name FROM rows_f7")
    assert places and all(n.startswith("示例") for (n,) in places), [n for (n,) in places if not n.startswith("示例")]


def test_the_committed_files_are_what_the_generator_writes(tmp_path):
    sample.write_all(tmp_path)

    def digests(folder: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}

    assert digests(tmp_path) == digests(SAMPLE)
