-- PostgreSQL features armorlake does not have yet (issue 5): each must be
-- refused with SQLSTATE 0A000, never run as something else.





-- todo: functions not built yet
SELECT to_char(ts, 'YYYY') FROM logs LIMIT 1


-- todo: DISTINCT ON
SELECT DISTINCT ON (operation) operation, ts FROM logs ORDER BY operation, ts

-- todo: DISTINCT over aggregates
SELECT DISTINCT count(*) FROM logs GROUP BY operation

-- todo: WITH RECURSIVE
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT n FROM t

-- todo: NATURAL JOIN
SELECT count(*) FROM (SELECT 1 AS x) a NATURAL JOIN (SELECT 1 AS x) b



-- todo: correlated non-aggregate scalar subqueries
SELECT count(*) FROM alerts a WHERE a.pid = (SELECT b.pid FROM alerts b WHERE b.namespace_name = a.namespace_name ORDER BY b.ts LIMIT 1)


-- todo: unnest in FROM
SELECT tag, count(*) FROM alerts, unnest(atags) AS tag GROUP BY 1 ORDER BY 1

-- todo: jsonb containment
SELECT count(*) FROM alerts WHERE event_data @> '{"Sa_family": "AF_INET"}'

-- todo: RANGE frames with offsets
SELECT ts, count(*) OVER (ORDER BY ts RANGE BETWEEN '1 hour' PRECEDING AND CURRENT ROW) FROM alerts ORDER BY ts LIMIT 5

-- todo: GROUPS frames
SELECT severity, count(*) OVER (ORDER BY severity GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM alerts ORDER BY 1 LIMIT 5

-- todo: array_agg over integers
SELECT array_agg(DISTINCT severity) FROM alerts

-- todo: arrays with NULL elements
SELECT ARRAY['a', NULL]

-- todo: arrays of integers
SELECT ARRAY[1, 2]

-- todo: type time
SELECT '12:00'::time

-- todo: sum and avg of intervals
SELECT sum(ts - '2026-11-01') FROM alerts

-- todo: FULL JOIN conditions other than equalities
SELECT count(*) FROM (VALUES (1), (2)) v(x) FULL JOIN (VALUES (1), (3)) w(k) ON w.k = v.x AND w.k > 1
