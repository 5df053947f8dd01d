package exec

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// bytesSet holds what a map would: every value once, however often and
// in whatever order it is added, through growth, empty values included.
func TestBytesSetMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	var s bytesSet
	want := map[string]bool{}
	for i := range 200_000 {
		v := fmt.Sprintf("/etc/file-%d", r.IntN(50_000))
		if i%1000 == 0 {
			v = ""
		}
		if added := s.add([]byte(v)); added == want[v] {
			t.Fatalf("add(%q) = %v after %d adds, map has it: %v", v, added, i, want[v])
		}
		want[v] = true
	}
	if s.len() != len(want) {
		t.Fatalf("%d values, want %d", s.len(), len(want))
	}
	seen := map[string]bool{}
	s.walk(func(v []byte) {
		if seen[string(v)] || !want[string(v)] {
			t.Fatalf("walk gave %q twice or not added", v)
		}
		seen[string(v)] = true
	})
	if len(seen) != len(want) {
		t.Errorf("walk gave %d values, want %d", len(seen), len(want))
	}
}
