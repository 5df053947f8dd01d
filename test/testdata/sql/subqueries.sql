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
