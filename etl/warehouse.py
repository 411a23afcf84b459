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

SQL_DIR = Path(__file__).with_name("sql")
FORMS = ("F1", "F2", "F3", "F4", "F5", "F6")
SQL_TYPES = {"money": "DOUBLE", "area": "DOUBLE", "integer": "BIGINT", "year": "BIGINT", "date": "DATE", "yesno": "BOOLEAN"}
CATALOG_TABLES = {
    "regions": "region_code VARCHAR, name VARCHAR, level VARCHAR, aliases VARCHAR, in_city_sum BOOLEAN, sort_order INTEGER",
    "indicators": "code VARCHAR, name VARCHAR, short_name VARCHAR, unit VARCHAR, decimals INTEGER, city_method VARCHAR, "
    "definition VARCHAR, source_form VARCHAR, clause VARCHAR, sort_order INTEGER",
    "stages": "stage INTEGER, name VARCHAR",
    "targets": "target_id VARCHAR, indicator VARCHAR, deadline INTEGER, comparator VARCHAR, target_value DOUBLE, "
    "target_text VARCHAR, clause VARCHAR, clause_text VARCHAR, note VARCHAR",
    "aims": None,
    "tasks": None,
    "subsidies": None,
    "fiscal_commitments": None,
    "joint_meeting_units": None,
}


def _row_schema(catalog: Catalog, code: str) -> str:
    form = catalog.forms[code]
    cols = ["_row BIGINT"] + [f'"{c.field}" {SQL_TYPES.get(c.type, "VARCHAR")}' for c in form.columns]
    cols += ["_sheet VARCHAR", "cov_period VARCHAR"]
    if code == "F4":
        cols.append("year BIGINT")
    return ", ".join(cols)


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
        "CREATE TABLE receipts (receipt_id VARCHAR, seq INTEGER, received_at TIMESTAMP, file VARCHAR, stored_as VARCHAR, "
        "sha256 VARCHAR, size BIGINT, channel VARCHAR, simulated BOOLEAN, status VARCHAR, forms VARCHAR, regions VARCHAR[], "
        "periods VARCHAR[], rows BIGINT, errors INTEGER, warnings INTEGER)"
    )
    con.execute("CREATE TABLE receipt_coverage (receipt_id VARCHAR, seq INTEGER, form VARCHAR, region_code VARCHAR, period VARCHAR)")
    con.execute(
        "CREATE TABLE receipt_messages (receipt_id VARCHAR, position INTEGER, level VARCHAR, file VARCHAR, sheet VARCHAR, "
        '"row" INTEGER, "column" VARCHAR, value VARCHAR, text VARCHAR)'
    )
    _insert(
        con,
        "receipts",
        [
            (r["id"], r["seq"], r["received_at"][:19], r["file"], r["stored_as"], r["sha256"], r["size"], r["channel"],
             r["simulated"], r["status"], "、".join(r["forms"]), r["regions"], r["periods"], r["rows"], r["errors"], r["warnings"])
            for r in receipts
        ],
    )
    _insert(
        con,
        "receipt_coverage",
        [(r["id"], r["seq"], form, reg, per) for r in receipts for form, f in r["forms"].items() for reg, per in f["coverage"]],
    )
    _insert(
        con,
        "receipt_messages",
        [(r["id"], i, m["level"], m["file"], m["sheet"], m["row"], m["column"], m["value"], m["text"])
         for r in receipts for i, m in enumerate(r["messages"])],
    )
    for code in FORMS:
        con.execute(f"CREATE TABLE rows_{code.lower()} ({_row_schema(catalog, code)}, receipt_id VARCHAR, receipt_seq INTEGER)")
        files = [(r, Path(r["folder"]) / f"{code}.parquet") for r in receipts if r["status"] == store.ACCEPTED]
        for r, path in files:
            if path.exists():
                con.execute(
                    f"INSERT INTO rows_{code.lower()} BY NAME SELECT *, ? AS receipt_id, ? AS receipt_seq FROM read_parquet(?)",
                    [r["id"], r["seq"], str(path)],
                )


def build_steps() -> list:
    return ["catalog", "receipts", *sorted(SQL_DIR.glob("*.sql")), "publish"]


def build(progress=None) -> Path:
    """Make a new warehouse from the catalog and every kept file, and publish it. Returns its path."""
    catalog = current()
    target = warehouse_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".warehouse-{os.getpid()}-{uuid.uuid4().hex[:8]}.duckdb")
    receipts = store.receipts()
    steps = build_steps()
    try:
        con = duckdb.connect(str(tmp))
        try:
            for step in steps:
                if progress:
                    progress(step)
                if step == "catalog":
                    _load_catalog(con, catalog)
                elif step == "receipts":
                    _load_receipts(con, catalog, receipts)
                elif isinstance(step, Path):
                    con.execute(step.read_text(encoding="utf-8"))
            accepted = [r for r in receipts if r["status"] == store.ACCEPTED]
            con.execute(
                "CREATE TABLE warehouse_info AS SELECT (SELECT as_of_year FROM as_of) AS as_of_year, ?::TIMESTAMP AS built_at, "
                "? AS simulated, ? AS accepted_files, ? AS rejected_files",  # no server path: the SQL console shows it
                [dt.datetime.now().isoformat(timespec="seconds"), any(r["simulated"] for r in accepted), len(accepted),
                 len(receipts) - len(accepted)],
            )
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            if leftover.exists():
                leftover.unlink()
    return target


def summary(path: Path | None = None) -> dict:
    """as-of year, build time and counts of the served warehouse (for `status`)."""
    con = duckdb.connect(str(path or warehouse_path()), read_only=True)
    try:
        row = con.sql("SELECT * FROM warehouse_info").fetchall()[0]
        cols = [d[0] for d in con.sql("SELECT * FROM warehouse_info").description]
        return dict(zip(cols, row, strict=True)) | {"json": json.dumps}
    finally:
        con.close()
