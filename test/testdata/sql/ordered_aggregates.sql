-- Aggregates over a group's rows together: string_agg, array_agg, the
-- ordered-set aggregates (percentiles, mode), ORDER BY inside aggregates,
-- FILTER, and the errors PostgreSQL gives for their misuse.

SELECT string_agg(DISTINCT namespace_name, ',') FROM alerts

SELECT string_agg(DISTINCT namespace_name, ', ' ORDER BY namespace_name DESC) FROM alerts

SELECT operation, string_agg(DISTINCT result, '|') FROM logs GROUP BY operation ORDER BY operation

SELECT string_agg(namespace_name, ',' ORDER BY namespace_name) FROM (SELECT DISTINCT namespace_name FROM alerts) s

SELECT host_name, string_agg(process_name, ';' ORDER BY ts, pid, process_name) FROM (SELECT * FROM logs ORDER BY ts LIMIT 40) s GROUP BY host_name ORDER BY host_name

SELECT string_agg(x, NULL ORDER BY x) FROM (VALUES ('a'), ('b'), (NULL), ('c')) v(x)

SELECT string_agg(x, d ORDER BY x) FROM (VALUES ('a', '-'), ('b', '+'), ('c', NULL)) v(x, d)

SELECT string_agg(x, ',') FROM (VALUES (NULL::text)) v(x)

SELECT string_agg(namespace_name, ',') FROM alerts WHERE false

SELECT array_agg(DISTINCT operation) FROM logs

SELECT array_agg(DISTINCT namespace_name ORDER BY namespace_name DESC) FROM alerts

SELECT operation, array_agg(DISTINCT result ORDER BY result) FROM logs GROUP BY 1 ORDER BY 1

SELECT array_length(array_agg(DISTINCT host_name), 1) FROM logs

SELECT array_agg(x ORDER BY x DESC) FROM (VALUES ('b'), ('a'), ('c')) v(x)

SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY pid) FROM logs

SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY pid) FROM logs

SELECT percentile_cont(0) WITHIN GROUP (ORDER BY pid), percentile_cont(1) WITHIN GROUP (ORDER BY pid) FROM logs

SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY pid) FROM logs

SELECT percentile_disc(0) WITHIN GROUP (ORDER BY pid), percentile_disc(1) WITHIN GROUP (ORDER BY pid) FROM logs

SELECT percentile_disc(0.25) WITHIN GROUP (ORDER BY pid DESC) FROM logs

SELECT operation, percentile_cont(0.5) WITHIN GROUP (ORDER BY pid), percentile_disc(0.99) WITHIN GROUP (ORDER BY pid) FROM logs GROUP BY operation ORDER BY operation

SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ts) FROM alerts

SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY namespace_name) FROM alerts

SELECT percentile_cont(0.75) WITHIN GROUP (ORDER BY severity) FROM alerts

SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM (VALUES (1.5::float8), (NULL), (2.5), (10)) v(x)

SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY pid) FROM logs WHERE false

SELECT mode() WITHIN GROUP (ORDER BY operation) FROM logs

SELECT host_name, mode() WITHIN GROUP (ORDER BY process_name) FROM logs GROUP BY host_name ORDER BY host_name

SELECT mode() WITHIN GROUP (ORDER BY x) FROM (VALUES (3), (1), (3), (1), (2)) v(x)

SELECT count(*) FILTER (WHERE operation = 'File'), count(*) FILTER (WHERE operation = 'Process'), count(*) FROM logs

SELECT operation, count(*) FILTER (WHERE result = 'Passed') AS passed, sum(pid) FILTER (WHERE pid > 1000) FROM logs GROUP BY operation ORDER BY operation

SELECT namespace_name, avg(severity) FILTER (WHERE severity > 2), max(ts) FILTER (WHERE action = 'Block') FROM alerts GROUP BY 1 ORDER BY 1

SELECT count(DISTINCT host_name) FILTER (WHERE operation = 'Network') FROM logs

SELECT string_agg(DISTINCT operation, ',') FILTER (WHERE operation <> 'File') FROM logs

SELECT count(*) FILTER (WHERE severity IS NULL) FROM alerts

SELECT sum(pid ORDER BY ts) FROM logs

SELECT operation, count(*) FILTER (WHERE pid % 2 = 0) FROM logs GROUP BY operation HAVING count(*) FILTER (WHERE pid % 2 = 0) > 10 ORDER BY 1

-- error: WITHIN GROUP on an ordinary aggregate
SELECT count(*) WITHIN GROUP (ORDER BY pid) FROM logs

-- error: an ordered-set aggregate without WITHIN GROUP
SELECT percentile_cont(0.5) FROM logs

-- error: the fraction is out of range
SELECT percentile_cont(1.5) WITHIN GROUP (ORDER BY pid) FROM logs

-- error: percentile_cont of text
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY namespace_name) FROM logs

-- error: string_agg of an integer
SELECT string_agg(pid, ',') FROM logs

-- error: DISTINCT with an ORDER BY not among the arguments
SELECT string_agg(DISTINCT namespace_name, ',' ORDER BY pid) FROM alerts

-- error: FILTER must be boolean
SELECT count(*) FILTER (WHERE pid) FROM logs

-- error: aggregate inside FILTER
SELECT count(*) FILTER (WHERE count(*) > 1) FROM logs

-- error: FILTER on a plain function
SELECT lower(namespace_name) FILTER (WHERE true) FROM alerts
