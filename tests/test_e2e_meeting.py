"""What the meeting and the inspection see in a real browser (Debian's chromium, the sample warehouse).

- the as-of year travels in the URL: ``/?present=1&asof=2016`` keeps 2016 after PageDown and a reload;
- the projector view fills 1280×720 and 1920×1080 with no visible text under 28 px, the meeting title and the
  需关注 line on screen; the office wall (``?wall=1``) turns to the next group by itself;
- printing (page.pdf with the print stylesheet): A4 landscape, no controls, every group, badges inside their box;
- Streamlit's own strings are Chinese (uploader, multiselect, table toolbar), and every url path opens its page.

Screenshots go to tests/artifacts/ (gitignored). Skipped only when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pypdf
import pytest
from e2e_support import sample_app
from playwright.sync_api import expect

from dashboard.bench_pages import CHROMIUM, EXCEPTION, app_pages, sign_in_demo, wait_idle

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"{CHROMIUM} is missing (tests/run.sh installs Debian's chromium)")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SMALL_TEXT = """() => {
  const out = [];
  const root = document.querySelector('[data-testid="stMain"]');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.nodeValue.trim();
    if (!text) continue;
    const el = n.parentElement;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden' || el.closest('[aria-hidden="true"]')) continue;
    const size = parseFloat(style.fontSize);
    if (size < 28) out.push([text.slice(0, 30), size]);
  }
  return out;
}"""
LAST_BOTTOM = """() => Math.max(...[...document.querySelectorAll('.pr-attn, .pr')].map(e => e.getBoundingClientRect().bottom))"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with sample_app(tmp_path_factory, "meeting", env={"ECMON_DEMO_LOGIN": "1"}) as app:  # a clerk uploads
        yield app


def new_page(browser, width: int = 1280, height: int = 720):
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    return ctx, ctx.new_page()


def ready(page, selector: str, timeout: float = 60) -> None:
    page.locator(f"{selector}, {EXCEPTION}").first.wait_for(state="visible", timeout=timeout * 1000)
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()[:2000]
    wait_idle(page)


def test_the_as_of_year_survives_paging_and_reload(server, browser):
    ctx, page = new_page(browser)
    try:
        page.goto(f"{server.url}/?present=1&asof=2016", wait_until="commit")
        ready(page, ".pr-title")
        expect(page.locator(".pr-head-line .headline")).to_have_text(re.compile(r"^截至2016年底，14项目标中："))
        expect(page.locator(".pr-title")).to_contain_text("2015年底前目标")
        page.keyboard.press("PageDown")
        expect(page.locator(".pr-title")).to_contain_text("2017年底前目标", timeout=30_000)
        expect(page.locator(".pr-head-line .headline")).to_have_text(re.compile(r"^截至2016年底"))
        expect(page.locator(".pr-title")).to_contain_text("第 2 / 3 组")
        assert "asof=2016" in page.url and "group=2" in page.url
        page.reload(wait_until="commit")  # a reload, or a bookmark of this address, shows the same screen
        ready(page, ".pr-title")
        expect(page.locator(".pr-title")).to_contain_text("2017年底前目标")
        expect(page.locator(".pr-head-line .headline")).to_have_text(re.compile(r"^截至2016年底"))
        page.keyboard.press("Escape")  # back to 总览, still 2016
        ready(page, ".sb")
        expect(page.locator(".headline").first).to_have_text(re.compile(r"^截至2016年底"))
        assert "asof=2016" in page.url and "present" not in page.url
    finally:
        ctx.close()


@pytest.mark.parametrize(("width", "height", "group"), [(1280, 720, 1), (1280, 720, 3), (1920, 1080, 1), (1920, 1080, 3)])
def test_the_projector_view_fills_the_screen_with_large_text(server, browser, width, height, group):
    """Group 1 has four targets, group 3 five: both fit with nothing under 28 px and little left empty."""
    ctx, page = new_page(browser, width, height)
    try:
        page.goto(f"{server.url}/?present=1&asof=2020&group={group}&title=第三次联席会议", wait_until="commit")
        ready(page, ".pr-title")
        page.wait_for_timeout(500)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"projector-{width}x{height}-group{group}.png")
        assert page.evaluate(SMALL_TEXT) == []  # no visible text under 28 px
        expect(page.locator(".pr-meeting")).to_have_text("第三次联席会议")
        expect(page.locator(".pr-attn")).to_contain_text("需关注：")
        expect(page.locator(".pr-mark")).to_have_text("模拟数据，非官方统计")
        bottom = page.evaluate(LAST_BOTTOM)
        assert 0.7 * height <= bottom <= height, f"the content ends at {bottom}px of {height}px"
        assert page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight") <= height  # no scrolling
        for name in ("下一组", "上一组"):
            box = page.get_by_role("button", name=name).bounding_box()
            assert box and box["y"] + box["height"] <= height
    finally:
        ctx.close()


def test_the_office_wall_turns_through_the_groups_by_itself(server, browser):
    ctx, page = new_page(browser, 1920, 1080)
    try:
        page.goto(f"{server.url}/?wall=1&auto=5&asof=2016", wait_until="commit")
        ready(page, ".pr-title")
        expect(page.locator(".pr-title")).to_contain_text("2015年底前目标")
        assert page.get_by_role("button", name="下一组").count() == 0  # nobody clicks the wall
        expect(page.locator(".pr-title")).to_contain_text("2017年底前目标", timeout=40_000)
        expect(page.locator(".pr-head-line .headline")).to_have_text(re.compile(r"^截至2016年底"))
    finally:
        ctx.close()


def printed(page) -> tuple[pypdf.PdfReader, list[str]]:
    page.emulate_media(media="print")
    reader = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    # NFKC: chromium's PDF maps some CJK glyphs to compatibility radicals; no spaces or breaks (cells wrap)
    return reader, ["".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in reader.pages]


def test_printing_the_overview_gives_every_group_on_a4_landscape_without_controls(server, browser):
    ctx, page = new_page(browser, 1280, 900)
    try:
        page.goto(f"{server.url}/?asof=2016", wait_until="commit")
        ready(page, ".sb")
        page.emulate_media(media="print")
        # every badge stays inside its scoreboard box (nothing cut at the column edge)
        cut = page.evaluate("""() => [...document.querySelectorAll('.sb .status-badge')].filter(b => {
            const box = b.closest('.sb').getBoundingClientRect(), r = b.getBoundingClientRect();
            return r.right > box.right + 0.5 || r.left < box.left - 0.5; }).length""")
        assert cut == 0
        reader, pages = printed(page)
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape, in points
        text = "".join(pages)
        for heading in ("2015年底前目标详情", "2017年底前目标详情", "到2020年目标详情", "计算方法", "定性目标"):
            assert unicodedata.normalize("NFKC", heading) in text, heading
        for control in ("演示模式", "截至哪一年底", "会议材料", "数据报送", "已入库文件"):
            assert unicodedata.normalize("NFKC", control) not in text, control
        assert unicodedata.normalize("NFKC", "截至2016年底") in text
    finally:
        ctx.close()


def test_printing_the_projector_view_gives_all_three_groups(server, browser):
    ctx, page = new_page(browser, 1280, 720)
    try:
        page.goto(f"{server.url}/?present=1&asof=2016", wait_until="commit")
        ready(page, ".pr-title")
        _reader, pages = printed(page)
        text = "".join(pages)
        for group in ("2015年底前目标", "2017年底前目标", "到2020年目标"):
            assert unicodedata.normalize("NFKC", group) in text, group
        assert unicodedata.normalize("NFKC", "上一组") not in text and unicodedata.normalize("NFKC", "退出演示") not in text
    finally:
        ctx.close()


ENGLISH = ["Drag and drop", "per file", "Browse files", "Choose an option", "Select all", "No results",
           "Download as CSV", "Fullscreen", "Help for"]
VISIBLE_TEXT = """(words) => {
  const hits = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script, style, [data-testid="stIconMaterial"]')) continue;
    for (const w of words) if (n.nodeValue.includes(w)) hits.push(w + ': ' + n.nodeValue.trim().slice(0, 40));
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]'))
    for (const a of ['aria-label', 'title', 'placeholder'])
      for (const w of words) if ((el.getAttribute(a) || '').includes(w)) hits.push(w + ' @' + a);
  return hits;
}"""


def test_streamlits_own_strings_are_chinese(server, browser):
    ctx, page = new_page(browser, 1280, 900)
    try:
        page.goto(f"{server.url}/submissions", wait_until="commit")
        ready(page, "h1")
        sign_in_demo(page, "和平县填报员（演示）")  # a visitor reads only: the uploader is a clerk's
        ready(page, '[data-testid="stFileUploaderDropzone"]')
        dropzone = page.locator('[data-testid="stFileUploaderDropzone"]')
        expect(dropzone).to_contain_text("每个文件不超过")
        expect(dropzone).to_contain_text("选择文件")
        assert page.evaluate(VISIBLE_TEXT, ENGLISH) == []

        page.goto(f"{server.url}/explore", wait_until="commit")
        ready(page, '[data-testid="stMultiSelect"]')
        page.locator('[data-testid="stMultiSelect"] input').first.click()
        page.keyboard.type("zzzz")  # nothing matches
        expect(page.get_by_text("没有匹配项").first).to_be_visible(timeout=10_000)
        page.keyboard.press("Escape")
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        grid.hover()
        expect(page.locator('[aria-label="下载为 CSV"]').first).to_be_attached(timeout=10_000)
        expect(page.locator('[aria-label="搜索"]').first).to_be_attached()
        expect(page.locator('[aria-label="全屏"]').first).to_be_attached()
        assert page.evaluate(VISIBLE_TEXT, ENGLISH) == []
    finally:
        ctx.close()


TITLES = {"overview": "发展目标总览", "detail": "目标详情", "counties": "县区比较", "tasks": "任务督办",
          "funds": "资金兑现", "explore": "数据探索", "submissions": "数据报送", "policy": "政策条款"}


def test_every_url_path_opens_its_page(server, browser):
    ctx, page = new_page(browser, 1280, 900)
    try:
        paths = [p for p, _url, _default in app_pages()]
        assert sorted(paths) == sorted(TITLES)
        for path in paths:
            page.goto(f"{server.url}/{path}?asof=2016", wait_until="commit")
            ready(page, "h1, h2")
            assert page.get_by_text("Page not found").count() == 0, path
            expect(page.locator("h1, h2").first).to_contain_text(TITLES[path])
        page.goto(f"{server.url}/overview?asof=2016", wait_until="commit")
        ready(page, ".sb")
        expect(page.locator(".headline").first).to_have_text(re.compile(r"^截至2016年底"))
    finally:
        ctx.close()


def test_the_briefing_downloads_from_the_overview_in_one_click(server, browser, tmp_path):
    ctx, page = new_page(browser, 1280, 900)
    try:
        page.goto(f"{server.url}/?asof=2016", wait_until="commit")
        ready(page, ".sb")
        for label, suffix, magic in (("会议材料", ".pptx", b"PK"), ("PDF", ".pdf", b"%PDF")):
            with page.expect_download(timeout=90_000) as info:
                page.get_by_role("button", name=label, exact=True).click()
            download = info.value
            assert download.suggested_filename == f"河源市发展电子商务联席会议材料（截至2016年底）{suffix}"
            path = tmp_path / download.suggested_filename
            download.save_as(path)
            assert path.read_bytes()[:len(magic)] == magic
        assert len(pypdf.PdfReader(str(path)).pages) == 10  # 8 slides + the tasks and the commitments (sample F7/F8)
    finally:
        ctx.close()
