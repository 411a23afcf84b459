"""What a file will do, shown before anything changes: per form, scope and period, the rows it adds, the rows
it replaces (with the receipt they came from and old → new for every changed value) and the rows it removes.

    changes(tables, coverage, published) -> list[Change]

``published(code)`` gives the current published rows of a form (the warehouse's current_fN). The same
preview is printed by ``python -m etl check``/``load``, shown by the 数据报送 page before submitting, and
shown to the reviewer before approving.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from etl import rules
from etl.catalog import Catalog, Form, current

META = {"_row", "_sheet", "_label", "cov_period", "op", "receipt_id", "receipt_seq", "publish_seq", "year"}
ACTION_TEXT = {"replace": "整体替换", "upsert": "增补或更正", "zero": "零报告"}


@dataclass
class Change:
    form: str
    scope: str
    period: str
    action: str  # replace | upsert | zero
    added: list[str] = field(default_factory=list)
    replaced: list[tuple[str, str, list[tuple[str, str, str]]]] = field(default_factory=list)  # (row, receipt, diffs)
    removed: list[tuple[str, str]] = field(default_factory=list)  # (row, receipt)
    unchanged: int = 0
    kept: int = 0  # published rows of this scope and period that the file leaves as they are

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.replaced or self.removed)

    def counts(self) -> str:
        parts = [f"新增{len(self.added)}行", f"替换{len(self.replaced)}行", f"删除{len(self.removed)}行",
                 f"不变{self.unchanged}行"]
        if self.kept:
            parts.append(f"保留原有{self.kept}行")
        return "，".join(parts)


def _fmt(value, col) -> str:
    if value is None:
        return "（空）"
    if col is not None and col.type == "money":
        return f"{value:,.2f}".rstrip("0").rstrip(".") + "万元"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def label_expr(form: Form, columns: list[str], catalog: Catalog) -> pl.Expr:
    """How a row is named in the preview: by what identifies it (the key without the scope and period, after
    the name), else by its region (or unit) and period. One expression over the whole table."""
    parts = [pl.col(k).cast(pl.String) for k in form.key if k not in (form.scope, form.period_field, "year")]
    if "name" in columns and "name" not in form.key:
        parts.insert(0, pl.when(pl.col("name") != "").then(pl.col("name")))
    if not parts:
        names = {c: r.name for c, r in catalog.regions.items()}
        scope = pl.col(form.scope).cast(pl.String)
        parts = [scope.replace_strict(names, default=scope), pl.col(form.period_field).cast(pl.String)]
    return pl.concat_str(parts, separator="·", ignore_nulls=True)


def changes(tables: dict[str, pl.DataFrame], coverage: dict[str, list[tuple]], published,
            catalog: Catalog | None = None, warn=None) -> list[Change]:
    """``tables`` and ``coverage`` as a parsed file has them (``Parsed.tables``, ``Parsed.coverage()``);
    ``warn(text)`` is told about deletions that name nothing published."""
    catalog = catalog or current()
    out = []
    for code, cov in coverage.items():
        form = catalog.forms[code]
        key = list(form.key)
        fields = [c.field for c in form.columns if c.field not in META and c.field not in key]
        table, old_all = tables.get(code), published(code)
        if table is not None:
            table = table.with_columns(label_expr(form, table.columns, catalog).alias("_label"))
        if old_all is not None and not old_all.is_empty():  # only what the file speaks for is looked at
            old_all = _within(old_all, form.scope, [(s, p) for s, p, _ in cov])
            old_all = old_all.with_columns(label_expr(form, old_all.columns, catalog).alias("_label"))
        deleting_all = None
        if table is not None and "op" in table.columns:
            is_delete = pl.col("op").fill_null("") == rules.DELETE
            table, deleting_all = table.filter(~is_delete), table.filter(is_delete)
        # one pass over each table, not one filter per scope and period (a file may cover 100,000 of them); whole
        # rows only where there is something published to compare with, else the key and the label suffice
        old_groups, deleting_groups = _groups(old_all, form.scope), _groups(deleting_all, form.scope)
        compared = new_groups = {}
        if table is not None:
            new_groups = _groups(table.select(list(dict.fromkeys([form.scope, "cov_period", *key, "_label"]))), form.scope)
            if old_groups:
                compared = _groups(_within(table, form.scope, list(old_groups)), form.scope)
        for scope, period, action in cov:
            change = Change(code, scope, period, action)
            new = compared.get((scope, period)) or new_groups.get((scope, period), [])
            deleting = deleting_groups.get((scope, period), [])
            old_by_key = {tuple(r[k] for k in key): r for r in old_groups.get((scope, period), [])}
            seen = set()
            for r in new:
                k = tuple(r[f] for f in key)
                seen.add(k)
                before = old_by_key.get(k)
                if before is None:
                    change.added.append(r["_label"])
                    continue
                diffs = []
                for f in fields:
                    a, b = before.get(f), r.get(f)
                    same = (a == b) or (isinstance(a, float) and isinstance(b, float) and abs(a - b) < 1e-9 * max(1, abs(a)))
                    if not same:
                        col = form.column(f)
                        diffs.append((col.header, _fmt(a, col), _fmt(b, col)))
                if diffs:
                    change.replaced.append((r["_label"], before.get("receipt_id") or "", diffs))
                else:
                    change.unchanged += 1
            doomed = {tuple(r[k] for k in key): r["_label"] for r in deleting}
            for k, before in old_by_key.items():
                if k in seen:
                    continue
                if action in ("replace", "zero") or k in doomed:
                    change.removed.append((before["_label"], before.get("receipt_id") or ""))
                else:
                    change.kept += 1
            for k in [k for k in doomed if k not in old_by_key]:
                if warn:
                    warn(f"要删除的“{doomed[k]}”在已发布的数据中不存在，这一行不起作用")
            out.append(change)
    return out


def _within(frame: pl.DataFrame, scope: str, pairs: list[tuple]) -> pl.DataFrame:
    """The rows of ``frame`` whose (scope, period) is one of ``pairs``."""
    wanted = pl.DataFrame({"_scope": [str(s) for s, _ in pairs], "_period": [p for _, p in pairs]},
                          schema={"_scope": pl.String, "_period": pl.String})
    return frame.join(wanted, how="semi", left_on=[pl.col(scope).cast(pl.String), "cov_period"],
                      right_on=["_scope", "_period"])


def _groups(frame: pl.DataFrame | None, scope: str) -> dict[tuple, list[dict]]:
    """A table's rows by (scope, period), read once."""
    groups: dict[tuple, list[dict]] = {}
    if frame is not None and not frame.is_empty():
        for r in frame.iter_rows(named=True):
            groups.setdefault((r[scope], r["cov_period"]), []).append(r)
    return groups


def lines(changes_: list[Change], catalog: Catalog | None = None, detail: int = 20) -> list[str]:
    """The preview as text lines (the command line prints them; the page shows the same)."""
    catalog = catalog or current()
    out = []
    for c in changes_:
        form = catalog.forms[c.form]
        scope = catalog.scope_name(c.scope)
        out.append(f"{c.form} {form.title} · {scope} · {c.period}（{ACTION_TEXT[c.action]}）：{c.counts()}")
        for label in c.added[:detail]:
            out.append(f"    + 新增 {label}")
        for label, rid, diffs in c.replaced[:detail]:
            what = "；".join(f"{h}：{a} → {b}" for h, a, b in diffs)
            out.append(f"    ~ 替换 {label}（原数据来自回执{rid}）：{what}")
        for label, rid in c.removed[:detail]:
            out.append(f"    - 删除 {label}（原数据来自回执{rid}）")
        hidden = max(0, len(c.added) - detail) + max(0, len(c.replaced) - detail) + max(0, len(c.removed) - detail)
        if hidden:
            out.append(f"    ……另有{hidden}行变动未逐条列出")
    return out
