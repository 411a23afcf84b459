"""Hostile strings (issue 6, points 4, 5, 7 and 8): what a user sent is shown as text and exported as text; the
SQL console neither shows the server nor takes its memory; the server listens on this machine only.

One small home is built by the real ETL for the module (``hostile``): the six counties' F1 of 2016, then
through dashboard/upload.py (the browser upload's own code) a rejected F1 whose file name, sheet name and cells
are hostile, then, in one accepted batch, a brand-enterprise list (F5, 2016) whose three enterprises carry
hostile names and are not yet online, and an F1 of 2017 whose file name is hostile and 400 bytes long. The
pages are run with AppTest and in Debian's chromium; exports are read back from their real bytes.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from conftest import SMALL_F1_2016, build_home, uscc, write_xlsx
from e2e_support import open_app_page, use_home
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from dashboard import sql_console as sc
from dashboard import ui, upload
from dashboard.bench_pages import CHROMIUM, ROOT, AppServer, chromium, free_port, sign_in_demo, wait_idle
from etl import exports, store

F1_HEADER = ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）", "农村网络零售额（万元）"]
F5_HEADER = ["年度", "企业名称", "统一社会信用代码", "所在县区", "品牌名称", "品牌类别", "是否触网", "触网渠道", "首次触网日期"]
# A file name cannot hold "/" or "\" (so no :material/…: icon); everything else may come in a name. A markdown image without "/" fetches
# a relative URL: every request the page makes for "hostile" (any of the images below) is counted.
ACCEPTED_NAME = ('<img src=x onerror="window.__hostile=1"><iframe srcdoc="&lt;script&gt;parent.__hostile=2'
                 '&lt;&#x2f;script&gt;">![x](hostile-file.png)**粗体**:red[红色]$x^2$=1+1'
                 + "很长的文件名" * 14 + ".xlsx")
# chromium sends a '"' of a chosen file's name as %22: the name picked in the browser has none
UPLOAD_NAME = "<img src=x onerror=window.__hostile=6>![x](hostile-upload.png)**粗体**=1+1" + "很长的文件名" * 14 + ".xlsx"
REJECTED_NAME = '[链接](javascript:alert(1))<img src=x onerror="window.__hostile=5">有误.xlsx'
HOSTILE_SHEET = "<img src=x onerror=1>"
HOSTILE_CELLS = {  # (row, column) → the text typed into a money column of the rejected F1
    "img": '<img src=x onerror="window.__hostile=3">',
    "markdown": "![v](http://127.0.0.1:9/hostile-cell.png)",
    "formula": "=1+1",
    "plus": "+cmd",
    "at": "@SUM(1)",
    "minus": "-2+3",
}
ENTERPRISES = [  # brand enterprises of 东源县, 2016, none online yet: 目标详情 lists them by name
    "![品牌](http://127.0.0.1:9/hostile-brand.png)示例企业一",
    '<img src=x onerror="window.__hostile=4">示例企业二',
    "**示例**企业三:material/home:$x^2$[链接](javascript:alert(1))",
]
PAGE_SUBMISSIONS = "app_pages/submissions.py"
PAGE_DETAIL = "app_pages/target_detail.py"
PAGE_EXPLORE = "app_pages/explore.py"
PAGE_COUNTIES = "app_pages/counties.py"


def unescaped(text: str) -> str:
    """What a browser shows for ``text`` written through ui.plain (references decoded, word joiners gone)."""
    return html.unescape(text).replace(ui.WORD_JOINER, "")


def f1_rejected_rows() -> list[list]:
    c = HOSTILE_CELLS
    return [F1_HEADER,
            ["源城区", "2017", 110000, c["img"], None],
            ["紫金县", "2017", c["formula"], c["markdown"], None],
            ["龙川县", "2017", c["at"], c["plus"], c["minus"]]]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    home = build_home(folder, {"2016年县区电子商务统计表.xlsx": {"县区电子商务统计表": [F1_HEADER, *SMALL_F1_2016]}})
    rejected = write_xlsx(folder / "in" / "rejected.xlsx", {HOSTILE_SHEET: f1_rejected_rows()}).read_bytes()
    f5 = write_xlsx(folder / "in" / "f5.xlsx", {"本地知名品牌企业触网情况表": [F5_HEADER] + [
        [2016, name, uscc(f"91441625MA4W00{i:03d}"), "东源县", "示例品牌", "其他", "否", None, None]
        for i, name in enumerate(ENTERPRISES)]}).read_bytes()
    f1_2017 = write_xlsx(folder / "in" / "f1.xlsx", {"县区电子商务统计表": [F1_HEADER, *[
        [r[0], "2017", *r[2:]] for r in SMALL_F1_2016]]}).read_bytes()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ECMON_HOME", str(home))
        sender = store.Actor("hostile-sender", "审核员", None, "网页上传")
        assert not upload.load_uploads([(REJECTED_NAME, rejected)], sender).ok
        accepted = upload.load_uploads([("2016年东源县品牌企业触网情况表.xlsx", f5), (ACCEPTED_NAME, f1_2017)], sender,
                                       publish=True)
        assert accepted.ok and accepted.published, accepted.messages.to_dicts()
    return home


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """{file name: bytes} of every download button a page run offers: a spy on Streamlit's own media storage
    (the real storage still stores each file)."""
    got: dict[str, bytes] = {}
    real = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        got[filename] = path_or_data
        return real(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return got


def rendered_texts(at) -> list[str]:
    """Every Markdown text of a page run (markdown, captions, alerts, button labels), the <style> left out."""
    texts = [m.value for m in at.markdown if not m.value.lstrip().startswith("<style>")]
    texts += [e.value for kind in ("caption", "info", "warning", "error", "success") for e in getattr(at, kind)]
    texts += [b.proto.label for b in at.get("download_button")]
    return texts


def assert_inert(texts: list[str]) -> None:
    """No user-made markup survives in Markdown: no tag, image, link, bold, icon or math from a user."""
    for text in texts:
        body = re.sub(r'<span class="status-badge"[^>]*>[^<]*</span>', "", text)  # the app's own badges
        body = re.sub(r"</?(div|span|small|br)\b[^>]*>", "", body)
        for markup in ("<img", "<iframe", "![", "](", "**粗体**", ":red[", ":material/home:", "$x^2$", "[链接]"):
            assert markup not in body, (markup, text[:300])


# ---- ui.plain / ui.chart_text: the one way to show a user's text ----------------------------------------------

@pytest.mark.parametrize("text", [
    '<img src=x onerror="alert(1)">', "![x](http://127.0.0.1:9/x.png)", "[link](javascript:alert(1))", "**bold**",
    ":material/home:", "$x^2$", "=1+1", "a@b.cn www.x.cn HTTPS://x.cn", "- item", "1. item", "    code", "---",
    "2016年(更正)_v2-final.xlsx", "&amp; &#60;", "`code` ~~del~~ :red[x] | a | b |", "\\*x\\*",
])
def test_plain_leaves_no_markdown_or_html_syntax_and_reads_back_as_typed(text):
    out = ui.plain(text)
    assert unescaped(out) == text
    # what is left of ASCII punctuation: the references themselves and , . - / % ? ; ( ) inside the text
    assert not re.search(r"[!\"#$'*+:<=>@\[\\\]^_`{|}~]", re.sub(r"&#\d+;", "", out)), out
    assert not re.match(r"\s|-\s|-$|---|\d+[.)]\s", out)  # no list, rule or code block at the start
    assert ui.WORD_JOINER not in out or re.search(r"(?i)www|http|@", text)


def test_plain_makes_one_line_and_chart_text_escapes_what_plotly_reads():
    assert ui.plain("第一行\n\n# 第二行\r\n> 引用") == "第一行  &#35; 第二行  &#62; 引用"
    assert ui.plain(None) == "" and ui.plain(12.5) == "12.5"
    assert ui.chart_text('<b>示例</b> & "x"') == '&lt;b&gt;示例&lt;/b&gt; &amp; "x"'


# ---- exports: one rule against formula injection -------------------------------------------------------------

@pytest.mark.parametrize("cell, expected", [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(1)", "'@SUM(1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), (" =1+1", "' =1+1"), ("\u3000@x", "'\u3000@x"), ("=", "'="), ("-", "'-"),
    ("-5", "-5"), ("+3.25", "+3.25"), ("-1e5", "-1e5"), ("示例=1", "示例=1"), ("a-b", "a-b"), ("", ""),
    (None, None), (-5, -5), (3.5, 3.5),
])
def test_a_cell_that_a_spreadsheet_would_run_gets_a_leading_quote(cell, expected):
    assert exports.neutralise(cell) == expected


def test_csv_keeps_numbers_and_neutralises_text_cells_and_header():
    frame = pl.DataFrame({"=名称": ["=1+1", "示例", None, "-5"], "数值": [-2, 3, None, 4], "列表": [["=x"], None, [], ["a"]]})
    text = exports.csv_bytes(frame).decode("utf-8")
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:]))) == [
        ["'=名称", "数值", "列表"], ["'=1+1", "-2", '["=x"]'], ["示例", "3", ""], ["", "", "[]"], ["-5", "4", '["a"]']]


def test_excel_written_through_the_export_options_has_no_formula_and_no_link():
    frame = pl.DataFrame({"=h": list(HOSTILE_CELLS.values()) + ["http://127.0.0.1:9/x", "{=1+1}"],
                          "n": list(range(8))})
    import xlsxwriter

    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf, exports.WORKBOOK_OPTIONS) as wb:
        frame.write_excel(workbook=wb, worksheet="x")
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["x"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert [c.data_type for c in cells if c.column == 1] == ["s"] * 9
    assert [c.value for c in cells if c.column == 1][1:] == frame["=h"].to_list()  # kept exactly, as text
    assert not any(c.hyperlink for c in cells)


# ---- a long file name is kept ---------------------------------------------------------------------------------

def test_a_name_over_255_bytes_is_kept_shortened_on_disk_and_whole_in_the_receipt(hostile):
    receipt = next(r for r in store_receipts(hostile) if r["file"] == ACCEPTED_NAME)
    assert len(ACCEPTED_NAME.encode()) > 400 and receipt["status"] == "accepted"
    stored = hostile / "received" / receipt["stored_as"]
    assert stored.is_file() and stored.suffix == ".xlsx" and len(stored.name.encode()) <= 200
    assert stored.name == store.stored_file_name(ACCEPTED_NAME)
    assert re.fullmatch(r".*~[0-9a-f]{8}\.xlsx", stored.name)
    assert store.stored_file_name("短名.xlsx") == "短名.xlsx"
    assert store.stored_file_name("a" * 300 + ".csv") != store.stored_file_name("a" * 299 + "b.csv")


def store_receipts(home: Path) -> list[dict]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ECMON_HOME", str(home))
        return store.receipts()


# ---- pages (AppTest): every user text is Markdown-inert ----------------------------------------------------------

def test_submissions_summary_and_newest_receipt_show_the_file_name_as_text(hostile, monkeypatch):
    use_home(hostile, monkeypatch)
    at = open_app_page(PAGE_SUBMISSIONS, timeout=120)
    texts = rendered_texts(at)
    assert_inert(texts)
    summary = next(t for t in texts if t.startswith("**已接收"))
    assert f"收到「{ACCEPTED_NAME}」" in unescaped(summary)
    heading = next(t for t in texts if t.startswith("#### 回执"))
    assert unescaped(heading).startswith(f"#### 回执000004：{ACCEPTED_NAME} <span")
    assert f"下载留存的原文件「{ACCEPTED_NAME}」" in [unescaped(t) for t in texts]


def test_a_rejected_receipts_messages_show_hostile_values_as_text(hostile, monkeypatch):
    use_home(hostile, monkeypatch)
    at = open_app_page(PAGE_SUBMISSIONS, timeout=120)
    at.selectbox(key="subm_receipt_pick").set_value("000002").run()
    assert not at.exception
    assert_inert(rendered_texts(at))
    table = next(t.value for t in at.table if "问题" in t.value.columns)  # st.table: its cells are Markdown
    cells = {(r["行"], r["列"][:1]): r for r in table.to_dict("records")}
    assert unescaped(cells[("2", "D")]["值"]) == HOSTILE_CELLS["img"] and "<" not in cells[("2", "D")]["值"]
    assert unescaped(cells[("3", "D")]["值"]) == HOSTILE_CELLS["markdown"] and "](" not in cells[("3", "D")]["值"]
    assert unescaped(cells[("3", "C")]["值"]) == "=1+1"
    assert {unescaped(r["工作表"]) for r in table.to_dict("records")} == {HOSTILE_SHEET}
    assert f"#### 回执000002：{REJECTED_NAME}" in unescaped(next(t for t in rendered_texts(at) if "#### 回执" in t))


def test_the_uploads_problem_list_csv_has_no_live_formula(hostile, monkeypatch, downloads, tmp_path):
    use_home(hostile, monkeypatch)
    monkeypatch.setenv("ECMON_DEMO_LOGIN", "1")
    at = open_app_page(PAGE_SUBMISSIONS, timeout=120, account="demo-reviewer-a")
    data = write_xlsx(tmp_path / "f1.xlsx", {"县区电子商务统计表": f1_rejected_rows()}).read_bytes()
    at.get("file_uploader")[0].set_value([(REJECTED_NAME, data, "application/octet-stream")]).run()
    at.button(key="subm_check").click().run()
    assert not at.exception
    assert_inert(rendered_texts(at))
    got = list(csv.reader(io.StringIO(downloads["问题清单.csv"].decode("utf-8-sig"))))
    assert got[0] == ["文件", "类型", "工作表", "行", "列", "值", "问题"]
    values = {(r[3], r[4][:1]): r[5] for r in got[1:] if r[5]}
    assert values == {("2", "D"): HOSTILE_CELLS["img"], ("3", "C"): "'=1+1", ("3", "D"): HOSTILE_CELLS["markdown"],
                      ("4", "C"): "'@SUM(1)", ("4", "D"): "'+cmd", ("4", "E"): "'-2+3"}


def test_target_detail_names_the_enterprises_not_online_as_text(hostile, monkeypatch):
    use_home(hostile, monkeypatch)
    at = open_app_page(PAGE_DETAIL)
    at.selectbox(key="detail_indicator").set_value("brand_online_rate").run()
    assert not at.exception
    texts = rendered_texts(at)
    assert_inert(texts)
    line = next(t for t in texts if "尚未触网" in t)
    assert line.startswith("2016年本地知名品牌企业 3 家，已触网 0 家；**尚未触网 3 家**：")
    assert sorted(unescaped(line.split("：", 1)[1]).split("、")) == sorted(ENTERPRISES)


# ---- exports of the pages, from the bytes the download buttons hand out ---------------------------------------------

@pytest.fixture(scope="module")
def formula_catalog_home(tmp_path_factory) -> tuple[Path, Path]:
    """A catalog whose 网络零售额占比 (the explore page's first pick) is named and defined like formulas, and a
    home built with it: the 数据探索 and 督查通报 exports then carry those texts."""
    import shutil

    folder = tmp_path_factory.mktemp("formula-catalog")
    catalog = Path(shutil.copytree(ROOT / "data" / "catalog", folder / "catalog"))
    inds = pl.read_csv(catalog / "indicators.csv", infer_schema=False)
    inds = inds.with_columns(
        pl.when(pl.col("code") == "online_retail_share").then(pl.lit("=1+1网络零售额占比")).otherwise(pl.col("name"))
        .alias("name"),
        pl.when(pl.col("code") == "online_retail_share").then(pl.lit("=2+2占比")).otherwise(pl.col("short_name"))
        .alias("short_name"),
        pl.when(pl.col("code") == "online_retail_share").then(pl.lit("+cmd|' /C calc'!A0 定义")).otherwise(
            pl.col("definition")).alias("definition"))
    inds.write_csv(catalog / "indicators.csv")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ECMON_CATALOG", str(catalog))
        from etl import pipeline

        mp.setenv("ECMON_HOME", str(folder / "home"))
        path = write_xlsx(folder / "in" / "f1.xlsx", {"县区电子商务统计表": [F1_HEADER, *SMALL_F1_2016]})
        assert pipeline.load([path], simulated=True).published
    return catalog, folder / "home"


def formula_cells(data: bytes) -> list[str]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [f"{ws.title}!{c.coordinate}={c.value}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def test_explore_csv_and_excel_exports_hold_formula_like_names_as_text(formula_catalog_home, monkeypatch, downloads):
    catalog, home = formula_catalog_home
    use_home(home, monkeypatch)
    monkeypatch.setenv("ECMON_CATALOG", str(catalog))
    at = open_app_page(PAGE_EXPLORE)
    assert not at.exception
    excel = next(v for k, v in downloads.items() if k and k.endswith(".xlsx"))
    assert formula_cells(excel) == []
    data = openpyxl.load_workbook(io.BytesIO(excel))["数据"]
    assert "=1+1网络零售额占比" in [c.value for c in data["B"]]
    text = next(v for k, v in downloads.items() if k and k.endswith(".csv")).decode("utf-8-sig")
    names = {row[1] for row in list(csv.reader(io.StringIO(text)))[1:]}
    assert names == {"'=1+1网络零售额占比"}


def test_the_inspection_workbook_holds_formula_like_names_as_text(formula_catalog_home, monkeypatch, downloads):
    catalog, home = formula_catalog_home
    use_home(home, monkeypatch)
    monkeypatch.setenv("ECMON_CATALOG", str(catalog))
    at = open_app_page(PAGE_COUNTIES)
    at.selectbox(key="cmp_indicator").set_value("online_retail_share").run()  # an indicator with data (F1 only)
    assert not at.exception
    book = next(v for k, v in downloads.items() if k and k.startswith("河源市电子商务发展督查通报表"))
    assert formula_cells(book) == []
    texts = [c.value for ws in openpyxl.load_workbook(io.BytesIO(book)).worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    assert any(t.startswith("=2+2占比") for t in texts)
    assert any("=1+1网络零售额占比" in t and "+cmd|' /C calc'!A0 定义" in t for t in texts)


# ---- the SQL console: the server stays hidden -----------------------------------------------------------------------

@pytest.mark.parametrize("sql, expected", [
    ("SELECT * FROM duckdb_settings()", "系统信息"),
    ("SELECT path FROM duckdb_databases()", "系统信息"),
    ("SELECT * FROM duckdb_databases", "系统信息"),
    ("SELECT * FROM duckdb_extensions()", "系统信息"),
    ("SELECT * FROM duckdb_temporary_files()", "系统信息"),
    ("SELECT * FROM pragma_database_list", "系统信息"),
    ("PRAGMA database_list", "PRAGMA"),
    ("CALL pragma_database_list()", "系统信息"),
    ("CALL duckdb_settings()", "系统信息"),
    ("SELECT * FROM system.main.duckdb_databases", "系统信息"),
    ("SELECT * FROM pg_settings", "系统信息"),
    ("SELECT * FROM pg_catalog.pg_settings", "系统信息"),
    ("SELECT current_setting('temp_directory')", "系统信息"),
    ("SELECT upper(current_setting('secret_directory')) AS x", "系统信息"),
    ("SELECT getenv('HOME')", "系统信息"),
    ("SHOW temp_directory", "系统信息"),
    ("SHOW ALL TABLES", None),  # allowed: names of tables only
    ("SELECT 1 WHERE EXISTS (SELECT * FROM duckdb_settings() WHERE value LIKE '/%')", "系统信息"),
    ("WITH s AS (SELECT * FROM duckdb_settings()) SELECT * FROM s", "系统信息"),
    ("WITH duckdb_settings AS (SELECT 1) SELECT * FROM (SELECT 1), duckdb_settings", "系统信息"),
    ("SELECT * FROM query('SELECT * FROM duckdb_settings()')", "系统信息"),
    ("SELECT * FROM query_table('duckdb_settings')", "系统信息"),
    ("EXPLAIN SELECT * FROM duckdb_databases()", "系统信息"),
    ("DESCRIBE SELECT * FROM duckdb_settings()", "系统信息"),
    ("SUMMARIZE duckdb_settings", "系统信息"),
    ("PIVOT duckdb_settings() ON name USING first(value)", "系统信息"),
    ("PIVOT (SELECT * FROM pg_settings) ON name USING first(setting)", "系统信息"),
    ("SELECT * FROM read_blob('{warehouse}')", "不能读写服务器上的文件"),
    ("SELECT * FROM read_text('{warehouse}')", "不能读写服务器上的文件"),
    ("SELECT * FROM glob('{home}/*')", "不能读写服务器上的文件"),
    ("SELECT * FROM '{warehouse}'", "不能读写服务器上的文件"),
    ("SELECT * FROM sniff_csv('{warehouse}')", "不能读写服务器上的文件"),
    ("SELECT * FROM test_all_types()", "不能使用 test_all_types()"),
    # what the analyst wrote comes back in the message only as letters, digits and . _ ( )
    ('SELECT * FROM system."![x](hostile-sql.png)<img src=x>"', "不开放数据库的系统信息（system.x(hostilesql.png)img srcx："),
    ('SELECT * FROM "![x](hostile-sql.png)"(1)', "不能使用 x(hostilesql.png)()"),
])
def test_catalog_functions_settings_and_files_are_refused_in_chinese(hostile, sql, expected):
    warehouse = hostile / "warehouse.duckdb"
    result = sc.run(sql.format(warehouse=warehouse, home=hostile), warehouse)
    if expected is None:
        assert result.ok, (result.error, result.detail)
        text = str(result.frame.rows())
    else:
        assert not result.ok and result.frame is None and expected in result.error, (sql, result.error)
        assert re.search(r"[\u4e00-\u9fff]", result.error) and "Error" not in result.error
        assert not re.search(r"[<>\[\]*`$!]", result.error), result.error  # shown as Markdown on the page
        text = f"{result.error} {result.detail}"
    assert str(hostile) not in text and "/root" not in text and "/tmp" not in text


def test_no_table_of_the_warehouse_holds_a_server_path(hostile):
    con = duckdb.connect(str(hostile / "warehouse.duckdb"), read_only=True)
    try:
        columns = con.sql("SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
                          "AND data_type = 'VARCHAR' AND NOT internal").fetchall()
        hits = [(t, c) for t, c in columns
                if con.sql(f'SELECT count(*) FROM "{t}" WHERE "{c}" LIKE ?', params=[f"%{hostile}%"]).fetchall()[0][0]]
        stored_as = [s for (s,) in con.sql("SELECT stored_as FROM receipts").fetchall()]
    finally:
        con.close()
    assert hits == []  # warehouse_info.ecmon_home used to hold ECMON_HOME
    assert all(re.fullmatch(r"\d{6}_[0-9a-f]{12}/[^/]+", s) for s in stored_as), stored_as


def test_the_console_still_reads_the_public_tables_and_the_catalog(hostile):
    warehouse = hostile / "warehouse.duckdb"
    for sql in ["SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database()",
                "SELECT * FROM progress_at(2016) LIMIT 3", "SELECT * FROM range(3), unnest([1, 2])",
                "SHOW TABLES", "PRAGMA table_info('regions')", "CALL range(3)", "EXPLAIN SELECT * FROM regions",
                "SELECT e.entity_name FROM indicator_entities e WHERE e.indicator = 'brand_enterprises'"]:
        result = sc.run(sql, warehouse)
        assert result.ok and result.frame.height > 0, (sql, result.error, result.detail)


def test_console_results_and_csv_keep_hostile_names_as_text(hostile):
    result = sc.run("SELECT entity_name AS \"=名称\", 1 AS n FROM indicator_entities WHERE indicator = 'brand_enterprises' "
                    "UNION ALL SELECT '=HYPERLINK(\"http://127.0.0.1:9\")', -2 ORDER BY 1", hostile / "warehouse.duckdb")
    assert result.ok, result.error
    assert sorted(result.frame["=名称"].to_list()) == sorted([*ENTERPRISES, '=HYPERLINK("http://127.0.0.1:9")'])
    rows = list(csv.reader(io.StringIO(sc.csv_bytes(result.frame).decode("utf-8-sig"))))
    assert rows[0] == ["'=名称", "n"]
    assert ["'=HYPERLINK(\"http://127.0.0.1:9\")", "-2"] in rows and [ENTERPRISES[0], "1"] in rows


# ---- the SQL console: memory and disk stay bounded -------------------------------------------------------------------

PEAK_SCRIPT = """
import resource, sys, json
sys.path.insert(0, {root!r})
from dashboard import sql_console as sc
result = sc.run({sql!r}, {warehouse!r}, time_limit=20)
print(json.dumps({{"error": result.error, "rows": None if result.frame is None else result.frame.height,
                  "self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}}))
"""


@pytest.mark.parametrize("sql", [
    "SELECT repeat('x', 2000000000) AS s",
    "SELECT length(repeat('x', 2000000000)) AS n",
    "SELECT count(*) FROM range(1000000000000::BIGINT) a, range(1000000000000::BIGINT) b",
    "SELECT count(*) FROM (SELECT range::VARCHAR || repeat('y', 100) AS s FROM range(30000000) ORDER BY s)",
])
def test_a_query_that_needs_too_much_memory_is_stopped_below_the_cap_and_spills_nothing(hostile, tmp_path, sql):
    """Measured, not timed: the peak resident memory of a fresh process that runs the console (and of its worker)."""
    script = PEAK_SCRIPT.format(root=str(ROOT), sql=sql, warehouse=str(hostile / "warehouse.duckdb"))
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "ECMON_HOME": str(hostile)})
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["error"] == "查询所需内存超过上限（1GB），已停止。请缩小范围或先聚合后再试。", out
    assert out["worker"] < 1.5 * 2**30 and out["self"] < 1.5 * 2**30, out
    assert list(tmp_path.iterdir()) == []  # nothing spilled into the working directory (it used to be ./.tmp)


def test_long_values_and_huge_results_are_cut_and_say_so(hostile):
    warehouse = hostile / "warehouse.duckdb"
    long = sc.run("SELECT repeat('长', 25000) AS s, 'short' AS t", warehouse)
    assert long.ok and long.cut_texts == 1 and long.frame["t"].to_list() == ["short"]
    assert long.frame["s"][0] == "长" * sc.MAX_TEXT_CHARS + "…"
    big = sc.run("SELECT range AS i, repeat('x', 9000) AS s FROM range(10000)", warehouse)  # 90 MB of text
    assert big.ok and big.truncated and big.limited == "bytes"
    assert 0 < big.frame.height < 10000 and big.frame.estimated_size() <= sc.MAX_RESULT_BYTES
    assert big.frame["i"].to_list() == list(range(big.frame.height))


# ---- the server listens on this machine only ---------------------------------------------------------------------------

def listening(port: int) -> set[str]:
    """The local addresses that listen on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for name, size in (("tcp", 8), ("tcp6", 32)):
        for line in Path(f"/proc/net/{name}").read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state != "0A" or int(hex_port, 16) != port:
                continue
            raw = bytes.fromhex(address)
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))  # each 32-bit word is little-endian
            found.add(socket.inet_ntop(socket.AF_INET if size == 8 else socket.AF_INET6, raw))
    return found


def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 180) -> set[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode}")
        if found := listening(port):
            return found
        time.sleep(0.5)
    raise AssertionError("the server did not listen in time")


def stop(proc: subprocess.Popen) -> None:
    """End the process this test started, and its children (serve.sh runs uv, which runs streamlit)."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)


LOOPBACK = {"127.0.0.1", "::1"}


def test_the_app_started_without_an_address_listens_on_localhost_only(hostile):
    """.streamlit/config.toml: `streamlit run` from the checkout, no --server.address."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port)],
                            cwd=ROOT, env={**os.environ, "ECMON_HOME": str(hostile)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        found = wait_listening(port, proc)
    finally:
        stop(proc)
    assert found and found <= LOOPBACK, found


@pytest.fixture(scope="module")
def served_home(tmp_path_factory) -> Path:
    """An ECMON_HOME for serve.sh (which loads the sample files into it: once, then they are unchanged)."""
    return tmp_path_factory.mktemp("serve") / "home"


@pytest.mark.parametrize("address, expected", [(None, LOOPBACK), ("0.0.0.0", {"0.0.0.0"})])
def test_serve_sh_listens_on_localhost_unless_an_address_is_given(served_home, address, expected):
    port = free_port()
    env = {**os.environ, "ECMON_HOME": str(served_home), "PORT": str(port)}
    env.pop("ADDRESS", None)
    if address:
        env["ADDRESS"] = address
    proc = subprocess.Popen(["bash", "dashboard/serve.sh"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        found = wait_listening(port, proc, timeout=300)
    finally:
        stop(proc)
    assert found and found <= expected, found


# ---- in a real browser: nothing made by a user runs, loads or links -----------------------------------------------------

pytest_browser = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing")


@pytest.fixture(scope="module")
def served(hostile):
    app = AppServer(hostile, log=hostile.parent / "streamlit.log", env={"ECMON_DEMO_LOGIN": "1"}).start()
    yield app
    app.stop()


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1600}, locale="zh-CN")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "hostile" in r.url else None)
    page.goto(url)
    page.locator('[data-testid="stMainBlockContainer"] h1, [data-testid="stMainBlockContainer"] h2').first.wait_for(
        timeout=60_000)
    wait_idle(page, 60)
    return page, requests


def made_by_user(page) -> dict:
    """What user text could have made in the page: elements, links, script effects."""
    return page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        return {img: main.querySelectorAll('img').length, iframe: document.querySelectorAll('iframe').length,
                links: [...main.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))
                          .filter(h => !h.startsWith('#') && !h.startsWith('/') && !h.startsWith('http://127.0.0.1')),
                katex: main.querySelectorAll('.katex').length, hostile: window.__hostile || null,
                strong: [...main.querySelectorAll('strong')].map(s => s.innerText).filter(t => t.includes('粗体'))};
    }""")


NOTHING = {"img": 0, "iframe": 0, "links": [], "katex": 0, "hostile": None, "strong": []}


@pytest_browser
def test_in_the_browser_the_submissions_page_shows_names_and_values_as_text(served):
    artifacts = Path(__file__).resolve().parent / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with chromium() as browser:
        page, requests = open_page(browser, f"{served.url}/submissions")
        page.get_by_role("tab", name="接收回执").click()
        page.locator("h4").filter(has_text="回执000004：").wait_for(timeout=60_000)
        wait_idle(page, 60)
        main = page.locator('[data-testid="stMain"]')
        shown = main.inner_text().replace(ui.WORD_JOINER, "")
        assert f"收到「{ACCEPTED_NAME}」" in shown
        assert f"回执000004：{ACCEPTED_NAME}" in shown
        assert made_by_user(page) == NOTHING
        page.screenshot(path=str(artifacts / "hostile-submissions.png"), full_page=True)
        # the rejected receipt: its messages table (st.table) with the hostile cells
        page.locator('[data-testid="stSelectbox"]').filter(has_text="查看回执").locator("input").click()
        page.get_by_role("option", name=re.compile("^回执000002")).click()
        page.locator('[data-testid="stTable"]').filter(has_text="hostile-cell").wait_for(timeout=60_000)
        wait_idle(page, 60)
        shown = main.inner_text().replace(ui.WORD_JOINER, "")
        for value in HOSTILE_CELLS.values():
            assert value in shown, value
        assert f"回执000002：{REJECTED_NAME}" in shown and HOSTILE_SHEET in shown
        assert made_by_user(page) == NOTHING
        page.screenshot(path=str(artifacts / "hostile-rejected-receipt.png"), full_page=True)
        page.close()
    assert requests == []


@pytest_browser
def test_in_the_browser_target_detail_lists_hostile_enterprise_names_as_text(served):
    with chromium() as browser:
        page, requests = open_page(browser, f"{served.url}/detail?indicator=brand_online_rate")
        page.get_by_text("尚未触网 3 家").wait_for()
        shown = page.locator('[data-testid="stMain"]').inner_text().replace(ui.WORD_JOINER, "")
        for name in ENTERPRISES:
            assert name in shown, name
        assert made_by_user(page) == NOTHING
        page.screenshot(path=str(Path(__file__).resolve().parent / "artifacts" / "hostile-detail.png"), full_page=True)
        page.close()
    assert requests == []


@pytest_browser
def test_in_the_browser_a_hostile_upload_is_checked_and_its_problem_list_downloads_without_formulas(served, tmp_path):
    data = write_xlsx(tmp_path / "f1.xlsx", {HOSTILE_SHEET: f1_rejected_rows()}).read_bytes()
    with chromium() as browser:
        page, requests = open_page(browser, f"{served.url}/submissions")
        sign_in_demo(page, "审核员甲（演示）")  # a visitor reads only; a reviewer may send city-wide files
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            [{"name": UPLOAD_NAME, "mimeType": "application/octet-stream", "buffer": data}])
        page.get_by_text("很长的文件名", exact=False).first.wait_for()
        page.get_by_role("button", name="检查").click()
        button = page.get_by_role("button", name=re.compile("下载问题清单"))
        button.wait_for(timeout=60_000)
        wait_idle(page, 60)
        with page.expect_download() as download:
            button.click()
        text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
        shown = page.locator('[data-testid="stMain"]').inner_text().replace(ui.WORD_JOINER, "")
        assert made_by_user(page) == NOTHING
        page.close()
    assert requests == []
    rows = list(csv.reader(io.StringIO(text)))
    assert {r[0] for r in rows[1:]} == {UPLOAD_NAME}
    assert sorted(r[5] for r in rows[1:] if r[5]) == sorted(["'=1+1", "'@SUM(1)", "'+cmd", "'-2+3", HOSTILE_CELLS["img"],
                                                    HOSTILE_CELLS["markdown"]])
    assert HOSTILE_CELLS["markdown"] in shown
