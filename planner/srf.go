package planner

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/sqlerr"
)

// Set-returning functions in a select list (unnest) run below the rest
// of the query, as in PostgreSQL: grouping, ordering and limits see one
// row per element. The rewrite makes that explicit,
//
//	SELECT f(unnest(a)), count(*) FROM r WHERE w GROUP BY 1
//
// becomes
//
//	SELECT f(__srf1), count(*)
//	FROM (SELECT *, unnest(a) AS __srf1 FROM r WHERE w) AS r GROUP BY 1
//
// and the inner query, whose select list holds bare unnest calls, is a
// projection followed by exec.Unnest. The derived table keeps r's name,
// so that references to r's columns still resolve.

const srfPrefix = "__srf"

func isUnnest(n *pg.Node) bool {
	fc := n.GetFuncCall()
	if fc == nil || len(fc.Funcname) > 2 {
		return false
	}
	name := strings.ToLower(operatorName(fc.Funcname))
	return name == "unnest" || name == "generate_subscripts"
}

// innerSRFTarget reports whether a select-list entry is one the rewrite
// produced: a bare unnest call named __srfN.
func innerSRFTarget(rt *pg.ResTarget) bool {
	return strings.HasPrefix(rt.Name, srfPrefix) && isUnnest(rt.Val)
}

// rewriteSRF moves sel's unnest calls into a derived table, returning sel
// itself when it has none.
func rewriteSRF(sel *pg.SelectStmt) (*pg.SelectStmt, error) {
	found := false
	for _, t := range sel.TargetList {
		rt := t.GetResTarget()
		if rt != nil && !innerSRFTarget(rt) && containsNode(rt.Val, isUnnest) {
			found = true
		}
	}
	if !found {
		return sel, nil
	}
	alias := "unnest"
	switch {
	case len(sel.FromClause) > 1 || (len(sel.FromClause) == 1 && sel.FromClause[0].GetJoinExpr() != nil):
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "set-returning functions in the select list of a join are not supported yet").
			WithHint("Unnest in a subquery over one table, then join.")
	case len(sel.FromClause) == 1:
		if alias = leafAlias(sel.FromClause[0]); alias == "" {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "set-returning functions over this FROM item are not supported yet")
		}
	}
	out := proto.Clone(sel).(*pg.SelectStmt)
	inner := &pg.SelectStmt{FromClause: out.FromClause, WhereClause: out.WhereClause}
	if len(out.FromClause) == 1 {
		star := &pg.Node{Node: &pg.Node_ColumnRef{ColumnRef: &pg.ColumnRef{Fields: []*pg.Node{{Node: &pg.Node_AStar{AStar: &pg.A_Star{}}}}}}}
		inner.TargetList = append(inner.TargetList, &pg.Node{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: star}}})
	}
	n := 0
	for _, t := range out.TargetList {
		rt := t.GetResTarget()
		if rt == nil || innerSRFTarget(rt) {
			continue
		}
		if rt.Name == "" && containsNode(rt.Val, isUnnest) {
			rt.Name = columnName(rt.Val)
		}
		rt.Val = replaceNodes(rt.Val, isUnnest, func(call *pg.Node) *pg.Node {
			n++
			name := fmt.Sprintf("%s%d", srfPrefix, n)
			inner.TargetList = append(inner.TargetList, &pg.Node{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Name: name, Val: call}}})
			return &pg.Node{Node: &pg.Node_ColumnRef{ColumnRef: &pg.ColumnRef{Fields: []*pg.Node{pg.MakeStrNode(name)}}}}
		})
	}
	sub := &pg.RangeSubselect{Subquery: &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: inner}}, Alias: &pg.Alias{Aliasname: alias}}
	out.FromClause = []*pg.Node{{Node: &pg.Node_RangeSubselect{RangeSubselect: sub}}}
	out.WhereClause = nil
	return out, nil
}

// containsNode reports whether n or a node under it (not inside a
// subquery) satisfies match.
func containsNode(n *pg.Node, match func(*pg.Node) bool) bool {
	if n == nil {
		return false
	}
	if match(n) {
		return true
	}
	if n.GetSubLink() != nil {
		return false
	}
	found := false
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			if fd.Kind() != protoreflect.MessageKind || fd.IsMap() {
				return true
			}
			visit := func(x protoreflect.Message) {
				if child, ok := x.Interface().(*pg.Node); ok {
					found = found || containsNode(child, match)
				} else {
					walk(x)
				}
			}
			if fd.IsList() {
				l := v.List()
				for i := 0; i < l.Len() && !found; i++ {
					visit(l.Get(i).Message())
				}
			} else {
				visit(v.Message())
			}
			return !found
		})
	}
	walk(n.ProtoReflect())
	return found
}

// replaceNodes replaces, top down, every node under n (n included, not
// inside subqueries) that satisfies match by what with returns.
func replaceNodes(n *pg.Node, match func(*pg.Node) bool, with func(*pg.Node) *pg.Node) *pg.Node {
	if n == nil {
		return nil
	}
	if match(n) {
		return with(n)
	}
	if n.GetSubLink() != nil {
		return n
	}
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			if fd.Kind() != protoreflect.MessageKind {
				return true
			}
			switch {
			case fd.IsList():
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					if child, ok := l.Get(i).Message().Interface().(*pg.Node); ok {
						l.Set(i, protoreflect.ValueOfMessage(replaceNodes(child, match, with).ProtoReflect()))
					} else {
						walk(l.Get(i).Message())
					}
				}
			case fd.IsMap():
			default:
				if child, ok := v.Message().Interface().(*pg.Node); ok {
					m.Set(fd, protoreflect.ValueOfMessage(replaceNodes(child, match, with).ProtoReflect()))
				} else {
					walk(v.Message())
				}
			}
			return true
		})
	}
	walk(n.ProtoReflect())
	return n
}

// bindUnnest binds a bare unnest(text[]) of an inner SRF query: a call
// the projection evaluates as its array, expanded by exec.Unnest.
func (b *binder) bindUnnest(fc *pg.FuncCall) (*scalar, error) {
	subscripts := strings.EqualFold(operatorName(fc.Funcname), "generate_subscripts")
	if subscripts {
		if len(fc.Args) != 2 {
			return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function generate_subscripts with %d arguments does not exist", len(fc.Args)), fc.Location)
		}
		dim, err := b.bind(fc.Args[1])
		if err != nil {
			return nil, err
		}
		if dim.kind != kindConst || dim.datum.Null || dim.datum.GetI() != 1 {
			return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "generate_subscripts of a dimension other than 1 is not supported yet"), fc.Location)
		}
	} else if len(fc.Args) != 1 {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "unnest takes one array"), fc.Location)
	}
	if fc.AggStar || fc.AggDistinct || fc.Over != nil || fc.AggFilter != nil || len(fc.AggOrder) > 0 {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "unnest takes one array"), fc.Location)
	}
	arg, err := b.bind(fc.Args[0])
	if err != nil {
		return nil, err
	}
	if err := b.settle(arg, coldata.TextArray); err != nil {
		return nil, errAt(sqlerr.As(err), fc.Location)
	}
	if arg.typ != coldata.TextArray {
		return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function unnest(%s) does not exist", arg.typ).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts."), fc.Location)
	}
	if subscripts {
		return callScalar("generate_subscripts", coldata.Int32, arg), nil
	}
	return callScalar("unnest", b.arrayElemType(arg), arg), nil
}

// arrayElemType is the type of an array's elements: text, or the integer
// type of the catalogs' oid[], int2[], int2vector and oidvector columns,
// which are kept as text[].
func (b *binder) arrayElemType(arr *scalar) coldata.Type {
	if arr.kind != kindColumn || b.table == nil || arr.col >= len(b.table.Columns) {
		return coldata.Text
	}
	switch b.table.Columns[arr.col].From {
	case "int2vector", "smallint[]":
		return coldata.Int16
	case "oid[]", "oidvector":
		return coldata.Int64
	}
	return coldata.Text
}

// isSRF reports whether s is a bound unnest or generate_subscripts call.
func (s *scalar) isSRF() bool {
	return s.kind == kindCall && (s.op == "unnest" || s.op == "generate_subscripts")
}

// unwrapSRF returns what a projection computes for s: an unnest call's
// array, anything else itself.
func unwrapSRF(s *scalar) *scalar {
	if s.isSRF() {
		return s.args[0]
	}
	return s
}
