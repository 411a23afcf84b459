"""One place for state: two app processes on one ECMON_HOME and a command-line load at the same moment never
lose or double a submission, and a reviewer's approval in one app is what the other app shows (real processes,
real browsers; demo accounts, ECMON_DEMO_LOGIN=1).

Skipped only when /usr/bin/chromium is missing (tests/run.sh installs it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, write_xlsx
from e2e_support import copy_home, query, sample_home
from playwright.sync_api import expect

from dashboard.bench_pages import CHROMIUM, AppServer, chromium, sign_in_demo, wait_idle
from etl import store

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"{CHROMIUM} is missing (tests/run.sh installs Debian's chromium)")
F1 = ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"]


def upload(page, path: Path) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_text(path.name).first.wait_for()


def test_two_apps_and_the_command_line_at_once(tmp_path_factory, tmp_path):
    home = copy_home(sample_home(tmp_path_factory), tmp_path_factory.mktemp("two") / "home")
    before = len([r for r in (home / "received").iterdir()])
    lianping = write_xlsx(tmp_path / "连平县2025年电子商务统计表.xlsx", {"表": [F1, ["连平县", "2025年1-6月", 52000, 4100]]})
    heping = write_xlsx(tmp_path / "和平县2025年电子商务统计表.xlsx", {"表": [F1, ["和平县", "2025年1-6月", 61000, 5200]]})
    bureau = write_xlsx(tmp_path / "东源县2025年电子商务统计表.xlsx", {"表": [F1, ["东源县", "2025年1-6月", 120000, 9900]]})
    env = {"ECMON_DEMO_LOGIN": "1"}
    with AppServer(home, env=env) as one, AppServer(home, env=env) as two, chromium() as browser:
        a = browser.new_page(viewport={"width": 1300, "height": 1000}, locale="zh-CN")
        b = browser.new_page(viewport={"width": 1300, "height": 1000}, locale="zh-CN")
        for page, app, who, path in ((a, one, "连平县填报员（演示）", lianping), (b, two, "和平县填报员（演示）", heping)):
            page.goto(f"{app.url}/submissions")
            page.locator("h1").first.wait_for()
            sign_in_demo(page, who)
            upload(page, path)
        # both clerks press 提交审核 and the operator loads a file on the server, all at once
        a.get_by_role("button", name="提交审核").click()
        b.get_by_role("button", name="提交审核").click()
        cli = subprocess.run([sys.executable, "-m", "etl", "load", str(bureau)], cwd=REPO, capture_output=True, text=True,
                             timeout=300, env={**os.environ, "ECMON_HOME": str(home), "PYTHONPATH": str(REPO)})
        assert cli.returncode == 0, cli.stdout + cli.stderr
        for page in (a, b):
            expect(page.get_by_text("已提交，待市商务局审核").first).to_be_visible(timeout=120_000)
        # every submission exactly once: three new receipts, three distinct numbers, three kept files
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("ECMON_HOME", str(home))
            new = store.receipts()[before:]
        assert sorted((r["file"], r["status"], r["user"]) for r in new) == [
            (bureau.name, "accepted", new[[r["file"] for r in new].index(bureau.name)]["user"]),
            (heping.name, "pending", "demo-heping"), (lianping.name, "pending", "demo-lianping")]
        assert len({r["id"] for r in new}) == 3
        assert len([r for r in (home / "received").iterdir()]) == before + 3
        # a reviewer approves in the second app; the first app shows the published figure on its next run
        b.goto(f"{two.url}/submissions")
        b.locator("h1").first.wait_for()
        sign_in_demo(b, "审核员甲（演示）")
        b.locator('[data-testid="stSidebarNav"] a', has_text="报送审核").click()  # a reviewer's page
        b.locator("h1", has_text="报送审核").wait_for()
        wait_idle(b)
        lianping_id = next(r["id"] for r in new if r["file"] == lianping.name)
        b.get_by_role("tab", name="待审核（2）").click()
        box = b.locator('[data-testid="stSelectbox"]').filter(has_text="审核回执")
        box.click()
        b.get_by_role("option", name=f"回执{lianping_id} · {lianping.name} · demo-lianping").click()
        wait_idle(b)
        b.get_by_role("button", name="审核通过并发布").click()
        expect(b.get_by_text(f"回执{lianping_id}：已入库").first).to_be_visible(timeout=120_000)
        assert query(home, "SELECT value FROM indicator_values WHERE indicator = 'online_retail' AND region_code = '441623' "
                           "AND period = '2025-06'") == [(4100.0,)]
        a.goto(f"{one.url}/submissions")
        a.locator("h1").first.wait_for()
        wait_idle(a)
        expect(a.locator('[data-testid="stSidebar"]')).to_contain_text("待审核：1个")  # 和平县's, still waiting
