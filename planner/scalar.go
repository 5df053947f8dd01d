package planner

import (
	"fmt"
	"strings"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/rpcpb"
)

// scalar is a bound expression: names resolved, types known. It is the
// planner's own tree; toProto lowers it to the wire form exec compiles.
type scalar struct {
	kind scalarKind
	typ  coldata.Type

	col   int          // kindColumn: index in the input row
	name  string       // kindColumn: column name, for messages and EXPLAIN
	datum *rpcpb.Datum // kindConst
	op    string       // kindCall
	args  []*scalar    // kindCall
	agg   *aggCall     // kindAgg

	// unknownLit marks a string literal whose type is still open, as
	// PostgreSQL's "unknown": it takes the type of what it meets.
	unknownLit bool
	// param is the 1-based parameter number of a $n not yet given a value.
	param int
	// iv is the value of an interval constant (typ typeInterval).
	iv *interval
	// win is a window function call (kindWindow).
	win *windowCall
}

type scalarKind uint8

const (
	kindColumn scalarKind = iota
	kindConst
	kindCall
	kindAgg
	kindWindow
)

type aggCall struct {
	name     string
	args     []*scalar // none for count(*) and ordered-set aggregates
	distinct bool
	// order is the call's ORDER BY, or an ordered-set aggregate's
	// WITHIN GROUP (ORDER BY …); fraction is a percentile's argument.
	order    []orderItem
	fraction float64
	filter   *scalar // FILTER (WHERE …)
}

// exprs lists every expression the call reads.
func (a *aggCall) exprs() []*scalar {
	out := append([]*scalar(nil), a.args...)
	for _, o := range a.order {
		out = append(out, o.expr)
	}
	if a.filter != nil {
		out = append(out, a.filter)
	}
	return out
}

// mapExprs returns a copy of a with f applied to each expression.
func (a *aggCall) mapExprs(f func(*scalar) *scalar) *aggCall {
	c := *a
	c.args = make([]*scalar, len(a.args))
	for i, x := range a.args {
		c.args[i] = f(x)
	}
	c.order = make([]orderItem, len(a.order))
	for i, o := range a.order {
		c.order[i] = o
		c.order[i].expr = f(o.expr)
	}
	if a.filter != nil {
		c.filter = f(a.filter)
	}
	return &c
}

// execCall is what exec resolves the call by.
func (a *aggCall) execCall() exec.AggCall {
	c := exec.AggCall{Name: a.name, Distinct: a.distinct, Fraction: a.fraction}
	for _, x := range a.args {
		c.Args = append(c.Args, x.typ)
	}
	for _, o := range a.order {
		c.Order = append(c.Order, exec.AggOrder{Type: o.expr.typ, Desc: o.desc, NullsFirst: o.nullsFirst})
	}
	return c
}

func (a *aggCall) def() (*exec.AggDef, error) { return exec.Lookup(a.execCall()) }

// toProto is the call as a fragment's aggregate over remapped columns.
func (a *aggCall) toProto(remap map[int]int) *rpcpb.Aggregate {
	pa := &rpcpb.Aggregate{Func: a.name, Distinct: a.distinct, Fraction: a.fraction}
	for i, x := range a.args {
		if i == 0 {
			pa.Arg = x.toProto(remap)
		} else {
			pa.MoreArgs = append(pa.MoreArgs, x.toProto(remap))
		}
	}
	for _, o := range a.order {
		pa.Order = append(pa.Order, &rpcpb.AggOrder{Expr: o.expr.toProto(remap), Desc: o.desc, NullsFirst: o.nullsFirst})
	}
	if a.filter != nil {
		pa.Filter = a.filter.toProto(remap)
	}
	return pa
}

// spec compiles the call for a HashAgg over raw rows.
func (a *aggCall) spec(compile func(*scalar) (exec.Expr, error)) (exec.AggSpec, error) {
	def, err := a.def()
	if err != nil {
		return exec.AggSpec{}, err
	}
	spec := exec.AggSpec{Def: def}
	for i, x := range a.args {
		e, err := compile(x)
		if err != nil {
			return exec.AggSpec{}, err
		}
		if i == 0 {
			spec.Arg = e
		} else {
			spec.More = append(spec.More, e)
		}
	}
	for _, o := range a.order {
		e, err := compile(o.expr)
		if err != nil {
			return exec.AggSpec{}, err
		}
		spec.More = append(spec.More, e)
	}
	if a.filter != nil {
		e, err := compile(a.filter)
		if err != nil {
			return exec.AggSpec{}, err
		}
		spec.Filter = e
	}
	return spec, nil
}

func colScalar(i int, name string, t coldata.Type) *scalar {
	return &scalar{kind: kindColumn, col: i, name: name, typ: t}
}

func constScalar(d *rpcpb.Datum) *scalar {
	return &scalar{kind: kindConst, typ: coldata.Type(d.Type), datum: d}
}

func callScalar(op string, t coldata.Type, args ...*scalar) *scalar {
	return &scalar{kind: kindCall, op: op, typ: t, args: args}
}

func nullDatum(t coldata.Type) *rpcpb.Datum { return &rpcpb.Datum{Type: uint32(t), Null: true} }

// key is a canonical rendering: two scalars with equal keys compute the
// same value, which is how GROUP BY and ORDER BY expressions are matched
// to the aggregation's outputs.
func (s *scalar) key() string {
	var b strings.Builder
	s.writeKey(&b)
	return b.String()
}

func (s *scalar) writeKey(b *strings.Builder) {
	switch s.kind {
	case kindColumn:
		fmt.Fprintf(b, "#%d", s.col)
	case kindConst:
		fmt.Fprintf(b, "%d:%v", s.typ, s.datum)
	case kindCall:
		b.WriteString(s.op)
		b.WriteByte('(')
		for i, a := range s.args {
			if i > 0 {
				b.WriteByte(',')
			}
			a.writeKey(b)
		}
		fmt.Fprintf(b, "):%d", s.typ)
	case kindAgg:
		b.WriteString(s.agg.name)
		b.WriteString("{")
		if s.agg.distinct {
			b.WriteString("distinct ")
		}
		if len(s.agg.args) == 0 {
			b.WriteByte('*')
		}
		for i, a := range s.agg.args {
			if i > 0 {
				b.WriteByte(',')
			}
			a.writeKey(b)
		}
		for _, o := range s.agg.order {
			fmt.Fprintf(b, " order %v %v ", o.desc, o.nullsFirst)
			o.expr.writeKey(b)
		}
		if s.agg.fraction != 0 {
			fmt.Fprintf(b, " fraction %v", s.agg.fraction)
		}
		if s.agg.filter != nil {
			b.WriteString(" filter ")
			s.agg.filter.writeKey(b)
		}
		b.WriteString("}")
	case kindWindow:
		fmt.Fprintf(b, "window %p", s.win)
	}
}

// hasAgg reports whether s contains an aggregate call.
func (s *scalar) hasAgg() bool {
	if s.kind == kindAgg {
		return true
	}
	for _, a := range s.args {
		if a.hasAgg() {
			return true
		}
	}
	return false
}

// walk calls f on s and every sub-expression, aggregates' arguments
// included.
func (s *scalar) walk(f func(*scalar)) {
	f(s)
	for _, a := range s.args {
		a.walk(f)
	}
	if s.kind == kindAgg {
		for _, x := range s.agg.exprs() {
			x.walk(f)
		}
	}
	if s.kind == kindWindow {
		for _, a := range s.win.args {
			a.walk(f)
		}
		for _, p := range s.win.partition {
			p.walk(f)
		}
		for _, o := range s.win.order {
			o.expr.walk(f)
		}
	}
}

// toProto lowers s to the wire form, with column indexes remapped by cols
// (input column → position in the fragment's or operator's input).
func (s *scalar) toProto(cols map[int]int) *rpcpb.Expr {
	e := &rpcpb.Expr{Type: uint32(s.typ)}
	switch s.kind {
	case kindColumn:
		i, ok := cols[s.col]
		if !ok {
			i = s.col
		}
		e.Kind = &rpcpb.Expr_Column{Column: int32(i)}
	case kindConst:
		e.Kind = &rpcpb.Expr_Const{Const: s.datum}
	case kindCall:
		args := make([]*rpcpb.Expr, len(s.args))
		for i, a := range s.args {
			args[i] = a.toProto(cols)
		}
		e.Kind = &rpcpb.Expr_Call{Call: &rpcpb.Call{Op: s.op, Args: args}}
	}
	return e
}
