package exec

import (
	"math/big"
	"testing"
)

func TestDivideIntegersMatchesPostgres(t *testing.T) {
	// Expected values from PostgreSQL 15: SELECT avg(x) / numeric division.
	for _, c := range []struct {
		num, den int64
		want     string
	}{
		{3, 2, "1.5000000000000000"},
		{10, 3, "3.3333333333333333"},
		{2, 3, "0.66666666666666666667"},
		{-2, 3, "-0.66666666666666666667"},
		{0, 5, "0.00000000000000000000"},
		{123456789, 1, "123456789.000000000000"},
		{1000000, 7, "142857.142857142857"},
		{99999, 100000, "0.99999000000000000000"},
		{5, 1, "5.0000000000000000"},
	} {
		got := divideIntegers(big.NewInt(c.num), big.NewInt(c.den))
		if got != c.want {
			t.Errorf("%d/%d = %s, want %s", c.num, c.den, got, c.want)
		}
	}
}
