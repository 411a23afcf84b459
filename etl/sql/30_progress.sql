-- Where each of the 14 targets stands, seen from the end of a given year (as_of); the same for the policy's
-- other quantitative aims (quantitative_aims: 三(三)6 培育2—3家跨境电子商务平台 by 2017), by the same rules.
--
--   actual     the city value for the deadline year; while the deadline lies after as_of, the latest
--              value up to as_of (a part-year value counts as at its period end)
--   ratio      actual ÷ target
--   path       序时进度: the time-proportional path from the 2014 value v0 to the target,
--              path(t) = v0 + (target − v0) × (t − 2014) ÷ (deadline − 2014)   (v0 = 0 when 2014 has no value)
--   status     达标 actual ≥ target; 未达标 deadline ≤ as_of and not met; 进度正常 / 滞后 deadline ahead,
--              actual at or above / below path(t); 无数据 no actual
--   projection compound growth from the base (b, vb) to the actual (t, a) carried to the deadline:
--              a × (1 + g)^(deadline − t), g = (a ÷ vb)^(1 ÷ (t − b)) − 1; base = 2014, or the first
--              year with a positive value when 2014 has none; a rate is capped at 100%, a stage at 4
--   growth_ratio  CAGR observed ÷ CAGR required, required = (target ÷ vb)^(1 ÷ (deadline − b)) − 1
--              (Open SDG / Statistics Canada): ≥ 0.95 进展良好, ≥ 0.6 需要加速, ≥ 0 进展有限, < 0 出现倒退

CREATE TABLE city_series AS
SELECT indicator, period_year(period) AS year, period, period_t(period) AS t, value
FROM values_all WHERE region_code = '441600'
QUALIFY row_number() OVER (PARTITION BY indicator, period_year(period) ORDER BY period_end_month(period) DESC, length(period)) = 1;

-- goal_progress_at(as_of): targets (kind 'target') and quantitative aims (kind 'aim') alike
CREATE MACRO goal_progress_at(as_of) AS TABLE
WITH goals AS (
    SELECT 'target' AS kind, target_id, indicator, deadline, comparator, target_value, target_text, clause, clause_text, note,
           sort_order
    FROM targets
    UNION ALL
    SELECT 'aim', aim_id, indicator, deadline, comparator, target_value, target_text, clause, clause_text, note,
           CAST(1000 + row_number() OVER (ORDER BY deadline, aim_id) AS INTEGER)
    FROM quantitative_aims
),
t AS (
    SELECT tg.* EXCLUDE (sort_order), i.name AS indicator_name, i.short_name, i.unit, i.decimals, tg.sort_order FROM goals tg JOIN indicators i ON i.code = tg.indicator
),
actual AS (
    SELECT t.target_id, s.value AS actual, s.period AS actual_period, s.t AS actual_t
    FROM t JOIN city_series s ON s.indicator = t.indicator
    WHERE (t.deadline <= as_of AND s.year = t.deadline) OR (t.deadline > as_of AND s.year <= as_of)
    QUALIFY row_number() OVER (PARTITION BY t.target_id ORDER BY s.t DESC) = 1
),
v0 AS (
    SELECT t.target_id, coalesce(max(s.value), 0) AS v0
    FROM t LEFT JOIN city_series s ON s.indicator = t.indicator AND s.year = 2014 AND length(s.period) = 4
    GROUP BY ALL
),
base AS (
    SELECT t.target_id, s.t AS base_t, s.value AS base_value
    FROM t JOIN city_series s ON s.indicator = t.indicator AND s.value > 0 AND s.year >= 2014 AND s.year <= as_of
    QUALIFY row_number() OVER (PARTITION BY t.target_id ORDER BY s.t) = 1
),
calc AS (
    SELECT t.*, a.actual, a.actual_period, a.actual_t, v0.v0, b.base_t, b.base_value,
           CASE WHEN a.actual IS NOT NULL THEN v0.v0 + (t.target_value - v0.v0) * (a.actual_t - 2014) / (t.deadline - 2014) END AS path_value,
           CASE WHEN a.actual > 0 AND b.base_value > 0 AND a.actual_t > b.base_t
                THEN pow(a.actual / b.base_value, 1.0 / (a.actual_t - b.base_t)) - 1 END AS cagr_observed,
           CASE WHEN b.base_value > 0 AND t.deadline > b.base_t
                THEN pow(t.target_value / b.base_value, 1.0 / (t.deadline - b.base_t)) - 1 END AS cagr_required
    FROM t LEFT JOIN actual a USING (target_id) LEFT JOIN v0 USING (target_id) LEFT JOIN base b USING (target_id)
)
SELECT kind, target_id, indicator, indicator_name, short_name, unit, decimals, deadline, target_value AS target, comparator, target_text,
       clause, clause_text, note, CAST(as_of AS INTEGER) AS as_of_year,
       actual, actual_period, actual / target_value AS ratio,
       CASE WHEN actual IS NULL THEN '无数据'
            WHEN round(actual, 9) >= target_value THEN '达标'
            WHEN deadline <= as_of THEN '未达标'
            WHEN round(actual, 9) >= round(path_value, 9) THEN '进度正常'
            ELSE '滞后' END AS status,
       greatest(target_value - actual, 0) AS gap,
       v0 AS path_base_value, path_value,
       least(CASE WHEN cagr_observed IS NOT NULL AND deadline > actual_t THEN actual * pow(1 + cagr_observed, deadline - actual_t)
                  WHEN deadline <= actual_t THEN actual END,
             CASE WHEN unit = '%' THEN 100.0 WHEN unit = '阶段' THEN 4.0 END) AS projection,
       base_t AS growth_base_t, base_value AS growth_base_value, cagr_observed, cagr_required,
       CASE WHEN cagr_required > 0 THEN cagr_observed / cagr_required END AS growth_ratio,
       CASE WHEN cagr_required IS NULL OR cagr_required <= 0 OR cagr_observed IS NULL THEN NULL
            WHEN cagr_observed / cagr_required >= 0.95 THEN '进展良好'
            WHEN cagr_observed / cagr_required >= 0.6 THEN '需要加速'
            WHEN cagr_observed / cagr_required >= 0 THEN '进展有限'
            ELSE '出现倒退' END AS growth_category,
       sort_order
FROM calc
ORDER BY deadline, sort_order;

CREATE MACRO progress_at(as_of) AS TABLE
SELECT * EXCLUDE (kind) FROM goal_progress_at(as_of) WHERE kind = 'target' ORDER BY deadline, sort_order;
CREATE MACRO aim_progress_at(as_of) AS TABLE
SELECT * EXCLUDE (kind) FROM goal_progress_at(as_of) WHERE kind = 'aim' ORDER BY deadline, sort_order;

CREATE TABLE target_progress_detail AS SELECT * FROM progress_at((SELECT as_of_year FROM as_of));

CREATE VIEW target_progress AS
SELECT indicator, deadline, target, comparator, actual, actual_period, ratio, status
FROM target_progress_detail ORDER BY deadline, sort_order;

-- The policy's other quantitative aims, beside the 14 targets (same columns as target_progress, then the aim).
CREATE VIEW aim_progress AS
SELECT indicator, deadline, target, comparator, actual, actual_period, ratio, status,
       target_id AS aim_id, target_text AS aim_text, clause, clause_text, note
FROM aim_progress_at((SELECT as_of_year FROM as_of)) ORDER BY deadline, sort_order;
