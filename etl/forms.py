"""From a received file to typed, checked tables, one per form.

    read_file(path) -> Parsed        the typed tables, what they cover, and every error of a single cell
    check_file(parsed, context)      the rules across columns and rows (``rules.py``), against the context
    parse_file(path) -> Parsed       both

The form is recognised from the header row of each sheet (up to 20 rows of titles above it); the unit
of an amount comes from its header; title, unit, note, blank and 合计 rows are recognised and skipped
(合计 rows are checked against the rows they add up). Rules across columns live in ``rules.py``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from etl import rules, values
from etl.catalog import Catalog, Column, Form, current, norm
from etl.messages import Problems, column_letter
from etl.reader import FORMULA_WITHOUT_VALUE, Grid, Unreadable, read_grids

HEADER_SCAN_ROWS = 20
TOTAL_WORDS = {"合计", "总计", "小计", "全市合计", "总合计", "合计数", "汇总"}
# A note row under the table. The short words (注, 说明 …) only with a separator after them: a training
# class called "注册电商企业培训班" or "说明书设计培训班" is data, not a note.
NOTE_PREFIX = re.compile(
    r"^(填报说明|填表说明|更正说明|修改说明|数据来源|资料来源|填表人|填报人|审核人|单位负责人|统计负责人|联系电话|联系人"
    r"|制表人|填报日期|报出日期|(说明|注|备注|负责人|制表)(\d*[:.、)]|$))"
)
UNIT_WORDS = {"万元", "亿元", "元", "㎡", "平方米", "m2", "m²", "人次", "家", "个", "%", "人"}
MONEY_FACTORS = {"万元": 1.0, "亿元": 10000.0, "元": 0.0001}
AREA_UNITS = {"㎡", "平方米", "m2", "m²", "M2"}
NUMERIC_TYPES = {"money", "area", "integer"}
GENERIC_TYPES = {"region", "period", "year"}  # columns that every other table has too
_HEADER_UNIT = re.compile(r"^(.*?)\((.*?)\)$")
_SHEET_UNIT = re.compile(r"单位[:：]?\s*(万元|亿元|元)")
NOT_A_NUMBER = "不是有效的数字（可以带千分位逗号，不要写单位或文字）"
DECIMAL_COMMA = "不是有效的数字：逗号只能用作千分位分隔（每三位一个，如 1,234,567.5），小数点请用“.”"
FORMULA_TEXT = "公式没有计算结果（可能是程序生成、未在 Excel 中打开保存），请在 Excel 中打开、保存后再提交"


@dataclass
class SheetResult:
    sheet: str | None
    form: str
    header_row: int
    rows: int


REPLACE_ALL = "全量替换"
ZERO_REPORT = "零报告"
ADD_OR_CORRECT = "增补"
METHODS = (ADD_OR_CORRECT, REPLACE_ALL, ZERO_REPORT)
# 报送方式：… / 填报县区：… / 报送年度：… written above the header (the blank template has them)
_META = {
    "method": re.compile(r"^(报送方式|填报方式|报送类型)[:：]?(.*)$"),
    "scope": re.compile(r"^(填报县区|填报单位|报送县区|报送单位)[:：]?(.*)$"),
    "year": re.compile(r"^(报送年度|填报年度|统计年度)[:：]?(.*)$"),
}


@dataclass
class Submission:
    """What the sender says about the file as a whole (the lines above the header)."""

    method: str = ADD_OR_CORRECT  # 增补 (add or correct the rows named) | 全量替换 | 零报告
    scope: str | None = None  # a region code (or unit) for a 零报告
    year: int | None = None


@dataclass
class Parsed:
    file: str
    problems: Problems
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    sheets: list[SheetResult] = field(default_factory=list)
    labels: dict[tuple[str | None, str], str] = field(default_factory=dict)  # (sheet, field) → column label
    submission: dict[str, Submission] = field(default_factory=dict)  # form → what the sender said about it

    @property
    def ok(self) -> bool:
        return not self.problems.errors

    def coverage(self, catalog: Catalog | None = None) -> dict[str, list[tuple[str, str, str]]]:
        """(scope, period, action) each form of this file speaks for. action: ``replace`` (everything there
        before goes: a snapshot form, 全量替换, 零报告 = ``zero``) or ``upsert`` (the rows named are added or
        replace their older versions)."""
        catalog = catalog or current()
        out = {}
        for form, table in self.tables.items():
            spec = catalog.forms[form]
            sub = self.submission.get(form, Submission())
            action = "replace" if (not spec.is_ledger or sub.method == REPLACE_ALL) else "upsert"
            pairs = table.select(spec.scope, "cov_period").drop_nulls().unique().sort([spec.scope, "cov_period"])
            out[form] = [(scope, period, action) for scope, period in pairs.iter_rows()]
        for form, sub in self.submission.items():
            if sub.method == ZERO_REPORT and sub.scope and sub.year:
                out.setdefault(form, []).append((sub.scope, str(sub.year), "zero"))
        return out


def split_header(cell: str) -> tuple[str, str | None]:
    """'网络零售额（亿元）' → ('网络零售额', '亿元')."""
    t = norm(cell)
    m = _HEADER_UNIT.match(t)
    if m and m.group(1):
        return m.group(1), m.group(2) or None
    return t, None


def match_header(cells: list[str | None], form: Form) -> dict[int, Column]:
    mapping: dict[int, Column] = {}
    used: set[str] = set()
    for idx, cell in enumerate(cells):
        if not cell:
            continue
        base, _unit = split_header(cell)
        for col in form.columns:
            if col.field not in used and (base in col.names or norm(cell) in col.names):
                mapping[idx] = col
                used.add(col.field)
                break
    return mapping


def detect_form(grid: Grid, catalog: Catalog) -> tuple[Form, int, dict[int, Column]] | None:
    """The form whose header best matches one of the first rows (ties: the sheet name decides)."""
    best = None
    data_cols = [c for c in grid.frame.columns if c != "_row"]
    head = grid.frame.head(HEADER_SCAN_ROWS)
    sheet = norm(grid.sheet or "")
    for i, row in enumerate(head.select(data_cols).iter_rows()):
        cells = list(row)
        if sum(1 for c in cells if c) < 2:
            continue
        for form in catalog.forms.values():
            mapping = match_header(cells, form)
            required = [c for c in form.columns if c.required]
            hits = len(mapping)
            if hits < 2 or hits < len(required) / 2:
                continue
            if all(c.type in GENERIC_TYPES for c in mapping.values()):
                continue  # 年份 + 地区 alone (a GDP table, say) do not make a report form
            named = any(norm(a) in sheet for a in (form.code, form.title, *form.sheet_aliases))
            score = (hits, hits / len(form.columns), named)
            if best is None or score > best[0]:
                best = (score, form, i, mapping)
    if best is None:
        return None
    return best[1], best[2], best[3]


def _sheet_unit(grid: Grid, header_index: int) -> str | None:
    """A '单位：亿元' line above the header (or right under it) applies to amounts without a unit."""
    data_cols = [c for c in grid.frame.columns if c != "_row"]
    for row in grid.frame.slice(0, header_index + 2).select(data_cols).iter_rows():
        for cell in row:
            if cell and (m := _SHEET_UNIT.search(norm(cell))):
                return m.group(1)
    return None


def row_kinds(body: pl.DataFrame, region_idx: int | None) -> pl.Series:
    """'data', 'blank', 'note', 'unit' or 'total' for each row under the header (vectorised)."""
    cols = [c for c in body.columns if c != "_row"]
    normed = body.select(
        pl.col(c).str.normalize("NFKC").str.replace_all(r"\s+", "").replace("", None).alias(c) for c in cols
    )
    filled = pl.sum_horizontal(pl.col(c).is_not_null() for c in cols)
    first = pl.coalesce(cols)
    note = first.str.contains(NOTE_PREFIX.pattern) | (
        (filled == 1) & (first.str.len_chars() > 15) & first.str.contains("[:：。]")
    )  # a remark under the table: a known prefix, or one long sentence (with ：or 。) alone in its row
    unit = pl.all_horizontal(
        pl.col(c).is_null() | pl.col(c).is_in(list(UNIT_WORDS)) | pl.col(c).str.starts_with("单位:") for c in cols
    )
    lead = cols[: max(3, (region_idx or 0) + 1)]
    total = pl.any_horizontal(pl.col(c).str.replace_all(":", "").is_in(list(TOTAL_WORDS)).fill_null(False) for c in lead)
    kind = (
        pl.when(filled == 0).then(pl.lit("blank"))
        .when(note.fill_null(False)).then(pl.lit("note"))
        .when(unit).then(pl.lit("unit"))
        .when(total).then(pl.lit("total"))
        .otherwise(pl.lit("data"))
    )
    return normed.select(kind.alias("_kind")).to_series()


class SheetReader:
    """Turns one recognised sheet into a typed table, noting every problem on the way."""

    def __init__(self, parsed: Parsed, grid: Grid, form: Form, header_index: int, mapping, catalog: Catalog,
                 arrived: dt.date):
        self.parsed, self.grid, self.form, self.catalog = parsed, grid, form, catalog
        self.arrived = arrived  # the day the file was received: no period, year or date after it
        self.mapping = mapping
        self.header_index = header_index
        frame = grid.frame
        self.header_cells = list(frame.row(header_index))[:-1]
        self.header_row = frame["_row"][header_index]
        self.file = parsed.file
        self.sheet_name = grid.sheet
        for idx, col in mapping.items():
            parsed.labels[(grid.sheet, col.field)] = self.col_label(idx)

    # where a message points
    def col_label(self, idx: int) -> str:
        return f"{column_letter(idx + self.grid.col_offset)}列“{self.header_cells[idx]}”"

    def error(self, text, row=None, idx=None, value=None):
        self.parsed.problems.error(
            self.file, text, sheet=self.sheet_name, row=row,
            column=None if idx is None else self.col_label(idx), value=value,
        )

    def warning(self, text, row=None, idx=None, value=None):
        self.parsed.problems.warning(
            self.file, text, sheet=self.sheet_name, row=row,
            column=None if idx is None else self.col_label(idx), value=value,
        )

    def units(self) -> dict[int, float]:
        """Factor to the stored unit (万元 for amounts) for each amount column, from its header."""
        factors = {}
        sheet_unit = _sheet_unit(self.grid, self.header_index)
        for idx, col in self.mapping.items():
            if col.type != "money" and col.type != "area":
                continue
            _base, unit = split_header(self.header_cells[idx])
            if col.type == "money":
                unit = unit or sheet_unit or col.unit
                if unit not in MONEY_FACTORS:
                    self.error(f"金额单位“{unit}”无法识别，表头应注明（万元）、（亿元）或（元）", self.header_row, idx)
                    continue
                factors[idx] = MONEY_FACTORS[unit]
            else:
                if unit and unit not in AREA_UNITS:
                    self.error(f"面积单位“{unit}”无法识别，表头应注明（㎡）或（平方米）", self.header_row, idx)
                    continue
                factors[idx] = 1.0
        return factors

    def read(self) -> pl.DataFrame | None:
        form = self.form
        missing = [c for c in form.columns if c.required and c not in self.mapping.values()]
        for col in missing:
            self.error(f"缺少必填列“{col.header}”（{form.label}）", self.header_row)
        for idx, cell in enumerate(self.header_cells):
            if cell and idx not in self.mapping:
                self.warning(f"不是{form.code}报表的列，已忽略（{form.label}的列为：{'、'.join(c.header for c in form.columns)}）",
                             self.header_row, idx, cell)
        factors = self.units()
        if missing:
            return None

        body = self.grid.frame.slice(self.header_index + 1)
        region_idx = next((i for i, c in self.mapping.items() if c.type == "region"), None)
        body = body.with_columns(row_kinds(body, region_idx))
        data = body.filter(pl.col("_kind") == "data")
        totals = body.filter(pl.col("_kind") == "total")

        typed = self.typed(data, factors)
        if totals.height and typed is not None:
            self.check_totals(totals, typed, factors)
        return typed

    def typed(self, data: pl.DataFrame, factors: dict[int, float], quiet: bool = False) -> pl.DataFrame:
        """One typed column per form field; each bad cell becomes an error (unless quiet)."""
        out = {"_row": data["_row"]}
        op_idx = next((i for i, c in self.mapping.items() if c.field == "op"), None)
        self.deleting = (pl.Series([False] * data.height, dtype=pl.Boolean) if op_idx is None else
                         data[f"c{op_idx}"].str.normalize("NFKC").str.strip_chars().eq(rules.DELETE).fill_null(False))
        for idx, col in self.mapping.items():
            raw = data[f"c{idx}"]
            out[col.field] = self.parse_column(raw, data["_row"], idx, col, factors.get(idx, 1.0), quiet)
        for col in self.form.columns:
            if col.field not in out:
                out[col.field] = pl.Series(col.field, [None] * data.height, dtype=_dtype(col))
        return pl.DataFrame(out)

    def parse_column(self, raw: pl.Series, rows: pl.Series, idx: int, col: Column, factor: float, quiet: bool):
        formula = (raw == FORMULA_WITHOUT_VALUE).fill_null(False)
        if formula.any() and not quiet:
            for r in rows.filter(formula).to_list():
                self.error(FORMULA_TEXT, r, idx)
        text = raw.str.normalize("NFKC").str.strip_chars()
        blank = (text.is_null() | text.is_in(list(values.NULL_MARKS))) & ~formula
        if col.required and not quiet:
            # a row that deletes an entity needs only the columns that name it (the key)
            need = blank if col.field in self.form.key else blank & ~self.deleting
            for r in rows.filter(need).to_list():
                self.error("必填项不能为空" if col.type != "money" else "必填金额不能为空（没有发生请填0）", r, idx)
        empty = blank | formula
        text = pl.Series(col.field, text).set(empty, None) if empty.any() else text.alias(col.field)
        if col.default is not None:
            text = text.fill_null(col.default)

        if col.type in NUMERIC_TYPES:
            return self.parse_number(text, raw, rows, idx, col, factor, quiet)

        parser = {
            "period": functools.partial(values.parse_period, arrived=self.arrived),
            "year": functools.partial(values.parse_year, arrived=self.arrived),
            "date": functools.partial(values.parse_date, arrived=self.arrived),
            "yesno": values.parse_yesno,
            "uscc": values.parse_uscc,
            "region": self.parse_region(col),
            "choice": self.parse_choice(col),
            "multichoice": self.parse_multichoice(col),
        }.get(col.type)
        if parser is None:  # text
            return text
        mapping: dict[str, object] = {}
        problems: dict[str, str] = {}
        for v in text.drop_nulls().unique().to_list():
            try:
                mapping[v] = parser(v)
            except ValueError as exc:
                problems[v] = str(exc)
        if problems and not quiet:
            bad = text.is_in(list(problems))
            for r, v, t in zip(rows.filter(bad).to_list(), raw.filter(bad).to_list(), text.filter(bad).to_list(), strict=True):
                self.error(problems[t], r, idx, v)
        return pl.Series(col.field, [mapping.get(v) if v is not None else None for v in text.to_list()], dtype=_dtype(col))

    def parse_number(self, text: pl.Series, raw: pl.Series, rows: pl.Series, idx: int, col: Column, factor: float,
                     quiet: bool) -> pl.Series:
        """Finite numbers as people write them (``values.NUMBER``), in the stored unit, within the column's
        range; any other cell is null in the table and (unless quiet) an error naming it."""
        cells = pl.DataFrame({"text": text, "raw": raw, "row": rows}).with_columns(
            ok=pl.col("text").str.contains(values.NUMBER).fill_null(False),
            x=pl.col("text").str.replace_all(r"[, ]", "").cast(pl.Float64, strict=False) * factor,
        ).with_columns(
            bad=pl.col("text").is_not_null() & ~(pl.col("ok") & pl.col("x").is_not_null()),
            big=pl.col("ok") & (~pl.col("x").is_finite()  # 1e309, 400 digits: infinite
                                | ((pl.col("x") > col.max) if col.max is not None else pl.lit(False))).fill_null(False),
        )
        cells = cells.with_columns(x=pl.when(pl.col("bad") | pl.col("big")).then(None).otherwise(pl.col("x")))
        if not quiet:
            def each(cond):
                return cells.filter(cond.fill_null(False)).select("row", "raw").iter_rows()

            for r, v in each(pl.col("bad")):
                self.error(DECIMAL_COMMA if "," in (v or "") else NOT_A_NUMBER, r, idx, v)
            for r, v in each(pl.col("big")):
                self.error(self.too_big(idx, col, factor), r, idx, v)
            if col.type == "integer":
                for r, v in each((pl.col("x") - pl.col("x").round(0)).abs() > 1e-9):
                    self.error("应为整数", r, idx, v)
            if col.min is not None:
                for r, v in each(pl.col("x") < col.min):
                    self.error(f"不能小于{col.min:g}", r, idx, v)
            if col.min_exclusive is not None:
                for r, v in each(pl.col("x") <= col.min_exclusive):
                    self.error(f"应大于{col.min_exclusive:g}", r, idx, v)
        number = cells["x"].alias(col.field)
        return number.cast(pl.Int64, strict=False) if col.type == "integer" else number

    def too_big(self, idx: int, col: Column, factor: float) -> str:
        """The message for a number above the column's ceiling, shown in the unit of its header."""
        if col.max is None:
            return "数值过大，请核对数值和单位"
        if col.type == "money":
            unit = next(u for u, f in MONEY_FACTORS.items() if f == factor)
        else:  # the unit as the header writes it (㎡, 平方米, 人次 …)
            written = re.search(r"[（(]\s*([^（）()]+?)\s*[）)]\s*$", str(self.header_cells[idx]))
            unit = written.group(1) if written else (col.unit or "")
        return f"数值过大：不能大于{_fmt(col.max / factor)}{unit}，请核对数值和单位"

    def parse_region(self, col: Column):
        catalog = self.catalog

        def parse(text: str) -> str:
            code = catalog.region_code(text)
            if code is None:
                names = "、".join(r.name for r in sorted(catalog.regions.values(), key=lambda r: r.sort_order) if r.level != "city")
                raise ValueError(f"不是河源市的县区或功能区（可填：{names}，或行政区划代码）")
            if catalog.regions[code].level == "city" and not col.allow_city:
                raise ValueError("这里应填企业或单位所在的县区（或功能区），不能填全市")
            return code

        return parse

    def parse_choice(self, col: Column):
        if col.lookup:
            return self.parse_lookup(col)
        options = {norm(c): c for c in col.choices}

        def parse(text: str) -> str:
            hit = options.get(norm(text))
            if hit is None:
                raise ValueError(f"不是可选项（可选：{'、'.join(col.choices)}）")
            return hit

        return parse

    def parse_lookup(self, col: Column):
        """A value from one of the policy's own lists: a unit, a task number, a subsidy clause."""
        catalog = self.catalog
        options, values = catalog.lookup(col.lookup), catalog.lookup_values(col.lookup)
        explain = {
            "units": "不是政策中列出的单位（联席会议成员单位或各项任务的牵头、配合单位），请写单位全称，如 市商务局、市财政局",
            "tasks": f"不是政策的任务编号：应为 {values[0]} 至 {values[-1]} 中的一项，如 "
                     f"{'三(三)6' if '三(三)6' in values else values[0]}",
            "clauses": f"不是政策的扶持条款：应为 {'、'.join(values)} 中的一项",
        }[col.lookup]

        def parse(text: str) -> str:
            t = norm(text).replace("（", "(").replace("）", ")")
            hit = options.get(t)
            if hit is None:
                raise ValueError(explain)
            return hit

        return parse

    @staticmethod
    def parse_multichoice(col: Column):
        def parse(text: str) -> str:
            parts = values.split_choices(text)
            wrong = [p for p in parts if p not in col.choices]
            if wrong:
                raise ValueError(f"“{wrong[0]}”不是可选项（可选：{'、'.join(col.choices)}，可多选，用顿号分隔）")
            return "、".join(dict.fromkeys(parts))

        return parse

    def check_totals(self, totals: pl.DataFrame, typed: pl.DataFrame, factors: dict[int, float]) -> None:
        """A 合计 row is not loaded; it is checked against the rows it adds up (a warning if it differs)."""
        tt = self.typed(totals, factors, quiet=True)
        period_field = next((c.field for c in self.mapping.values() if c.type in ("period", "year")), None)
        for trow in tt.iter_rows(named=True):
            rows = typed
            if period_field and trow.get(period_field) is not None:
                rows = typed.filter(pl.col(period_field) == trow[period_field])
            if period_field == "period":  # a reported city row is not part of the county total, and a
                # zone's figures lie inside the counties: the 合计 adds up the counties (when there are any)
                rows = rows.filter(pl.col("region") != self.catalog.city.code)
                counties = {r.code for r in self.catalog.counties()}
                if rows["region"].is_in(counties).any():
                    rows = rows.filter(pl.col("region").is_in(counties))
            for idx, col in self.mapping.items():
                if col.type not in NUMERIC_TYPES or trow[col.field] is None:
                    continue
                total = rows[col.field].sum() or 0
                stated = trow[col.field]
                if abs(stated - total) > max(0.5 * factors.get(idx, 1.0), abs(total) * 1e-6):
                    self.warning(
                        f"合计行与明细行之和不一致：明细合计为{_fmt(total / factors.get(idx, 1.0))}，合计行为"
                        f"{_fmt(stated / factors.get(idx, 1.0))}（合计行不入库，以明细为准）",
                        trow["_row"], idx, _fmt(stated / factors.get(idx, 1.0)),
                    )


def _fmt(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _dtype(col: Column):
    return {
        "money": pl.Float64, "area": pl.Float64, "integer": pl.Int64, "year": pl.Int64,
        "date": pl.Date, "yesno": pl.Boolean,
    }.get(col.type, pl.String)


def submission_of(grid: Grid, header_index: int, catalog: Catalog, say) -> Submission:
    """报送方式 / 填报县区 / 报送年度 from the lines above the header ("报送方式：零报告", or the label in
    one cell and the value in the next, as the blank template has them)."""
    sub = Submission()
    data_cols = [c for c in grid.frame.columns if c != "_row"]
    for row in grid.frame.slice(0, header_index).select(data_cols).iter_rows():
        cells = [norm(c) if c else "" for c in row]
        for i, cell in enumerate(cells):
            for key, pattern in _META.items():
                m = pattern.match(cell)
                if not m:
                    continue
                value = m.group(2) or next((c for c in cells[i + 1:] if c), "")
                if not value:
                    continue
                if key == "method":
                    if value not in METHODS:
                        say(f"报送方式“{value}”无法识别（可填：{'、'.join(METHODS)}）", value)
                    else:
                        sub.method = value
                elif key == "scope":  # "填报单位：紫金县商务局（盖章）" names 紫金县; a unit without a region names none
                    sub.scope = catalog.region_code(value) or next(
                        (r.code for r in catalog.regions.values() if r.level != "city" and r.name in value), None)
                else:
                    try:
                        sub.year = values.parse_year(value)
                    except ValueError as exc:
                        say(str(exc), value)
    return sub


def read_file(path: Path, display_name: str | None = None, catalog: Catalog | None = None,
              arrived: dt.date | None = None) -> Parsed:
    """Read, recognise and type every sheet of one file. Never raises for bad input: see ``Parsed.problems``.
    ``arrived``: the day the file was received (default today); a period that had not ended by then, a later
    year or date is an error."""
    catalog = catalog or current()
    arrived = arrived or dt.date.today()
    name = display_name or Path(path).name
    parsed = Parsed(name, Problems())
    try:
        grids = read_grids(Path(path))
    except Unreadable as exc:
        parsed.problems.error(name, str(exc))
        return parsed
    frames: dict[str, list[pl.DataFrame]] = {}
    for grid in grids:
        found = detect_form(grid, catalog)
        if found is None:
            continue
        form, header_index, mapping = found
        reader = SheetReader(parsed, grid, form, header_index, mapping, catalog, arrived)
        table = reader.read()
        parsed.sheets.append(SheetResult(grid.sheet, form.code, reader.header_row, 0 if table is None else table.height))
        parsed.submission.setdefault(form.code, submission_of(
            grid, header_index, catalog, lambda text, value, r=reader: r.error(text, value=value)))
        if table is not None:
            frames.setdefault(form.code, []).append(table.with_columns(pl.lit(grid.sheet).alias("_sheet")))
    if not parsed.sheets:
        forms = "；".join(f"{f.label}（{'、'.join(c.name for c in f.columns if c.required)}…）" for f in catalog.forms.values())
        parsed.problems.error(
            name, f"没有找到任何报表的表头，无法识别是哪张报表。请使用监测系统生成的空白模板填报。各报表的表头应包含：{forms}"
        )
        return parsed
    for code, parts in frames.items():
        parsed.tables[code] = pl.concat(parts, how="vertical_relaxed")
    parsed.problems.sort(key=lambda m: (m.sheet or "", m.row or 0))
    return parsed


def check_file(parsed: Parsed, catalog: Catalog | None = None, context: rules.Context | None = None) -> Parsed:
    """The rules across columns and rows, and what the lines above the header ask for (零报告, 全量替换)."""
    catalog = catalog or current()
    context = context or rules.Context()
    for code, table in list(parsed.tables.items()):
        parsed.tables[code] = rules.check(catalog.forms[code], table, parsed, catalog, context)
    for code, sub in parsed.submission.items():
        form = catalog.forms[code]
        rows = parsed.tables[code].height if code in parsed.tables else 0
        if sub.method == ZERO_REPORT:
            sub.scope = sub.scope or context.scope
            if not form.is_ledger:
                parsed.problems.error(parsed.file, f"{form.label}按期报送数值，不能零报告；没有数据的期间不必报送")
            elif rows:
                parsed.problems.error(parsed.file, f"报送方式为“零报告”，但{form.label}中有{rows}行数据；"
                                      "零报告表示本期没有需要报送的内容，请删去这些行或改为“增补”")
            elif not (sub.scope and sub.year):
                parsed.problems.error(parsed.file, f"零报告须在表头上方写明填报县区和报送年度（如“填报县区：连平县”“报送年度：2024”），"
                                      f"系统才知道是哪个县区、哪一年的{form.title}没有需要报送的内容")
            elif context.scope and sub.scope != context.scope:
                parsed.problems.error(parsed.file, f"本账号只能报送{context.scope_label or context.scope}的零报告")
    reported = any(s.rows for s in parsed.sheets)
    if parsed.sheets and not reported and not parsed.problems.errors \
            and not any(s.method == ZERO_REPORT for s in parsed.submission.values()):
        parsed.problems.error(parsed.file, "报表只有表头，没有任何数据行。如本期确实没有需要报送的内容，"
                              "请在表头上方写明“报送方式：零报告”、填报县区和报送年度")
    parsed.problems.sort(key=lambda m: (m.sheet or "", m.row or 0))
    parsed.problems.summarise()
    return parsed


def parse_file(path: Path, display_name: str | None = None, catalog: Catalog | None = None,
               context: rules.Context | None = None) -> Parsed:
    """Read, recognise, type and check one file (``read_file`` then ``check_file``)."""
    catalog = catalog or current()
    parsed = read_file(path, display_name, catalog)
    return check_file(parsed, catalog, context) if parsed.sheets else parsed
