-- 政策兑现测算: what the subsidy rules of 河府办〔2015〕43号 三 would give each enterprise or unit a year,
-- worked out from the reported forms (F2 enterprises, F3 parks, F4 training classes, F6 recognitions). An
-- ESTIMATE (测算) from reported data, never a payment decision: recognition by the departments, applications
-- and audits are outside the forms.
--
-- Identity: an enterprise is its 统一社会信用代码 (entity_key = uscc; filed by a county and a zone in one year:
-- the county's row, so it is estimated once); a park, base or building, a village, a platform opened is the
-- place (所在县区, 名称): entity_key = region || '|' || name; a training organiser is (所在县区, 主办单位).
--
-- One boundary reading everywhere (subsidies.csv boundary_note): 以上/以下 include the number; where two
-- adjacent tiers overlap at an edge the HIGHER tier applies (5000万 → 80万 tier, 1亿 → 100万 tier, 3000万 →
-- 30万 tier); 超过 excludes the number (strictly greater).
--
-- One reading of years everywhere (subsidies.csv years_note): a rule applies from its own start year (从2016年
-- 起 …) or, without one, from 2015 (the policy dates from December 2015). 连续N年 is ONE unbroken run per
-- entity: it starts in the entity's first qualifying year (not before the start year) and continues while
-- every following year qualifies; a year that does not qualify, or is not reported, ends it for good
-- (a pavilion 2015, not 2016, again 2017: paid 2015 only). A one-off (一次性) is paid in the first qualifying year.
--
--   三(一)2a  run: the years the uscc is reported as 平台型电商企业 (3 years). Each run year: 20% of
--            loan_interest, capped by the year's online_sales: < 2000 none, [2000, 5000) 50, [5000, 10000) 80,
--            ≥ 10000 100. A year below 2000万 (or without interest) pays nothing but is a year of the run.
--   三(一)2b  run: years of a 平台型电商企业 with online_sales > 2000 and > the previous year's (a reported
--            previous year is needed to see growth) (3 years). Year 1: 50% of local_tax_contribution; years
--            2–3: 50% of (contribution − the previous year's), when positive. No cap in the text.
--   三(一)2c  平台型电商企业 with O2O among its 平台模式 (listed in F2 = registered locally), local_merchants ≥ 500,
--            online_sales > 2000, platform_build_cost reported: one-off 20% of that cost, ≤ 50
--   三(一)3   规上工业企业/限上商贸企业, online_sales > 500 and > the previous year's: one-off 10
--   三(一)4a  小微电商企业, online_sales ≥ 100: one-off 2
--   三(一)4b  规上/限上 in the year after its 三(一)4a year: one-off 5
--   三(一)5   新三板 listing date: one-off 50 in the listing year
--   三(二)1a  run: 租用 place (any category), floor_area > 2000, occupied_area > 0, from 2016 (3 years):
--            occupied_area × 2元/㎡/月 × 12, ≤ 20 a year
--   三(二)1b  run: 自建 聚集发展园区 (企业自建园区; not self-built bases or buildings), occupied_area ÷ floor_area
--            > 60%, from 2015 (3 years): same rate, ≤ 50 a year
--   三(三)1   run: the years it runs a 河源产品特色馆 (2 years): 10 a year
--   三(三)4   电商示范村 recognised 2015–2017: 5 each (once)
--   三(三)6a  跨境电商平台开通 recognised 2015–2017: one-off 10
--   三(三)6b  跨境电商平台 (F2 企业类别) with online_sales of a year in 2015–2017: one-off, in the first such year
--            with sales ≥ 1000: [1000, 3000) 20, ≥ 3000 30
--   三(五)1   classes with 政府购买服务 = 是, by organiser and year the class ended (from 2015): 30% of their
--            total cost, ≤ 20 per organiser and year
-- Not estimated: 三(二)2 (a fixed 30万 a year, not from the forms), 三(四)4 (no 龙头企业 recognition in the forms).

-- a number for the explanation text: 1999.99 → '1999.99', 2000 → '2000', 0.24 → '0.24'
CREATE TEMP MACRO subsidy_num(x) AS rtrim(rtrim(printf('%.4f', x), '0'), '.');

-- one row per enterprise and year (an enterprise filed by a county and a zone: the county's row), with the
-- previous year's sales and tax contribution
CREATE TEMP TABLE subsidy_f2 AS
WITH one AS (
    SELECT f.year, f.uscc, f.name, f.region AS region_code, f.category, f.platform_modes, f.online_sales,
           f.local_merchants, f.loan_interest, f.local_tax_contribution, f.platform_build_cost,
           f.neeq_listing_date, f.runs_heyuan_pavilion
    FROM current_f2 f LEFT JOIN regions r ON r.region_code = f.region
    QUALIFY row_number() OVER (PARTITION BY f.year, f.uscc ORDER BY coalesce(r.in_city_sum, false) DESC, f.region) = 1
)
SELECT c.*, p.online_sales AS prev_sales, p.local_tax_contribution AS prev_tax
FROM one c LEFT JOIN one p ON p.uscc = c.uscc AND p.year = c.year - 1;

-- one row per place (所在县区, 名称) and year: F3's key, so current_f3 has one already
CREATE TEMP TABLE subsidy_f3 AS
SELECT year, name, region AS region_code, region || '|' || name AS entity_key, category, build_mode, floor_area, occupied_area
FROM current_f3;

-- The years each entity qualifies for a rule with a run (连续N年), from the rule's start year.
CREATE TEMP TABLE subsidy_qualifying AS
SELECT '三(一)2a' AS rule_id, uscc AS entity_key, year FROM subsidy_f2
WHERE category = '平台型电商企业' AND year >= 2015
UNION ALL
SELECT '三(一)2b', uscc, year FROM subsidy_f2
WHERE category = '平台型电商企业' AND online_sales > 2000 AND online_sales > prev_sales AND year >= 2015
UNION ALL
SELECT '三(二)1a', entity_key, year FROM subsidy_f3
WHERE build_mode = '租用' AND floor_area > 2000 AND occupied_area > 0 AND year >= 2016
UNION ALL
SELECT '三(二)1b', entity_key, year FROM subsidy_f3
WHERE build_mode = '自建' AND category = '聚集发展园区' AND floor_area > 0 AND occupied_area * 10 > floor_area * 6 AND year >= 2015
UNION ALL
SELECT '三(三)1', uscc, year FROM subsidy_f2 WHERE runs_heyuan_pavilion AND year >= 2015;

-- ONE unbroken run per entity from its first qualifying year: year n of the run is first + n − 1, and a
-- year belongs to the run only if every year before it since the first qualified (rank = n).
CREATE TEMP TABLE subsidy_runs AS
SELECT rule_id, entity_key, year, year - min(year) OVER (PARTITION BY rule_id, entity_key) + 1 AS n
FROM subsidy_qualifying
QUALIFY year - min(year) OVER (PARTITION BY rule_id, entity_key) + 1
        = row_number() OVER (PARTITION BY rule_id, entity_key ORDER BY year);

CREATE TABLE subsidy_estimates AS
WITH
interest AS (
    SELECT f.*, r.n, round(f.loan_interest * 0.2, 4) AS raw,
           CASE WHEN f.online_sales >= 10000 THEN 100 WHEN f.online_sales >= 5000 THEN 80
                WHEN f.online_sales >= 2000 THEN 50 END AS cap
    FROM subsidy_f2 f JOIN subsidy_runs r ON r.rule_id = '三(一)2a' AND r.entity_key = f.uscc AND r.year = f.year
    WHERE r.n <= 3 AND f.loan_interest > 0
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
growth AS (
    SELECT f.*, r.n,
           round(0.5 * CASE WHEN r.n = 1 THEN f.local_tax_contribution ELSE f.local_tax_contribution - f.prev_tax END, 4) AS raw
    FROM subsidy_f2 f JOIN subsidy_runs r ON r.rule_id = '三(一)2b' AND r.entity_key = f.uscc AND r.year = f.year
    WHERE r.n <= 3
),
r2b AS (
    SELECT '三(一)2b', year, region_code, uscc, name,
           '平台年销售额' || subsidy_num(online_sales) || '万元>2000万元，且高于上年' || subsidy_num(prev_sales) || '万元；'
           || CASE WHEN n = 1 THEN '第1年：主税种地方财政贡献' || subsidy_num(local_tax_contribution) || '万元×50%='
                   ELSE '第' || n || '年：主税种地方财政贡献' || subsidy_num(local_tax_contribution) || '万元，比上年'
                        || subsidy_num(prev_tax) || '万元新增' || subsidy_num(local_tax_contribution - prev_tax) || '万元×50%=' END
           || subsidy_num(raw) || '万元',
           raw, '平台型电商企业第' || n || '年（第一年按贡献额50%，第二、三年按新增部分50%）'
    FROM growth WHERE raw > 0
),
r2c AS (
    SELECT '三(一)2c', year, region_code, uscc, name,
           'O2O平台，入驻本地商户' || local_merchants || '家≥500家，平台年销售额' || subsidy_num(online_sales)
           || '万元>2000万元；平台建设费用' || subsidy_num(platform_build_cost) || '万元×20%='
           || subsidy_num(round(platform_build_cost * 0.2, 4)) || '万元'
           || CASE WHEN platform_build_cost * 0.2 > 50 THEN '，超过最高50万元，按50万元' ELSE '' END,
           least(round(platform_build_cost * 0.2, 4), 50.0), '一次性（首个符合年度）'
    FROM subsidy_f2
    WHERE category = '平台型电商企业' AND list_contains(string_split(platform_modes, '、'), 'O2O')
      AND local_merchants >= 500 AND online_sales > 2000 AND platform_build_cost > 0 AND year >= 2015
    QUALIFY row_number() OVER (PARTITION BY uscc ORDER BY year) = 1
),
r3 AS (
    SELECT '三(一)3', year, region_code, uscc, name,
           category || '年网上销售额' || subsidy_num(online_sales) || '万元>500万元，且高于上年'
           || subsidy_num(prev_sales) || '万元；一次性奖励10万元',
           10.0, '一次性（首个符合年度）'
    FROM subsidy_f2
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
r31 AS (
    SELECT '三(三)1', f.year, f.region_code, f.uscc, f.name, '承办河源产品特色馆；每年10万元', 10.0,
           '第' || r.n || '年（连续2年）'
    FROM subsidy_f2 f JOIN subsidy_runs r ON r.rule_id = '三(三)1' AND r.entity_key = f.uscc AND r.year = f.year
    WHERE r.n <= 2
),
places AS (
    SELECT p.*, r.rule_id, r.n, round(p.occupied_area * 0.0024, 4) AS raw
    FROM subsidy_f3 p JOIN subsidy_runs r ON r.rule_id IN ('三(二)1a', '三(二)1b') AND r.entity_key = p.entity_key AND r.year = p.year
    WHERE r.n <= 3
),
r21a AS (
    SELECT rule_id, year, region_code, entity_key, name,
           '租用，建筑面积' || subsidy_num(floor_area) || '㎡>2000㎡；入驻面积' || subsidy_num(occupied_area)
           || '㎡×2元/㎡/月×12月=' || subsidy_num(raw) || '万元' || CASE WHEN raw > 20 THEN '，超过每年最高20万元，按20万元' ELSE '' END,
           least(raw, 20.0), '2016年起连续补助第' || n || '年（连续3年）'
    FROM places WHERE rule_id = '三(二)1a'
),
r21b AS (
    SELECT rule_id, year, region_code, entity_key, name,
           '自建聚集发展园区，入驻率' || subsidy_num(occupied_area) || '÷' || subsidy_num(floor_area) || '='
           || subsidy_num(round(100 * occupied_area / floor_area, 2)) || '%>60%；入驻面积' || subsidy_num(occupied_area)
           || '㎡×2元/㎡/月×12月=' || subsidy_num(raw) || '万元' || CASE WHEN raw > 50 THEN '，超过每年最高50万元，按50万元' ELSE '' END,
           least(raw, 50.0), '2015年起连续补助第' || n || '年（连续3年）'
    FROM places WHERE rule_id = '三(二)1b'
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
r36b AS (
    SELECT '三(三)6b', year, region_code, uscc, name,
           '跨境电商平台' || year || '年销售额' || subsidy_num(online_sales) || '万元'
           || CASE WHEN online_sales >= 3000 THEN '≥3000万元；一次性补助30万元'
                   ELSE '，在1000万元以上、3000万元以下；再给予一次性补助20万元' END,
           CASE WHEN online_sales >= 3000 THEN 30.0 ELSE 20.0 END, '一次性（2015—2017年销售额首次达到1000万元的年度）'
    FROM subsidy_f2
    WHERE category = '跨境电商平台' AND online_sales >= 1000 AND year BETWEEN 2015 AND 2017
    QUALIFY row_number() OVER (PARTITION BY uscc ORDER BY year) = 1
),
training AS (
    SELECT year, region AS region_code, organiser, count(*) AS classes, sum(cost) AS cost,
           round(sum(cost) * 0.3, 4) AS raw
    FROM current_f4 WHERE is_government_purchased AND cost > 0 AND year >= 2015
    GROUP BY year, region, organiser
),
r51 AS (
    SELECT '三(五)1', year, region_code, region_code || '|' || organiser, organiser,
           year || '年政府购买服务培训班' || classes || '个，总培训费用' || subsidy_num(cost) || '万元×30%='
           || subsidy_num(raw) || '万元' || CASE WHEN raw > 20 THEN '，超过最高20万元，按20万元' ELSE '' END,
           least(raw, 20.0), '按主办单位每年计（结业年度）'
    FROM training
),
est AS (
    SELECT * FROM r2a UNION ALL SELECT * FROM r2b UNION ALL SELECT * FROM r2c UNION ALL SELECT * FROM r3
    UNION ALL SELECT * FROM r4a UNION ALL SELECT * FROM r4b UNION ALL SELECT * FROM r5 UNION ALL SELECT * FROM r31
    UNION ALL SELECT * FROM r21a UNION ALL SELECT * FROM r21b UNION ALL SELECT * FROM r34 UNION ALL SELECT * FROM r36a
    UNION ALL SELECT * FROM r36b UNION ALL SELECT * FROM r51
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
DROP TABLE subsidy_qualifying;
DROP TABLE subsidy_runs;
