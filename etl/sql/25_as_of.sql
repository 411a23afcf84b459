-- As of when the published data speak: the latest period with a CITY value (reported by the statistics
-- bureau, summed from all six counties, or counted over the city). One county's part-year figures make no
-- city value, so they never move the as-of; they are listed as reported ahead (as_of_ahead).
CREATE TABLE as_of AS
WITH city AS (
    SELECT period, period_t(period) AS t FROM values_all WHERE region_code = '441600'
    QUALIFY row_number() OVER (ORDER BY period_t(period) DESC, length(period)) = 1
)
SELECT CAST(period_year(period) AS INTEGER) AS as_of_year, period AS as_of_period, t AS as_of_t FROM city
UNION ALL
SELECT NULL, NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM city);

-- Periods after the as-of for which some regions have already reported (a line under every 截至… label).
CREATE VIEW as_of_ahead AS
SELECT v.period, list(DISTINCT r.name ORDER BY r.name) AS regions, count(DISTINCT v.region_code) AS n_regions
FROM values_all v JOIN regions r USING (region_code)
WHERE v.source = 'reported' AND period_t(v.period) > coalesce((SELECT as_of_t FROM as_of), 0)
GROUP BY v.period ORDER BY period_t(v.period);
