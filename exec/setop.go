package exec

import (
	"context"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// SetOp is INTERSECT or EXCEPT [ALL]: it counts the right input's rows by
// value (NULLs equal, as set operations compare), then emits the left
// input's rows that the counts allow: for INTERSECT those present on the
// right (each distinct row once, or min(left, right) times with ALL), for
// EXCEPT those absent from it (or left minus right times with ALL), in the
// order of their first appearance on the left.
type SetOp struct {
	except, all bool
	left, right Operator
	types       []coldata.Type
	done        bool
	out         *coldata.Batch
}

// NewSetOp returns INTERSECT (except false) or EXCEPT of left and right,
// whose columns have the given types.
func NewSetOp(except, all bool, left, right Operator, types []coldata.Type) *SetOp {
	return &SetOp{except: except, all: all, left: left, right: right, types: types}
}

func rowKeyOf(vecs []*coldata.Vec, i int, dst []byte) []byte {
	for _, v := range vecs {
		if v.IsNull(i) {
			dst = append(dst, 1)
			continue
		}
		dst = append(dst, 0)
		dst = appendKey(dst, v, i)
		dst = append(dst, 0)
	}
	return dst
}

func (s *SetOp) Next(ctx context.Context) (*coldata.Batch, error) {
	if s.done {
		return nil, nil
	}
	s.done = true
	budget := budgetOf(ctx)
	counts := map[string]int{}
	var key []byte
	for {
		b, err := s.right.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		if err := budget.Grow(rowBytes(b.Vecs, b.Len)); err != nil {
			return nil, err
		}
		for i := range b.Len {
			key = rowKeyOf(b.Vecs, i, key[:0])
			counts[string(key)]++
		}
	}
	out := coldata.NewBatch(s.types, 0)
	emitted := map[string]int{}
	for {
		b, err := s.left.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		for i := range b.Len {
			key = rowKeyOf(b.Vecs, i, key[:0])
			k := string(key)
			r, e := counts[k], emitted[k]
			var ok bool
			switch {
			case !s.all && !s.except:
				ok = r > 0 && e == 0
			case !s.all:
				ok = r == 0 && e == 0
			case !s.except:
				ok = e < r
			default:
				// EXCEPT ALL: the left's copies beyond the right's count.
				if counts[k] > 0 {
					counts[k]--
				} else {
					ok = true
				}
			}
			if !ok {
				continue
			}
			emitted[k]++
			for c, v := range b.Vecs {
				out.Vecs[c].AppendFrom(v, i)
			}
			out.Len++
			if out.Len > maxJoinRows {
				return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "a set operation produced more than %d rows", maxJoinRows)
			}
		}
	}
	if out.Len == 0 {
		return nil, nil
	}
	return out, nil
}

func (s *SetOp) Close() error {
	err := s.left.Close()
	if err2 := s.right.Close(); err == nil {
		err = err2
	}
	return err
}
