-- Subqueries in expressions, run once before the outer query.

SELECT (SELECT count(*) FROM alerts), (SELECT max(ts) FROM logs)

SELECT count(*) FROM logs WHERE ts > (SELECT max(ts) FROM logs) - interval '1 hour'

SELECT count(*) FROM logs WHERE pid IN (SELECT pid FROM alerts)

SELECT count(*) FROM logs WHERE pid NOT IN (SELECT pid FROM alerts WHERE severity > 8)

SELECT namespace_name, count(*) FROM logs WHERE namespace_name IN (SELECT namespace_name FROM alerts WHERE action = 'Block') GROUP BY 1 ORDER BY 1

SELECT count(*) FROM alerts WHERE host_name IN (SELECT host_name FROM messages WHERE level = 'no such level')

SELECT EXISTS (SELECT 1 FROM alerts), EXISTS (SELECT 1 FROM alerts WHERE severity > 100), NOT EXISTS (SELECT 1 FROM messages)

SELECT count(*) FROM logs WHERE EXISTS (SELECT 1 FROM messages WHERE level = 'Info')

SELECT operation, count(*) * 100 / (SELECT count(*) FROM logs) AS pct FROM logs GROUP BY 1 ORDER BY 1

SELECT (SELECT namespace_name FROM alerts GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1) AS top

SELECT (SELECT severity FROM alerts WHERE severity > 100)

SELECT count(*) FROM alerts WHERE severity = (SELECT max(severity) FROM alerts)

SELECT count(*) FROM logs WHERE pid = ANY (SELECT pid FROM alerts)

SELECT count(*) FROM (SELECT host_name FROM logs WHERE host_name IN (SELECT host_name FROM messages)) s

SELECT count(*) FROM alerts a WHERE EXISTS (SELECT 1 FROM messages m WHERE m.host_name = a.host_name)

SELECT count(*) FROM alerts a WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.host_name = a.host_name AND m.level = 'Info')

SELECT namespace_name, EXISTS (SELECT 1 FROM logs l WHERE l.namespace_name = a.namespace_name AND l.operation = 'Network') AS net FROM (SELECT DISTINCT namespace_name FROM alerts) a ORDER BY 1

SELECT count(*) FROM (VALUES (1), (NULL), (3)) v(x) WHERE EXISTS (SELECT 1 FROM alerts WHERE severity = v.x)

SELECT x, NOT EXISTS (SELECT 1 FROM alerts WHERE severity = v.x) FROM (VALUES (1), (NULL), (300)) v(x) ORDER BY 1 NULLS FIRST

SELECT a.namespace_name, (SELECT count(*) FROM logs l WHERE l.namespace_name = a.namespace_name) FROM (SELECT DISTINCT namespace_name FROM alerts) a ORDER BY 1

SELECT h.host_name, (SELECT max(ts) FROM messages m WHERE m.host_name = h.host_name) AS last_message, (SELECT count(*) FROM messages m WHERE m.host_name = h.host_name AND m.level = 'Info') AS infos FROM (SELECT DISTINCT host_name FROM logs) h ORDER BY 1

SELECT x, (SELECT count(*) FROM alerts WHERE severity = v.x), (SELECT min(pid) FROM alerts WHERE severity = v.x) FROM (VALUES (1), (NULL), (300)) v(x) ORDER BY 1 NULLS FIRST

SELECT count(*) FROM alerts a WHERE a.severity > (SELECT avg(severity) FROM alerts b WHERE b.namespace_name = a.namespace_name)

SELECT a.namespace_name, count(*) FROM alerts a WHERE a.severity >= (SELECT max(b.severity) FROM alerts b WHERE b.namespace_name = a.namespace_name AND b.action = 'Block') GROUP BY 1 ORDER BY 1

SELECT count(*) FROM alerts l WHERE (SELECT count(*) FROM alerts a WHERE a.pod_name = l.pod_name) > 10

SELECT count(*) FROM messages l WHERE (SELECT count(*) FROM alerts a WHERE a.host_name = l.host_name AND a.severity > 8) = 0

SELECT l.pod_name, l.ts FROM alerts l WHERE l.ts = (SELECT max(ts) FROM alerts m WHERE m.pod_name = l.pod_name) ORDER BY 1, 2 LIMIT 10

SELECT count(*) FROM alerts a WHERE a.severity > (SELECT avg(severity) FROM alerts b WHERE b.namespace_name = a.namespace_name) AND a.timestamp > (SELECT min(timestamp) FROM messages c WHERE c.host_name = a.host_name)

SELECT a.ts, a.pid, a.namespace_name, a.severity FROM alerts a WHERE a.pid > (SELECT avg(pid) + 1000000 FROM alerts b WHERE b.host_name = a.host_name) ORDER BY ts, pid LIMIT 3

SELECT count(*) FROM (SELECT * FROM alerts a WHERE a.pid < (SELECT avg(pid) FROM alerts b WHERE b.host_name = a.host_name)) s

-- Correlated subqueries of any shape over a relation planned on the query
-- node (a subquery, VALUES, a join), run per distinct outer row.

SELECT h.host_name, (SELECT m.ts FROM messages m WHERE m.host_name = h.host_name ORDER BY m.ts DESC LIMIT 1) AS last FROM (SELECT DISTINCT host_name FROM alerts) h ORDER BY 1

SELECT h.host_name FROM (SELECT DISTINCT host_name FROM logs) h WHERE (SELECT m.ts FROM messages m WHERE m.host_name = h.host_name ORDER BY m.ts LIMIT 1) IS NOT NULL ORDER BY 1

SELECT x, EXISTS (SELECT 1 FROM alerts WHERE severity > v.x) FROM (VALUES (1), (9), (300)) v(x) ORDER BY 1

SELECT x, ARRAY(SELECT DISTINCT namespace_name FROM alerts WHERE severity = v.x ORDER BY 1) FROM (VALUES (1), (5), (300)) v(x) ORDER BY 1

SELECT x, (SELECT severity FROM alerts WHERE severity = v.x) FROM (VALUES (300), (1)) v(x)

SELECT x, (SELECT y FROM (VALUES (1, 'one'), (2, 'two'), (2, 'deux')) w(k, y) WHERE w.k = v.x AND w.y <> 'deux') FROM (VALUES (1), (2), (3), (NULL)) v(x) ORDER BY 1
