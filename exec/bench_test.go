package exec

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/armorlake/armorlake/coldata"
)

// The executor's hot paths over 1M rows in batches of 1024, as operators
// and the query node see them. Each reports rows per second of one core
// (go test -run '^$' -bench . -cpu 1 ./exec).

const (
	benchExecRows  = 1 << 20
	benchExecBatch = 1024
)

// benchBatches makes 1M rows: an int64 in [0, 1e6), a text column of 10
// namespaces, and an int64 key of 100k distinct values.
func benchBatches() []*coldata.Batch {
	rng := rand.New(rand.NewPCG(5, 5))
	ns := make([]string, 10)
	for i := range ns {
		ns[i] = fmt.Sprintf("namespace-%d", i)
	}
	var out []*coldata.Batch
	for n := 0; n < benchExecRows; n += benchExecBatch {
		b := coldata.NewBatch([]coldata.Type{coldata.Int64, coldata.Text, coldata.Int64}, benchExecBatch)
		for range benchExecBatch {
			b.Vecs[0].Int64 = append(b.Vecs[0].Int64, rng.Int64N(1e6))
			b.Vecs[1].Bytes.AppendString(ns[rng.IntN(len(ns))])
			b.Vecs[2].Int64 = append(b.Vecs[2].Int64, rng.Int64N(100_000))
		}
		b.Len = benchExecBatch
		out = append(out, b)
	}
	return out
}

func drainBench(b *testing.B, op Operator) int {
	rows := 0
	for {
		batch, err := op.Next(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if batch == nil {
			return rows
		}
		rows += batch.Len
	}
}

func reportRows(b *testing.B) {
	b.ReportMetric(float64(benchExecRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkFilter(b *testing.B) {
	in := benchBatches()
	pred, err := CompileExpr(call("<", coldata.Bool, col(0, coldata.Int64), intConst(500_000, coldata.Int64)), []coldata.Type{coldata.Int64, coldata.Text, coldata.Int64})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		f, _ := NewFilter(NewBatches(in...), pred)
		drainBench(b, f)
	}
	reportRows(b)
}

func benchAgg(b *testing.B, keyCol int, keyType coldata.Type) {
	in := benchBatches()
	types := []coldata.Type{coldata.Int64, coldata.Text, coldata.Int64}
	key, err := CompileExpr(col(keyCol, keyType), types)
	if err != nil {
		b.Fatal(err)
	}
	count, _ := LookupAgg("count", coldata.Unknown)
	sum, _ := LookupAgg("sum", coldata.Int64)
	arg, _ := CompileExpr(col(0, coldata.Int64), types)
	specs := []AggSpec{{Def: count}, {Def: sum, Arg: arg}}
	groups := 0
	for b.Loop() {
		groups = drainBench(b, NewHashAgg(NewBatches(in...), AggPartial, []Expr{key}, specs))
	}
	b.ReportMetric(float64(groups), "groups")
	reportRows(b)
}

// BenchmarkHashAggDictionary: count(*), sum(x) GROUP BY a text column of
// 10 values.
func BenchmarkHashAggDictionary(b *testing.B) { benchAgg(b, 1, coldata.Text) }

// BenchmarkHashAggHighCardinality: the same by an int64 key of 100k
// values.
func BenchmarkHashAggHighCardinality(b *testing.B) { benchAgg(b, 2, coldata.Int64) }

// BenchmarkTopN: ORDER BY x DESC LIMIT 10.
func BenchmarkTopN(b *testing.B) {
	in := benchBatches()
	for b.Loop() {
		if n := drainBench(b, NewSort(NewBatches(in...), []SortKey{{Col: 0, Desc: true}}, 10)); n != 10 {
			b.Fatalf("top-N returned %d rows", n)
		}
	}
	reportRows(b)
}

// BenchmarkSort: ORDER BY x over every row.
func BenchmarkSort(b *testing.B) {
	in := benchBatches()
	for b.Loop() {
		if n := drainBench(b, NewSort(NewBatches(in...), []SortKey{{Col: 0}}, -1)); n != benchExecRows {
			b.Fatalf("sort returned %d rows", n)
		}
	}
	reportRows(b)
}
