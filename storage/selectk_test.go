package storage

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSelectSmallest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		n := rng.IntN(300)
		if trial%50 == 0 {
			n = 5000 + rng.IntN(5000)
		}
		keys := make([]uint64, n)
		spread := uint64(1) << rng.IntN(40) // few distinct keys to many
		for i := range keys {
			keys[i] = rng.Uint64N(spread + 1)
		}
		if trial%7 == 0 {
			slices.Sort(keys) // sorted and reversed inputs too
			if trial%2 == 0 {
				slices.Reverse(keys)
			}
		}
		k := rng.IntN(n + 2)
		want := slices.Clone(keys)
		slices.Sort(want)
		selectSmallest(keys, k)
		got := slices.Clone(keys)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d: the keys changed, not just their order", trial)
		}
		if k <= 0 || k >= n {
			continue
		}
		first := slices.Clone(keys[:k])
		slices.Sort(first)
		if !slices.Equal(first, want[:k]) {
			t.Fatalf("trial %d (n %d, k %d): keys[:k] are not the k smallest", trial, n, k)
		}
	}
}
