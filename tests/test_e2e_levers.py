"""任务督办 and 资金兑现 in a real browser (Debian chromium via Playwright) on the sample warehouse: what a leader sees
first, the tabs an inspector clicks, the link from 政策条款 to a task, and hostile text that stays text. Screenshots
go to tests/artifacts/ (gitignored): levers-*.png.

Skipped only when /usr/bin/chromium is missing (tests/run.sh installs it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_xlsx
from e2e_support import sample_app
from playwright.sync_api import expect

from dashboard.bench_pages import CHART, CHROMIUM, EXCEPTION, MAIN_CONTENT, AppServer, wait_idle

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"{CHROMIUM} is missing (tests/run.sh installs Debian's chromium)")

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with sample_app(tmp_path_factory, "e2e-levers") as app:
        yield app


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    yield tab
    context.close()


def open_page(page, url: str) -> None:
    page.goto(url, wait_until="commit")
    page.locator(f"{MAIN_CONTENT}, {EXCEPTION}").first.wait_for(state="visible", timeout=60_000)
    wait_idle(page)
    page.wait_for_timeout(500)
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()[:2000]


def shoot(page, name: str, full: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    if full:
        height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        page.set_viewport_size({"width": 1280, "height": min(height + 40, 7000)})
        wait_idle(page)
        page.wait_for_timeout(800)
    page.screenshot(path=ARTIFACTS / f"levers-{name}.png")


def click_tab(page, label: str) -> None:
    page.get_by_role("tab", name=label).click()
    wait_idle(page)
    page.wait_for_timeout(500)


def test_the_task_page_a_leader_opens(server, page):
    open_page(page, f"{server.url}/tasks")
    expect(page.locator(".headline")).to_contain_text("22项任务中 红灯2项、黄灯1项、绿灯17项、灰灯2项。")
    assert page.get_by_text("模拟数据").first.is_visible()
    chips = page.locator(".lv-chip")
    expect(chips).to_have_count(4)
    expect(chips.first).to_contain_text("红灯 · 需督办")
    # the reason is written beside each light, full unit names are not cut
    expect(page.locator(".lv-table").first).to_contain_text("市人力资源社会保障局未报送2024年第四季度进展（截止2025-01-15）")
    expect(page.locator(".lv-table").first).to_contain_text("中国电信河源分公司、中国移动河源分公司、中国联通河源分公司")
    shoot(page, "tasks")
    shoot(page, "tasks-full", full=True)
    click_tab(page, "未报送")
    expect(page.get_by_text("应报88份", exact=False)).to_be_visible()
    shoot(page, "tasks-missing")
    click_tab(page, "任务进展历史")
    page.locator(f"{CHART}").first.wait_for(state="visible", timeout=30_000)
    shoot(page, "tasks-history")
    assert page.locator(EXCEPTION).count() == 0


def test_a_task_link_on_the_policy_page_opens_its_supervision(server, page):
    open_page(page, f"{server.url}/policy")
    expect(page.locator(".lv-table").first).to_contain_text("市工商局、人行河源市中心支行、市农业局、市质监局、河源检验检疫局")
    expect(page.get_by_text("按单位筛选（牵头或配合）")).to_be_visible()
    shoot(page, "policy")
    page.get_by_role("link", name="三(四)1", exact=True).click()
    page.wait_for_url("**/tasks?task=*", timeout=30_000)
    page.locator(f"{MAIN_CONTENT}, {EXCEPTION}").first.wait_for(state="visible", timeout=60_000)
    wait_idle(page)
    expect(page.get_by_text("从政策条款页进入的任务")).to_be_visible()
    expect(page.get_by_text("市发展改革局报告2024年第四季度进展滞后", exact=False).first).to_be_visible()
    shoot(page, "tasks-from-policy")


def test_the_funds_page_an_inspector_opens(server, page):
    open_page(page, f"{server.url}/funds")
    expect(page.locator(".headline")).to_contain_text("超额拨付1项、无测算依据1项、应享未申19项")
    expect(page.locator(".lv-matrix")).to_contain_text("未达标")
    page.locator(CHART).first.wait_for(state="visible", timeout=30_000)
    shoot(page, "funds")
    shoot(page, "funds-full", full=True)
    for label, name in (("兑现进度", "progress"), ("需关注", "flags"), ("兑现链条", "chain")):
        click_tab(page, label)
        shoot(page, f"funds-{name}")
        assert page.locator(EXCEPTION).count() == 0
    click_tab(page, "需关注")
    expect(page.get_by_text("超额拨付（1项）")).to_be_visible()


def test_hostile_text_stays_text_in_the_browser(tmp_path, browser, monkeypatch):
    """A unit's 存在问题 that is HTML, markdown and a script: drawn as the characters typed, nothing runs."""
    from etl import pipeline

    monkeypatch.setenv("ECMON_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ECMON_TODAY", "2024-10-20")
    evil = "<img src=x onerror=\"document.title='pwned'\"> **粗体** [点我](javascript:alert(1))"
    path = write_xlsx(tmp_path / "进展.xlsx", {"重点任务进展表": [["报告期", "任务编号", "报送单位", "进展状态", "进展情况", "存在问题"],
                                                           ["2024Q3", "三(一)1", "市商务局", "滞后", "进展", evil]]})
    assert pipeline.load([path], simulated=True, submitted_on={"进展.xlsx": "2024-10-10"}).published
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    dialogs = []
    try:
        with AppServer(tmp_path / "home", log=tmp_path / "streamlit.log") as app:
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            open_page(page, f"{app.url}/tasks")
            expect(page.locator(".lv-table").first).to_contain_text(evil)
            assert page.locator(".lv-table img").count() == 0
            assert page.locator(".lv-table a").count() == 0
            assert page.title() != "pwned" and dialogs == []
            shoot(page, "tasks-hostile")
    finally:
        context.close()
