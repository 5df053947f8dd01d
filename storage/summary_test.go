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
				if tc.wantSkip && !ignore && it.skipped+it.partSkipped == 0 {
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

// TestRollupPrunes stores rows of six hourly partitions whose namespace
// and pid differ by hour, and checks that matches and ranges skip whole
// partitions by their rollup, blocks by their metadata, and still return
// exactly the rows a row-by-row filter keeps.
func TestRollupPrunes(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, Options{Dir: dir, MaxBlockRows: 100})
	tbl := schema.Alerts
	ns, pid := tbl.ColumnIndex("namespace_name"), tbl.ColumnIndex("pid")
	rng := rand.New(rand.NewPCG(71, 71))
	t0 := int64(1779184800e6)
	var batches []*coldata.Batch
	for h := range 6 {
		b := alertsBatch(rng, 300, t0+int64(h)*3600e6)
		for i := range b.Len {
			// Hour h: namespace "ns-h", pids in [h*1000, h*1000+999].
			b.Vecs[pid].Int64[i] = int64(h*1000) + rng.Int64N(1000)
		}
		nsv := coldata.NewVec(coldata.Text, b.Len)
		for range b.Len {
			nsv.Bytes.AppendString(fmt.Sprintf("ns-%d", h))
		}
		b.Vecs[ns] = nsv
		batches = append(batches, b)
		if err := s.Append(tbl, b); err != nil {
			t.Fatal(err)
		}
	}
	want := func(keep func(b *coldata.Batch, i int) bool) int {
		n := 0
		for _, b := range batches {
			for i := range b.Len {
				if keep(b, i) {
					n++
				}
			}
		}
		return n
	}
	ctx := context.Background()
	check := func(s *Store) {
		for _, tc := range []struct {
			name      string
			req       ScanRequest
			keep      func(b *coldata.Batch, i int) bool
			wantParts int // partitions skipped
		}{
			{"namespace of one hour", ScanRequest{Match: []Match{{Col: ns, Values: [][]byte{[]byte("ns-2")}}}},
				func(b *coldata.Batch, i int) bool { return string(b.Vecs[ns].Bytes.Get(i)) == "ns-2" }, 5},
			{"pid range of two hours", ScanRequest{Ranges: []IntRange{{Col: pid, Min: 1500, Max: 2500}}},
				func(b *coldata.Batch, i int) bool { x := b.Vecs[pid].Int64[i]; return x >= 1500 && x <= 2500 }, 4},
			{"empty range", ScanRequest{Ranges: []IntRange{{Col: pid, Min: 10, Max: 9}}},
				func(*coldata.Batch, int) bool { return false }, 6},
		} {
			req := tc.req
			req.Table, req.Columns, req.MinTs, req.MaxTs = tbl, []int{ns, pid}, math.MinInt64, math.MaxInt64
			it, err := s.Scan(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			got := 0
			for {
				b, err := it.Next(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if b == nil {
					break
				}
				// The scan may return rows outside (it skips, the caller
				// filters): filter as the caller would.
				for i := range b.Len {
					v := b.Vecs[1].Int64[i]
					ok := true
					for _, m := range req.Match {
						ok = ok && string(b.Vecs[0].Bytes.Get(i)) == string(m.Values[0])
					}
					for _, r := range req.Ranges {
						ok = ok && v >= r.Min && v <= r.Max
					}
					if ok {
						got++
					}
				}
			}
			it.Close()
			if w := want(tc.keep); got != w {
				t.Errorf("%s: %d rows, want %d", tc.name, got, w)
			}
			if it.partSkipped != tc.wantParts {
				t.Errorf("%s: %d partitions skipped, want %d", tc.name, it.partSkipped, tc.wantParts)
			}
		}
	}
	check(s)
	// The rollups rebuilt at Open prune the same way.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, Options{Dir: dir, MaxBlockRows: 100})
	defer s.Close()
	check(s)
}

// TestMinMax compares MinMax with a row-by-row fold, over whole blocks
// (answered from metadata: no chunk read), time ranges that cut blocks,
// a column with NULLs and an exact match.
func TestMinMax(t *testing.T) {
	s := openTest(t, Options{MaxBlockRows: 150})
	defer s.Close()
	tbl := schema.Alerts
	sev, pid, ns := tbl.ColumnIndex("severity"), tbl.ColumnIndex("pid"), tbl.ColumnIndex("namespace_name")
	rng := rand.New(rand.NewPCG(81, 81))
	t0 := int64(1779184800e6)
	var batches []*coldata.Batch
	for h := range 3 {
		b := alertsBatch(rng, 1000, t0+int64(h)*1900e6)
		batches = append(batches, b)
		if err := s.Append(tbl, b); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		col    int
		lo, hi int64
		match  []Match
		whole  bool
	}{
		{"pid, all rows", pid, math.MinInt64, math.MaxInt64, nil, true},
		{"severity (NULLs), all rows", sev, math.MinInt64, math.MaxInt64, nil, true},
		// Each batch spans about 0.1 s: these bounds cut the first and
		// the last.
		{"ts, a cut range", tbl.TimeColumn, t0 + 50_000, t0 + 3800e6 + 50_000, nil, false},
		{"pid, a cut range", pid, t0 + 50_000, t0 + 3800e6 + 50_000, nil, false},
		{"severity in one namespace", sev, math.MinInt64, math.MaxInt64,
			[]Match{{Col: ns, Values: [][]byte{[]byte("vault")}}}, false},
		{"nothing in range", pid, 0, 1, nil, true},
	} {
		var want minMax
		for _, b := range batches {
			for i := range b.Len {
				ts := b.Vecs[tbl.TimeColumn].Int64[i]
				v := b.Vecs[tc.col]
				if ts < tc.lo || (tc.hi != math.MaxInt64 && ts >= tc.hi) || v.Nulls.Get(i) {
					continue
				}
				if tc.match != nil && string(b.Vecs[ns].Bytes.Get(i)) != "vault" {
					continue
				}
				want.add(v.Int64[i], v.Int64[i], 1)
			}
		}
		lo, hi, n, err := s.MinMax(ctx, ScanRequest{Table: tbl, MinTs: tc.lo, MaxTs: tc.hi, Match: tc.match, MatchExact: tc.match != nil}, tc.col)
		if err != nil {
			t.Fatal(err)
		}
		if n != want.count || (n > 0 && (lo != want.min || hi != want.max)) {
			t.Errorf("%s: min %d max %d of %d, want %d %d of %d", tc.name, lo, hi, n, want.min, want.max, want.count)
		}
		// Whole blocks read no chunk.
		it, err := s.Scan(ctx, ScanRequest{Table: tbl, Columns: []int{tc.col}, MinTs: tc.lo, MaxTs: tc.hi,
			Match: tc.match, MatchExact: tc.match != nil})
		if err != nil {
			t.Fatal(err)
		}
		it.mm = minMax{on: true, col: tc.col}
		countRows(t, it)
		if tc.whole && it.chunksRead != 0 {
			t.Errorf("%s: %d chunks read", tc.name, it.chunksRead)
		}
		if !tc.whole && it.chunksRead == 0 {
			t.Errorf("%s: no chunk read for blocks cut by the range", tc.name)
		}
		it.Close()
	}
	if _, _, _, err := s.MinMax(ctx, ScanRequest{Table: tbl, MinTs: math.MinInt64, MaxTs: math.MaxInt64}, ns); err == nil {
		t.Error("min/max of a text column accepted")
	}
}

// TestBloomFalsePositives checks the filter's precision: no false
// negatives, and about the false positive rate its documentation claims.
func TestBloomFalsePositives(t *testing.T) {
	var hs hashSet
	const n = 5000
	hs.reset(n)
	for i := range n {
		hs.add([]byte(fmt.Sprintf("/var/lib/app/file-%d.log", i)))
	}
	value, _, _ := appendBloom(nil, hs.list)
	body := value[:len(value)-4]
	for i := range n {
		if may, err := bloomMayHold(body, bloomHash([]byte(fmt.Sprintf("/var/lib/app/file-%d.log", i)))); err != nil || !may {
			t.Fatalf("value %d: %v %v", i, may, err)
		}
	}
	fp := 0
	const probes = 100000
	for i := range probes {
		if may, _ := bloomMayHold(body, bloomHash([]byte(fmt.Sprintf("/absent/%d", i)))); may {
			fp++
		}
	}
	if rate := float64(fp) / probes; rate > 0.05 {
		t.Errorf("false positive rate %.3f", rate)
	} else {
		t.Logf("false positive rate %.4f at %d bits per value", rate, bloomBitsPerValue)
	}
}
