"""数据报送 and 报送审核: what county staff and the bureau's reviewers notice, and the browser upload.

A small warehouse is built by the real ETL in a temporary ECMON_HOME (conftest's ``home``): two accepted
F1 files (the second corrects 龙川县 2019) and one rejected file. The pages are run through the real entry
with AppTest, signed in with the demo accounts (ECMON_DEMO_LOGIN=1: 连平县填报员, 审核员甲/乙); the upload
handler (dashboard/upload.py) is also driven directly with real bytes.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
import streamlit as st
from conftest import cli, write_xlsx
from e2e_support import open_app_page
from streamlit.testing.v1 import AppTest

from dashboard import receipt_views, upload
from etl import pipeline, store
from etl.catalog import current as current_catalog

CLERK = store.Actor("demo-heping", "县区填报员", "441624", "网页上传")  # 和平县填报员（演示）

PAGE = "app_pages/submissions.py"
HEADER = ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）", "农村网络零售额（万元）"]

GOOD = "紫金县2019年电子商务统计表.xlsx"
FIX = "龙川县2019年电子商务统计表（更正）.xlsx"
BAD = "连平县2019年电子商务统计表（有误）.xlsx"


def f1_xlsx(path: Path, rows: list[list], title: str = "河源市电子商务发展情况统计表（2019年）") -> Path:
    return write_xlsx(path, {"电子商务统计表": [[title], HEADER, *rows]})


def f1_bytes(tmp_path: Path, name: str, rows: list[list]) -> bytes:
    return f1_xlsx(tmp_path / "bytes" / name, rows).read_bytes()


def receipts(home: Path) -> list[dict]:
    assert store.db_path() == home / "state.sqlite"
    return [r | {"folder": Path(r["folder"])} for r in store.receipts()]


def rows_f1(home: Path) -> int:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.sql("SELECT count(*) FROM rows_f1").fetchall()[0][0]
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def warehouse(home, tmp_path) -> Path:
    """000001 紫金县 + 龙川县 2019 (accepted), 000002 龙川县 2019 corrected (accepted), 000003 连平县 (rejected)."""
    incoming = tmp_path / "incoming"
    good = f1_xlsx(incoming / GOOD, [["紫金县", "2019", 60000, 6000, 1500], ["龙川县", "2019", 70000, 7000, 2000]])
    fix = f1_xlsx(incoming / FIX, [["龙川县", "2019", 72000, 8000, 2100]])
    bad = f1_xlsx(incoming / BAD, [["连平县", "2019", -5, 3000, None], ["和平县", "2019", 40000, "abc", None]])
    assert pipeline.load([good]).published
    assert pipeline.load([fix]).published
    assert not pipeline.load([bad]).ok
    return home


def page(account: str | None = None, target: str = PAGE) -> AppTest:
    """The page as a visitor (read-only) or signed in with a demo account."""
    return open_app_page(target, timeout=120, account=account)


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("ECMON_DEMO_LOGIN", "1")


def frame_with(at: AppTest, column: str):
    """The first table or dataframe on the page that has ``column``."""
    for element in [*at.dataframe, *at.table]:
        df = element.value
        if column in df.columns:
            return df
    raise AssertionError(f"no table with column {column!r}")


def tables_with(at: AppTest, column: str) -> list:
    return [e.value for e in [*at.dataframe, *at.table] if column in e.value.columns]


# ---- the page ------------------------------------------------------------------------------------

def test_the_page_runs_without_an_error(warehouse):
    at = page()
    assert at.title[0].value == "数据报送"
    unexpected = [e.value for e in at.error if "意外错误" in e.value]  # the guard's message: nothing may fail
    assert not unexpected, unexpected
    assert "已接收3个文件：已入库2个，有错误1个。" in " ".join(m.value for m in at.markdown)
    # a visitor reads; the upload part says why it cannot send
    assert any("当前为只读访问，不能报送数据" in i.value for i in at.info)
    assert not at.get("file_uploader")


def test_the_receipts_table_shows_every_file_received_with_county_names(warehouse):
    at = page()
    table = frame_with(at, "错误数")
    assert list(table.columns) == ["回执号", "状态", "接收时间", "文件", "报表", "县区", "期间", "行数", "错误数",
                                   "警告数", "报送人"]
    by_file = {row["文件"]: row for row in table.to_dict("records")}
    assert set(by_file) == {GOOD, FIX, BAD}
    assert by_file[GOOD]["状态"].endswith("已入库") and by_file[BAD]["状态"].endswith("有错误")
    assert by_file[GOOD]["报送人"].endswith("（命令行）")
    assert by_file[GOOD]["县区"] == "紫金县、龙川县"  # names, not codes
    assert by_file[GOOD]["行数"] == 2 and by_file[GOOD]["期间"] == "2019"
    assert by_file[BAD]["错误数"] >= 2
    assert table["回执号"].tolist() == ["000003", "000002", "000001"]  # newest first


def test_the_receipts_can_be_filtered_by_status_region_and_form(warehouse):
    at = page()
    at.selectbox(key="subm_f_status").set_value("有错误").run()
    assert frame_with(at, "错误数")["文件"].tolist() == [BAD]
    at.selectbox(key="subm_f_status").set_value(None).run()
    at.selectbox(key="subm_f_region").set_value("441621").run()  # 紫金县
    assert frame_with(at, "错误数")["文件"].tolist() == [GOOD]
    at.selectbox(key="subm_f_region").set_value(None).run()
    at.selectbox(key="subm_f_form").set_value("F3").run()
    assert not tables_with(at, "错误数")
    assert any("没有符合条件的回执" in i.value for i in at.info)


def test_a_rejected_files_messages_show_sheet_row_column_and_value(warehouse):
    at = page()
    at.selectbox(key="subm_receipt_pick").set_value("000003").run()
    assert not at.exception
    assert any("有" in e.value and "个错误，未入库；原文件已留存（回执000003）" in e.value for e in at.error)
    messages = frame_with(at, "问题")
    rows = messages.to_dict("records")
    negative = [r for r in rows if r["值"] == "-5"]
    assert negative and negative[0]["行"] == "3" and negative[0]["列"] == "C列“社会消费品零售总额（万元）”"
    assert negative[0]["工作表"] == "电子商务统计表" and "错误" in negative[0]["类型"]
    assert any(r["行"] == "4" and r["列"].startswith("D列") and r["值"] == "abc" for r in rows)
    downloads = at.get("download_button")
    assert any(BAD in d.proto.label for d in downloads)  # the kept original can be downloaded


def test_an_accepted_receipt_says_whether_it_is_still_current(warehouse):
    at = page()
    at.selectbox(key="subm_receipt_pick").set_value("000001").run()
    coverage = frame_with(at, "县区或单位").to_dict("records")
    state = {r["县区或单位"]: r["状态"] for r in coverage}
    assert "仍有效" in state["紫金县"]
    assert "已被更正" in state["龙川县"]


def test_the_revision_history_shows_which_file_is_current_and_what_changed(warehouse):
    at = page()
    at.selectbox(key="subm_h_form").set_value("F1").run()
    at.selectbox(key="subm_h_region").set_value("441622").run()  # 龙川县
    at.selectbox(key="subm_h_period").set_value("2019").run()
    history = frame_with(at, "次序").to_dict("records")
    assert [r["回执号"] for r in history] == ["000001", "000002"]
    assert "已被更正" in history[0]["状态"] and "现行" in history[1]["状态"]
    assert history[0]["网络零售额（万元）"] == "7,000.0" and history[1]["网络零售额（万元）"] == "8,000.0"
    text = " ".join(m.value for m in at.markdown)
    assert "7,000.0万元 → **8,000.0万元**（+14.3%）" in text, [m.value for m in at.markdown if "改动" in m.value]


# ---- blank templates -----------------------------------------------------------------------------

def test_each_form_has_a_template_button_and_the_zip_holds_all_eight(warehouse):
    at = page()
    labels = [d.proto.label for d in at.get("download_button")]
    assert sum(1 for x in labels if x == "下载空白模板（.xlsx）") == 8
    assert any("ZIP" in x for x in labels)
    catalog = current_catalog()
    with zipfile.ZipFile(io.BytesIO(upload.templates_zip())) as z:
        names = sorted(z.namelist())
        assert names == sorted(f"{c}_{f.title}.xlsx" for c, f in catalog.forms.items())
        for code, form in catalog.forms.items():
            ws = openpyxl.load_workbook(io.BytesIO(z.read(f"{code}_{form.title}.xlsx"))).worksheets[0]
            assert [c.value for c in ws[3]] == [c.header for c in form.columns]


def test_a_filled_in_blank_template_passes_the_check(home, tmp_path):
    wb = openpyxl.load_workbook(io.BytesIO(upload.template_bytes("F1")))
    wb.worksheets[0].append(["紫金县", "2020", 65000, 7000, 1800])
    buf = io.BytesIO()
    wb.save(buf)
    result = upload.check_uploads([("F1_紫金县2020.xlsx", buf.getvalue())])
    assert result.ok, result.messages.to_dicts()
    assert result.files.row(0, named=True)["行数"] == 1


def test_the_page_lists_each_forms_columns_and_rules(warehouse):
    at = page()
    rules = frame_with(at, "填写要求").to_dict("records")
    f1 = current_catalog().forms["F1"]
    assert [r["表头"] for r in rules] == [c.header for c in f1.columns]
    assert rules[0]["是否必填"] == "必填" and rules[-1]["是否必填"] == "选填"


# ---- upload in the browser (the handler, with real bytes) ----------------------------------------

def test_a_clean_upload_is_kept_and_waits_for_a_reviewer(warehouse, tmp_path):
    before = rows_f1(warehouse)
    data = f1_bytes(tmp_path, "和平县2019年电子商务统计表.xlsx", [["和平县", "2019", 40000, 3600, 900]])
    result = upload.load_uploads([("和平县2019年电子商务统计表.xlsx", data)], CLERK)
    assert result.ok and not result.published and result.level == "success"
    assert result.headline.startswith("已提交，待市商务局审核；审核通过后数据才会发布") and "回执000004" in result.headline
    assert rows_f1(warehouse) == before  # leaders see approved data only
    kept = receipts(warehouse)[-1]
    assert (kept["id"], kept["status"], kept["channel"], kept["user"]) == ("000004", "pending", "网页上传", "demo-heping")
    assert kept["file"] == "和平县2019年电子商务统计表.xlsx"  # the original name, not a temporary one
    assert (kept["folder"] / kept["file"]).read_bytes() == data
    pipeline.approve(4, store.Actor("demo-reviewer-a", "审核员", None, "网页上传"))
    assert rows_f1(warehouse) == before + 1


def test_a_bad_upload_is_rejected_kept_and_changes_nothing(warehouse, tmp_path):
    served = warehouse / "warehouse.duckdb"
    before = (digest(served), served.stat().st_ino, served.stat().st_mtime_ns)
    name = "和平县2019年电子商务统计表.xlsx"
    data = f1_bytes(tmp_path, name, [["和平县", "2019", -1, 2000, None]])
    result = upload.load_uploads([(name, data)], CLERK)
    assert not result.ok and not result.published and result.level == "error"
    assert result.headline.startswith("有1个错误，未入库；原文件已留存（回执000004）")
    row = result.messages.row(0, named=True)
    assert (row["文件"], row["工作表"], row["行"], row["列"], row["值"]) == (
        name, "电子商务统计表", "3", "C列“社会消费品零售总额（万元）”", "-1")
    kept = receipts(warehouse)[-1]
    assert (kept["status"], kept["file"], kept["channel"]) == ("rejected", name, "网页上传")
    assert (kept["folder"] / kept["file"]).read_bytes() == data
    assert (digest(served), served.stat().st_ino, served.stat().st_mtime_ns) == before


def test_a_clerks_row_of_another_county_is_named_and_keeps_the_file_out(warehouse, tmp_path):
    data = f1_bytes(tmp_path, "混报.xlsx", [["和平县", "2019", 40000, 3600, 900], ["东源县", "2019", 50000, 4000, None]])
    result = upload.load_uploads([("混报.xlsx", data)], CLERK)
    assert not result.ok
    row = result.messages.row(0, named=True)
    assert (row["行"], row["列"], row["值"]) == ("4", "A列“县区”", "东源县")
    assert row["问题"] == "本账号只能报送和平县的数据，这一行属于东源县；请删去这一行，或由东源县自行报送"


def test_one_bad_file_keeps_the_whole_batch_out(warehouse, tmp_path):
    good = f1_bytes(tmp_path, "a.xlsx", [["和平县", "2019", 40000, 3600, 900]])
    bad = f1_bytes(tmp_path, "b.xlsx", [["和平县", "2020", -1, 2000, None]])
    before = rows_f1(warehouse)
    result = upload.load_uploads([("和平县.xlsx", good), ("和平县2020.xlsx", bad)], CLERK)
    assert not result.ok
    assert "同批1个无错误的文件也一并未入库" in result.headline and "回执000004、000005" in result.headline
    assert result.files["结果"].to_list() == ["有错误", "有错误"]
    assert rows_f1(warehouse) == before


def test_check_shows_the_same_messages_and_preview_as_the_command_line_and_keeps_nothing(warehouse, tmp_path):
    name = "东源县2019年电子商务统计表.xlsx"
    path = f1_xlsx(tmp_path / "cli" / name, [["东源县", "2019", -1, 2000, None], ["东源县", "2019Q9", 1, 1, None]])
    result = upload.check_uploads([(name, path.read_bytes())])
    assert not result.ok and "本次只做检查" in result.headline
    _code, printed = cli("check", path)
    for m in result.messages.to_dicts():
        assert f"第{m['行']}行，{m['列']}" in printed and m["问题"] in printed
    assert len(receipts(warehouse)) == 3  # nothing kept
    fix = f1_xlsx(tmp_path / "cli" / "龙川县更正.xlsx", [["龙川县", "2019", 72000, 9000, 2100]])
    result = upload.check_uploads([("龙川县更正.xlsx", fix.read_bytes())])
    (change,) = result.changes
    assert (change.scope, change.period, change.action, len(change.replaced)) == ("441622", "2019", "replace", 1)
    label, rid, diffs = change.replaced[0]
    assert rid == "000002" and ("网络零售额（万元）", "8,000万元", "9,000万元") in diffs
    assert "~ 替换 龙川县·2019（原数据来自回执000002）：网络零售额（万元）：8,000万元 → 9,000万元" in cli("check", fix)[1]
    # on the page each changed value is a row of its own: the reviewer never reads old → new out of a cut cell
    shown = receipt_views.detail_frame(result.changes, {"441622": "龙川县"})
    assert shown.filter(pl.col("项目") == "网络零售额（万元）").select("变动", "行", "原回执", "原值", "新值").rows() == [
        ("~ 替换", "龙川县·2019", "000002", "8,000万元", "9,000万元")]


def test_the_same_file_again_changes_nothing(warehouse, tmp_path):
    data = f1_bytes(tmp_path, "x.xlsx", [["和平县", "2019", 40000, 3600, 900]])
    assert upload.load_uploads([("和平县.xlsx", data)], CLERK).receipt_ids == ["000004"]
    again = upload.load_uploads([("和平县（再次）.xlsx", data)], CLERK)
    assert again.ok and not again.published and again.level == "info"
    assert "完全相同" in again.headline and "000004" in again.headline and "待审核" in again.headline
    assert len(receipts(warehouse)) == 4


# ---- signed in: a clerk sends, a reviewer decides -------------------------------------------------------

def test_a_clerk_checks_sees_the_preview_and_submits_in_the_page(warehouse, demo, tmp_path):
    at = page("demo-heping")
    data = f1_bytes(tmp_path, "和平县2019.xlsx", [["和平县", "2019", 40000, 3600, 900]])
    at.get("file_uploader")[0].set_value([("和平县2019.xlsx", data, "application/octet-stream")]).run()
    at.button(key="subm_check").click().run()
    assert not at.exception
    assert any("检查通过：1个文件共1行，没有错误和警告；可以提交审核" in s.value for s in at.success)
    preview = frame_with(at, "保留原有").to_dict("records")
    assert preview == [{"报表": "F1 县区电子商务统计表", "县区或单位": "和平县", "期间": "2019年", "方式": "整体替换",
                        "新增": 1, "替换": 0, "删除": 0, "不变": 0, "保留原有": 0}]
    at.button(key="subm_load").click().run()
    assert any("已提交，待市商务局审核" in s.value for s in at.success)
    assert receipts(warehouse)[-1]["status"] == "pending"
    # the clerk sees only the receipts of files with the county's rows (the rejected file had one)
    assert frame_with(at, "错误数")["文件"].tolist() == ["和平县2019.xlsx", BAD]


def test_a_reviewer_approves_or_returns_in_the_queue_and_never_approves_their_own(warehouse, demo, tmp_path):
    for name, year in (("和平县2019.xlsx", "2019"), ("和平县2018.xlsx", "2018")):
        data = f1_bytes(tmp_path, name, [["和平县", year, 40000, 3600, 900]])
        upload.load_uploads([(name, data)], CLERK)
    own = f1_bytes(tmp_path, "市局代报.xlsx", [["东源县", "2019", 50000, 4000, None]])
    upload.load_uploads([("市局代报.xlsx", own)], store.Actor("demo-reviewer-a", "审核员", None, "网页上传"))
    at = page("demo-reviewer-a", "app_pages/review.py")
    assert at.tabs[0].label == "待审核（3）"
    at.selectbox(key="review_pick").set_value("000006").run()
    assert any("这是您本人提交的报送" in i.value for i in at.info)
    assert at.button(key="review_approve").disabled
    at.selectbox(key="review_pick").set_value("000004").run()
    assert frame_with(at, "保留原有").to_dict("records")[0]["新增"] == 1  # the reviewer sees the preview
    at.button(key="review_approve").click().run()
    assert any("回执000004：已入库" in s.value for s in at.success)
    assert rows_f1(warehouse) == 3 + 1 - 1 + 1  # 紫金, 龙川 ×2 files, then 和平 2019
    at.selectbox(key="review_pick").set_value("000005").run()
    at.button(key="review_return").click().run()
    assert any("退回时须写明原因" in e.value for e in at.error)
    at.text_input(key="review_reason").input("2018年数据与统计局口径不一致，请核对").run()
    at.button(key="review_return").click().run()
    assert store.receipt(5)["status"] == "returned"
    # the clerk sees the reason on the receipt
    clerk = page("demo-heping")
    clerk.selectbox(key="subm_receipt_pick").set_value("000005").run()
    assert any("审核员已退回：2018年数据与统计局口径不一致，请核对" in w.value for w in clerk.warning)
    events = [(e["action"], e["user"]) for e in store.events()]
    assert ("approve", "demo-reviewer-a") in events and ("return", "demo-reviewer-a") in events


def test_a_zero_report_is_sent_from_the_page(warehouse, demo):
    at = page("demo-heping")
    at.selectbox(key="zero_form").set_value("F6").run()
    at.number_input(key="zero_year").set_value(2019).run()
    at.button(key="zero_submit").click().run()
    r = receipts(warehouse)[-1]
    assert (r["file"], r["status"], r["forms"]["F6"]["coverage"]) == (
        "和平县2019年农村电商与示范认定表零报告.xlsx", "pending", [["441624", "2019", "zero"]])


def test_after_approval_the_page_shows_the_new_data(warehouse, tmp_path):
    at = page()
    assert "和平县" not in at.selectbox(key="subm_h_region").options  # no data yet
    data = f1_bytes(tmp_path, "y.xlsx", [["和平县", "2019", 40000, 3600, 900]])
    (rid,) = upload.load_uploads([("和平县2019年电子商务统计表.xlsx", data)], CLERK).receipt_ids
    pipeline.approve(rid, store.Actor("demo-reviewer-a", "审核员", None, "网页上传"))
    at.run()
    assert not at.exception
    assert "和平县2019年电子商务统计表.xlsx" in frame_with(at, "错误数")["文件"].tolist()
    assert "和平县" in at.selectbox(key="subm_h_region").options  # read from the new warehouse (data.q)


@pytest.fixture
def mid_2020(monkeypatch):
    """The calendar judged at 2020-06-30: the 2015—2019 annual forms are due (2019's on 2020-03-30), 2020's not yet."""
    monkeypatch.setenv("ECMON_TODAY", "2020-06-30")


def test_the_reminders_tab_counts_what_is_owed_per_year_newest_first(mid_2020, warehouse, demo):
    at = page("demo-reviewer-a", "app_pages/review.py")
    # 8 counties and zones × 6 annual forms = 48 a year from 2015 (the policy's year); in 2019 紫金县 and 龙川县 sent F1
    assert any(m.value == "**逾期未报238项**：2019年46项（8个县区）；2018年48项（8个县区）；2017年48项（8个县区）；"
                          "2016年48项（8个县区）；2015年48项（8个县区）" for m in at.markdown)
    table = frame_with(at, "已逾期天数")
    assert len(table) == 238
    assert tuple(table.iloc[0][["年度", "截止日期", "已逾期天数"]]) == ("2019年", "2020-03-30", 92)  # 30+31+31 days
    f1_2019 = table[(table["年度"] == "2019年") & table["报表"].str.startswith("F1")]["县区"].tolist()
    assert f1_2019 == ["源城区", "连平县", "和平县", "东源县", "市高新区", "江东新区"]  # not 紫金县, 龙川县
