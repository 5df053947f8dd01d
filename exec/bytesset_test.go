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

// A set adopted whole holds its values unhashed, walks them, and keeps
// them once values are added after it, duplicates of adopted ones
// included.
func TestBytesSetAdopt(t *testing.T) {
	vals := []string{"/etc/passwd", "", "/bin/sh", "/etc/shadow"}
	var data []byte
	var ends []int32
	base := int32(7) // offsets of a vector whose arena starts elsewhere
	for _, v := range vals {
		data = append(data, v...)
		ends = append(ends, base+int32(len(data)))
	}
	var s bytesSet
	s.adopt(data, ends, base)
	if s.len() != len(vals) || len(s.slots) != 0 {
		t.Fatalf("adopted: len %d, %d slots; want %d values, no table", s.len(), len(s.slots), len(vals))
	}
	var got []string
	s.walk(func(v []byte) { got = append(got, string(v)) })
	if fmt.Sprint(got) != fmt.Sprint(vals) {
		t.Fatalf("walk after adopt = %q, want %q", got, vals)
	}
	for _, v := range vals {
		if s.add([]byte(v)) {
			t.Errorf("add(%q) after adopting it reported a new value", v)
		}
	}
	if !s.add([]byte("/tmp/x")) || s.len() != len(vals)+1 {
		t.Errorf("a new value after adopt: len %d, want %d", s.len(), len(vals)+1)
	}
	seen := map[string]bool{}
	s.walk(func(v []byte) { seen[string(v)] = true })
	for _, v := range append(vals, "/tmp/x") {
		if !seen[v] {
			t.Errorf("walk lost %q", v)
		}
	}
}
