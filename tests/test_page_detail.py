"""目标详情, run by AppTest against the warehouse built from the shipped sample data.

Picking another indicator redraws the chart with that indicator's series; the page quotes the policy
clause of each target; for the brand 触网率 it names the brand enterprises not yet online.
City values below are the sample's published ones (data/sample/README.md), not read from the warehouse.
"""

from __future__ import annotations

import re

from e2e_support import markdown_text, open_app_page, plotly_specs, query, traces
from streamlit.testing.v1 import AppTest

PAGE = "app_pages/target_detail.py"
YEARS = list(range(2014, 2025))
PLATFORMS = [0, 1, 1, 2, 3, 3, 4, 5, 5, 6, 6]  # platform_enterprises, 2014–2024
TRAINEES_CUMULATIVE = [2300, 5800, 9600, 13600, 17800, 20800, 24300, 27900, 31800, 35900]  # 2015–2024



def open_detail() -> AppTest:
    return open_app_page(PAGE)


def pick(at: AppTest, code: str) -> AppTest:
    at.selectbox(key="detail_indicator").set_value(code).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def series(at: AppTest) -> dict[str, tuple[list, list]]:
    specs = plotly_specs(at)
    assert len(specs) == 1, "the detail page draws one series chart"
    return traces(specs[0])


def test_picking_another_indicator_redraws_the_chart(sample):
    at = open_detail()
    assert at.selectbox(key="detail_indicator").value == "platform_enterprises"
    first = series(at)
    assert first["全市"] == (YEARS, PLATFORMS)
    assert first["目标"] == ([2015, 2017, 2020], [1, 2, 5])
    assert {"源城区", "紫金县", "龙川县", "连平县", "和平县", "东源县"} <= set(first)

    pick(at, "trainees_cumulative")
    second = series(at)
    assert second != first
    assert second["全市"] == (YEARS[1:], TRAINEES_CUMULATIVE)
    assert second["目标"] == ([2015, 2017], [2000, 10000])
    assert at.query_params["indicator"] == "trainees_cumulative"  # a link to this view can be shared
    # the data table below the chart shows the same indicator (header names its unit)
    table = at.dataframe[0].value
    assert table.columns[0] == "县区（人次）"
    city = table[table.iloc[:, 0] == "河源市"].iloc[0]
    assert city["2024"] == 35900

    # switching the counties off leaves the city, the path, the projection and the targets
    at.toggle[0].set_value(False).run()
    assert not (set(series(at)) & {"源城区", "紫金县", "龙川县", "连平县", "和平县", "东源县"})


def test_the_policy_clause_of_each_target_is_quoted(sample):
    at = open_detail()
    for code in ("online_retail_share", "brand_online_rate"):
        pick(at, code)
        text = markdown_text(at)
        clauses = query(sample, "SELECT clause_text, deadline FROM targets WHERE indicator = ? ORDER BY deadline", code)
        assert clauses
        for clause_text, deadline in clauses:
            assert f"> {clause_text}" in text
            assert f"发展目标（{deadline}年）" in text
    assert "本地知名品牌的企业“触网”率达到70%以上" in text


def test_brand_online_rate_names_the_enterprises_not_yet_online(sample):
    at = open_detail()
    pick(at, "brand_online_rate")
    # 2024 (the default year): all 30 brand enterprises are online
    assert re.search(r"2024年本地知名品牌企业 30 家，已触网 30 家；\*\*尚未触网 0 家\*\*：无", markdown_text(at))

    at.selectbox(key="entity_year").set_value(2017).run()
    assert not at.exception
    offline = sorted(n for (n,) in query(
        sample, "SELECT DISTINCT name FROM current_f5 WHERE year = 2017 AND NOT is_online"))
    total = query(sample, "SELECT count(DISTINCT uscc) FROM current_f5 WHERE year = 2017")[0][0]
    assert (total, len(offline)) == (25, 7)  # the sample's story: 25 brand enterprises, 18 online in 2017
    line = next(m for m in markdown_text(at).splitlines() if "尚未触网" in m)
    assert line.startswith("2017年本地知名品牌企业 25 家，已触网 18 家；**尚未触网 7 家**：")
    assert sorted(line.split("：", 1)[1].split("、")) == offline
