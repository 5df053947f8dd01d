-- Time: intervals folded into timestamp arithmetic, date_bin, time zones.

SELECT count(*) FROM logs WHERE ts > '2026-11-01 12:00:00+00'::timestamptz - interval '1 hour'

SELECT count(*) FROM logs WHERE ts >= '2026-11-01 12:00:00+00'::timestamptz - interval '90 minutes' AND ts < '2026-11-01 12:00:00+00'::timestamptz + '30 min'

SELECT '2026-11-01 10:00:00+00'::timestamptz + interval '1 day 2 hours', '2026-01-31 10:00:00+00'::timestamptz + interval '1 month', '2026-03-31 10:00:00+00'::timestamptz - interval '1 month'

SELECT '2026-11-01 10:00:00+00'::timestamptz + interval '1.5 hours', '2026-11-01 10:00:00+00'::timestamptz - interval '2 weeks', '2026-11-01 10:00:00+00'::timestamptz + interval '01:30:00'

SELECT '2026-11-01 10:00:00+00'::timestamptz + interval '1 year', '2024-02-29 10:00:00+00'::timestamptz + interval '1 year', '2026-11-01 10:00:00+00'::timestamptz + interval '@ 3 days ago'

SELECT '2026-11-01 10:00:00+00'::timestamptz + interval '1 hour' * 3, '2026-11-01 10:00:00+00'::timestamptz + 2 * interval '10 minutes', '2026-11-01 10:00:00+00'::timestamptz + (interval '1 day' - interval '1 hour')

SET TimeZone = 'America/New_York'; SELECT '2026-11-01 00:30:00-04'::timestamptz + interval '1 day', '2026-11-01 00:30:00-04'::timestamptz + interval '24 hours', '2026-03-07 12:00:00-05'::timestamptz + interval '1 day'

SET TimeZone = 'UTC'; SELECT date_bin('15 minutes', ts, '2026-11-01') AS t, count(*) FROM logs GROUP BY 1 ORDER BY 1 LIMIT 10

SELECT date_bin('1 hour', ts, '2026-11-01 00:30:00+00') AS t, count(*) FROM alerts GROUP BY 1 ORDER BY 1

SELECT date_bin('5 minutes', '2026-11-01 10:37:12+00'::timestamptz, '2000-01-01'), date_bin('90 seconds', '2026-11-01 10:37:12+00'::timestamptz, '2026-11-01'), date_bin('1 day', '2026-11-01 10:37:12+00'::timestamptz, '2001-01-01')

SELECT extract(epoch FROM interval '1 day 2 hours'), date_part('epoch', interval '90 minutes'), extract(epoch FROM interval '1 month'), extract(epoch FROM interval '1 year')

SELECT count(*) FROM alerts WHERE ts BETWEEN '2026-11-01 06:00:00+00'::timestamptz AND '2026-11-01 06:00:00+00'::timestamptz + interval '1 hour'

SELECT count(*) FROM logs WHERE ts < now() - interval '1000 days' OR ts > now() + interval '100 years'

SELECT date_trunc('hour', ts) + interval '30 minutes' AS half, count(*) FROM alerts GROUP BY 1 ORDER BY 1 LIMIT 5

SELECT count(*) FROM logs WHERE ts >= '2026-11-01 12:00:00+00'::timestamptz - '90 minutes'

SELECT '2026-11-01 10:00:00.5+00'::timestamptz::text, '2026-11-01 10:00:00+00'::timestamptz::text

SET TimeZone = 'Asia/Kolkata'; SELECT '2026-11-01 10:00:00+00'::timestamptz::text, min(ts)::text FROM alerts
