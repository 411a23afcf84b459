"""Rules across the columns of a form, by name (the rules of a single cell are in ``forms.py``/``values.py``).

A form declares its checks in forms.toml (``checks = [{ rule = "not_greater", field = …, than = … }]``);
each rule here is a function that finds the offending rows, as a data test should, and says what is wrong.
``check`` runs them, then the checks every form gets: the row key is unique, rows belong to the sender,
and no row falls in a locked period. It also adds ``cov_period``: the period a row speaks for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from etl import store
from etl.catalog import Catalog, Form

RULES: dict[str, Callable[[Run], None]] = {}
DELETE = "删除"


def rule(fn: Callable[[Run], None]) -> Callable[[Run], None]:
    """Register a check under its function's name (the ``rule`` of a declaration)."""
    RULES[fn.__name__] = fn
    return fn


@dataclass
class Context:
    """What a file is checked against, besides itself.

    ``published``: form code → the current published rows of that form (the warehouse's current_fN), or
    None before the first build; ``scope``: the region (or unit) the sender may report for, None for the
    operator; ``locks``: (form, scope, period) that take no more rows ("*" matches every form or scope)."""

    published: Callable[[str], pl.DataFrame | None] = lambda _code: None
    scope: str | None = None
    scope_label: str | None = None
    locks: list[tuple[str, str, str]] = field(default_factory=list)
    batch: dict[str, list[pl.DataFrame]] = field(default_factory=dict)  # earlier files of the same batch


@dataclass
class Run:
    """One declared check on one table: its parameters and how to report a row."""

    form: Form
    table: pl.DataFrame
    parsed: object  # forms.Parsed
    spec: dict
    context: Context
    catalog: Catalog
    skip: set = field(default_factory=set)  # (sheet, row, column) cells that already have an error

    def rows(self, cond: pl.Expr):
        """The rows where ``cond`` holds (deletions are not checked: they only name what goes)."""
        frame = self.table
        if "op" in frame.columns:
            frame = frame.filter(pl.col("op").fill_null("") != DELETE)
        return frame.filter(cond.fill_null(False)).iter_rows(named=True)

    def say(self, r: dict, field_name: str | None, value, text: str, level: str | None = None) -> None:
        level = level or self.spec.get("level", "error")
        form = self.form
        col = self.parsed.labels.get((r["_sheet"], field_name), f"“{form.column(field_name).header}”") if field_name else None
        if level == "error" and (r["_sheet"], r["_row"], col) in self.skip:
            return  # the cell already has its error (e.g. a 阶段 that is not a choice is not also "blank")
        shown = None if value is None else show(value)
        if shown is not None and field_name and form.column(field_name).type == "money":
            shown += "万元"  # amounts are compared in 万元, whatever unit the header had (亿元, 元)
        add = self.parsed.problems.error if level == "error" else self.parsed.problems.warning
        add(self.parsed.file, text, sheet=r["_sheet"], row=r["_row"], column=col, value=shown)

    def text(self, r: dict) -> str:
        """The declared message with {than}, {year}, {category} … filled from the row."""
        values = {k: show(v) for k, v in r.items() if v is not None}
        if "than" in self.spec:
            values["than"] = show(r[self.spec["than"]])
        return self.spec["text"].format_map(_Blank(values))


class _Blank(dict):
    def __missing__(self, key):
        return "—"


def show(v) -> str:
    if isinstance(v, float):
        return f"{v:,.2f}".rstrip("0").rstrip(".")
    return str(v)


# ---- the rules a form can declare -------------------------------------------------------------------

@rule
def not_greater(c: Run) -> None:
    """``field`` must not be greater than ``than`` (a tiny tolerance for amounts read from 亿元)."""
    f, than = c.spec["field"], c.spec["than"]
    for r in c.rows(pl.col(f) > pl.col(than) + 1e-9):
        c.say(r, f, r[f], c.text(r))


@rule
def not_before(c: Run) -> None:
    """A date ``field`` must not be earlier than ``than``."""
    f, than = c.spec["field"], c.spec["than"]
    for r in c.rows(pl.col(f) < pl.col(than)):
        c.say(r, f, r[f], c.text(r))


@rule
def required_if(c: Run) -> None:
    """``field`` must be filled where ``when`` equals ``equals``."""
    f = c.spec["field"]
    for r in c.rows((pl.col(c.spec["when"]) == c.spec["equals"]) & pl.col(f).is_null()):
        c.say(r, f, None, c.text(r))


@rule
def required_if_positive(c: Run) -> None:
    """``field`` must be filled where the amount ``when`` is above zero."""
    f = c.spec["field"]
    for r in c.rows((pl.col(c.spec["when"]) > 0) & pl.col(f).is_null()):
        c.say(r, f, None, c.text(r))


@rule
def unit_has_task(c: Run) -> None:
    """A unit reports on the tasks it leads or cooperates on."""
    f, task = c.spec["field"], c.spec["task"]
    tasks = c.catalog.tasks
    for r in c.rows(pl.col(f).is_not_null() & pl.col(task).is_not_null()):
        t = tasks.get(r[task])
        if t is not None and r[f] not in t["lead_units"].split(";") + t["cooperating_units"].split(";"):
            c.say(r, f, r[f], c.text(r))


@rule
def only_if(c: Run) -> None:
    """A true ``field`` only counts where ``when`` equals ``equals``."""
    f = c.spec["field"]
    for r in c.rows(pl.col(f) & (pl.col(c.spec["when"]) != c.spec["equals"])):
        c.say(r, f, "是", c.text(r))


@rule
def year_not_after(c: Run) -> None:
    """Where ``when`` holds, the date ``field`` must not fall after the row's ``year``."""
    f, year = c.spec["field"], c.spec["year"]
    for r in c.rows(pl.col(c.spec["when"]) & (pl.col(f).dt.year() > pl.col(year))):
        c.say(r, f, r[f], c.text(r))


@rule
def in_year(c: Run) -> None:
    """The date ``field`` should fall in the row's ``year``."""
    f, year = c.spec["field"], c.spec["year"]
    for r in c.rows(pl.col(f).dt.year() != pl.col(year)):
        c.say(r, f, r[f], c.text(r))


@rule
def year_on_year(c: Run) -> None:
    """Amounts that change by more than ±``limit`` on the same period a year before (in this file, an
    earlier file of the same batch, or the published data): a warning."""
    fields, limit = c.spec["fields"], c.spec["limit"]
    cols = ["region", "period", *fields]
    known = c.table.select(cols)
    earlier = [f.select(cols) for f in c.context.batch.get(c.form.code, [])]
    published = c.context.published(c.form.code)
    if published is not None and published.height:
        earlier.insert(0, published.select(cols))
    if earlier:
        known = pl.concat([*(e.cast(known.schema) for e in earlier), known]).unique(["region", "period"], keep="last")
    prior = known.with_columns(
        ((pl.col("period").str.slice(0, 4).cast(pl.Int64) + 1).cast(pl.String) + pl.col("period").str.slice(4)).alias("period"))
    joined = c.table.join(prior, on=["region", "period"], how="inner", suffix="_prev")
    labels = {f: c.form.column(f).name for f in fields}
    for f in fields:
        change = pl.col(f) / pl.col(f"{f}_prev") - 1
        frame = joined.with_columns(change.alias("_chg"))
        for r in frame.filter(((pl.col(f"{f}_prev") > 0) & (change.abs() > limit)).fill_null(False)).iter_rows(named=True):
            c.say(r, f, r[f], f"{labels[f]}比上年同期（{show(r[f'{f}_prev'])}万元）{'增长' if r['_chg'] > 0 else '下降'}"
                  f"{abs(r['_chg']) * 100:.1f}%，超过±{limit * 100:.0f}%，请核实", "warning")


@rule
def city_vs_counties(c: Run) -> None:
    """A reported 全市 figure that differs from the sum of the six counties for the same period (from this
    file, else the published data) by more than ``tolerance``: a warning. Zones are never added."""
    counties = [r.code for r in c.catalog.counties()]
    city = c.catalog.city.code
    fields, tol = c.spec["fields"], c.spec["tolerance"]
    rows = c.table.filter(pl.col("region") == city)
    if rows.is_empty():
        return
    mine = c.table.filter(pl.col("region").is_in(counties)).select("region", "period", *fields)
    published = c.context.published(c.form.code)
    if published is not None and published.height:
        theirs = published.filter(pl.col("region").is_in(counties)).select("region", "period", *fields).cast(mine.schema)
        mine = pl.concat([theirs, mine]).unique(["region", "period"], keep="last")
    sums = (mine.group_by("period").agg(pl.len().alias("_n"), *(pl.col(f).sum() for f in fields))
            .filter(pl.col("_n") == len(counties)))
    joined = rows.join(sums, on="period", how="inner", suffix="_sum")
    for f in fields:
        label = c.form.column(f).name
        off = (pl.col(f) / pl.col(f"{f}_sum") - 1)
        for r in joined.with_columns(off.alias("_off")).filter((off.abs() > tol).fill_null(False)).iter_rows(named=True):
            c.say(r, f, r[f], f"全市{label}与六个县区之和（{show(r[f'{f}_sum'])}万元）相差{r['_off'] * 100:+.1f}%，"
                  f"超过±{tol * 100:.0f}%，请与市统计局核实（功能区位于县区境内，不另加）", "warning")


# ---- the checks every form gets --------------------------------------------------------------------

def with_period(form: Form, table: pl.DataFrame) -> pl.DataFrame:
    """Add ``cov_period``, the period a row speaks for (its 统计期, its year, or the year of its end date)."""
    name, _, part = form.period.partition(":")
    if part == "year":
        col = pl.col(name).dt.year().cast(pl.Int64)
        table = table.with_columns(col.alias("year")) if not form.has("year") else table
        return table.with_columns(col.cast(pl.String).alias("cov_period"))
    return table.with_columns(pl.col(name).cast(pl.String).alias("cov_period"))


def check(form: Form, table: pl.DataFrame, parsed, catalog: Catalog, context: Context | None = None) -> pl.DataFrame:
    context = context or Context()
    skip = {(m.sheet, m.row, m.column) for m in parsed.problems.errors}
    table = with_period(form, table)
    for spec in form.checks:
        RULES[spec["rule"]](Run(form, table, parsed, spec, context, catalog, skip))
    run = Run(form, table, parsed, {"level": "error"}, context, catalog, skip)
    _duplicates(run)
    _outside_scope(run)
    _locked(run)
    return table


def _duplicates(c: Run) -> None:
    """Two rows with the same key (``unique``), on any sheet of the file: the second (and later) ones are errors."""
    form, key = c.form, list(c.form.unique)
    dup = (
        c.table.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in key))
        .with_columns(pl.col("_row").first().over(key).alias("_first"),
                      pl.col("_sheet").first().over(key).alias("_first_sheet"))
        .filter((pl.col("_row") != pl.col("_first")) | (pl.col("_sheet") != pl.col("_first_sheet")).fill_null(False))
    )
    names = "、".join(form.column(k).name for k in key)
    # grain "每个县区（或功能区、全市）每个统计期一行" → "同一县区（或功能区、全市）同一统计期只能填一行"
    same = form.grain.split("一行")[0].replace("每个", "同一").replace("每", "同一")
    for r in dup.iter_rows(named=True):
        where = f"第{r['_first']}行" if r["_first_sheet"] == r["_sheet"] else f"工作表「{r['_first_sheet']}」第{r['_first']}行"
        c.say(r, key[-1], r[key[-1]], f"与{where}重复（{names}相同），{same}只能填一行")


def _outside_scope(c: Run) -> None:
    """A sender who reports for one region (or unit) may only send that region's rows."""
    mine = c.context.scope
    if mine is None:
        return
    f = c.form.scope
    label = c.context.scope_label or mine
    for r in c.table.filter(pl.col(f).is_not_null() & (pl.col(f) != mine)).iter_rows(named=True):
        other = c.catalog.scope_name(r[f])
        c.say(r, f, other, f"本账号只能报送{label}的数据，这一行属于{other}；请删去这一行，或由{other}自行报送")


def _locked(c: Run) -> None:
    """Rows that fall in a period the city bureau has locked after approval."""
    if not c.context.locks:
        return
    f = c.form.scope
    for r in c.table.iter_rows(named=True):
        lock = next((lk for lk in c.context.locks if store.lock_covers(lk, c.form.code, r[f], r["cov_period"])), None)
        if lock:
            c.say(r, c.form.period_field, r[c.form.period_field],
                  f"{c.form.code} {lock[2]}的数据已由市商务局审核锁定，不能再报送或更正；如确需更正，请联系审核员解锁")
