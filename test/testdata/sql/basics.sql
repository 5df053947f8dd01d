-- Expressions without FROM: constants, arithmetic, comparison, three-valued
-- logic, casts.

SELECT 1

SELECT 1 + 2 * 3, (1 + 2) * 3, 10 - 4 - 3

SELECT 7 / 2, -7 / 2, 7 % 3, -7 % 3

SELECT 2147483647 + 1

SELECT 9223372036854775807

SELECT 1 = 1, 1 <> 1, 2 < 3, 3 <= 3, 4 > 5, 5 >= 6

SELECT 'abc' = 'abc', 'abc' < 'abd', 'b' > 'abc'

SELECT NULL IS NULL, 1 IS NULL, NULL IS NOT NULL

SELECT true AND NULL, false AND NULL, true OR NULL, false OR NULL

SELECT NOT true, NOT false

SELECT 1 = NULL, NULL <> NULL

SELECT 1 IN (1, 2, 3), 4 IN (1, 2, 3), 4 NOT IN (1, 2, 3), 1 IN (NULL, 2)

SELECT 5 BETWEEN 1 AND 10, 0 BETWEEN 1 AND 10, 5 NOT BETWEEN 1 AND 10

SELECT '42'::int, '42'::bigint + 1, 3::bigint * 4

SELECT CAST(7 AS double precision) / 2

SELECT 1.5::float8 * 2, 0.1::float8 + 0.2::float8

SELECT 'kube-system' AS ns, 42 AS n

SELECT -(-5), - 3 + 1

SELECT 10 / 3 * 3 + 10 % 3

SELECT 1.5, -2.25, 1.50 + 1, 0.1 + 0.2, 1.5 * 2, 10.0 / 4, 1 / 3.0, 2.5 - 5

SELECT 7.5 % 2, 1e3, 1.5e-3, -0.0, 12345678901234567890, 1.23456789012345678901

SELECT 1.5 > 1, 2 = 2.0, 0.1 + 0.2 = 0.3, 3.0 <> 3, 1.5 < 1.25

SELECT 1.5::float8 + 1, 2 * 1.5::float8, 1.5 + 1.5::float8

SELECT floor(-2.5), ceil(-2.5), round(2.5), round(-2.5), round(2.345, 2), round(1234.5, -2), trunc(2.789, 1), abs(-1.25)

SELECT floor(7), round(7.0 / 2), trunc(-7.9)

SELECT '1.50'::numeric, ' -.5 '::numeric, '1e2'::numeric, '12'::numeric * 2

SELECT greatest(1, 2.5, 2), least(1.5, 2), coalesce(NULL, 1.5, 2)
