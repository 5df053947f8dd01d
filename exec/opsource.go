package exec

import (
	"context"
	"slices"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

// OperatorSource is a ScanSource over the rows one operator produces: a
// subquery's, a set operation's, a VALUES list's. It lets the planner run
// a query over such rows with the same fragment machinery it runs on
// operators' storage, here on the query node. It can be scanned once.
type OperatorSource struct {
	// Desc names and types the input's columns, in order; its
	// TimeColumn is -1.
	Desc  *schema.Table
	Input Operator
	used  bool
}

// Scan implements ScanSource: the named columns of the input, and with
// spec.MatchExact only the rows every Match accepts.
func (s *OperatorSource) Scan(ctx context.Context, spec ScanSpec) (Operator, error) {
	if spec.Table != s.Desc.Name || s.used {
		return nil, sqlerr.New(sqlerr.InternalError, "scan of %s: not this source, or scanned twice", spec.Table)
	}
	s.used = true
	p := &sourceScan{input: s.Input}
	for _, name := range spec.Columns {
		i := s.Desc.ColumnIndex(name)
		if i < 0 {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q does not exist", name)
		}
		p.idx = append(p.idx, i)
	}
	if spec.MatchExact {
		for _, m := range spec.Match {
			i := s.Desc.ColumnIndex(m.Column)
			if i < 0 {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q does not exist", m.Column)
			}
			p.match = append(p.match, colMatch{i, m.Values})
		}
	}
	return p, nil
}

type colMatch struct {
	col    int
	values []string
}

type sourceScan struct {
	input Operator
	idx   []int
	match []colMatch
	sel   []int
	out   coldata.Batch
}

func (p *sourceScan) Next(ctx context.Context) (*coldata.Batch, error) {
	for {
		b, err := p.input.Next(ctx)
		if err != nil || b == nil {
			return nil, err
		}
		if len(p.match) > 0 {
			p.sel = p.sel[:0]
			for i := range b.Len {
				ok := true
				for _, m := range p.match {
					v := b.Vecs[m.col]
					if v.IsNull(i) || !slices.Contains(m.values, string(v.Bytes.Get(i))) {
						ok = false
						break
					}
				}
				if ok {
					p.sel = append(p.sel, i)
				}
			}
			if len(p.sel) == 0 {
				continue
			}
			if len(p.sel) < b.Len {
				b = b.Gather(p.sel)
			}
		}
		p.out.Len = b.Len
		p.out.Vecs = p.out.Vecs[:0]
		for _, i := range p.idx {
			p.out.Vecs = append(p.out.Vecs, b.Vecs[i])
		}
		return &p.out, nil
	}
}

func (p *sourceScan) Close() error { return p.input.Close() }

// Concat yields the rows of each input in turn: UNION ALL.
type Concat struct {
	inputs []Operator
	cur    int
}

// NewConcat returns the concatenation of inputs, whose columns agree in
// number and type.
func NewConcat(inputs ...Operator) *Concat { return &Concat{inputs: inputs} }

func (c *Concat) Next(ctx context.Context) (*coldata.Batch, error) {
	for c.cur < len(c.inputs) {
		b, err := c.inputs[c.cur].Next(ctx)
		if err != nil {
			return nil, err
		}
		if b != nil {
			return b, nil
		}
		c.cur++
	}
	return nil, nil
}

func (c *Concat) Close() error {
	var first error
	for _, in := range c.inputs {
		if err := in.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
