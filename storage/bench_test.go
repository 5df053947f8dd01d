package storage

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
)

// benchRows is how many synthetic alerts the benchmarks store, appended
// benchBatch rows at a time like an ingest flush.
const (
	benchRows  = 1 << 20
	benchBatch = 8192
)

var benchData = sync.OnceValue(func() []*coldata.Batch {
	rng := rand.New(rand.NewPCG(10, 10))
	var batches []*coldata.Batch
	t0 := int64(1779184800e6)
	for i := 0; i < benchRows; i += benchBatch {
		b := alertsBatch(rng, benchBatch, t0)
		t0 = b.Vecs[0].Int64[benchBatch-1] + 1
		batches = append(batches, b)
	}
	return batches
})

func appendAll(b *testing.B, s *Store) {
	for _, batch := range benchData() {
		if err := s.Append(schema.Alerts, batch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppend stores 1M alerts in synced Appends of 8192 rows.
func BenchmarkAppend(b *testing.B) {
	benchData()
	var st TableStats
	for b.Loop() {
		b.StopTimer()
		s := openTest(b, Options{})
		b.StartTimer()
		appendAll(b, s)
		b.StopTimer()
		st = s.Stats(schema.AlertsTable)
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(st.Bytes)/float64(st.Rows), "B/row")
}

// BenchmarkScan reads the 1M alerts back: every column, three columns,
// count(*), and three columns of a tenth of the time range.
func BenchmarkScan(b *testing.B) {
	s := openTest(b, Options{})
	defer s.Close()
	appendAll(b, s)
	st := s.Stats(schema.AlertsTable)
	tenth := st.MinTs + (st.MaxTs-st.MinTs)/2
	for _, bc := range []struct {
		name         string
		cols         []int
		minTs, maxTs int64
	}{
		{"all-columns", allColumns(schema.Alerts), math.MinInt64, math.MaxInt64},
		{"ts,pod_name,host_pid", []int{0, 9, 15}, math.MinInt64, math.MaxInt64},
		{"count", nil, math.MinInt64, math.MaxInt64},
		{"3-columns-tenth-of-time", []int{0, 9, 15}, tenth, tenth + (st.MaxTs-st.MinTs)/10},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			var rows int
			for b.Loop() {
				rows = 0
				it, err := s.Scan(ctx, ScanRequest{Table: schema.Alerts, Columns: bc.cols, MinTs: bc.minTs, MaxTs: bc.maxTs})
				if err != nil {
					b.Fatal(err)
				}
				for {
					batch, err := it.Next(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if batch == nil {
						break
					}
					rows += batch.Len
				}
				if err := it.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
