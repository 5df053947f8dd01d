-- Window functions over the rows a query fetches.

SELECT ts, pid, row_number() OVER (ORDER BY ts, pid, host_name, pod_name) FROM alerts ORDER BY ts, pid, host_name, pod_name LIMIT 10

SELECT namespace_name, ts, row_number() OVER (PARTITION BY namespace_name ORDER BY ts, pid, host_name, pod_name) AS rn FROM alerts ORDER BY namespace_name, rn LIMIT 20

SELECT severity, rank() OVER (ORDER BY severity), dense_rank() OVER (ORDER BY severity) FROM alerts WHERE severity IS NOT NULL ORDER BY severity, 2 LIMIT 30

SELECT count(*) FROM (SELECT row_number() OVER (PARTITION BY host_name ORDER BY ts) AS rn FROM logs) s WHERE rn = 1

SELECT x, lag(x) OVER (ORDER BY x), lead(x) OVER (ORDER BY x), lag(x, 2, -1) OVER (ORDER BY x), lead(x, 1, 0) OVER (ORDER BY x DESC) FROM (VALUES (1), (2), (3), (5)) v(x) ORDER BY x

SELECT g, x, sum(x) OVER (PARTITION BY g), sum(x) OVER (PARTITION BY g ORDER BY x), count(*) OVER (), count(*) OVER (ORDER BY x), avg(x) OVER (PARTITION BY g) FROM (VALUES ('a', 1), ('a', 2), ('a', 2), ('b', 5), ('b', NULL)) v(g, x) ORDER BY g, x NULLS LAST

SELECT g, x, min(x) OVER (PARTITION BY g ORDER BY x DESC), max(x) OVER (ORDER BY g, x) FROM (VALUES ('a', 1), ('a', 2), ('b', 5), ('b', 3)) v(g, x) ORDER BY g, x

SELECT host_name, ts, lag(ts) OVER (PARTITION BY host_name ORDER BY ts) IS NULL AS first, lead(level) OVER (PARTITION BY host_name ORDER BY ts) FROM messages ORDER BY host_name, ts LIMIT 10

SELECT operation, pid, count(*) OVER (PARTITION BY operation) AS n FROM logs WHERE pid < 200 ORDER BY operation, pid, n LIMIT 10

SELECT namespace_name, n FROM (SELECT namespace_name, count(*) OVER (PARTITION BY namespace_name) AS n, row_number() OVER (PARTITION BY namespace_name ORDER BY ts) AS rn FROM alerts) s WHERE rn = 1 ORDER BY n DESC, namespace_name

SELECT x, row_number() OVER () IS NOT NULL FROM (VALUES (1), (2)) v(x) ORDER BY x

SELECT ns, n, rank() OVER (ORDER BY n DESC) FROM (SELECT namespace_name AS ns, count(*) AS n FROM alerts GROUP BY 1) t ORDER BY 3, 1

SELECT namespace_name, count(*), rank() OVER (ORDER BY count(*) DESC) FROM alerts GROUP BY 1 ORDER BY 3, 1

SELECT operation, result, count(*) AS n, sum(count(*)) OVER (PARTITION BY operation) AS per_op, count(*) * 100 / sum(count(*)) OVER () AS pct FROM logs GROUP BY 1, 2 ORDER BY 1, 2

SELECT date_trunc('hour', ts) AS h, count(*), sum(count(*)) OVER (ORDER BY date_trunc('hour', ts)) AS running FROM alerts GROUP BY 1 ORDER BY 1 LIMIT 8

SELECT host_name, count(*), dense_rank() OVER (ORDER BY count(*)) AS r, lag(count(*)) OVER (ORDER BY host_name) FROM logs GROUP BY host_name ORDER BY host_name

SELECT severity, max(pid), row_number() OVER (ORDER BY severity NULLS FIRST) FROM alerts GROUP BY severity ORDER BY 3

SELECT count(*), rank() OVER (ORDER BY count(*)) FROM alerts

SELECT h, n, sum(n) OVER (ORDER BY h ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS moving, avg(n) OVER (ORDER BY h ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS smooth FROM (SELECT date_trunc('hour', ts) AS h, count(*) AS n FROM logs GROUP BY 1) s ORDER BY h

SELECT h, n, sum(n) OVER (ORDER BY h ROWS UNBOUNDED PRECEDING), sum(n) OVER (ORDER BY h ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), count(*) OVER (ORDER BY h ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) FROM (SELECT date_trunc('hour', ts) AS h, count(*) AS n FROM alerts GROUP BY 1) s ORDER BY h

SELECT op, h, n, max(n) OVER (PARTITION BY op ORDER BY h ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING), min(n) OVER (PARTITION BY op ORDER BY h ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING) FROM (SELECT operation AS op, date_trunc('hour', ts) AS h, count(*) AS n FROM logs GROUP BY 1, 2) s ORDER BY op, h

SELECT severity, count(*) OVER (ORDER BY severity RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), count(*) OVER (ORDER BY severity RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), sum(severity) OVER (ORDER BY severity RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM alerts ORDER BY 1, 2, 3 LIMIT 20

SELECT namespace_name, severity, first_value(severity) OVER w1, last_value(severity) OVER w1, nth_value(severity, 2) OVER w1 FROM alerts WINDOW w1 AS (PARTITION BY namespace_name ORDER BY severity) ORDER BY 1, 2 LIMIT 5

SELECT h, n, first_value(n) OVER (ORDER BY h), last_value(n) OVER (ORDER BY h), last_value(n) OVER (ORDER BY h ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), nth_value(n, 3) OVER (ORDER BY h ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM (SELECT date_trunc('hour', ts) AS h, count(*) AS n FROM alerts GROUP BY 1) s ORDER BY h

SELECT namespace_name, severity, first_value(severity) OVER (PARTITION BY namespace_name ORDER BY severity DESC NULLS LAST), last_value(severity) OVER (PARTITION BY namespace_name ORDER BY severity RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM alerts ORDER BY 1, 2 NULLS FIRST LIMIT 12

SELECT h, n, avg(n) OVER (ORDER BY h ROWS 2 PRECEDING) FROM (SELECT date_trunc('hour', ts) AS h, count(*) AS n FROM messages GROUP BY 1) s ORDER BY h

SELECT h, n, sum(n) OVER (ORDER BY h ROWS BETWEEN 0 PRECEDING AND 0 FOLLOWING), count(*) OVER (ORDER BY h ROWS BETWEEN 5 FOLLOWING AND 2 FOLLOWING) FROM (SELECT date_trunc('hour', ts) AS h, count(*) AS n FROM alerts GROUP BY 1) s ORDER BY h

-- error: a negative frame offset
SELECT count(*) OVER (ORDER BY ts ROWS BETWEEN -1 PRECEDING AND CURRENT ROW) FROM alerts

-- error: nth_value of zero
SELECT nth_value(pid, 0) OVER (ORDER BY ts) FROM alerts

SELECT h, n, sum(n) OVER w, avg(n) OVER (w ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), rank() OVER w FROM (SELECT date_trunc('hour', ts) AS h, count(*) AS n FROM alerts GROUP BY 1) s WINDOW w AS (ORDER BY h) ORDER BY h

SELECT op, h, row_number() OVER (p ORDER BY h DESC), count(*) OVER p FROM (SELECT operation AS op, date_trunc('hour', ts) AS h FROM logs GROUP BY 1, 2) s WINDOW p AS (PARTITION BY op) ORDER BY op, h

-- error: an undefined window
SELECT count(*) OVER nowhere FROM alerts

-- error: overriding a named window's PARTITION BY
SELECT count(*) OVER (w PARTITION BY pid) FROM alerts WINDOW w AS (PARTITION BY host_name)

-- error: a window defined twice
SELECT count(*) OVER w FROM alerts WINDOW w AS (), w AS (ORDER BY ts)
