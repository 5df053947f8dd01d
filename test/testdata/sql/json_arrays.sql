-- jsonb operators and text[] functions over KubeArmor's event_data and
-- atags.

SELECT event_data ->> 'Syscall' AS s, count(*) FROM alerts GROUP BY 1 ORDER BY 1 NULLS FIRST

SELECT event_data -> 'Syscall' AS s, count(*) FROM logs GROUP BY 1 ORDER BY 2 DESC, 1 NULLS FIRST LIMIT 5

SELECT count(*) FROM logs WHERE event_data ? 'Syscall'

SELECT count(*) FROM logs WHERE event_data ->> 'Syscall' = 'SYS_OPENAT'

SELECT '{"a": {"b": [1, "x", null]}}'::jsonb -> 'a' -> 'b', '{"a": {"b": [1, "x", null]}}'::jsonb -> 'a' -> 'b' ->> 1, '{"a": {"b": [1, "x", null]}}'::jsonb -> 'a' -> 'b' ->> 2, '{"a": {"b": [1, "x", null]}}'::jsonb -> 'a' -> 'b' -> -1

SELECT '{"a": 1}'::jsonb ? 'a', '{"a": 1}'::jsonb ? 'b', '["a", "b"]'::jsonb ? 'b', '"a"'::jsonb ? 'a', '{"a": "q\"t"}'::jsonb ->> 'a', '{"a": "\u00e9"}'::jsonb ->> 'a'

SELECT '{"a": 1}'::jsonb -> 'missing', '[1, 2]'::jsonb -> 5, '{"a": 1}'::jsonb -> 0, '5'::jsonb -> 'a'

SELECT count(*) FROM alerts WHERE 'MITRE' = ANY(atags)

SELECT count(*) FROM alerts WHERE 'no such tag' = ANY(atags)

SELECT array_length(atags, 1) AS n, cardinality(atags) AS c, count(*) FROM alerts GROUP BY 1, 2 ORDER BY 1 NULLS FIRST, 2

SELECT array_to_string(atags, '|') AS t, count(*) FROM alerts GROUP BY 1 ORDER BY 1

SELECT string_to_array('a,b,c', ','), string_to_array('', ','), string_to_array('abc', ''), array_length(string_to_array('a,b', ','), 1)

SELECT count(*) FROM alerts WHERE array_length(atags, 1) > 2 AND 'NIST' = ANY(atags)

SELECT atags[1], atags[2], atags[99], (string_to_array('a,b,c', ','))[3] FROM alerts ORDER BY ts, pod_name, policy_name LIMIT 5

SELECT unnest(atags) AS tag, count(*) FROM alerts GROUP BY 1 ORDER BY 1

SELECT tag, count(*) FROM (SELECT unnest(atags) AS tag FROM alerts) s GROUP BY tag ORDER BY 2 DESC, 1

SELECT namespace_name, unnest(atags) FROM alerts WHERE severity > 5 ORDER BY 1, 2 LIMIT 20

SELECT count(*), count(DISTINCT t) FROM (SELECT unnest(atags) AS t FROM alerts) s

SELECT upper(unnest(atags)) AS u, count(*) FROM alerts WHERE namespace_name = 'logging' GROUP BY 1 ORDER BY 1

SELECT unnest(ARRAY['b', 'a', 'c'])

SELECT unnest(ARRAY[namespace_name, pod_name]) AS v, count(*) FROM alerts GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5

SELECT ARRAY['a', 'b c', '', 'null', 'x"y'], '{a, "b c" ,  d }'::text[], '{}'::text[], '{"\\x", "NULL", \"q}'::text[]

SELECT array_length('{a,b,c}'::text[], 1), cardinality(ARRAY['x']), ('{p,q}'::text[])[2]

SELECT 'NIST' = ANY(ARRAY['x', 'NIST']), namespace_name = ANY('{logging,kube-system}') FROM alerts ORDER BY 2 LIMIT 1

SELECT count(*) FROM logs WHERE namespace_name = ANY('{logging,kube-system}') AND operation = ANY(ARRAY['File', 'Network'])

SELECT count(*) FROM logs WHERE namespace_name = ANY('{}')

SELECT count(*) FROM alerts WHERE NOT (namespace_name = ANY(ARRAY['logging']))

-- error: a malformed array literal
SELECT '{a,b'::text[]

-- error: an empty ARRAY[] has no type
SELECT ARRAY[]

SELECT unnest(ARRAY['x', 'y']), unnest(ARRAY['1', '2', '3'])

SELECT unnest('{}'::text[])

SELECT a.pid, unnest(a.atags) FROM alerts a WHERE a.atags IS NOT NULL ORDER BY 1, 2 LIMIT 10

SELECT unnest(string_to_array(resource, '/')) AS part, count(*) FROM logs WHERE operation = 'File' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10

SELECT max(length(unnest)) FROM (SELECT unnest(atags) FROM alerts) s

-- error: set-returning functions in WHERE
SELECT count(*) FROM alerts WHERE unnest(atags) = 'NIST'

-- error: unnest of a non-array
SELECT unnest(namespace_name) FROM alerts

-- Building JSON objects.

SELECT json_build_object('host', host_name, 'n', count(*), 'ok', bool_and(severity > 0)) FROM alerts GROUP BY host_name ORDER BY host_name LIMIT 3

SELECT jsonb_build_object('b', 1, 'a', 'x', 'b', 2, 'arr', ARRAY['p', 'q'], 'nothing', NULL, 'f', 1.5::float8)

SELECT json_build_object('ts', min(ts), 'quote', 'say "hi"' || E'\n' || E'\t') FROM alerts

SELECT json_build_object('k', 1, NULL, 2)

SELECT ARRAY['a', 'b c', 'd"e']::text, '{x,"y z"}'::text[]::varchar, length(ARRAY['p']::text)

SELECT x, generate_subscripts(a, 1) AS i, unnest(a) AS e FROM (VALUES (1, ARRAY['p', 'q']), (2, ARRAY['r'])) v(x, a) ORDER BY 1, 2
