package exec

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// reusing returns n batches of one int64 column numbered from first,
// always in the same batch, as scans do: a consumer that read a batch
// after asking for the next would see the wrong rows.
type reusing struct {
	first, n, next int
	b              *coldata.Batch
	closed         bool
	fail           error
	panics         bool
}

func (r *reusing) Next(ctx context.Context) (*coldata.Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.next == r.n {
		if r.panics {
			panic("input broke")
		}
		return nil, r.fail
	}
	if r.b == nil {
		r.b = coldata.NewBatch([]coldata.Type{coldata.Int64}, 1)
	}
	r.b.Vecs[0].Int64 = append(r.b.Vecs[0].Int64[:0], int64(r.first+r.next))
	r.b.Len = 1
	r.next++
	return r.b, nil
}

func (r *reusing) Close() error { r.closed = true; return nil }

// Parallel returns every input's batches once, each intact until the
// consumer asks for the next, and closes its inputs.
func TestParallelReturnsEveryBatch(t *testing.T) {
	ins := []*reusing{{first: 0, n: 500}, {first: 1000, n: 300}, {first: 2000, n: 0}}
	var ops []Operator
	for _, in := range ins {
		ops = append(ops, in)
	}
	p := NewParallel(ops)
	var got, want []int64
	for {
		b, err := p.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			break
		}
		x := b.Vecs[0].Int64[0]
		runtime.Gosched() // the input may not overwrite it meanwhile
		if b.Vecs[0].Int64[0] != x {
			t.Fatalf("batch changed under the consumer: %d then %d", x, b.Vecs[0].Int64[0])
		}
		got = append(got, x)
	}
	for _, in := range ins {
		for i := range in.n {
			want = append(want, int64(in.first+i))
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for i, in := range ins {
		if !in.closed {
			t.Errorf("input %d not closed", i)
		}
	}
}

// An input's error or panic ends the stream with that error, stops the
// other inputs and leaves no goroutine behind.
func TestParallelStopsOnError(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, c := range []struct {
		name  string
		bad   *reusing
		check func(error) bool
	}{
		{"error", &reusing{n: 3, fail: sqlerr.New(sqlerr.DataCorrupted, "block 7 is corrupt")},
			func(err error) bool { return sqlerr.Code(err) == sqlerr.DataCorrupted }},
		{"panic", &reusing{n: 3, panics: true},
			func(err error) bool {
				return sqlerr.Code(err) == sqlerr.InternalError && strings.Contains(err.Error(), "input broke")
			}},
	} {
		endless := &reusing{n: 1 << 30}
		p := NewParallel([]Operator{endless, c.bad})
		var err error
		for err == nil {
			var b *coldata.Batch
			if b, err = p.Next(context.Background()); b == nil && err == nil {
				t.Fatalf("%s: stream ended without the error", c.name)
			}
		}
		if !c.check(err) {
			t.Errorf("%s: got %v", c.name, err)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		if !endless.closed || !c.bad.closed {
			t.Errorf("%s: inputs not closed", c.name)
		}
	}
	// Closed Parallels leave no goroutine: poll, they may be exiting.
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines before, %d after", before, runtime.NumGoroutine())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
