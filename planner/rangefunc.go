package planner

import (
	"context"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/sqlerr"
)

// Functions in FROM: generate_series(start, stop[, step]) over integers,
// unnest(text[]), and any scalar function, which gives one row (FROM
// string_to_array(…) s). Their arguments must be constants when the
// statement runs, which includes the outer columns of a correlated
// subquery (apply.go): the rows are computed while planning and read as a
// derived relation.

// maxSeriesRows bounds generate_series in FROM.
const maxSeriesRows = 10_000_000

func (p *Planner) bindRangeFunction(rf *pg.RangeFunction, b *binder) error {
	if rf.Ordinality || rf.IsRowsfrom || len(rf.Functions) != 1 || len(rf.Coldeflist) > 0 {
		return sqlerr.New(sqlerr.FeatureNotSupported, "this function in FROM is not supported yet")
	}
	items := rf.Functions[0].GetList().GetItems()
	if len(items) == 0 || items[0].GetFuncCall() == nil {
		return sqlerr.New(sqlerr.FeatureNotSupported, "this function in FROM is not supported yet")
	}
	f := items[0].GetFuncCall()
	name := strings.ToLower(operatorName(f.Funcname))
	alias := name
	var colNames []*pg.Node
	if rf.Alias != nil {
		alias, colNames = rf.Alias.Aliasname, rf.Alias.Colnames
	}
	// The arguments see no columns of this FROM clause, only outer ones.
	cb := b.child()
	cb.aggAllowed = false
	cb.clause = "functions in FROM"
	args := make([]*scalar, len(f.Args))
	for i, a := range f.Args {
		s, err := cb.bind(a)
		if err != nil {
			if isUnresolved(err) {
				// PostgreSQL reads other FROM items' columns here
				// (implicitly LATERAL); armorlake only an outer query's
				// (b.outer), which a subquery failing here gets when it
				// is planned again as a correlated one.
				return errAt(sqlerr.New(sqlerr.FeatureNotSupported, "a function in FROM over other FROM items' columns is not supported yet"), f.Location)
			}
			return err
		}
		args[i] = s
	}
	b.absorb(cb)

	var col Column
	var rows func() (*coldata.Batch, error)
	switch name {
	case "generate_series":
		if len(args) < 2 || len(args) > 3 {
			return errAt(sqlerr.New(sqlerr.UndefinedFunction, "function generate_series with %d arguments does not exist", len(args)), f.Location)
		}
		t := coldata.Int32
		for _, a := range args {
			if a.unknownLit {
				if err := b.settle(a, coldata.Int32); err != nil {
					return err
				}
			}
			if !a.typ.IsInteger() {
				return errAt(sqlerr.New(sqlerr.FeatureNotSupported, "generate_series over %s is not supported yet", a.typ), f.Location)
			}
			if a.typ == coldata.Int64 {
				t = coldata.Int64
			}
		}
		col = Column{Name: "generate_series", Type: t}
		rows = func() (*coldata.Batch, error) {
			vals, null, err := constInts(args, f.Location)
			if err != nil || null {
				return coldata.NewBatch([]coldata.Type{t}, 0), err
			}
			step := int64(1)
			if len(vals) == 3 {
				step = vals[2]
			}
			if step == 0 {
				return nil, errAt(sqlerr.New(sqlerr.InvalidParameterValue, "step size cannot equal zero"), f.Location)
			}
			out := coldata.NewBatch([]coldata.Type{t}, 0)
			for v := vals[0]; (step > 0 && v <= vals[1]) || (step < 0 && v >= vals[1]); v += step {
				if out.Len >= maxSeriesRows {
					return nil, errAt(sqlerr.New(sqlerr.ProgramLimitExceeded, "generate_series in FROM of more than %d rows is not supported", maxSeriesRows), f.Location)
				}
				out.Vecs[0].Int64 = append(out.Vecs[0].Int64, v)
				out.Len++
			}
			return out, nil
		}
	case "unnest":
		if len(args) != 1 {
			return errAt(sqlerr.New(sqlerr.FeatureNotSupported, "unnest of several arrays in FROM is not supported yet"), f.Location)
		}
		if args[0].unknownLit {
			if err := b.settle(args[0], coldata.TextArray); err != nil {
				return err
			}
		}
		if args[0].typ != coldata.TextArray {
			return errAt(sqlerr.New(sqlerr.UndefinedFunction, "function unnest(%s) does not exist", args[0].typ), f.Location)
		}
		col = Column{Name: "unnest", Type: coldata.Text}
		rows = func() (*coldata.Batch, error) {
			v, err := evalConstScalar(args[0], f.Location)
			if err != nil {
				return nil, err
			}
			out := coldata.NewBatch([]coldata.Type{coldata.Text}, 0)
			if v.IsNull(0) {
				return out, nil
			}
			for j := range v.ArrayLen(0) {
				out.Vecs[0].Bytes.Append(v.ArrayElem(0, j))
				out.Len++
			}
			return out, nil
		}
	default:
		s, err := b.bindFuncCall(f)
		if err != nil {
			return err
		}
		if err := b.settle(s, coldata.Text); err != nil {
			return err
		}
		col = Column{Name: name, Type: s.typ}
		rows = func() (*coldata.Batch, error) {
			v, err := evalConstScalar(s, f.Location)
			if err != nil {
				return nil, err
			}
			return &coldata.Batch{Vecs: []*coldata.Vec{v}, Len: 1}, nil
		}
	}
	if len(colNames) == 0 && rf.Alias != nil {
		col.Name = alias // a function's one column goes by the alias
	}
	desc, err := relationDesc(alias, []Column{col}, colNames)
	if err != nil {
		return err
	}
	plan := &selectPlan{columns: []Column{col}}
	plan.start = func(ctx context.Context) (exec.Operator, error) {
		if b.describe {
			return exec.NewBatches(), nil
		}
		batch, err := rows()
		if err != nil {
			return nil, err
		}
		return exec.NewBatches(batch), nil
	}
	plan.explain = func(ctx context.Context, depth int) []string {
		return []string{indent(depth, "Function Scan %s (computed on the query node)", name)}
	}
	b.table, b.alias, b.derived = desc, alias, &derived{desc: desc, plan: plan}
	return nil
}

// constInts reads integer constants; null reports a NULL among them.
func constInts(args []*scalar, loc int32) (vals []int64, null bool, err error) {
	for _, a := range args {
		v, err := evalConstScalar(a, loc)
		if err != nil {
			return nil, false, err
		}
		if v.IsNull(0) {
			return nil, true, nil
		}
		vals = append(vals, v.Int64[0])
	}
	return vals, false, nil
}

// evalConstScalar computes a scalar that names no column.
func evalConstScalar(s *scalar, loc int32) (*coldata.Vec, error) {
	if s.kind == kindConst {
		return exec.DatumVec(s.datum)
	}
	hasCol := false
	s.walk(func(x *scalar) { hasCol = hasCol || x.kind == kindColumn })
	if hasCol {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "a function in FROM over columns is not supported yet"), loc)
	}
	r, err := realize(s, loc)
	if err != nil {
		return nil, err
	}
	e, err := exec.CompileExpr(r.toProto(nil), nil)
	if err != nil {
		return nil, err
	}
	return e.Eval(&coldata.Batch{Len: 1})
}
