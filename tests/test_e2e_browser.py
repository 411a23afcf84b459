"""End to end in a real browser: `streamlit run dashboard/app.py` against the sample warehouse, driven by
Debian's headless chromium through Playwright (no browser download).

Every page renders without an exception, shows the simulated-data banner and draws its charts; each
is photographed into tests/artifacts/ (gitignored) at 1280×720 and as a tall full page; the Chinese
text is drawn with a CJK font (boxes would fail); and a file loaded with the command line while the
app runs shows on reload, with no restart of the app.

Skipped only when /usr/bin/chromium is missing (tests/run.sh installs it, so CI runs these).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import xlsxwriter
from e2e_support import copy_home, query, sample_app, sample_home
from playwright.sync_api import expect

from dashboard.bench_pages import (
    CHART,
    CHART_PAGES,
    CHROMIUM,
    EXCEPTION,
    MAIN_CONTENT,
    ROOT,
    AppServer,
    app_pages,
    wait_idle,
)

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"{CHROMIUM} is missing (tests/run.sh installs Debian's chromium)")

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORT = {"width": 1280, "height": 720}
# (screenshot name, url, has charts): every page routed by dashboard/app.py (the default one, 总览, is at the
# root: Streamlit ignores a default page's url_path), then two views a leader uses
PAGES = [(path, url, path in CHART_PAGES) for path, url, _ in app_pages()] + [
    ("overview-present", "?present=1", False),
    ("detail-brand", "detail?indicator=brand_online_rate", True),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on a free port, serving a private copy of the sample warehouse; stopped at the end."""
    with sample_app(tmp_path_factory, "e2e") as app:
        yield app


@pytest.fixture(scope="module")
def context(browser):
    """One browser profile for the module: its HTTP cache keeps the app's scripts, as a visitor's would."""
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    """A fresh tab: a new Streamlit session."""
    tab = context.new_page()
    yield tab
    tab.close()


def open_page(page, url: str, charts: bool, timeout: float = 60) -> None:
    page.goto(url, wait_until="commit")
    ready = CHART if charts else MAIN_CONTENT
    page.locator(f"{ready}, {EXCEPTION}").first.wait_for(state="visible", timeout=timeout * 1000)
    wait_idle(page)
    page.wait_for_timeout(300)  # let plotly finish laying out the remaining charts


def content_height(page) -> int:
    """Streamlit scrolls an inner container (stMain): its scroll height is the page's real length."""
    return page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")


def fonts_used(page, selector: str) -> dict[str, int]:
    """The platform fonts chromium really drew a node's text with ({family: glyphs}), via DevTools."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"nothing matches {selector}"
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return {f["familyName"]: f["glyphCount"] for f in fonts}
    finally:
        cdp.detach()


@pytest.mark.parametrize(("name", "path", "charts"), PAGES, ids=[p[0] for p in PAGES])
def test_page_renders_with_banner_and_charts(server, page, name, path, charts):
    open_page(page, f"{server.url}/{path}", charts)
    errors = page.locator(EXCEPTION)
    assert errors.count() == 0, errors.first.inner_text()[:2000]
    assert page.get_by_text("Page not found").count() == 0, f"/{path} is not a page of the app"
    assert page.get_by_text("模拟数据").first.is_visible(), "the simulated-data banner is missing"
    if charts:
        drawn = page.locator(CHART)
        assert drawn.count() >= 1 and drawn.first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(content_height(page) + 40, 7000)})
    wait_idle(page)
    page.wait_for_timeout(500)  # charts redraw at the new size
    page.screenshot(path=ARTIFACTS / f"{name}-full.png")
    assert page.locator(EXCEPTION).count() == 0


def test_presentation_mode_fits_the_projector(server, page):
    """Each group, the paging buttons included, fits 1280×720 with no scrolling; 下一组 moves on."""
    open_page(page, f"{server.url}/?present=1", charts=False)
    assert page.locator('[data-testid="stSidebar"]').count() == 0 or not page.locator('[data-testid="stSidebar"]').is_visible()
    for group in ("2015年底前目标", "2017年底前目标", "到2020年目标"):
        expect(page.locator(".pr-title")).to_contain_text(group, timeout=30_000)
        wait_idle(page)
        button = page.get_by_role("button", name="下一组")
        box = button.bounding_box()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"overview-present-{group[:4]}.png")
        assert box and box["y"] + box["height"] <= VIEWPORT["height"], f"{group}: the buttons are below the screen"
        button.click()


def test_a_presenters_clicker_pages_through_the_groups(server, page):
    """Clickers send PageDown / PageUp; Esc leaves the presentation."""
    open_page(page, f"{server.url}/?present=1", charts=False)
    expect(page.locator(".pr-title")).to_contain_text("2015年底前目标", timeout=30_000)
    for key, group in (("PageDown", "2017年底前目标"), ("PageDown", "到2020年目标"), ("PageUp", "2017年底前目标")):
        wait_idle(page)
        page.keyboard.press(key)
        expect(page.locator(".pr-title")).to_contain_text(group, timeout=30_000)
    wait_idle(page)
    page.keyboard.press("Escape")
    expect(page.locator(".sb").first).to_be_visible(timeout=30_000)  # back to the scoreboard
    assert "present" not in page.url


def test_chinese_text_is_drawn_with_a_cjk_font(server, page):
    open_page(page, f"{server.url}/", charts=True)
    # the headline, drawn by chromium: a CJK face must have drawn it (without one: boxes, or no glyphs)
    used = fonts_used(page, ".headline")
    assert any("CJK" in f or "Han" in f for f in used), f"the headline was drawn with {used}: no CJK font"
    # a chart's labels (SVG text, Plotly's font stack from dashboard/charts.py)
    used = fonts_used(page, ".js-plotly-plot .ytick text")
    assert any("CJK" in f or "Han" in f for f in used), f"a chart label was drawn with {used}: no CJK font"
    # and two different characters really differ on screen (tofu boxes would be identical pixels)
    same = page.evaluate("""() => {
        const font = getComputedStyle(document.querySelector('.headline')).font;
        const draw = ch => { const c = document.createElement('canvas'); c.width = 40; c.height = 40;
            const x = c.getContext('2d'); x.font = font; x.fillText(ch, 4, 30); return c.toDataURL(); };
        return draw('河') === draw('源');
    }""")
    assert not same, "河 and 源 render identically: the CJK glyphs are missing (boxes)"


def write_f1_2025(path: Path, home: Path) -> Path:
    """A small, valid F1 for 2025: 全市 and the six counties, 6% above their 2024 values."""
    rows = query(home, "SELECT r.name, f.retail_total, f.online_retail FROM current_f1 f JOIN regions r "
                       "ON r.region_code = f.region WHERE f.period = '2024' AND r.level IN ('city', 'county') "
                       "ORDER BY r.sort_order")
    assert len(rows) == 7, rows
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("县区电子商务统计表")
    sheet.write_row(0, 0, ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）", "农村网络零售额（万元）"])
    for i, (name, retail, online) in enumerate(rows, start=1):
        sheet.write_row(i, 0, ["全市" if name == "河源市" else name, "2025", round(retail * 1.06), round(online * 1.06)])
    book.close()
    return path


def test_a_file_loaded_while_the_app_runs_shows_on_reload(tmp_path_factory, context):
    """`python -m etl load` in another process publishes a new warehouse; a reload shows it, no restart."""
    home = copy_home(sample_home(tmp_path_factory), tmp_path_factory.mktemp("e2e-live") / "home")
    with AppServer(home, log=home.parent / "streamlit.log") as app:
        page = context.new_page()
        open_page(page, f"{app.url}/", charts=True)
        assert page.locator(".headline").inner_text().startswith("截至2024年底，14项目标中：")

        f1 = write_f1_2025(home.parent / "2025年河源市电子商务统计表.xlsx", home)
        env = {**{k: v for k, v in os.environ.items() if k != "ECMON_CATALOG"},
               "ECMON_HOME": str(home), "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-m", "etl", "load", str(f1)], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=180)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "数据仓库已更新" in done.stdout

        pid = app.proc.pid
        page.reload(wait_until="commit")
        page.locator(f"{CHART}, {EXCEPTION}").first.wait_for(state="visible", timeout=60_000)
        wait_idle(page)
        assert page.locator(EXCEPTION).count() == 0
        headline = page.locator(".headline").inner_text()
        assert headline.startswith("截至2025年底，14项目标中："), headline
        assert "数据截至2025年底" in page.locator('[data-testid="stSidebar"]').inner_text()
        assert app.proc.pid == pid and app.proc.poll() is None  # the same server process, still running
        page.close()
