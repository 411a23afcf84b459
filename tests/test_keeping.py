"""Nothing lost, nothing half-done: every file kept byte for byte with a receipt, reloads change
nothing, newer files supersede older ones (which stay in the history), a failed load changes nothing,
readers are never blocked, and `build` / `template` do what the contract says."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
from conftest import cli, cli_subprocess, query, uscc, write_xlsx

from etl import pipeline, store

F1_HEADER = ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"]


def f1_file(path, rows, title="河源市电子商务统计表"):
    return write_xlsx(path, {"统计表": [[title], F1_HEADER, *rows]})


def receipts(home) -> list[dict]:
    """Every receipt in the state store, oldest first, with its messages."""
    assert store.db_path() == home / "state.sqlite"
    return [r | {"messages": store.messages(r["seq"])} for r in store.receipts()]


def kept_file(home, receipt) -> Path:
    return home / "received" / receipt["stored_as"]


def warehouse_state(home) -> tuple[bytes, int]:
    path = home / "warehouse.duckdb"
    return path.read_bytes(), path.stat().st_mtime_ns


def value(home, indicator, region, period):
    rows = query(home, "SELECT value FROM indicator_values WHERE indicator = ? AND region_code = ? AND period = ?",
                 [indicator, region, period])
    return rows[0][0] if rows else None


def test_every_file_is_kept_byte_for_byte_with_a_receipt(home, tmp_path, fixture_files):
    assert cli("load", *fixture_files)[0] == 0
    bad = f1_file(tmp_path / "错误.xlsx", [["紫金县", "2019", "六万", 100], ["外省", "2019", 1, 1]])
    assert cli("load", bad)[0] == 1

    kept = receipts(home)
    assert [r["file"] for r in kept] == [p.name for p in fixture_files] + ["错误.xlsx"]
    assert [r["seq"] for r in kept] == list(range(1, 9))
    for r, source in zip(kept, [*fixture_files, bad], strict=True):
        data = source.read_bytes()
        assert kept_file(home, r).read_bytes() == data
        assert r["sha256"] == hashlib.sha256(data).hexdigest() == hashlib.sha256(kept_file(home, r).read_bytes()).hexdigest()
        assert r["size"] == len(data)

    f1 = kept[0]
    assert f1["status"] == "accepted" and (f1["errors"], f1["warnings"]) == (0, 1)
    assert (f1["channel"], f1["role"]) == ("命令行", "运维人员（命令行）") and "@" in f1["user"]
    assert f1["forms"]["F1"]["rows"] == 32 and f1["rows"] == 32
    assert f1["regions"] == ["441600", "441602", "441621", "441622", "441623", "441624", "441625", "441692"]
    assert f1["periods"] == ["2014", "2015", "2016", "2017", "2017Q3"]
    assert ["441600", "2016", "replace"] in f1["forms"]["F1"]["coverage"]
    assert [m["text"][:12] for m in f1["messages"]] == ["全市网络零售额与六个县区"]  # the bureau's 2016 figure (+5.5%)
    f4 = kept[3]
    assert f4["forms"]["F4"]["rows"] == 7 and f4["periods"] == ["2014", "2015", "2016", "2017"]

    rejected = kept[-1]
    assert rejected["status"] == "rejected"
    assert (rejected["errors"], rejected["warnings"]) == (2, 0)
    assert rejected["regions"] == ["441621"] and rejected["periods"] == ["2019"]
    assert [(m["row"], m["column"], m["value"]) for m in rejected["messages"]] == [
        (3, "C列“社会消费品零售总额（万元）”", "六万"), (4, "A列“县区”", "外省")]
    assert "不是有效的数字" in rejected["messages"][0]["text"]
    folder = kept_file(home, rejected).parent
    assert sorted(p.name for p in folder.iterdir()) == ["错误.xlsx"]  # no rows of a rejected file
    # a refused load leaves the warehouse alone; the next build shows every receipt, accepted or not
    assert query(home, "SELECT status, count(*) FROM receipts GROUP BY ALL ORDER BY 1") == [("accepted", 7)]
    assert cli("build")[0] == 0
    assert query(home, "SELECT status, count(*) FROM receipts GROUP BY ALL ORDER BY 1") == [("accepted", 7), ("rejected", 1)]
    assert query(home, "SELECT count(*) FROM receipt_messages WHERE text LIKE '%不是有效的数字%'") == [(1,)]


def test_a_file_named_like_the_rows_kept_beside_it_is_kept_too(home, tmp_path):
    odd = tmp_path / "F1.parquet"
    odd.write_bytes('{"县区": "紫金县"}'.encode())
    code, out = cli("load", odd)
    assert code == 1 and "不支持的文件类型“.parquet”" in out
    (r,) = receipts(home)
    assert r["file"] == "F1.parquet" and r["status"] == "rejected"
    assert kept_file(home, r).read_bytes() == odd.read_bytes()
    assert kept_file(home, r).name == "原文件_F1.parquet"


def test_loading_the_same_file_twice_changes_nothing(home, tmp_path):
    path = f1_file(tmp_path / "紫金2018.xlsx", [["紫金县", "2018", 60000, 5000]])
    assert cli("load", path)[0] == 0
    before = warehouse_state(home)
    code, out = cli("load", path)
    assert code == 0
    assert "内容完全相同，未作任何更改" in out and "没有新文件，数据仓库未变。" in out
    assert len(receipts(home)) == 1
    assert warehouse_state(home) == before
    # a copy under another name is the same file
    copy = tmp_path / "copy" / "紫金县2018年统计表.xlsx"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    assert cli("load", copy)[0] == 0
    assert len(receipts(home)) == 1 and warehouse_state(home) == before


def test_a_newer_file_supersedes_the_older_one_which_stays_in_the_history(home, tmp_path):
    first = f1_file(tmp_path / "第一次.xlsx", [["紫金县", "2018", 60000, 5000], ["龙川县", "2018", 70000, 6000]])
    second = f1_file(tmp_path / "更正.xlsx", [["紫金县", "2018", 61000, 5200]])
    assert cli("load", first)[0] == 0
    assert cli("load", second)[0] == 0
    assert value(home, "online_retail", "441621", "2018") == 5200.0  # the correction
    assert value(home, "online_retail", "441622", "2018") == 6000.0  # not covered by the correction: kept
    assert query(home, "SELECT region_code, period, online_retail, file, is_current FROM f1_history "
                       "ORDER BY region_code, receipt_id") == [
        ("441621", "2018", 5000.0, "第一次.xlsx", False),
        ("441621", "2018", 5200.0, "更正.xlsx", True),
        ("441622", "2018", 6000.0, "第一次.xlsx", True),
    ]
    assert query(home, "SELECT form, region_code, period, file, is_current FROM submission_history "
                       "ORDER BY region_code, receipt_id") == [
        ("F1", "441621", "2018", "第一次.xlsx", False),
        ("F1", "441621", "2018", "更正.xlsx", True),
        ("F1", "441622", "2018", "第一次.xlsx", True),
    ]


def test_a_newer_list_adds_to_its_region_and_year_and_removes_only_what_it_says(home, tmp_path):
    header = ["年度", "企业名称", "统一社会信用代码", "所在县区", "企业类别", "认定为知名平台"]
    a, b, c = uscc("91441621MA7000001"), uscc("91441621MA7000002"), uscc("91441622MA7000003")
    first = write_xlsx(tmp_path / "名录.xlsx", {"名录": [
        header, [2018, "甲平台", a, "紫金县", "平台型电商企业", "是"], [2018, "乙平台", b, "紫金县", "平台型电商企业", "是"],
        [2018, "丙平台", c, "龙川县", "平台型电商企业", "是"]]})
    assert cli("load", first)[0] == 0
    assert value(home, "platform_enterprises", "441600", "2018") == 3.0
    # 紫金县 sends one row again (a 补报 of 甲平台, not recognised after all): 乙平台 stays
    again = write_xlsx(tmp_path / "紫金县补报.xlsx", {"名录": [header, [2018, "甲平台", a, "紫金县", "平台型电商企业", "否"]]})
    code, out = cli("load", again)
    assert code == 0, out
    assert "F2 电子商务企业名录 · 紫金县 · 2018（增补或更正）：新增0行，替换1行，删除0行，不变0行，保留原有1行" in out
    assert "认定为知名平台：是 → 否" in out
    assert value(home, "platform_enterprises", "441621", "2018") == 1.0
    assert value(home, "platform_enterprises", "441600", "2018") == 2.0
    # removing 乙平台 takes an explicit 操作 = 删除 (the row only needs what names it)
    gone = write_xlsx(tmp_path / "紫金县删除.xlsx", {"名录": [header + ["操作"], [2018, None, b, "紫金县", None, None, "删除"]]})
    code, out = cli("load", gone)
    assert code == 0, out
    assert f"删除 乙平台·{b}（原数据来自回执000001）" in out
    assert value(home, "platform_enterprises", "441621", "2018") == 0.0
    assert value(home, "platform_enterprises", "441622", "2018") == 1.0
    assert value(home, "platform_enterprises", "441600", "2018") == 1.0


def test_a_rejected_load_leaves_the_warehouse_byte_identical(home, tmp_path):
    assert cli("load", f1_file(tmp_path / "好.xlsx", [["紫金县", "2018", 60000, 5000]]))[0] == 0
    before = warehouse_state(home)
    code, out = cli("load", f1_file(tmp_path / "坏.xlsx", [["紫金县", "2019", 62000, -1]]))
    assert code == 1
    assert "数据仓库未作任何更改" in out
    assert warehouse_state(home) == before
    assert [r["status"] for r in receipts(home)] == ["accepted", "rejected"]


def test_one_load_is_all_or_nothing_over_its_files(home, tmp_path):
    good1 = f1_file(tmp_path / "源城.xlsx", [["源城区", "2018", 130000, 20000]])
    good2 = f1_file(tmp_path / "紫金.xlsx", [["紫金县", "2018", 60000, 5000]])
    bad = f1_file(tmp_path / "龙川.xlsx", [["龙川县", "2018", 70000, "abc"]])
    code, out = cli("load", good1, good2, bad)
    assert code == 1
    assert "有错误，本次提交的 3 个文件均未入库" in out
    assert not (home / "warehouse.duckdb").exists()
    kept = receipts(home)
    assert [(r["file"], r["status"]) for r in kept] == [("源城.xlsx", "rejected"), ("紫金.xlsx", "rejected"),
                                                      ("龙川.xlsx", "rejected")]
    assert "同批提交的其他文件有错误，本批文件均未入库" in kept[0]["messages"][0]["text"]
    assert all(kept_file(home, r).read_bytes() == p.read_bytes() for r, p in zip(kept, [good1, good2, bad], strict=True))
    # the good files alone are welcome afterwards (they were refused, not loaded)
    code, out = cli("load", good1, good2)
    assert code == 0, out
    assert value(home, "online_retail", "441602", "2018") == 20000.0
    assert value(home, "online_retail", "441621", "2018") == 5000.0


def test_a_load_succeeds_while_another_process_reads_the_warehouse(home, tmp_path):
    assert cli("load", f1_file(tmp_path / "一.xlsx", [["紫金县", "2018", 60000, 5000]]))[0] == 0
    reader = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, time, duckdb
        con = duckdb.connect(sys.argv[1], read_only=True)
        q = "SELECT count(*), sum(value) FROM indicator_values WHERE indicator = 'online_retail'"
        print("ready", *con.sql(q).fetchall()[0], flush=True)
        sys.stdin.readline()
        print("again", *con.sql(q).fetchall()[0], flush=True)
        time.sleep(30)
    """), str(home / "warehouse.duckdb")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().split() == ["ready", "1", "5000.0"]
        proc = cli_subprocess("load", f1_file(tmp_path / "二.xlsx", [["龙川县", "2018", 70000, 6000]]), home=home)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr
        reader.stdin.write("go\n")
        reader.stdin.flush()
        assert reader.stdout.readline().split() == ["again", "1", "5000.0"]  # its open snapshot still answers
        assert reader.poll() is None
    finally:
        reader.kill()
        reader.wait()
    assert query(home, "SELECT count(*), sum(value) FROM indicator_values WHERE indicator = 'online_retail'") == [(2, 11000.0)]


def test_build_of_an_empty_home_holds_the_catalog_and_no_data(home):
    code, out = cli("build")
    assert code == 0 and "数据仓库已重建" in out
    counts = query(home, "SELECT (SELECT count(*) FROM regions), (SELECT count(*) FROM indicators), "
                         "(SELECT count(*) FROM targets), (SELECT count(*) FROM tasks), (SELECT count(*) FROM indicator_values), "
                         "(SELECT count(*) FROM receipts), (SELECT count(*) FROM target_progress)")
    assert counts == [(9, 16, 14, 22, 0, 0, 14)]
    assert query(home, "SELECT deadline, count(*) FROM targets GROUP BY ALL ORDER BY 1") == [(2015, 4), (2017, 5), (2020, 5)]
    assert query(home, "SELECT name FROM regions WHERE region_code = '441600'") == [("河源市",)]
    # the warehouse, the (empty) state store and the writers' lock, and no half-built file beside them
    assert sorted(p.name for p in home.iterdir() if not p.name.startswith("state.sqlite-")) == [
        ".lock", "state.sqlite", "warehouse.duckdb"]


def test_build_rebuilds_the_same_values_from_the_kept_files(home, fixture_files):
    assert cli("load", *fixture_files)[0] == 0
    sql = "SELECT * FROM indicator_values ORDER BY ALL"
    before = query(home, sql)
    (home / "warehouse.duckdb").unlink()
    assert cli("build")[0] == 0
    assert query(home, sql) == before
    assert len(before) > 100


FORM_SHEETS = {
    "F1": ("县区", "统计期"),
    "F2": ("年度", "企业名称"),
    "F3": ("年度", "名称"),
    "F4": ("培训班名称", "主办单位"),
    "F5": ("年度", "企业名称"),
    "F6": ("年度", "名称"),
    "F7": ("年度", "单位名称"),
    "F8": ("报告期", "任务编号"),
}


def test_templates_are_recognised_and_carry_instructions_and_drop_downs(home, tmp_path):
    code, out = cli("template", tmp_path / "模板")
    assert code == 0
    files = sorted((tmp_path / "模板").glob("*.xlsx"))
    assert [p.name[:2] for p in files] == ["F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8"]
    outcome = pipeline.check(files)
    for path, parsed in zip(files, outcome.parsed, strict=True):
        code = path.name[:2]
        assert [s.form for s in parsed.sheets] == [code], path.name
        assert [m.text for m in parsed.problems] == [
            "报表只有表头，没有任何数据行。如本期确实没有需要报送的内容，请在表头上方写明“报送方式：零报告”、填报县区和报送年度"]
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames[1] == "填报说明"
        ws = wb.worksheets[0]
        assert tuple(c.value for c in ws[3][:2]) == FORM_SHEETS[code]
        assert (ws["A2"].value, ws["B2"].value) == ("报送方式：", "增补")
        assert ws.data_validations.dataValidation, path.name
    # the drop-downs hold the choices of forms.md
    ws = openpyxl.load_workbook(files[1]).worksheets[0]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation
             if dv.type == "list"}
    assert lists["E4"] == '"平台型电商企业,跨境电商平台,规上工业企业,限上商贸企业,小微电商企业,其他电商企业"'
    assert lists["G4"] == '"是,否"'
    assert "紫金县" in lists["D4"] and "全市" not in lists["D4"]
    ws = openpyxl.load_workbook(files[0]).worksheets[0]
    f1_lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert f1_lists == ['"增补"', '"全市,源城区,紫金县,龙川县,连平县,和平县,东源县,市高新区,江东新区"']
    ws = openpyxl.load_workbook(files[5]).worksheets[0]  # F6: a ledger, with 全量替换 and 零报告
    assert '"增补,全量替换,零报告"' in [dv.formula1 for dv in ws.data_validations.dataValidation]
    ws = openpyxl.load_workbook(files[2]).worksheets[0]
    assert '"规划中,启动规划建设,在建,初具规模,建成运营"' in [dv.formula1 for dv in ws.data_validations.dataValidation]


@pytest.mark.parametrize("code, row", [
    ("F1", ["紫金县", "2018", 60000, 5000, 400]),
    ("F4", ["紫金县电商培训班", "紫金县商务局", "紫金县", "2018-04-01", "2018-04-03", 150, 3, "是"]),
])
def test_a_filled_in_template_loads(home, tmp_path, code, row):
    cli("template", tmp_path / "模板")
    path = next((tmp_path / "模板").glob(f"{code}_*.xlsx"))
    wb = openpyxl.load_workbook(path)
    wb.worksheets[0].append(row)
    wb.save(path)
    code_, out = cli("load", path)
    assert code_ == 0, out
    assert f"{code}共1行；错误0个，警告0个" in out
