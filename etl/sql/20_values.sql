-- Indicator values per region and period (the contract view indicator_values reads values_all).
--   F1 amounts: as reported; a year's value from its December/Q4 year-to-date figure when no annual row;
--   city = the reported 全市 figure, else the sum of the six counties (only when all six reported);
--   zones are shown beside counties and never added. Ratios are recomputed from their parts.
--   F2–F6: counts of entities (city: each entity once over all counties and zones), sums, the highest stage.
--   Identity: an enterprise is its 统一社会信用代码 (F2, F5); a base, park, building, village or platform
--   opened is the place (所在县区, 名称): entity_key = region || '|' || name, so same-named places in two
--   counties are two places. An enterprise listed by a county and by a zone counts in each region that lists
--   it and once in the city.

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

-- The entities behind every count (dashboard: "which five platform enterprises?"): one row per entity,
-- region and year, so that a count is the number of its rows (region) or of its distinct keys (city).
CREATE TABLE indicator_entities AS
WITH f3 AS (SELECT *, region || '|' || name AS place_key FROM current_f3),
brands AS (  -- F5 has one row per brand: one row per brand enterprise (统一社会信用代码), its brands joined
    SELECT region, year, uscc, min(name) AS name, bool_or(is_online) AS is_online,
           '品牌' || count(*) || '个：' || string_agg(brand || '（' || brand_category || '，'
               || CASE WHEN is_online THEN '已触网' ELSE '未触网' END || '）', '、' ORDER BY _sheet, _row) AS brands,
           string_agg(DISTINCT channels, '、' ORDER BY channels) AS channels,
           min(first_online_date) AS first_online_date, max(receipt_id) AS receipt_id
    FROM current_f5 GROUP BY region, year, uscc
)
SELECT 'platform_enterprises' AS indicator, region AS region_code, year, uscc AS entity_key, name AS entity_name,
       concat_ws('；', '平台模式：' || platform_modes, '网上销售额' || round(online_sales, 1) || '万元') AS attribute,
       online_sales AS amount, receipt_id
FROM current_f2 WHERE category = '平台型电商企业' AND is_recognised_platform
UNION ALL
SELECT 'incubation_bases', region, year, place_key, name,
       concat_ws('；', CASE WHEN is_concentrated THEN '集中化程度较高' ELSE '集中化程度一般' END, build_mode, '入驻企业' || tenant_count || '家'),
       occupied_area, receipt_id
FROM f3 WHERE category = '孵化基地'
UNION ALL
SELECT 'concentrated_incubation_bases', region, year, place_key, name,
       concat_ws('；', build_mode, '入驻企业' || tenant_count || '家', '入驻面积' || round(occupied_area) || '㎡'), occupied_area, receipt_id
FROM f3 WHERE category = '孵化基地' AND is_concentrated
UNION ALL
SELECT 'cluster_park_stage', region, year, place_key, name, '阶段：' || stage, s.stage_value, receipt_id
FROM f3 JOIN (SELECT CAST(stage AS INTEGER) AS stage_value, name AS stage_name FROM stages) s ON s.stage_name = f3.stage
WHERE category = '聚集发展园区'
UNION ALL
SELECT 'trainees', region, year, name || '（' || start_date || '）', name,
       concat_ws('；', organiser, start_date || '至' || end_date, CASE WHEN is_government_purchased THEN '政府购买服务' END),
       trainees, receipt_id
FROM current_f4
UNION ALL
SELECT 'brand_enterprises', region, year, uscc, name,
       concat_ws('；', brands, CASE WHEN is_online THEN '企业已触网' || coalesce('（' || channels || '）', '') ELSE '企业未触网' END),
       CASE WHEN is_online THEN 1 ELSE 0 END, receipt_id
FROM brands
UNION ALL
SELECT 'brand_enterprises_online', region, year, uscc, name,
       concat_ws('；', brands, '触网渠道：' || channels, '首次触网' || first_online_date), 1, receipt_id
FROM brands WHERE is_online
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

-- Counted from the start of 2015, year by year up to each region's latest year:
--   trainees_cumulative (二: 培训…人次, cumulative): the person-times of every class ended 2015..year;
--   cross_border_platforms_cumulative (三(三)6: 2015—2017年培育2—3家): the distinct platforms (县区+名称)
--   recognised as opened 2015..year. The city counts every region, zones included, each entity once.
CREATE TABLE cumulative_values AS
WITH spec(indicator, base, method) AS (
    VALUES ('trainees_cumulative', 'trainees', '2015年起累计'),
           ('cross_border_platforms_cumulative', 'cross_border_platforms', '2015年起累计不重复计数')
),
last AS (SELECT indicator, region_code, max(CAST(period AS INTEGER)) AS last FROM entity_values GROUP BY ALL),
span AS (SELECT s.indicator, s.base, s.method, l.region_code, y AS year
         FROM spec s JOIN last l ON l.indicator = s.base, range(2015, greatest(l.last, 2014) + 1) r(y))
SELECT s.indicator, s.region_code, CAST(s.year AS VARCHAR) AS period,
       CASE WHEN s.base = 'trainees' THEN coalesce(sum(e.amount), 0) ELSE count(DISTINCT e.entity_key) END AS value,
       'derived' AS source, s.method
FROM span s
LEFT JOIN indicator_entities e ON e.indicator = s.base AND e.year BETWEEN 2015 AND s.year
     AND (s.region_code = '441600' OR e.region_code = s.region_code)
GROUP BY s.indicator, s.base, s.method, s.region_code, s.year;

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
SELECT 'brand_online_rate', o.region_code, o.period, 100.0 * o.value / a.value, 'derived', '已触网品牌企业÷全部本地知名品牌企业（按企业计）'
FROM base_values o JOIN base_values a ON a.indicator = 'brand_enterprises' AND a.region_code = o.region_code AND a.period = o.period
WHERE o.indicator = 'brand_enterprises_online' AND a.value > 0;

CREATE VIEW indicator_values AS
SELECT indicator, region_code, period, value, source FROM values_all;

-- Everything a page needs about a value, with names and units from the catalog.
CREATE VIEW indicator_values_detail AS
SELECT v.indicator, i.name AS indicator_name, i.unit, v.region_code, r.name AS region_name, r.level AS region_level,
       v.period, period_year(v.period) AS year, length(v.period) = 4 AS is_annual, v.value, v.source, v.method
FROM values_all v JOIN indicators i ON i.code = v.indicator JOIN regions r USING (region_code);

