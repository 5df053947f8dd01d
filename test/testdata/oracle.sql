-- Queries whose output armorlake must print exactly as PostgreSQL does,
-- over the same events. One query per blank-line-separated group; each
-- must order its rows completely.

SELECT count(*) FROM alerts

SELECT count(*), count(severity), min(ts), max(ts) FROM alerts

SELECT namespace_name, count(*) AS n FROM alerts WHERE ts >= '2026-11-01 06:00:00+00' AND ts < '2026-11-01 12:00:00+00' GROUP BY namespace_name ORDER BY n DESC, namespace_name

SELECT policy_name, action, count(*) AS n FROM alerts GROUP BY policy_name, action ORDER BY n DESC, policy_name, action LIMIT 10

SELECT namespace_name, pod_name, count(*) AS n, max(ts) AS last_seen FROM alerts WHERE action = 'Block' AND severity >= 7 GROUP BY namespace_name, pod_name ORDER BY n DESC, namespace_name, pod_name LIMIT 20

SELECT operation, result, count(*) AS n FROM logs WHERE result <> 'Passed' AND ts >= '2026-11-01 13:00:00+00' AND ts < '2026-11-01 14:00:00+00' GROUP BY operation, result ORDER BY n DESC, operation, result

SELECT severity, count(*), min(host_pid), max(host_pid), avg(host_pid), sum(pid), avg(uid) FROM alerts GROUP BY severity ORDER BY severity NULLS FIRST

SELECT host_name, count(*), sum(host_pid), avg(ppid), min(process_name), max(resource) FROM logs GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 15

SELECT type, operation, count(*) FROM logs WHERE ts BETWEEN '2026-11-01T00:00:00Z' AND '2026-11-01T23:59:59.999Z' GROUP BY 1, 2 ORDER BY 1, 2

SELECT ts, host_name, namespace_name, pod_name, process_name, resource, result FROM logs WHERE operation = 'File' AND NOT (result = 'Passed') ORDER BY ts DESC, host_name, resource LIMIT 50

SELECT ts, policy_name, severity, atags, tags, event_data FROM alerts WHERE severity IS NOT NULL ORDER BY ts, policy_name LIMIT 25

SELECT ts, host_name, pid, ppid, uid, cwd, tty, exec_id, exec_name, owner_ref, owner_name FROM logs ORDER BY ts, host_name, pid LIMIT 40 OFFSET 100

SELECT count(*) FROM logs WHERE (operation = 'Network' OR operation = 'Process') AND namespace_name <> '' AND host_pid > 100000

SELECT count(*) FROM alerts WHERE severity IN (1, 2, 3) OR action IN ('Audit', 'Block') AND severity IS NULL

SELECT container_name, count(*) AS n, min(ts), max(ts) FROM logs WHERE container_name <> '' GROUP BY container_name ORDER BY n DESC, container_name LIMIT 10

SELECT level, type, count(*), max(message) FROM messages GROUP BY level, type ORDER BY level, type

SELECT count(*) FROM alerts WHERE ts > '2026-11-01 23:00:00+00'

SELECT count(*), avg(severity) FROM alerts WHERE ts >= '2026-11-01 12:00:00' AND ts < '2026-11-01 12:30:00'

SELECT sum(timestamp), avg(timestamp), min(timestamp) FROM logs

SELECT severity * 10 + 1 AS s, count(*) * 2 FROM alerts WHERE severity >= 5 GROUP BY severity ORDER BY 1 DESC

SET TimeZone = 'Asia/Kolkata'; SELECT min(ts), max(ts), count(*) FROM alerts WHERE ts < '2026-11-01 12:00:00'

SET TimeZone = 'America/New_York'; SELECT ts, host_name FROM logs WHERE ts >= '2026-11-01 01:00:00' ORDER BY ts, host_name, pid LIMIT 5

SELECT namespace_name, count(*) FROM logs WHERE namespace_name IN ('payments', 'kube-system', 'no-such-namespace') AND operation = 'Process' GROUP BY 1 ORDER BY 1

SELECT count(*) FROM alerts WHERE namespace_name = 'no-such-namespace'

SELECT count(*), min(ts) FROM logs WHERE host_name = 'no-such-host' OR host_name = 'no-such-host-either'

SELECT count(*), count(*) * 2 FROM logs WHERE namespace_name IN ('payments', 'kube-system') AND operation = 'File'

SELECT count(*) FROM logs WHERE ts >= '2026-11-01 03:30:00+00' AND ts < '2026-11-01 17:45:00+00' AND host_name = namespace_name

SELECT min(ts), max(ts) FROM logs

SELECT max(severity), min(severity), min(ts) FROM alerts

SELECT min(host_pid), max(pid), max(ts) FROM logs WHERE ts >= '2026-11-01 05:30:00.123456+00' AND ts < '2026-11-01 07:15:00+00'

SELECT min(timestamp), max(timestamp) FROM messages WHERE ts > '2026-11-01 22:00:00+00'

SELECT count(*), sum(pid) FROM logs WHERE pid BETWEEN 1000 AND 5000

SELECT count(*), min(host_pid) FROM logs WHERE host_pid > 300000 AND uid = 0

SELECT count(*) FROM alerts WHERE severity < 0 OR severity > 100

SELECT namespace_name, count(*) FROM logs WHERE pid = 1 OR 7 >= pid GROUP BY 1 ORDER BY 1

SELECT count(*) FROM logs WHERE resource = '/etc/passwd' AND ts < '2026-11-01 08:00:00+00'
