-- Joins: hash joins on the query node over leaves planned on their own
-- (stored tables read with only the columns named, filtered by their own
-- WHERE conjuncts), subqueries and WITH queries.

SELECT count(*) FROM alerts a JOIN messages m ON a.host_name = m.host_name

SELECT a.namespace_name, a.n, l.n FROM (SELECT namespace_name, count(*) AS n FROM alerts GROUP BY 1) a JOIN (SELECT namespace_name, count(*) AS n FROM logs GROUP BY 1) l ON a.namespace_name = l.namespace_name ORDER BY 1

SELECT m.level, count(*) FROM alerts a JOIN messages m ON a.host_name = m.host_name WHERE a.severity > 5 GROUP BY m.level ORDER BY 1

SELECT count(*) FROM alerts a, messages m WHERE a.host_name = m.host_name AND m.level = 'Info'

SELECT a.host_name, count(DISTINCT a.pod_name), count(*) FROM alerts a INNER JOIN messages m ON m.host_name = a.host_name GROUP BY a.host_name ORDER BY 1

SELECT p.pod_name, m.level FROM (SELECT DISTINCT pod_name, host_name FROM alerts) p LEFT JOIN (SELECT DISTINCT host_name, level FROM messages) m ON p.host_name = m.host_name ORDER BY p.pod_name, m.level NULLS FIRST LIMIT 20

SELECT count(*), count(m.level) FROM (SELECT DISTINCT host_name FROM logs) h LEFT JOIN (SELECT host_name, level FROM messages WHERE level = 'Debug') m ON h.host_name = m.host_name

SELECT count(*) FROM (SELECT DISTINCT host_name FROM messages) m RIGHT JOIN (SELECT DISTINCT host_name, namespace_name FROM alerts) a ON m.host_name = a.host_name

SELECT ns, n, level FROM (SELECT namespace_name AS ns, count(*) AS n FROM alerts GROUP BY 1) a CROSS JOIN (VALUES ('x'), ('y')) v(level) ORDER BY ns, level

SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) x(id, name) JOIN (VALUES (2, 'B'), (3, 'C'), (4, 'D')) y(id, upper) USING (id) ORDER BY id

SELECT x.id, y.id FROM (VALUES (1), (2), (NULL)) x(id) LEFT JOIN (VALUES (2), (NULL)) y(id) ON x.id = y.id ORDER BY 1 NULLS FIRST

SELECT count(*) FROM (VALUES (1), (2)) a(x) JOIN (VALUES (1), (2), (3)) b(y) ON a.x < b.y

SELECT a.x, b.y FROM (VALUES (1), (2)) a(x), (VALUES (10), (20)) b(y) ORDER BY 1, 2

SELECT count(*) FROM alerts a JOIN messages m ON lower(a.host_name) = lower(m.host_name) AND a.severity > 3

SELECT a.ns, b.ns FROM (SELECT DISTINCT namespace_name AS ns FROM alerts) a JOIN (SELECT DISTINCT namespace_name AS ns FROM logs) b ON a.ns = b.ns AND a.ns <> 'default' ORDER BY 1

WITH h AS (SELECT host_name, count(*) AS n FROM logs GROUP BY 1) SELECT h.host_name, h.n, count(*) FROM h JOIN alerts a ON a.host_name = h.host_name GROUP BY 1, 2 ORDER BY 1

SELECT t.n, count(*) FROM (SELECT severity AS n FROM alerts) t JOIN (VALUES (1), (5), (9)) v(n) ON t.n = v.n GROUP BY t.n ORDER BY 1

SELECT count(*) FROM alerts a JOIN messages m USING (host_name)

SELECT host_name, count(*) FROM alerts JOIN messages USING (host_name) GROUP BY host_name ORDER BY 1

SELECT a.host_name, m.host_name FROM alerts a JOIN messages m ON a.host_name = m.host_name WHERE a.ts < '2026-11-01 01:00:00+00' ORDER BY a.ts, a.pod_name, m.ts LIMIT 5

SELECT count(*) FROM (SELECT pid FROM alerts) a JOIN (SELECT pid::bigint AS pid FROM alerts) b ON a.pid = b.pid

SELECT x.a, y.b, z.c FROM (VALUES (1)) x(a) JOIN (VALUES (1, 2)) y(a, b) ON x.a = y.a JOIN (VALUES (2, 3)) z(b, c) ON y.b = z.b

SELECT count(*) FROM alerts a FULL JOIN messages m ON a.host_name = m.host_name

SELECT x.id, y.id FROM (VALUES (1), (2), (NULL)) x(id) FULL JOIN (VALUES (2), (3), (NULL)) y(id) ON x.id = y.id ORDER BY 1 NULLS FIRST, 2 NULLS FIRST

SELECT coalesce(a.ns, b.ns) AS ns, a.n, b.n FROM (SELECT namespace_name AS ns, count(*) AS n FROM alerts GROUP BY 1) a FULL OUTER JOIN (SELECT namespace_name AS ns, count(*) AS n FROM logs WHERE operation = 'Network' GROUP BY 1) b ON a.ns = b.ns ORDER BY 1

-- Outer joins whose ON also filters the nullable side.

SELECT a.namespace_name, count(m.level) FROM (SELECT DISTINCT namespace_name, host_name FROM alerts) a LEFT JOIN messages m ON m.host_name = a.host_name AND m.level = 'Info' GROUP BY 1 ORDER BY 1

SELECT count(*), count(a.pid) FROM alerts a RIGHT JOIN (SELECT DISTINCT host_name FROM messages) m ON m.host_name = a.host_name AND a.severity > 5 AND a.action = 'Block'

SELECT v.x, w.y FROM (VALUES (1), (2), (3)) v(x) LEFT JOIN (VALUES (1, 'a'), (2, 'b'), (3, 'c')) w(k, y) ON w.k = v.x AND w.y <> 'b' ORDER BY 1

SELECT v.x, w.y FROM (VALUES (1), (2), (3)) v(x) LEFT JOIN (VALUES (1, 'a'), (2, 'b'), (3, 'c')) w(k, y) ON w.k = v.x AND w.y < 'c' AND v.x > 1 ORDER BY 1

SELECT count(*), count(m.level) FROM (SELECT DISTINCT host_name, namespace_name FROM alerts) a LEFT JOIN messages m ON m.host_name = a.host_name AND length(m.message) > length(a.namespace_name) + 40

SELECT w.k, v.x FROM (VALUES (1), (2)) v(x) RIGHT JOIN (VALUES (1), (2), (3)) w(k) ON w.k = v.x AND v.x + w.k > 2 ORDER BY 1

SELECT v.x, count(w.k) FROM (VALUES (1), (2), (3)) v(x) LEFT JOIN (VALUES (1), (2), (3)) w(k) ON w.k < v.x GROUP BY 1 ORDER BY 1
