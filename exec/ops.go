package exec

import (
	"context"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// Filter passes the rows for which its predicate is true (not false, not
// NULL).
type Filter struct {
	input Operator
	pred  Expr
	armed bool
	sel   []int
	out   *coldata.Batch // the passing rows, reused from batch to batch
}

// NewFilter returns a filter; pred must be boolean.
func NewFilter(input Operator, pred Expr) (*Filter, error) {
	if pred.Type() != coldata.Bool {
		return nil, sqlerr.New(sqlerr.DatatypeMismatch, "argument of WHERE must be type boolean, not type %s", pred.Type())
	}
	return &Filter{input: input, pred: pred}, nil
}

// Next implements Operator.
func (f *Filter) Next(ctx context.Context) (*coldata.Batch, error) {
	for {
		b, err := f.input.Next(ctx)
		if err != nil || b == nil {
			return nil, err
		}
		if !f.armed {
			armInterrupt(ctx, f.pred)
			f.armed = true
		}
		v, err := f.pred.Eval(b)
		if err != nil {
			return nil, interruptErr(ctx, err)
		}
		f.sel = f.sel[:0]
		hasNulls := v.Nulls.Any()
		for i, x := range v.Bool[:b.Len] {
			if x && !(hasNulls && v.Nulls.Get(i)) {
				f.sel = append(f.sel, i)
			}
		}
		switch len(f.sel) {
		case 0:
			continue
		case b.Len:
			return b, nil
		}
		if f.out == nil || len(f.out.Vecs) != len(b.Vecs) {
			f.out = coldata.NewBatch(b.Types(), len(f.sel))
		}
		for i, v := range b.Vecs {
			if f.out.Vecs[i].Type != v.Type {
				f.out = coldata.NewBatch(b.Types(), len(f.sel))
				break
			}
		}
		b.GatherInto(f.out, f.sel)
		return f.out, nil
	}
}

// Close implements Operator.
func (f *Filter) Close() error { return f.input.Close() }

// Project computes one output column per expression.
type Project struct {
	input Operator
	exprs []Expr
	armed bool
	out   coldata.Batch
}

// NewProject returns a projection.
func NewProject(input Operator, exprs []Expr) *Project {
	return &Project{input: input, exprs: exprs, out: coldata.Batch{Vecs: make([]*coldata.Vec, len(exprs))}}
}

// Next implements Operator.
func (p *Project) Next(ctx context.Context) (*coldata.Batch, error) {
	b, err := p.input.Next(ctx)
	if err != nil || b == nil {
		return nil, err
	}
	if !p.armed {
		armInterrupt(ctx, p.exprs...)
		p.armed = true
	}
	for i, e := range p.exprs {
		v, err := e.Eval(b)
		if err != nil {
			return nil, interruptErr(ctx, err)
		}
		p.out.Vecs[i] = v
	}
	p.out.Len = b.Len
	return &p.out, nil
}

// Close implements Operator.
func (p *Project) Close() error { return p.input.Close() }

// Limit skips offset rows, then passes at most limit rows (all when limit
// is negative).
type Limit struct {
	input         Operator
	offset, limit int64
	seen          int64
}

// NewLimit returns a limit.
func NewLimit(input Operator, offset, limit int64) *Limit {
	return &Limit{input: input, offset: offset, limit: limit}
}

// Next implements Operator.
func (l *Limit) Next(ctx context.Context) (*coldata.Batch, error) {
	for {
		if l.limit >= 0 && l.seen >= l.offset+l.limit {
			return nil, nil
		}
		b, err := l.input.Next(ctx)
		if err != nil || b == nil {
			return nil, err
		}
		from, to := int64(0), int64(b.Len)
		if l.seen < l.offset {
			from = min(l.offset-l.seen, to)
		}
		if l.limit >= 0 {
			to = min(to, l.offset+l.limit-l.seen)
		}
		l.seen += int64(b.Len)
		if from >= to {
			continue
		}
		if from == 0 && to == int64(b.Len) {
			return b, nil
		}
		return b.Slice(int(from), int(to)), nil
	}
}

// Close implements Operator.
func (l *Limit) Close() error { return l.input.Close() }

// Batches yields the given batches, in order. It serves constant results
// and tests.
type Batches struct {
	batches []*coldata.Batch
	i       int
}

// NewBatches returns an operator yielding bs.
func NewBatches(bs ...*coldata.Batch) *Batches { return &Batches{batches: bs} }

// Next implements Operator.
func (s *Batches) Next(ctx context.Context) (*coldata.Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.i >= len(s.batches) {
		return nil, nil
	}
	s.i++
	return s.batches[s.i-1], nil
}

// Close implements Operator.
func (s *Batches) Close() error { return nil }

var (
	_ Operator = (*Filter)(nil)
	_ Operator = (*Project)(nil)
	_ Operator = (*Limit)(nil)
	_ Operator = (*Batches)(nil)
	_ Operator = (*HashAgg)(nil)
)
