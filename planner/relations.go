package planner

import (
	"context"
	"fmt"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/pgcatalog"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

// Relations other than stored tables: subqueries in FROM, common table
// expressions, VALUES lists and UNION. Each is planned into a selectPlan
// of its own; a query over one reads it through exec.OperatorSource, so
// the same fragment (filter, partial aggregation or projection) that runs
// on operators over storage runs here over the relation's rows, and the
// root above it is built as for a table.

// child returns a binder for a nested query: the same session, statement
// time, parameters and visible common table expressions.
func (b *binder) child() *binder {
	return &binder{loc: b.loc, start: b.start, params: b.params, paramTypes: b.paramTypes, ctes: b.ctes,
		planner: b.planner, ctx: b.ctx, describe: b.describe, noPushdown: b.noPushdown, partial: b.partial, sess: b.sess, outer: b.outer, noSRF: b.noSRF, noSignal: b.noSignal}
}

// absorb takes back the parameter types a nested query inferred.
func (b *binder) absorb(c *binder) { b.paramTypes = c.paramTypes }

// derived is a relation planned on its own and read by the query above.
type derived struct {
	desc *schema.Table
	plan *selectPlan
}

// start runs the relation's plan and wraps its rows as a scan source.
func (d *derived) source(ctx context.Context) (*exec.OperatorSource, error) {
	op, err := d.plan.start(ctx)
	if err != nil {
		return nil, err
	}
	return &exec.OperatorSource{Desc: d.desc, Input: op}, nil
}

// relationDesc describes a planned relation's columns as a table named
// alias, renamed by colNames when given.
func relationDesc(alias string, cols []Column, colNames []*pg.Node) (*schema.Table, error) {
	if len(colNames) > len(cols) {
		return nil, sqlerr.New(sqlerr.InvalidColumnReference, "table %q has %d columns available but %d columns specified", alias, len(cols), len(colNames))
	}
	t := &schema.Table{Name: alias, TimeColumn: -1}
	for i, c := range cols {
		name := c.Name
		if i < len(colNames) {
			name = colNames[i].GetString_().Sval
		}
		t.Columns = append(t.Columns, schema.Column{Name: name, Type: c.Type})
	}
	return t, nil
}

// bindFrom resolves the one FROM item of a query: a stored table, a
// common table expression or a subquery.
func (p *Planner) bindFrom(item *pg.Node, b *binder) error {
	switch {
	case item.GetRangeVar() != nil:
		rv := item.GetRangeVar()
		alias := rv.Relname
		var colNames []*pg.Node
		if rv.Alias != nil {
			alias, colNames = rv.Alias.Aliasname, rv.Alias.Colnames
		}
		if e, ok := b.ctes[rv.Relname]; ok && rv.Schemaname == "" {
			sub := e.cte.Ctequery.GetSelectStmt()
			if sub == nil {
				return errAt(sqlerr.New(sqlerr.FeatureNotSupported, "WITH queries other than SELECT are not supported"), e.cte.Location)
			}
			if len(colNames) == 0 {
				colNames = e.cte.Aliascolnames
			}
			saved := b.ctes
			b.ctes = e.scope
			err := p.bindDerived(sub, alias, colNames, b)
			b.ctes = saved
			return err
		}
		if r, ok := systemRelation(rv); ok {
			return p.bindSystem(r, alias, colNames, b)
		}
		if rv.Schemaname != "" && rv.Schemaname != "public" {
			return errAt(sqlerr.New(sqlerr.UndefinedTable, "relation \"%s.%s\" does not exist", rv.Schemaname, rv.Relname), rv.Location)
		}
		t, ok := p.cat.Table(rv.Relname)
		if !ok {
			return errAt(sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", rv.Relname), rv.Location)
		}
		if len(colNames) > 0 {
			return errAt(sqlerr.New(sqlerr.FeatureNotSupported, "column aliases of a stored table are not supported yet"), rv.Location)
		}
		b.table, b.alias, b.relOID = t, alias, pgcatalog.TableOID(t.Name)
		return nil
	case item.GetRangeSubselect() != nil:
		rs := item.GetRangeSubselect()
		if rs.Lateral {
			return sqlerr.New(sqlerr.FeatureNotSupported, "LATERAL is not supported yet")
		}
		if rs.Alias == nil {
			return sqlerr.New(sqlerr.SyntaxError, "subquery in FROM must have an alias").
				WithHint("For example, FROM (SELECT ...) [AS] foo.")
		}
		sub := rs.Subquery.GetSelectStmt()
		if sub == nil {
			return sqlerr.New(sqlerr.FeatureNotSupported, "this subquery in FROM is not supported yet")
		}
		return p.bindDerived(sub, rs.Alias.Aliasname, rs.Alias.Colnames, b)
	case item.GetRangeFunction() != nil:
		return p.bindRangeFunction(item.GetRangeFunction(), b)
	case item.GetJoinExpr() != nil:
		return sqlerr.New(sqlerr.FeatureNotSupported, "joins are not supported yet")
	}
	return sqlerr.New(sqlerr.FeatureNotSupported, "FROM %s is not supported yet", nodeName(item))
}

// bindDerived plans sub and makes it the query's relation.
func (p *Planner) bindDerived(sub *pg.SelectStmt, alias string, colNames []*pg.Node, b *binder) error {
	cb := b.child()
	plan, err := p.planSelect(sub, cb)
	b.absorb(cb)
	if err != nil {
		return err
	}
	desc, err := relationDesc(alias, plan.columns, colNames)
	if err != nil {
		return err
	}
	b.table, b.alias, b.derived = desc, alias, &derived{desc: desc, plan: plan}
	return nil
}

// wrapped plans sel's ORDER BY, LIMIT and OFFSET over the rest of sel as
// a subquery, for statements whose result is not a query over one
// relation: UNION and VALUES.
func (p *Planner) wrapped(sel *pg.SelectStmt, b *binder) (*selectPlan, error) {
	inner := proto.Clone(sel).(*pg.SelectStmt)
	inner.SortClause, inner.LimitCount, inner.LimitOffset = nil, nil, nil
	inner.LimitOption = pg.LimitOption_LIMIT_OPTION_DEFAULT
	star := &pg.Node{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: &pg.Node{Node: &pg.Node_ColumnRef{
		ColumnRef: &pg.ColumnRef{Fields: []*pg.Node{{Node: &pg.Node_AStar{AStar: &pg.A_Star{}}}}}}}}}}
	outer := &pg.SelectStmt{
		TargetList: []*pg.Node{star},
		FromClause: []*pg.Node{{Node: &pg.Node_RangeSubselect{RangeSubselect: &pg.RangeSubselect{
			Subquery: &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: inner}},
			Alias:    &pg.Alias{Aliasname: "*SELECT*"},
		}}}},
		SortClause:  sel.SortClause,
		LimitCount:  sel.LimitCount,
		LimitOffset: sel.LimitOffset,
		LimitOption: sel.LimitOption,
	}
	return p.planSelect(outer, b)
}

// planSetOp plans UNION [ALL]: both sides planned on their own, each
// column brought to the sides' common type, concatenated, and for UNION
// deduplicated.
func (p *Planner) planSetOp(sel *pg.SelectStmt, b *binder) (*selectPlan, error) {
	if len(sel.SortClause) > 0 || sel.LimitCount != nil || sel.LimitOffset != nil {
		return p.wrapped(sel, b)
	}
	what := map[pg.SetOperation]string{pg.SetOperation_SETOP_UNION: "UNION", pg.SetOperation_SETOP_INTERSECT: "INTERSECT",
		pg.SetOperation_SETOP_EXCEPT: "EXCEPT"}[sel.Op]
	if what == "" {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "set operation %s is not supported", sel.Op)
	}
	var sides [2]*selectPlan
	for i, s := range []*pg.SelectStmt{sel.Larg, sel.Rarg} {
		cb := b.child()
		plan, err := p.planSelect(s, cb)
		b.absorb(cb)
		if err != nil {
			return nil, err
		}
		sides[i] = plan
	}
	l, r := sides[0].columns, sides[1].columns
	if len(l) != len(r) {
		return nil, sqlerr.New(sqlerr.SyntaxError, "each %s query must have the same number of columns", what)
	}
	cols := make([]Column, len(l))
	for i := range l {
		lt, rt := l[i].Type, r[i].Type
		if l[i].untyped {
			lt = coldata.Unknown
		}
		if r[i].untyped {
			rt = coldata.Unknown
		}
		t, ok := exec.CommonType([]coldata.Type{lt, rt})
		if !ok {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "%s types %s and %s cannot be matched", what, l[i].Type, r[i].Type)
		}
		cols[i] = Column{Name: l[i].Name, Type: t, untyped: l[i].untyped && r[i].untyped}
	}
	all := sel.All
	plan := &selectPlan{columns: cols}
	plan.explain = func(ctx context.Context, depth int) []string {
		label := "Append (UNION ALL)"
		switch {
		case what != "UNION":
			label = what
			if all {
				label += " ALL"
			}
		case !all:
			label = "Distinct over Append (UNION)"
		}
		lines := []string{indent(depth, "%s", label)}
		for _, side := range sides {
			lines = append(lines, side.describe2(ctx, depth+1)...)
		}
		return lines
	}
	plan.start = func(ctx context.Context) (exec.Operator, error) {
		var inputs []exec.Operator
		closeAll := func() {
			for _, in := range inputs {
				in.Close()
			}
		}
		for _, side := range sides {
			op, err := side.start(ctx)
			if err != nil {
				closeAll()
				return nil, err
			}
			if op, err = castColumns(op, side.columns, cols); err != nil {
				closeAll()
				return nil, err
			}
			inputs = append(inputs, op)
		}
		if what != "UNION" {
			return exec.NewSetOp(what == "EXCEPT", all, inputs[0], inputs[1], columnTypes(cols)), nil
		}
		var op exec.Operator = exec.NewConcat(inputs...)
		if !all {
			keys := make([]exec.Expr, len(cols))
			types := columnTypes(cols)
			for i, c := range cols {
				k, err := exec.CompileExpr(colScalar(i, c.Name, c.Type).toProto(nil), types)
				if err != nil {
					op.Close()
					return nil, err
				}
				keys[i] = k
			}
			op = exec.NewHashAgg(op, exec.AggComplete, keys, nil)
		}
		return op, nil
	}
	return plan, nil
}

func columnTypes(cols []Column) []coldata.Type {
	out := make([]coldata.Type, len(cols))
	for i, c := range cols {
		out[i] = c.Type
	}
	return out
}

// castColumns projects op's columns (of types from) to the types to.
func castColumns(op exec.Operator, from, to []Column) (exec.Operator, error) {
	same := true
	for i := range from {
		same = same && from[i].Type == to[i].Type
	}
	if same {
		return op, nil
	}
	types := columnTypes(from)
	exprs := make([]exec.Expr, len(from))
	for i := range from {
		s := colScalar(i, from[i].Name, from[i].Type)
		if from[i].Type != to[i].Type {
			s = callScalar("cast", to[i].Type, s)
		}
		e, err := exec.CompileExpr(s.toProto(nil), types)
		if err != nil {
			return nil, err
		}
		exprs[i] = e
	}
	return exec.NewProject(op, exprs), nil
}

// planValues plans a VALUES list: every row's expressions bound, each
// column brought to its rows' common type, evaluated when the statement
// runs.
func (p *Planner) planValues(sel *pg.SelectStmt, b *binder) (*selectPlan, error) {
	if len(sel.SortClause) > 0 || sel.LimitCount != nil || sel.LimitOffset != nil {
		return p.wrapped(sel, b)
	}
	var rows [][]*scalar
	b.aggAllowed, b.clause = false, "VALUES"
	for _, list := range sel.ValuesLists {
		items := list.GetList().GetItems()
		if len(rows) > 0 && len(items) != len(rows[0]) {
			return nil, sqlerr.New(sqlerr.SyntaxError, "VALUES lists must all be the same length")
		}
		row := make([]*scalar, len(items))
		for i, n := range items {
			s, err := b.bind(n)
			if err != nil {
				return nil, err
			}
			row[i] = s
		}
		rows = append(rows, row)
	}
	cols := make([]Column, len(rows[0]))
	for c := range cols {
		vals := make([]*scalar, len(rows))
		for r := range rows {
			vals[r] = rows[r][c]
		}
		t, err := b.commonType(vals, "VALUES", -1)
		if err != nil {
			return nil, err
		}
		for r := range rows {
			if rows[r][c], err = b.coerce(rows[r][c], t, -1); err != nil {
				return nil, err
			}
		}
		cols[c] = Column{Name: fmt.Sprintf("column%d", c+1), Type: t}
	}
	plan := &selectPlan{columns: cols}
	plan.explain = func(ctx context.Context, depth int) []string {
		return []string{indent(depth, "Values (%d rows)", len(rows))}
	}
	plan.start = func(ctx context.Context) (exec.Operator, error) {
		out := coldata.NewBatch(columnTypes(cols), len(rows))
		one := &coldata.Batch{Len: 1}
		for _, row := range rows {
			for c, s := range row {
				e, err := exec.CompileExpr(s.toProto(nil), nil)
				if err != nil {
					return nil, err
				}
				v, err := e.Eval(one)
				if err != nil {
					return nil, err
				}
				out.Vecs[c].AppendFrom(v, 0)
			}
			out.Len++
		}
		return exec.NewBatches(out), nil
	}
	return plan, nil
}
