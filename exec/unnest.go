package exec

import (
	"context"
	"strconv"

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
	specs []UnnestSpec
	isSRF []bool
	spec  []UnnestSpec // by input column
	out   *coldata.Batch

	in  *coldata.Batch // the input batch being expanded
	row int            // its next row
	elt int            // the next element of that row
}

// UnnestSpec says what a set-returning column yields.
type UnnestSpec struct {
	// Elem is the type of the elements: Text, or an integer type for
	// the catalogs' oid[] and int2vector columns, kept as text[].
	Elem coldata.Type
	// Subscripts yields each element's subscript (1, 2, ...) rather
	// than the element: generate_subscripts(a, 1).
	Subscripts bool
}

// NewUnnest returns an Unnest of the text[] columns cols of input, each
// yielding its text elements.
func NewUnnest(input Operator, cols []int) *Unnest {
	specs := make([]UnnestSpec, len(cols))
	for i := range specs {
		specs[i].Elem = coldata.Text
	}
	return NewUnnestSpecs(input, cols, specs)
}

// NewUnnestSpecs returns an Unnest of the text[] columns cols of input,
// column cols[i] yielding what specs[i] says.
func NewUnnestSpecs(input Operator, cols []int, specs []UnnestSpec) *Unnest {
	return &Unnest{input: input, cols: cols, specs: specs}
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
					switch sp := u.spec[c]; {
					case sp.Subscripts:
						o.Int64 = append(o.Int64, int64(u.elt+1))
					case sp.Elem == coldata.Text:
						o.Bytes.Append(v.ArrayElem(u.row, u.elt))
					default:
						x, err := strconv.ParseInt(string(v.ArrayElem(u.row, u.elt)), 10, 64)
						if err != nil {
							return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: %q", sp.Elem, v.ArrayElem(u.row, u.elt))
						}
						o.Int64 = append(o.Int64, x)
					}
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
	u.spec = make([]UnnestSpec, len(b.Vecs))
	types := b.Types()
	for i, c := range u.cols {
		if c >= len(types) || types[c] != coldata.TextArray {
			return sqlerr.New(sqlerr.InternalError, "unnest of column %d, not text[]", c)
		}
		u.isSRF[c] = true
		u.spec[c] = u.specs[i]
		types[c] = u.specs[i].Elem
		if u.specs[i].Subscripts {
			types[c] = coldata.Int32
		}
	}
	u.out = coldata.NewBatch(types, BatchSize)
	return nil
}

// Close implements Operator.
func (u *Unnest) Close() error { return u.input.Close() }
