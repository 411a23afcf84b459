"""Read a received file into grids of text cells, one a sheet, with the row numbers the user sees.

A grid is a polars frame of string columns ``c0, c1, …`` plus ``_row`` (the Excel row number, or the
CSV line number). Nothing here knows about forms: see ``forms.py``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".txt"}


class Unreadable(Exception):
    """The file cannot be read at all; the message is one Chinese sentence for the user."""


@dataclass
class Grid:
    sheet: str | None  # None for a CSV file
    frame: pl.DataFrame  # c0..cN strings, _row int
    col_offset: int = 0  # index of the sheet's first used column (for column letters)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030, as Excel on a Chinese Windows writes it."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("无法识别文件的字符编码，请另存为 UTF-8 或 GBK 编码的 CSV，或直接提交 Excel 文件")


def _frame_from_rows(rows: list[list[str]], row_numbers: list[int]) -> pl.DataFrame:
    width = max((len(r) for r in rows), default=0)
    cols = {f"c{i}": [r[i] if i < len(r) else None for r in rows] for i in range(width)}
    frame = pl.DataFrame(cols, schema={f"c{i}": pl.String for i in range(width)})
    frame = frame.with_columns(
        [pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c) for c in frame.columns]
    )
    return frame.with_columns(pl.Series("_row", row_numbers, dtype=pl.Int64))


def _read_csv_fast(text: str, delimiter: str) -> pl.DataFrame | None:
    """polars' reader (20× the csv module); None when a quoted cell spans lines, so that the row numbers
    in messages would not be line numbers any more (the csv module then reads the file)."""
    head = list(csv.reader(io.StringIO("\n".join(text.splitlines()[:50])), delimiter=delimiter))
    width = max((len(r) for r in head), default=0)
    if width == 0:
        return None
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")), has_header=False, infer_schema=False, separator=delimiter,
            truncate_ragged_lines=True, schema={f"c{i}": pl.String for i in range(width)}, missing_columns="insert",
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.height != lines:
        return None
    frame = frame.with_columns(
        pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c) for c in frame.columns
    )
    return frame.with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Int64)).select(
        [*frame.columns, "_row"])


def read_csv_grid(data: bytes) -> Grid:
    text = decode_text(data)
    if "\x00" in text[:4096]:
        raise Unreadable("文件内容不是文本表格（可能是损坏的文件或其他格式），请提交 Excel 或 CSV 文件")
    sample = text[:8192]
    delimiter = ","
    if sample.count("\t") > sample.count(",") and sample.count("\t") > 0:
        delimiter = "\t"
    fast = _read_csv_fast(text, delimiter)
    if fast is not None:
        return Grid(None, fast)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, numbers = [], []
    line = 1
    try:
        for record in reader:
            rows.append(record)
            numbers.append(line)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise Unreadable(f"CSV 格式有误（第{reader.line_num}行附近）：{exc}") from None
    return Grid(None, _frame_from_rows(rows, numbers))


def _excel_offsets(path: Path) -> dict[str, tuple[int, int]]:
    """First used row (1-based) and column (0-based) of each sheet, as calamine trims them away.

    calamine keeps every cell that holds a value, a lone space or an empty text included, anywhere in
    the sheet: so every such cell counts here, down to the last row (a note far below the table can
    stand further left than the table).
    """
    import openpyxl

    offsets = {}
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            first_row, first_col = None, None
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is None:
                        continue
                    if first_row is None:
                        first_row = cell.row
                    first_col = cell.column - 1 if first_col is None else min(first_col, cell.column - 1)
                if first_col == 0:
                    break
            offsets[ws.title] = (first_row or 1, first_col or 0)
    finally:
        wb.close()
    return offsets


def read_excel_grids(path: Path) -> list[Grid]:
    import fastexcel

    if not zipfile.is_zipfile(path):
        raise Unreadable("文件不是有效的 Excel 工作簿（.xlsx），可能已损坏或只是改了扩展名；请用 Excel 另存为 .xlsx 后再提交")
    try:
        reader = fastexcel.read_excel(str(path))
        offsets = _excel_offsets(path)
    except Exception:  # noqa: BLE001 - any failure of the Excel parsers is one sentence for the user
        raise Unreadable("无法打开这个 Excel 工作簿，可能已损坏或加了密码；请用 Excel 另存为 .xlsx 后再提交") from None
    grids = []
    for idx, name in enumerate(reader.sheet_names):
        try:
            sheet = reader.load_sheet(idx, header_row=None, dtypes="string")
            raw = sheet.to_polars()
        except Exception:  # noqa: BLE001 - an empty or odd sheet holds no form
            continue
        if raw.height == 0 or raw.width == 0:
            continue
        first_row, first_col = offsets.get(name, (1, 0))
        raw.columns = [f"c{i}" for i in range(raw.width)]
        frame = raw.with_columns(
            [pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c) for c in raw.columns]
        ).with_row_index("_row", offset=first_row)
        frame = frame.with_columns(pl.col("_row").cast(pl.Int64))
        grids.append(Grid(name, frame.select([*raw.columns, "_row"]), first_col))
    return grids


def read_grids(path: Path) -> list[Grid]:
    """All sheets of a workbook, or the one table of a CSV file."""
    data = path.read_bytes()
    if not data.strip():
        raise Unreadable("文件是空的，没有任何内容")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES or (suffix not in CSV_SUFFIXES and data[:2] == b"PK"):
        return read_excel_grids(path)
    if suffix == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise Unreadable("这是旧版 Excel 97-2003 格式（.xls），请在 Excel 中另存为 .xlsx 后再提交")
    if suffix in CSV_SUFFIXES:
        return [read_csv_grid(data)]
    raise Unreadable(f"不支持的文件类型“{path.suffix or '无扩展名'}”，请提交 .xlsx 或 .csv 文件")
