"""The shipped sample data: what the leaders' screen will say about it, read through the real ETL.

The story (etl/sample.py's docstring) was chosen so that the dashboard has something to say: some
targets met, some missed. Worked out by hand from it, at the end of 2024 (all deadlines past):
2015: 1 platform ≥1 达标, 3 bases ≥2 达标, stage 启动规划建设 (1) ≥1 达标, 2300 trainees ≥2000 达标;
2017: 2 platforms ≥2 达标, 1 concentrated base <2 未达标, stage 在建 (2) <3 未达标, 9600 trainees <10000 未达标,
      18/25 = 72% ≥70% 达标;
2020: 4 platforms <5 未达标, 3 concentrated bases ≥3 达标, stage 初具规模 (3) ≥3 达标, 17.1% <20% 未达标 (16.8% until
      the 市统计局 corrected its 2020 online retail, +2%, loaded after the rest: the one 已更正 mark),
      27/28 = 96.4% <100% 未达标.
Beside them, 三(三)6: 3 cross-border platforms opened 2015—2017 (1 in 2016, 2 in 2017) ≥2 达标.

The reporting calendar, judged from the send dates of data/sample/manifest/报送日期.csv: for 2023 (due 2024-03-30, a
leap year) every county and zone sent on time but 紫金县 (all six forms on 2024-04-11: 逾期报送); 和平县 sent its
workbook on the due date itself (按时); 和平县's F6 and 市高新区's F5 (nothing to report, and no 零报告) are 逾期未报.

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
    ("online_retail_share", 2020, 17.1, "2020", "未达标"),
    ("brand_online_rate", 2020, 96.4, "2020", "未达标"),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return sample_home(tmp_path_factory)


def test_the_sample_builds_with_the_expected_statuses(home):
    rows = query(home, "SELECT indicator, deadline, round(actual, 1), actual_period, status FROM target_progress")
    assert rows == EXPECTED_PROGRESS
    assert query(home, "SELECT as_of_year, simulated, accepted_files, rejected_files FROM warehouse_info") == [
        (2024, True, 315, 0)
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


def test_the_correction_after_publication_is_the_one_correction_mark(home):
    # loaded after the rest was published: the 2020 online share published as 16.8% becomes 17.1% (749014.2 / 4370998
    # 万元); 龙川县's 2019 correction (a load of its own, before) changes no target value
    rows = query(home, "SELECT target_id, round(old_actual, 1), old_period, round(new_actual, 2), new_period, role, "
                       "(SELECT file FROM receipts r WHERE r.receipt_id = c.receipts) FROM target_corrections c")
    assert rows == [("2020_online_retail_share", 16.8, "2020", 17.14, "2020", "运维人员（命令行）",
                     "2020_9_市统计局2020年全市电子商务统计表（更正）.xlsx")]
    assert query(home, "SELECT retail_total, online_retail, is_current FROM f1_history WHERE region_code = '441600' "
                       "AND period = '2020' ORDER BY received_at") == [(4370998.0, 734327.6, False), (4370998.0, 749014.2, True)]


def test_the_reporting_calendar_for_2023(home):
    status = query(home, "SELECT region_name, list(status ORDER BY form), list(zero_report ORDER BY form) "
                         "FROM reporting_status WHERE year = 2023 GROUP BY region_name, sort_order ORDER BY sort_order")
    on_time = ["按时报送"] * 6
    assert [(name, s) for name, s, _ in status] == [
        ("源城区", on_time), ("紫金县", ["逾期报送"] * 6), ("龙川县", on_time), ("连平县", on_time),
        ("和平县", on_time[:5] + ["逾期未报"]), ("东源县", on_time),
        ("市高新区", on_time[:4] + ["逾期未报", "按时报送"]), ("江东新区", on_time)]
    # F1–F6 in order: 零报告 for what a region had nothing of (a zone: no brand enterprises, no recognitions)
    assert {name: zero for name, _, zero in status if any(zero)} == {
        "源城区": [False] * 5 + [True], "紫金县": [False] * 5 + [True], "龙川县": [False] * 5 + [True],
        "市高新区": [False] * 5 + [True], "江东新区": [False] * 3 + [True] * 3}
    assert query(home, "SELECT DISTINCT due_date FROM reporting_status WHERE year = 2023") == [(dt.date(2024, 3, 30),)]
    assert query(home, "SELECT region_name, submitted_on FROM reporting_status WHERE year = 2023 AND form = 'F1' "
                       "AND region_name IN ('紫金县', '和平县') ORDER BY sort_order") == [
        ("紫金县", dt.date(2024, 4, 11)), ("和平县", dt.date(2024, 3, 30))]


def test_the_reminders_are_the_missing_zero_reports_and_what_is_due_after_the_data_end(home):
    # the simulated data end in 2024: every 2025 form (due 2026-03-31) is owed once that day has passed
    reminders = query(home, "SELECT year, form, region_name FROM reminders WHERE year < 2025 ORDER BY year, form")
    assert reminders == [(2023, "F5", "市高新区"), (2023, "F6", "和平县"), (2024, "F6", "江东新区")]
    assert sorted((y, f, n) for f, n, y in query(home, "SELECT form, region_name, year FROM reminders WHERE year < 2025")) \
        == sorted((y, f, sample.REGIONS[r]["name"]) for r, f, y in sample.NOT_SENT)
    assert query(home, "SELECT year, count(*) FROM reporting_status WHERE status = '逾期报送' GROUP BY year ORDER BY year") == [
        (y, 6) for y in sorted(sample.LATE_SENDERS)]


def test_the_progress_reports_are_judged_by_their_send_dates(home):
    # the back-filled 2016—2019 reports were sent in March 2020: all late; then one file a quarter, mostly on time
    got = dict(query(home, "SELECT timeliness, count(*) FROM task_progress WHERE qi < 2020 * 4 GROUP BY ALL"))
    assert set(got) == {"逾期报送"}
    dates = sample.manifest_dates(SAMPLE)
    late = sorted(n for n, d in dates.items() if n.startswith("2024_4_") and "第四季度" in n and d > "2025-01-15")
    assert late == ["2024_4_团市委2024年第四季度重点任务进展表.xlsx", "2024_4_市经济和信息化局2024年第四季度重点任务进展表.xlsx",
                    "2024_4_市金融局2024年第四季度重点任务进展表.xlsx"]
    assert query(home, "SELECT DISTINCT file FROM task_progress WHERE quarter = '2024Q4' AND timeliness = '逾期报送' "
                       "ORDER BY file") == [(n,) for n in late]


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
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    assert digests(tmp_path) == digests(SAMPLE)


def test_every_file_has_a_send_date_and_the_manifest_is_no_form():
    dates = sample.manifest_dates(SAMPLE)
    files = sorted(p.name for p in SAMPLE.glob("*") if p.suffix in (".xlsx", ".csv"))
    assert sorted(dates) == files and len(files) == 315
    assert (SAMPLE / "manifest" / "报送日期.csv") not in list(SAMPLE.glob("*.csv"))
    # the loads: everything, then each correction (the 市统计局's sent last)
    first, *corrections = sample.load_batches(SAMPLE)
    assert [[p.name for p in batch] for batch in corrections] == [["2019_9_2019年龙川县电子商务报表（更正）.xlsx"],
                                                                  ["2020_9_市统计局2020年全市电子商务统计表（更正）.xlsx"]]
    assert len(first) == 313 and max(dates[p.name] for p in first) < dates[corrections[1][0].name] == "2025-07-16"
