-- 任务督办: the 22 tasks of 三、明确任务, who leads and who cooperates, what each unit reported every quarter
-- (F8 重点任务进展表), who owes which report, and a traffic light per task as the 督办 practice reads it.
--
-- Readings (shown on the 任务督办 page and in the README):
--   * A report speaks for the quarter in which its 报告期 ends: 2024Q2 → 2024Q2, 2024-06 (or 2024年上半年) → 2024Q2,
--     an annual 2024 → 2024Q4. Of several reports of one unit on one task in one quarter, the latest period wins
--     (then the latest published file).
--   * Calendar (forms.toml F8 calendar: every quarter, due 15 days after it ends, e.g. 2024Q1 by 2024-04-15):
--     every lead AND cooperating unit of a task owes a report on it for every quarter from the first quarter
--     anyone reported F8 up to the quarter of the day judged (`calendar_today`, ECMON_TODAY overrides today).
--     A report counts for its quarter whenever it was sent (a report known now is not "missing"); 按时报送 /
--     逾期报送 compare the first day it was sent with the due date. After a task is closed (销号: a lead unit
--     reported 已完成 and named the evidence in 进展情况), nothing more is owed on it.
--   * Lights, judged at a day D, for the last quarter whose due date lies before D (the 督办 quarter):
--       灰灯  已完成销号: a lead unit reported 已完成 with evidence (its 进展情况) in a quarter up to D's quarter;
--       红灯  the task's latest reported quarter has a report 滞后 (lead or cooperating unit), or a lead unit's
--             report for the 督办 quarter is missing (its due date has passed);
--       黄灯  no progress for two periods: a lead unit's last two reports have the same status and the same
--             进展情况 (spaces ignored), or are both 未启动; or a lead unit reported 已完成 without evidence;
--       绿灯  every lead unit reported the 督办 quarter, 推进中 (or 未启动 once);
--       无数据 no report yet, and none due.
--     The reason is always written out in words beside the light (never colour alone).

-- a quarter as one number (year × 4 + quarter − 1), its name, its Chinese label and its due date
CREATE MACRO quarter_index(p) AS period_year(p) * 4 + (period_end_month(p) + 2) // 3 - 1;
CREATE MACRO quarter_name(qi) AS CAST(qi // 4 AS VARCHAR) || 'Q' || CAST(qi % 4 + 1 AS VARCHAR);
CREATE MACRO quarter_label(qi) AS CAST(qi // 4 AS VARCHAR) || '年第' || ['一', '二', '三', '四'][qi % 4 + 1] || '季度';
CREATE MACRO quarter_due(qi) AS last_day(make_date(CAST(qi // 4 AS BIGINT), CAST((qi % 4) * 3 + 3 AS BIGINT), 1))
    + coalesce((SELECT due_days FROM form_calendar WHERE form = 'F8'), 15);
-- progress text compared for "no change": blanks and every kind of space ignored
CREATE MACRO progress_norm(t) AS regexp_replace(coalesce(t, ''), '\s+', '', 'g');
-- 销号: a lead unit's 已完成 with its evidence in 进展情况 (the calendar and the lights judge it by this one rule)
CREATE MACRO closes_task(role, status, progress) AS role = '牵头' AND status = '已完成' AND progress_norm(progress) <> '';
CREATE MACRO date_quarter_index(d) AS year(CAST(d AS DATE)) * 4 + quarter(CAST(d AS DATE)) - 1;

-- Each task's lead (牵头) and cooperating (配合) units, one row each, in the order the policy names them.
CREATE TABLE task_units AS
WITH t AS (
    SELECT row_number() OVER (ORDER BY rowid) AS task_order, task_id, title,
           string_split(lead_units, ';') AS leads, string_split(coalesce(cooperating_units, ''), ';') AS coops
    FROM tasks
),
u AS (
    SELECT task_order, task_id, title, '牵头' AS role, 1 AS role_order, unnest(leads) AS unit, generate_subscripts(leads, 1) AS pos FROM t
    UNION ALL
    SELECT task_order, task_id, title, '配合', 2, unnest(coops), generate_subscripts(coops, 1) FROM t
)
SELECT task_order, task_id, title, trim(unit) AS unit, role,
       row_number() OVER (PARTITION BY task_id ORDER BY role_order, pos) AS unit_order
FROM u WHERE trim(unit) <> ''
QUALIFY row_number() OVER (PARTITION BY task_id, trim(unit) ORDER BY role_order, pos) = 1
ORDER BY task_order, unit_order;

-- Per unit: the tasks it leads and those it cooperates on (市商务局 牵头15项 …), joint-meeting members first.
CREATE TABLE unit_tasks AS
SELECT u.unit,
       count(*) FILTER (WHERE u.role = '牵头') AS tasks_led,
       count(*) FILTER (WHERE u.role = '配合') AS tasks_cooperating,
       coalesce(string_agg(u.task_id, '、' ORDER BY u.task_order) FILTER (WHERE u.role = '牵头'), '') AS led_task_ids,
       coalesce(string_agg(u.task_id, '、' ORDER BY u.task_order) FILTER (WHERE u.role = '配合'), '') AS cooperating_task_ids,
       m.unit IS NOT NULL AS joint_meeting_member,
       row_number() OVER (ORDER BY CAST(m.sort_order AS INTEGER) NULLS LAST, u.unit) AS unit_sort
FROM task_units u LEFT JOIN joint_meeting_units m ON m.unit = u.unit
GROUP BY u.unit, m.unit, m.sort_order
ORDER BY unit_sort;

-- Every report that stands (current_f8), one per task, unit and quarter, with the day it was first sent.
CREATE TABLE task_progress AS
WITH sent AS (
    SELECT f.task, f.unit, f.period, min(r.submitted_on) AS first_sent
    FROM rows_f8 f JOIN receipts r USING (receipt_id) GROUP BY ALL
),
rep AS (
    SELECT c.task AS task_id, c.unit, c.period, quarter_index(c.period) AS qi, c.status, c.progress, c.problems,
           c.next_steps, s.first_sent AS submitted_on, c.receipt_id, r.file, c.publish_seq
    FROM current_f8 c
    JOIN receipts r USING (receipt_id)
    LEFT JOIN sent s ON s.task = c.task AND s.unit = c.unit AND s.period = c.period
)
SELECT rep.task_id, coalesce(tu.title, t.title) AS title, rep.unit, coalesce(tu.role, '非责任单位') AS role,
       rep.qi, quarter_name(rep.qi) AS quarter, quarter_due(rep.qi) AS due_date, rep.period, rep.status, rep.progress,
       rep.problems, rep.next_steps, rep.submitted_on,
       CASE WHEN rep.submitted_on <= quarter_due(rep.qi) THEN '按时报送' ELSE '逾期报送' END AS timeliness,
       rep.receipt_id, rep.file
FROM rep
LEFT JOIN task_units tu ON tu.task_id = rep.task_id AND tu.unit = rep.unit
LEFT JOIN tasks t ON t.task_id = rep.task_id
QUALIFY row_number() OVER (PARTITION BY rep.task_id, rep.unit, rep.qi ORDER BY period_t(rep.period) DESC, rep.publish_seq DESC) = 1
ORDER BY rep.qi, rep.task_id, rep.unit;

-- The reporting calendar judged at a day: who owes which task report for which quarter, and what happened.
--   report_status  按时报送 / 逾期报送 (a report stands; first sent on or before / after the due date)
--                  已销号 (the task was closed in an earlier quarter: nothing owed) / 逾期未报 / 未到期
CREATE MACRO task_calendar_at(judge) AS TABLE
WITH span AS (
    SELECT (SELECT min(qi) FROM task_progress) AS first_qi,
           date_quarter_index(judge) AS judge_qi
),
quarters AS (
    SELECT q.qi, quarter_due(q.qi) AS due_date
    FROM span, range(coalesce(span.first_qi, span.judge_qi + 1), span.judge_qi + 1) q(qi)  -- no report yet: none
),
closed AS (
    SELECT p.task_id, min(p.qi) AS closed_qi FROM task_progress p, span
    WHERE closes_task(p.role, p.status, p.progress) AND p.qi <= span.judge_qi
    GROUP BY p.task_id
)
SELECT u.task_order, u.task_id, u.title, u.unit, u.role, u.unit_order, q.qi, quarter_name(q.qi) AS quarter,
       q.due_date, p.period, p.status, p.progress, p.problems, p.next_steps, p.submitted_on, p.receipt_id,
       CASE WHEN p.qi IS NOT NULL THEN p.timeliness
            WHEN c.closed_qi < q.qi THEN '已销号'
            WHEN q.due_date < CAST(judge AS DATE) THEN '逾期未报'
            ELSE '未到期' END AS report_status,
       CASE WHEN p.qi IS NULL AND NOT coalesce(c.closed_qi < q.qi, false) AND q.due_date < CAST(judge AS DATE)
            THEN CAST(judge AS DATE) - q.due_date END AS days_late
FROM task_units u
CROSS JOIN quarters q
LEFT JOIN task_progress p ON p.task_id = u.task_id AND p.unit = u.unit AND p.qi = q.qi
LEFT JOIN closed c ON c.task_id = u.task_id;

-- The light of every task judged at a day (see the readings above), with its reason in words.
CREATE MACRO task_lights_at(judge) AS TABLE
WITH judged AS (
    SELECT CAST(judge AS DATE) AS d, date_quarter_index(judge) AS judge_qi
),
cal AS (SELECT * FROM task_calendar_at(judge)),
review AS (  -- the 督办 quarter: the last one whose due date has passed
    SELECT max(qi) AS qi, max(due_date) AS due_date FROM cal, judged WHERE cal.due_date < judged.d
),
reports AS (
    SELECT p.* FROM task_progress p, judged WHERE p.qi <= judged.judge_qi AND p.role <> '非责任单位'
),
closed AS (
    SELECT task_id, arg_min(unit, qi) AS unit, min(qi) AS qi, arg_min(progress, qi) AS progress
    FROM reports WHERE closes_task(role, status, progress) GROUP BY task_id
),
latest AS (SELECT task_id, max(qi) AS qi FROM reports GROUP BY task_id),
lagging AS (
    SELECT r.task_id, string_agg(r.unit || '报告' || quarter_label(r.qi) || '进展滞后' || coalesce('：' || r.problems, ''),
                                 '；' ORDER BY r.role DESC, r.unit) AS text
    FROM reports r JOIN latest l ON l.task_id = r.task_id AND l.qi = r.qi
    WHERE r.status = '滞后' GROUP BY r.task_id
),
missing AS (
    SELECT c.task_id, string_agg(c.unit, '、' ORDER BY c.unit_order) AS units
    FROM cal c, review WHERE c.role = '牵头' AND c.qi = review.qi AND c.report_status = '逾期未报' GROUP BY c.task_id
),
lead_reports AS (
    SELECT task_id, unit, qi, status, progress, row_number() OVER (PARTITION BY task_id, unit ORDER BY qi DESC) AS k
    FROM reports WHERE role = '牵头'
),
stuck AS (
    SELECT a.task_id,
           string_agg(a.unit || CASE WHEN a.status = '未启动' AND b.status = '未启动' THEN '连续两期（' || quarter_label(b.qi)
                                          || '、' || quarter_label(a.qi) || '）未启动'
                                     ELSE '连续两期（' || quarter_label(b.qi) || '、' || quarter_label(a.qi)
                                          || '）进展无变化（' || a.status || '，进展情况相同）' END, '；' ORDER BY a.unit) AS text
    FROM lead_reports a JOIN lead_reports b ON b.task_id = a.task_id AND b.unit = a.unit AND a.k = 1 AND b.k = 2
    WHERE a.status <> '已完成' AND ((a.status = '未启动' AND b.status = '未启动')
          OR (a.status = b.status AND progress_norm(a.progress) = progress_norm(b.progress)))
    GROUP BY a.task_id
),
no_evidence AS (
    SELECT task_id, string_agg(unit || '报告' || quarter_label(qi) || '已完成，但未写明完成依据，不能销号', '；' ORDER BY unit) AS text
    FROM lead_reports WHERE k = 1 AND status = '已完成' AND progress_norm(progress) = '' GROUP BY task_id
),
lead_now AS (  -- the lead units' reports for the 督办 quarter
    SELECT c.task_id, bool_and(c.status IS NOT NULL) AS all_reported,
           string_agg(c.unit || '：' || coalesce(c.status, '未报送'), '；' ORDER BY c.unit_order) AS text
    FROM cal c, review WHERE c.role = '牵头' AND c.qi = review.qi GROUP BY c.task_id
),
lead_latest AS (
    SELECT task_id, arg_max(status, qi) AS status, max(qi) AS qi FROM lead_reports GROUP BY task_id
),
t AS (
    SELECT row_number() OVER (ORDER BY rowid) AS task_order, * FROM tasks
)
SELECT t.task_order, t.task_id, t.title, t.section_title,
       replace(t.lead_units, ';', '、') AS lead_units, replace(coalesce(t.cooperating_units, ''), ';', '、') AS cooperating_units,
       CASE WHEN cl.task_id IS NOT NULL THEN '灰灯' WHEN lg.task_id IS NOT NULL OR m.task_id IS NOT NULL THEN '红灯'
            WHEN s.task_id IS NOT NULL OR ne.task_id IS NOT NULL THEN '黄灯' WHEN ln.all_reported THEN '绿灯'
            WHEN lt.qi IS NOT NULL AND review.qi IS NULL THEN '绿灯' ELSE '无数据' END AS light,
       CASE WHEN cl.task_id IS NOT NULL
                THEN '已完成销号（' || cl.unit || '报告' || quarter_label(cl.qi) || '）：' || cl.progress
            WHEN lg.task_id IS NOT NULL OR m.task_id IS NOT NULL
                THEN concat_ws('；', lg.text, m.units || '未报送' || quarter_label(review.qi) || '进展（截止'
                                               || strftime(review.due_date, '%Y-%m-%d') || '）')
            WHEN s.task_id IS NOT NULL OR ne.task_id IS NOT NULL THEN concat_ws('；', s.text, ne.text)
            WHEN ln.all_reported THEN '牵头单位已报送' || quarter_label(review.qi) || '进展（' || ln.text || '）'
            WHEN lt.qi IS NOT NULL AND review.qi IS NULL THEN '尚无到期的报告；最新报告（' || quarter_label(lt.qi) || '）：' || lt.status
            WHEN review.qi IS NULL THEN '尚无进展报告，也未到第一个报送截止日'
            ELSE '尚无进展报告' END AS reason,
       lt.status AS lead_status, quarter_name(lt.qi) AS lead_quarter,
       quarter_name(l.qi) AS latest_quarter,
       quarter_name(review.qi) AS review_quarter, review.due_date AS review_due_date, judged.d AS judged_on,
       cl.qi IS NOT NULL AS closed, quarter_name(cl.qi) AS closed_quarter
FROM t
CROSS JOIN judged
CROSS JOIN review
LEFT JOIN closed cl ON cl.task_id = t.task_id
LEFT JOIN lagging lg ON lg.task_id = t.task_id
LEFT JOIN missing m ON m.task_id = t.task_id
LEFT JOIN stuck s ON s.task_id = t.task_id
LEFT JOIN no_evidence ne ON ne.task_id = t.task_id
LEFT JOIN lead_now ln ON ln.task_id = t.task_id
LEFT JOIN lead_latest lt ON lt.task_id = t.task_id
LEFT JOIN latest l ON l.task_id = t.task_id
ORDER BY t.task_order;

-- Judged today (calendar_today): the calendar, the lights, and who owes what now (催报).
CREATE TABLE task_calendar AS SELECT * FROM task_calendar_at((SELECT today FROM calendar_today)) ORDER BY qi, task_order, unit_order;
CREATE TABLE task_lights AS SELECT * FROM task_lights_at((SELECT today FROM calendar_today));
CREATE VIEW task_reminders AS
SELECT task_id, title, unit, role, quarter, due_date, days_late
FROM task_calendar WHERE report_status = '逾期未报' ORDER BY qi, task_order, unit_order;

-- The quarters a 督办 can be judged for: each quarter whose reports are due before today, judged on the day the
-- next quarter's reports fall due (or today, if that is later), with how many reports it has.
CREATE VIEW task_review_points AS
SELECT qi, quarter_name(qi) AS quarter, quarter_label(qi) AS quarter_label, quarter_due(qi) AS due_date,
       least((SELECT today FROM calendar_today), quarter_due(qi + 1)) AS judged_on,
       (SELECT count(*) FROM task_progress p WHERE p.qi = q.qi AND p.role <> '非责任单位') AS reports
FROM (SELECT DISTINCT qi FROM task_calendar) q
WHERE quarter_due(qi) < (SELECT today FROM calendar_today)
ORDER BY qi;
