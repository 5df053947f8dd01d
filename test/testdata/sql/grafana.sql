-- Grafana's PostgreSQL datasource: panel queries as its macros expand them
-- (../shared/reference/pgwire-clients.md §1.3), and its metadata queries.
-- Every macro of §1.3 appears at least once.

-- $__timeGroupAlias(ts, $__interval) with $__interval = 1m, $__timeFilter(ts);
-- Grafana orders by time alone, the metric is added for a stable order
SELECT floor(extract(epoch from ts)/60)*60 AS "time", namespace_name AS metric, count(*) AS value FROM alerts WHERE ts BETWEEN '2026-11-01T00:00:00Z' AND '2026-11-01T06:00:00Z' GROUP BY 1,2 ORDER BY 1,2

-- $__timeGroup(ts, '5m') and $__time(ts)
SELECT floor(extract(epoch from ts)/300)*300 AS "time", count(*) FROM logs WHERE ts BETWEEN '2026-11-01T01:00:00Z' AND '2026-11-01T02:30:00.5Z' GROUP BY 1 ORDER BY 1

SELECT ts AS "time", host_name, severity FROM alerts WHERE ts BETWEEN '2026-11-01T03:00:00Z' AND '2026-11-01T03:10:00Z' ORDER BY 1, 2, 3

-- $__timeGroup(ts, '500ms'): fractional seconds
SELECT floor(extract(epoch from ts)/0.5)*0.5 AS "time", count(*) FROM messages WHERE ts BETWEEN '2026-11-01T00:00:00Z' AND '2026-11-01T12:00:00Z' GROUP BY 1 ORDER BY 1

-- $__timeEpoch(ts)
SELECT extract(epoch from ts) as "time", pid FROM alerts WHERE ts BETWEEN '2026-11-01T05:00:00Z' AND '2026-11-01T05:05:00Z' ORDER BY 1, 2

-- $__timeFrom() and $__timeTo()
SELECT count(*) FROM logs WHERE ts >= '2026-11-01T06:00:00Z' AND ts < '2026-11-01T07:00:00Z'

-- $__unixEpochFilter(timestamp) and $__unixEpochGroupAlias(timestamp, '1h')
SELECT floor((timestamp)/3600)*3600 AS "time", count(*) FROM alerts WHERE timestamp >= 1793491200 AND timestamp <= 1793512800 GROUP BY 1 ORDER BY 1

-- $__unixEpochNanoFilter(timestamp * 1000000000) and $__unixEpochGroup(timestamp, '30m')
SELECT floor((timestamp)/1800)*1800, count(*) FROM logs WHERE timestamp * 1000000000 >= 1793491200000000000 AND timestamp * 1000000000 <= 1793512800000000000 GROUP BY 1 ORDER BY 1

-- Query builder SQL: aggregate, filter, group, order, limit
SELECT action, max(severity) AS "max_severity", count(pid) AS "count" FROM alerts WHERE severity > 3 GROUP BY action ORDER BY count(pid) DESC LIMIT 50

-- The TimescaleDB probe (the version probe differs by design: armorlake
-- is PostgreSQL 16 to clients, the oracle 15; test/clients_test.go checks it)
SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'

-- A template variable with __text and __value
SELECT DISTINCT namespace_name AS __text, namespace_name AS __value FROM alerts ORDER BY 1

-- Group keys the aggregation groups by the integer inside: a cast, a
-- product and a sum of an integer expression
SELECT floor(extract(epoch from ts)/3600)*3600 + 7 AS "time", namespace_name, count(*) FROM alerts GROUP BY 1, 2 ORDER BY 1, 2

SELECT CAST(severity AS text) AS s, count(*) FROM alerts GROUP BY 1 ORDER BY 1

SELECT severity * 10 - 3 AS s, count(*) FROM alerts GROUP BY severity * 10 - 3 ORDER BY 1

SELECT 100 - CAST(floor(extract(epoch from ts)/86400) AS numeric) AS d, count(DISTINCT host_name) FROM logs GROUP BY 1 ORDER BY 1

-- The newest and oldest rows under a filter: top-N on the time column
SELECT ts, host_name, pod_name, resource FROM logs WHERE operation = 'File' AND resource LIKE '/etc/%' ORDER BY ts DESC LIMIT 100

SELECT ts, host_name, resource FROM logs WHERE operation = 'Network' ORDER BY ts LIMIT 30

SELECT ts, pid FROM logs WHERE ts < '2026-11-01T12:00:00Z' ORDER BY ts DESC, pid LIMIT 50

SELECT ts, policy_name FROM alerts WHERE severity >= 5 ORDER BY ts DESC LIMIT 7 OFFSET 3
