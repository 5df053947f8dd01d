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
