package exec

import (
	"context"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// Unnest expands text[] columns into one row per element, the other
// columns repeated: unnest() in a select list. Several unnested columns
// advance together, as PostgreSQL runs set-returning functions side by
// side: a row yields as many rows as its longest array, the shorter ones
// padded with NULLs, and none when every array is empty or NULL.
type Unnest struct {
	input Operator
	cols  []int
	isSRF []bool
	out   *coldata.Batch

	in  *coldata.Batch // the input batch being expanded
	row int            // its next row
	elt int            // the next element of that row
}

// NewUnnest returns an Unnest of the text[] columns cols of input.
func NewUnnest(input Operator, cols []int) *Unnest {
	return &Unnest{input: input, cols: cols}
}

// Next implements Operator.
func (u *Unnest) Next(ctx context.Context) (*coldata.Batch, error) {
	for {
		if u.in == nil || u.row >= u.in.Len {
			b, err := u.input.Next(ctx)
			if err != nil || b == nil {
				return nil, err
			}
			if err := u.setup(b); err != nil {
				return nil, err
			}
			u.in, u.row, u.elt = b, 0, 0
		}
		u.out.Reset()
		for u.row < u.in.Len && u.out.Len < BatchSize {
			n := 0
			for _, c := range u.cols {
				v := u.in.Vecs[c]
				if !v.IsNull(u.row) {
					n = max(n, v.ArrayLen(u.row))
				}
			}
			for ; u.elt < n && u.out.Len < BatchSize; u.elt++ {
				for c, v := range u.in.Vecs {
					o := u.out.Vecs[c]
					if !u.isSRF[c] {
						o.AppendFrom(v, u.row)
						continue
					}
					if v.IsNull(u.row) || u.elt >= v.ArrayLen(u.row) {
						o.AppendNull()
						continue
					}
					o.Bytes.Append(v.ArrayElem(u.row, u.elt))
				}
				u.out.Len++
			}
			if u.elt >= n {
				u.row, u.elt = u.row+1, 0
			}
		}
		if u.out.Len > 0 {
			return u.out, nil
		}
	}
}

func (u *Unnest) setup(b *coldata.Batch) error {
	if u.out != nil {
		return nil
	}
	u.isSRF = make([]bool, len(b.Vecs))
	types := b.Types()
	for _, c := range u.cols {
		if c >= len(types) || types[c] != coldata.TextArray {
			return sqlerr.New(sqlerr.InternalError, "unnest of column %d, not text[]", c)
		}
		u.isSRF[c] = true
		types[c] = coldata.Text
	}
	u.out = coldata.NewBatch(types, BatchSize)
	return nil
}

// Close implements Operator.
func (u *Unnest) Close() error { return u.input.Close() }
