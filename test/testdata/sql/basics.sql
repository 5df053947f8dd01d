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
