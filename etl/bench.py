"""Benchmark of the ETL at scale (a measurement, not a test).

    uv run python -m etl.bench [--regions 2000] [--years 10] [--f2-rows 1000000] [--xlsx-rows 50000]
                               [--out /tmp/ecmon-bench] [--profile]

What it does
  1. A synthetic catalog (``--out/catalog``): data/catalog/* copied, regions.csv extended with
     ``--regions`` synthetic county-level regions (codes 9xxxxx, names 示例县0001 …). They are written
     with ``in_city_sum = false``, so the real city's sums (the six real counties) do not change; the
     warehouse still computes every synthetic region's own values. ``ECMON_CATALOG`` points at it and
     ``ECMON_HOME`` at an emptied ``--out/home``.
  2. Input files in the real form layout (headers exactly as the blank templates print them, a title
     row and a unit row above the header, a 合计 row and a 填报说明 row below the data):
       F1: every region except the city × ``--years`` × 12 months of year-to-date figures, one CSV per
           year; odd years GBK-encoded with thousands separators and periods written 2015年1-3月, even
           years UTF-8 (with BOM) and periods written 2015-03; regions by name or by code.
       F2: ``--f2-rows`` rows, the same enterprises every year (valid GB 32100-2015 check characters),
           one CSV per year (in batches of 50,000 rows, below the reader's 100,000; odd years GBK), except ``--xlsx-rows`` rows of the last year (whole
           regions) that go into one .xlsx workbook, to measure Excel reading.
     Beside them, the same rows as plain UTF-8 CSV (header only, plain numbers) for DuckDB.
  3. Every measured step runs in a fresh process (multiprocessing "spawn"), so the peak resident
     memory belongs to that step alone (VmHWM, the kernel's high-water mark behind ``ru_maxrss``: see
     ``peak_mb``); the idle figure (interpreter and imports) is shown too. Wall time excludes start-up and imports.
       check      etl.pipeline.check over all input files (per-file times give F1 / F2 CSV / xlsx)
       xlsx       etl.pipeline.check of the workbook alone
       load       etl.pipeline.load of all files into the empty home (check + keep + build, split)
       build      etl.warehouse.build again from everything kept (split by build step)
       the limit  DuckDB reading the plain CSVs: ``SELECT count(*) FROM read_csv(…)`` and
                  ``CREATE TABLE … AS SELECT * FROM read_csv(…)`` into a fresh database file
  4. A table of the figures (also written to ``--out/bench.md``) with the machine and the row counts.

``--profile`` also runs cProfile over the check of one F1 and one F2 CSV file and writes the top
functions to ``--out/profile.txt``.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import multiprocessing as mp
import os
import platform
import pstats
import resource
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from etl.config import REPO

REAL_CATALOG = REPO / "data" / "catalog"
SYNTHETIC_CODE_BASE = 900000
FILE_ROWS = 50_000  # F2 rows per CSV file: below the reader's limit of 100,000 rows a file


# ---------------------------------------------------------------------------------------------------
# what was generated


@dataclass
class InputFile:
    path: Path
    form: str  # F1 | F2
    kind: str  # csv | xlsx
    rows: int
    encoding: str


@dataclass
class Inputs:
    files: list[InputFile] = field(default_factory=list)
    plain: dict[str, Path] = field(default_factory=dict)  # form → plain UTF-8 CSV of the same rows
    regions: int = 0
    synthetic_regions: int = 0

    def rows(self, form: str | None = None, kind: str | None = None) -> int:
        return sum(f.rows for f in self.select(form, kind))

    def select(self, form: str | None = None, kind: str | None = None) -> list[InputFile]:
        return [f for f in self.files if (form is None or f.form == form) and (kind is None or f.kind == kind)]


# ---------------------------------------------------------------------------------------------------
# 1. the synthetic catalog


def make_catalog(folder: Path, synthetic: int) -> list[dict[str, str]]:
    """Copy the real catalog and add synthetic counties to regions.csv; return all regions."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(REAL_CATALOG, folder)
    with (REAL_CATALOG / "regions.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        columns = list(reader.fieldnames or [])
        regions = list(reader)
    last = max(int(r["sort_order"]) for r in regions)
    for i in range(1, synthetic + 1):
        regions.append({
            "region_code": str(SYNTHETIC_CODE_BASE + i), "name": f"示例县{i:04d}", "level": "county",
            "aliases": "", "in_city_sum": "false", "sort_order": str(last + i),
        })
    with (folder / "regions.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(regions)
    return regions


# ---------------------------------------------------------------------------------------------------
# 2. synthetic input files


def noise(index: pl.Expr, seed: int) -> pl.Expr:
    """A deterministic pseudo-random number in [0, 1) from an integer column."""
    return (index.hash(seed) % 1_000_003).cast(pl.Float64) / 1_000_003


def thousands(series: pl.Series) -> pl.Series:
    """Numbers as people type them in Excel: 12,345.6 (blank stays blank)."""
    cells = [None if v is None else f"{v:,.2f}".rstrip("0").rstrip(".") for v in series.to_list()]
    return pl.Series(series.name, cells, dtype=pl.String)


def csv_line(cells: list[str], width: int) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(cells + [""] * (width - len(cells)))
    return buf.getvalue()


def write_form_csv(path: Path, title: str, headers: list[str], body: pl.DataFrame, tail: list[list[str]], gbk: bool) -> None:
    """Title row, unit row, the header as the template prints it, the rows, then total/note rows."""
    width = len(headers)
    text = csv_line([title], width) + csv_line(["单位：万元"], width)
    text += body.rename(dict(zip(body.columns, headers, strict=True))).write_csv(line_terminator="\r\n")
    text += "".join(csv_line(row, width) for row in tail)
    path.write_bytes(text.encode("gbk") if gbk else text.encode("utf-8-sig"))


def region_cell(ri: pl.Expr) -> pl.Expr:
    """Regions by name in even rows, by code in odd ones (both are allowed)."""
    return pl.when(ri % 2 == 0).then(pl.col("name")).otherwise(pl.col("code"))


def f1_year(regions: pl.DataFrame, year: int, first_year: int) -> pl.DataFrame:
    """F1 rows for one year: every region × 12 months, year-to-date amounts with steady growth.

    ``in_sum`` (not written) marks the counties that a 合计 row adds up."""
    ri = pl.col("ri")
    months = pl.DataFrame({"month": list(range(1, 13))})
    annual = (5_000 + 95_000 * noise(ri, 1)) * 1.08 ** (year - first_year) * (1 + 0.04 * (noise(ri * 100 + year, 2) - 0.5))
    retail = (annual * pl.col("month") / 12).round(1)
    online = (retail * (0.1 + 0.2 * noise(ri, 3))).round(1)
    rural = (online * (0.2 + 0.3 * noise(ri, 4))).round(1)
    if year % 2:
        period = pl.when(pl.col("month") == 1).then(pl.lit(f"{year}年1月")).otherwise(pl.format(f"{year}年1-{{}}月", pl.col("month")))
    else:
        period = pl.format(f"{year}-{{}}", pl.col("month").cast(pl.String).str.zfill(2))
    blank_rural = noise(ri * 13 + pl.col("month"), 5) < 0.1
    return regions.join(months, how="cross").select(
        region_cell(ri).alias("region"),
        period.alias("period"),
        retail.alias("retail_total"),
        online.alias("online_retail"),
        pl.when(blank_rural).then(None).otherwise(rural).alias("rural_online_retail"),
        pl.col("in_sum"),
    )


def f1_tail(frame: pl.DataFrame) -> list[list[str]]:
    """A 合计 row for December (the sum of the counties, as the city's clerk adds it) and a note row."""
    december = frame.filter(pl.col("in_sum") & (pl.col("period").str.ends_with("12") | pl.col("period").str.ends_with("12月")))
    sums = [f"{december[c].sum():.1f}" for c in ("retail_total", "online_retail", "rural_online_retail")]
    return [["合计", december["period"][0], *sums], [], ["填报说明：数据为年初至期末累计数，单位万元。"]]


def uscc_codes(count: int) -> list[str]:
    """Valid 统一社会信用代码: 9 1 (enterprise) 441600 MA + 7 base-31 digits + check character."""
    from etl.values import USCC_CHARS, uscc_check_char

    codes = []
    for i in range(count):
        digits, n = [], i
        for _ in range(7):
            n, r = divmod(n, 31)
            digits.append(USCC_CHARS[r])
        first17 = "91441600MA" + "".join(reversed(digits))
        codes.append(first17 + uscc_check_char(first17))
    return codes


CATEGORIES = ((0.03, "平台型电商企业"), (0.05, "跨境电商平台"), (0.20, "规上工业企业"), (0.45, "限上商贸企业"),
              (0.85, "小微电商企业"))
MODES = ("B2B", "B2C", "B2B、B2C", "O2O", "B2C，O2O")
DATE_FORMATS = ("{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}年{m}月{d}日")


def f2_year(enterprises: pl.DataFrame, year: int) -> pl.DataFrame:
    """F2 rows for one year: every enterprise once (columns as text, in template order)."""
    i = pl.col("i")
    u = noise(i, 10)
    category = pl.when(u < CATEGORIES[0][0]).then(pl.lit(CATEGORIES[0][1]))
    for limit, name in CATEGORIES[1:]:
        category = category.when(u < limit).then(pl.lit(name))
    category = category.otherwise(pl.lit("其他电商企业"))
    platform_like = u < CATEGORIES[1][0]
    money = lambda seed, scale, blank: (  # noqa: E731
        pl.when(noise(i * 31 + year, seed) < blank).then(None).otherwise((scale * noise(i * 17 + year, seed + 50) ** 3).round(2)))
    listed = noise(i, 20) < 0.01
    listing = pl.format("{}", (year - (noise(i, 21) * 3).cast(pl.Int64)).clip(2000, year))
    date_fmt = [pl.format(f.replace("{y}", "{}").replace("{m:02d}", "08").replace("{m}", "8").replace("{d:02d}", "15")
                          .replace("{d}", "15"), listing) for f in DATE_FORMATS]
    date_expr = pl.when(noise(i, 22) < 0.25).then(date_fmt[0])
    for k, expr in enumerate(date_fmt[1:], start=2):
        date_expr = date_expr.when(noise(i, 22) < k * 0.25).then(expr)
    pav = noise(i * 7 + year, 23)
    return enterprises.select(
        pl.lit(str(year) if year % 2 == 0 else f"{year}年").alias("year"),
        pl.format("示例{}电子商务有限公司", i.cast(pl.String).str.zfill(6)).alias("name"),
        pl.col("uscc"),
        region_cell(pl.col("ri")).alias("region"),
        category.alias("category"),
        pl.when(platform_like).then((i % len(MODES)).replace_strict(dict(enumerate(MODES)), return_dtype=pl.String))
        .alias("platform_modes"),
        pl.when((u < CATEGORIES[0][0]) & (noise(i, 11) < 0.3)).then(pl.lit("是")).otherwise(pl.lit("否")).alias("is_recognised_platform"),
        money(12, 20_000.0, 0.05).alias("online_sales"),
        pl.when(platform_like).then((noise(i * 5 + year, 13) * 900).cast(pl.Int64)).alias("local_merchants"),
        money(14, 200.0, 0.6).alias("loan_interest"),
        money(15, 500.0, 0.5).alias("local_tax_contribution"),
        money(16, 300.0, 0.8).alias("platform_build_cost"),
        money(17, 400.0, 0.7).alias("rd_cost"),
        pl.when(listed).then(date_expr).alias("neeq_listing_date"),
        pl.when(pav < 0.02).then(pl.lit("是")).when(pav < 0.5).then(pl.lit("否")).alias("runs_heyuan_pavilion"),
        pl.lit(None, pl.String).alias("op"),  # 操作 left blank: add or replace the row
    )


def as_typed_text(frame: pl.DataFrame, thousands_sep: bool) -> pl.DataFrame:
    """Number columns as the text of the CSV cell (with thousands separators in GBK files)."""
    numeric = [c for c, t in frame.schema.items() if t.is_numeric()]
    if thousands_sep:
        return frame.with_columns([thousands(frame[c]) for c in numeric if frame[c].dtype == pl.Float64])
    return frame


def write_xlsx(path: Path, form, frame: pl.DataFrame) -> None:
    """The last year's rows of some regions as one workbook: merged title row, header, numbers as numbers."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "default_date_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(f"{form.code}{form.title}")
    ws.merge_range(0, 0, 0, len(form.columns) - 1, f"河源市{form.title}（{frame['year'][0]}年）")
    ws.write_row(1, 0, [c.header for c in form.columns])
    for r, row in enumerate(frame.iter_rows(), start=2):
        ws.write_row(r, 0, row)
    wb.close()


class Writer:
    """Writes the input files of one form and, beside them, the same rows as plain UTF-8 CSV."""

    def __init__(self, inputs: Inputs, form, plain: Path):
        self.inputs, self.form, self.plain_path = inputs, form, plain
        self.plain = plain.open("w", encoding="utf-8", newline="")
        self.plain.write(",".join(c.field for c in form.columns) + "\n")
        inputs.plain[form.code] = plain

    def csv(self, path: Path, title: str, frame: pl.DataFrame, tail: list[list[str]], gbk: bool) -> None:
        headers = [c.header for c in self.form.columns]
        write_form_csv(path, title, headers, as_typed_text(frame, gbk), tail, gbk)
        self.inputs.files.append(InputFile(path, self.form.code, "csv", frame.height, "GBK" if gbk else "UTF-8"))
        self.plain.write(frame.write_csv(include_header=False))

    def xlsx(self, path: Path, frame: pl.DataFrame) -> None:
        write_xlsx(path, self.form, frame.with_columns(pl.col("year").str.replace("年", "").cast(pl.Int64)))
        self.inputs.files.append(InputFile(path, self.form.code, "xlsx", frame.height, "xlsx"))
        self.plain.write(frame.write_csv(include_header=False))

    def close(self) -> None:
        self.plain.close()


def make_inputs(out: Path, regions: list[dict[str, str]], years: int, f2_rows: int, xlsx_rows: int,
                first_year: int = 2015) -> Inputs:
    from etl.catalog import Catalog

    catalog = Catalog(out / "catalog")
    folder, plain = out / "input", out / "plain"
    for d in (folder, plain):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    reporting = [r for r in regions if r["level"] != "city"]
    frame = pl.DataFrame({"ri": range(len(reporting)), "code": [r["region_code"] for r in reporting],
                          "name": [r["name"] for r in reporting],
                          "in_sum": [r["in_city_sum"].lower() == "true" for r in reporting]})
    inputs = Inputs(regions=len(regions), synthetic_regions=sum(r["region_code"].startswith("9") for r in regions))
    last_year = first_year + years - 1

    w = Writer(inputs, catalog.forms["F1"], plain / "F1.csv")
    for year in range(first_year, last_year + 1):
        rows = f1_year(frame, year, first_year)
        title = f"河源市电子商务发展情况统计表（{year}年）"
        w.csv(folder / f"F1_{year}.csv", title, rows.drop("in_sum"), f1_tail(rows), gbk=bool(year % 2))
    w.close()

    per_year = f2_rows // years
    ent = pl.DataFrame({"i": range(per_year), "uscc": uscc_codes(per_year)}).with_columns(
        (pl.col("i") % len(reporting)).alias("ri"))
    ent = ent.join(frame, on="ri")
    in_xlsx = max(0, min(len(reporting), round(xlsx_rows / max(per_year / len(reporting), 1e-9))))
    w = Writer(inputs, catalog.forms["F2"], plain / "F2.csv")
    note = [[], ["填报说明：空白表示未报送，不等于0。"]]
    for year in range(first_year, last_year + 1):
        rows = f2_year(ent, year)
        if year == last_year and in_xlsx:
            w.xlsx(folder / f"F2_{year}_第一批.xlsx", rows.filter(ent["ri"] < in_xlsx))
            rows = rows.filter(ent["ri"] >= in_xlsx)
        # a file holds at most MAX_ROWS rows (etl/reader.py): a big year goes in batches, as a county would send it
        parts = rows.iter_slices(FILE_ROWS)
        for n, part in enumerate(parts, start=1):
            suffix = "" if rows.height <= FILE_ROWS else f"_第{n}批"
            w.csv(folder / f"F2_{year}{suffix}.csv", f"河源市电子商务企业名录（{year}年）", part, note, gbk=bool(year % 2))
    w.close()
    return inputs


# ---------------------------------------------------------------------------------------------------
# 3. the measured steps, each in a fresh process


def peak_mb() -> float:
    """Peak resident memory of this process: VmHWM, else ru_maxrss.

    Linux carries ru_maxrss over exec, so a spawned child's ru_maxrss starts at the parent's size
    (seen here: a child of an 800 MB parent reported 815 MB, VmHWM 16 MB). VmHWM is the same
    high-water mark for this process image alone."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def now() -> tuple[float, float]:
    """(wall, CPU) seconds so far; CPU counts every thread of this process and of its ended children (the
    reader's worker process, etl/guard.py, once ``readers_done`` has ended it), user and system."""
    r, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter(), r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime


def readers_done() -> None:
    """End the reader's worker processes, so their CPU time is counted (a live child's is not)."""
    from etl import guard

    guard._stop_all()


def since(start: tuple[float, float]) -> dict:
    wall, cpu = now()
    return {"seconds": wall - start[0], "cpu": cpu - start[1]}


def in_child(step: str, *args) -> dict:
    """Run ``step(*args)`` in a fresh spawned process; its result, with idle and peak resident memory."""
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(_child, (step, args))


def _child(step: str, args: tuple) -> dict:
    import duckdb  # noqa: F401 - imports first (the lazy ones too), so the idle figure includes them
    import fastexcel  # noqa: F401
    import openpyxl  # noqa: F401

    import etl.pipeline  # noqa: F401
    import etl.warehouse  # noqa: F401

    idle = peak_mb()
    result = STEPS[step](*args)
    return result | {"idle_mb": idle, "peak_mb": peak_mb()}


def _outcome_summary(outcome) -> dict:
    errors = [str(m) for p in outcome.parsed for m in p.problems.errors]
    return {
        "rows": {f: sum(p.tables[f].height for p in outcome.parsed if f in p.tables) for f in ("F1", "F2")},
        "errors": len(errors), "first_errors": errors[:5],
        "warnings": sum(len(p.problems.warnings) for p in outcome.parsed),
        "first_warnings": [str(m) for p in outcome.parsed for m in p.problems.warnings][:3],
    }


def _splits(marks: list[tuple[str, tuple[float, float]]], finish: tuple[float, float]) -> dict[str, dict]:
    """From (name, start) marks to each part's wall and CPU seconds (a part ends where the next begins)."""
    ends = [t for _name, t in marks[1:]] + [finish]
    return {name: {"seconds": e[0] - s[0], "cpu": e[1] - s[1]} for (name, s), e in zip(marks, ends, strict=True)}


def step_check(paths: list[Path]) -> dict:
    """pipeline.check over all files; each file timed from its on_file call to the next one."""
    from etl import pipeline

    marks: list[tuple[str, tuple[float, float]]] = []
    start = now()
    outcome = pipeline.check(paths, on_file=lambda name: marks.append((name, now())))
    finish = now()  # before the worker ends: per-file CPU is this process's own, the last file's too
    readers_done()
    return since(start) | {"per_file": _splits(marks, finish)} | _outcome_summary(outcome)


def step_load(paths: list[Path]) -> dict:
    """pipeline.load with its three parts timed by wrapping check, store.keep and warehouse.build."""
    from etl import pipeline, store, warehouse

    parts = {name: {"seconds": 0.0, "cpu": 0.0} for name in ("check", "keep", "build")}

    def timed(name, fn):
        def run(*a, **kw):
            t = now()
            try:
                return fn(*a, **kw)
            finally:
                if name == "check":
                    readers_done()
                for k, v in since(t).items():
                    parts[name][k] += v
        return run

    pipeline.check = timed("check", pipeline.check)
    store.keep_batch = timed("keep", store.keep_batch)
    warehouse.build = timed("build", warehouse.build)
    start = now()
    outcome = pipeline.load(paths)
    return since(start) | {"parts": parts, "published": outcome.published} | _outcome_summary(outcome) | _home_sizes()


def _home_sizes() -> dict:
    from etl.config import received_dir, warehouse_path

    kept = sum(p.stat().st_size for p in received_dir().rglob("*") if p.is_file())
    return {"kept_bytes": kept, "warehouse_bytes": warehouse_path().stat().st_size if warehouse_path().exists() else 0}


def step_build() -> dict:
    """warehouse.build from everything kept, split by build step; then the row counts it holds."""
    import duckdb

    from etl import warehouse

    marks: list[tuple[str, tuple[float, float]]] = []
    start = now()
    path = warehouse.build(lambda s: marks.append((s.name if isinstance(s, Path) else str(s), now())))
    result = since(start) | {"steps": _splits(marks, now())}
    con = duckdb.connect(str(path), read_only=True)
    try:
        counts = {t: con.sql(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                  for t in ("rows_f1", "rows_f2", "current_f1", "current_f2", "values_all")}
    finally:
        con.close()
    return result | {"counts": counts} | _home_sizes()


def step_duckdb(plain: dict[str, str], db: str) -> dict:
    """The limit: DuckDB reading the same rows from plain UTF-8 CSV (count, then into a fresh file)."""
    import duckdb

    Path(db).unlink(missing_ok=True)
    con = duckdb.connect()
    start = now()
    rows = sum(con.sql("SELECT count(*) FROM read_csv(?)", params=[p]).fetchall()[0][0] for p in plain.values())
    count = since(start)
    con.close()
    con = duckdb.connect(db)
    start = now()
    for form, p in plain.items():
        con.execute(f"CREATE TABLE {form} AS SELECT * FROM read_csv(?)", [p])
    con.execute("CHECKPOINT")
    ctas = since(start)
    con.close()
    return {"rows": rows, "count": count, "ctas": ctas}


def step_profile(paths: list[Path], report: str) -> dict:
    """cProfile over the check of a few files; the top functions by own time and by cumulative time."""
    from etl import pipeline

    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.runcall(pipeline.check, paths)
    seconds = time.perf_counter() - t0
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).strip_dirs()
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(45)
    Path(report).write_text(buf.getvalue(), encoding="utf-8")
    return {"seconds": seconds}


STEPS = {"check": step_check, "load": step_load, "build": step_build, "duckdb": step_duckdb, "profile": step_profile}


# ---------------------------------------------------------------------------------------------------
# 4. the report


def machine() -> dict:
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), 0)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    import duckdb

    return {"nproc": len(os.sched_getaffinity(0)), "memory_gb": mem / 1024**2, "cpu": cpu,
            "python": platform.python_version(), "polars": pl.__version__, "duckdb": duckdb.__version__}


def load_average() -> float:
    return os.getloadavg()[0]


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds > 0 else "—"


def row(step: str, rows: int | None, t: dict, peak: float | None = None, digits: int = 1) -> str:
    """One line of the table: wall seconds, CPU seconds, rows per wall second, peak memory."""
    n = f"{rows:,}" if rows else ""
    speed = rate(rows, t["seconds"]) if rows else ""
    mem = f"{peak:,.0f} MB" if peak else ""
    return f"| {step} | {n} | {t['seconds']:.{digits}f} | {t['cpu']:.{digits}f} | {speed} | {mem} |"


def total(parts: list[dict]) -> dict:
    return {"seconds": sum(p["seconds"] for p in parts), "cpu": sum(p["cpu"] for p in parts)}


def report(inputs: Inputs, r: dict, m: dict, timing: dict, args) -> str:
    f1, f2_csv, xlsx = inputs.rows("F1"), inputs.rows("F2", "csv"), inputs.rows("F2", "xlsx")
    rows = f1 + f2_csv + xlsx
    check, load, build, duck, alone = r["check"], r["load"], r["build"], r["duckdb"], r["xlsx"]
    per = lambda sel: total([check["per_file"][f.path.name] for f in sel])  # noqa: E731
    size = sum(f.path.stat().st_size for f in inputs.files)
    mb = lambda b: f"{b / 1024**2:,.0f} MB"  # noqa: E731
    lines = [
        "## Benchmark: check, load and build at scale",
        "",
        f"Machine: {m['cpu']}, {m['nproc']} cores, {m['memory_gb']:.1f} GB memory; Python {m['python']}, "
        f"polars {m['polars']}, DuckDB {m['duckdb']}. Load average (1 min) before the run {timing['load_start']:.1f}"
        + (" — the machine was busy with other work, so wall times are inflated; CPU seconds are the steadier figure"
           if timing["load_start"] > m["nproc"] / 2 else "") + f"; at the end {timing['load_end']:.1f} (this run included).",
        "",
        f"Input (synthetic, `python -m etl.bench --regions {args.regions} --years {args.years} --f2-rows {args.f2_rows} "
        f"--xlsx-rows {args.xlsx_rows}`): {inputs.regions:,} regions ({inputs.synthetic_regions:,} synthetic counties, "
        f"not in the city sum); F1 {f1:,} monthly rows in {len(inputs.select('F1'))} CSV files; F2 {f2_csv + xlsx:,} rows "
        f"({f2_csv:,} in {len(inputs.select('F2', 'csv'))} CSV files, {xlsx:,} in one .xlsx); half the CSV files GBK with "
        f"thousands separators; {len(inputs.files)} files, {mb(size)}. Every step runs in a fresh process; peak memory = "
        f"its resident high-water mark (VmHWM; idle interpreter with imports: {check['idle_mb']:,.0f} MB); "
        "CPU = user + system seconds of all threads, with the reader's worker process (every file is parsed there, "
        "under memory and time limits: etl/guard.py) in the totals (per-file rows: the step's own process only); "
        "peak memory is the step's process, not the worker's (capped at 1,280 MB by the guard).",
        "",
        "| step | rows | wall s | CPU s | rows/s (wall) | peak memory |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        row("check: F1 CSV", f1, per(inputs.select("F1"))),
        row("check: F2 CSV", f2_csv, per(inputs.select("F2", "csv"))),
        row("check: F2 .xlsx (within the batch)", xlsx, per(inputs.select("F2", "xlsx"))),
        row(f"**check** (all {len(inputs.files)} files)", rows, check, check["peak_mb"]),
        row("check: the .xlsx alone", xlsx, alone, alone["peak_mb"]),
        row("**load** (check + keep + build)", rows, load, load["peak_mb"]),
        row("— of which check", None, load["parts"]["check"]),
        row("— of which keep (file + receipt + parquet)", None, load["parts"]["keep"]),
        row("— of which build", None, load["parts"]["build"]),
        row("**build** (rebuild from kept files)", rows, build, build["peak_mb"]),
        row("DuckDB `count(*) FROM read_csv` (plain UTF-8)", duck["rows"], duck["count"], duck["peak_mb"], 2),
        row("DuckDB `CREATE TABLE AS … read_csv` (fresh file)", duck["rows"], duck["ctas"], None, 2),
        "",
        f"The limit: our load takes **{load['seconds'] / duck['ctas']['seconds']:.0f}×** the wall time of DuckDB's CREATE "
        f"TABLE AS read_csv of the same rows ({load['cpu'] / duck['ctas']['cpu']:.0f}× its CPU time) and "
        f"**{load['seconds'] / duck['count']['seconds']:.0f}×** its count(*); our check alone "
        f"{check['seconds'] / duck['count']['seconds']:.0f}× the count(*) ({check['cpu'] / duck['count']['cpu']:.0f}× in CPU time).",
        "",
        "Build steps, wall/CPU s: " + ", ".join(f"{k} {v['seconds']:.1f}/{v['cpu']:.1f}" for k, v in build["steps"].items()) + ".",
        f"Kept under ECMON_HOME: {mb(build['kept_bytes'])}; warehouse {mb(build['warehouse_bytes'])}; "
        f"rows in the warehouse: " + ", ".join(f"{k} {v:,}" for k, v in build["counts"].items()) + ".",
        f"Messages: {check['errors']} errors, {check['warnings']:,} warnings. Generating the inputs took "
        f"{timing['generate']:.0f} s; the whole benchmark {timing['total']:.0f} s.",
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------


def prepare(out: Path, args) -> Inputs:
    out.mkdir(parents=True, exist_ok=True)
    regions = make_catalog(out / "catalog", args.regions)
    os.environ["ECMON_CATALOG"] = str(out / "catalog")
    home = out / "home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    os.environ["ECMON_HOME"] = str(home)
    return make_inputs(out, regions, args.years, args.f2_rows, args.xlsx_rows)


def run_steps(inputs: Inputs, out: Path, profile: bool) -> dict:
    paths = [f.path for f in inputs.files]
    results = {}
    say("check (all files) …")
    results["check"] = in_child("check", paths)
    if results["check"]["errors"]:
        raise SystemExit("the synthetic input has errors, the figures would mean nothing:\n" + "\n".join(results["check"]["first_errors"]))
    for text in results["check"]["first_warnings"]:
        say(f"  {text}")
    say("check (the .xlsx alone) …")
    results["xlsx"] = in_child("check", [f.path for f in inputs.select("F2", "xlsx")])
    say("load …")
    results["load"] = in_child("load", paths)
    say("build …")
    results["build"] = in_child("build")
    say("DuckDB read_csv …")
    results["duckdb"] = in_child("duckdb", {k: str(v) for k, v in inputs.plain.items()}, str(out / "limit.duckdb"))
    if profile:
        say("profile …")
        sample = [sel[0].path for sel in (inputs.select("F1"), inputs.select("F2", "csv")) if sel]
        in_child("profile", sample, str(out / "profile.txt"))
    return results


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m etl.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--regions", type=int, default=2000, help="synthetic county-level regions (default 2000)")
    p.add_argument("--years", type=int, default=10, help="years of monthly F1 rows and of F2 rows (default 10)")
    p.add_argument("--f2-rows", type=int, default=1_000_000, help="F2 rows in all, .xlsx included (default 1000000)")
    p.add_argument("--xlsx-rows", type=int, default=50_000, help="F2 rows of the last year that go into one .xlsx")
    p.add_argument("--out", type=Path, default=Path("/tmp/ecmon-bench"))
    p.add_argument("--profile", action="store_true", help="also cProfile the check of one F1 and one F2 file")
    args = p.parse_args(argv)
    start, load_start = time.perf_counter(), load_average()
    out = args.out.resolve()
    say(f"generating inputs under {out} …")
    inputs = prepare(out, args)
    generate = time.perf_counter() - start
    results = run_steps(inputs, out, args.profile)
    timing = {"generate": generate, "total": time.perf_counter() - start, "load_start": load_start, "load_end": load_average()}
    text = report(inputs, results, machine(), timing, args)
    (out / "bench.md").write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"written to {out / 'bench.md'}" + (f"; profile in {out / 'profile.txt'}" if args.profile else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
