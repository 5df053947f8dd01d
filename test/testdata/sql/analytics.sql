-- Queries an analyst or a dashboard sends over KubeArmor events.

SELECT namespace_name, pod_name, count(*) AS n FROM alerts WHERE action = 'Block' GROUP BY 1, 2 ORDER BY n DESC, 1, 2 LIMIT 10

SELECT policy_name, count(*), count(DISTINCT pod_name), min(ts), max(ts) FROM alerts GROUP BY 1 ORDER BY 2 DESC, 1

SELECT operation, result, count(*) FROM logs WHERE result <> 'Passed' GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2

SELECT process_name, count(*) FROM logs WHERE operation = 'Process' AND process_name <> '' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10

SELECT split_part(resource, '/', 2) AS dir, count(*) FROM logs WHERE operation = 'File' AND resource LIKE '/%' GROUP BY 1 HAVING count(*) > 5 ORDER BY 2 DESC, 1

SELECT namespace_name, round(avg(severity), 2) AS avg_sev, max(severity) FROM alerts WHERE severity IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1

SELECT extract(hour FROM ts) AS h, operation, count(*) FROM logs GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 24

SELECT count(DISTINCT container_id) AS containers, count(DISTINCT pod_name) AS pods, count(DISTINCT namespace_name) AS namespaces FROM logs

SELECT namespace_name, count(*) AS total, sum(CASE WHEN result = 'Passed' THEN 0 ELSE 1 END) AS failed FROM logs GROUP BY 1 ORDER BY 1

SELECT CASE WHEN pid < 100 THEN 'system' WHEN pid < 10000 THEN 'low' ELSE 'high' END AS band, count(*) FROM logs GROUP BY 1 ORDER BY 1

SELECT host_name, max(ts) AS last_seen FROM logs GROUP BY 1 ORDER BY 2 DESC, 1

SELECT count(*) FROM logs WHERE ts >= '2026-11-01T06:00:00Z' AND ts < '2026-11-01T06:05:00Z'

SELECT floor(extract(epoch FROM ts) / 3600) * 3600 AS "time", count(*) AS value FROM logs WHERE ts BETWEEN '2026-11-01T00:00:00Z' AND '2026-11-01T05:59:59Z' GROUP BY 1 ORDER BY 1

SELECT ts AS "time", severity AS value FROM alerts WHERE severity IS NOT NULL AND ts BETWEEN '2026-11-01T10:00:00Z' AND '2026-11-01T10:30:00Z' ORDER BY 1, 2

SELECT namespace_name AS metric, count(*) AS value FROM alerts WHERE ts BETWEEN '2026-11-01T00:00:00Z' AND '2026-11-02T00:00:00Z' GROUP BY 1 ORDER BY 2 DESC, 1

SELECT count(*) FROM logs WHERE resource IN ('/etc/passwd', '/etc/shadow', '/etc/hosts')

SELECT resource, count(*) FROM logs WHERE resource IN ('/etc/passwd', '/etc/shadow', '/etc/hosts') GROUP BY 1 ORDER BY 1

SELECT count(*) FROM logs WHERE operation = 'Network' AND data LIKE '%SYS_CONNECT%'

SELECT exec_name, count(*) FROM logs WHERE exec_name <> '' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5

SELECT uid, count(*) FROM logs GROUP BY uid ORDER BY uid LIMIT 10

SELECT host_pid % 10 AS bucket, count(*) FROM logs GROUP BY 1 ORDER BY 1

SELECT count(*), count(DISTINCT pid), max(pid) - min(pid) FROM logs WHERE namespace_name = 'kube-system'

SELECT min(ts), max(ts), count(*) FROM logs WHERE host_name = (SELECT min(host_name) FROM logs)

SELECT cluster_name, count(*) FROM alerts GROUP BY 1 ORDER BY 1

SELECT labels, count(*) FROM logs GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5

SELECT owner_ref, owner_name, count(*) FROM logs GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 5

SELECT tags, count(*) FROM alerts GROUP BY 1 ORDER BY 1

SELECT message, count(*) FROM messages GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5

SELECT level, count(*), min(ts), max(ts) FROM messages GROUP BY 1 ORDER BY 1

SELECT host_name, count(*) FROM messages WHERE ts > '2026-11-01 12:00:00+00' GROUP BY 1 ORDER BY 1

-- placement: which operator stored each event
SELECT ingest_operator, count(*) FROM logs GROUP BY 1 ORDER BY 1

-- placement: which operator stored each event
SELECT count(*) FROM logs WHERE ingest_operator = 'operator-2' AND operation = 'File'

SELECT namespace_name, count(*) FROM logs WHERE pod_name LIKE '%-%' GROUP BY 1 ORDER BY 1

SELECT count(*) FROM alerts WHERE enforcer IS NOT NULL AND enforcer <> ''

SELECT enforcer, action, count(*) FROM alerts GROUP BY 1, 2 ORDER BY 1, 2

SELECT length(exec_id) AS n, count(*) FROM logs GROUP BY 1 ORDER BY 1

SELECT substring(ts::text FROM 1 FOR 13) AS hour, count(*) FROM (SELECT ts FROM alerts) a GROUP BY 1 ORDER BY 1 LIMIT 3
