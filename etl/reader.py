"""Read a received file into grids of text cells, one a sheet, with the row numbers the user sees.

A grid is a polars frame of string columns ``c0, c1, …`` plus ``_row`` (the Excel row number, or the
CSV line number). Nothing here knows about forms: see ``forms.py``.

Every received file is hostile until read. Before a parser sees it, the file is checked against the
limits below: its size; for a workbook its zip parts (how many, their real unzipped sizes, compression
ratios), its shared strings (how many, the longest) and the cells each sheet really uses (rows, columns,
the text they would hold); for a CSV file its lines, columns and fields. A file beyond a limit gets one
sentence (``Unreadable``). The reading itself runs in a worker process with memory and time limits
(``guard.py``), so that whatever a parser does with a file that passed, the caller survives.
"""

from __future__ import annotations

import csv
import html
import io
import re
import struct
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".txt"}
MB = 1 << 20

# The limits (README "Hostile input"). A county's report form has tens to a few thousand rows and stays
# well under 1 MB; the largest file of the synthetic benchmark (python -m etl.bench) has 95,000 rows in
# 11 MB. Each limit leaves a wide margin above that, and a file within all of them is read well inside the
# worker's memory (guard.WORKER_MEMORY; a 200,000 × 15 workbook was measured at about 600 MB).
MAX_FILE_BYTES = 100 * MB  # a received file, as it is
MAX_ZIP_ENTRIES = 1_000  # parts of a workbook (Excel writes about ten, plus two or three per sheet)
MAX_PART_BYTES = 200 * MB  # one part, unzipped (a 200,000-row sheet of 15 columns is about 100 MB)
MAX_UNZIPPED_BYTES = 300 * MB  # all parts, unzipped
MAX_RATIO = 100  # unzipped ÷ zipped size of a part over RATIO_FROM: Excel's XML zips 12–18 : 1 (measured:
RATIO_FROM = 1 * MB  # zeros, blanks, one repeated text, formulas), a zip bomb about 1,000 : 1
MAX_SHARED_STRINGS = 1_000_000  # distinct texts of a workbook
MAX_CELL_CHARS = 32_767  # characters in one cell or CSV field: Excel's own limit for a cell
MAX_TEXT_CHARS = 50_000_000  # characters of the shared texts a workbook's cells use, each counted at each use
MAX_ROWS = 100_000  # rows of a file (all its sheets), counted to the last row that holds a value
MAX_COLUMNS = 1_000  # columns of a sheet, from the first to the last that holds a value (a form has ≤ 15)
MAX_CELLS = 3_000_000  # rows × columns of a sheet as the reader holds it (a full grid from row 1)
MAX_SHEETS = 100  # sheets of a workbook (several may show the same part: each is read)
MAX_SHEET_NAME = 100  # characters of a sheet's name (Excel allows 31; every message names the sheet)

# Stands in the grid for a formula cell that has no calculated value (a workbook written by a program and
# never opened in Excel): forms.py names each such cell instead of reading it as blank.
FORMULA_WITHOUT_VALUE = "\ue000公式没有计算结果\ue000"

NOT_A_WORKBOOK = "文件不是有效的 Excel 工作簿（.xlsx），可能已损坏或只是改了扩展名；请用 Excel 另存为 .xlsx 后再提交"
CANNOT_OPEN = "无法打开这个 Excel 工作簿，可能已损坏或加了密码；请用 Excel 另存为 .xlsx 后再提交"

csv.field_size_limit(MAX_CELL_CHARS)  # the csv module refuses a longer field (its default is 131,072)


class Unreadable(Exception):
    """The file cannot be read at all; the message is one Chinese sentence for the user."""


def refused(detail: str, excel: bool = True) -> Unreadable:
    """The sentence for a file beyond a limit, or whose structure is broken."""
    advice = "请用 Excel 另存为 .xlsx 后再提交" if excel else "请检查文件内容，或用 Excel 另存为 .xlsx 后再提交"
    return Unreadable(f"文件结构异常或过大（{detail}），无法读取；{advice}")


@dataclass
class Grid:
    sheet: str | None  # None for a CSV file
    frame: pl.DataFrame  # c0..cN strings, _row int
    col_offset: int = 0  # index of the sheet's first used column (for column letters)


def _column_letter(index: int) -> str:
    from etl.messages import column_letter

    return column_letter(index)


def _blank_to_null(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c) for c in frame.columns
    )


def _check_cells(frame: pl.DataFrame, col_offset: int, where: str, excel: bool) -> None:
    """No cell longer than MAX_CELL_CHARS (the exact count, after reading)."""
    cols = [c for c in frame.columns if c != "_row"]
    if not cols:
        return
    longest = frame.select(pl.col(c).str.len_chars().max() for c in cols).row(0)
    for i, n in enumerate(longest):
        if n is not None and n > MAX_CELL_CHARS:
            row = frame.filter(pl.col(cols[i]).str.len_chars() > MAX_CELL_CHARS)["_row"][0]
            raise refused(f"{where}第{row}行{_column_letter(i + col_offset)}列的文字有 {n:,} 个字符，"
                          f"超过 {MAX_CELL_CHARS:,} 个字符的上限", excel)


# ------------------------------------------------------------------------------------------ CSV


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030, as Excel on a Chinese Windows writes it."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("无法识别文件的字符编码，请另存为 UTF-8 或 GBK 编码的 CSV，或直接提交 Excel 文件")


def _lines(text: str) -> int:
    """Lines of a text ended by \\n, \\r\\n or a lone \\r (as old Mac files and readers have it)."""
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (0 if text.endswith(("\n", "\r")) else 1)


def _check_width(width: int, lines: int) -> None:
    if width > MAX_COLUMNS:
        raise refused(f"有 {width:,} 列，上限 {MAX_COLUMNS:,} 列", excel=False)
    if width * lines > MAX_CELLS:
        raise refused(f"有 {lines:,} 行 × {width:,} 列 = {width * lines:,} 个单元格，上限 {MAX_CELLS:,} 个", excel=False)


def _frame_from_rows(rows: list[list[str]], row_numbers: list[int]) -> pl.DataFrame:
    width = max((len(r) for r in rows), default=0)
    _check_width(width, len(rows))
    cols = {f"c{i}": [r[i] if i < len(r) else None for r in rows] for i in range(width)}
    frame = _blank_to_null(pl.DataFrame(cols, schema={f"c{i}": pl.String for i in range(width)}))
    return frame.with_columns(pl.Series("_row", row_numbers, dtype=pl.Int64))


def _read_csv_fast(text: str, delimiter: str, lines: int) -> pl.DataFrame | None:
    """polars' reader (20× the csv module); None when a quoted cell spans lines, so that the row numbers
    in messages would not be line numbers any more (the csv module then reads the file)."""
    try:
        head = list(csv.reader(io.StringIO("\n".join(text.splitlines()[:50])), delimiter=delimiter))
    except csv.Error:
        return None  # the csv module reads the file and names the line
    width = max((len(r) for r in head), default=0)
    if width == 0:
        return None
    _check_width(width, lines)
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")), has_header=False, infer_schema=False, separator=delimiter,
            truncate_ragged_lines=True, schema={f"c{i}": pl.String for i in range(width)}, missing_columns="insert",
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.height != lines:
        return None
    frame = _blank_to_null(frame)
    return frame.with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Int64)).select(
        [*frame.columns, "_row"])


def read_csv_grid(data: bytes) -> Grid:
    text = decode_text(data)
    if "\x00" in text[:4096]:
        raise Unreadable("文件内容不是文本表格（可能是损坏的文件或其他格式），请提交 Excel 或 CSV 文件")
    lines = _lines(text)
    if lines > MAX_ROWS:
        raise refused(f"有 {lines:,} 行，上限 {MAX_ROWS:,} 行", excel=False)
    sample = text[:8192]
    delimiter = ","
    if sample.count("\t") > sample.count(",") and sample.count("\t") > 0:
        delimiter = "\t"
    frame = _read_csv_fast(text, delimiter, lines)
    if frame is None:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows, numbers = [], []
        line = 1
        try:
            for record in reader:
                rows.append(record)
                numbers.append(line)
                line = reader.line_num + 1
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise refused(f"第{reader.line_num}行附近有一个单元格超过 {MAX_CELL_CHARS:,} 个字符的上限",
                              excel=False) from None
            raise Unreadable(f"CSV 格式有误（第{reader.line_num}行附近）：{exc}") from None
        frame = _frame_from_rows(rows, numbers)
    _check_cells(frame, 0, "", excel=False)
    return Grid(None, frame)


# ------------------------------------------------------------------------------------------ workbooks


@dataclass
class SheetScan:
    """What a sheet's XML holds, as the Excel reader will see it (rows and columns 0-based)."""

    last_row: int = -1  # the last row with a value (-1: none)
    first_col: int | None = None
    last_col: int = -1
    text_chars: int = 0  # characters of shared texts in its cells, each counted at each use (an upper bound)
    formulas: list[tuple[int, int, bytes, bytes]] = field(default_factory=list)  # (start, end, prefix, attrs)
    # of each formula cell without a calculated value


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n - 1


_REF = re.compile(rb"([A-Za-z]+)([0-9]+)")
_ATTR_R = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")
_ATTR_T = re.compile(rb"""\st\s*=\s*["']([^"']*)["']""")
_TOKEN = re.compile(rb"<(/?)((?:[\w.-]+:)?)(c|row)\b([^>]*?)(/?)>")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c\s*>")
_HAS = {name: re.compile(rb"<(?:[\w.-]+:)?" + name + rb"[\s>/]") for name in (b"v", b"f", b"is")}
_FORMULA = re.compile(rb"<f[\s>/]")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v\s*>[^<]")
_SI = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")
_TEXT = re.compile(rb"<(?:[\w.-]+:)?t(?:\s[^>]*)?>([^<]*)<", re.S)
_PHONETIC = re.compile(rb"<(?:[\w.-]+:)?rPh\b.*?</(?:[\w.-]+:)?rPh\s*>", re.S)
_SHARED_REF = re.compile(rb't="s"[^>]*><v>([0-9]+)</v>')


def _chars(fragment: bytes) -> int:
    """Characters of the text in an XML fragment of a string (``<t>`` elements, without phonetic runs)."""
    fragment = _PHONETIC.sub(b"", fragment)
    return sum(len(html.unescape(t.decode("utf-8", "replace"))) for t in _TEXT.findall(fragment))


def _check_string(fragment: bytes) -> int:
    """The length of one string (an upper bound from its bytes; counted exactly when it may be too long)."""
    n = len(fragment)
    if n > MAX_CELL_CHARS:
        n = _chars(fragment)
        if n > MAX_CELL_CHARS:
            raise refused(f"有一个单元格的文字长达 {n:,} 个字符，超过 {MAX_CELL_CHARS:,} 个字符的上限")
    return n


def _shared_strings(data: bytes) -> list[int]:
    """Each shared string's length (an upper bound); refuses too many strings or one too long."""
    starts = [m.start() for m in _SI.finditer(data)]
    if len(starts) > MAX_SHARED_STRINGS:
        raise refused(f"有 {len(starts):,} 个不同的文字，上限 {MAX_SHARED_STRINGS:,} 个")
    ends = [*starts[1:], len(data)]
    return [e - s if e - s <= MAX_CELL_CHARS else _check_string(data[s:e]) for s, e in zip(starts, ends, strict=True)]


def _has_value(content: bytes, attrs: bytes) -> bool:
    """Whether a cell holds a value for the Excel reader: a non-empty ``<v>``, an inline text, or a
    formula's text result (``t="str"``; Excel writes an empty text as ``<v></v>``). A formula written by a
    program that never calculated it has ``<v/>`` or no ``<v>`` at all: no value."""
    if _VALUE.search(content) or _HAS[b"is"].search(content):
        return True
    kind = _ATTR_T.search(attrs)
    return bool(kind and kind.group(1) == b"str" and _HAS[b"v"].search(content))


def _scan_exact(data: bytes, shared: list[int]) -> SheetScan:
    """Every cell as the Excel reader (calamine) places it: by its reference, or after the previous cell
    when it has none; a cell counts when it holds a value. Slow (about 4 µs a cell): for odd files only."""
    out = SheetScan()
    row, col = 0, -1
    for m in _TOKEN.finditer(data):
        closing, prefix, name, attrs, empty = m.groups()
        if name == b"row":
            if closing:
                row, col = row + 1, -1
            elif (r := _ATTR_R.search(attrs)) and r.group(1).isdigit():
                row, col = int(r.group(1)) - 1, -1
            continue
        if closing:
            continue
        ref = _ATTR_R.search(attrs)
        if ref and (pos := _REF.fullmatch(ref.group(1))):
            row, col = int(pos.group(2)) - 1, _col_index(pos.group(1))
        else:
            col += 1
        if empty:
            continue
        end = _CELL_END.search(data, m.end())
        if end is None:
            break
        content = data[m.end():end.start()]
        if _has_value(content, attrs):
            kind = _ATTR_T.search(attrs)
            if kind and kind.group(1) == b"s" and (v := re.search(rb">\s*([0-9]+)\s*<", content)):
                out.text_chars += shared[int(v.group(1))] if int(v.group(1)) < len(shared) else 0
        elif _HAS[b"f"].search(content):
            out.formulas.append((m.start(), end.end(), prefix, attrs))  # a formula without a value
        else:
            continue  # no value: the reader skips the cell
        out.last_row = max(out.last_row, row)
        out.first_col = col if out.first_col is None else min(out.first_col, col)
        out.last_col = max(out.last_col, col)
    return out


def _scan_fast(data: bytes, shared: list[int]) -> SheetScan | None:
    """The same, as bounds over every cell (values or not), at C speed (about 0.5 µs a cell) — for XML as
    Excel writes it: no namespace prefixes, each cell's reference first. None: not such XML."""
    if any(b":" + tag in data for tag in (b"c ", b"c>", b"row ", b"row>", b"v>", b"f>", b"f ", b"is>")):
        return None
    cells = data.count(b"<c ") + data.count(b"<c>")
    if cells != data.count(b'<c r="') or re.search(rb'<c[\t\r\n]|<c r="[A-Za-z]+(?:0|[0-9]{11})', data):
        return None  # a cell without its reference first, a reference with a leading zero or 11 digits
    out = SheetScan()
    if cells == 0:
        return out
    for digits in range(10, 0, -1):  # the last row: among the references with the most digits
        found = re.findall(rb'<c r="[A-Za-z]+([0-9]{%d})"' % digits, data)
        if found:
            out.last_row = max(map(int, found)) - 1
            break
    cols = [_col_index(c) for c in set(re.findall(rb'<c r="([A-Za-z]+)', data))]
    out.first_col, out.last_col = min(cols), max(cols)
    refs = _SHARED_REF.findall(data)
    longest = max(shared, default=0)
    out.text_chars = sum(shared[int(i)] if int(i) < len(shared) else 0 for i in refs)
    out.text_chars += (data.count(b't="s"') - len(refs)) * longest  # shared strings written otherwise
    sheet_end = data.find(b"</sheetData>")
    pos = 0
    while (f := _FORMULA.search(data, pos, sheet_end)) is not None:  # formula cells: do they have a value?
        start = max(data.rfind(b"<c ", 0, f.start()), data.rfind(b"<c>", 0, f.start()))
        end = data.find(b"</c>", f.start())
        if start == -1 or end == -1:
            return None
        attrs = data[start + 2:data.find(b">", start)]
        if not _has_value(data[start:end], attrs):
            out.formulas.append((start, end + 4, b"", attrs))
        pos = end
    return out


def _sheets(parts: dict[str, bytes]) -> list[tuple[str, str]]:
    """(name, lower-case part path) of each sheet the workbook lists, through its relationships."""
    book = next((p for p in parts if p.lower().endswith("workbook.xml")), None)
    rels = next((p for p in parts if p.lower().endswith("workbook.xml.rels")), None)
    if book is None or rels is None:
        return []
    base = book.rsplit("/", 1)[0] + "/" if "/" in book else ""
    targets = {}
    for rel in re.findall(rb"<(?:[\w.-]+:)?Relationship\b[^>]*>", parts[rels]):
        rid, target = re.search(rb'\bId="([^"]*)"', rel), re.search(rb'\bTarget="([^"]*)"', rel)
        if rid and target:
            t = html.unescape(target.group(1).decode("utf-8", "replace"))
            targets[rid.group(1)] = (t.lstrip("/") if t.startswith("/") else base + t).lower()
    out = []
    for sheet in re.findall(rb"<(?:[\w.-]+:)?sheet\b[^>]*>", parts[book]):
        name, rid = re.search(rb'\bname="([^"]*)"', sheet), re.search(rb'\b[\w.-]+:id="([^"]*)"', sheet)
        if name:
            out.append((html.unescape(name.group(1).decode("utf-8", "replace")),
                        targets.get(rid.group(1), "") if rid else ""))
    return out


def _read_part(fp, info: zipfile.ZipInfo) -> bytes:
    """A part's bytes, unzipped from its raw data (so its declared size is checked, not trusted)."""
    fp.seek(info.header_offset)
    head = fp.read(30)
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise refused(f"部件「{info.filename}」已损坏")
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    raw = fp.read(info.compress_size)
    if info.compress_type == zipfile.ZIP_STORED:
        data = raw
    else:
        inflate = zlib.decompressobj(-15)
        pieces, size = [], 0
        try:
            while raw:
                piece = inflate.decompress(raw, MB)
                size += len(piece)
                if size > MAX_PART_BYTES:
                    raise refused(f"部件「{info.filename}」解压后超过 {MAX_PART_BYTES // MB} MB 的上限")
                pieces.append(piece)
                raw = inflate.unconsumed_tail
            pieces.append(inflate.flush())
        except zlib.error:
            raise refused(f"部件「{info.filename}」已损坏") from None
        data = b"".join(pieces)
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        raise refused(f"部件「{info.filename}」已损坏或大小与声明不符")
    return data


def _formula_marked(data: bytes, formulas: list[tuple[int, int, bytes, bytes]]) -> bytes:
    """The sheet with each formula cell without a value holding FORMULA_WITHOUT_VALUE as its text."""
    out, last = [], 0
    mark = FORMULA_WITHOUT_VALUE.encode("utf-8")
    for start, end, prefix, attrs in sorted(formulas):
        attrs = _ATTR_T.sub(b"", attrs)
        out += [data[last:start], b"<%sc%s t=\"inlineStr\"><%sis><%st>%s</%st></%sis></%sc>" % (
            prefix, attrs, prefix, prefix, mark, prefix, prefix, prefix)]
        last = end
    out.append(data[last:])
    return b"".join(out)


def inspect_workbook(path: Path) -> bytes | None:
    """Check a workbook against the limits before any Excel reader sees it (``Unreadable`` beyond them).

    Returns None to read the file as it is, or the bytes of a copy in which each formula cell without a
    calculated value holds FORMULA_WITHOUT_VALUE (so that the grid can name the cell).
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Unreadable(CANNOT_OPEN) from None
    with zf, open(path, "rb") as fp:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise refused(f"压缩包内有 {len(infos):,} 个部件，上限 {MAX_ZIP_ENTRIES:,} 个")
        if len({i.filename.lower() for i in infos}) < len(infos):
            raise refused("压缩包内有重名的部件")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNZIPPED_BYTES:
            raise refused(f"解压后共 {total / MB:,.0f} MB，上限 {MAX_UNZIPPED_BYTES // MB} MB")
        for i in infos:
            if i.flag_bits & 1:
                raise Unreadable(CANNOT_OPEN)  # encrypted
            if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise refused(f"部件「{i.filename}」使用了 Excel 不用的压缩方式")
            if i.file_size > MAX_PART_BYTES:
                raise refused(f"部件「{i.filename}」解压后 {i.file_size / MB:,.0f} MB，上限 {MAX_PART_BYTES // MB} MB")
            if i.file_size > RATIO_FROM and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise refused(f"部件「{i.filename}」的压缩比为 {i.file_size / max(i.compress_size, 1):,.0f} : 1，"
                              f"上限 {MAX_RATIO} : 1")
        # Every part is unzipped (its real size checked); the shared strings first: the sheets use them
        parts = sorted(infos, key=lambda i: "sharedstrings" not in i.filename.lower())
        shared: list[int] = []
        small: dict[str, bytes] = {}
        sheets: list[tuple[zipfile.ZipInfo, SheetScan]] = []
        marked: dict[str, bytes] = {}
        for info in parts:
            data = _read_part(fp, info)
            if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" and re.search(rb"<!(?:DOCTYPE|ENTITY)", data, re.I):
                raise refused(f"部件「{info.filename}」含有 XML 文档类型声明（DTD），Excel 不会写出这种内容")
            lower = info.filename.lower()
            if "sharedstrings" in lower:
                shared = _shared_strings(data)
            elif b"sheetData" in data:
                scan = _scan_fast(data, shared)
                if scan is None or not _within(scan):
                    scan = _scan_exact(data, shared)  # bounds over every cell were too wide: count values only
                sheets.append((info, scan))
                if scan.formulas:
                    marked[info.filename] = _formula_marked(data, scan.formulas)
            elif lower.endswith(("workbook.xml", "workbook.xml.rels")):
                small[info.filename] = data
        listed = _sheets(small)
        if len(listed) > MAX_SHEETS:
            raise refused(f"有 {len(listed):,} 个工作表，上限 {MAX_SHEETS} 个")
        if (longest := max((len(name) for name, _ in listed), default=0)) > MAX_SHEET_NAME:
            raise refused(f"有一个工作表的名称长达 {longest:,} 个字符，上限 {MAX_SHEET_NAME} 个")
        names = {part: name for name, part in listed}
        uses = Counter(part for _, part in listed)  # a part listed as several sheets is read as each
        rows = text = 0
        for info, scan in sheets:
            _check_sheet(scan, names.get(info.filename.lower(), info.filename))
            n = max(1, uses[info.filename.lower()])
            rows, text = rows + n * (scan.last_row + 1), text + n * scan.text_chars
        if rows > MAX_ROWS:
            raise refused(f"各工作表共 {rows:,} 行，上限 {MAX_ROWS:,} 行")
        if text > MAX_TEXT_CHARS:
            raise refused(f"单元格文字共约 {text:,} 个字符，上限 {MAX_TEXT_CHARS:,} 个")
        if not marked:
            return None
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy:
            for info in infos:
                copy.writestr(info.filename, marked.get(info.filename) or _read_part(fp, info))
        return out.getvalue()


def _within(scan: SheetScan) -> bool:
    try:
        _check_sheet(scan, "")
    except Unreadable:
        return False
    return True


def _check_sheet(scan: SheetScan, name: str) -> None:
    rows = scan.last_row + 1
    cols = 0 if scan.first_col is None else scan.last_col - scan.first_col + 1
    if rows > MAX_ROWS:
        raise refused(f"工作表「{name}」用到第 {rows:,} 行，上限 {MAX_ROWS:,} 行")
    if cols > MAX_COLUMNS:
        raise refused(f"工作表「{name}」用到 {cols:,} 列（到 {_column_letter(scan.last_col)} 列），上限 {MAX_COLUMNS:,} 列")
    if rows * cols > MAX_CELLS:
        raise refused(f"工作表「{name}」的数据区域有 {rows:,} 行 × {cols:,} 列 = {rows * cols:,} 个单元格，"
                      f"上限 {MAX_CELLS:,} 个")


def read_excel_grids(path: Path) -> list[Grid]:
    import fastexcel

    if not zipfile.is_zipfile(path):
        raise Unreadable(NOT_A_WORKBOOK)
    marked = inspect_workbook(path)
    try:
        reader = fastexcel.read_excel(marked if marked is not None else str(path))
    except Exception:  # noqa: BLE001 - any failure of the Excel reader is one sentence for the user
        raise Unreadable(CANNOT_OPEN) from None
    grids = []
    for idx, name in enumerate(reader.sheet_names):
        try:  # skip_rows=0: the grid starts at row 1; its first column is the first that holds a value
            sheet = reader.load_sheet(idx, header_row=None, dtypes="string", skip_rows=0)
            first_col = min((c.absolute_index for c in sheet.available_columns()), default=0)
            raw = sheet.to_polars()
        except Exception:  # noqa: BLE001 - an empty or odd sheet holds no form
            continue
        if raw.height == 0 or raw.width == 0:
            continue
        raw.columns = [f"c{i}" for i in range(raw.width)]
        frame = _blank_to_null(raw).with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Int64))
        used = frame.select(pl.any_horizontal(pl.col(raw.columns).is_not_null()).arg_true().first()).item()
        if used is None:
            continue
        frame = frame.slice(used).select([*raw.columns, "_row"])  # the blank rows above the first used one
        _check_cells(frame, first_col, f"工作表「{name}」", excel=True)
        grids.append(Grid(name, frame, first_col))
    return grids


def read_grids(path: Path) -> list[Grid]:
    """All sheets of a workbook, or the one table of a CSV file."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise refused(f"文件有 {size / MB:,.0f} MB，上限 {MAX_FILE_BYTES // MB} MB",
                      excel=path.suffix.lower() not in CSV_SUFFIXES)
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
