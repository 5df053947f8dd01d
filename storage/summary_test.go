package storage

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
)

// TestSummariesAgree runs matches and group counts over blocks whose text
// columns take each kind of summary (a value list, bounds only, a bloom
// filter) and checks that deciding from the summaries gives what deciding
// from the chunks gives, and what a row-by-row count of the batch gives;
// and that the summaries do skip blocks.
func TestSummariesAgree(t *testing.T) {
	s := openTest(t, Options{MaxBlockRows: 200})
	defer s.Close()
	tbl := schema.Messages
	host, level, msg := tbl.ColumnIndex("host_name"), tbl.ColumnIndex("level"), tbl.ColumnIndex("message")
	rng := rand.New(rand.NewPCG(51, 52))
	b := coldata.NewBatch(tbl.Types(), 0)
	const n = 3000
	t0 := int64(1779184800000000)
	for i := range n {
		for c, v := range b.Vecs {
			switch {
			case c == tbl.TimeColumn:
				v.Int64 = append(v.Int64, t0+int64(i)*1000)
			case c == host && rng.IntN(30) == 0:
				v.AppendNull()
			case c == host: // a dictionary too big to list: bounds only
				v.Bytes.AppendString(fmt.Sprintf("node-%02d", 10+rng.IntN(40)))
			case c == level: // listed with counts
				v.Bytes.AppendString([]string{"Info", "Debug", "Warn"}[rng.IntN(3)])
			case c == msg: // mostly distinct: a bloom filter
				v.Bytes.AppendString(fmt.Sprintf("m%d", rng.IntN(100000)))
			case v.Type.IsBytes():
				v.Bytes.AppendString("x")
			default:
				v.Int64 = append(v.Int64, int64(i))
			}
		}
		b.Len++
	}
	if err := s.Append(tbl, b); err != nil {
		t.Fatal(err)
	}
	someMsg := string(b.Vecs[msg].Bytes.Get(1234))
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		col      int
		value    string
		wantSkip bool // summaries must skip blocks
	}{
		{"listed value", level, "Warn", false},
		{"listed, absent", level, "Error", true},
		{"inside bounds", host, "node-33", false},
		{"outside bounds", host, "zzz", true},
		{"in a bloom filter", msg, someMsg, true},
		{"absent from bloom filters", msg, "no such message", true},
	} {
		want := 0
		for i := range n {
			if v := b.Vecs[tc.col]; !v.Nulls.Get(i) && string(v.Bytes.Get(i)) == tc.value {
				want++
			}
		}
		match := []Match{{Col: tc.col, Values: [][]byte{[]byte(tc.value)}}}
		for _, ignore := range []bool{false, true} {
			ignoreSummaries = ignore
			// Counted (no columns) and returned (one column).
			for _, cols := range [][]int{nil, {host}} {
				it, err := s.Scan(ctx, ScanRequest{Table: tbl, Columns: cols, MinTs: math.MinInt64, MaxTs: math.MaxInt64,
					Match: match, MatchExact: true})
				if err != nil {
					t.Fatal(err)
				}
				if got := countRows(t, it); got != want {
					t.Errorf("%s (summaries ignored %v, columns %v): %d rows, want %d", tc.name, ignore, cols, got, want)
				}
				if tc.wantSkip && !ignore && it.skipped == 0 {
					t.Errorf("%s: no block skipped", tc.name)
				}
				it.Close()
			}
		}
		ignoreSummaries = false
	}
	// Group counts, from the listed values and from the codes.
	for _, col := range []int{level, host} {
		var got [2]map[string]int64
		for k, ignore := range []bool{false, true} {
			ignoreSummaries = ignore
			m, _, err := s.CountBy(ctx, ScanRequest{Table: tbl, MinTs: math.MinInt64, MaxTs: math.MaxInt64}, col)
			if err != nil {
				t.Fatal(err)
			}
			got[k] = m
		}
		ignoreSummaries = false
		if !maps.Equal(got[0], got[1]) {
			t.Errorf("column %d: counts %v from summaries, %v from chunks", col, got[0], got[1])
		}
	}
}
