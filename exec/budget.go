package exec

import (
	"context"
	"sync/atomic"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// Budget bounds the memory one query holds on one node: the operators
// that keep rows (hash aggregation, hash join, sort, window functions,
// DISTINCT aggregates' sets) charge what they keep, and a charge past the
// limit fails the query with SQLSTATE 53200 naming the budget, so a query
// too big for the node ends instead of the process. The accounting is
// approximate (values' bytes plus a fixed cost per row and per group),
// which is what a bound needs.
type Budget struct {
	Limit int64 // bytes; 0 for none
	Name  string
	used  atomic.Int64
}

type budgetKey struct{}

// WithBudget returns ctx carrying b for the operators run under it.
func WithBudget(ctx context.Context, b *Budget) context.Context {
	return context.WithValue(ctx, budgetKey{}, b)
}

func budgetOf(ctx context.Context) *Budget {
	b, _ := ctx.Value(budgetKey{}).(*Budget)
	return b
}

// Grow charges n bytes, failing when the budget is exceeded.
func (b *Budget) Grow(n int64) error {
	if b == nil || b.Limit <= 0 {
		return nil
	}
	if used := b.used.Add(n); used > b.Limit {
		return sqlerr.New(sqlerr.OutOfMemory, "out of memory: the query needs more than its %s of %d MB", b.Name, b.Limit>>20).
			WithHint("Narrow the query (time range, filters, LIMIT), or raise the budget.")
	}
	return nil
}

// Release returns n bytes.
func (b *Budget) Release(n int64) {
	if b != nil {
		b.used.Add(-n)
	}
}

// Used is what is charged now.
func (b *Budget) Used() int64 { return b.used.Load() }

// rowBytes estimates what keeping rows [0, n) of vecs costs.
func rowBytes(vecs []*coldata.Vec, n int) int64 {
	size := int64(n) * 16 // per-row overhead of the structures that hold them
	for _, v := range vecs {
		switch {
		case v.Type.IsBytes() || v.Type == coldata.TextArray:
			size += int64(len(v.Bytes.Data)) + 4*int64(n)
		default:
			size += 8 * int64(n)
		}
	}
	return size
}
