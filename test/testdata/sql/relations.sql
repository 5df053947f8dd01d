-- Subqueries in FROM, WITH, VALUES and UNION: relations planned on their
-- own and read by the query above, on the query node.

SELECT count(*) FROM (SELECT operation FROM logs) s

SELECT op, n FROM (SELECT operation AS op, count(*) AS n FROM logs GROUP BY 1) s ORDER BY n DESC, op

SELECT max(n), min(n), sum(n) FROM (SELECT namespace_name, count(*) AS n FROM alerts GROUP BY 1) t

SELECT s.ns, s.n * 2 FROM (SELECT namespace_name AS ns, count(*) AS n FROM logs WHERE operation = 'File' GROUP BY 1) AS s WHERE s.n > 10 ORDER BY 1

SELECT x FROM (SELECT 1 AS x) q

SELECT a, b FROM (SELECT 1, 'one') AS t(a, b)

SELECT count(*) FROM (SELECT DISTINCT host_name, namespace_name FROM logs) d

SELECT namespace_name, n FROM (SELECT namespace_name, count(*) AS n FROM logs GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3) top ORDER BY namespace_name

SELECT avg(n) FROM (SELECT pid, count(*) AS n FROM logs GROUP BY pid) per_pid

WITH x AS (SELECT 1 AS a) SELECT a FROM x

WITH counts AS (SELECT operation, count(*) AS n FROM logs GROUP BY operation) SELECT operation, n FROM counts WHERE n > 100 ORDER BY operation

WITH a AS (SELECT namespace_name AS ns, count(*) AS n FROM alerts GROUP BY 1), b AS (SELECT ns, n FROM a WHERE n > 1) SELECT count(*), sum(n) FROM b

WITH t(op, c) AS (SELECT operation, count(*) FROM logs GROUP BY 1) SELECT op, c FROM t ORDER BY c DESC, op LIMIT 2

WITH logs AS (SELECT 42 AS pid) SELECT pid FROM logs

VALUES (1, 'a'), (2, 'b')

VALUES (1), (NULL), (3) ORDER BY 1 NULLS FIRST

VALUES (1, 2.5), (2, 3) ORDER BY column1 DESC LIMIT 1

SELECT column1 * 10, upper(column2) FROM (VALUES (1, 'x'), (2, 'y')) v ORDER BY 1

SELECT v.n, count(*) FROM (VALUES (1), (1), (2)) AS v(n) GROUP BY v.n ORDER BY v.n

SELECT 1 UNION SELECT 2

SELECT 1 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 ORDER BY n

SELECT operation FROM logs UNION SELECT operation FROM alerts ORDER BY 1

SELECT 'alerts' AS t, count(*) FROM alerts UNION ALL SELECT 'logs', count(*) FROM logs UNION ALL SELECT 'messages', count(*) FROM messages ORDER BY t

SELECT host_name FROM alerts UNION SELECT host_name FROM messages ORDER BY host_name LIMIT 5

SELECT 1 UNION SELECT 2.5 ORDER BY 1

SELECT count(*) FROM (SELECT namespace_name FROM alerts UNION SELECT namespace_name FROM logs) u

SELECT NULL UNION SELECT 1 ORDER BY 1

SELECT operation FROM logs INTERSECT SELECT operation FROM alerts ORDER BY 1

SELECT host_name FROM logs EXCEPT SELECT host_name FROM messages ORDER BY 1

SELECT x FROM (VALUES (1), (1), (2), (3), (NULL)) a(x) INTERSECT ALL SELECT y FROM (VALUES (1), (1), (1), (3), (NULL)) b(y) ORDER BY 1

SELECT x FROM (VALUES (1), (1), (2), (3), (NULL)) a(x) EXCEPT ALL SELECT y FROM (VALUES (1), (3)) b(y) ORDER BY 1

SELECT x FROM (VALUES (1), (1), (2), (NULL)) a(x) EXCEPT SELECT y FROM (VALUES (2)) b(y) ORDER BY 1 NULLS FIRST

SELECT namespace_name, pod_name FROM alerts INTERSECT SELECT namespace_name, pod_name FROM logs ORDER BY 1, 2 LIMIT 5

SELECT count(*) FROM (SELECT pid FROM logs EXCEPT SELECT pid FROM alerts) s

-- Functions in FROM.

SELECT s FROM generate_series(1, 5) s

SELECT * FROM generate_series(10, 1, -3)

SELECT g, count(*) FROM generate_series(1, 3) g, (SELECT severity FROM alerts) a WHERE a.severity = g GROUP BY 1 ORDER BY 1

SELECT x FROM unnest('{b,a,c}'::text[]) x ORDER BY 1

SELECT s[2], array_length(s, 1) FROM string_to_array('a,b,c', ',') s

SELECT * FROM generate_series(1, 3, 0)
