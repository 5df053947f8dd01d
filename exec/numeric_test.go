package exec

import (
	"math/big"
	"math/rand/v2"
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

// EpochDivFloor agrees with floor(extract(epoch) / seconds) computed in
// numeric, at random times and at those just below a multiple of the
// divisor, where the division's rounding decides.
func TestEpochDivFloorMatchesNumeric(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	viaNumeric := func(us, secs int64) int64 {
		q, err := numericOp('/', decimal{big.NewInt(us), 6}, decimal{big.NewInt(secs), 0})
		if err != nil {
			t.Fatal(err)
		}
		return numericRound(q, 0, "floor").u.Int64()
	}
	divisors := []int64{1, 60, 300, 3600, 86400, 7 * 86400, 1e6, 2e6, 3e6, 1e9, 1e12}
	nearBoundary := 0
	for _, secs := range divisors {
		d := secs * 1_000_000
		for range 2000 {
			var us int64
			switch r.IntN(3) {
			case 0:
				us = r.Int64N(4e15) - 2e15
			default:
				// Within a few µs below or above a multiple of d.
				k := r.Int64N(4e15/d+1) - 2e15/d
				us = k*d - r.Int64N(8) + 3
			}
			got, err := EpochDivFloor(us, d)
			if err != nil {
				t.Fatal(err)
			}
			if want := viaNumeric(us, secs); got != want {
				t.Fatalf("EpochDivFloor(%d, %d s) = %d, numeric says %d", us, secs, got, want)
			}
			if m := us - floorDiv(us, d)*d; m != 0 && d-m <= d/2_000_000 {
				nearBoundary++
			}
		}
	}
	if nearBoundary == 0 {
		t.Error("no time fell where the division's rounding decides")
	}
	// Far in the future the quotient has enough digits for numeric to
	// round at 6 decimals: one µs below a multiple of 3 s rounds up to it.
	us := int64(2_000_000_000_000)*3_000_000 - 1
	got, err := EpochDivFloor(us, 3_000_000)
	if err != nil || got != viaNumeric(us, 3) || got != 2_000_000_000_000 {
		t.Errorf("EpochDivFloor(%d, 3 s) = %d, %v; numeric says %d", us, got, err, viaNumeric(us, 3))
	}
	if _, err := EpochDivFloor(0, 1500); err == nil {
		t.Error("a divisor of a fraction of a second was accepted")
	}
}
