-- Staging: what each kept file said, and which of it is current.
-- A newer accepted file of the same form for the same region and period supersedes the older ones;
-- the older rows stay in the history (rows_fN keep every accepted file's rows).

CREATE MACRO period_year(p) AS CAST(substr(p, 1, 4) AS INTEGER);
CREATE MACRO period_end_month(p) AS CASE
    WHEN length(p) = 4 THEN 12
    WHEN substr(p, 5, 1) = 'Q' THEN 3 * CAST(substr(p, 6, 1) AS INTEGER)
    ELSE CAST(substr(p, 6, 2) AS INTEGER) END;
-- the moment a period ends, in years: '2018' → 2018.0, '2018-06' → 2017.5, '2018Q3' → 2017.75
CREATE MACRO period_t(p) AS period_year(p) - 1 + period_end_month(p) / 12.0;

CREATE TABLE current_f1 AS SELECT * FROM rows_f1 QUALIFY receipt_seq = max(receipt_seq) OVER (PARTITION BY region, cov_period);
CREATE TABLE current_f2 AS SELECT * FROM rows_f2 QUALIFY receipt_seq = max(receipt_seq) OVER (PARTITION BY region, cov_period);
CREATE TABLE current_f3 AS SELECT * FROM rows_f3 QUALIFY receipt_seq = max(receipt_seq) OVER (PARTITION BY region, cov_period);
CREATE TABLE current_f4 AS SELECT * FROM rows_f4 QUALIFY receipt_seq = max(receipt_seq) OVER (PARTITION BY region, cov_period);
CREATE TABLE current_f5 AS SELECT * FROM rows_f5 QUALIFY receipt_seq = max(receipt_seq) OVER (PARTITION BY region, cov_period);
CREATE TABLE current_f6 AS SELECT * FROM rows_f6 QUALIFY receipt_seq = max(receipt_seq) OVER (PARTITION BY region, cov_period);

-- Which file is current for each form, region and period, and which it superseded.
CREATE VIEW submission_history AS
SELECT c.form, c.region_code, reg.name AS region_name, c.period, c.receipt_id, r.file, r.received_at,
       c.seq = max(c.seq) OVER (PARTITION BY c.form, c.region_code, c.period) AS is_current
FROM receipt_coverage c
JOIN receipts r USING (receipt_id)
LEFT JOIN regions reg USING (region_code)
WHERE r.status = 'accepted';

-- F1 values as they were reported, file by file (the revision history of a region and period).
CREATE VIEW f1_history AS
SELECT f.region AS region_code, f.period, f.retail_total, f.online_retail, f.rural_online_retail,
       f.receipt_id, r.file, r.received_at,
       f.receipt_seq = max(f.receipt_seq) OVER (PARTITION BY f.region, f.cov_period) AS is_current
FROM rows_f1 f JOIN receipts r USING (receipt_id);
