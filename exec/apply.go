package exec

import (
	"context"
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/sqlerr"
)

// ApplyFunc computes a correlated subquery's value for one combination of
// outer values (by outer column index).
type ApplyFunc func(ctx context.Context, values map[int]*rpcpb.Datum) (*rpcpb.Datum, error)

// Apply appends to each row of its input the value of a correlated
// subquery over the row's columns cols: a nested loop, memoized by the
// values of cols, for the small relations (catalogs, joined subqueries)
// the planner uses it on.
type Apply struct {
	in      Operator
	cols    []int
	typ     coldata.Type
	maxKeys int
	run     ApplyFunc
	memo    map[string]*coldata.Vec
	key     []byte
}

// NewApply returns an Apply over in. It fails a query whose input has
// more than maxKeys distinct combinations of cols.
func NewApply(in Operator, cols []int, typ coldata.Type, maxKeys int, run ApplyFunc) *Apply {
	return &Apply{in: in, cols: cols, typ: typ, maxKeys: maxKeys, run: run, memo: map[string]*coldata.Vec{}}
}

// Next implements Operator.
func (a *Apply) Next(ctx context.Context) (*coldata.Batch, error) {
	b, err := a.in.Next(ctx)
	if b == nil || err != nil {
		return b, err
	}
	out := coldata.NewVec(a.typ, b.Len)
	for i := 0; i < b.Len; i++ {
		a.key = a.key[:0]
		values := make(map[int]*rpcpb.Datum, len(a.cols))
		for _, c := range a.cols {
			d := VecDatum(b.Vecs[c], i)
			values[c] = d
			enc, err := proto.MarshalOptions{Deterministic: true}.Marshal(d)
			if err != nil {
				return nil, err
			}
			a.key = append(a.key, byte(len(enc)>>8), byte(len(enc)))
			a.key = append(a.key, enc...)
		}
		v, ok := a.memo[string(a.key)]
		if !ok {
			if len(a.memo) >= a.maxKeys {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "a correlated subquery over more than %d distinct outer rows is not supported yet", a.maxKeys).
					WithHint("Rewrite it as a join.")
			}
			d, err := a.run(ctx, values)
			if err != nil {
				return nil, err
			}
			if coldata.Type(d.Type) != a.typ && !d.Null {
				return nil, sqlerr.New(sqlerr.InternalError, "correlated subquery returned %s, planned %s", coldata.Type(d.Type), a.typ)
			}
			d.Type = uint32(a.typ)
			if v, err = DatumVec(d); err != nil {
				return nil, err
			}
			a.memo[string(a.key)] = v
		}
		out.AppendFrom(v, 0)
	}
	return &coldata.Batch{Vecs: append(slices.Clip(b.Vecs), out), Len: b.Len}, nil
}

// Close implements Operator.
func (a *Apply) Close() error { return a.in.Close() }
