-- Filters over the stored events: comparisons, IN, BETWEEN, NULL tests,
-- AND/OR/NOT, time ranges.

SELECT count(*) FROM logs WHERE operation = 'File'

SELECT count(*) FROM logs WHERE operation <> 'File' AND operation <> 'Process'

SELECT count(*) FROM logs WHERE operation IN ('Network', 'Capabilities')

SELECT count(*) FROM logs WHERE operation NOT IN ('Network', 'Capabilities')

SELECT count(*) FROM logs WHERE pid BETWEEN 100 AND 2000

SELECT count(*) FROM logs WHERE pid NOT BETWEEN 100 AND 2000

SELECT count(*) FROM alerts WHERE severity IS NULL

SELECT count(*) FROM alerts WHERE severity IS NOT NULL AND severity > 5

SELECT count(*) FROM alerts WHERE NOT (severity > 5)

SELECT count(*) FROM alerts WHERE severity > 5 OR action = 'Block'

SELECT count(*) FROM logs WHERE ts >= '2026-11-01 10:00:00+00' AND ts < '2026-11-01 11:00:00+00'

SELECT count(*) FROM logs WHERE ts < '2026-11-01 00:00:00+00'

SELECT count(*) FROM logs WHERE ts > '2026-11-01 23:59:59.999999+00'

SELECT count(*) FROM logs WHERE ts = ts

SELECT count(*) FROM logs WHERE host_pid > pid

SELECT count(*) FROM logs WHERE uid = 0 AND (operation = 'Process' OR result <> 'Passed')

SELECT count(*) FROM messages WHERE level = 'Info'

SELECT count(*) FROM alerts WHERE namespace_name = 'kube-system' AND pod_name <> ''

SELECT count(*) FROM logs WHERE pid = 1 OR pid = 2 OR pid = 3

SELECT count(*) FROM logs WHERE 1 = 1

SELECT count(*) FROM logs WHERE false

SELECT count(*) FROM logs WHERE NULL
