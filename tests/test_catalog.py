"""The catalog (data/catalog/*.csv) encodes 河府办〔2015〕43号; these tests pin it to the policy text.

Expected values were read by hand from the seed; data/catalog/policy_text.txt is a byte-identical copy
of it, so every quoted clause can be checked as an exact substring.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

CATALOG = Path(__file__).resolve().parents[1] / "data" / "catalog"
POLICY = (CATALOG / "policy_text.txt").read_text(encoding="utf-8")

COLUMNS = {
    "regions.csv": ["region_code", "name", "level", "aliases", "in_city_sum", "sort_order"],
    "indicators.csv": [
        "code",
        "name",
        "short_name",
        "unit",
        "decimals",
        "city_method",
        "definition",
        "source_form",
        "clause",
        "sort_order",
    ],
    "stages.csv": ["stage", "name"],
    "targets.csv": [
        "target_id",
        "indicator",
        "deadline",
        "comparator",
        "target_value",
        "target_text",
        "clause",
        "clause_text",
        "note",
    ],
    "aims.csv": ["aim_id", "deadline", "text", "clause"],
    "quantitative_aims.csv": ["aim_id", "indicator", "deadline", "comparator", "target_value", "target_text", "clause",
                              "clause_text", "note"],
    "tasks.csv": [
        "task_id",
        "section",
        "section_title",
        "title",
        "lead_units",
        "cooperating_units",
        "clause_text",
    ],
    "subsidies.csv": [
        "rule_id",
        "clause",
        "beneficiary",
        "summary",
        "amount_text",
        "period_text",
        "clause_text",
        "boundary_note",
        "years_note",
    ],
    "fiscal_commitments.csv": ["commitment_id", "clause", "years", "amount_wan", "scope", "clause_text", "from_year", "sources",
                               "clauses", "reading"],
    "joint_meeting_units.csv": ["unit", "sort_order", "role"],
}


def read(name: str) -> list[dict[str, str]]:
    with open(CATALOG / name, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS[name]
        rows = list(reader)
    for row in rows:
        assert None not in row and all(v is not None for v in row.values()), (name, row)
    return rows


def split(cell: str) -> list[str]:
    return cell.split(";") if cell else []


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_files_parse_with_exact_header(name):
    raw = (CATALOG / name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    raw.decode("utf-8")
    assert read(name)


def test_policy_copy_is_the_seed():
    assert POLICY.startswith("河源市人民政府办公室关于推动河源市电子商务发展的意见\n 河府办〔2015〕43号\n")
    assert "2015年12月10日" in POLICY
    seed = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_e65eff5b5129836b.txt"
    if seed.exists():
        assert seed.read_bytes() == (CATALOG / "policy_text.txt").read_bytes()


# ---------------------------------------------------------------- regions
def test_regions():
    rows = read("regions.csv")
    got = {r["region_code"]: (r["name"], r["level"], r["in_city_sum"], int(r["sort_order"])) for r in rows}
    assert got == {
        "441600": ("河源市", "city", "false", 0),
        "441602": ("源城区", "county", "true", 1),
        "441621": ("紫金县", "county", "true", 2),
        "441622": ("龙川县", "county", "true", 3),
        "441623": ("连平县", "county", "true", 4),
        "441624": ("和平县", "county", "true", 5),
        "441625": ("东源县", "county", "true", 6),
        "441691": ("市高新区", "zone", "false", 7),
        "441692": ("江东新区", "zone", "false", 8),
    }
    summed = sorted(r["region_code"] for r in rows if r["in_city_sum"] == "true")
    assert summed == ["441602", "441621", "441622", "441623", "441624", "441625"]
    aliases = {r["region_code"]: split(r["aliases"]) for r in rows}
    assert aliases["441600"] == ["全市", "河源"]
    assert aliases["441621"] == ["紫金"]
    assert aliases["441691"] == ["河源市高新区", "高新区", "河源高新区", "河源高新技术产业开发区"]
    assert aliases["441692"] == ["河源江东新区", "江东"]
    # every name and alias resolves to exactly one region
    names = [r["name"] for r in rows] + [a for r in rows for a in split(r["aliases"])]
    assert len(names) == len(set(names))


# ---------------------------------------------------------------- indicators and stages
CONTRACT_CODES = {
    "platform_enterprises",
    "incubation_bases",
    "concentrated_incubation_bases",
    "cluster_park_stage",
    "trainees_cumulative",
    "trainees",
    "brand_online_rate",
    "online_retail",
    "retail_total",
    "online_retail_share",
    "rural_online_retail",
    "cross_border_platforms",
    "demo_villages",
}


def test_indicators():
    rows = read("indicators.csv")
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    assert set(codes) == CONTRACT_CODES | {"brand_enterprises", "brand_enterprises_online", "cross_border_platforms_cumulative"}
    by = {r["code"]: r for r in rows}
    assert {c: by[c]["unit"] for c in codes} == {
        "platform_enterprises": "家",
        "incubation_bases": "个",
        "concentrated_incubation_bases": "个",
        "cluster_park_stage": "阶段",
        "trainees": "人次",
        "trainees_cumulative": "人次",
        "brand_enterprises": "家",
        "brand_enterprises_online": "家",
        "brand_online_rate": "%",
        "online_retail": "万元",
        "retail_total": "万元",
        "online_retail_share": "%",
        "rural_online_retail": "万元",
        "cross_border_platforms": "个",
        "demo_villages": "个",
        "cross_border_platforms_cumulative": "个",
    }
    assert {c: by[c]["city_method"] for c in codes} == {
        "platform_enterprises": "count",
        "incubation_bases": "count",
        "concentrated_incubation_bases": "count",
        "cluster_park_stage": "stage",
        "trainees": "count",
        "trainees_cumulative": "cumulative",
        "brand_enterprises": "count",
        "brand_enterprises_online": "count",
        "brand_online_rate": "ratio",
        "online_retail": "sum",
        "retail_total": "sum",
        "online_retail_share": "ratio",
        "rural_online_retail": "sum",
        "cross_border_platforms": "count",
        "demo_villages": "count",
        "cross_border_platforms_cumulative": "cumulative",
    }
    assert {c: by[c]["source_form"] for c in codes} == {
        "platform_enterprises": "F2",
        "incubation_bases": "F3",
        "concentrated_incubation_bases": "F3",
        "cluster_park_stage": "F3",
        "trainees": "F4",
        "trainees_cumulative": "F4",
        "brand_enterprises": "F5",
        "brand_enterprises_online": "F5",
        "brand_online_rate": "F5",
        "online_retail": "F1",
        "retail_total": "F1",
        "online_retail_share": "F1",
        "rural_online_retail": "F1",
        "cross_border_platforms": "F6",
        "demo_villages": "F6",
        "cross_border_platforms_cumulative": "F6",
    }
    assert by["cross_border_platforms"]["clause"] == "三(三)6"
    assert by["cross_border_platforms_cumulative"]["clause"] == "三(三)6"
    assert by["demo_villages"]["clause"] == "三(三)4"
    assert by["rural_online_retail"]["clause"] == "三(三)3"
    for c in CONTRACT_CODES - {"cross_border_platforms", "demo_villages", "rural_online_retail"}:
        assert by[c]["clause"] == "二", c
    for r in rows:
        assert r["definition"].startswith(r["source_form"] + " "), r["code"]
        assert int(r["decimals"]) == (1 if r["unit"] in ("%", "万元") else 0)
    assert "集中化程度较高" in by["concentrated_incubation_bases"]["definition"]
    assert "认定为知名平台" in by["platform_enterprises"]["definition"]
    assert "结业日期" in by["trainees"]["definition"]
    assert "跨境电商平台开通" in by["cross_border_platforms"]["definition"]
    assert "电商示范村" in by["demo_villages"]["definition"]
    assert sorted(int(r["sort_order"]) for r in rows) == list(range(1, 17))
    # identity (the code keys them so): places by 县区 and 名称, enterprises by 统一社会信用代码, brands by enterprise
    for code in ("incubation_bases", "concentrated_incubation_bases", "cross_border_platforms", "demo_villages",
                 "cross_border_platforms_cumulative"):
        assert "县区+名称" in by[code]["definition"] and "按名称去重" not in by[code]["definition"], code
    for code in ("brand_enterprises", "brand_enterprises_online", "brand_online_rate"):
        assert "按统一社会信用代码计企业" in by[code]["definition"], code
    assert "一家企业有几个品牌也只计一家" in by["brand_enterprises"]["definition"]
    assert "县区和功能区都列入时在两处各计一次" in by["platform_enterprises"]["definition"]


def test_stages():
    rows = read("stages.csv")
    assert [(int(r["stage"]), r["name"]) for r in rows] == [
        (0, "规划中"),
        (1, "启动规划建设"),
        (2, "在建"),
        (3, "初具规模"),
        (4, "建成运营"),
    ]


# ---------------------------------------------------------------- targets and aims
EXPECTED_TARGETS = {
    (2015, "platform_enterprises", 1),
    (2015, "incubation_bases", 2),
    (2015, "cluster_park_stage", 1),
    (2015, "trainees_cumulative", 2000),
    (2017, "platform_enterprises", 2),
    (2017, "concentrated_incubation_bases", 2),
    (2017, "cluster_park_stage", 3),
    (2017, "trainees_cumulative", 10000),
    (2017, "brand_online_rate", 70),
    (2020, "platform_enterprises", 5),
    (2020, "concentrated_incubation_bases", 3),
    (2020, "cluster_park_stage", 3),
    (2020, "online_retail_share", 20),
    (2020, "brand_online_rate", 100),
}


def test_targets():
    rows = read("targets.csv")
    assert len(rows) == 14
    got = {(int(r["deadline"]), r["indicator"], int(r["target_value"])) for r in rows}
    assert got == EXPECTED_TARGETS
    assert Counter(int(r["deadline"]) for r in rows) == {2015: 4, 2017: 5, 2020: 5}
    indicators = {r["code"] for r in read("indicators.csv")}
    section2 = POLICY[POLICY.index("二、发展目标") : POLICY.index("三、明确任务")]
    for r in rows:
        assert r["target_id"] == f"{r['deadline']}_{r['indicator']}"
        assert r["comparator"] == ">="
        assert r["clause"] == "二"
        assert r["indicator"] in indicators
        assert r["clause_text"] in section2, r["target_id"]
        assert r["target_text"] and r["note"]
    by = {r["target_id"]: r for r in rows}
    assert by["2015_trainees_cumulative"]["clause_text"] == "培训本地电子商务从业人员2000人次以上"
    assert by["2017_trainees_cumulative"]["clause_text"] == "培训本地电子商务从业人员10000人次"
    assert "累计" in by["2017_trainees_cumulative"]["note"]
    assert by["2017_brand_online_rate"]["clause_text"] == "本地知名品牌的企业“触网”率达到70%以上"
    assert by["2020_brand_online_rate"]["clause_text"] == "本地知名品牌的企业“触网”率达到100%"
    assert by["2020_online_retail_share"]["clause_text"] == "全市网络零售总额占社会消费品零售总额的20%"
    assert by["2020_platform_enterprises"]["clause_text"].endswith("达到5家")
    assert by["2020_concentrated_incubation_bases"]["clause_text"].endswith("达到3家")
    # the stage targets use the stage scale of stages.csv
    stages = {r["name"]: int(r["stage"]) for r in read("stages.csv")}
    assert int(by["2015_cluster_park_stage"]["target_value"]) == stages["启动规划建设"]
    assert int(by["2017_cluster_park_stage"]["target_value"]) == stages["初具规模"]
    assert int(by["2020_cluster_park_stage"]["target_value"]) == stages["初具规模"]


def test_aims():
    rows = read("aims.csv")
    section2 = POLICY[POLICY.index("二、发展目标") : POLICY.index("三、明确任务")]
    assert [(int(r["deadline"]), r["text"]) for r in rows] == [
        (2015, "培育发展一批具有一定规模的电子商务企业"),
        (2020, "全市电子商务发展水平显著提升"),
        (2020, "应用领域明显扩大"),
        (2020, "电子商务发展环境明显改善"),
        (2020, "电子商务产业集聚和市场辐射力明显提高"),
        (2020, "电子商务制度体系建设取得新突破"),
        (2020, "电子商务与实体经济深度融合"),
    ]
    assert len({r["aim_id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["clause"] == "二"
        assert r["text"] in section2


def test_quantitative_aims():
    """三(三)6's 2—3 cross-border platforms (2015—2017) is a number the policy sets, beside the 14 targets."""
    rows = read("quantitative_aims.csv")
    assert [(r["aim_id"], r["indicator"], int(r["deadline"]), r["comparator"], float(r["target_value"]), r["clause"])
            for r in rows] == [("2017_cross_border_platforms", "cross_border_platforms_cumulative", 2017, ">=", 2.0, "三(三)6")]
    section = POLICY[POLICY.index("6.鼓励跨境电子商务发展") : POLICY.index("（四）完善电子商务发展支撑要素体系")]
    assert rows[0]["clause_text"] == "从2015年起至2017年，培育2—3家跨境电子商务平台" and rows[0]["clause_text"] in section
    assert "不少于2家" in rows[0]["note"]


# ---------------------------------------------------------------- tasks
TASK_IDS = [
    "三(一)1",
    "三(一)2",
    "三(一)3",
    "三(一)4",
    "三(一)5",
    "三(二)1",
    "三(二)2",
    "三(二)3",
    "三(三)1",
    "三(三)2",
    "三(三)3",
    "三(三)4",
    "三(三)5",
    "三(三)6",
    "三(四)1",
    "三(四)2",
    "三(四)3",
    "三(四)4",
    "三(五)1",
    "三(五)2",
    "三(五)3",
    "三(五)4",
]


def test_tasks():
    rows = read("tasks.csv")
    assert [r["task_id"] for r in rows] == TASK_IDS
    section3 = POLICY[POLICY.index("三、明确任务") : POLICY.index("四、工作要求")]
    titles = {
        "三(一)": "加快电子商务企业发展",
        "三(二)": "加快培育电子商务产业平台",
        "三(三)": "普及和深化电子商务应用",
        "三(四)": "完善电子商务发展支撑要素体系",
        "三(五)": "强化电子商务人才培养工作",
    }
    for r in rows:
        assert r["task_id"].startswith(r["section"])
        assert r["section_title"] == titles[r["section"]]
        number = r["task_id"][len(r["section"]) :]
        # the paragraph is "N." + clause_text + the unit parenthesis, in section 三
        lead = "、".join(split(r["lead_units"]))
        coop = "、".join(split(r["cooperating_units"]))
        paragraph = f"{number}.{r['clause_text']}（牵头单位：{lead}；配合单位：{coop}）\n"
        assert paragraph in section3, r["task_id"]
        assert r["clause_text"].startswith(r["title"] + "。")
        assert "牵头单位" not in r["clause_text"]
    by = {r["task_id"]: r for r in rows}
    assert split(by["三(一)5"]["lead_units"]) == ["市金融局"]
    assert split(by["三(三)2"]["lead_units"]) == ["市经济和信息化局", "市科技局"]
    assert split(by["三(四)4"]["lead_units"]) == ["市商务局", "市财政局"]
    assert split(by["三(四)1"]["lead_units"]) == ["市发展改革局"]
    assert split(by["三(四)2"]["lead_units"]) == ["市发展改革局"]
    assert split(by["三(四)3"]["lead_units"]) == ["市经济和信息化局"]
    assert split(by["三(五)2"]["lead_units"]) == ["市人力资源社会保障局"]
    assert split(by["三(五)3"]["lead_units"]) == ["市人力资源社会保障局"]
    two_leads = [t for t in TASK_IDS if len(split(by[t]["lead_units"])) > 1]
    assert two_leads == ["三(三)2", "三(四)4"]
    others = set(TASK_IDS) - {
        "三(一)5",
        "三(三)2",
        "三(四)1",
        "三(四)2",
        "三(四)3",
        "三(四)4",
        "三(五)2",
        "三(五)3",
    }
    assert {t for t in TASK_IDS if by[t]["lead_units"] == "市商务局"} == others
    assert split(by["三(三)6"]["cooperating_units"]) == [
        "河源海关",
        "河源检验检疫局",
        "国家外管局河源支局",
        "市国税局",
        "市地税局",
    ]
    assert split(by["三(四)4"]["cooperating_units"]) == ["市科技局"]
    assert by["三(三)2"]["title"] == "鼓励工业企业尤其是大型骨干制造业企业发展供应链电子商务"
    assert by["三(一)1"]["title"] == "积极引进电子商务重大项目"


# ---------------------------------------------------------------- subsidies
def test_subsidies():
    rows = read("subsidies.csv")
    assert [r["rule_id"] for r in rows] == [
        "三(一)2a",
        "三(一)2b",
        "三(一)2c",
        "三(一)3",
        "三(一)4a",
        "三(一)4b",
        "三(一)5",
        "三(二)1a",
        "三(二)1b",
        "三(二)2",
        "三(三)1",
        "三(三)4",
        "三(三)6a",
        "三(三)6b",
        "三(四)4",
        "三(五)1",
    ]
    task_ids = set(TASK_IDS)
    for r in rows:
        assert r["rule_id"].startswith(r["clause"]) and r["clause"] in task_ids
        assert r["clause_text"] in POLICY, r["rule_id"]
        assert r["beneficiary"] and r["summary"] and r["amount_text"]
    by = {r["rule_id"]: r for r in rows}
    reading = "以上、以下均含本数；相邻档次在边界重叠时（如年销售额恰为5000万元）按较高档次适用"
    assert by["三(一)2a"]["boundary_note"].startswith(reading)
    # 三(三)6b's edges are 1000万 and 3000万 (no 5000万 in that clause)
    assert by["三(三)6b"]["boundary_note"].startswith("以上、以下均含本数；相邻档次在边界重叠时（恰为3000万元）按较高档次适用")
    assert "5000" not in by["三(三)6b"]["boundary_note"] and "1000万元" in by["三(三)6b"]["boundary_note"]
    # 连续N年: one reading, stated beside every rule that uses it
    run = "连续N年按一段不间断的年度计"
    assert [r["rule_id"] for r in rows if run in r["years_note"]] == ["三(一)2a", "三(一)2b", "三(二)1a", "三(二)1b", "三(三)1"]
    assert "从2016年起第一个符合条件的年度起算" in by["三(二)1a"]["years_note"]
    assert "从2015年起第一个符合条件的年度起算" in by["三(二)1b"]["years_note"]
    assert "只适用于企业自建的聚集发展园区" in by["三(二)1b"]["years_note"]
    assert "只扶持2015年" in by["三(三)1"]["years_note"]
    assert "仍占用连续3年中的一年" in by["三(一)2a"]["years_note"]
    assert "须有上年销售额" in by["三(一)2b"]["years_note"]
    assert "只看2015—2017年的年销售额" in by["三(三)6b"]["years_note"]
    assert "每个主办单位每年最高20万元" in by["三(五)1"]["years_note"]
    expected_fragments = {
        "三(一)2a": [
            "贷款利息的20%",
            "5000万元以下的，当年贴息扶持最高限额为50万元",
            "1亿元以下的，当年贴息扶持最高限额为80万元",
            "1亿元以上的，当年贴息扶持最高限额为100万元",
        ],
        "三(一)2b": ["超过2000万元", "主税种地方财政贡献额的50%", "第二、三年按新增部分的50%"],
        "三(一)2c": ["500家以上", "一次性给予20%的补助，最高不超过50万元"],
        "三(一)3": ["超过500万元", "一次性10万元奖励"],
        "三(一)4a": ["100万元以上", "一次性2万元"],
        "三(一)4b": ["一次性5万元"],
        "三(一)5": ["新三板", "50万元"],
        "三(二)1a": ["超过2000平方米", "从2016年起", "每月每平方米2元", "连续补助3年", "最高不超过20万元"],
        "三(二)1b": ["超过60%", "自2015年起", "每月每平方米2元", "连续补助3年", "最高不超过50万元"],
        "三(二)2": ["每年安排30万元"],
        "三(三)1": ["连续2年每年10万元"],
        "三(三)4": ["从2015年起至2017年", "每个村5万元"],
        "三(三)6a": ["从2015年起至2017年", "一次性10万元"],
        "三(三)6b": ["1000万元以上、3000万元以下的，再给予一次性20万元", "3000万元以上的，给予一次性30万元"],
        "三(四)4": ["30%", "每家不超过30万元"],
        "三(五)1": ["总培训费用的30%", "最高不超过20万元"],
    }
    for rule_id, fragments in expected_fragments.items():
        for fragment in fragments:
            assert fragment in by[rule_id]["clause_text"], (rule_id, fragment)


# ---------------------------------------------------------------- fiscal commitments
def test_fiscal_commitments():
    rows = read("fiscal_commitments.csv")
    got = {(r["clause"], r["years"], float(r["amount_wan"])) for r in rows}
    assert got == {
        ("四(二)", "2016;2017;2018", 3000.0),
        ("四(二)", "2016;2017;2018", 1000.0),
        ("三(五)1", "2015;2016;2017", 300.0),
        ("三(二)2", "", 30.0),
    }
    assert len({r["commitment_id"] for r in rows}) == 4
    for r in rows:
        assert r["clause_text"] in POLICY
        assert str(int(float(r["amount_wan"]))) + "万元" in r["clause_text"]


# ---------------------------------------------------------------- joint meeting
def test_joint_meeting_units():
    rows = read("joint_meeting_units.csv")
    units = [r["unit"] for r in rows]
    assert len(units) == 21 and len(set(units)) == 21
    assert [int(r["sort_order"]) for r in rows] == list(range(1, 22))
    assert units == [
        "市发展改革局",
        "市经济和信息化局",
        "市教育局",
        "市科技局",
        "市公安局",
        "市财政局",
        "市人力资源社会保障局",
        "市国土资源局",
        "市金融工作局",
        "市农业局",
        "市商务局",
        "市卫生计生局",
        "市工商局",
        "市质监局",
        "市旅游局",
        "团市委",
        "市国税局",
        "市地税局",
        "河源海关",
        "河源检验检疫局",
        "市邮政管理局",
    ]
    assert "成员单位包括" + "、".join(units) + "等，统筹协调" in POLICY
    assert "联席会议办公室设在市商务局" in POLICY
    roles = {r["unit"]: split(r["role"]) for r in rows}
    assert roles["市商务局"] == ["成员单位", "办公室"]
    assert all(v == ["成员单位"] for k, v in roles.items() if k != "市商务局")
