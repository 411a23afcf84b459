-- The reporting calendar (forms.toml `calendar`): which region owes which form for which year, by when, and
-- what it did. A form is due `due_days` after its year ends; every county and zone owes every annual form each
-- year from the form's `since` year (2015, the policy's year; else the first year anything was reported) up to the
-- current year (judged at `calendar_today`). A year is reported by a file that speaks for the whole year (an annual row, or F1's
-- December / Q4 year-to-date figure), or by a 零报告 (nothing to report that year, e.g. no recognition).
--
--   status  按时报送 / 逾期报送 (first published file sent on or before / after the due date; a 零报告 counts)
--           待审核 (only a waiting web submission) / 逾期未报 (due date passed, nothing) / 未到期 (not yet due)

CREATE TABLE reporting_status AS
WITH due AS (
    SELECT c.form, c.due_days, coalesce(c.since, f.first_year) AS first_year
    FROM form_calendar c
    JOIN forms_declared fd USING (form)
    CROSS JOIN (SELECT min(CAST(period_year(period) AS INTEGER)) AS first_year FROM receipt_coverage) f
    WHERE c.every = 'year' AND fd.scope = 'region'
),
owed AS (
    SELECT d.form, r.region_code, r.name AS region_name, r.level, r.sort_order, y.year,
           make_date(y.year + 1, 1, 1) + CAST(d.due_days - 1 AS INTEGER) AS due_date
    FROM due d
    CROSS JOIN regions r
    CROSS JOIN range(d.first_year, year((SELECT today FROM calendar_today)) + 1) y(year)
    WHERE r.level IN ('county', 'zone')
),
sent AS (  -- a file speaks for a year when it covers the whole year (a part-year F1 row before December does not)
    SELECT c.form, c.region_code, CAST(period_year(c.period) AS INTEGER) AS year, r.status,
           min(r.submitted_on) AS first_sent, arg_min(c.receipt_id, r.submitted_on) AS receipt_id,
           bool_or(c.action = 'zero') AS zero_report
    FROM (SELECT * FROM receipt_coverage UNION ALL
          SELECT r.receipt_id, r.seq, f.form, f.region_code, f.period, f.region_code, f.action, NULL
          FROM pending_coverage f JOIN receipts r USING (receipt_id)) c
    JOIN receipts r USING (receipt_id)
    WHERE period_end_month(c.period) = 12
    GROUP BY ALL
)
SELECT o.form, o.region_code, o.region_name, o.level, o.sort_order, o.year, o.due_date,
       p.first_sent AS submitted_on, p.receipt_id, coalesce(p.zero_report, false) AS zero_report,
       CASE WHEN p.first_sent IS NOT NULL AND p.first_sent <= o.due_date THEN '按时报送'
            WHEN p.first_sent IS NOT NULL THEN '逾期报送'
            WHEN w.receipt_id IS NOT NULL THEN '待审核'
            WHEN o.due_date < (SELECT today FROM calendar_today) THEN '逾期未报'
            ELSE '未到期' END AS status
FROM owed o
LEFT JOIN sent p ON p.form = o.form AND p.region_code = o.region_code AND p.year = o.year AND p.status = 'accepted'
LEFT JOIN sent w ON w.form = o.form AND w.region_code = o.region_code AND w.year = o.year AND w.status = 'pending'
ORDER BY o.form, o.year, o.sort_order;

-- 催报: who owes what now (past due, nothing published).
CREATE VIEW reminders AS
SELECT form, region_code, region_name, year, due_date, (SELECT today FROM calendar_today) - due_date AS days_late
FROM reporting_status WHERE status = '逾期未报' ORDER BY form, year, sort_order;
