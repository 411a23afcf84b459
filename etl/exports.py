"""Files the app and the command line hand out (CSV, Excel): a user's text never becomes a live formula.

Cells hold text that counties typed (enterprise names, file names, values in messages) and text an analyst
chose (column names in the SQL console). A spreadsheet program runs a CSV cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula (OWASP "CSV Injection"), so:

- CSV: every text cell (header included) whose first non-blank character is ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return gets a leading single quote (``=1+1`` → ``'=1+1``), which makes it text in Excel and
  LibreOffice. Numbers stay numbers: a number column is never touched, and a text cell that is just a
  number (``-5``, ``+3.2``) cannot hold a formula and is kept as it is.
- Excel (.xlsx): text is written as a text cell, never as a formula or a hyperlink (``WORKBOOK_OPTIONS``:
  xlsxwriter otherwise turns a string starting with ``=`` into a formula, also through polars'
  ``write_excel`` into a workbook made by the caller). The text itself is kept exactly: a text cell is
  not evaluated when the file is opened.
- Parquet keeps typed columns for analysis tools; no spreadsheet evaluates it, so nothing changes there.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import polars as pl
import xlsxwriter

TRIGGERS = "=+-@\t\r"
_RISKY = "^[" + re.escape(TRIGGERS) + "]"
_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
# xlsxwriter.Workbook(..., WORKBOOK_OPTIONS): a str is always written as text (write() = write_string())
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def neutralised(text: pl.Expr) -> pl.Expr:
    """The rule as a polars expression over a text column (null stays null)."""
    body = text.str.strip_chars_start(" \u3000")
    risky = body.str.contains(_RISKY) & ~body.str.strip_chars().str.contains(_NUMBER)
    return pl.when(risky).then(pl.lit("'") + text).otherwise(text)


def neutralise(value):
    """One cell made safe for a spreadsheet (see the module's rule); a non-text value is returned unchanged."""
    if not isinstance(value, str):
        return value
    return pl.select(neutralised(pl.lit(value, dtype=pl.String))).item()


def safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with lists/structs as JSON text and every text cell neutralised (numbers untouched)."""
    nested = [c for c, t in frame.schema.items() if t.is_nested() or t == pl.Object]
    if nested:
        frame = frame.with_columns(
            pl.Series(c, [None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                          for v in frame[c].to_list()], dtype=pl.String)
            for c in nested
        )
    text = [c for c, t in frame.schema.items() if t in (pl.String, pl.Categorical, pl.Enum)]
    return frame.with_columns(neutralised(pl.col(c).cast(pl.String)).alias(c) for c in text)


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM (Excel then opens Chinese correctly); lists and structs as JSON text; every text
    cell and column name neutralised."""
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow([neutralise(c) for c in frame.columns])
    if not frame.columns:
        return "\ufeff".encode()
    body = safe_frame(frame).write_csv(include_header=False)
    return ("\ufeff" + header.getvalue() + body).encode("utf-8")


def xlsx_bytes(sheets: dict[str, pl.DataFrame], notes: list[str] | None = None) -> bytes:
    """A workbook with one sheet a frame and the notes on a sheet 说明; text written as text (write_string: never a
    formula), numbers as numbers, dates as dates, yes/no as 是/否."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, **WORKBOOK_OPTIONS})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
    for name, frame in sheets.items():
        ws = wb.add_worksheet(name[:31])
        for j, col in enumerate(frame.columns):
            ws.write_string(0, j, col, head)
            ws.set_column(j, j, min(48, max(10, 2 * len(col) + 2)))
        for i, row in enumerate(frame.iter_rows(), start=1):
            for j, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, bool):
                    ws.write_string(i, j, "是" if v else "否", wrap)
                elif isinstance(v, int | float):
                    ws.write_number(i, j, v)
                elif hasattr(v, "isoformat"):
                    ws.write_datetime(i, j, v if hasattr(v, "hour") else _as_datetime(v), date_fmt)
                else:
                    ws.write_string(i, j, str(v), wrap)
        ws.freeze_panes(1, 0)
    if notes:
        ws = wb.add_worksheet("说明")
        ws.set_column(0, 0, 110)
        for i, line in enumerate(notes):
            ws.write_string(i, 0, line, wrap)
    wb.close()
    return buffer.getvalue()


def _as_datetime(d) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day)
