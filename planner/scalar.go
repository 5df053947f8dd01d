package planner

import (
	"fmt"
	"strings"

	"github.com/armorlake/armorlake/coldata"
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
	arg      *scalar // nil for count(*)
	distinct bool
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
		if s.agg.arg != nil {
			s.agg.arg.writeKey(b)
		} else {
			b.WriteByte('*')
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
	if s.kind == kindAgg && s.agg.arg != nil {
		s.agg.arg.walk(f)
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
