package exec

import (
	"context"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/sqlerr"
)

// BuildFragment turns a plan fragment into an operator tree over src:
//
//	scan → [filter] → partial aggregate           when it aggregates
//	scan → [filter] → project → [sort] → [limit]  otherwise
//
// types gives the type of each scanned column (the fragment names them);
// the caller resolves them from the table's schema. Every expression is
// compiled and type-checked before the scan starts.
func BuildFragment(ctx context.Context, frag *rpcpb.Fragment, types []coldata.Type, src ScanSource) (Operator, error) {
	if len(types) != len(frag.Columns) {
		return nil, sqlerr.New(sqlerr.InternalError, "fragment names %d columns, %d types given", len(frag.Columns), len(types))
	}
	var filter Expr
	if frag.Filter != nil {
		f, err := CompileExpr(frag.Filter, types)
		if err != nil {
			return nil, err
		}
		filter = f
	}
	aggregating := len(frag.Aggregates) > 0 || len(frag.GroupBy) > 0
	var keys, projs []Expr
	var aggs []AggSpec
	if aggregating {
		for _, g := range frag.GroupBy {
			k, err := CompileExpr(g, types)
			if err != nil {
				return nil, err
			}
			keys = append(keys, k)
		}
		for _, a := range frag.Aggregates {
			spec, err := compileAgg(a, types)
			if err != nil {
				return nil, err
			}
			aggs = append(aggs, spec)
		}
	} else {
		for _, p := range frag.Projections {
			e, err := CompileExpr(p, types)
			if err != nil {
				return nil, err
			}
			projs = append(projs, e)
		}
	}
	lo, hi := TimeBounds(frag.TimeRange)
	scan, err := src.Scan(ctx, ScanSpec{Table: frag.Table, Columns: frag.Columns, MinTs: lo, MaxTs: hi})
	if err != nil {
		return nil, err
	}
	var op Operator = scan
	if filter != nil {
		f, err := NewFilter(op, filter)
		if err != nil {
			scan.Close()
			return nil, err
		}
		op = f
	}
	if aggregating {
		return NewHashAgg(op, AggPartial, keys, aggs), nil
	}
	op = NewProject(op, projs)
	limit := -1
	if frag.Limit > 0 {
		limit = int(frag.Limit)
	}
	if len(frag.OrderBy) > 0 {
		keys := make([]SortKey, len(frag.OrderBy))
		for i, k := range frag.OrderBy {
			if int(k.Column) >= len(projs) || k.Column < 0 {
				scan.Close()
				return nil, sqlerr.New(sqlerr.InternalError, "fragment sorts by column %d of %d", k.Column, len(projs))
			}
			keys[i] = SortKey{Col: int(k.Column), Desc: k.Desc, NullsFirst: k.NullsFirst}
		}
		return NewSort(op, keys, limit), nil
	}
	if limit >= 0 {
		return NewLimit(op, 0, int64(limit)), nil
	}
	return op, nil
}

func compileAgg(a *rpcpb.Aggregate, types []coldata.Type) (AggSpec, error) {
	if a.Distinct {
		return AggSpec{}, sqlerr.New(sqlerr.FeatureNotSupported, "%s(DISTINCT ...) is not supported yet", a.Func)
	}
	argType := coldata.Unknown
	var arg Expr
	if a.Arg != nil {
		e, err := CompileExpr(a.Arg, types)
		if err != nil {
			return AggSpec{}, err
		}
		arg, argType = e, e.Type()
	}
	def, err := LookupAgg(a.Func, argType)
	if err != nil {
		return AggSpec{}, err
	}
	return AggSpec{Def: def, Arg: arg}, nil
}
