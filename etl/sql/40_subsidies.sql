-- 政策兑现测算: what the subsidy rules of 河府办〔2015〕43号 三 would give each enterprise or unit a year,
-- worked out from the reported forms (F2 enterprises, F3 parks, F6 recognitions). An ESTIMATE (测算) from
-- reported data, never a payment decision: recognition by the departments, applications and audits are
-- outside the forms.
--
-- One boundary reading everywhere (subsidies.csv boundary_note): 以上/以下 include the number; where two
-- adjacent tiers overlap at an edge the HIGHER tier applies (5000万 → 80万 tier, 1亿 → 100万 tier);
-- 超过 excludes the number (strictly greater).
--
--   三(一)2a  平台型电商企业: 20% of loan_interest, capped by the year's online_sales: < 2000 none,
--            [2000, 5000) 50, [5000, 10000) 80, ≥ 10000 100; only in the first 3 years the uscc appears
--            as 平台型电商企业 (连续3年)
--   三(一)3   规上工业企业/限上商贸企业, online_sales > 500 and > the previous year's: one-off 10 (first year)
--   三(一)4a  小微电商企业, online_sales ≥ 100: one-off 2 (first year)
--   三(一)4b  规上/限上 in the year after its 三(一)4a year: one-off 5
--   三(一)5   新三板 listing date: one-off 50 in the listing year
--   三(二)1a  租用 park, floor_area > 2000: from 2016, occupied_area × 2元/㎡/月 × 12, ≤ 20 a year, 3 years
--   三(二)1b  自建 park, occupied_area ÷ floor_area > 60%: from 2015, same rate, ≤ 50 a year, 3 years
--   三(三)1   runs a 河源产品特色馆: 10 a year, the first 2 years
--   三(三)4   电商示范村 recognised 2015–2017: 5 each (once)
--   三(三)6a  跨境电商平台开通 recognised 2015–2017: one-off 10
-- The policy dates from December 2015: rules without a start year of their own count data from 2015 on
-- (the 3-year and 2-year windows start at the first qualifying year from 2015).
-- Not estimated (the forms lack the inputs): 三(一)2b, 三(一)2c, 三(三)6b, 三(四)4, 三(五)1, 三(二)2.

-- a number for the explanation text: 1999.99 → '1999.99', 2000 → '2000', 0.24 → '0.24'
CREATE TEMP MACRO subsidy_num(x) AS rtrim(rtrim(printf('%.4f', x), '0'), '.');

-- one row per enterprise and year (an enterprise filed by a county and a zone: the county's row)
CREATE TEMP TABLE subsidy_f2 AS
SELECT f.year, f.uscc, f.name, f.region AS region_code, f.category, f.online_sales, f.loan_interest,
       f.neeq_listing_date, f.runs_heyuan_pavilion
FROM current_f2 f LEFT JOIN regions r ON r.region_code = f.region
QUALIFY row_number() OVER (PARTITION BY f.year, f.uscc ORDER BY coalesce(r.in_city_sum, false) DESC, f.region) = 1;

-- one row per park and year, same preference
CREATE TEMP TABLE subsidy_f3 AS
SELECT f.year, f.name, f.region AS region_code, f.category, f.build_mode, f.floor_area, f.occupied_area
FROM current_f3 f LEFT JOIN regions r ON r.region_code = f.region
QUALIFY row_number() OVER (PARTITION BY f.year, f.name ORDER BY coalesce(r.in_city_sum, false) DESC, f.region) = 1;

CREATE TABLE subsidy_estimates AS
WITH
platform AS (
    SELECT *, row_number() OVER (PARTITION BY uscc ORDER BY year) AS n
    FROM subsidy_f2 WHERE category = '平台型电商企业' AND year >= 2015
),
interest AS (
    SELECT *, round(loan_interest * 0.2, 4) AS raw,
           CASE WHEN online_sales >= 10000 THEN 100 WHEN online_sales >= 5000 THEN 80
                WHEN online_sales >= 2000 THEN 50 END AS cap
    FROM platform WHERE n <= 3 AND loan_interest > 0 AND online_sales IS NOT NULL
),
r2a AS (
    SELECT '三(一)2a' AS rule_id, year, region_code, uscc AS entity_key, name AS entity_name,
           '贷款利息' || subsidy_num(loan_interest) || '万元×20%=' || subsidy_num(raw) || '万元；平台年销售额'
           || subsidy_num(online_sales) || '万元，当年限额' || cap || '万元'
           || CASE WHEN raw > cap THEN '，按限额' || cap || '万元' ELSE '' END AS basis,
           least(raw, cap)::DOUBLE AS amount_wan,
           '平台型电商企业第' || n || '年（连续3年贴息）' AS note
    FROM interest WHERE cap IS NOT NULL
),
with_prev AS (
    SELECT c.*, p.online_sales AS prev_sales
    FROM subsidy_f2 c LEFT JOIN subsidy_f2 p ON p.uscc = c.uscc AND p.year = c.year - 1
),
r3 AS (
    SELECT '三(一)3' AS rule_id, year, region_code, uscc, name,
           category || '年网上销售额' || subsidy_num(online_sales) || '万元>500万元，且高于上年'
           || subsidy_num(prev_sales) || '万元；一次性奖励10万元',
           10.0, '一次性（首个符合年度）'
    FROM with_prev
    WHERE category IN ('规上工业企业', '限上商贸企业') AND online_sales > 500 AND online_sales > prev_sales AND year >= 2015
    QUALIFY row_number() OVER (PARTITION BY uscc ORDER BY year) = 1
),
r4a AS (
    SELECT '三(一)4a' AS rule_id, year, region_code, uscc, name,
           '小微电商企业年网上销售额' || subsidy_num(online_sales) || '万元≥100万元；一次性奖励2万元' AS basis,
           2.0 AS amount_wan, '一次性（首个符合年度）；须认定为小微电商培育对象' AS note
    FROM subsidy_f2
    WHERE category = '小微电商企业' AND online_sales >= 100 AND year >= 2015
    QUALIFY row_number() OVER (PARTITION BY uscc ORDER BY year) = 1
),
r4b AS (
    SELECT '三(一)4b', n.year, n.region_code, n.uscc, n.name,
           a.year || '年为小微电商培育对象（三(一)4a），' || n.year || '年为' || n.category || '；再给予一次性奖励5万元',
           5.0, '一次性（培育对象次年）'
    FROM r4a a JOIN subsidy_f2 n ON n.uscc = a.uscc AND n.year = a.year + 1
    WHERE n.category IN ('规上工业企业', '限上商贸企业')
),
listing AS (
    SELECT uscc, min(neeq_listing_date) AS listed FROM subsidy_f2 WHERE neeq_listing_date IS NOT NULL GROUP BY uscc
    HAVING year(min(neeq_listing_date)) >= 2015
),
r5 AS (
    SELECT '三(一)5', year(l.listed), f.region_code, f.uscc, f.name,
           '新三板挂牌日期' || strftime(l.listed, '%Y-%m-%d') || '；每家一次性奖励50万元', 50.0, '一次性（挂牌年度）'
    FROM listing l JOIN subsidy_f2 f ON f.uscc = l.uscc
    QUALIFY row_number() OVER (PARTITION BY f.uscc ORDER BY abs(f.year - year(l.listed)), f.year) = 1
),
pavilion AS (
    SELECT *, row_number() OVER (PARTITION BY uscc ORDER BY year) AS n FROM subsidy_f2 WHERE runs_heyuan_pavilion AND year >= 2015
),
r31 AS (
    SELECT '三(三)1', year, region_code, uscc, name, '承办河源产品特色馆；每年10万元', 10.0, '第' || n || '年（连续2年）'
    FROM pavilion WHERE n <= 2
),
rented AS (
    SELECT *, row_number() OVER (PARTITION BY name ORDER BY year) AS n, round(occupied_area * 0.0024, 4) AS raw
    FROM subsidy_f3 WHERE build_mode = '租用' AND floor_area > 2000 AND occupied_area > 0 AND year >= 2016
),
r21a AS (
    SELECT '三(二)1a', year, region_code, name, name,
           '租用，建筑面积' || subsidy_num(floor_area) || '㎡>2000㎡；入驻面积' || subsidy_num(occupied_area)
           || '㎡×2元/㎡/月×12月=' || subsidy_num(raw) || '万元' || CASE WHEN raw > 20 THEN '，超过每年最高20万元，按20万元' ELSE '' END,
           least(raw, 20.0), '2016年起第' || n || '年（连续3年）'
    FROM rented WHERE n <= 3
),
selfbuilt AS (
    SELECT *, row_number() OVER (PARTITION BY name ORDER BY year) AS n, round(occupied_area * 0.0024, 4) AS raw
    FROM subsidy_f3
    WHERE build_mode = '自建' AND floor_area > 0 AND occupied_area * 10 > floor_area * 6 AND year >= 2015
),
r21b AS (
    SELECT '三(二)1b', year, region_code, name, name,
           '自建，入驻率' || subsidy_num(occupied_area) || '÷' || subsidy_num(floor_area) || '='
           || subsidy_num(round(100 * occupied_area / floor_area, 2)) || '%>60%；入驻面积' || subsidy_num(occupied_area)
           || '㎡×2元/㎡/月×12月=' || subsidy_num(raw) || '万元' || CASE WHEN raw > 50 THEN '，超过每年最高50万元，按50万元' ELSE '' END,
           least(raw, 50.0), '2015年起第' || n || '年（连续3年）'
    FROM selfbuilt WHERE n <= 3
),
recognised AS (
    SELECT year, region AS region_code, name, category, region || '|' || name AS entity_key
    FROM current_f6 WHERE category IN ('电商示范村', '跨境电商平台开通') AND year BETWEEN 2015 AND 2017
    QUALIFY row_number() OVER (PARTITION BY region, name, category ORDER BY year) = 1
),
r34 AS (
    SELECT '三(三)4', year, region_code, entity_key, name, year || '年认定为电商示范村；每个村5万元', 5.0, '2015—2017年认定，每村一次'
    FROM recognised WHERE category = '电商示范村'
),
r36a AS (
    SELECT '三(三)6a', year, region_code, entity_key, name, year || '年跨境电商平台开通；一次性补助10万元', 10.0, '2015—2017年开通，一次性'
    FROM recognised WHERE category = '跨境电商平台开通'
),
est AS (
    SELECT * FROM r2a UNION ALL SELECT * FROM r3 UNION ALL SELECT * FROM r4a UNION ALL SELECT * FROM r4b
    UNION ALL SELECT * FROM r5 UNION ALL SELECT * FROM r31 UNION ALL SELECT * FROM r21a UNION ALL SELECT * FROM r21b
    UNION ALL SELECT * FROM r34 UNION ALL SELECT * FROM r36a
)
SELECT e.rule_id, s.clause, e.year::BIGINT AS year, e.region_code, e.entity_key, e.entity_name, e.basis,
       round(e.amount_wan, 4)::DOUBLE AS amount_wan, '测算：' || e.note AS note
FROM est e LEFT JOIN subsidies s ON s.rule_id = e.rule_id
ORDER BY e.year, e.rule_id, e.region_code, e.entity_key;

CREATE VIEW subsidy_summary AS
SELECT year, clause, count(DISTINCT entity_key) AS entities, round(sum(amount_wan), 4) AS amount_wan
FROM subsidy_estimates GROUP BY year, clause ORDER BY year, clause;

DROP TABLE subsidy_f2;
DROP TABLE subsidy_f3;
