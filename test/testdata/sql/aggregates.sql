-- Aggregates, grouping, ordering and limits.

SELECT count(*), count(severity), sum(severity), min(severity), max(severity) FROM alerts

SELECT avg(severity), avg(pid), avg(host_pid) FROM alerts

SELECT sum(pid), sum(host_pid), sum(timestamp) FROM logs

SELECT min(ts), max(ts) FROM alerts

SELECT min(namespace_name), max(namespace_name), min(resource), max(resource) FROM logs

SELECT operation, count(*) FROM logs GROUP BY operation ORDER BY operation

SELECT operation, result, count(*) FROM logs GROUP BY operation, result ORDER BY 1, 2

SELECT namespace_name, count(*) AS n FROM logs GROUP BY 1 ORDER BY n DESC, 1 LIMIT 5

SELECT namespace_name, count(*) AS n FROM logs GROUP BY 1 ORDER BY n DESC, 1 LIMIT 5 OFFSET 2

SELECT severity, count(*) FROM alerts GROUP BY severity ORDER BY severity NULLS FIRST

SELECT severity, count(*) FROM alerts GROUP BY severity ORDER BY severity DESC NULLS LAST

SELECT host_name, max(ts), min(pid) FROM logs GROUP BY host_name ORDER BY host_name

SELECT count(*) FROM logs WHERE operation = 'Process' GROUP BY host_name ORDER BY 1

SELECT sum(pid) / count(*) FROM logs

SELECT count(*) * 2 + 1, max(pid) - min(pid) FROM logs

SELECT operation, avg(pid) FROM logs GROUP BY operation ORDER BY operation

SELECT type, level, count(*) FROM messages GROUP BY type, level ORDER BY type, level

SELECT pid, count(*) FROM logs GROUP BY pid ORDER BY count(*) DESC, pid LIMIT 10

SELECT process_name, count(*) FROM logs WHERE process_name <> '' GROUP BY process_name ORDER BY 2 DESC, 1 LIMIT 10

SELECT count(*) FROM alerts LIMIT 0

SELECT ts, pid FROM logs ORDER BY ts, pid, host_pid, host_name LIMIT 10

SELECT ts, pid FROM logs ORDER BY ts DESC, pid DESC, host_pid, host_name LIMIT 10 OFFSET 5

SELECT namespace_name FROM alerts ORDER BY ts, namespace_name, pod_name, policy_name LIMIT 3

SELECT count(*) FROM logs GROUP BY operation HAVING count(*) > 0 ORDER BY 1

SELECT operation, count(*) FROM logs GROUP BY operation HAVING count(*) > 100 AND operation <> 'File' ORDER BY 1

SELECT namespace_name, max(pid) FROM logs GROUP BY namespace_name HAVING min(pid) > 10 ORDER BY 1

SELECT host_name FROM logs GROUP BY host_name HAVING sum(pid) > 0 AND count(host_name) >= 1 ORDER BY 1

SELECT count(*) FROM alerts HAVING count(*) > 1000000

SELECT severity, count(*) FROM alerts GROUP BY severity HAVING severity IS NULL OR severity > 8 ORDER BY 1 NULLS FIRST

SELECT DISTINCT operation FROM logs

SELECT DISTINCT operation, result FROM logs ORDER BY operation, result

SELECT DISTINCT namespace_name FROM alerts ORDER BY 1 LIMIT 3

SELECT DISTINCT lower(operation) AS op FROM logs ORDER BY op

SELECT DISTINCT severity FROM alerts ORDER BY severity NULLS FIRST

SELECT action, count(*), count(DISTINCT namespace_name) FROM alerts GROUP BY action ORDER BY action

SELECT count(DISTINCT host_name), count(DISTINCT pid), count(DISTINCT severity) FROM alerts

SELECT operation, count(DISTINCT resource), count(DISTINCT process_name) FROM logs GROUP BY operation ORDER BY operation

SELECT sum(DISTINCT severity), avg(DISTINCT severity), min(DISTINCT pid), max(DISTINCT ts) FROM alerts

SELECT count(DISTINCT ts), count(DISTINCT timestamp) FROM messages

SELECT namespace_name, count(DISTINCT pod_name) AS pods FROM logs GROUP BY namespace_name HAVING count(DISTINCT pod_name) > 1 ORDER BY pods DESC, namespace_name

SELECT count(DISTINCT lower(operation)), count(DISTINCT split_part(resource, '/', 2)) FROM logs

SELECT avg(pid) * 2, avg(pid) / 3, avg(pid) + 1.5, round(avg(pid), 2), floor(avg(pid)), sum(timestamp) / count(*) FROM logs

SELECT floor(extract(epoch FROM ts) / 300) * 300 AS time, count(*) FROM alerts GROUP BY 1 ORDER BY 1 LIMIT 20

SELECT floor(extract(epoch FROM ts) / 60) * 60 AS "time", namespace_name AS metric, count(*) AS value FROM alerts WHERE ts BETWEEN '2026-11-01T06:00:00Z' AND '2026-11-01T07:00:00Z' GROUP BY 1, 2 ORDER BY 1, 2

SELECT count(*) FROM alerts WHERE severity > 5.5

SELECT avg(severity) > 5, avg(severity) < 5.5, max(severity) = 10.0 FROM alerts

SELECT bool_and(severity > 0), bool_or(severity > 9), every(pid > 0) FROM alerts

SELECT operation, bool_or(result <> 'Passed'), bool_and(uid >= 0) FROM logs GROUP BY 1 ORDER BY 1

SELECT bool_and(x), bool_or(x) FROM (VALUES (NULL::bool)) v(x)

SELECT stddev(pid::float8), variance(pid::float8), stddev_pop(pid::float8), var_pop(pid::float8) FROM alerts

SELECT namespace_name, stddev_samp(severity::float8), var_samp(severity::float8) FROM alerts GROUP BY 1 ORDER BY 1

SELECT stddev(x), variance(x), stddev_pop(x) FROM (VALUES (1.0::float8)) v(x)

SELECT stddev(pid), variance(pid), stddev_pop(pid), var_pop(pid), stddev_samp(pid), var_samp(pid) FROM alerts

SELECT operation, stddev(pid), var_pop(host_pid) FROM logs GROUP BY operation ORDER BY operation

SELECT namespace_name, stddev(severity), variance(severity) FROM alerts GROUP BY 1 ORDER BY 1

SELECT stddev(x), variance(x), stddev_pop(x), var_pop(x) FROM (VALUES (1.25), (2.5), (NULL), (10.125)) v(x)

SELECT stddev(x), var_samp(x), var_pop(x) FROM (VALUES (7)) v(x)

SELECT stddev(x), var_pop(x) FROM (VALUES (5::bigint), (5), (5)) v(x)

SELECT stddev(x) FROM (VALUES (9223372036854775807::bigint), (-9223372036854775807), (9223372036854775807)) v(x)

SELECT variance(timestamp) FROM logs

SELECT stddev(pid) FROM logs WHERE false
