-- Indicator values per region and period (the contract view indicator_values reads values_all).
--   F1 amounts: as reported; a year's value from its December/Q4 year-to-date figure when no annual row;
--   city = the reported 全市 figure, else the sum of the six counties (only when all six reported);
--   zones are shown beside counties and never added. Ratios are recomputed from their parts.
--   F2–F6: counts of entities (city: each entity once over all counties and zones), sums, the highest stage.

CREATE TABLE f1_long AS
UNPIVOT (SELECT region AS region_code, period, retail_total, online_retail, rural_online_retail FROM current_f1)
ON retail_total, online_retail, rural_online_retail INTO NAME indicator VALUE value;

CREATE TABLE f1_values AS
WITH own AS (
    SELECT indicator, region_code, period, value, 'reported' AS source, '报送数' AS method FROM f1_long
    UNION ALL
    SELECT indicator, region_code, substr(period, 1, 4), value, 'derived', '取' || period || '年初至期末累计数'
    FROM f1_long x
    WHERE period_end_month(period) = 12 AND length(period) > 4
      AND NOT EXISTS (SELECT 1 FROM f1_long a WHERE a.indicator = x.indicator AND a.region_code = x.region_code
                      AND a.period = substr(x.period, 1, 4))
    QUALIFY row_number() OVER (PARTITION BY indicator, region_code, substr(period, 1, 4) ORDER BY length(period) DESC) = 1
),
county_sum AS (
    SELECT o.indicator, '441600' AS region_code, o.period, sum(o.value) AS value, 'derived' AS source, '六县区合计' AS method
    FROM own o JOIN regions r ON r.region_code = o.region_code AND r.in_city_sum
    GROUP BY o.indicator, o.period
    HAVING count(*) = (SELECT count(*) FROM regions WHERE in_city_sum)
)
SELECT * FROM own
UNION ALL
SELECT * FROM county_sum c
WHERE NOT EXISTS (SELECT 1 FROM own o WHERE o.indicator = c.indicator AND o.region_code = '441600' AND o.period = c.period);

-- The entities behind every count, by name (dashboard: "which five platform enterprises?").
CREATE TABLE indicator_entities AS
SELECT 'platform_enterprises' AS indicator, region AS region_code, year, uscc AS entity_key, name AS entity_name,
       concat_ws('；', '平台模式：' || platform_modes, '网上销售额' || round(online_sales, 1) || '万元') AS attribute,
       online_sales AS amount, receipt_id
FROM current_f2 WHERE category = '平台型电商企业' AND is_recognised_platform
UNION ALL
SELECT 'incubation_bases', region, year, name, name,
       concat_ws('；', CASE WHEN is_concentrated THEN '集中化程度较高' ELSE '集中化程度一般' END, build_mode, '入驻企业' || tenant_count || '家'),
       occupied_area, receipt_id
FROM current_f3 WHERE category = '孵化基地'
UNION ALL
SELECT 'concentrated_incubation_bases', region, year, name, name,
       concat_ws('；', build_mode, '入驻企业' || tenant_count || '家', '入驻面积' || round(occupied_area) || '㎡'), occupied_area, receipt_id
FROM current_f3 WHERE category = '孵化基地' AND is_concentrated
UNION ALL
SELECT 'cluster_park_stage', region, year, name, name, '阶段：' || stage, s.stage_value, receipt_id
FROM current_f3 JOIN (SELECT CAST(stage AS INTEGER) AS stage_value, name AS stage_name FROM stages) s ON s.stage_name = current_f3.stage
WHERE category = '聚集发展园区'
UNION ALL
SELECT 'trainees', region, year, name || '（' || start_date || '）', name,
       concat_ws('；', organiser, start_date || '至' || end_date, CASE WHEN is_government_purchased THEN '政府购买服务' END),
       trainees, receipt_id
FROM current_f4
UNION ALL
SELECT 'brand_enterprises', region, year, uscc || '|' || brand, name,
       concat_ws('；', '品牌：' || brand, brand_category, CASE WHEN is_online THEN '已触网' || coalesce('（' || channels || '）', '') ELSE '未触网' END),
       CASE WHEN is_online THEN 1 ELSE 0 END, receipt_id
FROM current_f5
UNION ALL
SELECT 'brand_enterprises_online', region, year, uscc || '|' || brand, name,
       concat_ws('；', '品牌：' || brand, channels, '首次触网' || first_online_date), 1, receipt_id
FROM current_f5 WHERE is_online
UNION ALL
SELECT CASE category WHEN '跨境电商平台开通' THEN 'cross_border_platforms' ELSE 'demo_villages' END,
       region, year, region || '|' || name, name, concat_ws('；', category, '认定日期' || recognised_date), NULL, receipt_id
FROM current_f6 WHERE category IN ('跨境电商平台开通', '电商示范村');

-- (indicator, region, year) pairs a form was submitted for: a count there is 0, not missing.
CREATE TABLE entity_coverage AS
SELECT i.code AS indicator, c.region AS region_code, c.year
FROM indicators i
JOIN (SELECT 'F2' AS form, region, year FROM current_f2 UNION SELECT 'F3', region, year FROM current_f3
      UNION SELECT 'F4', region, year FROM current_f4 UNION SELECT 'F5', region, year FROM current_f5
      UNION SELECT 'F6', region, year FROM current_f6) c ON c.form = i.source_form
WHERE i.city_method IN ('count', 'stage') OR i.code = 'trainees'
GROUP BY ALL;

CREATE TABLE entity_values AS
WITH region_level AS (
    SELECT cov.indicator, cov.region_code, cov.year,
           CASE WHEN i.city_method = 'stage' THEN max(e.amount)
                WHEN cov.indicator = 'trainees' THEN coalesce(sum(e.amount), 0)
                ELSE count(e.entity_key) END AS value
    FROM entity_coverage cov
    JOIN indicators i ON i.code = cov.indicator
    LEFT JOIN indicator_entities e USING (indicator, region_code, year)
    GROUP BY cov.indicator, cov.region_code, cov.year, i.city_method
),
city_level AS (
    SELECT cov.indicator, '441600' AS region_code, cov.year,
           CASE WHEN i.city_method = 'stage' THEN max(e.amount)
                WHEN cov.indicator = 'trainees' THEN coalesce(sum(e.amount), 0)
                ELSE count(DISTINCT e.entity_key) END AS value
    FROM (SELECT DISTINCT indicator, year FROM entity_coverage) cov
    JOIN indicators i ON i.code = cov.indicator
    LEFT JOIN indicator_entities e ON e.indicator = cov.indicator AND e.year = cov.year
    GROUP BY cov.indicator, cov.year, i.city_method
)
SELECT indicator, region_code, CAST(year AS VARCHAR) AS period, value, 'derived' AS source,
       CASE WHEN indicator = 'trainees' THEN '培训人次合计' WHEN indicator = 'cluster_park_stage' THEN '最高阶段' ELSE '计数' END AS method
FROM region_level WHERE value IS NOT NULL
UNION ALL
SELECT indicator, region_code, CAST(year AS VARCHAR), value, 'derived',
       CASE WHEN indicator = 'trainees' THEN '全市培训人次合计' WHEN indicator = 'cluster_park_stage' THEN '全市最高阶段' ELSE '全市不重复计数' END
FROM city_level WHERE value IS NOT NULL;

-- Training counted from the start of 2015 (二: 培训本地电子商务从业人员…人次, cumulative).
CREATE TABLE cumulative_values AS
WITH yearly AS (SELECT region_code, CAST(period AS INTEGER) AS year, value FROM entity_values WHERE indicator = 'trainees'),
span AS (SELECT region_code, y AS year FROM (SELECT region_code, max(year) AS last FROM yearly GROUP BY ALL) m,
         range(2015, greatest(m.last, 2014) + 1) r(y))
SELECT 'trainees_cumulative' AS indicator, s.region_code, CAST(s.year AS VARCHAR) AS period,
       coalesce(sum(y.value), 0) AS value, 'derived' AS source, '2015年起累计' AS method
FROM span s LEFT JOIN yearly y ON y.region_code = s.region_code AND y.year BETWEEN 2015 AND s.year
GROUP BY ALL;

CREATE TABLE base_values AS
SELECT * FROM f1_values UNION ALL SELECT * FROM entity_values UNION ALL SELECT * FROM cumulative_values;

-- Ratios recomputed from their parts (never averaged over counties).
CREATE TABLE values_all AS
SELECT * FROM base_values
UNION ALL
SELECT 'online_retail_share', o.region_code, o.period, 100.0 * o.value / t.value, 'derived', '网络零售额÷社会消费品零售总额'
FROM base_values o JOIN base_values t ON t.indicator = 'retail_total' AND t.region_code = o.region_code AND t.period = o.period
WHERE o.indicator = 'online_retail' AND t.value > 0
UNION ALL
SELECT 'brand_online_rate', o.region_code, o.period, 100.0 * o.value / a.value, 'derived', '已触网品牌企业÷全部本地知名品牌企业'
FROM base_values o JOIN base_values a ON a.indicator = 'brand_enterprises' AND a.region_code = o.region_code AND a.period = o.period
WHERE o.indicator = 'brand_enterprises_online' AND a.value > 0;

CREATE VIEW indicator_values AS
SELECT indicator, region_code, period, value, source FROM values_all;

-- Everything a page needs about a value, with names and units from the catalog.
CREATE VIEW indicator_values_detail AS
SELECT v.indicator, i.name AS indicator_name, i.unit, v.region_code, r.name AS region_name, r.level AS region_level,
       v.period, period_year(v.period) AS year, length(v.period) = 4 AS is_annual, v.value, v.source, v.method
FROM values_all v JOIN indicators i ON i.code = v.indicator JOIN regions r USING (region_code);

