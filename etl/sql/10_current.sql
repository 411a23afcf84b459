-- Staging: rows_fN (every published file's rows) and current_fN (the rows that stand now) are made by
-- etl/warehouse.py from each form's declaration in forms.toml (its key, scope, period and mode).
-- Here: the period macros every later step uses, and the history of submissions.

CREATE MACRO period_year(p) AS CAST(substr(p, 1, 4) AS INTEGER);
CREATE MACRO period_end_month(p) AS CASE
    WHEN length(p) = 4 THEN 12
    WHEN substr(p, 5, 1) = 'Q' THEN 3 * CAST(substr(p, 6, 1) AS INTEGER)
    ELSE CAST(substr(p, 6, 2) AS INTEGER) END;
-- the moment a period ends, in years: '2018' → 2018.0, '2018-06' → 2017.5, '2018Q3' → 2017.75
CREATE MACRO period_t(p) AS period_year(p) - 1 + period_end_month(p) / 12.0;

-- Every published file per form, scope and period, and whether rows of it still stand there.
CREATE VIEW submission_history AS
SELECT c.form, c.region_code, reg.name AS region_name, c.scope, c.period, c.action, c.receipt_id, r.file, r.received_at,
       r.submitted_by, r.decided_by, c.publish_seq,
       EXISTS (SELECT 1 FROM current_scopes s WHERE s.form = c.form AND s.receipt_id = c.receipt_id AND s.scope = c.scope
               AND s.period = c.period)
       OR (c.action = 'zero' AND c.publish_seq = max(c.publish_seq) OVER (PARTITION BY c.form, c.scope, c.period)) AS is_current
FROM receipt_coverage c
JOIN receipts r USING (receipt_id)
LEFT JOIN regions reg USING (region_code);

-- F1 values as they were reported, file by file (the revision history of a region and period).
CREATE VIEW f1_history AS
SELECT f.region AS region_code, f.period, f.retail_total, f.online_retail, f.rural_online_retail,
       f.receipt_id, r.file, r.received_at, r.submitted_by, r.decided_by,
       f.publish_seq = max(f.publish_seq) OVER (PARTITION BY f.region, f.cov_period) AS is_current
FROM rows_f1 f JOIN receipts r USING (receipt_id);
