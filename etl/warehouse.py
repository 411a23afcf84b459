"""Build the warehouse: a new DuckDB file from the catalog and the kept files, swapped in atomically.

A reader holding the served file open is never blocked and never sees half a load: the new file is
written beside it and ``os.replace``d over it (stack.md: DuckDB's file locks).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from pathlib import Path

import duckdb
import polars as pl

from etl import store
from etl.catalog import Catalog, current
from etl.config import catalog_dir, warehouse_path
from etl.report.facts import Warehouse

SQL_DIR = Path(__file__).with_name("sql")
SQL_TYPES = {"money": "DOUBLE", "area": "DOUBLE", "integer": "BIGINT", "year": "BIGINT", "date": "DATE", "yesno": "BOOLEAN"}
CATALOG_TABLES = {
    "regions": "region_code VARCHAR, name VARCHAR, level VARCHAR, aliases VARCHAR, in_city_sum BOOLEAN, sort_order INTEGER",
    "indicators": "code VARCHAR, name VARCHAR, short_name VARCHAR, unit VARCHAR, decimals INTEGER, city_method VARCHAR, "
    "definition VARCHAR, source_form VARCHAR, clause VARCHAR, sort_order INTEGER",
    "stages": "stage INTEGER, name VARCHAR",
    "targets": "target_id VARCHAR, indicator VARCHAR, deadline INTEGER, comparator VARCHAR, target_value DOUBLE, "
    "target_text VARCHAR, clause VARCHAR, clause_text VARCHAR, note VARCHAR",
    "aims": None,
    "quantitative_aims": "aim_id VARCHAR, indicator VARCHAR, deadline INTEGER, comparator VARCHAR, target_value DOUBLE, "
    "target_text VARCHAR, clause VARCHAR, clause_text VARCHAR, note VARCHAR",
    "tasks": None,
    "subsidies": None,
    "fiscal_commitments": None,
    "joint_meeting_units": None,
}


def _row_schema(form) -> str:
    """rows_fN: every column of the form as declared, where it was in the file, the period it speaks for,
    and the receipt it came from (``publish_seq``: the order in which receipts were published)."""
    cols = ["_row BIGINT"] + [f'"{c.field}" {SQL_TYPES.get(c.type, "VARCHAR")}' for c in form.columns]
    cols += ["_sheet VARCHAR", "cov_period VARCHAR"]
    if ":year" in form.period and not form.has("year"):
        cols.append("year BIGINT")
    return ", ".join(cols + ["receipt_id VARCHAR", "receipt_seq INTEGER", "publish_seq INTEGER"])


def current_sql(form) -> str:
    """current_fN: the rows that stand now. Of the rows with the same key the last published wins; a row
    whose last version deletes it (操作 = 删除) is gone; so is every row of a scope and period that a later
    file replaced as a whole (a snapshot form such as F1, 全量替换, 零报告)."""
    f = form.code.lower()
    key = ", ".join(f'"{k}"' for k in form.key)
    deleted = "\n  AND coalesce(r.op, '') <> '删除'" if form.has("op") else ""
    return f"""
CREATE TABLE current_{f} AS
WITH latest AS (SELECT * FROM rows_{f} QUALIFY publish_seq = max(publish_seq) OVER (PARTITION BY {key}))
SELECT r.* FROM latest r
WHERE NOT EXISTS (
    SELECT 1 FROM receipt_coverage c
    WHERE c.form = '{form.code}' AND c.action IN ('replace', 'zero') AND c.scope = r."{form.scope}"
      AND c.period = r.cov_period AND c.publish_seq > r.publish_seq){deleted};
"""


def _load_catalog(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    folder = catalog_dir()
    for name, schema in CATALOG_TABLES.items():
        path = folder / f"{name}.csv"
        if schema:
            cols = ", ".join(f"'{c.split()[0]}': '{c.split()[1]}'" for c in schema.split(", "))
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv(?, header = true, columns = {{{cols}}})", [str(path)])
        else:
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv(?, header = true, all_varchar = true)", [str(path)])
    con.execute("ALTER TABLE targets ADD COLUMN sort_order INTEGER")
    con.execute("UPDATE targets SET sort_order = rowid")
    rows = [
        (f.code, f.title, f.grain, i + 1, c.name, c.header, c.field, c.type, c.unit, c.required, "、".join(c.choices), c.help)
        for f in catalog.forms.values()
        for i, c in enumerate(f.columns)
    ]
    con.execute(
        "CREATE TABLE form_columns (form VARCHAR, form_title VARCHAR, grain VARCHAR, position INTEGER, name VARCHAR, "
        "header VARCHAR, field VARCHAR, type VARCHAR, unit VARCHAR, required BOOLEAN, choices VARCHAR, help VARCHAR)"
    )
    _insert(con, "form_columns", rows)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Bulk insert through a polars frame (executemany is row by row: minutes for 10⁵ rows)."""
    if not rows:
        return
    names = [d[0] for d in con.sql(f"SELECT * FROM {table} LIMIT 0").description]
    frame = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)  # noqa: F841 - read by DuckDB
    con.execute(f"INSERT INTO {table} SELECT * FROM frame")


def _load_receipts(con: duckdb.DuckDBPyConnection, catalog: Catalog, receipts: list[dict]) -> None:
    con.execute(
        "CREATE TABLE receipts (receipt_id VARCHAR, seq INTEGER, received_at TIMESTAMP, submitted_on DATE, file VARCHAR, "
        "stored_as VARCHAR, sha256 VARCHAR, size BIGINT, channel VARCHAR, simulated BOOLEAN, status VARCHAR, "
        "submitted_by VARCHAR, role VARCHAR, unit VARCHAR, forms VARCHAR, regions VARCHAR[], periods VARCHAR[], rows BIGINT, "
        "errors INTEGER, warnings INTEGER, publish_seq INTEGER, decided_by VARCHAR, decided_role VARCHAR, "
        "decided_at TIMESTAMP, reason VARCHAR)"
    )
    con.execute("CREATE TABLE receipt_coverage (receipt_id VARCHAR, seq INTEGER, form VARCHAR, region_code VARCHAR, "
                "period VARCHAR, scope VARCHAR, action VARCHAR, publish_seq INTEGER)")
    con.execute(
        "CREATE TABLE receipt_messages (receipt_id VARCHAR, position INTEGER, level VARCHAR, file VARCHAR, sheet VARCHAR, "
        '"row" INTEGER, "column" VARCHAR, value VARCHAR, text VARCHAR)'
    )
    _insert(con, "receipts", [
        (r["id"], r["seq"], r["received_at"][:19], r["submitted_on"], r["file"], r["stored_as"], r["sha256"], r["size"],
         r["channel"], r["simulated"], r["status"], r["user"], r["role"], r["unit"], "、".join(r["forms"]), r["regions"],
         r["periods"], r["rows"], r["errors"], r["warnings"], r["publish_seq"], r["decided_by"], r["decided_role"],
         (r["decided_at"] or "")[:19] or None, r["reason"])
        for r in receipts])
    _insert(con, "receipt_coverage", [
        (r["id"], r["seq"], form, scope if scope in catalog.regions else None, period, scope, action, r["publish_seq"])
        for r in receipts for form, f in r["forms"].items() for scope, period, action in f["coverage"]
        if r["status"] == store.ACCEPTED])
    con.execute("CREATE TABLE pending_coverage (receipt_id VARCHAR, form VARCHAR, region_code VARCHAR, period VARCHAR, "
                "action VARCHAR)")
    _insert(con, "pending_coverage", [
        (r["id"], form, scope if scope in catalog.regions else None, period, action)
        for r in receipts if r["status"] == store.PENDING
        for form, f in r["forms"].items() for scope, period, action in f["coverage"]])
    con.execute("CREATE TABLE form_calendar (form VARCHAR, every VARCHAR, due_days INTEGER, since INTEGER)")
    _insert(con, "form_calendar", [(f.code, f.calendar["every"], f.calendar["due_days"], f.calendar.get("since"))
                                   for f in catalog.forms.values() if f.calendar])
    con.execute("CREATE TABLE calendar_today AS SELECT ?::DATE AS today", [calendar_today().isoformat()])
    con.execute("CREATE TABLE forms_declared (form VARCHAR, title VARCHAR, scope VARCHAR, period VARCHAR, mode VARCHAR, "
                "event_only BOOLEAN)")
    _insert(con, "forms_declared", [(f.code, f.title, f.scope, f.period, f.mode, f.event_only) for f in catalog.forms.values()])
    _insert(con, "receipt_messages", store.all_messages())
    accepted = sorted((r for r in receipts if r["status"] == store.ACCEPTED), key=lambda r: r["publish_seq"])
    for form in catalog.forms.values():
        table = f"rows_{form.code.lower()}"
        con.execute(f"CREATE TABLE {table} ({_row_schema(form)})")
        for r in accepted:
            path = Path(r["folder"]) / f"{form.code}.parquet"
            if path.exists():
                con.execute(
                    f"INSERT INTO {table} BY NAME SELECT *, ? AS receipt_id, ? AS receipt_seq, ? AS publish_seq "
                    "FROM read_parquet(?)", [r["id"], r["seq"], r["publish_seq"], str(path)])
        con.execute(current_sql(form))
    con.execute("CREATE TABLE current_scopes AS " + " UNION ".join(
        f"SELECT DISTINCT '{f.code}' AS form, receipt_id, \"{f.scope}\" AS scope, cov_period AS period "
        f"FROM current_{f.code.lower()}" for f in catalog.forms.values()))


def calendar_today() -> dt.date:
    """The day the reporting calendar is judged at: today, or ``ECMON_TODAY`` (YYYY-MM-DD) for a back-dated view."""
    text = os.environ.get("ECMON_TODAY")
    return dt.date.fromisoformat(text) if text else dt.date.today()


def build_steps() -> list:
    return ["catalog", "receipts", *sorted(SQL_DIR.glob("*.sql")), "publish"]


def build(progress=None, actor: store.Actor | None = None) -> Path:
    """Make a new warehouse from the catalog and every published file, and serve it. Returns its path.
    Holds the writer's lock: a load or an approval never runs beside it."""
    with store.writing():
        return _build(progress, actor)


def _build(progress, actor) -> Path:
    catalog = current()
    target = warehouse_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".warehouse-{os.getpid()}-{uuid.uuid4().hex[:8]}.duckdb")
    version = store.version()
    receipts = store.receipts()
    accepted = [r for r in receipts if r["status"] == store.ACCEPTED]
    try:
        con = duckdb.connect(str(tmp))
        try:
            for step in build_steps():
                if progress:
                    progress(step)
                if step == "catalog":
                    _load_catalog(con, catalog)
                elif step == "receipts":
                    _load_receipts(con, catalog, receipts)
                elif isinstance(step, Path):
                    con.execute(step.read_text(encoding="utf-8"))
            last_built = int(store.meta("built_publish_seq") or 0)
            store.record_published(
                con.sql("SELECT target_id, actual, actual_period FROM target_progress_detail "
                        "WHERE deadline <= as_of_year").fetchall(),
                actor, [r["id"] for r in accepted if r["publish_seq"] > last_built])
            _insert_frame(con, "target_corrections", store.corrections(), CORRECTIONS)
            con.execute(
                "CREATE TABLE warehouse_info AS SELECT (SELECT as_of_year FROM as_of) AS as_of_year, "
                "(SELECT as_of_period FROM as_of) AS as_of_period, ?::TIMESTAMP AS built_at, "
                "? AS simulated, ? AS accepted_files, ? AS rejected_files, ? AS pending_files, ? AS state_version",
                # no server path here: the SQL console shows this table
                [dt.datetime.now().isoformat(timespec="seconds"), any(r["simulated"] for r in accepted), len(accepted),
                 sum(r["status"] == store.REJECTED for r in receipts), sum(r["status"] == store.PENDING for r in receipts),
                 version],
            )
            con.execute("CHECKPOINT")
        finally:
            con.close()
        store.fault("building")
        os.replace(tmp, target)
        store.set_meta("built_publish_seq", max((r["publish_seq"] for r in accepted), default=0))
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            if leftover.exists():
                leftover.unlink()
    return target


CORRECTIONS = ("id BIGINT, \"at\" TIMESTAMPTZ, \"user\" VARCHAR, role VARCHAR, target_id VARCHAR, old_actual DOUBLE, "
               "old_period VARCHAR, new_actual DOUBLE, new_period VARCHAR, receipts VARCHAR")


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], schema: str) -> None:
    con.execute(f"CREATE TABLE {table} ({schema})")
    _insert(con, table, [tuple(r.values()) for r in rows])


def published_version(path: Path | None = None) -> int | None:
    """The store version the served warehouse was built from (None: no warehouse, or an unreadable one)."""
    path = path or warehouse_path()
    if not path.exists():
        return None
    try:
        return Warehouse(path).q("SELECT state_version FROM warehouse_info").item()
    except duckdb.Error:
        return None


def summary(path: Path | None = None) -> dict:
    """as-of year, build time and counts of the served warehouse (for `status`)."""
    con = duckdb.connect(str(path or warehouse_path()), read_only=True)
    try:
        row = con.sql("SELECT * FROM warehouse_info").fetchall()[0]
        cols = [d[0] for d in con.sql("SELECT * FROM warehouse_info").description]
        return dict(zip(cols, row, strict=True)) | {"json": json.dumps}
    finally:
        con.close()
