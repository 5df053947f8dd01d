-- NULL and three-valued logic, integer widths, float and numeric output,
-- text comparison, booleans: the semantics every feature leans on.

SELECT NULL::int + 1, NULL::text || 'a', coalesce(NULL::int, NULL::int), NULL::bool AND true, NULL::bool OR true

SELECT NOT NULL::bool, NULL::int = NULL::int, NULL::int IS DISTINCT FROM 1

SELECT count(*), count(severity), sum(severity) FROM alerts WHERE severity IS NULL

SELECT max(severity), min(severity), avg(severity) FROM alerts WHERE false

SELECT sum(x), avg(x), count(x), min(x) FROM (VALUES (NULL::int), (NULL)) v(x)

SELECT 32767::smallint + 1, 2147483647::int + 0, (-2147483648)::int

SELECT 5::smallint * 2, 5::smallint / 2, pg_typeof_is_not_needed FROM (SELECT 1 AS pg_typeof_is_not_needed) s

SELECT 1::float8 / 3, 2::float8 ^ 0.5 IS NULL, 1e308::float8 * 10

SELECT 0.1::float8 + 0.2::float8, 1.0::float8, 100::float8, 1e15::float8, 1e16::float8, 1.5e-5::float8, -0.0::float8

SELECT 3.0::float4, 0.1::float4, 1::float4 / 3

SELECT 'abc' < 'abd', 'Z' < 'a', '' < 'a', 'abc' = 'abc ', 'a' || NULL IS NULL

SELECT true AND false, true OR false, NOT true = false, true > false, true::text, false::int

SELECT 't'::bool, 'off'::bool, 'yes'::bool AND 'n'::bool

SELECT 10 % 3, -10 % 3, 10 % -3, 7 / -2, -7 / -2

SELECT 9223372036854775807::bigint - 1, -9223372036854775807::bigint - 1

SELECT count(*) FROM logs WHERE pid IS NULL OR ppid IS NULL OR host_pid IS NULL

SELECT count(*) FROM alerts WHERE (severity > 5) IS NULL

SELECT count(*) FROM alerts WHERE severity > 5 IS NOT TRUE

SELECT severity IS NULL, count(*) FROM alerts GROUP BY 1 ORDER BY 1

SELECT sum(pid)::numeric / count(*), avg(pid) FROM alerts

SELECT avg(x) FROM (VALUES (1), (2)) v(x)

SELECT avg(x), sum(x) FROM (VALUES (1.5), (2.25), (NULL)) v(x)

SELECT avg(x) FROM (VALUES (1::float8), (2::float8)) v(x)

SELECT min(x), max(x) FROM (VALUES ('b'), ('a'), ('ab')) v(x)

SELECT x FROM (VALUES (3), (1), (NULL), (2)) v(x) ORDER BY x

SELECT x FROM (VALUES (3), (1), (NULL), (2)) v(x) ORDER BY x DESC

SELECT x FROM (VALUES (3), (1), (NULL), (2)) v(x) ORDER BY x NULLS FIRST

SELECT x FROM (VALUES ('b'), ('B'), ('a'), ('_')) v(x) ORDER BY x

SELECT x FROM (VALUES (1.5), (1.50), (-0.5), (10)) v(x) ORDER BY x, x::text
