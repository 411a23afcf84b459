"""总览 (the leaders' screen), run by AppTest against the warehouse built from the shipped sample data.

What a leader would notice: the headline sentence, the as-of slider moving the statuses of the targets
that were not yet due, and the projector mode paging through the three deadline groups.

The 2016 view, worked by hand from the path formula of etl/sql/30_progress.sql,
    path(t) = v0 + (target − v0) × (t − 2014) ÷ (deadline − 2014),   v0 = the 2014 city value (0 if none)
with the sample's city values (data/sample/README.md), for the 2017 targets at t = 2016 (factor 2/3):

    platform_enterprises           v0 0,            target 2     → path 1.333; actual 1     → 滞后
    concentrated_incubation_bases  v0 0,            target 2     → path 1.333; actual 1     → 滞后
    cluster_park_stage             v0 0,            target 3     → path 2;     actual 2     → 进度正常
    trainees_cumulative            v0 0 (no 2014),  target 10000 → path 6667;  actual 5800  → 滞后
    brand_online_rate              v0 6/18=33.3%,   target 70%   → path 57.8%; actual 13/22=59.1% → 进度正常
"""

from __future__ import annotations

import re

import pytest
import streamlit as st
from e2e_support import APP, markdown_text, plotly_specs, query
from streamlit.testing.v1 import AppTest

STATUS_RE = r'<span class="status-badge"[^>]*>\S* ([^<]+)</span>'

EXPECTED_2017_AT_2016 = {
    "platform_enterprises": "滞后",
    "concentrated_incubation_bases": "滞后",
    "cluster_park_stage": "进度正常",
    "trainees_cumulative": "滞后",
    "brand_online_rate": "进度正常",
}
# (v0, actual at the end of 2016, target) from the sample's city series (data/sample/README.md)
HAND_2016 = {
    "platform_enterprises": (0, 1, 2),
    "concentrated_incubation_bases": (0, 1, 2),
    "cluster_park_stage": (0, 2, 3),
    "trainees_cumulative": (0, 5800, 10000),
    "brand_online_rate": (6 / 18 * 100, 13 / 22 * 100, 70),
}



def open_overview(present: bool = False) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    if present:
        at.query_params["present"] = "1"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def short_names(home) -> dict[str, str]:
    return dict(query(home, "SELECT code, short_name FROM indicators"))


def db_statuses(home, as_of: int) -> dict[tuple[str, int], str]:
    return {(i, d): s for i, d, s in query(home, "SELECT indicator, deadline, status FROM progress_at(?)", as_of)}


def scoreboard(at: AppTest) -> dict[str, dict[str, str]]:
    """The scoreboard as the page draws it: {column title: {short name: status label}}."""
    out = {}
    for block in re.findall(r'<div class="sb">.*?(?=<div class="sb">|\Z)', markdown_text(at), flags=re.S):
        title = re.search(r'<div class="sb-title">([^<]+)</div>', block).group(1)
        rows = re.findall(r'<div class="sb-name">([^<]+)<.*?' + STATUS_RE, block, flags=re.S)
        out[title] = dict(rows)
    return out


def cards(tab) -> dict[str, str]:
    """The target cards of one tab: {indicator name: status label}."""
    return dict(re.findall(r"<h4>([^<]+?) " + STATUS_RE + "</h4>", markdown_text(tab)))


def headline(at: AppTest) -> str:
    hit = re.search(r'<div class="headline">([^<]+)', markdown_text(at))
    assert hit, "no headline on the overview"
    return hit.group(1)


def screen(at: AppTest) -> str:
    """The markdown a screen shows in presentation mode: the print-only block of all groups left out."""
    return markdown_text(at).split('<div class="pr-print-page">')[0]


def test_headline_says_where_the_14_targets_stand(sample):
    statuses = list(db_statuses(sample, 2024).values())
    assert len(statuses) == 14
    assert (statuses.count("达标"), statuses.count("未达标")) == (8, 6)

    at = open_overview()
    assert headline(at) == "截至2024年底，14项目标中：达标8项，未达标6项。"
    assert "模拟数据" in at.warning[0].value  # the frame's banner: these are not official statistics
    board = scoreboard(at)
    assert sum(len(rows) for rows in board.values()) == 14
    names = short_names(sample)
    assert board["2017年底前目标"][names["concentrated_incubation_bases"]] == "未达标"
    assert board["2017年底前目标"][names["brand_online_rate"]] == "达标"
    # the 需关注 line names every missed target with its deadline
    assert f"{names['trainees_cumulative']}（2017年未达标，差400人次）" in markdown_text(at)
    assert len(plotly_specs(at)) == 3  # one completion chart per deadline group


def test_the_2016_path_by_hand_agrees_with_the_warehouse(sample):
    by_hand = {}
    for code, (v0, actual, target) in HAND_2016.items():
        path = v0 + (target - v0) * (2016 - 2014) / (2017 - 2014)
        by_hand[code] = "进度正常" if actual >= path - 1e-9 else "滞后"
    assert by_hand == EXPECTED_2017_AT_2016
    rows = query(sample, "SELECT indicator, actual, path_base_value, path_value, status FROM progress_at(2016) "
                         "WHERE deadline = 2017")
    assert {i: s for i, *_, s in rows} == EXPECTED_2017_AT_2016
    for code, actual, v0, path, _ in rows:
        assert v0 == pytest.approx(HAND_2016[code][0], rel=1e-6)
        assert actual == pytest.approx(HAND_2016[code][1], rel=1e-6)
        assert path == pytest.approx(v0 + (HAND_2016[code][2] - v0) * 2 / 3, rel=1e-9)


def test_moving_the_as_of_year_to_2016_shows_progress_of_targets_not_yet_due(sample):
    at = open_overview()
    names = short_names(sample)
    assert set(scoreboard(at)["2017年底前目标"].values()) <= {"达标", "未达标"}

    at.select_slider(key="as_of").set_value(2016).run()
    assert not at.exception, [e.value for e in at.exception]
    expected = db_statuses(sample, 2016)
    counts = {s: list(expected.values()).count(s) for s in ("达标", "进度正常", "滞后", "未达标")}
    assert headline(at).startswith("截至2016年底，14项目标中：")
    assert headline(at) == ("截至2016年底，14项目标中：" + "，".join(f"{s}{n}项" for s, n in counts.items() if n) + "。")

    board = scoreboard(at)
    shown_2017 = board["2017年底前目标"]
    assert shown_2017 == {names[c]: s for c, s in EXPECTED_2017_AT_2016.items()}
    for code, status in EXPECTED_2017_AT_2016.items():
        assert expected[(code, 2017)] == status
    # the 2020 group follows the warehouse too, and the 2015 targets (due by then) are judged for good
    assert board["到2020年目标"] == {names[c]: s for (c, d), s in expected.items() if d == 2020}
    assert set(board["2015年底前目标"].values()) <= {"达标", "未达标"}

    # the cards of the 2017 tab say the same, by full indicator name
    tab = next(t for t in at.tabs if t.label.startswith("2017"))
    full = dict(query(sample, "SELECT code, name FROM indicators"))
    assert cards(tab) == {full[c]: s for c, s in EXPECTED_2017_AT_2016.items()}
    # a target behind its path says how far it still is from the target
    assert "差1家" in markdown_text(tab)


def test_presentation_mode_pages_through_the_groups(sample):
    at = open_overview(present=True)
    text = screen(at)
    # printed, the projector view gives every group (a print-only block after the screen's group)
    printed = markdown_text(at).split('<div class="pr-print-page">')[1:]
    assert [re.search(r'<div class="pr-ptitle">(\S+)', p).group(1) for p in printed] == [
        "2015年底前目标", "2017年底前目标", "到2020年目标"]
    assert headline(at) == "截至2024年底，14项目标中：达标8项，未达标6项。"
    assert '<div class="pr-title">2015年底前目标' in text
    assert "第 1 / 3 组" in text
    assert not at.select_slider  # no controls but the paging buttons on the projector
    labels = [b.label for b in at.button]
    assert labels == ["◀ 上一组", "下一组 ▶", "退出演示"]
    full = short_names(sample)  # one line a target on the projector: the short name (the full one in its tooltip)
    expected = db_statuses(sample, 2024)

    def shown_rows(at: AppTest) -> dict[str, str]:
        return dict(re.findall(r'<div class="pr-name"[^>]*>([^<]+)</div>.*?' + STATUS_RE, screen(at), flags=re.S))

    assert shown_rows(at) == {full[c]: s for (c, d), s in expected.items() if d == 2015}

    next_button = next(b for b in at.button if b.label == "下一组 ▶")
    next_button.click().run()
    assert not at.exception
    text = screen(at)
    assert '<div class="pr-title">2017年底前目标' in text and "第 2 / 3 组" in text
    assert "2015年底前目标" not in text
    assert shown_rows(at) == {full[c]: s for (c, d), s in expected.items() if d == 2017}

    next(b for b in at.button if b.label == "下一组 ▶").click().run()
    assert '<div class="pr-title">到2020年目标' in screen(at)
    next(b for b in at.button if b.label == "下一组 ▶").click().run()  # wraps round to the first group
    assert '<div class="pr-title">2015年底前目标' in screen(at)
    next(b for b in at.button if b.label == "◀ 上一组").click().run()
    assert '<div class="pr-title">到2020年目标' in screen(at)

    next(b for b in at.button if b.label == "退出演示").click().run()
    assert "present" not in at.query_params
    assert at.select_slider(key="as_of").value == 2024


def test_overview_with_an_empty_warehouse_shows_every_target_without_data(home):
    """Before any report is loaded, the leaders' screen lists the 14 targets as 无数据 instead of failing."""
    from conftest import cli

    assert cli("build")[0] == 0
    st.cache_data.clear()
    at = open_overview()
    text = markdown_text(at)
    assert "14项目标中：无数据14项。" in text
    assert text.count("目标 ≥") == 14
    assert any("还没有任何报表数据" in i.value for i in at.info)


def test_the_as_of_year_is_read_from_and_written_to_the_url(sample):
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["asof"] = "2016"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert headline(at).startswith("截至2016年底")
    assert at.select_slider(key="as_of").value == 2016
    at.select_slider(key="as_of").set_value(2018).run()
    assert headline(at).startswith("截至2018年底")
    assert at.query_params["asof"] == "2018"  # a reload or a bookmark of this address shows 2018
    next(b for b in at.button if b.label == "演示模式").click().run()
    assert (at.query_params["present"], at.query_params["asof"], at.query_params["group"]) == ("1", "2018", "1")
    assert screen(at).count("截至2018年底") == 1


def test_an_unknown_year_in_the_url_shows_the_latest(sample):
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["asof"] = "1999"
    at.run()
    assert headline(at).startswith("截至2024年底")
