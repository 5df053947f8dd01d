-- Dates, timestamps without time zone, intervals, AT TIME ZONE, and
-- the arithmetic between them, in two session time zones.

SELECT '2026-11-01'::date, date '2024-02-29', '2026-11-01 23:59:59'::date, DATE '0044-03-15 BC'

SELECT interval '1 hour', interval '2 days 03:04:05.5', interval '1 year 2 months', interval '-1 day +2 hours', interval '0', interval '90 minutes'

SELECT interval '1.5 months', interval '-3 years -4 mons', interval '1 mon -1 day', interval '36 hours', '-00:00:01'::interval

SELECT max(ts) - min(ts) FROM logs

SELECT namespace_name, max(ts) - min(ts) AS span FROM alerts GROUP BY 1 ORDER BY 1

SELECT ts - '2026-11-01 00:00:00+00' FROM alerts ORDER BY ts LIMIT 5

SELECT count(*) FROM logs WHERE ts - '2026-11-01 00:00:00+00' < interval '6 hours'

SELECT count(*) FROM logs WHERE '2026-11-02 00:00:00+00' - ts > interval '1 day' - interval '12 hours'

SELECT ts::date AS day, count(*) FROM logs GROUP BY 1 ORDER BY 1

SELECT ts::timestamp AS local, ts FROM alerts ORDER BY ts LIMIT 3

SELECT date_trunc('hour', ts)::timestamp AS h, count(*) FROM alerts GROUP BY 1 ORDER BY 1 LIMIT 5

SELECT ts AT TIME ZONE 'UTC', ts AT TIME ZONE 'America/New_York', ts AT TIME ZONE 'Asia/Kolkata' FROM alerts ORDER BY ts LIMIT 3

SELECT timestamp '2026-11-01 06:00' AT TIME ZONE 'Europe/Berlin', timestamp '2026-03-29 02:30' AT TIME ZONE 'Europe/Berlin'

SELECT '2026-11-01'::date + 30, '2026-11-01'::date - 1, date '2026-12-25' - date '2026-11-01', 7 + date '2024-02-28'

SELECT date '2026-01-31' + interval '1 month', timestamp '2026-01-31 10:00' + interval '1 month 1 day', timestamp '2026-11-01 00:00' - interval '1 second'

SELECT timestamp '2026-11-01 12:00' - timestamp '2026-10-30 06:30:15', date '2026-11-01' - timestamp '2026-10-31 18:00'

SELECT interval '1 day' + interval '3 hours', interval '1 hour' - interval '2 hours', -interval '1 mon 2 days', interval '1 hour' * 3, interval '1 day' / 4

SELECT interval '1 mon' * 1.5, interval '7 days' * 0.1, interval '1 year' / 7, 2 * interval '45 minutes', interval '1 mon 1 day' * 0.5

SELECT interval '1 mon' = interval '30 days', interval '1 day' = interval '24 hours', interval '1 year' > interval '360 days', interval '25 hours' > interval '1 day'

SELECT extract(epoch FROM interval '1 day 2 hours'), extract(hour FROM interval '26 hours'), extract(minute FROM interval '-90 minutes'), extract(second FROM interval '1.5 seconds')

SELECT date_part('day', interval '40 days'), date_part('month', interval '14 months'), date_part('year', interval '14 months'), date_part('epoch', interval '1 mon')

SELECT extract(epoch FROM max(ts) - min(ts)) FROM alerts

SELECT extract(year FROM date '2026-11-01'), extract(doy FROM timestamp '2026-11-01 12:00'), date_part('dow', date '2026-11-01'), extract(hour FROM timestamp '2026-11-01 13:45')

SELECT date_trunc('month', timestamp '2026-11-17 13:45'), date_trunc('week', timestamp '2026-11-17 13:45'), date_trunc('day', date '2026-11-17')

SELECT count(*) FROM logs WHERE ts::date = date '2026-11-01'

SELECT count(*) FROM logs WHERE ts >= date '2026-11-01' AND ts < date '2026-11-01' + 1

SELECT count(*) FROM alerts WHERE ts::timestamp < timestamp '2026-11-01 12:00'

SELECT min(ts::date), max(ts::timestamp), min(ts - '2026-11-01'::timestamptz), max(ts - '2026-11-01'::timestamptz) FROM alerts

SELECT (ts - lag(ts) OVER (ORDER BY ts, pid)) AS gap FROM (SELECT ts, pid FROM alerts ORDER BY ts, pid LIMIT 6) s ORDER BY 1 NULLS FIRST

SELECT ts - '2026-11-01'::timestamptz AS age, count(*) FROM alerts GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3

SELECT '2026-11-01'::date::timestamptz, '2026-11-01 10:00'::timestamp::timestamptz, '2026-11-01 22:30+00'::timestamptz::date, '2026-11-01 22:30'::timestamp::date

SELECT NULL::date, NULL::interval, NULL::timestamp, interval '1 hour' + NULL, date '2026-11-01' + NULL::integer

SELECT '1 day'::interval::text, date '2026-11-01'::text, timestamp '2026-11-01 06:00:00.5'::text

SELECT ts FROM alerts WHERE ts > now() - interval '100 years' ORDER BY ts LIMIT 2

SELECT count(*) FROM alerts WHERE ts BETWEEN timestamp '2026-11-01 06:00' AND timestamp '2026-11-01 07:00'

SET TimeZone = 'America/Los_Angeles'; SELECT ts::date AS day, count(*) FROM logs GROUP BY 1 ORDER BY 1

SELECT ts::timestamp, ts AT TIME ZONE 'UTC', ts FROM alerts ORDER BY ts LIMIT 3

SELECT '2026-11-01'::date::timestamptz, timestamp '2026-11-01 10:00'::timestamptz, date_trunc('day', date '2026-11-17')

SELECT count(*) FROM logs WHERE ts >= date '2026-11-01'

SELECT ts + interval '1 day', ts - interval '1 month' FROM alerts ORDER BY ts LIMIT 2

SELECT date_trunc('day', ts) + interval '12 hours' AS noon, count(*) FROM alerts GROUP BY 1 ORDER BY 1

-- error: a bad date
SELECT '2026-13-01'::date

-- error: a bad interval
SELECT 'one hour'::interval

-- error: an unknown zone
SELECT now() AT TIME ZONE 'Mars/Olympus'

-- error: interval division by zero
SELECT interval '1 hour' / 0

-- error: a date plus a date
SELECT date '2026-11-01' + date '2026-11-02'

-- error: a timestamp times two
SELECT timestamp '2026-11-01' * 2
