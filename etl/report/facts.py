"""The facts a joint meeting and an inspection take away, read from the warehouse (no Streamlit here).

Every function takes a *source*: anything with ``q(sql, *params) -> polars.DataFrame`` over the published
warehouse. ``Warehouse(path)`` is the plain one (a fresh read-only connection per query, stack.md); the
dashboard passes its cached reader. The rules are stated once here and quoted by the pages and files:

City level (the policy's 14 targets): ``progress`` is ``progress_at(as_of)``; ``headline``, ``attention``
(需关注) and ``gap`` phrase it.

County level (the targets are city-level; this is the stated county reading, ``COUNTY_RULES``):
  - the targets assessed in year Y are those of the deadline group in force: the first of 2015/2017/2020 not
    before Y (after 2020, the 2020 group);
  - 比率类 (网零占比, 品牌触网率): the county's own value against the same target, on its own path
    应达值 = v2014 + (目标 − v2014) × 已过年数 ÷ 总年数 (v2014 the county's 2014 value, 0 if none);
  - 数量类 (企业、基地、累计培训人次): 应达值 = 本县区2014年值 + 全市序时进度应增量 ÷ 6 (each county owes an
    equal sixth of the growth the city needs, on top of its own base: size is never rewarded);
  - 园区阶段: the county's highest park stage against the city's path stage; a county without a cluster
    park is not assessed on it (the policy asks for the city's park, not one per county);
  - light: 绿 value ≥ 应达值; 黄 ≥ 80% of it (a stage: at most one stage behind); 红 below, or the form
    that carries it was due and not sent (未报送);
  - score = 80 × mean over the assessed targets of min(value ÷ 应达值, 1) + 20 × (due forms sent ÷ due forms);
    a form sent only for part of the year counts one half. Ties share the rank.

Reporting: the warehouse's reporting calendar (``reporting_status``): every county owes each annual form by its
declared due date (F1–F6: 次年3月31日); a county with nothing to report (no training class, no recognition)
sends a 零报告 and has reported. 按时 counts 1 in the reporting rate, 迟报 (sent after the due date) and 部分
(part-year figures only) 0.5, 逾期未报 0; a form not yet due is not counted (``submission_status``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from etl.report.fmt import SIMULATED_MARK, STATUS_ORDER, as_of_label, fmt_period, fmt_value, gap_text

GROUP_TITLES = {2015: "2015年底前", 2017: "2017年底前", 2020: "到2020年"}
FORMS = ("F1", "F2", "F3", "F4", "F5", "F6")
BASE_YEAR = 2014
PROGRESS_WEIGHT, REPORTING_WEIGHT = 80, 20
YELLOW_SHARE = 0.8

STATUS_DONE, STATUS_LATE_SENT, STATUS_PENDING, STATUS_PART, STATUS_LATE, STATUS_NONE = (
    "按时", "迟报", "待审核", "部分", "逾期", "未到期")
MISSING = "未报送"  # a due form was not submitted for that region and year (nor a 零报告)
EMPTY = "无数据"  # the form was submitted, but it gives no value for this indicator (e.g. no park)

GREEN, YELLOW, RED, GREY = "绿", "黄", "红", "灰"
LIGHT_COLORS = {GREEN: "#1E8449", YELLOW: "#D4A017", RED: "#C0392B", GREY: "#95A5A6"}
LIGHT_TEXT = {GREEN: "达到序时进度", YELLOW: "略低于序时进度", RED: "明显滞后", GREY: "不评价"}

ISSUER = "河源市发展电子商务联席会议办公室"
ISSUER_SUB = "河源市商务局"
DEFAULT_MEETING = "河源市发展电子商务联席会议"
POLICY = "《河源市人民政府办公室关于推动河源市电子商务发展的意见》（河府办〔2015〕43号）"
SOURCE_NOTE = ("数据来源：各县区、功能区及市统计局报送的报表（F1–F6），经河源电商发展目标监测系统校验入库后汇总；"
               f"依据{POLICY}。")

COUNTY_RULES = [
    "评价目标：按所评年度所处的目标期（2015、2017、2020年目标中第一个不早于该年度的；2020年以后按2020年目标）。",
    "比率类指标（网络零售占比、品牌触网率）：县区自身数值对照同一目标值，应达值 = 本县区2014年值 + (目标值 − 本县区2014年值)"
    " × (年度 − 2014) ÷ (目标年 − 2014)。",
    "数量类指标（平台型企业、孵化基地、累计培训人次）：应达值 = 本县区2014年值 + 全市序时进度应增量 ÷ 6，"
    "即每个县区承担全市所需增量的六分之一，不以规模大小论先后。",
    "园区建设阶段：县区园区达到的最高阶段对照全市序时进度应达阶段；没有聚集发展园区的县区不评价此项（目标为全市建成园区）。",
    "信号灯：绿 = 达到应达值；黄 = 达到应达值的80%（园区阶段：落后不超过1个阶段）；红 = 低于此，或应报报表未报送。",
    f"得分 = {PROGRESS_WEIGHT} × 各评价目标“实际值 ÷ 应达值”（超过1按1计）的平均 + {REPORTING_WEIGHT} × 报表报送率；"
    "报送率 = 已报送的应报报表 ÷ 应报报表（F1–F6 每年应报，截止日期为次年3月31日；按时报送计1，截止后才报或只报部分期计0.5，"
    "逾期未报计0）。得分相同者名次相同。",
    "当年没有需要报送内容的台账类报表（如没有培训班、没有新认定的示范村），县区报送零报告即为已报送，不计为未报送。",
    "社会消费品零售总额、品牌企业总数等为背景或分母指标，只作参考，不计入排名和得分。",
]


# ---- the source ------------------------------------------------------------------------------------

class Warehouse:
    """Read-only queries on a warehouse file: each query attaches it to a fresh in-memory DuckDB."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(str(self.path))

    def q(self, sql: str, *params) -> pl.DataFrame:
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"ATTACH '{str(self.path).replace(chr(39), chr(39) * 2)}' AS w (READ_ONLY)")
            con.execute("USE w")
            return con.sql(sql, params=list(params)).pl()
        finally:
            con.close()


# ---- city level ------------------------------------------------------------------------------------

def info(src) -> dict:
    return src.q("SELECT * FROM warehouse_info").row(0, named=True)


def years(src) -> list[int]:
    """Years with any data up to the as-of year, oldest first."""
    as_of = info(src)["as_of_year"]
    if not as_of:
        return []
    return src.q("SELECT DISTINCT period_year(period) AS y FROM values_all WHERE period_year(period) <= ? ORDER BY y",
                 as_of)["y"].to_list()


def progress(src, as_of: int) -> pl.DataFrame:
    """target_progress_detail as seen from the end of ``as_of``."""
    return src.q("SELECT * FROM progress_at(?) ORDER BY deadline, sort_order", as_of)


def status_counts(frame: pl.DataFrame) -> dict[str, int]:
    return {s: n for s in STATUS_ORDER if (n := frame.filter(pl.col("status") == s).height)}


def status_counts_text(frame: pl.DataFrame) -> str:
    return "，".join(f"{s}{n}项" for s, n in status_counts(frame).items())


def gap(row: dict) -> str | None:
    """The gap of a target that is behind (未达标 / 滞后), in its unit; None otherwise."""
    if row["status"] in ("未达标", "滞后") and row["gap"]:
        return gap_text(row["gap"], row["unit"])
    return None


def as_of_text(src, as_of: int) -> str:
    """截至2024年底; for the latest year, exactly the period of the latest city value (截至2025年9月)."""
    i = info(src)
    return as_of_label(i) if as_of == i["as_of_year"] else f"截至{as_of}年底"


def headline(prog: pl.DataFrame, as_of: int | str) -> str:
    """``as_of``: a year (截至2016年底) or an as-of text (``as_of_text``)."""
    when = as_of if isinstance(as_of, str) else f"截至{as_of}年底"
    return f"{when}，{prog.height}项目标中：{status_counts_text(prog)}。"


def ahead_line(src) -> str | None:
    """Who has already reported a period after the as-of, without a city value yet (one line under the
    headline: the as-of never moves on one county's part-year figures)."""
    rows = src.q("SELECT period, regions, n_regions FROM as_of_ahead ORDER BY period_t(period) DESC LIMIT 1")
    if rows.is_empty():
        return None
    period, regions, n = rows.row(0)
    return (f"{fmt_period(period)}已有{n}个地区报送（{'、'.join(regions)}），全市数据待六个县区报齐或市统计局报送后形成，"
            "暂不计入")


def corrections(src) -> dict[str, dict]:
    """已更正: the latest correction of each target whose value changed after it was published (target_id →
    when, by whom, the old and the new value)."""
    rows = src.q("SELECT c.*, t.deadline, i.unit, i.decimals FROM target_corrections c JOIN targets t USING (target_id) "
                 "JOIN indicators i ON i.code = t.indicator ORDER BY c.id")
    out = {}
    for r in rows.iter_rows(named=True):
        out[r["target_id"]] = r | {
            "text": f"已更正：{r['at']:%Y-%m-%d %H:%M} 由 {r['user']}（{r['role']}）发布更正，"
                    f"原值 {fmt_value(r['old_actual'], r['unit'], r['decimals'], short=True)}（{fmt_period(r['old_period'])}），"
                    f"现值 {fmt_value(r['new_actual'], r['unit'], r['decimals'], short=True)}"
                    + (f"（回执{r['receipts']}）" if r["receipts"] else "")}
    return out


def attention(prog: pl.DataFrame) -> list[str]:
    """需关注: every target behind, with its deadline, status and gap."""
    out = []
    for r in prog.filter(pl.col("status").is_in(["未达标", "滞后"])).iter_rows(named=True):
        g = gap(r)
        out.append(f"{r['short_name']}（{r['deadline']}年{r['status']}" + (f"，{g}" if g else "") + "）")
    return out


def attention_line(prog: pl.DataFrame) -> str:
    items = attention(prog)
    return "需关注：" + "、".join(items) if items else "需关注：无（全部目标达标或进度正常）"


def group_title(deadline: int) -> str:
    return f"{GROUP_TITLES.get(deadline, f'{deadline}年')}目标"


def ratio_text(row: dict) -> str:
    return f"{row['ratio'] * 100:.0f}%" if row["ratio"] is not None and row["unit"] != "阶段" else "—"


def target_rows(prog: pl.DataFrame) -> list[dict]:
    """Each target as the texts a slide or a page shows (name, actual, period, target, ratio, status, gap)."""
    return [{
        "deadline": r["deadline"], "indicator": r["indicator"], "name": r["indicator_name"], "short_name": r["short_name"],
        "unit": r["unit"], "status": r["status"], "ratio": r["ratio"],
        "actual": fmt_value(r["actual"], r["unit"], short=True), "period": fmt_period(r["actual_period"]),
        "target": "≥" + fmt_value(r["target"], r["unit"], short=True), "ratio_text": ratio_text(r), "gap": gap(r),
    } for r in prog.iter_rows(named=True)]


def data_status(src) -> dict:
    """What the title slide and the bulletin header say about the data."""
    i = info(src)
    return {"as_of": i["as_of_year"], "built_at": i["built_at"], "files": i["accepted_files"],
            "simulated": bool(i["simulated"]), "mark": SIMULATED_MARK if i["simulated"] else None,
            "text": f"数据截至{i['as_of_year'] or '—'}年底；建库时间{i['built_at']:%Y-%m-%d %H:%M}；已入库文件{i['accepted_files']}个"
                    + (f"；{SIMULATED_MARK}" if i["simulated"] else "")}


def definitions(src) -> list[tuple[str, str]]:
    """(name with unit, definition) of every indicator that carries a target, in catalog order."""
    rows = src.q("SELECT name, unit, definition FROM indicators WHERE code IN (SELECT indicator FROM targets) "
                 "ORDER BY sort_order")
    return [(f"{n}（{u}）" if u != "阶段" else n, d) for n, u, d in rows.iter_rows()]


# ---- reporting ---------------------------------------------------------------------------------------
# One reporting rule for the pages, the bulletin and the scores: the warehouse's reporting calendar
# (etl/sql/50_calendar.sql, from each form's declared due date). A county with nothing to report sends a 零报告.

STATUS_TEXT = {STATUS_DONE: "✓", STATUS_LATE_SENT: "迟报", STATUS_PENDING: "待审核", STATUS_LATE: "逾期未报",
               STATUS_NONE: "未到期"}
CALENDAR = {"按时报送": STATUS_DONE, "逾期报送": STATUS_LATE_SENT, "待审核": STATUS_PENDING, "逾期未报": STATUS_LATE,
            "未到期": STATUS_NONE}
SENT_SHARE = {STATUS_DONE: 1.0, STATUS_PENDING: 1.0, STATUS_LATE_SENT: 0.5, STATUS_PART: 0.5, STATUS_LATE: 0.0}


def compared_regions(src) -> pl.DataFrame:
    """The six counties, then the two zones (region_code, name, level, sort_order)."""
    return src.q("SELECT region_code, name, level, sort_order FROM regions WHERE level IN ('county', 'zone') "
                 "ORDER BY sort_order")


def form_titles(src) -> dict[str, str]:
    return dict(src.q("SELECT DISTINCT form, form_title FROM form_columns ORDER BY form").iter_rows())


def submission_status(src, years: list[int] | None = None) -> pl.DataFrame:
    """One row per form, county or zone and year owed: status (按时/迟报/待审核/部分/逾期/未到期), label (text
    for a grid: ✓, 迟报, 零报告, 至9月, 逾期未报 …), due_date, submitted_on, and how many of the six counties
    have sent that form for that year. 部分: only part-year figures (F1), past the due date."""
    status = src.q(
        "WITH part AS (SELECT form, region_code, CAST(period_year(period) AS INTEGER) AS year, "
        "       arg_max(period, period_t(period)) AS latest FROM receipt_coverage WHERE length(period) > 4 GROUP BY ALL) "
        "SELECT s.form, s.region_code, s.region_name, s.level, s.sort_order, s.year, s.status AS calendar, s.due_date, "
        "       s.submitted_on, s.zero_report, p.latest AS latest_period, "
        "       count(*) FILTER (WHERE s.level = 'county' AND s.status IN ('按时报送', '逾期报送')) "
        "           OVER (PARTITION BY s.form, s.year) AS counties_reported "
        "FROM reporting_status s LEFT JOIN part p USING (form, region_code, year) ORDER BY s.form, s.year, s.sort_order")
    if years is not None:
        status = status.filter(pl.col("year").is_in(years))
    rows = []
    for r in status.iter_rows(named=True):
        state = CALENDAR[r["calendar"]]
        if state == STATUS_LATE and r["latest_period"]:
            state, label = STATUS_PART, f"至{fmt_period(r['latest_period'])[5:]}"
        elif r["zero_report"]:
            label = "零报告" + ("（迟报）" if state == STATUS_LATE_SENT else "")
        else:
            label = STATUS_TEXT[state]
        rows.append({**r, "status": state, "label": label})
    schema = {"form": pl.String, "region_code": pl.String, "region_name": pl.String, "level": pl.String,
              "sort_order": pl.Int64, "year": pl.Int64, "calendar": pl.String, "due_date": pl.Date,
              "submitted_on": pl.Date, "zero_report": pl.Boolean, "latest_period": pl.String,
              "counties_reported": pl.Int64, "status": pl.String, "label": pl.String}
    return pl.DataFrame(rows, schema=schema).drop("calendar")


# ---- county comparison (one year, every indicator) ------------------------------------------------------

def year_values(src, year: int) -> pl.DataFrame:
    return src.q("SELECT indicator, region_code, value, source, method FROM indicator_values_detail "
                 "WHERE is_annual AND year = ?", year)


def target_indicators(src) -> list[str]:
    """Indicators that carry a target of the policy (role: target); every other one is context."""
    return src.q("SELECT code FROM indicators WHERE code IN (SELECT indicator FROM targets) ORDER BY sort_order")["code"].to_list()


def comparison(values: pl.DataFrame, indicators: pl.DataFrame, regions: pl.DataFrame,
               status: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every (region, indicator) of one year for the counties and zones, plus the city.

    ``values``: indicator, region_code, value[, method]; ``status``: submission_status rows of that year (to
    say why a value is missing). Out: region_code, region_name, level (county/zone/city), sort_order,
    indicator, short_name, name, unit, decimals, indicator_order, value, method, rank (counties only; higher
    is better; ties share the better rank), ranked, missing (None, 未报送, 无数据, 零报告 or 仅报至…)."""
    city = pl.DataFrame({"region_code": ["441600"], "name": ["全市"], "level": ["city"], "sort_order": [99]})
    regs = pl.concat([regions.select("region_code", "name", "level", "sort_order"),
                      city.with_columns(pl.col("sort_order").cast(regions["sort_order"].dtype))])
    inds = indicators.select("code", "short_name", "name", "unit", "decimals", "source_form", "sort_order")
    vals = values.select("indicator", "region_code", "value",
                         *(["method"] if "method" in values.columns else [pl.lit(None, pl.String).alias("method")]))
    grid = (regs.rename({"name": "region_name"})
            .join(inds.rename({"code": "indicator", "sort_order": "indicator_order"}), how="cross")
            .join(vals, on=["indicator", "region_code"], how="left"))
    grid = grid.with_columns(
        pl.when(pl.col("level") == "county").then(pl.col("value")).rank("min", descending=True)
        .over("indicator").cast(pl.Int64).alias("rank"),
        (pl.col("value").is_not_null() & (pl.col("level") == "county")).sum().over("indicator").alias("ranked"),
    )
    if status is not None and status.height:
        st_ = status.select(pl.col("form").alias("source_form"), "region_code", "status", "label")
        grid = grid.join(st_, on=["source_form", "region_code"], how="left")
    else:
        grid = grid.with_columns(pl.lit(None, pl.String).alias("status"), pl.lit(None, pl.String).alias("label"))
    missing = (pl.when(pl.col("value").is_not_null()).then(None)
               .when(pl.col("level") == "city").then(pl.lit(EMPTY))
               .when(pl.col("status") == STATUS_LATE).then(pl.lit(MISSING))
               .when(pl.col("status") == STATUS_PART).then(pl.lit("仅报") + pl.col("label"))
               .when(pl.col("label").str.starts_with("零报告")).then(pl.lit("零报告"))
               .otherwise(pl.lit(EMPTY)))
    return (grid.with_columns(missing.alias("missing"))
            .sort("sort_order", "indicator_order")
            .select("region_code", "region_name", "level", "sort_order", "indicator", "short_name", "name", "unit",
                    "decimals", "indicator_order", "value", "method", "rank", "ranked", "missing"))


def lagging(table: pl.DataFrame, targets: list[str]) -> dict[str, dict[str, list[str]]]:
    """Per county: the target indicators where it is last of the six (lowest, ties included, not all equal)
    and those whose due form it did not send. Context indicators (社零总额, 品牌企业数, …) never count."""
    counties = table.filter((pl.col("level") == "county") & pl.col("indicator").is_in(targets)).with_columns(
        ((pl.col("value") == pl.col("value").min().over("indicator"))
         & (pl.col("value").min().over("indicator") < pl.col("value").max().over("indicator"))).fill_null(False)
        .alias("is_last"))
    out = {}
    for (name,), grp in counties.group_by("region_name", maintain_order=True):
        out[name] = {"last": grp.filter(pl.col("is_last"))["short_name"].to_list(),
                     "missing": grp.filter(pl.col("value").is_null() & (pl.col("missing") == MISSING))["short_name"].to_list()}
    return out


# ---- county reading: lights, score, fixes ------------------------------------------------------------------

def target_group(year: int, deadlines: list[int]) -> int:
    """The deadline group in force in ``year``: the first deadline not before it, else the last one."""
    ahead = [d for d in sorted(deadlines) if d >= year]
    return ahead[0] if ahead else max(deadlines)


@dataclass
class CountyReading:
    year: int
    deadline: int
    lights: pl.DataFrame  # one row per county and target
    scores: pl.DataFrame  # one row per county, ranked
    reporting: pl.DataFrame  # submission_status rows of the year (counties)
    fixes: dict[str, list[str]] = field(default_factory=dict)
    forms: dict[str, str] = field(default_factory=dict)


def _path_fraction(year: int, deadline: int) -> float:
    return min(max(year - BASE_YEAR, 0), deadline - BASE_YEAR) / (deadline - BASE_YEAR)


def county_lights(targets: pl.DataFrame, values: pl.DataFrame, base: pl.DataFrame, city_base: dict[str, float],
                  counties: pl.DataFrame, status: pl.DataFrame, year: int) -> pl.DataFrame:
    """The county reading (see the module's rules), pure: frames in, one row per county and target out.

    ``targets``: indicator, short_name, name, unit, decimals, city_method, source_form, deadline, target;
    ``values``/``base``: indicator, region_code, value of ``year`` / of 2014; ``city_base``: the city's 2014
    value per indicator; ``counties``: region_code, name, sort_order; ``status``: submission_status of the
    year. Out: region_code, region_name, sort_order, indicator, short_name, unit, deadline, target, value,
    expected, share (value ÷ expected, None when not assessed), light, note, gap."""
    val = {(i, r): v for i, r, v in values.select("indicator", "region_code", "value").iter_rows()}
    b = {(i, r): v for i, r, v in base.select("indicator", "region_code", "value").iter_rows()}
    sent = {(f, r): s for f, r, s in status.select("form", "region_code", "status").iter_rows()}
    rows = []
    for t in targets.iter_rows(named=True):
        ind, unit, T, D = t["indicator"], t["unit"], t["target"], t["deadline"]
        frac = _path_fraction(year, D)
        cb = city_base.get(ind) or 0.0
        city_path = cb + (T - cb) * frac
        for code, name, order in counties.select("region_code", "name", "sort_order").iter_rows():
            v = val.get((ind, code))
            form_state = sent.get((t["source_form"], code))
            note = None
            if t["city_method"] == "ratio":
                vb = min(b.get((ind, code)) or 0.0, T)
                expected = vb + (T - vb) * frac
            elif t["city_method"] == "stage":
                expected = city_path
            else:
                expected = (b.get((ind, code)) or 0.0) + (city_path - cb) / 6
            if v is None and form_state == STATUS_LATE:
                light, share, note = RED, 0.0, f"{t['source_form']}未报送"
            elif v is None and t["city_method"] == "stage":
                light, share, note = GREY, None, "无聚集发展园区，不评价"
            elif v is None and t["city_method"] in ("count", "cumulative"):
                v = 0.0  # the form was sent (or a 零报告) and lists none
                light = share = None
            elif v is None:
                light, share, note = GREY, None, "无数据，不评价"
            else:
                light = share = None
            if light is None:
                share = v / expected if expected > 0 else 1.0
                if t["city_method"] == "stage":
                    light = GREEN if v >= expected - 1e-9 else (YELLOW if expected - v <= 1 + 1e-9 else RED)
                else:
                    light = GREEN if share >= 1 - 1e-9 else (YELLOW if share >= YELLOW_SHARE else RED)
            behind = v is not None and light in (YELLOW, RED) and expected - v > 1e-9
            rows.append((code, name, order, ind, t["short_name"], unit, D, T, v, expected, share, light, note,
                         gap_text(expected - v, unit) if behind else None))
    return pl.DataFrame(rows, orient="row", schema={
        "region_code": pl.String, "region_name": pl.String, "sort_order": pl.Int64, "indicator": pl.String,
        "short_name": pl.String, "unit": pl.String, "deadline": pl.Int64, "target": pl.Float64, "value": pl.Float64,
        "expected": pl.Float64, "share": pl.Float64, "light": pl.String, "note": pl.String, "gap": pl.String})


def county_scores(lights: pl.DataFrame, status: pl.DataFrame) -> pl.DataFrame:
    """score = 80 × mean(min(share, 1)) over assessed targets + 20 × reporting rate; ranked, ties share."""
    due = status.filter((pl.col("level") == "county") & (pl.col("status") != STATUS_NONE)).with_columns(
        pl.col("status").replace_strict(SENT_SHARE, default=0.0).alias("sent"))
    rep = due.group_by("region_code").agg(pl.col("sent").sum().alias("forms_sent"), pl.len().alias("forms_due"))
    prog = lights.group_by("region_code", "region_name", "sort_order").agg(
        (pl.col("share").drop_nulls().clip(upper_bound=1.0).mean() * 100).alias("progress_score"),
        (pl.col("light") == GREEN).sum().alias("green"), (pl.col("light") == YELLOW).sum().alias("yellow"),
        (pl.col("light") == RED).sum().alias("red"), (pl.col("light") == GREY).sum().alias("grey"))
    out = prog.join(rep, on="region_code", how="left").with_columns(
        (pl.col("forms_sent").fill_null(0) / pl.col("forms_due").fill_null(0).cast(pl.Float64) * 100)
        .fill_nan(100.0).fill_null(100.0).alias("reporting_score"))
    out = out.with_columns(
        ((pl.col("progress_score").fill_null(0) * PROGRESS_WEIGHT + pl.col("reporting_score") * REPORTING_WEIGHT) / 100)
        .round(1).alias("score"))
    out = out.with_columns(pl.col("score").rank("min", descending=True).cast(pl.Int64).alias("rank"))
    return out.sort("rank", "sort_order")


def fixes_for(lights: pl.DataFrame, status: pl.DataFrame, titles: dict[str, str], year: int) -> dict[str, list[str]]:
    """What each county must fix, one specific sentence a point: overdue forms first, then lagging targets."""
    out: dict[str, list[str]] = {}
    counties = lights.select("region_code", "region_name", "sort_order").unique().sort("sort_order")
    for code, name, _o in counties.iter_rows():
        items = []
        for r in status.filter(pl.col("region_code") == code).sort("form").iter_rows(named=True):
            form = f"{r['form']} {titles.get(r['form'], '')}".strip()
            if r["status"] == STATUS_LATE:
                items.append(f"补报{year}年度{form}（截止日期{chinese_date(r['due_date'])}已过，六个县区中已有"
                             f"{r['counties_reported']}个报送；当年没有需要报送的内容的，报送零报告）。")
            elif r["status"] == STATUS_PART:
                items.append(f"{form}仅报{r['label']}，补报{year}年全年数据。")
        for r in lights.filter((pl.col("region_code") == code) & pl.col("light").is_in([RED, YELLOW])).iter_rows(named=True):
            if r["value"] is None:
                continue  # the missing form is already listed
            exp = expected_text(r["expected"], r["unit"])
            have = fmt_value(r["value"], r["unit"], short=True)
            items.append(f"{r['short_name']}：{year}年{have}，序时进度应达{exp}，{r['gap'] or '未达应达值'}"
                         f"（{LIGHT_TEXT[r['light']]}），须对照{r['deadline']}年目标"
                         f"{fmt_value(r['target'], r['unit'], short=True)}制定追赶措施。")
        out[name] = items
    return out


def county_reading(src, year: int) -> CountyReading:
    """Lights, scores, reporting and fixes of every county for ``year`` (see the module's rules)."""
    all_targets = src.q(
        "SELECT t.indicator, i.short_name, i.name, i.unit, i.decimals, i.city_method, i.source_form, t.deadline, "
        "t.target_value AS target, t.sort_order FROM targets t JOIN indicators i ON i.code = t.indicator "
        "ORDER BY t.deadline, t.sort_order")
    deadline = target_group(year, all_targets["deadline"].unique().to_list())
    targets = all_targets.filter(pl.col("deadline") == deadline)
    # a cumulative series (training since 2015) carries its last value forward: a county with no class in a
    # year still has everything it trained before
    vals = src.q(
        "SELECT indicator, region_code, ? AS year, arg_max(value, year) AS value FROM indicator_values_detail v "
        "JOIN indicators i ON i.code = v.indicator WHERE is_annual AND year <= ? "
        "AND (year = ? OR i.city_method = 'cumulative') GROUP BY ALL "
        "UNION ALL SELECT indicator, region_code, year, value FROM indicator_values_detail WHERE is_annual AND year = ?",
        year, year, year, BASE_YEAR)
    regions = compared_regions(src)
    counties = regions.filter(pl.col("level") == "county")
    status = submission_status(src, [year]).filter(pl.col("level") == "county")
    city_base = dict(vals.filter((pl.col("year") == BASE_YEAR) & (pl.col("region_code") == "441600"))
                     .select("indicator", "value").iter_rows())
    lights = county_lights(targets, vals.filter(pl.col("year") == year), vals.filter(pl.col("year") == BASE_YEAR),
                           city_base, counties, status, year)
    titles = form_titles(src)
    return CountyReading(year=year, deadline=deadline, lights=lights, scores=county_scores(lights, status),
                         reporting=status, fixes=fixes_for(lights, status, titles, year), forms=titles)


def late_list(status: pl.DataFrame) -> pl.DataFrame:
    """The 逾期未报 rows (past the due date, nothing sent, not even a 零报告), newest year first."""
    return status.filter(pl.col("status") == STATUS_LATE).sort("year", "form", "sort_order", descending=[True, False, False])


def expected_text(expected: float, unit: str) -> str:
    """应达值 as printed: a stage as a point on the 0–4 scale, a rate to 0.1, counts to 0.1 below 10."""
    if unit == "阶段":
        return f"{expected:.1f}级"
    if unit == "%":
        return fmt_value(expected, unit, 1)
    if abs(expected) < 10 and not float(expected).is_integer():
        return fmt_value(expected, unit, 1)
    return fmt_value(math.ceil(expected - 1e-9) if unit in ("家", "个", "人次") else expected, unit, 0)


def chinese_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def score_text(row: dict) -> str:
    return (f"{row['score']:.1f}分（进度{row['progress_score'] or 0:.1f} × {PROGRESS_WEIGHT}% + "
            f"报送{row['reporting_score']:.1f} × {REPORTING_WEIGHT}%）")


# ---- the levers: tasks and money (etl/sql/60_tasks.sql, 70_funds.sql) ------------------------------------------
TASK_LIGHTS = ("红灯", "黄灯", "绿灯", "灰灯")
TASK_LIGHT_COLORS = {"红灯": LIGHT_COLORS[RED], "黄灯": LIGHT_COLORS[YELLOW], "绿灯": LIGHT_COLORS[GREEN],
                     "灰灯": LIGHT_COLORS[GREY]}


def task_light_counts(lights: pl.DataFrame) -> dict[str, int]:
    """How many tasks carry each light (红灯, 黄灯, 绿灯, 灰灯; 0 for a light none carries)."""
    found = dict(lights.group_by("light").len().iter_rows()) if lights.height else {}
    return {lt: found.get(lt, 0) for lt in TASK_LIGHTS}


def tasks_at(src, year: int) -> tuple[str | None, pl.DataFrame]:
    """The 22 tasks' lights as judged after the last quarter up to the end of ``year`` that has progress reports
    (its label, e.g. 2024年第四季度; None when no task was ever reported): one row per task."""
    point = src.q("SELECT quarter_label, judged_on FROM task_review_points WHERE reports > 0 AND qi <= ? "
                  "ORDER BY qi DESC LIMIT 1", year * 4 + 3)
    if point.is_empty():
        return None, pl.DataFrame()
    label, judged = point.row(0)
    return label, src.q("SELECT * FROM task_lights_at(?) ORDER BY task_order", judged)


def county_funds(src, year: int) -> pl.DataFrame:
    """Per county and zone, the policy year ``year``'s money from entitlement (测算) to payment, and the flags:
    entitled but never applied (enterprises that may be missing out), paid without an entitlement, paid above
    what was approved. The county's own payments are in the same rows."""
    return src.q(
        "SELECT r.region_code, r.name AS region_name, r.level, r.sort_order, "
        "       coalesce(sum(f.estimated_wan), 0)::DOUBLE AS estimated_wan, coalesce(sum(f.applied_wan), 0)::DOUBLE AS applied_wan, "
        "       coalesce(sum(f.approved_wan), 0)::DOUBLE AS approved_wan, coalesce(sum(f.paid_wan), 0)::DOUBLE AS paid_wan, "
        "       coalesce(sum(f.not_applied), 0)::BIGINT AS not_applied, "
        "       coalesce(sum(f.not_applied_wan), 0)::DOUBLE AS not_applied_wan, "
        "       coalesce(sum(f.paid_without_entitlement), 0)::BIGINT AS paid_without_entitlement, "
        "       coalesce(sum(f.over_paid), 0)::BIGINT AS over_paid "
        "FROM regions r LEFT JOIN funds_summary f ON f.region_code = r.region_code AND f.year = ? "
        "WHERE r.level IN ('county', 'zone') GROUP BY ALL ORDER BY r.sort_order", year)


def not_applied_by_region(src, year: int) -> dict[str, list[str]]:
    """Per region code: the enterprises and places entitled (测算) for ``year`` that never applied, with the
    amount, the largest first (one query for every county)."""
    rows = src.q("SELECT region_code, entity_name, clause, estimated_wan FROM funds_chain WHERE year = ? "
                 "AND flag_not_applied ORDER BY region_code, estimated_wan DESC, entity_name", year)
    out: dict[str, list[str]] = {}
    for code, n, c, w in rows.iter_rows():
        out.setdefault(code, []).append(f"{n}（{c}，测算{fmt_value(w, '万元')}）")
    return out


def not_applied(src, year: int, region: str) -> list[str]:
    """The same for one county."""
    return not_applied_by_region(src, year).get(region, [])


def commitments(src) -> pl.DataFrame:
    """The policy's fiscal commitments per year (四(二) 3000万/1000万, 三(五)1 training, 三(二)2 the centre)."""
    return src.q("SELECT p.*, c.scope AS scope_text FROM commitments_progress p JOIN fiscal_commitments c USING (commitment_id) "
                 "WHERE p.status <> '无数据' ORDER BY p.commitment_order, p.year")
