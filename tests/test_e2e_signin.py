"""Sign-in for real: the dashboard behind a real OpenID Connect provider (tests/oidc_support.py), each role's
reach checked in chromium. Roles come from the provider's claims, or from the users file in ECMON_HOME.

Skipped only when /usr/bin/chromium is missing (tests/run.sh installs it, and the provider's npm packages)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from e2e_support import copy_home, sample_home
from oidc_support import OidcProvider, redirect_uri, sign_in, write_auth_secrets
from playwright.sync_api import expect

from dashboard.bench_pages import CHROMIUM, AppServer, free_port, wait_idle

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"{CHROMIUM} is missing (tests/run.sh installs Debian's chromium)")

ALL = ["总览", "目标详情", "县区比较", "任务督办", "资金兑现", "数据探索", "数据报送", "报送审核", "政策条款"]
READERS = [p for p in ALL if p not in ("数据探索", "报送审核")]
ACCOUNTS = [
    {"sub": "lianping", "password": "pw-1", "name": "连平县填报员", "ecmon_role": "county_clerk", "ecmon_region": "441623"},
    {"sub": "reviewer-a", "password": "pw-2", "name": "审核员甲", "ecmon_role": "reviewer"},
    {"sub": "leader", "password": "pw-3", "name": "市领导", "ecmon_role": "leader"},
    {"sub": "inspector", "password": "pw-4", "name": "督查组", "ecmon_role": "inspector"},
    {"sub": "analyst", "password": "pw-5", "name": "分析员"},  # no claim: the users file gives the role
    {"sub": "nobody", "password": "pw-6", "name": "未分配"},
]
USERS_FILE = """
[[user]]
sub = "analyst"
name = "数据分析员"
role = "分析员"
"""
REACH = {
    "lianping": READERS,
    "reviewer-a": ALL,
    "leader": READERS,
    "inspector": READERS,
    "analyst": [p for p in ALL if p != "报送审核"],
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("signin")
    home = copy_home(sample_home(tmp_path_factory), folder / "home")
    (home / "users.toml").write_text(USERS_FILE, encoding="utf-8")
    app_port = free_port()
    with OidcProvider(ACCOUNTS, redirect_uri(app_port), log=folder / "provider.log") as idp:
        secrets = write_auth_secrets(folder / "secrets.toml", idp, app_port)
        app = AppServer(home, port=app_port, log=folder / "streamlit.log", options={"secrets.files": str(secrets)})
        with app:
            yield app


def nav(page) -> list[str]:
    return [t.split("\n")[-1].strip() for t in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]


@pytest.mark.parametrize("account", list(REACH))
def test_each_role_sees_exactly_its_pages(site, browser, account):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    try:
        sign_in(page, site.url, account, next(a["password"] for a in ACCOUNTS if a["sub"] == account))
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar).to_contain_text("退出登录")
        assert nav(page) == REACH[account]
        if account == "analyst":
            expect(sidebar).to_contain_text("数据分析员\n分析员")  # name and role from the users file
        if "数据探索" not in REACH[account]:  # typing the address does not open a page outside the role
            page.goto(f"{site.url}/explore")
            wait_idle(page)
            assert page.locator("h1", has_text="数据探索").count() == 0
    finally:
        ctx.close()


def test_a_visitor_who_is_not_signed_in_sees_only_the_sign_in_page(site, browser):
    ctx = browser.new_context(locale="zh-CN")
    page = ctx.new_page()
    try:
        for path in ("", "/detail", "/explore"):
            page.goto(site.url + path)
            wait_idle(page)
            expect(page.get_by_text("请使用统一身份认证账号登录后查看")).to_be_visible()
            assert page.locator(".js-plotly-plot").count() == 0 and nav(page) == []
    finally:
        ctx.close()


def test_a_person_without_a_role_is_told_so_and_sees_no_data(site, browser):
    ctx = browser.new_context(locale="zh-CN")
    page = ctx.new_page()
    try:
        sign_in(page, site.url, "nobody", "pw-6")
        expect(page.get_by_text("尚未分配角色")).to_be_visible()
        assert nav(page) == [] and page.locator(".js-plotly-plot").count() == 0
    finally:
        ctx.close()


def test_without_a_provider_the_app_is_read_only_and_says_so(tmp_path_factory, browser):
    home = copy_home(sample_home(tmp_path_factory), tmp_path_factory.mktemp("ro") / "home")
    with AppServer(home, options={"secrets.files": str(home / "no-secrets.toml")}) as app:
        ctx = browser.new_context(locale="zh-CN")
        page = ctx.new_page()
        page.goto(app.url)
        wait_idle(page)
        expect(page.get_by_text("本系统当前为只读").first).to_be_visible()
        assert nav(page) == [p for p in ALL if p != "报送审核"]
        ctx.close()


def test_a_clerk_submits_a_reviewer_approves_and_only_exporters_get_the_meeting_files(site, browser, tmp_path):
    from conftest import write_xlsx

    path = write_xlsx(tmp_path / "连平县2025年上半年统计表.xlsx", {"表": [
        ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"], ["连平县", "2025年1-6月", 52000, 4100]]})
    clerk = browser.new_context(viewport={"width": 1300, "height": 1000}, locale="zh-CN").new_page()
    sign_in(clerk, site.url, "lianping", "pw-1")
    assert clerk.get_by_role("button", name="会议材料").count() == 0  # a clerk does not take the meeting's files
    clerk.locator('[data-testid="stSidebarNav"] a', has_text="数据报送").click()
    clerk.locator("h1", has_text="数据报送").wait_for()
    clerk.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    clerk.get_by_text(path.name).first.wait_for()
    clerk.get_by_role("button", name="提交审核").click()
    expect(clerk.get_by_text("已提交，待市商务局审核").first).to_be_visible(timeout=120_000)

    reviewer = browser.new_context(viewport={"width": 1300, "height": 1000}, locale="zh-CN").new_page()
    sign_in(reviewer, site.url, "reviewer-a", "pw-2")
    reviewer.locator('[data-testid="stSidebarNav"] a', has_text="报送审核").click()
    reviewer.locator("h1", has_text="报送审核").wait_for()
    wait_idle(reviewer)
    expect(reviewer.get_by_text(path.name).first).to_be_visible()
    reviewer.get_by_role("button", name="审核通过并发布").click()
    # the decision's own message, not the sidebar's 已入库文件 count, which is on every page from the start
    expect(reviewer.locator('[data-testid="stAlert"]', has_text=re.compile(r"回执\d+：已入库"))).to_be_visible(timeout=120_000)
    (who,) = [r for r in _receipts(site) if r["file"] == path.name]
    assert (who["status"], who["user"], who["decided_by"], who["decided_role"]) == ("accepted", "lianping", "reviewer-a", "审核员")

    leader = browser.new_context(viewport={"width": 1300, "height": 1000}, locale="zh-CN").new_page()
    sign_in(leader, site.url, "leader", "pw-3")
    expect(leader.get_by_role("button", name="会议材料")).to_be_visible()
    for ctx_page in (clerk, reviewer, leader):
        ctx_page.context.close()


def _receipts(site) -> list[dict]:
    from etl import store

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ECMON_HOME", str(site.home))
        return store.receipts()
