package exec

import (
	"context"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// JoinKind is the kind of a HashJoin.
type JoinKind uint8

const (
	// InnerJoin emits the pairs of rows whose keys are equal.
	InnerJoin JoinKind = iota
	// LeftJoin also emits each left row without a match, the right
	// columns NULL.
	LeftJoin
	// FullJoin also emits, at the end, each right row no left row
	// matched, the left columns NULL.
	FullJoin
)

// HashJoin joins two inputs on equal keys: it reads the right input into
// a hash table (its rows copied, keyed by their key values; a NULL key
// matches nothing, as = says), then streams the left input, emitting each
// left row with every right row of equal key, the left columns first.
// Without keys every pair matches: a cross join. The right input is the
// one held in memory, so the planner puts the smaller side there.
type HashJoin struct {
	kind       JoinKind
	left       Operator
	right      Operator
	leftKeys   []Expr
	rightKeys  []Expr
	leftTypes  []coldata.Type
	rightTypes []coldata.Type

	built   bool
	matched []bool             // FullJoin: right rows some left row matched
	nulls   []int              // FullJoin: right rows with a NULL key (never match)
	tail    bool               // FullJoin: the unmatched right rows have been emitted
	rows    *coldata.Batch     // the right input's rows
	table   map[string][]int32 // key → rows of the right input
	key     []byte
	out     *coldata.Batch
	keyVs   []*coldata.Vec

	// residual, when set, is the rest of a LeftJoin's condition, over
	// the joined row: a pair of rows with equal keys matches only when it
	// holds, and a left row none of whose pairs matches is NULL-extended.
	residual Expr
	pairLeft []int // the left row of each candidate pair in out; -1 for NULL-extended rows
}

// SetResidual sets the non-equality part of a LeftJoin's condition, over
// the left columns followed by the right ones.
func (j *HashJoin) SetResidual(e Expr) error {
	if j.kind != LeftJoin && j.kind != InnerJoin {
		return sqlerr.New(sqlerr.FeatureNotSupported, "full join conditions other than equalities between the two sides are not supported yet")
	}
	j.residual = e
	return nil
}

// NewHashJoin returns a join of left and right. leftKeys and rightKeys are
// compiled over each side's columns and pairwise of one type.
func NewHashJoin(kind JoinKind, left, right Operator, leftTypes, rightTypes []coldata.Type, leftKeys, rightKeys []Expr) (*HashJoin, error) {
	if len(leftKeys) != len(rightKeys) {
		return nil, sqlerr.New(sqlerr.InternalError, "join with %d left and %d right keys", len(leftKeys), len(rightKeys))
	}
	for i := range leftKeys {
		if leftKeys[i].Type() != rightKeys[i].Type() {
			return nil, sqlerr.New(sqlerr.InternalError, "join key %d: %s = %s", i, leftKeys[i].Type(), rightKeys[i].Type())
		}
	}
	return &HashJoin{kind: kind, left: left, right: right, leftKeys: leftKeys, rightKeys: rightKeys,
		leftTypes: leftTypes, rightTypes: rightTypes}, nil
}

// appendJoinKey appends row i's key values, or reports false when one is
// NULL.
func appendJoinKey(dst []byte, vecs []*coldata.Vec, i int) ([]byte, bool) {
	for _, v := range vecs {
		if v.IsNull(i) {
			return dst, false
		}
		dst = appendKey(dst, v, i)
		dst = append(dst, 0) // keys are text-like: a separator keeps ("a","b") from ("ab","")
	}
	return dst, true
}

func (j *HashJoin) build(ctx context.Context) error {
	budget := budgetOf(ctx)
	j.rows = coldata.NewBatch(j.rightTypes, 0)
	j.table = map[string][]int32{}
	for {
		b, err := j.right.Next(ctx)
		if err != nil {
			return err
		}
		if b == nil {
			break
		}
		if err := budget.Grow(rowBytes(b.Vecs, b.Len)); err != nil {
			return err
		}
		j.keyVs = j.keyVs[:0]
		for _, k := range j.rightKeys {
			v, err := k.Eval(b)
			if err != nil {
				return err
			}
			j.keyVs = append(j.keyVs, v)
		}
		for i := range b.Len {
			var ok bool
			j.key, ok = appendJoinKey(j.key[:0], j.keyVs, i)
			if !ok && j.kind != FullJoin {
				continue
			}
			row := int32(j.rows.Len)
			for c, v := range b.Vecs {
				j.rows.Vecs[c].AppendFrom(v, i)
			}
			j.rows.Len++
			if j.rows.Len > maxJoinRows {
				return sqlerr.New(sqlerr.ProgramLimitExceeded, "the right side of a join holds more than %d rows", maxJoinRows)
			}
			if ok {
				j.table[string(j.key)] = append(j.table[string(j.key)], row)
			}
		}
	}
	if j.kind == FullJoin {
		j.matched = make([]bool, j.rows.Len)
	}
	j.built = true
	return nil
}

// rightOnly emits the right rows no left row matched (FullJoin), once.
func (j *HashJoin) rightOnly() *coldata.Batch {
	j.tail = true
	out := coldata.NewBatch(append(append([]coldata.Type(nil), j.leftTypes...), j.rightTypes...), 0)
	nl := len(j.leftTypes)
	for r, m := range j.matched {
		if m {
			continue
		}
		for c := range j.leftTypes {
			out.Vecs[c].AppendNull()
		}
		for c, v := range j.rows.Vecs {
			out.Vecs[nl+c].AppendFrom(v, r)
		}
		out.Len++
	}
	if out.Len == 0 {
		return nil
	}
	return out
}

// maxJoinRows bounds the rows a join holds in memory until queries have a
// memory budget.
const maxJoinRows = 10_000_000

// Next implements Operator.
func (j *HashJoin) Next(ctx context.Context) (*coldata.Batch, error) {
	if !j.built {
		if err := j.build(ctx); err != nil {
			return nil, err
		}
	}
	for {
		b, err := j.left.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil {
			if j.kind == FullJoin && !j.tail {
				if out := j.rightOnly(); out != nil {
					return out, nil
				}
			}
			return nil, nil
		}
		j.keyVs = j.keyVs[:0]
		for _, k := range j.leftKeys {
			v, err := k.Eval(b)
			if err != nil {
				return nil, err
			}
			j.keyVs = append(j.keyVs, v)
		}
		j.out = coldata.NewBatch(append(append([]coldata.Type(nil), j.leftTypes...), j.rightTypes...), b.Len)
		j.pairLeft = j.pairLeft[:0]
		nl := len(j.leftTypes)
		for i := range b.Len {
			var matches []int32
			var ok bool
			j.key, ok = appendJoinKey(j.key[:0], j.keyVs, i)
			if ok {
				matches = j.table[string(j.key)]
			}
			if len(matches) == 0 && (j.kind == LeftJoin || j.kind == FullJoin) {
				for c, v := range b.Vecs {
					j.out.Vecs[c].AppendFrom(v, i)
				}
				for c := range j.rightTypes {
					j.out.Vecs[nl+c].AppendNull()
				}
				j.out.Len++
				j.pairLeft = append(j.pairLeft, -1)
				continue
			}
			for _, r := range matches {
				j.pairLeft = append(j.pairLeft, i)
				if j.matched != nil {
					j.matched[r] = true
				}
				for c, v := range b.Vecs {
					j.out.Vecs[c].AppendFrom(v, i)
				}
				for c, v := range j.rows.Vecs {
					j.out.Vecs[nl+c].AppendFrom(v, int(r))
				}
				j.out.Len++
			}
			if j.out.Len > maxJoinRows {
				return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "a join produced more than %d rows from one batch", maxJoinRows)
			}
		}
		if j.residual != nil {
			if err := j.applyResidual(b); err != nil {
				return nil, err
			}
		}
		if j.out.Len > 0 {
			return j.out, nil
		}
	}
}

// applyResidual keeps the candidate pairs in out for which the residual
// holds, and for a LeftJoin NULL-extends the left rows of b none of whose
// pairs did.
func (j *HashJoin) applyResidual(b *coldata.Batch) error {
	v, err := j.residual.Eval(j.out)
	if err != nil {
		return err
	}
	cand := j.out
	out := coldata.NewBatch(cand.Types(), cand.Len)
	passed := make([]bool, b.Len)
	tried := make([]bool, b.Len)
	for k := range cand.Len {
		l := j.pairLeft[k]
		if l >= 0 {
			tried[l] = true
			if v.IsNull(k) || !v.Bool[k] {
				continue
			}
			passed[l] = true
		}
		for c, vec := range cand.Vecs {
			out.Vecs[c].AppendFrom(vec, k)
		}
		out.Len++
	}
	if j.kind == LeftJoin {
		nl := len(j.leftTypes)
		for i := range b.Len {
			if tried[i] && !passed[i] {
				for c, vec := range b.Vecs {
					out.Vecs[c].AppendFrom(vec, i)
				}
				for c := range j.rightTypes {
					out.Vecs[nl+c].AppendNull()
				}
				out.Len++
			}
		}
	}
	j.out = out
	return nil
}

// Close implements Operator.
func (j *HashJoin) Close() error {
	err := j.left.Close()
	if err2 := j.right.Close(); err == nil {
		err = err2
	}
	return err
}
