-- Errors: armorlake must fail where PostgreSQL fails, with its SQLSTATE.

SELECT * FROM no_such_table

SELECT no_such_column FROM logs

SELECT count(*) FROM logs WHERE no_such_column = 1

SELECT no_such_function(1)

SELECT 1 / 0

SELECT 1 % 0

SELECT 'abc'::int

SELECT '2026-13-45'::timestamptz

SELECT 1 + 'a'

SELECT operation, count(*) FROM logs

SELECT count(*) FROM logs WHERE count(*) > 1

SELECT count(count(*)) FROM logs

SELECT count(*) FROM logs GROUP BY 5

SELECT pid FROM logs ORDER BY 3

SELECT 1 LIMIT -1

SELECT 1 OFFSET -1

SELECT FROM

SELECT pid FROM logs WHERE pid

SELECT 9223372036854775807 + 1

SELECT x.pid FROM logs

SELECT pg_catalog.no_such_function()

SELECT true + 1

SELECT lower(1)

SELECT substring('abc', 1, -1)

SELECT split_part('a,b', ',', 0)

SELECT date_trunc('fortnight', ts) FROM logs LIMIT 1

SELECT extract(fortnight FROM ts) FROM logs LIMIT 1

SELECT 'a' ~ '('

SELECT CASE WHEN 1 THEN 2 END

SELECT CASE WHEN true THEN 1 ELSE 'x' END

SELECT coalesce(1, 'x')

SELECT sqrt(-1::float8)

SELECT ln(0::float8)

SELECT abs(-9223372036854775807 - 1)

SELECT lower(DISTINCT 'a')

SELECT DISTINCT operation FROM logs ORDER BY ts

SELECT count(*) FROM logs HAVING pid > 1

SELECT operation FROM logs GROUP BY operation HAVING 1

SELECT count(*) FROM (SELECT 1)

SELECT 1 UNION SELECT 1, 2

SELECT 1 UNION SELECT 'a'

VALUES (1), (1, 2)

SELECT b FROM (SELECT 1 AS a) s

SELECT a FROM (SELECT 1, 2) AS t(a, b, c)

WITH x AS (SELECT 1), x AS (SELECT 2) SELECT * FROM x

SELECT * FROM (SELECT 1 AS a) s WHERE s.b = 1

VALUES (1), ('a')

SELECT 'abc'::text::int

SELECT '99999999999'::text::int

SELECT host_name FROM alerts a JOIN messages m ON a.host_name = m.host_name

SELECT count(*) FROM alerts a JOIN messages a ON true

SELECT x.y FROM alerts a JOIN messages m ON a.host_name = m.host_name

SELECT count(*) FROM alerts a JOIN messages m ON a.host_name

SELECT count(*) FROM alerts a JOIN messages m USING (no_such_column)

SELECT a.no_such FROM alerts a JOIN messages m ON true

SELECT interval 'soon'

SELECT date_bin('1 month', ts, '2026-11-01') FROM logs LIMIT 1

SELECT date_bin('0 minutes', ts, '2026-11-01') FROM logs LIMIT 1

SELECT (SELECT pid FROM alerts)

SELECT (SELECT 1, 2)

SELECT count(*) FROM logs WHERE pid IN (SELECT pid, ppid FROM alerts)

SELECT (SELECT no_such FROM alerts)

SELECT count(*) FROM alerts WHERE row_number() OVER () > 1

SELECT row_number() OVER (ORDER BY ts) FROM alerts GROUP BY row_number() OVER (ORDER BY ts)

SELECT sum(row_number() OVER ()) FROM alerts

SELECT namespace_name, rank() OVER (ORDER BY pid) FROM alerts GROUP BY namespace_name
