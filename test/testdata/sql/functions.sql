-- Scalar functions, CASE, COALESCE and pattern matching, on constants and
-- on stored events (on operators, inside fragments).

SELECT lower('ABC dEf'), upper('abc Déf'), length('héllo'), octet_length('héllo')

SELECT substring('armorlake' FROM 3 FOR 4), substring('armorlake' FROM 6), substr('armorlake', 0, 3), substring('abc', -1, 3)

SELECT left('kubearmor', 4), right('kubearmor', 5), left('abc', -1), right('abc', -2)

SELECT replace('a.b.c', '.', '/'), replace('abc', '', 'x'), replace('aaa', 'a', 'bb')

SELECT split_part('/var/log/syslog', '/', 2), split_part('a,b,c', ',', -1), split_part('a,b,c', ',', 9)

SELECT position('lake' IN 'armorlake'), strpos('abc', 'z'), starts_with('kube-system', 'kube')

SELECT btrim('  x  '), ltrim('  x  '), rtrim('  x  '), trim(both 'x' from 'xxaxx'), trim(leading from '  a')

SELECT 'kube' || '-' || 'system', 'pid ' || 42, concat('a', NULL, 1, true), concat()

SELECT reverse('abc'), initcap('hello wORLD'), repeat('ab', 3), md5('armorlake')

SELECT abs(-5), abs(-5.5::float8), floor(2.7::float8), ceil(2.1::float8), ceiling(-2.1::float8), round(2.5::float8), round(3.5::float8), trunc(-2.7::float8)

SELECT sqrt(16::float8), power(2, 10), exp(0::float8), ln(1::float8), sign(-3::float8)

SELECT coalesce(NULL, 2, 3), coalesce(NULL, NULL), coalesce(NULL, 'x'), nullif(1, 1), nullif(1, 2), nullif('a', 'b')

SELECT greatest(1, 5, 3), least(4, 2, 8), greatest(NULL, 2), least('b', 'a', NULL), greatest(1, 2.5::float8)

SELECT CASE WHEN 1 > 2 THEN 'a' WHEN 2 > 1 THEN 'b' ELSE 'c' END, CASE 3 WHEN 1 THEN 'one' WHEN 3 THEN 'three' END, CASE WHEN false THEN 1 END

SELECT CASE WHEN pid - pid = 0 THEN 0 ELSE 10 / (pid - pid) END FROM logs LIMIT 1

SELECT 'abc' LIKE 'a%', 'abc' LIKE '_b_', 'abc' LIKE 'b%', 'abc' NOT LIKE '%c', 'ABC' ILIKE 'a%', 'a%c' LIKE 'a\%c', '' LIKE '', 'x' LIKE ''

SELECT 'kube-system' ~ '^kube', 'abc' ~ 'B', 'abc' ~* 'B', 'abc' !~ 'z', 'abc' !~* 'A'

SELECT date_trunc('hour', '2026-11-01 10:37:12.345+00'::timestamptz), date_trunc('day', '2026-11-01 10:37:12+00'::timestamptz), date_trunc('month', '2026-11-21 10:37:12+00'::timestamptz)

SELECT date_trunc('week', '2026-11-05 10:37:12+00'::timestamptz), date_trunc('quarter', '2026-11-05 10:37:12+00'::timestamptz), date_trunc('year', '2026-11-05 10:37:12+00'::timestamptz), date_trunc('minute', '2026-11-05 10:37:12.9+00'::timestamptz)

SELECT extract(hour FROM '2026-11-01 10:37:12.345+00'::timestamptz), extract(second FROM '2026-11-01 10:37:12.345+00'::timestamptz), extract(epoch FROM '2026-11-01 10:37:12.345+00'::timestamptz)

SELECT extract(dow FROM '2026-11-01 10:00:00+00'::timestamptz), extract(doy FROM '2026-11-01 10:00:00+00'::timestamptz), extract(week FROM '2026-11-01 10:00:00+00'::timestamptz), extract(milliseconds FROM '2026-11-01 10:00:01.5+00'::timestamptz), extract(year FROM '2026-11-01 10:00:00+00'::timestamptz)

SELECT date_part('hour', '2026-11-01 10:37:12+00'::timestamptz), date_part('second', '2026-11-01 10:37:12.25+00'::timestamptz), date_part('epoch', '2026-11-01 00:00:00+00'::timestamptz)

SELECT to_timestamp(1793534400), to_timestamp(1793534400.5)

SET TimeZone = 'Asia/Kolkata'; SELECT date_trunc('hour', '2026-11-01 10:37:12+00'::timestamptz), extract(hour FROM '2026-11-01 10:37:12+00'::timestamptz), date_trunc('day', '2026-11-01 20:00:00+00'::timestamptz)

SET TimeZone = 'America/New_York'; SELECT date_trunc('day', '2026-11-01 12:00:00+00'::timestamptz), extract(timezone FROM '2026-11-01 12:00:00+00'::timestamptz)

SET TimeZone = 'UTC'; SELECT date_trunc('hour', ts) AS h, count(*) FROM logs GROUP BY 1 ORDER BY 1

SELECT extract(hour FROM ts) AS h, count(*) FROM alerts GROUP BY 1 ORDER BY 1

SELECT date_part('dow', ts) AS d, count(*) FROM logs GROUP BY 1 ORDER BY 1

SELECT lower(operation), count(*) FROM logs GROUP BY 1 ORDER BY 1

SELECT upper(namespace_name) || '/' || pod_name AS w, count(*) FROM alerts GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5

SELECT count(*) FROM logs WHERE resource LIKE '/etc/%'

SELECT count(*) FROM logs WHERE resource LIKE '%passwd%' OR resource ILIKE '%SHADOW%'

SELECT count(*) FROM logs WHERE resource NOT LIKE '/proc/%' AND resource <> ''

SELECT count(*) FROM logs WHERE process_name ~ '(curl|wget)$'

SELECT count(*) FROM logs WHERE resource ~* '^/ETC/' AND operation = 'File'

SELECT split_part(resource, '/', 2) AS top, count(*) FROM logs WHERE operation = 'File' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10

SELECT CASE WHEN severity >= 7 THEN 'high' WHEN severity >= 4 THEN 'medium' WHEN severity IS NULL THEN 'none' ELSE 'low' END AS level, count(*) FROM alerts GROUP BY 1 ORDER BY 1

SELECT coalesce(severity, -1) AS s, count(*) FROM alerts GROUP BY 1 ORDER BY 1

SELECT count(*), sum(CASE WHEN result = 'Passed' THEN 1 ELSE 0 END) FROM logs

SELECT length(resource) AS n, count(*) FROM logs GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5

SELECT max(length(data)), min(length(process_name)) FROM logs

SELECT greatest(pid, ppid) AS g, least(pid, ppid) AS l FROM logs ORDER BY ts, host_name, pid LIMIT 5

SELECT substring(container_id FROM 1 FOR 12) AS c, count(*) FROM logs WHERE container_id <> '' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5

SELECT nullif(namespace_name, '') AS ns, count(*) FROM logs GROUP BY 1 ORDER BY 1 NULLS FIRST

SELECT count(*) FROM logs WHERE ts > now() - 0 * pid AND false

SELECT count(*) FROM logs WHERE ts < now()

SELECT abs(pid - ppid) AS d FROM logs ORDER BY ts, host_name, pid LIMIT 5

SELECT round(avg(pid)::float8 / 1000) FROM logs

SELECT avg(pid)::float8, avg(pid)::int, avg(pid)::bigint, sum(pid)::float8 FROM alerts

SELECT 42::numeric, 0.5::float8::numeric, (1::float8 / 3)::numeric, 1e20::float8::numeric, 1.5e-7::float8::numeric, '-2.5'::numeric::int, '2.5'::numeric::int

SELECT split_part(resource, '/', 3) AS part FROM logs WHERE split_part(resource, '/', 2) = 'proc' AND split_part(resource, '/', 3) ~ '^[0-9]+$' ORDER BY ts, host_name, pid LIMIT 3

SELECT count(*) FROM logs WHERE split_part(resource, '/', 2) = 'proc' AND split_part(resource, '/', 3) ~ '^[0-9]+$' AND split_part(resource, '/', 3)::int > 100

SELECT '42'::text::int + 1, ' 7 '::text::bigint, '2.50'::text::numeric, 'yes'::text::bool, '1e3'::text::float8

SELECT regexp_replace('a1b22c333', '[0-9]+', '#'), regexp_replace('a1b22c333', '[0-9]+', '#', 'g'), regexp_replace('Hello', 'l', 'L', 'gi'), regexp_replace('john smith', '(\w+) (\w+)', '\2, \1')

SELECT regexp_match('foo123bar', '[0-9]+'), regexp_match('key=value', '(\w+)=(\w+)'), regexp_match('abc', 'z'), regexp_match('ABC', 'b', 'i')

SELECT regexp_replace(resource, '/[0-9]+/', '/N/', 'g') AS r, count(*) FROM logs WHERE resource LIKE '/proc/%' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5

SELECT (regexp_match(data, 'fd=(-?[0-9]+)'))[1] IS NULL AS no_fd, count(*) FROM logs GROUP BY 1 ORDER BY 1

SELECT format('%s has %s alerts, %L', namespace_name, count(*), max(policy_name)) FROM alerts GROUP BY namespace_name ORDER BY 1

SELECT format('%I.%I', 'public', 'Mixed Case'), format('%2$s-%1$s', 'a', 'b'), format('%L %L %s|', NULL, E'it''s', NULL), format('100%%')

SELECT format('%s %s', 1)

SELECT format('%x', 1)
