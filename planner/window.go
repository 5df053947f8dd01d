package planner

import (
	"context"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/sqlerr"
)

// Window functions: row_number, rank, dense_rank, lag, lead,
// first_value, last_value, nth_value, and count, sum, avg, min and max
// OVER (PARTITION BY … ORDER BY … [ROWS | RANGE frame]). A query with window functions reads the columns it needs through
// the usual fragments (their filters and time ranges pushed to the
// operators), then computes the windows over those rows on the query
// node, then projects, sorts and limits.

// windowCall is a bound window function.
type windowCall struct {
	name      string
	args      []*scalar
	partition []*scalar
	order     []orderItem
	agg       *exec.AggDef
	frame     *exec.WindowFrame // nil: the default
}

// PostgreSQL's FRAMEOPTION_* bits (parsenodes.h), as pg_query hands them
// over.
const (
	frameNonDefault         = 0x00001
	frameRange              = 0x00002
	frameRows               = 0x00004
	frameGroups             = 0x00008
	frameStartUnboundedPrec = 0x00020
	frameEndUnboundedFoll   = 0x00100
	frameStartCurrentRow    = 0x00200
	frameEndCurrentRow      = 0x00400
	frameStartOffsetPrec    = 0x00800
	frameEndOffsetPrec      = 0x01000
	frameStartOffsetFoll    = 0x02000
	frameEndOffsetFoll      = 0x04000
	frameExclusion          = 0x08000 | 0x10000 | 0x20000
)

// resolveWindow reads OVER name and OVER (name …) against the query's
// WINDOW clause, as PostgreSQL does: a reference copies the named
// window's partitioning and ordering, and may add an ordering it lacks
// and a frame.
func (b *binder) resolveWindow(w *pg.WindowDef, loc int32) (*pg.WindowDef, error) {
	ref := w.Refname
	if w.Name != "" && ref == "" {
		ref = w.Name // OVER name
	}
	if ref == "" {
		return w, nil
	}
	base, ok := b.namedWindows[ref]
	if !ok {
		return nil, errAt(sqlerr.New(sqlerr.UndefinedObject, "window %q does not exist", ref), loc)
	}
	if w.Name != "" && w.Refname == "" {
		return base, nil
	}
	if len(w.PartitionClause) > 0 {
		return nil, errAt(sqlerr.New(sqlerr.WindowingError, "cannot override PARTITION BY clause of window %q", ref), loc)
	}
	if len(w.OrderClause) > 0 && len(base.OrderClause) > 0 {
		return nil, errAt(sqlerr.New(sqlerr.WindowingError, "cannot override ORDER BY clause of window %q", ref), loc)
	}
	if base.FrameOptions&frameNonDefault != 0 {
		return nil, errAt(sqlerr.New(sqlerr.WindowingError, "cannot copy window %q because it has a frame clause", ref), loc)
	}
	merged := proto.Clone(base).(*pg.WindowDef)
	merged.Name, merged.Refname = "", ""
	if len(w.OrderClause) > 0 {
		merged.OrderClause = w.OrderClause
	}
	merged.FrameOptions, merged.StartOffset, merged.EndOffset = w.FrameOptions, w.StartOffset, w.EndOffset
	return merged, nil
}

// bindFrame reads a window's frame clause; nil for the default frame.
func (b *binder) bindFrame(w *pg.WindowDef, loc int32) (*exec.WindowFrame, error) {
	opts := w.FrameOptions
	if opts&frameNonDefault == 0 {
		return nil, nil
	}
	switch {
	case opts&frameGroups != 0:
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "GROUPS frames are not supported yet"), loc)
	case opts&frameExclusion != 0:
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "frame exclusion is not supported yet"), loc)
	case opts&frameRange != 0 && opts&(frameStartOffsetPrec|frameStartOffsetFoll|frameEndOffsetPrec|frameEndOffsetFoll) != 0:
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "RANGE frames with offsets are not supported yet"), loc)
	}
	offset := func(n *pg.Node) (int64, error) {
		s, err := b.bind(n)
		if err != nil {
			return 0, err
		}
		if err := b.settle(s, coldata.Int64); err != nil {
			return 0, errAt(sqlerr.As(err), loc)
		}
		if s.kind != kindConst || !s.typ.IsInteger() {
			return 0, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "frame offsets must be integer constants"), loc)
		}
		if s.datum.Null {
			return 0, errAt(sqlerr.New("22004", "frame starting offset must not be null"), loc)
		}
		if v := s.datum.GetI(); v < 0 {
			return 0, errAt(sqlerr.New("22013", "frame starting offset must not be negative"), loc)
		}
		return s.datum.GetI(), nil
	}
	fr := &exec.WindowFrame{Rows: opts&frameRows != 0}
	switch {
	case opts&frameStartUnboundedPrec != 0:
		fr.Start.Kind = exec.UnboundedPreceding
	case opts&frameStartCurrentRow != 0:
		fr.Start.Kind = exec.CurrentRow
	case opts&(frameStartOffsetPrec|frameStartOffsetFoll) != 0:
		fr.Start.Kind = exec.OffsetPreceding
		if opts&frameStartOffsetFoll != 0 {
			fr.Start.Kind = exec.OffsetFollowing
		}
		v, err := offset(w.StartOffset)
		if err != nil {
			return nil, err
		}
		fr.Start.Offset = v
	}
	switch {
	case opts&frameEndUnboundedFoll != 0:
		fr.End.Kind = exec.UnboundedFollowing
	case opts&frameEndCurrentRow != 0:
		fr.End.Kind = exec.CurrentRow
	case opts&(frameEndOffsetPrec|frameEndOffsetFoll) != 0:
		fr.End.Kind = exec.OffsetPreceding
		if opts&frameEndOffsetFoll != 0 {
			fr.End.Kind = exec.OffsetFollowing
		}
		v, err := offset(w.EndOffset)
		if err != nil {
			return nil, err
		}
		fr.End.Offset = v
	default:
		// Without BETWEEN the frame ends at the current row.
		fr.End.Kind = exec.CurrentRow
	}
	return fr, nil
}

var rankingFuncs = map[string]bool{"row_number": true, "rank": true, "dense_rank": true}

func (b *binder) bindWindow(name string, f *pg.FuncCall) (*scalar, error) {
	w := f.Over
	if !b.windowAllowed {
		return nil, errAt(sqlerr.New(sqlerr.WindowingError, "window functions are not allowed in %s", b.clause), f.Location)
	}
	if b.inAgg {
		return nil, errAt(sqlerr.New(sqlerr.GroupingError, "aggregate function calls cannot contain window function calls"), f.Location)
	}
	if b.inWindow {
		return nil, errAt(sqlerr.New(sqlerr.WindowingError, "window function calls cannot be nested"), f.Location)
	}
	w, err := b.resolveWindow(w, f.Location)
	if err != nil {
		return nil, err
	}
	frame, err := b.bindFrame(w, f.Location)
	if err != nil {
		return nil, err
	}
	if f.AggDistinct || f.AggFilter != nil || len(f.AggOrder) > 0 {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "DISTINCT, FILTER and ORDER BY in window functions are not supported yet"), f.Location)
	}
	if exec.IsOrderedSetAgg(name) {
		return nil, errAt(sqlerr.New(sqlerr.WrongObjectType, "OVER is not supported for ordered-set aggregate %s", name), f.Location)
	}
	if exec.IsOrderSensitiveAgg(name) {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "%s as a window function is not supported yet", name), f.Location)
	}
	b.inWindow = true
	defer func() { b.inWindow = false }()
	call := &windowCall{name: name, frame: frame}
	for _, a := range f.Args {
		s, err := b.bind(a)
		if err != nil {
			return nil, err
		}
		call.args = append(call.args, s)
	}
	var typ coldata.Type
	switch {
	case rankingFuncs[name]:
		if len(call.args) != 0 {
			return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s with arguments does not exist", name), f.Location)
		}
		typ = coldata.Int64
	case name == "first_value" || name == "last_value" || name == "nth_value":
		want := 1
		if name == "nth_value" {
			want = 2
		}
		if len(call.args) != want {
			return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s with %d arguments does not exist", name, len(call.args)), f.Location)
		}
		if err := b.settle(call.args[0], coldata.Text); err != nil {
			return nil, err
		}
		typ = call.args[0].typ
		if name == "nth_value" {
			c, err := b.coerce(call.args[1], coldata.Int64, f.Location)
			if err != nil {
				return nil, err
			}
			call.args[1] = c
		}
	case name == "lag" || name == "lead":
		if len(call.args) < 1 || len(call.args) > 3 {
			return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s with %d arguments does not exist", name, len(call.args)), f.Location)
		}
		if err := b.settle(call.args[0], coldata.Text); err != nil {
			return nil, err
		}
		typ = call.args[0].typ
		if len(call.args) > 1 {
			c, err := b.coerce(call.args[1], coldata.Int64, f.Location)
			if err != nil {
				return nil, err
			}
			call.args[1] = c
		}
		if len(call.args) > 2 {
			t, err := b.commonType([]*scalar{call.args[0], call.args[2]}, strings.ToUpper(name), f.Location)
			if err != nil {
				return nil, err
			}
			for _, k := range []int{0, 2} {
				if call.args[k], err = b.coerce(call.args[k], t, f.Location); err != nil {
					return nil, err
				}
			}
			typ = t
		}
	case aggregates[name]:
		argType := coldata.Unknown
		switch {
		case f.AggStar && name == "count":
		case len(call.args) == 1:
			b.settle(call.args[0], coldata.Text)
			argType = call.args[0].typ
		default:
			return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s with %d arguments does not exist", name, len(call.args)), f.Location)
		}
		def, err := exec.LookupAgg(name, argType)
		if err != nil {
			return nil, errAt(sqlerr.As(err), f.Location)
		}
		call.agg, typ = def, def.Result
	default:
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "window function %s is not supported yet", name), f.Location)
	}
	for _, p := range w.PartitionClause {
		s, err := b.bind(p)
		if err != nil {
			return nil, err
		}
		if err := b.settle(s, coldata.Text); err != nil {
			return nil, err
		}
		call.partition = append(call.partition, s)
	}
	for _, o := range w.OrderClause {
		item, err := b.bindOrderItem(o.GetSortBy(), nil)
		if err != nil {
			return nil, err
		}
		call.order = append(call.order, item)
	}
	return &scalar{kind: kindWindow, typ: typ, win: call}, nil
}

// hasWindow reports whether s holds a window function.
func (s *scalar) hasWindow() bool {
	found := false
	s.walk(func(x *scalar) { found = found || x.kind == kindWindow })
	return found
}

// prepareWindows plans a query whose select list or ORDER BY holds window
// functions (q not yet prepared): the rows the windows read come from an
// inner query, either the relation's columns the query names, or, when
// the query groups, its group keys and aggregates.
func (q *query) prepareWindows() error {
	q.windowPos = map[string]int{}
	if q.groupsOrAggs() {
		return q.prepareGroupedWindows()
	}
	// The columns everything reads, fetched through the fragment.
	exprs := []*scalar{}
	for _, t := range q.targets {
		exprs = append(exprs, t.expr)
	}
	for _, o := range q.order {
		exprs = append(exprs, o.expr)
	}
	seen := map[int]bool{}
	var cols []int
	for _, e := range exprs {
		e.walk(func(x *scalar) {
			if x.kind == kindColumn && !seen[x.col] {
				seen[x.col] = true
				cols = append(cols, x.col)
			}
		})
	}
	if len(cols) == 0 {
		cols = []int{0} // only the rows count: any column will do
	}
	inner := &query{p: q.p, b: q.b, where: q.where, limit: -1}
	for i, c := range cols {
		col := q.b.table.Columns[c]
		s := colScalar(c, col.Name, col.Type)
		inner.targets = append(inner.targets, target{name: col.Name, expr: s})
		q.windowPos[s.key()] = i
		q.windowTypes = append(q.windowTypes, col.Type)
	}
	inner.prepareProjection()
	q.windowInput = inner.startProjection
	q.windowInner = inner
	return nil
}

// groupsOrAggs reports whether the query groups its rows.
func (q *query) groupsOrAggs() bool {
	if len(q.groups) > 0 || q.having != nil {
		return true
	}
	for _, t := range q.targets {
		if t.expr.hasAgg() {
			return true
		}
	}
	for _, o := range q.order {
		if o.expr.hasAgg() {
			return true
		}
	}
	return false
}

// prepareGroupedWindows reads the windows' rows from the grouping: an
// inner query of the group keys and every aggregate the select list,
// ORDER BY and the windows use.
func (q *query) prepareGroupedWindows() error {
	inner := &query{p: q.p, b: q.b, where: q.where, having: q.having, groups: q.groups, limit: -1}
	add := func(s *scalar) {
		k := s.key()
		if _, ok := q.windowPos[k]; ok {
			return
		}
		q.windowPos[k] = len(inner.targets)
		q.windowTypes = append(q.windowTypes, s.typ)
		inner.targets = append(inner.targets, target{name: "?column?", expr: s})
	}
	for _, g := range q.groups {
		add(g)
	}
	var collect func(s *scalar)
	collect = func(s *scalar) {
		if s.kind == kindAgg {
			add(s)
			return
		}
		for _, a := range s.args {
			collect(a)
		}
		if s.kind == kindWindow {
			for _, a := range s.win.args {
				collect(a)
			}
			for _, p := range s.win.partition {
				collect(p)
			}
			for _, o := range s.win.order {
				collect(o.expr)
			}
		}
	}
	for _, t := range q.targets {
		collect(t.expr)
	}
	for _, o := range q.order {
		collect(o.expr)
	}
	if err := inner.prepareAggregation(); err != nil {
		return err
	}
	inner.aggregating = true
	q.windowInput = inner.startAggregation
	q.windowInner = inner
	return nil
}

// startWindows runs a window query: its rows, the windows, then the
// select list, ORDER BY and LIMIT.
func (q *query) startWindows(ctx context.Context) (exec.Operator, error) {
	in, err := q.windowInput(ctx)
	if err != nil {
		return nil, err
	}
	types := q.windowTypes
	// Below and above the windows, expressions read the inner query's
	// columns by position (what it computed, matched by key) and the
	// window results as the columns after them.
	winPos := map[*windowCall]int{}
	var lower func(s *scalar) (*scalar, error)
	lower = func(s *scalar) (*scalar, error) {
		if i, ok := q.windowPos[s.key()]; ok {
			return colScalar(i, s.name, s.typ), nil
		}
		switch s.kind {
		case kindColumn:
			return nil, sqlerr.New(sqlerr.GroupingError, "column \"%s.%s\" must appear in the GROUP BY clause or be used in an aggregate function", q.b.qualifier(s.col), s.name)
		case kindWindow:
			return colScalar(winPos[s.win], s.win.name, s.typ), nil
		case kindCall:
			c := *s
			c.args = make([]*scalar, len(s.args))
			for i, a := range s.args {
				r, err := lower(a)
				if err != nil {
					return nil, err
				}
				c.args[i] = r
			}
			return &c, nil
		}
		return s, nil
	}
	compile := func(s *scalar) (exec.Expr, error) {
		r, err := lower(s)
		if err != nil {
			return nil, err
		}
		return exec.CompileExpr(r.toProto(nil), types)
	}
	// Each window call, compiled over the inner columns, and where its
	// result lands.
	var funcs []exec.WindowFunc
	var collect func(s *scalar) error
	collect = func(s *scalar) error {
		if s.kind == kindWindow {
			if _, ok := winPos[s.win]; ok {
				return nil
			}
			w := s.win
			f := exec.WindowFunc{Name: w.name, Agg: w.agg, Result: s.typ, Frame: w.frame}
			for _, a := range w.args {
				e, err := compile(a)
				if err != nil {
					return err
				}
				f.Args = append(f.Args, e)
			}
			for _, p := range w.partition {
				e, err := compile(p)
				if err != nil {
					return err
				}
				f.Partition = append(f.Partition, e)
			}
			for i, o := range w.order {
				e, err := compile(o.expr)
				if err != nil {
					return err
				}
				f.OrderBy = append(f.OrderBy, e)
				f.Order = append(f.Order, exec.SortKey{Col: i, Desc: o.desc, NullsFirst: o.nullsFirst})
			}
			winPos[w] = len(types) + len(funcs)
			funcs = append(funcs, f)
			return nil
		}
		for _, a := range s.args {
			if err := collect(a); err != nil {
				return err
			}
		}
		return nil
	}
	for _, t := range q.targets {
		if err := collect(t.expr); err != nil {
			in.Close()
			return nil, err
		}
	}
	for _, o := range q.order {
		if err := collect(o.expr); err != nil {
			in.Close()
			return nil, err
		}
	}
	var op exec.Operator = exec.NewWindow(in, types, funcs)
	all := append([]coldata.Type(nil), types...)
	for _, f := range funcs {
		all = append(all, f.Result)
	}
	above := func(s *scalar) (exec.Expr, error) {
		r, err := lower(s)
		if err != nil {
			return nil, err
		}
		return exec.CompileExpr(r.toProto(nil), all)
	}
	var exprs []exec.Expr
	for _, t := range q.targets {
		e, err := above(t.expr)
		if err != nil {
			op.Close()
			return nil, err
		}
		exprs = append(exprs, e)
	}
	var keys []exec.SortKey
	outTypes := make([]coldata.Type, 0, len(q.targets)+len(q.order))
	for _, t := range q.targets {
		outTypes = append(outTypes, t.expr.typ)
	}
	for _, o := range q.order {
		k := -1
		for i, t := range q.targets {
			if t.expr.key() == o.expr.key() {
				k = i
			}
		}
		if k < 0 {
			e, err := above(o.expr)
			if err != nil {
				op.Close()
				return nil, err
			}
			k = len(exprs)
			exprs = append(exprs, e)
			outTypes = append(outTypes, o.expr.typ)
		}
		keys = append(keys, exec.SortKey{Col: k, Desc: o.desc, NullsFirst: o.nullsFirst})
	}
	op = exec.NewProject(op, exprs)
	if len(keys) > 0 {
		n := -1
		if q.limit >= 0 {
			n = int(q.offset + q.limit)
		}
		op = exec.NewSort(op, keys, n)
	}
	if q.limit >= 0 || q.offset > 0 {
		op = exec.NewLimit(op, q.offset, q.limit)
	}
	if len(exprs) > len(q.targets) {
		final := make([]exec.Expr, len(q.targets))
		for i, t := range q.targets {
			e, err := exec.CompileExpr(colScalar(i, "", t.expr.typ).toProto(nil), outTypes)
			if err != nil {
				op.Close()
				return nil, err
			}
			final[i] = e
		}
		op = exec.NewProject(op, final)
	}
	return op, nil
}
