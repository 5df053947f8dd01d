package planner

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

// selectPlan is a bound SELECT: its result columns, and start, which
// resolves the operators to ask and builds the running operator tree.
type selectPlan struct {
	columns []Column
	start   func(ctx context.Context) (exec.Operator, error)
	// explain renders the plan's steps for EXPLAIN at a depth.
	explain func(ctx context.Context, depth int) []string
}

// target is one entry of the select list.
type target struct {
	name string
	expr *scalar
	// untyped marks a bare string literal or NULL, typed text here but
	// free to take another type where a UNION or VALUES meets it.
	untyped bool
}

// orderItem is one ORDER BY key, bound.
type orderItem struct {
	expr       *scalar
	desc       bool
	nullsFirst bool
}

func (p *Planner) planSelect(sel *pg.SelectStmt, b *binder) (*selectPlan, error) {
	if sel.WithClause != nil {
		if sel.WithClause.Recursive {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "WITH RECURSIVE is not supported yet")
		}
		// Each common table expression sees the ones before it and those
		// of enclosing queries, never itself.
		scope := b.ctes
		seen := map[string]bool{}
		for _, n := range sel.WithClause.Ctes {
			cte := n.GetCommonTableExpr()
			if cte == nil {
				return nil, sqlerr.New(sqlerr.InternalError, "WITH: unexpected %s", nodeName(n))
			}
			next := make(map[string]cteEntry, len(scope)+1)
			for k, v := range scope {
				next[k] = v
			}
			if seen[cte.Ctename] {
				return nil, errAt(sqlerr.New("42712", "WITH query name %q specified more than once", cte.Ctename), cte.Location)
			}
			seen[cte.Ctename] = true
			next[cte.Ctename] = cteEntry{cte: cte, scope: scope}
			scope = next
		}
		b.ctes = scope
	}
	if sel.Op != pg.SetOperation_SETOP_NONE && sel.Op != pg.SetOperation_SET_OPERATION_UNDEFINED {
		return p.planSetOp(sel, b)
	}
	sel = p.decorrelateTargets(sel)
	var err error
	if !b.noSRF {
		if sel, err = rewriteSRF(sel); err != nil {
			return nil, err
		}
	}
	if !b.noSignal {
		sel = filterBeforeSignals(sel)
	}
	if len(sel.ValuesLists) > 0 {
		return p.planValues(sel, b)
	}
	if err := checkSupported(sel); err != nil {
		return nil, err
	}
	switch {
	case len(sel.FromClause) > 1 || (len(sel.FromClause) == 1 && sel.FromClause[0].GetJoinExpr() != nil):
		if err := p.bindJoin(sel, b); err != nil {
			return nil, err
		}
	case len(sel.FromClause) == 1:
		if err := p.bindFrom(sel.FromClause[0], b); err != nil {
			return nil, err
		}
	}

	b.namedWindows = map[string]*pg.WindowDef{}
	for _, n := range sel.WindowClause {
		wd := n.GetWindowDef()
		if _, dup := b.namedWindows[wd.Name]; dup {
			return nil, errAt(sqlerr.New(sqlerr.WindowingError, "window %q is already defined", wd.Name), wd.Location)
		}
		b.namedWindows[wd.Name] = wd
	}
	b.aggAllowed, b.clause, b.windowAllowed = true, "SELECT", true
	targets, err := b.bindTargets(sel.TargetList)
	b.windowAllowed = false
	if err != nil {
		return nil, err
	}

	var where *scalar
	if sel.WhereClause != nil {
		b.aggAllowed, b.clause = false, "WHERE"
		w, err := b.bind(sel.WhereClause)
		if err != nil {
			return nil, err
		}
		if err := b.settle(w, coldata.Bool); err != nil {
			return nil, err
		}
		if w.typ != coldata.Bool {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "argument of WHERE must be type boolean, not type %s", w.typ)
		}
		where = w
		addWhereKeys(b.joinTree, where)
	}

	b.aggAllowed, b.clause = false, "GROUP BY"
	var groups []*scalar
	for _, g := range sel.GroupClause {
		s, err := b.bindGroupItem(g, targets)
		if err != nil {
			return nil, err
		}
		groups = appendUnique(groups, s)
	}

	var having *scalar
	if sel.HavingClause != nil {
		b.aggAllowed, b.clause = true, "HAVING"
		h, err := b.bind(sel.HavingClause)
		if err != nil {
			return nil, err
		}
		if err := b.settle(h, coldata.Bool); err != nil {
			return nil, err
		}
		if h.typ != coldata.Bool {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "argument of HAVING must be type boolean, not type %s", h.typ)
		}
		having = h
	}

	aggregating := len(groups) > 0 || having != nil
	for _, t := range targets {
		aggregating = aggregating || t.expr.hasAgg()
	}
	distinct := len(sel.DistinctClause) > 0
	if distinct && aggregating {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "SELECT DISTINCT with aggregates or GROUP BY is not supported yet")
	}
	if distinct {
		// SELECT DISTINCT is a grouping by the select list, pushed to
		// the operators like any other.
		for _, t := range targets {
			groups = appendUnique(groups, t.expr)
		}
		aggregating = true
	}
	b.aggAllowed, b.clause, b.windowAllowed = true, "ORDER BY", true
	var order []orderItem
	for _, o := range sel.SortClause {
		item, err := b.bindOrderItem(o.GetSortBy(), targets)
		b.windowAllowed = true
		if err != nil {
			return nil, err
		}
		aggregating = aggregating || item.expr.hasAgg()
		if distinct && !inList(item.expr, targets) {
			return nil, errAt(sqlerr.New(sqlerr.InvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list"), o.GetSortBy().Location)
		}
		order = append(order, item)
	}

	offset, limit, err := b.bindLimit(sel)
	if err != nil {
		return nil, err
	}

	cols := make([]Column, len(targets))
	for i, t := range targets {
		cols[i] = Column{Name: t.name, Type: t.expr.typ, untyped: t.untyped}
	}
	b.windowAllowed = false
	q := &query{p: p, b: b, targets: targets, where: where, having: having, groups: groups, order: order, offset: offset, limit: limit}
	for i, t := range targets {
		if t.expr.isSRF() {
			q.srfCols = append(q.srfCols, i)
		}
	}
	if len(q.srfCols) > 0 && (aggregating || len(order) > 0 || limit >= 0 || offset > 0) {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "a bare unnest named %s… is reserved for armorlake's own rewriting", srfPrefix)
	}
	plan := &selectPlan{columns: cols}
	windows := false
	for _, t := range targets {
		windows = windows || t.expr.hasWindow()
	}
	for _, o := range order {
		windows = windows || o.expr.hasWindow()
	}
	switch {
	case windows && (b.table == nil || distinct):
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "window functions without FROM or with DISTINCT are not supported yet")
	case windows:
		if err := q.prepareWindows(); err != nil {
			return nil, err
		}
		plan.start = q.startWindows
		plan.explain = func(ctx context.Context, depth int) []string {
			var lines []string
			d := q.explainRoot(depth, &lines, false)
			lines = append(lines, indent(d, "Window functions"))
			if q.windowInner != nil {
				lines = append(lines, q.windowInner.explainAt(ctx, d+1)...)
			}
			return lines
		}
	case b.table == nil && (aggregating || where != nil):
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "aggregates and WHERE without FROM are not supported yet")
	case b.table == nil:
		for _, t := range targets {
			q.rootCols = append(q.rootCols, t.expr)
		}
		plan.start = q.startConstant
	case b.noPushdown:
		if err := q.prepareRaw(aggregating); err != nil {
			return nil, err
		}
		plan.start = q.startRaw
	case aggregating:
		if err := q.prepareAggregation(); err != nil {
			return nil, err
		}
		plan.start = q.startAggregation
	default:
		q.prepareProjection()
		plan.start = q.startProjection
	}
	if plan.explain == nil && b.table != nil {
		q.aggregating = q.aggregating || aggregating
		plan.explain = q.explainAt
	}
	return plan, nil
}

// checkSupported rejects, with a clear error, the SELECT features not
// built yet, so they never silently run as something else.
func checkSupported(sel *pg.SelectStmt) error {
	unsupported := func(what string) error {
		return sqlerr.New(sqlerr.FeatureNotSupported, "%s is not supported yet", what)
	}
	switch {
	case len(sel.DistinctClause) > 0 && sel.DistinctClause[0].GetNode() != nil:
		// Plain DISTINCT is one empty node; DISTINCT ON lists its
		// expressions.
		return unsupported("SELECT DISTINCT ON")
	case sel.IntoClause != nil:
		return sqlerr.New(sqlerr.ReadOnlySQLTransaction, "cannot execute SELECT INTO in a read-only transaction")
	case len(sel.LockingClause) > 0:
		return unsupported("FOR UPDATE and FOR SHARE")
	}
	return nil
}

// inList reports whether s is one of the select list's expressions.
func inList(s *scalar, targets []target) bool {
	for _, t := range targets {
		if t.expr.key() == s.key() {
			return true
		}
	}
	return false
}

func appendUnique(list []*scalar, s *scalar) []*scalar {
	k := s.key()
	for _, x := range list {
		if x.key() == k {
			return list
		}
	}
	return append(list, s)
}

func (b *binder) bindTargets(list []*pg.Node) ([]target, error) {
	var out []target
	for _, n := range list {
		rt := n.GetResTarget()
		if rt == nil {
			return nil, sqlerr.New(sqlerr.InternalError, "bind select list: unexpected %s", nodeName(n))
		}
		if cr := rt.Val.GetColumnRef(); cr != nil && cr.Fields[len(cr.Fields)-1].GetAStar() != nil {
			if b.table == nil {
				return nil, errAt(sqlerr.New(sqlerr.SyntaxError, "SELECT * with no tables specified is not valid"), cr.Location)
			}
			first, n := 0, len(b.table.Columns)
			if len(cr.Fields) > 1 {
				qual := cr.Fields[len(cr.Fields)-2].GetString_().Sval
				found := false
				for _, r := range b.rels {
					if r.alias == qual {
						first, n, found = r.first, r.n, true
					}
				}
				if len(b.rels) == 0 && (qual == b.alias || qual == b.table.Name) {
					found = true
				}
				if !found {
					return nil, errAt(sqlerr.New(sqlerr.UndefinedTable, "missing FROM-clause entry for table %q", qual), cr.Location)
				}
			}
			// Under *, the columns USING merged come first and once, as
			// in PostgreSQL.
			order := make([]int, 0, n)
			if len(cr.Fields) == 1 {
				order = append(order, b.usingLeft...)
			}
			for i := first; i < first+n; i++ {
				if len(cr.Fields) == 1 && (b.hiddenCol(i) || slices.Contains(b.usingLeft, i)) {
					continue
				}
				order = append(order, i)
			}
			for _, i := range order {
				c := b.table.Columns[i]
				out = append(out, target{name: c.Name, expr: colScalar(i, c.Name, c.Type)})
			}
			continue
		}
		var s *scalar
		var err error
		if innerSRFTarget(rt) {
			s, err = b.bindUnnest(rt.Val.GetFuncCall())
		} else {
			s, err = b.bind(rt.Val)
		}
		if err != nil {
			return nil, err
		}
		if s, err = realizeAll(s, rt.Location); err != nil {
			return nil, err
		}
		untyped := s.unknownLit && s.param == 0
		if err := b.settle(s, coldata.Text); err != nil {
			return nil, err
		}
		name := rt.Name
		if name == "" {
			name = columnName(rt.Val)
		}
		out = append(out, target{name: name, expr: s, untyped: untyped})
	}
	return out, nil
}

// columnName is the name PostgreSQL gives an unaliased select-list entry.
func columnName(n *pg.Node) string {
	switch {
	case n.GetColumnRef() != nil:
		f := n.GetColumnRef().Fields
		return f[len(f)-1].GetString_().Sval
	case n.GetFuncCall() != nil:
		return operatorName(n.GetFuncCall().Funcname)
	case n.GetTypeCast() != nil:
		tc := n.GetTypeCast()
		if tc.Arg.GetColumnRef() != nil || tc.Arg.GetFuncCall() != nil {
			return columnName(tc.Arg)
		}
		return operatorName(tc.TypeName.Names)
	}
	return "?column?"
}

// ordinal returns n's value when it is an integer constant: GROUP BY 1
// and ORDER BY 2 name select-list entries.
func ordinal(n *pg.Node) (int, bool) {
	c := n.GetAConst()
	if c == nil {
		return 0, false
	}
	if v, ok := c.Val.(*pg.A_Const_Ival); ok {
		return int(v.Ival.Ival), true
	}
	return 0, false
}

// outputName returns the select-list entry a bare name refers to.
func outputName(n *pg.Node, targets []target) (*scalar, bool, error) {
	cr := n.GetColumnRef()
	if cr == nil || len(cr.Fields) != 1 || cr.Fields[0].GetString_() == nil {
		return nil, false, nil
	}
	name := cr.Fields[0].GetString_().Sval
	var found *scalar
	for _, t := range targets {
		if t.name == name {
			if found != nil && found.key() != t.expr.key() {
				return nil, false, errAt(sqlerr.New(sqlerr.AmbiguousColumn, "ORDER BY %q is ambiguous", name), cr.Location)
			}
			found = t.expr
		}
	}
	return found, found != nil, nil
}

func (b *binder) bindGroupItem(n *pg.Node, targets []target) (*scalar, error) {
	if i, ok := ordinal(n); ok {
		if i < 1 || i > len(targets) {
			return nil, errAt(sqlerr.New(sqlerr.InvalidColumnReference, "GROUP BY position %d is not in select list", i), n.GetAConst().Location)
		}
		if targets[i-1].expr.hasAgg() {
			return nil, sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in GROUP BY")
		}
		return targets[i-1].expr, nil
	}
	// A bare name is an input column first, an output name second.
	s, err := b.bind(n)
	if err != nil {
		if sqlerr.Code(err) == sqlerr.UndefinedColumn {
			if out, ok, err2 := outputName(n, targets); err2 == nil && ok {
				if out.hasAgg() {
					return nil, sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in GROUP BY")
				}
				return out, nil
			}
		}
		return nil, err
	}
	return s, b.settle(s, coldata.Text)
}

// sortDirection reads ASC/DESC and NULLS FIRST/LAST, PostgreSQL's
// default being NULLs last ascending and first descending.
func sortDirection(sb *pg.SortBy) (orderItem, error) {
	item := orderItem{desc: sb.SortbyDir == pg.SortByDir_SORTBY_DESC}
	if sb.SortbyDir == pg.SortByDir_SORTBY_USING {
		return item, sqlerr.New(sqlerr.FeatureNotSupported, "ORDER BY ... USING is not supported")
	}
	item.nullsFirst = item.desc
	switch sb.SortbyNulls {
	case pg.SortByNulls_SORTBY_NULLS_FIRST:
		item.nullsFirst = true
	case pg.SortByNulls_SORTBY_NULLS_LAST:
		item.nullsFirst = false
	}
	return item, nil
}

func (b *binder) bindOrderItem(sb *pg.SortBy, targets []target) (orderItem, error) {
	item, err := sortDirection(sb)
	if err != nil {
		return item, err
	}
	if i, ok := ordinal(sb.Node); ok {
		if i < 1 || i > len(targets) {
			return item, errAt(sqlerr.New(sqlerr.InvalidColumnReference, "ORDER BY position %d is not in select list", i), sb.Node.GetAConst().Location)
		}
		item.expr = targets[i-1].expr
		return item, nil
	}
	// A bare name is an output name first, an input column second.
	if out, ok, err := outputName(sb.Node, targets); err != nil || ok {
		item.expr = out
		return item, err
	}
	s, err := b.bind(sb.Node)
	if err != nil {
		return item, err
	}
	item.expr = s
	return item, b.settle(s, coldata.Text)
}

// bindLimit returns OFFSET and LIMIT; limit -1 means none.
func (b *binder) bindLimit(sel *pg.SelectStmt) (offset, limit int64, err error) {
	value := func(n *pg.Node, what string) (int64, bool, error) {
		if n == nil {
			return 0, false, nil
		}
		b.aggAllowed, b.clause = false, what
		s, err := b.bind(n)
		if err != nil {
			return 0, false, err
		}
		if err := b.settle(s, coldata.Int64); err != nil {
			return 0, false, err
		}
		if s.kind != kindConst || !s.typ.IsInteger() {
			return 0, false, sqlerr.New(sqlerr.FeatureNotSupported, "%s must be an integer constant", what)
		}
		if s.datum.Null {
			return 0, false, nil
		}
		v := s.datum.GetI()
		if v < 0 {
			code := "2201W" // invalid_row_count_in_limit_clause
			if what == "OFFSET" {
				code = "2201X"
			}
			return 0, false, sqlerr.New(code, "%s must not be negative", what)
		}
		return v, true, nil
	}
	limit = -1
	if v, ok, err := value(sel.LimitCount, "LIMIT"); err != nil {
		return 0, 0, err
	} else if ok {
		limit = v
	}
	if v, ok, err := value(sel.LimitOffset, "OFFSET"); err != nil {
		return 0, 0, err
	} else if ok {
		offset = v
	}
	return offset, limit, nil
}

// query holds one bound SELECT while it is split into a fragment and a
// root.
type query struct {
	p       *Planner
	b       *binder
	targets []target
	where   *scalar
	having  *scalar // over the aggregation's output once prepared
	groups  []*scalar
	order   []orderItem
	offset  int64
	limit   int64

	frag    *rpcpb.Fragment
	scanIdx []int // the relation's columns the fragment reads, in its order
	// A query with window functions: what computes the rows they read,
	// those rows' types, and the position of each expression they hold
	// (by key).
	windowInput func(context.Context) (exec.Operator, error)
	// Without pushdown (armorlake.pushdown = off) the fragment only
	// reads columns: rawTypes are theirs, remap places the relation's
	// columns among them, aggregating says what the root computes.
	raw         bool
	windowInner *query // a window query's inner query, for EXPLAIN
	rawTypes    []coldata.Type
	remap       map[int]int
	aggregating bool
	windowTypes []coldata.Type
	windowPos   map[string]int
	aggs        []*scalar // distinct aggregate calls
	// lifted holds, per GROUP BY expression, the integer subexpression
	// the aggregation groups by instead (liftGroupKey), or nil.
	lifted   []*scalar
	srfCols  []int     // select-list positions of bare unnest calls
	rootCols []*scalar // what the root projects before sorting: targets, then hidden sort keys
}

// scanColumns lists the table columns exprs read, in table order, and maps
// each to its position in the fragment's input.
func (q *query) scanColumns(exprs ...*scalar) (names []string, remap map[int]int) {
	seen := map[int]bool{}
	for _, e := range exprs {
		if e != nil {
			e.walk(func(s *scalar) {
				if s.kind == kindColumn {
					seen[s.col] = true
				}
			})
		}
	}
	idx := make([]int, 0, len(seen))
	for c := range seen {
		idx = append(idx, c)
	}
	sort.Ints(idx)
	q.scanIdx = idx
	remap = make(map[int]int, len(idx))
	for i, c := range idx {
		remap[c] = i
		names = append(names, q.b.table.Columns[c].Name)
	}
	return names, remap
}

func (q *query) newFragment(names []string, remap map[int]int) *rpcpb.Fragment {
	f := &rpcpb.Fragment{Table: q.b.table.Name, Columns: names}
	lo, hi := timeRange(q.where, q.b.table)
	if lo != math.MinInt64 || hi != math.MaxInt64 {
		f.TimeRange = &rpcpb.TimeRange{}
		if lo != math.MinInt64 {
			f.TimeRange.MinUs = &lo
		}
		if hi != math.MaxInt64 {
			f.TimeRange.MaxUs = &hi
		}
	}
	where := q.where
	if q.b.derived == nil && !q.b.table.Virtual {
		// The store returns exactly the rows of the time range: the
		// conditions it came from need not be checked again.
		where = withoutTimeBounds(where, q.b.table)
	}
	if where != nil {
		f.Filter = where.toProto(remap)
	}
	return f
}

// withoutTimeBounds returns where without the conjuncts timeRange turned
// exactly into the time range, or nil when nothing else is left.
func withoutTimeBounds(where *scalar, t *schema.Table) *scalar {
	if where == nil {
		return nil
	}
	if where.kind == kindCall && where.op == "and" {
		var rest []*scalar
		for _, a := range where.args {
			if r := withoutTimeBounds(a, t); r != nil {
				rest = append(rest, r)
			}
		}
		switch len(rest) {
		case 0:
			return nil
		case 1:
			return rest[0]
		}
		return callScalar("and", coldata.Bool, rest...)
	}
	if timeBound(where, t) {
		return nil
	}
	return where
}

// timeBound reports whether s is a comparison timeRange applies exactly:
// the time column against a finite timestamp constant.
func timeBound(s *scalar, t *schema.Table) bool {
	if s.kind != kindCall || len(s.args) != 2 {
		return false
	}
	switch s.op {
	case "<", "<=", ">", ">=", "=":
	default:
		return false
	}
	c, k := s.args[0], s.args[1]
	if k.kind == kindColumn {
		c, k = k, c
	}
	return c.kind == kindColumn && c.col == t.TimeColumn && k.kind == kindConst && k.typ == coldata.Timestamptz &&
		!k.datum.Null && k.datum.GetI() != math.MaxInt64 && k.datum.GetI() != math.MinInt64
}

func (q *query) prepareAggregation() error {
	exprs := []*scalar{q.where}
	exprs = append(exprs, q.groups...)
	collect := func(s *scalar) {
		s.walk(func(x *scalar) {
			if x.kind == kindAgg {
				q.aggs = appendUnique(q.aggs, x)
			}
		})
	}
	for _, t := range q.targets {
		collect(t.expr)
		exprs = append(exprs, t.expr)
	}
	for _, o := range q.order {
		collect(o.expr)
		exprs = append(exprs, o.expr)
	}
	if q.having != nil {
		collect(q.having)
		exprs = append(exprs, q.having)
	}
	for _, a := range q.aggs {
		exprs = append(exprs, a.agg.exprs()...)
	}
	names, remap := q.scanColumns(exprs...)
	q.frag = q.newFragment(names, remap)
	q.lifted = make([]*scalar, len(q.groups))
	for i, g := range q.groups {
		q.lifted[i] = liftGroupKey(g)
		q.frag.GroupBy = append(q.frag.GroupBy, q.groupKey(i).toProto(remap))
	}
	for _, a := range q.aggs {
		q.frag.Aggregates = append(q.frag.Aggregates, a.agg.toProto(remap))
	}
	// Above the final aggregation, expressions read its output: the
	// group keys, then one column per aggregate.
	for _, t := range q.targets {
		r, err := q.overAggregates(t.expr)
		if err != nil {
			return err
		}
		q.rootCols = append(q.rootCols, r)
	}
	for i := range q.order {
		r, err := q.overAggregates(q.order[i].expr)
		if err != nil {
			return err
		}
		q.order[i].expr = r
	}
	if q.having != nil {
		r, err := q.overAggregates(q.having)
		if err != nil {
			return err
		}
		q.having = r
	}
	return nil
}

// groupKey is what the aggregation groups by for GROUP BY expression i:
// the expression, or the integer it is an injective function of
// (liftGroupKey).
func (q *query) groupKey(i int) *scalar {
	if i < len(q.lifted) && q.lifted[i] != nil {
		return q.lifted[i]
	}
	return q.groups[i]
}

// overAggregates rewrites s to read the final aggregation's output.
func (q *query) overAggregates(s *scalar) (*scalar, error) {
	k := s.key()
	for i, g := range q.groups {
		if g.key() == k {
			if x := q.lifted[i]; x != nil {
				// Grouped by x: g is computed from it per group.
				return replaceSub(g, x, colScalar(i, "", x.typ)), nil
			}
			return colScalar(i, "", s.typ), nil
		}
	}
	switch s.kind {
	case kindAgg:
		for i, a := range q.aggs {
			if a.key() == k {
				return colScalar(len(q.groups)+i, a.agg.name, s.typ), nil
			}
		}
		return nil, sqlerr.New(sqlerr.InternalError, "aggregate %s not collected", k)
	case kindColumn:
		return nil, sqlerr.New(sqlerr.GroupingError, "column \"%s.%s\" must appear in the GROUP BY clause or be used in an aggregate function", q.b.qualifier(s.col), s.name)
	case kindCall:
		c := *s
		c.args = make([]*scalar, len(s.args))
		for i, a := range s.args {
			r, err := q.overAggregates(a)
			if err != nil {
				return nil, err
			}
			c.args[i] = r
		}
		return &c, nil
	}
	return s, nil
}

func (q *query) prepareProjection() {
	exprs := []*scalar{q.where}
	for _, t := range q.targets {
		exprs = append(exprs, t.expr)
		q.rootCols = append(q.rootCols, t.expr)
	}
	for _, o := range q.order {
		exprs = append(exprs, o.expr)
	}
	names, remap := q.scanColumns(exprs...)
	q.frag = q.newFragment(names, remap)
	// The fragment projects the targets plus any sort key not among them;
	// the root reads those outputs by position.
	outs := q.withSortKeys()
	for _, o := range q.order {
		q.frag.OrderBy = append(q.frag.OrderBy, &rpcpb.SortKey{Column: int32(o.expr.col), Desc: o.desc, NullsFirst: o.nullsFirst})
	}
	for _, o := range outs {
		q.frag.Projections = append(q.frag.Projections, unwrapSRF(o).toProto(remap))
	}
	// On the wire 0 means no limit; LIMIT 0 is left to the root.
	if q.limit > 0 {
		q.frag.Limit = q.offset + q.limit
	}
	// Root columns are the fragment's outputs by position.
	for i := range q.rootCols {
		q.rootCols[i] = colScalar(i, q.targets[i].name, q.targets[i].expr.typ)
	}
}

// withSortKeys returns the root columns followed by each sort key not
// already among them, and points every sort key at its position there.
func (q *query) withSortKeys() []*scalar {
	all := append([]*scalar(nil), q.rootCols...)
	for i, o := range q.order {
		pos := -1
		for j, x := range all {
			if x.key() == o.expr.key() {
				pos = j
				break
			}
		}
		if pos < 0 {
			pos = len(all)
			all = append(all, o.expr)
		}
		q.order[i].expr = colScalar(pos, "", o.expr.typ)
	}
	return all
}

func (q *query) gather(ctx context.Context) (exec.Operator, error) {
	if d := q.b.derived; d != nil {
		// A relation planned here: its fragment runs here too, over
		// the relation's rows, its columns named by position (a
		// derived table's names may repeat).
		src, err := d.source(ctx)
		if err != nil {
			return nil, err
		}
		frag := proto.Clone(q.frag).(*rpcpb.Fragment)
		types := make([]coldata.Type, len(frag.Columns))
		for i, c := range q.scanIdx {
			frag.Columns[i] = positionName(c)
			types[i] = d.desc.Columns[c].Type
		}
		src.Desc = positional(d.desc)
		op, err := exec.BuildFragment(ctx, frag, types, src)
		if err != nil {
			src.Input.Close()
		}
		return op, err
	}
	lo, hi := exec.TimeBounds(q.frag.TimeRange)
	targets, missing, err := q.p.cat.Targets(q.frag.Table, lo, hi)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		if !q.b.partial {
			return nil, sqlerr.New(sqlerr.SystemError, "operator %s holds rows of %s but is not available", missing[0], q.frag.Table).
				WithDetail("unavailable operators: " + strings.Join(missing, ", ")).
				WithHint("SET armorlake.partial_results = on answers from the others, with a notice naming what is missing.")
		}
		if n := exec.NoticesFrom(ctx); n != nil {
			for _, id := range missing {
				n.Add(exec.PartialNotice, fmt.Sprintf("partial results: the rows of %s that %s holds are missing: it is not available", q.frag.Table, id))
			}
		}
	}
	g := exec.NewGather(q.p.remote, targets, q.frag, q.p.cfg.FanOut)
	g.Partial = q.b.partial
	return g, nil
}

func (q *query) startAggregation(ctx context.Context) (exec.Operator, error) {
	in, err := q.gather(ctx)
	if err != nil {
		return nil, err
	}
	var keys []exec.Expr
	var partial []coldata.Type
	for i := range q.groups {
		partial = append(partial, q.groupKey(i).typ)
	}
	for i := range q.groups {
		k, err := exec.CompileExpr(colScalar(i, "", partial[i]).toProto(nil), partial[:len(q.groups)])
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	var specs []exec.AggSpec
	for _, a := range q.aggs {
		def, err := a.agg.def()
		if err != nil {
			return nil, err
		}
		spec := exec.AggSpec{Def: def}
		for _, st := range def.States {
			spec.States = append(spec.States, len(partial))
			partial = append(partial, st)
		}
		specs = append(specs, spec)
	}
	var op exec.Operator = exec.NewHashAgg(in, exec.AggFinal, keys, specs)
	final := make([]coldata.Type, 0, len(q.groups)+len(q.aggs))
	final = append(final, partial[:len(q.groups)]...)
	for _, a := range q.aggs {
		final = append(final, a.typ)
	}
	return q.finish(op, final, -1)
}

func (q *query) startProjection(ctx context.Context) (exec.Operator, error) {
	in, err := q.gather(ctx)
	if err != nil {
		return nil, err
	}
	types := make([]coldata.Type, len(q.frag.Projections))
	for i, e := range q.frag.Projections {
		types[i] = coldata.Type(e.Type)
	}
	return q.finish(in, types, len(q.rootCols))
}

// startConstant runs a SELECT without FROM over one empty row.
func (q *query) startConstant(ctx context.Context) (exec.Operator, error) {
	one := &coldata.Batch{Len: 1}
	return q.finish(exec.NewBatches(one), nil, -1)
}

// finish adds the root's tail over input rows of the given types: sort,
// offset and limit, and the final projection of the select list. When
// projected >= 0 the input already holds the select list in its first
// projected columns (then any sort keys).
func (q *query) finish(op exec.Operator, types []coldata.Type, projected int) (exec.Operator, error) {
	cols := q.rootCols
	if q.having != nil {
		h, err := exec.CompileExpr(q.having.toProto(nil), types)
		if err != nil {
			op.Close()
			return nil, err
		}
		f, err := exec.NewFilter(op, h)
		if err != nil {
			op.Close()
			return nil, err
		}
		op = f
	}
	if projected < 0 {
		all := q.withSortKeys()
		exprs := make([]exec.Expr, len(all))
		for i, s := range all {
			e, err := exec.CompileExpr(unwrapSRF(s).toProto(nil), types)
			if err != nil {
				op.Close()
				return nil, err
			}
			exprs[i] = e
		}
		op = exec.NewProject(op, exprs)
		types = make([]coldata.Type, len(all))
		for i, s := range all {
			types[i] = unwrapSRF(s).typ
		}
		projected = len(cols)
	}
	if len(q.srfCols) > 0 {
		specs := make([]exec.UnnestSpec, len(q.srfCols))
		types = slices.Clone(types)
		for i, c := range q.srfCols {
			srf := q.targets[c].expr
			specs[i] = exec.UnnestSpec{Elem: srf.typ, Subscripts: srf.op == "generate_subscripts"}
			types[c] = srf.typ
		}
		op = exec.NewUnnestSpecs(op, q.srfCols, specs)
	}
	if len(q.order) > 0 {
		keys := make([]exec.SortKey, len(q.order))
		for i, o := range q.order {
			keys[i] = exec.SortKey{Col: o.expr.col, Desc: o.desc, NullsFirst: o.nullsFirst}
		}
		n := -1
		if q.limit >= 0 {
			n = int(q.offset + q.limit)
		}
		op = exec.NewSort(op, keys, n)
	}
	if q.limit >= 0 || q.offset > 0 {
		op = exec.NewLimit(op, q.offset, q.limit)
	}
	if projected < len(types) {
		exprs := make([]exec.Expr, projected)
		for i := range exprs {
			e, err := exec.CompileExpr(colScalar(i, "", types[i]).toProto(nil), types)
			if err != nil {
				op.Close()
				return nil, err
			}
			exprs[i] = e
		}
		op = exec.NewProject(op, exprs)
	}
	return op, nil
}

// timeRange extracts from the top-level conjuncts of where the bounds it
// puts on the table's time column, as [lo, hi) in µs.
func timeRange(where *scalar, t *schema.Table) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if where == nil {
		return lo, hi
	}
	var visit func(s *scalar)
	visit = func(s *scalar) {
		if s.kind != kindCall {
			return
		}
		if s.op == "and" {
			for _, a := range s.args {
				visit(a)
			}
			return
		}
		if len(s.args) != 2 {
			return
		}
		op, c, k := s.op, s.args[0], s.args[1]
		if k.kind == kindColumn {
			c, k = k, c
			switch op {
			case "<":
				op = ">"
			case "<=":
				op = ">="
			case ">":
				op = "<"
			case ">=":
				op = "<="
			}
		}
		if c.kind != kindColumn || c.col != t.TimeColumn || k.kind != kindConst ||
			k.typ != coldata.Timestamptz || k.datum.Null {
			return
		}
		v := k.datum.GetI()
		switch op {
		case ">=":
			lo = max(lo, v)
		case ">":
			if v < math.MaxInt64 {
				lo = max(lo, v+1)
			}
		case "<":
			hi = min(hi, v)
		case "<=":
			if v < math.MaxInt64 {
				hi = min(hi, v+1)
			}
		case "=":
			lo = max(lo, v)
			if v < math.MaxInt64 {
				hi = min(hi, v+1)
			}
		}
	}
	visit(where)
	return lo, hi
}

// positionName names column i of a derived relation in its fragment.
func positionName(i int) string { return fmt.Sprintf("#%d", i) }

// positional returns d with its columns named by position.
func positional(d *schema.Table) *schema.Table {
	t := &schema.Table{Name: d.Name, TimeColumn: -1, Columns: make([]schema.Column, len(d.Columns))}
	for i, c := range d.Columns {
		t.Columns[i] = schema.Column{Name: positionName(i), Type: c.Type}
	}
	return t
}

// cteEntry is a common table expression and the ones it can see.
type cteEntry struct {
	cte   *pg.CommonTableExpr
	scope map[string]cteEntry
}

// explainAt renders q's steps: the query node's, then its source.
func (q *query) explainAt(ctx context.Context, depth int) []string {
	var lines []string
	d := q.explainRoot(depth, &lines, q.aggregating)
	q.explainSource(ctx, d, &lines)
	return lines
}
