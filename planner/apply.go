package planner

import (
	"context"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

// Correlated subqueries that decorrelation cannot turn into a join run
// as PostgreSQL runs them: once per row of the outer relation, with the
// outer columns they name as constants (a nested loop). This is how the
// catalog queries of psql, JDBC and SQLAlchemy get answered; they are
// written for PostgreSQL's planner and correlate on several keys, through
// several tables, with ARRAY(…) and EXISTS.
//
// Binding the outer query, such a subquery becomes a column appended to
// the outer relation (hidden from *), and the relation's rows pass
// through exec-side code (applyOperator) that plans and runs the subquery
// for each distinct combination of the outer values it names, memoized.
// Only relations planned on the query node (system relations, joins,
// subqueries) can take such a column; a correlated subquery directly over
// a stored table keeps failing with 0A000, as it would fan out one query
// per row to every operator.

// maxApplyKeys bounds the distinct outer values one correlated subquery
// runs for.
const maxApplyKeys = 10000

// outerScope resolves the column references of a correlated subquery
// that name the outer query.
type outerScope struct {
	b *binder // the outer query's binder
	// run: the outer row's values, by outer column index; nil while
	// collecting which columns the subquery names.
	values map[int]*rpcpb.Datum
	cols   []int // collect: the outer columns named, in order
}

// resolve binds c in the outer query: a constant in run mode, a typed
// NULL while collecting.
func (o *outerScope) resolve(c *pg.ColumnRef) (*scalar, error) {
	s, err := o.b.bindColumnRef(c)
	if err != nil {
		return nil, err
	}
	if s.kind != kindColumn {
		// The outer query's own outer scope answered: a constant.
		return s, nil
	}
	if o.values == nil {
		found := false
		for _, c := range o.cols {
			found = found || c == s.col
		}
		if !found {
			o.cols = append(o.cols, s.col)
		}
		return constScalar(nullDatum(s.typ)), nil
	}
	d, ok := o.values[s.col]
	if !ok {
		return nil, sqlerr.New(sqlerr.InternalError, "correlated subquery names an outer column it did not name before")
	}
	return constScalar(d), nil
}

// isUnresolved reports whether err says a name is not in the query's own
// FROM clause: the sign of an outer reference.
func isUnresolved(err error) bool {
	c := sqlerr.Code(err)
	return c == sqlerr.UndefinedColumn || c == sqlerr.UndefinedTable
}

// bindApply binds correlated subquery s as a column appended to the outer
// relation, computed per outer row.
func (b *binder) bindApply(s *pg.SubLink, sel *pg.SelectStmt) (*scalar, error) {
	if b.derived == nil || b.table == nil {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "correlated subqueries over a stored table are not supported yet").
			WithHint("Join the tables, or move the stored table into a subquery in FROM."), s.Location)
	}
	switch s.SubLinkType {
	case pg.SubLinkType_EXPR_SUBLINK, pg.SubLinkType_EXISTS_SUBLINK, pg.SubLinkType_ARRAY_SUBLINK:
	default:
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "correlated %s subqueries are not supported yet",
			strings.TrimSuffix(s.SubLinkType.String(), "_SUBLINK")), s.Location)
	}
	// Plan once over typed NULLs: which outer columns it names, and its
	// result type.
	scope := &outerScope{b: b}
	cb := b.child()
	cb.outer, cb.describe = scope, true
	plan, err := b.planner.planSelect(proto.Clone(sel).(*pg.SelectStmt), cb)
	b.absorb(cb)
	if err != nil {
		return nil, err
	}
	var typ coldata.Type
	switch s.SubLinkType {
	case pg.SubLinkType_EXISTS_SUBLINK:
		typ = coldata.Bool
	case pg.SubLinkType_EXPR_SUBLINK:
		if len(plan.columns) != 1 {
			return nil, errAt(sqlerr.New(sqlerr.SyntaxError, "subquery must return only one column"), s.Location)
		}
		typ = plan.columns[0].Type
	case pg.SubLinkType_ARRAY_SUBLINK:
		if len(plan.columns) != 1 {
			return nil, errAt(sqlerr.New(sqlerr.SyntaxError, "subquery must return only one column"), s.Location)
		}
		if plan.columns[0].Type != coldata.Text {
			return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "ARRAY(subquery) of %s is not supported yet", plan.columns[0].Type), s.Location)
		}
		typ = coldata.TextArray
	}

	kind := s.SubLinkType
	proto0 := b // captured: a run-mode binder when the statement runs
	run := func(ctx context.Context, values map[int]*rpcpb.Datum) (*rpcpb.Datum, error) {
		rb := proto0.child()
		rb.outer, rb.describe, rb.ctx = &outerScope{b: proto0, values: values}, false, ctx
		plan, err := proto0.planner.planSelect(proto.Clone(sel).(*pg.SelectStmt), rb)
		if err != nil {
			return nil, err
		}
		limit := 2
		if kind == pg.SubLinkType_EXISTS_SUBLINK {
			limit = 1
		} else if kind == pg.SubLinkType_ARRAY_SUBLINK {
			limit = maxInSubquery + 1
		}
		rows, err := rb.runSubquery(plan, limit)
		if err != nil {
			return nil, err
		}
		switch kind {
		case pg.SubLinkType_EXISTS_SUBLINK:
			return &rpcpb.Datum{Type: uint32(coldata.Bool), Value: &rpcpb.Datum_B{B: rows.Len > 0}}, nil
		case pg.SubLinkType_ARRAY_SUBLINK:
			return arrayDatum(rows)
		}
		if rows.Len > 1 {
			return nil, sqlerr.New(sqlerr.CardinalityViolation, "more than one row returned by a subquery used as an expression")
		}
		return exec.VecDatum(rows.Vecs[0], 0), nil
	}
	return b.applyColumn("?subquery?", typ, scope.cols, run), nil
}

// applyColumn appends to the query's relation a column, hidden from *,
// whose value for each row run computes from the row's columns cols
// (exec.Apply, memoized by their values), and returns it.
func (b *binder) applyColumn(name string, typ coldata.Type, cols []int, run exec.ApplyFunc) *scalar {
	col := len(b.table.Columns)
	b.table.Columns = append(b.table.Columns[:col:col], schema.Column{Name: name, Type: typ})
	if b.applied == nil {
		b.applied = map[int]bool{}
	}
	b.applied[col] = true
	inner := b.derived.plan.start
	b.derived.plan.start = func(ctx context.Context) (exec.Operator, error) {
		in, err := inner(ctx)
		if err != nil {
			return nil, err
		}
		return exec.NewApply(in, cols, typ, maxApplyKeys, run), nil
	}
	return colScalar(col, "", typ)
}

// arrayDatum is ARRAY(subquery)'s value: the subquery's one text column
// as a text[] constant.
func arrayDatum(rows *coldata.Batch) (*rpcpb.Datum, error) {
	if rows.Len > maxInSubquery {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "ARRAY(subquery) of more than %d rows is not supported yet", maxInSubquery)
	}
	elems := make([]string, rows.Len)
	for i := range elems {
		if rows.Vecs[0].IsNull(i) {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "arrays with NULL elements are not supported yet")
		}
		elems[i] = rows.Vecs[0].Bytes.GetString(i)
	}
	return &rpcpb.Datum{Type: uint32(coldata.TextArray), Value: &rpcpb.Datum_S{S: string(coldata.AppendTextArrayLiteral(nil, elems))}}, nil
}
