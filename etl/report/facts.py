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

Reporting: F1, F2, F3 and F5 are due every year from every county (``DUE_FORMS``). F4 and F6 are
event-only (a row per class or per recognition): a county with no rows has nothing to report, so it is
``无记录``, never 未报送 or 逾期 (``form_due`` is the one place a reporting calendar will plug in).
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
DUE_FORMS = ("F1", "F2", "F3", "F5")  # due every year from every county
EVENT_ONLY_FORMS = ("F4", "F6")  # a row per event: no rows = nothing to report (无记录)
LATE_QUORUM = 4
BASE_YEAR = 2014
PROGRESS_WEIGHT, REPORTING_WEIGHT = 80, 20
YELLOW_SHARE = 0.8

STATUS_DONE, STATUS_PART, STATUS_MISSING, STATUS_LATE, STATUS_NONE = "已报", "部分", "缺报", "逾期", "无记录"
STATUS_TEXT = {STATUS_DONE: "✓", STATUS_MISSING: "缺报", STATUS_LATE: "逾期未报", STATUS_NONE: "无记录"}
MISSING = "未报送"  # a due form was not submitted for that region and year
EMPTY = "无数据"  # the form was submitted, but it gives no value for this indicator (e.g. no park)
NO_RECORD = "无记录"  # an event-only form with no rows: nothing happened to report

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
    "报送率 = 已报送的应报报表 ÷ 应报报表（F1、F2、F3、F5每年应报；只报部分期的按一半计）。得分相同者名次相同。",
    "F4 电商培训台账、F6 农村电商与示范认定表按事项登记：当年没有培训班或认定事项的县区没有数据行，记为“无记录”，不视为未报送。",
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
    rows = src.q("SELECT c.*, t.deadline, i.unit FROM target_corrections c JOIN targets t USING (target_id) "
                 "JOIN indicators i ON i.code = t.indicator ORDER BY c.id")
    out = {}
    for r in rows.iter_rows(named=True):
        out[r["target_id"]] = r | {
            "text": f"已更正：{r['at']:%Y-%m-%d %H:%M} 由 {r['user']}（{r['role']}）发布更正，"
                    f"原值 {fmt_value(r['old_actual'], r['unit'], short=True)}（{fmt_period(r['old_period'])}），"
                    f"现值 {fmt_value(r['new_actual'], r['unit'], short=True)}"
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

def form_due(form: str, region_level: str, year: int) -> bool:
    """Is ``form`` due from a region of this level for ``year``? The one place a reporting calendar plugs in.
    Event-only forms (F4, F6) are never due: no rows means nothing happened."""
    return form in DUE_FORMS


def coverage(src) -> pl.DataFrame:
    """(form, region_code, period) covered by an accepted file (the current one or an earlier one)."""
    return src.q("SELECT DISTINCT form, region_code, period FROM submission_history ORDER BY ALL")


def compared_regions(src) -> pl.DataFrame:
    """The six counties, then the two zones (region_code, name, level, sort_order)."""
    return src.q("SELECT region_code, name, level, sort_order FROM regions WHERE level IN ('county', 'zone') "
                 "ORDER BY sort_order")


def form_titles(src) -> dict[str, str]:
    return dict(src.q("SELECT DISTINCT form, form_title FROM form_columns ORDER BY form").iter_rows())


def _period_month(period: str) -> int:
    if len(period) == 4:
        return 12
    if "Q" in period:
        return 3 * int(period[-1])
    return int(period[5:7])


def submission_status(cov: pl.DataFrame, regions: pl.DataFrame, years: list[int],
                      forms: tuple[str, ...] = FORMS) -> pl.DataFrame:
    """One row per form, region and year: status (已报/部分/缺报/逾期/无记录), label (text for a grid), the
    latest period covered, and how many of the six counties reported that form and year.

    已报 an accepted file covers the whole year (annual, or a period ending in December); 部分 only part;
    otherwise 无记录 for an event-only form (``form_due`` false), else 缺报, which is 逾期 when at least
    ``LATE_QUORUM`` of the six counties sent that form for that year (a zone only if it has ever sent it).
    ``regions``: region_code, name, level (county/zone), sort_order."""
    by_key: dict[tuple[str, str, int], list[str]] = {}
    for form, region, period in cov.select("form", "region_code", "period").iter_rows():
        by_key.setdefault((form, region, int(period[:4])), []).append(period)
    counties = regions.filter(pl.col("level") == "county")["region_code"].to_list()
    reporters = {(form, region) for form, region, _year in by_key}
    rows = []
    for form in forms:
        for year in years:
            done = sum(1 for c in counties if (form, c, year) in by_key)
            for code, name, level, order in regions.select("region_code", "name", "level", "sort_order").iter_rows():
                periods = by_key.get((form, code, year), [])
                latest = max(periods, key=lambda p: (_period_month(p), len(p) == 4), default=None)
                if latest is not None and _period_month(latest) == 12:
                    status, label = STATUS_DONE, STATUS_TEXT[STATUS_DONE]
                elif latest is not None:
                    status, label = STATUS_PART, f"至{fmt_period(latest)[5:]}"
                elif not form_due(form, level, year):
                    status, label = STATUS_NONE, STATUS_TEXT[STATUS_NONE]
                elif done >= LATE_QUORUM and (level == "county" or (form, code) in reporters):
                    status, label = STATUS_LATE, STATUS_TEXT[STATUS_LATE]
                else:
                    status, label = STATUS_MISSING, STATUS_TEXT[STATUS_MISSING]
                rows.append((form, code, name, level, order, year, status, label, latest, done))
    return pl.DataFrame(
        rows, orient="row",
        schema={"form": pl.String, "region_code": pl.String, "region_name": pl.String, "level": pl.String,
                "sort_order": pl.Int64, "year": pl.Int64, "status": pl.String, "label": pl.String,
                "latest_period": pl.String, "counties_reported": pl.Int64},
    )


def reporting_status(src, year: int | None = None) -> pl.DataFrame:
    """submission_status of every county and zone over the years with data (or one year)."""
    ys = years(src)
    if year is not None:
        ys = [year]
    return submission_status(coverage(src), compared_regions(src), ys)


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
    is better; ties share the better rank), ranked, missing (None, 未报送, 无数据, 无记录 or 仅报至…)."""
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
               .when(pl.col("source_form").is_in(list(EVENT_ONLY_FORMS))).then(pl.lit(NO_RECORD))
               .when(pl.col("status").is_in([STATUS_MISSING, STATUS_LATE])).then(pl.lit(MISSING))
               .when(pl.col("status") == STATUS_PART).then(pl.lit("仅报") + pl.col("label"))
               .when(pl.col("status") == STATUS_DONE).then(pl.lit(EMPTY))
               .otherwise(pl.lit(MISSING)))
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
            if v is None and form_state in (STATUS_MISSING, STATUS_LATE):
                light, share, note = RED, 0.0, f"{t['source_form']}未报送"
            elif v is None and t["city_method"] == "stage":
                light, share, note = GREY, None, "无聚集发展园区，不评价"
            elif v is None and t["city_method"] in ("count", "cumulative"):
                v = 0.0  # the form was sent (or is event-only) and lists none
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
    due = status.filter(pl.col("level") == "county").with_columns(
        pl.col("status").replace_strict({STATUS_DONE: 1.0, STATUS_PART: 0.5}, default=0.0).alias("sent"),
        pl.struct("form", "level", "year").map_elements(
            lambda s: form_due(s["form"], s["level"], s["year"]), return_dtype=pl.Boolean).alias("due"))
    rep = due.filter(pl.col("due")).group_by("region_code").agg(
        pl.col("sent").sum().alias("forms_sent"), pl.len().alias("forms_due"))
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
            if r["status"] in (STATUS_MISSING, STATUS_LATE):
                late = "（逾期：六个县区中已有" + str(r["counties_reported"]) + "个报送）" if r["status"] == STATUS_LATE else ""
                items.append(f"补报{year}年度{form}{late}。")
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
    status = submission_status(coverage(src), regions, [year]).filter(pl.col("level") == "county")
    city_base = dict(vals.filter((pl.col("year") == BASE_YEAR) & (pl.col("region_code") == "441600"))
                     .select("indicator", "value").iter_rows())
    lights = county_lights(targets, vals.filter(pl.col("year") == year), vals.filter(pl.col("year") == BASE_YEAR),
                           city_base, counties, status, year)
    titles = form_titles(src)
    return CountyReading(year=year, deadline=deadline, lights=lights, scores=county_scores(lights, status),
                         reporting=status, fixes=fixes_for(lights, status, titles, year), forms=titles)


def late_list(status: pl.DataFrame) -> pl.DataFrame:
    """The 逾期 rows (a due form missing while at least LATE_QUORUM counties sent it), newest year first."""
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
