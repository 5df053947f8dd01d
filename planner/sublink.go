package planner

import (
	"context"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/sqlerr"
)

// Subqueries in expressions: (SELECT …) as a value, x IN (SELECT …) and
// EXISTS (SELECT …). They must not refer to the outer query (correlated
// subqueries are refused with 0A000). Each runs once, when the statement
// runs, before the outer query is planned, and its result becomes a
// constant of the outer query, so that it reaches the operators' filters
// and, for IN over text, their block pruning. When a statement is only
// being prepared (to describe its result) they are not run: the outer
// query is planned over typed NULLs.

// maxInSubquery bounds the rows of an IN subquery, which becomes a list
// of equalities.
const maxInSubquery = 10000

func (b *binder) bindSubLink(s *pg.SubLink) (*scalar, error) {
	sel := s.Subselect.GetSelectStmt()
	if sel == nil || b.planner == nil {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "this subquery is not supported yet"), s.Location)
	}
	cb := b.child()
	plan, err := b.planner.planSelect(sel, cb)
	b.absorb(cb)
	if err != nil {
		if c := sqlerr.Code(err); (c == sqlerr.UndefinedColumn || c == sqlerr.UndefinedTable || c == sqlerr.FeatureNotSupported) && b.correlated(sel) {
			if s.SubLinkType == pg.SubLinkType_EXISTS_SUBLINK {
				if r, ok, err := b.decorrelateExists(sel, s.Location); ok {
					return r, err
				}
			}
			return b.bindApply(s, sel)
		}
		return nil, err
	}
	switch s.SubLinkType {
	case pg.SubLinkType_EXISTS_SUBLINK:
		if b.describe {
			return constScalar(nullDatum(coldata.Bool)), nil
		}
		rows, err := b.runSubquery(plan, 1)
		if err != nil {
			return nil, err
		}
		return constScalar(&rpcpb.Datum{Type: uint32(coldata.Bool), Value: &rpcpb.Datum_B{B: rows.Len > 0}}), nil
	case pg.SubLinkType_EXPR_SUBLINK:
		if len(plan.columns) != 1 {
			return nil, errAt(sqlerr.New(sqlerr.SyntaxError, "subquery must return only one column"), s.Location)
		}
		t := plan.columns[0].Type
		if b.describe {
			return constScalar(nullDatum(t)), nil
		}
		rows, err := b.runSubquery(plan, 2)
		if err != nil {
			return nil, err
		}
		if rows.Len > 1 {
			return nil, sqlerr.New("21000", "more than one row returned by a subquery used as an expression")
		}
		if rows.Len == 0 {
			return constScalar(nullDatum(t)), nil
		}
		return constScalar(exec.VecDatum(rows.Vecs[0], 0)), nil
	case pg.SubLinkType_ARRAY_SUBLINK:
		if len(plan.columns) != 1 {
			return nil, errAt(sqlerr.New(sqlerr.SyntaxError, "subquery must return only one column"), s.Location)
		}
		if plan.columns[0].Type != coldata.Text {
			return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "ARRAY(subquery) of %s is not supported yet", plan.columns[0].Type), s.Location)
		}
		if b.describe {
			return constScalar(nullDatum(coldata.TextArray)), nil
		}
		rows, err := b.runSubquery(plan, maxInSubquery+1)
		if err != nil {
			return nil, err
		}
		d, err := arrayDatum(rows)
		if err != nil {
			return nil, errAt(sqlerr.As(err), s.Location)
		}
		return constScalar(d), nil
	case pg.SubLinkType_ANY_SUBLINK:
		op := "="
		if len(s.OperName) > 0 {
			op = operatorName(s.OperName)
		}
		if op != "=" {
			return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "%s ANY (subquery) is not supported yet", op), s.Location)
		}
		if len(plan.columns) != 1 {
			return nil, errAt(sqlerr.New(sqlerr.SyntaxError, "subquery has too many columns"), s.Location)
		}
		left, err := b.bind(s.Testexpr)
		if err != nil {
			return nil, err
		}
		t := plan.columns[0].Type
		if b.describe {
			return b.compare("=", left, constScalar(nullDatum(t)), s.Location)
		}
		rows, err := b.runSubquery(plan, maxInSubquery+1)
		if err != nil {
			return nil, err
		}
		if rows.Len > maxInSubquery {
			return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "IN (subquery) over more than %d rows is not supported yet", maxInSubquery), s.Location)
		}
		if rows.Len == 0 {
			return constScalar(&rpcpb.Datum{Type: uint32(coldata.Bool), Value: &rpcpb.Datum_B{B: false}}), nil
		}
		var ors []*scalar
		for i := range rows.Len {
			eq, err := b.compare("=", left, constScalar(exec.VecDatum(rows.Vecs[0], i)), s.Location)
			if err != nil {
				return nil, err
			}
			ors = append(ors, eq)
		}
		if len(ors) == 1 {
			return ors[0], nil
		}
		return callScalar("or", coldata.Bool, ors...), nil
	}
	return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "%s subqueries are not supported yet", s.SubLinkType), s.Location)
}

// runSubquery runs a subquery's plan and returns up to limit of its rows.
func (b *binder) runSubquery(plan *selectPlan, limit int) (*coldata.Batch, error) {
	ctx := b.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	op, err := plan.start(ctx)
	if err != nil {
		return nil, err
	}
	defer op.Close()
	out := coldata.NewBatch(columnTypes(plan.columns), 0)
	for out.Len < limit {
		batch, err := op.Next(ctx)
		if err != nil {
			return nil, err
		}
		if batch == nil {
			break
		}
		for i := 0; i < batch.Len && out.Len < limit; i++ {
			for c, v := range batch.Vecs {
				out.Vecs[c].AppendFrom(v, i)
			}
			out.Len++
		}
	}
	return out, nil
}

// correlated reports whether sel names a column the outer query has: the
// likely reason it failed to bind on its own.
func (b *binder) correlated(sel *pg.SelectStmt) bool {
	if b.table == nil {
		return false
	}
	refs := collectRefs(sel)
	for q := range refs.qualified {
		if q[0] == b.alias || q[0] == b.table.Name {
			return true
		}
		for _, r := range b.rels {
			if r.alias == q[0] {
				return true
			}
		}
	}
	for name := range refs.bare {
		if b.table.ColumnIndex(name) >= 0 {
			return true
		}
	}
	return false
}

// decorrelateExists turns EXISTS (SELECT … FROM t WHERE inner = outer AND
// rest), where one equality ties an expression over the subquery's table
// to an expression over the outer query's, into outer IN (SELECT inner
// FROM t WHERE rest AND inner IS NOT NULL), never NULL: a semi-join run
// as an uncorrelated subquery. ok is false for other shapes.
func (b *binder) decorrelateExists(sel *pg.SelectStmt, loc int32) (*scalar, bool, error) {
	if len(sel.FromClause) != 1 || sel.FromClause[0].GetRangeVar() == nil || sel.WhereClause == nil ||
		len(sel.GroupClause) > 0 || sel.HavingClause != nil || sel.WithClause != nil || sel.Op != pg.SetOperation_SETOP_NONE {
		return nil, false, nil
	}
	rv := sel.FromClause[0].GetRangeVar()
	innerAlias := rv.Relname
	if rv.Alias != nil {
		innerAlias = rv.Alias.Aliasname
	}
	inner, ok := b.planner.cat.Table(rv.Relname)
	if !ok {
		return nil, false, nil
	}
	// Which side of an expression a column reference belongs to: the
	// subquery's table, or the outer query.
	isOuter := func(n *pg.Node) (outer, innerSide bool) {
		refs := collectRefs(n)
		for q := range refs.qualified {
			if q[0] == innerAlias {
				innerSide = true
			} else {
				outer = true
			}
		}
		for name := range refs.bare {
			if inner.ColumnIndex(name) >= 0 {
				innerSide = true
			} else {
				outer = true
			}
		}
		return outer, innerSide
	}
	var conj []*pg.Node
	if be := sel.WhereClause.GetBoolExpr(); be != nil && be.Boolop == pg.BoolExprType_AND_EXPR {
		conj = be.Args
	} else {
		conj = []*pg.Node{sel.WhereClause}
	}
	var innerExpr, outerExpr *pg.Node
	var rest []*pg.Node
	for _, c := range conj {
		if o, _ := isOuter(c); !o {
			rest = append(rest, c)
			continue
		}
		ae := c.GetAExpr()
		if innerExpr != nil || ae == nil || ae.Kind != pg.A_Expr_Kind_AEXPR_OP || operatorName(ae.Name) != "=" {
			return nil, false, nil
		}
		lo, li := isOuter(ae.Lexpr)
		ro, ri := isOuter(ae.Rexpr)
		switch {
		case li && !lo && ro && !ri:
			innerExpr, outerExpr = ae.Lexpr, ae.Rexpr
		case ri && !ro && lo && !li:
			innerExpr, outerExpr = ae.Rexpr, ae.Lexpr
		default:
			return nil, false, nil
		}
	}
	if innerExpr == nil {
		return nil, false, nil
	}
	rest = append(rest, &pg.Node{Node: &pg.Node_NullTest{NullTest: &pg.NullTest{Arg: innerExpr, Nulltesttype: pg.NullTestType_IS_NOT_NULL}}})
	where := rest[0]
	if len(rest) > 1 {
		where = &pg.Node{Node: &pg.Node_BoolExpr{BoolExpr: &pg.BoolExpr{Boolop: pg.BoolExprType_AND_EXPR, Args: rest}}}
	}
	semi := &pg.SelectStmt{
		TargetList:  []*pg.Node{{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: innerExpr}}}},
		FromClause:  sel.FromClause,
		WhereClause: where,
	}
	in := &pg.SubLink{SubLinkType: pg.SubLinkType_ANY_SUBLINK, Testexpr: outerExpr, Subselect: &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: semi}}, Location: loc}
	r, err := b.bindSubLink(in)
	if err != nil {
		return nil, true, err
	}
	// No NULL in the list: the result is NULL only for a NULL outer
	// value, which EXISTS answers false.
	f := constScalar(&rpcpb.Datum{Type: uint32(coldata.Bool), Value: &rpcpb.Datum_B{B: false}})
	return callScalar("case", coldata.Bool, callScalar("is_null", coldata.Bool, r), f, r), true, nil
}
