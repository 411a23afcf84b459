-- 资金兑现: from what the reported data says an enterprise or place is entitled to (subsidy_estimates, a 测算) to
-- what it applied for, what was approved and what was paid (F7 政策资金兑现表), and whether the fiscal
-- commitments of the policy were kept (fiscal_commitments.csv). 四(四): every year's inspection checks
-- “扶持政策和资金的落实情况”.
--
-- Readings (shown on the 资金兑现 page and in the README):
--   * Identity: an enterprise is its 统一社会信用代码 (entity_key = uscc); a row without one is the place or unit
--     (所在县区, 单位名称): entity_key = region || '|' || name, as in subsidy_estimates (parks, villages, training
--     organisers). An estimate for a place that F7 names with a 统一社会信用代码 (a cross-border platform opened,
--     三(三)6a, is the enterprise of 三(三)6b) belongs to that enterprise. F7's 年度 is the policy year whose
--     entitlement is paid; its 政策条款 is the clause (三(一)2).
--   * A decision is one funder's (资金来源) decision on one entitlement (entity, clause, year): its approved amount
--     is the largest 核定金额 of its rows (rows that state one decision twice, e.g. the city as 全市 and the county,
--     both stand), its paid amount the SUM of their 已拨付金额. 超额拨付: paid above approved (or paid with nothing
--     approved) — a single row cannot be (an error), a decision can: the same payment made twice.
--   * 无测算依据: money paid under a clause the monitor estimates (every subsidy clause but 三(二)2 and 三(四)4)
--     where the reported data gives no entitlement for that entity, clause and year. 应享未申: an entitlement
--     (测算) with no F7 row at all (nothing applied, approved or paid) — enterprises that may be missing out.
--   * Money of a year: a payment counts in the year of its 拨付日期. 四(二): the money of year Y is for the policies
--     of year Y−1 (用于落实上年度…相关政策), so a payment is split by its 年度 into 上年度 (Y−1), 往年 (≤ Y−2,
--     paid late) and 当年 (Y).
--   * Commitments (fiscal_commitments.csv sources / clauses / reading): the sources and clauses that count; 省级
--     money is not the city's commitment and is shown beside it. Status as for the targets: 达标 paid ≥ committed;
--     未达标 the year is over and it is not; 进度正常 / 滞后 for the year in progress, paid at or above / below
--     committed × the share of the year gone (at calendar_today); 无数据 no payment recorded in that year at all.

-- the subsidy clauses the monitor estimates (40_subsidies.sql; 三(二)2 and 三(四)4 are not estimated)
CREATE TABLE funds_estimated_clauses AS
SELECT DISTINCT clause FROM subsidies WHERE rule_id NOT IN ('三(二)2', '三(四)4');

-- Every F7 row that stands, with its entity, the year it was paid, and the file it came from.
CREATE VIEW funds_payments AS
SELECT f.region AS region_code, g.name AS region_name, f.year, f.clause, f.name AS entity_name, f.uscc,
       coalesce(f.uscc, f.region || '|' || f.name) AS entity_key, f.source, f.applied, f.approved, f.paid, f.paid_date,
       year(f.paid_date) AS pay_year, f.receipt_id, r.file, f._sheet AS sheet, f._row AS "row", f.publish_seq
FROM current_f7 f JOIN receipts r USING (receipt_id) LEFT JOIN regions g ON g.region_code = f.region;

-- One funder's decision on one entitlement (see the readings).
CREATE TABLE funds_decisions AS
SELECT entity_key, clause, year, source,
       coalesce(max(region_code) FILTER (WHERE region_code <> '441600'), max(region_code)) AS region_code,
       arg_min(entity_name, publish_seq) AS entity_name, max(uscc) AS uscc,
       max(applied) AS applied_wan, max(approved) AS approved_wan, round(sum(coalesce(paid, 0)), 4) AS paid_wan,
       min(paid_date) FILTER (WHERE paid > 0) AS first_paid_date, max(paid_date) FILTER (WHERE paid > 0) AS last_paid_date,
       count(*) AS rows,
       sum(coalesce(paid, 0)) > coalesce(max(approved), 0) + 0.00005 AS over_paid
FROM funds_payments
GROUP BY entity_key, clause, year, source;

-- The chain per entity, clause and policy year: 测算 (estimate) → 申请 → 核定 → 拨付, and the flags.
CREATE TABLE funds_chain AS
WITH enterprise_places AS (  -- a place that F7 names with a 统一社会信用代码 is that enterprise (a platform opened, F6)
    SELECT region_code || '|' || entity_name AS place_key, min(uscc) AS uscc
    FROM funds_payments WHERE uscc IS NOT NULL GROUP BY ALL
),
est AS (
    SELECT coalesce(p.uscc, e.entity_key) AS entity_key, e.clause, e.year, any_value(e.region_code) AS region_code,
           any_value(e.entity_name) AS entity_name, round(sum(e.amount_wan), 4) AS estimated_wan,
           string_agg(e.rule_id || '：' || e.basis, '；' ORDER BY e.rule_id) AS estimate_basis
    FROM subsidy_estimates e LEFT JOIN enterprise_places p ON p.place_key = e.entity_key
    GROUP BY ALL
),
dec AS (
    SELECT entity_key, clause, year,
           coalesce(max(region_code) FILTER (WHERE region_code <> '441600'), max(region_code)) AS region_code,
           arg_min(entity_name, entity_name IS NULL) AS entity_name, max(uscc) AS uscc,
           round(sum(applied_wan), 4) AS applied_wan, round(sum(approved_wan), 4) AS approved_wan,
           round(sum(paid_wan), 4) AS paid_wan, max(last_paid_date) AS last_paid_date,
           string_agg(source || ' ' || printf('%.2f', paid_wan) || '万元', '、' ORDER BY source) FILTER (WHERE paid_wan > 0) AS paid_by_source,
           bool_or(over_paid) AS over_paid,
           string_agg(source || '核定' || coalesce(printf('%.2f', approved_wan) || '万元', '（未填）') || '，已拨付'
                      || printf('%.2f', paid_wan) || '万元（' || rows || '行）', '；') FILTER (WHERE over_paid) AS over_paid_text
    FROM funds_decisions GROUP BY entity_key, clause, year
),
chain AS (
    SELECT coalesce(e.entity_key, d.entity_key) AS entity_key, coalesce(e.clause, d.clause) AS clause,
           coalesce(e.year, d.year) AS year,
           coalesce(CASE WHEN d.region_code <> '441600' THEN d.region_code END, e.region_code, d.region_code) AS region_code,
           coalesce(d.entity_name, e.entity_name) AS entity_name,
           coalesce(d.uscc, CASE WHEN e.entity_key NOT LIKE '%|%' THEN e.entity_key END) AS uscc,
           e.estimated_wan, e.estimate_basis, d.applied_wan, d.approved_wan, d.paid_wan, d.last_paid_date, d.paid_by_source,
           coalesce(d.over_paid, false) AS flag_over_paid, d.over_paid_text,
           d.entity_key IS NOT NULL AND coalesce(d.paid_wan, 0) > 0 AND e.entity_key IS NULL
               AND coalesce(e.clause, d.clause) IN (SELECT clause FROM funds_estimated_clauses) AS flag_paid_without_entitlement,
           e.entity_key IS NOT NULL AND e.estimated_wan > 0 AND d.entity_key IS NULL AS flag_not_applied
    FROM est e FULL OUTER JOIN dec d ON d.entity_key = e.entity_key AND d.clause = e.clause AND d.year = e.year
)
SELECT c.region_code, g.name AS region_name, c.entity_key, c.entity_name, c.uscc, c.clause, t.title AS clause_title, c.year,
       c.estimated_wan, CASE WHEN c.estimated_wan IS NOT NULL THEN '测算' END AS estimate_label, c.estimate_basis,
       c.applied_wan, c.approved_wan, c.paid_wan, c.last_paid_date, year(c.last_paid_date) - c.year AS pay_lag_years,
       c.paid_by_source,
       CASE WHEN coalesce(c.paid_wan, 0) > 0 AND c.paid_wan + 0.00005 >= coalesce(c.approved_wan, 0) THEN '已拨付'
            WHEN coalesce(c.paid_wan, 0) > 0 THEN '部分拨付'
            WHEN c.approved_wan IS NOT NULL THEN '已核定未拨付'
            WHEN c.applied_wan IS NOT NULL THEN '已申请未核定'
            WHEN c.estimated_wan IS NOT NULL AND c.flag_not_applied THEN '未申请'
            ELSE '已报送未申请' END AS stage,
       c.clause IN (SELECT clause FROM funds_estimated_clauses) AS clause_estimated,
       c.flag_over_paid, c.flag_paid_without_entitlement, c.flag_not_applied,
       concat_ws('；',
           CASE WHEN c.flag_over_paid THEN '超额拨付：' || c.over_paid_text END,
           CASE WHEN c.flag_paid_without_entitlement THEN '无测算依据：报送数据中没有该对象' || c.year || '年' || c.clause || '的应享测算' END,
           CASE WHEN c.flag_not_applied THEN '应享未申：测算应享' || printf('%.2f', c.estimated_wan) || '万元，未见申请或拨付' END
       ) AS flags
FROM chain c LEFT JOIN regions g ON g.region_code = c.region_code LEFT JOIN tasks t ON t.task_id = c.clause
ORDER BY c.year, c.clause, g.sort_order, c.entity_name;

-- Per clause, policy year and region (the county an entitlement or payment belongs to; 441600 for city-wide).
CREATE VIEW funds_summary AS
SELECT year, clause, any_value(clause_title) AS clause_title, region_code, any_value(region_name) AS region_name,
       count(*) AS entities,
       round(sum(estimated_wan), 4) AS estimated_wan, round(sum(applied_wan), 4) AS applied_wan,
       round(sum(approved_wan), 4) AS approved_wan, round(sum(paid_wan), 4) AS paid_wan,
       count(*) FILTER (WHERE estimated_wan IS NOT NULL) AS entitled_entities,
       count(*) FILTER (WHERE applied_wan IS NOT NULL OR approved_wan IS NOT NULL OR paid_wan > 0) AS applied_entities,
       count(*) FILTER (WHERE paid_wan > 0) AS paid_entities,
       count(*) FILTER (WHERE flag_over_paid) AS over_paid, count(*) FILTER (WHERE flag_paid_without_entitlement) AS paid_without_entitlement,
       count(*) FILTER (WHERE flag_not_applied) AS not_applied,
       round(sum(estimated_wan) FILTER (WHERE flag_not_applied), 4) AS not_applied_wan
FROM funds_chain GROUP BY year, clause, region_code
ORDER BY year, clause, region_code;

-- Money paid per year of payment (拨付日期), county (所在县区 of the row; 441600 for 全市), source and clause, split
-- by the policy year it pays (四(二) 上年度).
CREATE VIEW funds_by_pay_year AS
SELECT pay_year, region_code, source, clause, round(sum(paid), 4) AS paid_wan,
       round(sum(paid) FILTER (WHERE year = pay_year - 1), 4) AS for_prev_year_wan,
       round(sum(paid) FILTER (WHERE year <= pay_year - 2), 4) AS for_earlier_years_wan,
       round(sum(paid) FILTER (WHERE year >= pay_year), 4) AS for_same_year_wan
FROM funds_payments WHERE paid > 0 AND pay_year IS NOT NULL
GROUP BY ALL ORDER BY ALL;

-- Each commitment per year (and per source beside it), judged at calendar_today.
CREATE TABLE commitments_progress AS
WITH today AS (SELECT today AS d, year(today) AS y FROM calendar_today),
c AS (
    SELECT row_number() OVER (ORDER BY rowid) AS commitment_order, commitment_id, clause, scope, CAST(amount_wan AS DOUBLE) AS committed_wan, reading,
           string_split(sources, ';') AS counted, CASE WHEN coalesce(clauses, '') <> '' THEN string_split(clauses, ';') END AS clause_list,
           CASE WHEN coalesce(years, '') <> '' THEN list_transform(string_split(years, ';'), lambda x: CAST(x AS INTEGER))
                ELSE range(CAST(from_year AS INTEGER), (SELECT y FROM today) + 1)::INTEGER[] END AS year_list
    FROM fiscal_commitments
),
cy AS (SELECT c.*, unnest(year_list) AS year FROM c),
paid AS (
    SELECT cy.commitment_id, cy.year,
           round(coalesce(sum(p.paid) FILTER (WHERE p.source = '市本级'), 0), 4) AS paid_city_wan,
           round(coalesce(sum(p.paid) FILTER (WHERE p.source = '县区'), 0), 4) AS paid_county_wan,
           round(coalesce(sum(p.paid) FILTER (WHERE p.source = '省级'), 0), 4) AS paid_province_wan,
           round(coalesce(sum(p.paid) FILTER (WHERE list_contains(cy.counted, p.source)), 0), 4) AS paid_wan,
           round(coalesce(sum(p.paid) FILTER (WHERE list_contains(cy.counted, p.source) AND p.year = cy.year - 1), 0), 4) AS for_prev_year_wan,
           round(coalesce(sum(p.paid) FILTER (WHERE list_contains(cy.counted, p.source) AND p.year <= cy.year - 2), 0), 4) AS for_earlier_years_wan,
           round(coalesce(sum(p.paid) FILTER (WHERE list_contains(cy.counted, p.source) AND p.year >= cy.year), 0), 4) AS for_same_year_wan
    FROM cy LEFT JOIN funds_payments p
      ON p.pay_year = cy.year AND p.paid > 0 AND (cy.clause_list IS NULL OR list_contains(cy.clause_list, p.clause))
    GROUP BY cy.commitment_id, cy.year
),
any_paid AS (SELECT DISTINCT pay_year FROM funds_payments WHERE paid > 0)
SELECT cy.commitment_order, cy.commitment_id, cy.clause, cy.scope, cy.year, cy.committed_wan, array_to_string(cy.counted, '、') AS counted_sources,
       coalesce(array_to_string(cy.clause_list, '、'), '全部条款') AS counted_clauses,
       p.paid_city_wan, p.paid_county_wan, p.paid_province_wan, p.paid_wan,
       p.for_prev_year_wan, p.for_earlier_years_wan, p.for_same_year_wan,
       round(p.paid_wan / cy.committed_wan, 4) AS ratio,
       CASE WHEN cy.year < t.y THEN cy.committed_wan
            WHEN cy.year = t.y THEN round(cy.committed_wan * (dayofyear(t.d)) / dayofyear(make_date(t.y, 12, 31)), 4)
       END AS expected_wan,
       CASE WHEN cy.year NOT IN (SELECT pay_year FROM any_paid) THEN '无数据'
            WHEN p.paid_wan + 0.00005 >= cy.committed_wan THEN '达标'
            WHEN cy.year < t.y THEN '未达标'
            WHEN p.paid_wan + 0.00005 >= cy.committed_wan * dayofyear(t.d) / dayofyear(make_date(t.y, 12, 31)) THEN '进度正常'
            ELSE '滞后' END AS status,
       CASE WHEN cy.clause = '四(二)' THEN cy.year - 1 END AS pays_policy_year, cy.reading, t.d AS judged_on
FROM cy JOIN paid p USING (commitment_id, year) CROSS JOIN today t
ORDER BY cy.commitment_order, cy.year;
