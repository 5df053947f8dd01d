package exec

import (
	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// caseExpr is a searched CASE: WHEN conditions and THEN results in pairs,
// then the ELSE result or NULL. Like PostgreSQL it evaluates a branch only
// for the rows that take it, so that CASE WHEN n = 0 THEN 0 ELSE 1 / n END
// never divides by zero: each condition runs on the rows no earlier one
// took, each result on the rows its condition took.
type caseExpr struct {
	typ   coldata.Type
	conds []Expr
	vals  []Expr
	els   Expr // nil: NULL
	sub   coldata.Batch
}

func newCase(typ coldata.Type, args []Expr) (Expr, error) {
	e := &caseExpr{typ: typ}
	for len(args) >= 2 {
		if args[0].Type() != coldata.Bool {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "argument of CASE/WHEN must be type boolean, not type %s", args[0].Type())
		}
		e.conds = append(e.conds, args[0])
		e.vals = append(e.vals, args[1])
		args = args[2:]
	}
	if len(args) == 1 {
		e.els = args[0]
	}
	for _, v := range append(append([]Expr(nil), e.vals...), e.els) {
		if v != nil && v.Type() != typ {
			return nil, sqlerr.New(sqlerr.InternalError, "CASE result of type %s in a %s CASE", v.Type(), typ)
		}
	}
	if len(e.conds) == 0 {
		return nil, sqlerr.New(sqlerr.InternalError, "CASE without WHEN")
	}
	return e, nil
}

func (e *caseExpr) Type() coldata.Type { return e.typ }

// subset evaluates x over rows sel of b.
func (e *caseExpr) subset(x Expr, b *coldata.Batch, sel []int) (*coldata.Vec, error) {
	if len(sel) == b.Len {
		return x.Eval(b)
	}
	e.sub.Len = len(sel)
	e.sub.Vecs = e.sub.Vecs[:0]
	for _, v := range b.Vecs {
		e.sub.Vecs = append(e.sub.Vecs, v.Gather(sel))
	}
	return x.Eval(&e.sub)
}

func (e *caseExpr) Eval(b *coldata.Batch) (*coldata.Vec, error) {
	n := b.Len
	pick := make([]int, n) // branch of each row; len(conds) for ELSE
	pos := make([]int, n)  // the row's index in its branch's result
	rest := make([]int, n)
	for i := range rest {
		rest[i] = i
	}
	results := make([]*coldata.Vec, len(e.conds)+1)
	for k, cond := range e.conds {
		if len(rest) == 0 {
			break
		}
		c, err := e.subset(cond, b, rest)
		if err != nil {
			return nil, err
		}
		var took, left []int
		for j, i := range rest {
			if !c.IsNull(j) && c.Bool[j] {
				took = append(took, i)
			} else {
				left = append(left, i)
			}
		}
		if len(took) > 0 {
			// The condition's result may be reused by the next Eval:
			// compute this branch's values before the next condition.
			v, err := e.subset(e.vals[k], b, took)
			if err != nil {
				return nil, err
			}
			results[k] = copyVec(v, len(took))
			for j, i := range took {
				pick[i], pos[i] = k, j
			}
		}
		rest = left
	}
	if len(rest) > 0 && e.els != nil {
		v, err := e.subset(e.els, b, rest)
		if err != nil {
			return nil, err
		}
		results[len(e.conds)] = copyVec(v, len(rest))
	}
	for j, i := range rest {
		pick[i], pos[i] = len(e.conds), j
	}
	out := coldata.NewVec(e.typ, n)
	for i := range n {
		r := results[pick[i]]
		if r == nil {
			out.AppendNull()
		} else {
			out.AppendFrom(r, pos[i])
		}
	}
	return out, nil
}

// copyVec copies the first n rows of v, which its Expr may overwrite.
func copyVec(v *coldata.Vec, n int) *coldata.Vec {
	out := coldata.NewVec(v.Type, n)
	for i := range n {
		out.AppendFrom(v, i)
	}
	return out
}
