"""会议材料: the PPTX (native charts a secretary can restyle) and the PDF of the same slides, read back.

The warehouse is the conftest fixture set (2014–2017) seen from the end of 2016. City values by hand
(tests/conftest.py): recognised platforms 1 of the 2017 target 2 → 完成率 50%; concentrated bases 1 of 2 → 50%;
cumulative training 2100 + 3000 = 5100 of 10000 → 51%; all three below their path (2/3 of the way) → 滞后.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from pathlib import Path

import pypdf
import pytest
from conftest import cli_subprocess, load_fixture_set
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from etl.report import briefing, facts
from etl.report.fmt import STATUS_COLORS

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="tests/run.sh installs Debian's chromium")
TITLES = ["河源市发展电子商务联席会议", "总体情况：截至2016年底", "2015年底前目标", "2017年底前目标", "到2020年目标",
          "县区比较：2016年（对照2017年底前目标）", "指标口径与数据来源", "县区评价口径（县区比较页与督查通报同一口径）"]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return load_fixture_set(tmp_path_factory.mktemp("briefing"))


@pytest.fixture(scope="module")
def deck(home) -> briefing.Deck:
    return briefing.deck(facts.Warehouse(home / "warehouse.duckdb"), 2016, "第三次联席会议", dt.date(2017, 3, 1))


@pytest.fixture(scope="module")
def prs(deck) -> Presentation:
    return Presentation(io.BytesIO(briefing.pptx_bytes(deck)))


def texts(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame and s.text_frame.text]


def slide_title(slide) -> str:
    """The first text that is not the footer (the footer line and the page number are drawn first)."""
    return next(t for t in texts(slide) if not t.startswith("河源电商发展目标监测") and " / 8" not in t)


def test_the_deck_has_one_slide_per_question(prs):
    assert (prs.slide_width, prs.slide_height) == (12191695, 6858000)  # 16:9
    assert len(prs.slides) == 8
    got = [slide_title(s) for s in prs.slides]
    assert got[0] == "第三次联席会议"
    for title, expected in zip(got[1:], TITLES[1:], strict=True):
        assert title.startswith(expected), (title, expected)


def test_the_title_slide_states_the_meeting_the_data_and_the_simulated_mark(prs):
    body = "\n".join(texts(prs.slides[0]))
    assert "会议日期：2017年3月1日" in body
    assert "数据截至：2016年底" in body
    assert "已入库报表文件 7 个" in body
    assert "模拟数据，非官方统计：示例企业和全部数字均为虚构，仅用于演示" in body
    for n, slide in enumerate(prs.slides, start=1):  # the mark and the page number on every slide
        assert f"模拟数据，非官方统计　{n} / 8" in texts(slide)


def test_group_slides_carry_native_bar_charts_coloured_by_status(prs):
    slide = prs.slides[3]
    assert slide_title(slide) == "2017年底前目标（5项：进度正常2项，滞后3项）"
    charts = [s.chart for s in slide.shapes if s.has_chart]
    assert len(charts) == 1
    chart = charts[0]
    assert chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    plot = chart.plots[0]
    assert list(plot.categories) == ["知名平台型企业", "集中化孵化基地", "聚集园区阶段", "累计培训人次", "品牌触网率"]
    values = list(plot.series[0].values)
    assert (values[0], values[1], values[3]) == (50.0, 50.0, 51.0)
    colours = [str(p.format.fill.fore_color.rgb) for p in (plot.series[0].points[i] for i in range(5))]
    assert colours[0] == colours[1] == colours[3] == STATUS_COLORS["滞后"].lstrip("#")
    assert colours[2] == colours[4] == STATUS_COLORS["进度正常"].lstrip("#")
    label = plot.series[0].points[3].data_label.text_frame.text
    assert label == "滞后 51%"
    table = next(s.table for s in slide.shapes if s.has_table)
    rows = [[table.cell(r, c).text for c in range(5)] for r in range(len(table.rows))]
    assert rows[0] == ["目标", "实际", "目标值", "状态", "差距"]
    assert rows[4] == ["累计培训人次", "5,100人次（2016年）", "≥10,000人次", "滞后", "差4,900人次"]


def test_the_county_slide_ranks_by_the_stated_score(prs):
    slide = prs.slides[5]
    chart = next(s.chart for s in slide.shapes if s.has_chart)
    assert list(chart.plots[0].categories) == ["源城区", "紫金县", "龙川县", "和平县", "连平县", "东源县"]
    assert list(chart.plots[0].series[0].values) == [76.7, 53.3, 42.3, 26.0, 22.7, 3.3]
    table = next(s.table for s in slide.shapes if s.has_table)
    assert table.cell(3, 0).text == "3. 龙川县"
    assert table.cell(3, 5).text == "红 0%"  # 品牌触网率: the light says its colour in words


def test_every_run_names_an_east_asian_font(deck):
    raw = briefing.pptx_bytes(deck)
    import zipfile

    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        slide = z.read("ppt/slides/slide4.xml").decode("utf-8")
        chart = z.read(next(n for n in z.namelist() if n.startswith("ppt/charts/chart"))).decode("utf-8")
    assert slide.count('<a:ea typeface="Microsoft YaHei"/>') >= slide.count("<a:r>")
    assert '<a:ea typeface="Microsoft YaHei"/>' in chart


@needs_chromium
def test_the_pdf_is_the_same_slides(deck):
    reader = pypdf.PdfReader(io.BytesIO(briefing.pdf_bytes(deck)))
    assert len(reader.pages) == 8
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (960, 540)  # 13.333 × 7.5 in
    # the PDF's text as a reader copies it (NFKC: some CJK glyphs map to compatibility radicals, spaces vary)
    # and without line breaks and spaces (a table cell may wrap)
    pages = ["".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in reader.pages]
    def nfkc(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split())

    assert "第三次联席会议" in pages[0] and nfkc("数据截至：2016年底") in pages[0]
    assert nfkc("2017年底前目标（5项：进度正常2项，滞后3项）") in pages[3]
    for number in ("5,100人次（2016年）", "≥10,000人次", "差4,900人次", "滞后 51%"):
        assert nfkc(number) in pages[3], number
    for name, score in (("源城区", "76.7分"), ("东源县", "3.3分")):
        assert name in pages[5] and score in pages[5]
    assert all(nfkc("模拟数据，非官方统计") in p for p in pages)


@needs_chromium
def test_the_command_line_writes_the_pptx_and_the_pdf(home, tmp_path):
    out = tmp_path / "会议"
    done = cli_subprocess("briefing", "--as-of", "2016", "--out", out, "--date", "2017-03-01", home=home)
    assert done.returncode == 0, done.stderr
    pptx_path = out / "河源市发展电子商务联席会议材料（截至2016年底）.pptx"
    pdf_path = out / "河源市发展电子商务联席会议材料（截至2016年底）.pdf"
    assert done.stdout.splitlines() == [f"已生成 {pptx_path}", f"已生成 {pdf_path}"]
    assert len(Presentation(str(pptx_path)).slides) == len(pypdf.PdfReader(str(pdf_path)).pages) == 8


def test_without_chromium_the_command_says_so_in_one_sentence(home, tmp_path, monkeypatch):
    from conftest import cli

    monkeypatch.setenv("ECMON_HOME", str(home))
    monkeypatch.setattr(briefing, "CHROMIUM_PATHS", ("/nonexistent/chromium",))
    monkeypatch.setattr(briefing.shutil, "which", lambda _name: None)
    import contextlib

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code, out = cli("briefing", "--as-of", "2016", "--out", tmp_path / "o")
    assert code == 1
    assert err.getvalue().strip() == briefing.NO_CHROMIUM
    assert (tmp_path / "o" / "河源市发展电子商务联席会议材料（截至2016年底）.pptx").exists()  # the deck is still written
