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

SELECT count(*) FROM logs WHERE process_name SIMILAR TO '%(sh|bash)'

SELECT count(*) FROM logs WHERE resource NOT SIMILAR TO '/(usr|etc)/%'

SELECT count(*) FROM logs WHERE resource SIMILAR TO '%.(so|conf)%'

SELECT namespace_name, count(*) FROM alerts WHERE pod_name SIMILAR TO '[a-z]+-[0-9a-f]{3,}%' GROUP BY 1 ORDER BY 1

SELECT 'a_b' SIMILAR TO 'a#_b' ESCAPE '#', 'axb' SIMILAR TO 'a#_b' ESCAPE '#', 'axb' SIMILAR TO 'a_b', 'a.b' SIMILAR TO 'a.b', 'axb' SIMILAR TO 'a.b'

SELECT 'ab' SIMILAR TO 'a', 'ab' SIMILAR TO 'a%', 'a|b' SIMILAR TO 'a\|b', 'b' SIMILAR TO 'a|b', '$x^' SIMILAR TO '$x^'

SELECT 'abc' SIMILAR TO 'a(b|x)c', 'abbb' SIMILAR TO 'ab*', 'ac' SIMILAR TO 'ab?c', '[x]' SIMILAR TO '[[]x]'

SELECT NULL SIMILAR TO 'a', 'a' SIMILAR TO NULL, 'a' SIMILAR TO 'a' ESCAPE NULL, 'a%' SIMILAR TO 'a%' ESCAPE ''

-- error: an escape string of two characters
SELECT 'a' SIMILAR TO 'a' ESCAPE '##'

SELECT 'a#' SIMILAR TO 'a#' ESCAPE '#'

-- Quantified comparisons with constant arrays.

SELECT count(*) FROM alerts WHERE namespace_name <> ALL ('{catalog,logging}')

SELECT count(*) FROM alerts WHERE severity > ALL ('{2,3}')

SELECT count(*) FROM alerts WHERE severity < ANY ('{2,4}') AND pid = ANY ('{1,2,3}')

SELECT count(*) FROM alerts WHERE severity < ANY (ARRAY['2', '4'])

SELECT (SELECT count(*) FROM logs WHERE operation <> ALL ('{}')), (SELECT count(*) FROM logs WHERE operation = ANY ('{}'))
