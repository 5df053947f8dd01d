package exec

import (
	"context"
	"slices"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

// MemSource is a ScanSource over batches held in memory. It serves small
// tables computed on the fly and tests.
type MemSource struct {
	tables map[string]*memTable
}

type memTable struct {
	desc    *schema.Table
	batches []*coldata.Batch
}

// NewMemSource returns an empty MemSource.
func NewMemSource() *MemSource { return &MemSource{tables: map[string]*memTable{}} }

// Append adds rows to table t; b's columns follow t.Columns. b must not be
// modified afterwards.
func (m *MemSource) Append(t *schema.Table, b *coldata.Batch) error {
	mt := m.tables[t.Name]
	if mt == nil {
		mt = &memTable{desc: t}
		m.tables[t.Name] = mt
	}
	mt.batches = append(mt.batches, b)
	return nil
}

// Scan implements ScanSource.
func (m *MemSource) Scan(ctx context.Context, spec ScanSpec) (Operator, error) {
	mt := m.tables[spec.Table]
	if mt == nil {
		return NewBatches(), nil
	}
	idx := make([]int, len(spec.Columns))
	for i, name := range spec.Columns {
		idx[i] = mt.desc.ColumnIndex(name)
		if idx[i] < 0 {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q does not exist", name)
		}
	}
	var out []*coldata.Batch
	for _, b := range mt.batches {
		if mt.desc.TimeColumn < 0 && !spec.MatchExact {
			out = append(out, project(b, idx))
			continue
		}
		var sel []int
		for i := 0; i < b.Len; i++ {
			if inTimeRange(mt.desc, b, i, spec) && matches(mt.desc, b, i, spec) {
				sel = append(sel, i)
			}
		}
		if len(sel) == 0 {
			continue
		}
		pb := &coldata.Batch{Len: len(sel), Vecs: make([]*coldata.Vec, len(idx))}
		for i, c := range idx {
			pb.Vecs[i] = b.Vecs[c].Gather(sel)
		}
		out = append(out, pb)
	}
	return NewBatches(out...), nil
}

// inTimeRange reports whether row i lies in spec's time range; every row
// does in a table without a time column.
func inTimeRange(t *schema.Table, b *coldata.Batch, i int, spec ScanSpec) bool {
	if t.TimeColumn < 0 {
		return true
	}
	ts := b.Vecs[t.TimeColumn]
	return !ts.IsNull(i) && ts.Int64[i] >= spec.MinTs && ts.Int64[i] < spec.MaxTs
}

// matches applies spec.Match to row i when MatchExact asks for it (a hint
// otherwise, which MemSource ignores).
func matches(t *schema.Table, b *coldata.Batch, i int, spec ScanSpec) bool {
	if !spec.MatchExact {
		return true
	}
	for _, m := range spec.Match {
		v := b.Vecs[t.ColumnIndex(m.Column)]
		if v.IsNull(i) || !slices.Contains(m.Values, string(v.Bytes.Get(i))) {
			return false
		}
	}
	return true
}

// project returns the columns idx of b.
func project(b *coldata.Batch, idx []int) *coldata.Batch {
	out := &coldata.Batch{Len: b.Len, Vecs: make([]*coldata.Vec, len(idx))}
	for i, c := range idx {
		out.Vecs[i] = b.Vecs[c]
	}
	return out
}

var _ ScanSource = (*MemSource)(nil)
