"""No file, however built, crashes or starves the monitor (issue 6).

Each class of hostile file that fuzzing found is built here as real bytes and checked by the real command
line in a subprocess: exit code 1 and one Chinese sentence naming the file, never a traceback. Then the
worker's limits themselves (etl/guard.py), the browser's upload path, and a bounded fuzz run over mutated
sample files (etl/fuzz.py). The limits are in etl/reader.py and etl/guard.py.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest
from conftest import cli, cli_subprocess, write_csv, write_xlsx

from etl import fuzz, guard, store
from etl.reader import MAX_CELL_CHARS, MAX_ROWS

F1_HEADER = ["县区", "统计期", "社会消费品零售总额（万元）", "网络零售额（万元）"]
SHEET = "xl/worksheets/sheet1.xml"
ADVICE = "，无法读取；请用 Excel 另存为 .xlsx 后再提交"


@pytest.fixture
def f1(tmp_path) -> bytes:
    """A small valid F1 workbook (sheet 统计表)."""
    return write_xlsx(tmp_path / "src" / "f1.xlsx", {"统计表": [F1_HEADER, ["紫金县", "2018", 100, 10]]}).read_bytes()


def refused(tmp_path: Path, home: Path, name: str, data: bytes) -> str:
    """Check one file with the real command line; it must be refused with one sentence: return it."""
    path = tmp_path / name
    path.write_bytes(data)
    proc = cli_subprocess("check", path, home=home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr and proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert lines[0] == f"✗ {name}：无数据行；错误1个，警告0个", proc.stdout
    assert lines[-1] == "检查未通过：请按上面的提示改正后再提交。"
    assert len(lines) == 3 and lines[1].startswith(f"  错误：文件「{name}」：")
    return lines[1].strip()


def sentence(name: str, detail: str) -> str:
    return f"错误：文件「{name}」：文件结构异常或过大（{detail}）{ADVICE}"


# ------------------------------------------------------------------------------------------ workbooks


def test_a_cell_at_XFD1048576_is_refused_before_the_reader_allocates_it(tmp_path, home, f1):
    # The dense grid from A1 to XFD1048576 is 17 billion cells: the reader asked for 512 GiB and aborted
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    data = fuzz.rewrite_parts(f1, {SHEET: lambda s: fuzz.add_cells(fuzz.set_dimension(s, b"A1:XFD1048576"), far)})
    assert len(data) < 10_000
    assert refused(tmp_path, home, "far.xlsx", data) == sentence("far.xlsx", "工作表「统计表」用到第 1,048,576 行，上限 100,000 行")


def test_a_huge_dimension_from_formatting_alone_still_reads(tmp_path, home, f1):
    # Formatting whole rows and columns makes the declared dimension huge; no value lies out there
    formatted = b'<row r="1048576" s="1" customFormat="1"><c r="XFD1048576" s="1"/></row>'
    data = fuzz.rewrite_parts(f1, {SHEET: lambda s: fuzz.add_cells(fuzz.set_dimension(s, b"A1:XFD1048576"), formatted)})
    path = tmp_path / "formatted.xlsx"
    path.write_bytes(data)
    proc = cli_subprocess("check", path, home=home)
    assert (proc.returncode, proc.stdout.splitlines()[0]) == (0, "✓ formatted.xlsx：F1共1行；错误0个，警告0个")


def test_columns_far_to_the_right_are_refused(tmp_path, home, f1):
    wide = b'<row r="5"><c r="ALM5"><v>1</v></c></row>'  # column 1,001
    data = fuzz.rewrite_parts(f1, {SHEET: lambda s: fuzz.add_cells(s, wide)})
    assert refused(tmp_path, home, "wide.xlsx", data) == sentence(
        "wide.xlsx", "工作表「统计表」用到 1,001 列（到 ALM 列），上限 1,000 列")


def test_one_giant_shared_string_used_100_times(tmp_path, home, f1):
    # 30 KB on disk; read, it was 100 copies of 20 MB (about 5 GB held for minutes). Its 20 MB of one letter
    # zip a thousandfold: that alone refuses it
    data = fuzz.giant_shared_string(f1, b"x" * (20 << 20), 100)
    assert len(data) < 40_000
    text = refused(tmp_path, home, "strings.xlsx", data)
    assert re.fullmatch(re.escape(sentence("strings.xlsx", "部件「xl/sharedStrings.xml」的压缩比为 X : 1，上限 100 : 1"))
                        .replace("X", "[0-9,]+"), text), text


def test_a_text_longer_than_an_excel_cell_can_hold(tmp_path, home, f1):
    data = fuzz.giant_shared_string(f1, fuzz.letters(random.Random(1), 40_000), 1)
    assert refused(tmp_path, home, "long.xlsx", data) == sentence(
        "long.xlsx", "有一个单元格的文字长达 40,000 个字符，超过 32,767 个字符的上限")


def test_a_text_used_by_many_cells_is_counted_at_each_use(tmp_path, home, f1):
    # 30,000 characters (allowed in one cell) in 2,000 cells: 60 million characters once read. Counted from
    # the string's XML (30,022 bytes, an upper bound) at 2,001 uses (the 2,000 and the header's A1)
    data = fuzz.giant_shared_string(f1, fuzz.letters(random.Random(1), 30_000), 2_000)
    assert refused(tmp_path, home, "uses.xlsx", data) == sentence(
        "uses.xlsx", "单元格文字共约 60,074,022 个字符，上限 50,000,000 个")


def test_a_zip_bomb(tmp_path, home, f1):
    data = fuzz.rewrite_parts(f1, {}, {"xl/media/image1.png": b"\0" * (60 << 20)})  # 60 MB of zeros in 60 KB
    text = refused(tmp_path, home, "bomb.xlsx", data)
    assert re.fullmatch(re.escape(sentence("bomb.xlsx", "部件「xl/media/image1.png」的压缩比为 X : 1，上限 100 : 1"))
                        .replace("X", "[0-9,]+"), text), text


def test_a_part_that_lies_about_its_size(tmp_path, home, f1):
    data = fuzz.lie_about_size(f1, SHEET, 10)
    assert refused(tmp_path, home, "lie.xlsx", data) == sentence(
        "lie.xlsx", "部件「xl/worksheets/sheet1.xml」已损坏或大小与声明不符")


def test_too_many_parts(tmp_path, home, f1):
    data = fuzz.rewrite_parts(f1, {}, {f"xl/media/p{i}.bin": b"" for i in range(1_000)})
    assert refused(tmp_path, home, "parts.xlsx", data) == sentence("parts.xlsx", "压缩包内有 1,010 个部件，上限 1,000 个")


def test_xml_entities_are_never_expanded(tmp_path, home, f1):
    data = fuzz.rewrite_parts(f1, {"xl/sharedStrings.xml": fuzz.BILLION_LAUGHS})
    assert refused(tmp_path, home, "laughs.xlsx", data) == sentence(
        "laughs.xlsx", "部件「xl/sharedStrings.xml」含有 XML 文档类型声明（DTD），Excel 不会写出这种内容")


def test_a_million_and_one_shared_strings(tmp_path, home, f1):
    sst = b"<sst>" + b"".join(b"<si><t>%d</t></si>" % i for i in range(1_000_001)) + b"</sst>"
    data = fuzz.rewrite_parts(f1, {"xl/sharedStrings.xml": sst})
    assert refused(tmp_path, home, "sst.xlsx", data) == sentence("sst.xlsx", "有 1,000,001 个不同的文字，上限 1,000,000 个")


def test_one_sheet_listed_two_thousand_times(tmp_path, home, f1):
    # every listed sheet is read: the same part listed 2,000 times is 2,000 readings
    entries = b"".join(b'<sheet name="S%d" sheetId="%d" r:id="rId1"/>' % (i, i + 10) for i in range(2_000))
    data = fuzz.rewrite_parts(f1, {"xl/workbook.xml": lambda b: b.replace(b"</sheets>", entries + b"</sheets>")})
    assert refused(tmp_path, home, "sheets.xlsx", data) == sentence("sheets.xlsx", "有 2,001 个工作表，上限 100 个")


# ------------------------------------------------------------------------------------------ CSV


def test_a_20_MB_csv_field(tmp_path, home):
    # was an internal error (exit code 2): the csv module's own field limit raised
    data = ("县区,统计期,社会消费品零售总额（万元）,网络零售额（万元）\n紫金县,2018,100," + "1" * (20 << 20) + "\n").encode()
    assert refused(tmp_path, home, "field.csv", data) == (
        "错误：文件「field.csv」：文件结构异常或过大（第2行附近有一个单元格超过 32,767 个字符的上限），无法读取；"
        "请检查文件内容，或用 Excel 另存为 .xlsx 后再提交")


def test_a_long_csv_field_further_down_is_named_by_line_and_column(tmp_path, home):
    rows = [F1_HEADER] + [["紫金县", f"2018-{m:02d}", 100, 10] for m in range(1, 13)] * 5
    rows.append(["龙川县", "2019", 100, "9" * (MAX_CELL_CHARS + 1)])
    path = write_csv(tmp_path / "src" / "long.csv", rows)
    assert refused(tmp_path, home, "long.csv", path.read_bytes()) == (
        "错误：文件「long.csv」：文件结构异常或过大（第62行D列的文字有 32,768 个字符，超过 32,767 个字符的上限），"
        "无法读取；请检查文件内容，或用 Excel 另存为 .xlsx 后再提交")


def test_300_000_rows_are_refused_before_they_are_read(tmp_path, home):
    data = ("县区,统计期,社会消费品零售总额（万元）,网络零售额（万元）\n" + "紫金县,2018,100,abc\n" * 300_000).encode()
    assert refused(tmp_path, home, "rows.csv", data) == (
        f"错误：文件「rows.csv」：文件结构异常或过大（有 300,001 行，上限 {MAX_ROWS:,} 行），无法读取；"
        "请检查文件内容，或用 Excel 另存为 .xlsx 后再提交")


def test_lines_ended_by_a_lone_carriage_return_count_as_lines(tmp_path, home):
    data = ("县区,统计期,社会消费品零售总额（万元）,网络零售额（万元）\r" + "紫金县,2018,100,10\r" * 150_000).encode()
    assert refused(tmp_path, home, "cr.csv", data) == (
        "错误：文件「cr.csv」：文件结构异常或过大（有 150,001 行，上限 100,000 行），无法读取；"
        "请检查文件内容，或用 Excel 另存为 .xlsx 后再提交")


def test_a_line_of_5000_columns(tmp_path, home):
    data = ("县区,统计期,社会消费品零售总额（万元）,网络零售额（万元）" + "," * 4996 + "\n紫金县,2018,100,10\n").encode()
    assert refused(tmp_path, home, "wide.csv", data) == (
        "错误：文件「wide.csv」：文件结构异常或过大（有 5,000 列，上限 1,000 列），无法读取；"
        "请检查文件内容，或用 Excel 另存为 .xlsx 后再提交")


# ------------------------------------------------------------------------------------------ many bad rows


def test_many_bad_rows_make_a_bounded_report_and_receipt(tmp_path, home):
    # 2,000 rows, each with the same bad number: 200 messages one by one, then one line with the count
    regions = ["源城区", "紫金县", "龙川县", "连平县", "和平县", "东源县", "市高新区", "江东新区"]
    months = [f"{y}-{m:02d}" for y in range(2000, 2021) for m in range(1, 13)][:250]
    rows = [F1_HEADER] + [[r, p, 100, "abc"] for r in regions for p in months]
    path = write_csv(tmp_path / "bad.csv", rows)
    proc = cli_subprocess("check", path, home=home)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 1 and lines[0] == "✗ bad.csv：F1共2000行；错误2000个，警告0个"
    messages = [line.strip() for line in lines[1:-1]]
    assert len(messages) == 201
    assert messages[0] == "错误：文件「bad.csv」，第2行，D列“网络零售额（万元）”：值“abc”：不是有效的数字（可以带千分位逗号，不要写单位或文字）"
    assert messages[-1] == ("错误：文件「bad.csv」：另有 1,800 行同类错误（D列“网络零售额（万元）”：不是有效的数字（可以带千分位逗号，"
                            "不要写单位或文字））")
    code, out = cli("load", path)  # the receipt keeps the same 201 lines, not 2,000
    assert code == 1
    [receipt] = store.receipts()
    kept = store.messages(receipt["seq"])
    assert len(kept) == 201 and kept[-1]["text"].startswith("另有 1,800 行同类错误")
    assert (receipt["errors"], receipt["warnings"]) == (2000, 0)  # the true count, though only 201 lines are kept
    assert (home / "state.sqlite").stat().st_size < 400_000  # 300,000 messages made a 96 MB receipt


# ------------------------------------------------------------------------------------------ the worker and its limits


def test_a_worker_out_of_memory_is_one_sentence_and_the_caller_survives(tmp_path, home, f1, monkeypatch):
    # a memory limit no reader can work within: whatever dies is the worker, not the command
    monkeypatch.setenv("ECMON_WORKER_MEMORY_MB", "100")
    assert refused(tmp_path, home, "f1.xlsx", f1) == sentence("f1.xlsx", "读取所需内存超过 100 MB 的上限")


def test_a_file_that_never_ends_is_stopped_by_the_time_limit(tmp_path, monkeypatch, f1):
    # a named pipe no one writes to: reading it waits for ever (the command line refuses it earlier, as no
    # regular file; here the guard itself is given one)
    monkeypatch.setenv("ECMON_WORKER_SECONDS", "1")
    pipe = tmp_path / "pipe.xlsx"
    os.mkfifo(pipe)
    parsed = guard.read_guarded(pipe, "pipe.xlsx")
    assert [str(m) for m in parsed.problems] == [sentence("pipe.xlsx", "读取超过 1 秒仍未完成")]
    (tmp_path / "f1.xlsx").write_bytes(f1)
    assert guard.read_guarded(tmp_path / "f1.xlsx", "f1.xlsx").ok  # a fresh worker reads the next file


def test_the_worker_runs_with_its_memory_limit(tmp_path, f1):
    (tmp_path / "f1.xlsx").write_bytes(f1)
    assert guard.read_guarded(tmp_path / "f1.xlsx", "f1.xlsx").ok
    worker = guard._take()
    try:
        limits = Path(f"/proc/{worker.proc.pid}/limits").read_text()
        assert re.search(rf"Max address space\s+{guard.WORKER_MEMORY}\s+{guard.WORKER_MEMORY}\s+bytes", limits), limits
        assert worker.proc.pid != os.getpid() and worker.limits == (1280 << 20, 20.0)
    finally:
        guard._give(worker)


def test_the_browser_upload_survives_a_hostile_file(f1):
    # the upload page calls the same pipeline inside the Streamlit server process
    from dashboard import upload

    far = fuzz.rewrite_parts(f1, {SHEET: lambda s: fuzz.add_cells(s, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')})
    result = upload.check_uploads([("far.xlsx", far), ("f1.xlsx", f1)])
    assert not result.ok
    assert result.messages.rows() == [("far.xlsx", "错误", "", "", "", "",
                                       "文件结构异常或过大（工作表「统计表」用到第 1,048,576 行，上限 100,000 行），无法读取；"
                                       "请用 Excel 另存为 .xlsx 后再提交")]
    assert result.files["结果"].to_list() == ["有错误，需改正", "可以提交"]


# ------------------------------------------------------------------------------------------ bounded fuzzing


def test_fuzzing_the_sample_files_never_crashes_or_starves(tmp_path):
    report = fuzz.fuzz(mutations=150, seed=20261127, batch=25)
    detail = report.table() + "".join(f"\n--- {r.files} exit {r.code}\n{r.output[-1500:]}" for r in report.bad_runs)
    assert report.tried == 150 and report.refused + report.accepted == 150, detail
    assert report.tracebacks == 0 and report.crashes == 0 and set(report.exit_codes) <= {0, 1}, detail
    assert report.refused >= 75, detail  # most mutations are hostile; the rest read (legal variants, lucky flips)
    assert report.max_peak < 1.5 * (1 << 30), detail
    assert report.max_wall < 30, detail  # a run of the command line (25 files)
