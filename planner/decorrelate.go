package planner

import (
	"fmt"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/armorlake/armorlake/exec"
)

// Correlated scalar subqueries in a select list or in WHERE, of the shape
//
//	SELECT …, (SELECT agg(…) FROM t WHERE t.k = outer.col AND rest) …
//	FROM outer_relation
//
// become a join with the subquery grouped once by its correlation key:
//
//	SELECT …, coalesce(sq.v, 0 for count) …
//	FROM outer_relation LEFT JOIN
//	     (SELECT t.k AS k, agg(…) AS v FROM t WHERE rest GROUP BY 1) sq
//	     ON sq.k = outer.col
//
// so the subquery runs once, not once per row, and its aggregation is
// pushed to the operators like any other. Other shapes are left alone
// (and refused as correlated when they are).

// decorrelateTargets rewrites sel's correlated scalar subqueries it can,
// returning sel itself when there are none.
func (p *Planner) decorrelateTargets(sel *pg.SelectStmt) *pg.SelectStmt {
	if len(sel.FromClause) != 1 {
		return sel
	}
	outerAliases := map[string]bool{}
	for _, l := range fromAliases(sel.FromClause[0]) {
		outerAliases[l] = true
	}
	var out *pg.SelectStmt
	n := 0
	// In a grouped select list a joined value would have to be grouped
	// too; those stay as they are.
	grouped := len(sel.GroupClause) > 0 || sel.HavingClause != nil
	for ti, t := range sel.TargetList {
		if grouped {
			break
		}
		rt := t.GetResTarget()
		sl := rt.GetVal().GetSubLink()
		if sl == nil || sl.SubLinkType != pg.SubLinkType_EXPR_SUBLINK {
			continue
		}
		sub := sl.Subselect.GetSelectStmt()
		join, value, ok := p.scalarToJoin(sub, outerAliases, n)
		if !ok {
			continue
		}
		if out == nil {
			out = proto.Clone(sel).(*pg.SelectStmt)
		}
		name := rt.Name
		if name == "" {
			name = columnName(sub.TargetList[0].GetResTarget().Val)
			if sub.TargetList[0].GetResTarget().Name != "" {
				name = sub.TargetList[0].GetResTarget().Name
			}
		}
		out.TargetList[ti] = &pg.Node{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Name: name, Val: value, Location: rt.Location}}}
		join.Larg = out.FromClause[0]
		out.FromClause[0] = &pg.Node{Node: &pg.Node_JoinExpr{JoinExpr: join}}
		n++
	}
	// The same for those in WHERE, wherever they sit in it: the
	// comparison then reads the joined value.
	if sel.WhereClause != nil && containsNode(sel.WhereClause, isScalarSubLink) {
		if out == nil {
			out = proto.Clone(sel).(*pg.SelectStmt)
		}
		out.WhereClause = replaceNodes(out.WhereClause, isScalarSubLink, func(node *pg.Node) *pg.Node {
			join, value, ok := p.scalarToJoin(node.GetSubLink().Subselect.GetSelectStmt(), outerAliases, n)
			if !ok {
				return node
			}
			join.Larg = out.FromClause[0]
			out.FromClause[0] = &pg.Node{Node: &pg.Node_JoinExpr{JoinExpr: join}}
			n++
			return value
		})
	}
	if out == nil {
		return sel
	}
	return out
}

func isScalarSubLink(n *pg.Node) bool {
	sl := n.GetSubLink()
	return sl != nil && sl.SubLinkType == pg.SubLinkType_EXPR_SUBLINK
}

// fromAliases lists the names a FROM item's relations go by.
func fromAliases(n *pg.Node) []string {
	if je := n.GetJoinExpr(); je != nil {
		return append(fromAliases(je.Larg), fromAliases(je.Rarg)...)
	}
	if a := leafAlias(n); a != "" {
		return []string{a}
	}
	return nil
}

// scalarToJoin builds the LEFT JOIN of a correlated aggregate subquery
// and the expression that replaces it, or reports false.
func (p *Planner) scalarToJoin(sub *pg.SelectStmt, outer map[string]bool, n int) (*pg.JoinExpr, *pg.Node, bool) {
	if sub == nil || len(sub.FromClause) != 1 || sub.FromClause[0].GetRangeVar() == nil || sub.WhereClause == nil ||
		len(sub.GroupClause) > 0 || sub.HavingClause != nil || len(sub.SortClause) > 0 || sub.LimitCount != nil ||
		sub.WithClause != nil || len(sub.TargetList) != 1 || len(sub.DistinctClause) > 0 {
		return nil, nil, false
	}
	rv := sub.FromClause[0].GetRangeVar()
	alias := rv.Relname
	if rv.Alias != nil {
		alias = rv.Alias.Aliasname
	}
	inner, ok := p.cat.Table(rv.Relname)
	if !ok || outer[alias] {
		return nil, nil, false
	}
	value := sub.TargetList[0].GetResTarget().Val
	isCount, ok := strictOverAggregates(value)
	if !ok {
		return nil, nil, false
	}
	side := func(node *pg.Node) (isOuter, isInner bool) {
		refs := collectRefs(node)
		for q := range refs.qualified {
			if q[0] == alias {
				isInner = true
			} else if outer[q[0]] {
				isOuter = true
			} else {
				return true, true // unknown: give up
			}
		}
		for name := range refs.bare {
			if inner.ColumnIndex(name) >= 0 {
				isInner = true
			} else {
				isOuter = true
			}
		}
		return isOuter, isInner
	}
	if o, _ := side(value); o {
		return nil, nil, false
	}
	var conj []*pg.Node
	if be := sub.WhereClause.GetBoolExpr(); be != nil && be.Boolop == pg.BoolExprType_AND_EXPR {
		conj = be.Args
	} else {
		conj = []*pg.Node{sub.WhereClause}
	}
	var innerKey, outerKey *pg.Node
	var rest []*pg.Node
	for _, c := range conj {
		o, _ := side(c)
		if !o {
			rest = append(rest, c)
			continue
		}
		ae := c.GetAExpr()
		if innerKey != nil || ae == nil || ae.Kind != pg.A_Expr_Kind_AEXPR_OP || operatorName(ae.Name) != "=" {
			return nil, nil, false
		}
		lo, li := side(ae.Lexpr)
		ro, ri := side(ae.Rexpr)
		switch {
		case li && !lo && ro && !ri:
			innerKey, outerKey = ae.Lexpr, ae.Rexpr
		case ri && !ro && lo && !li:
			innerKey, outerKey = ae.Rexpr, ae.Lexpr
		default:
			return nil, nil, false
		}
	}
	if innerKey == nil {
		return nil, nil, false
	}
	sqAlias := fmt.Sprintf("*subquery%d*", n)
	str := func(s string) *pg.Node { return &pg.Node{Node: &pg.Node_String_{String_: &pg.String{Sval: s}}} }
	col := func(rel, name string) *pg.Node {
		return &pg.Node{Node: &pg.Node_ColumnRef{ColumnRef: &pg.ColumnRef{Fields: []*pg.Node{str(rel), str(name)}}}}
	}
	grouped := &pg.SelectStmt{
		TargetList: []*pg.Node{
			{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Name: "k", Val: innerKey}}},
			{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Name: "v", Val: value}}},
		},
		FromClause:  sub.FromClause,
		GroupClause: []*pg.Node{{Node: &pg.Node_AConst{AConst: &pg.A_Const{Val: &pg.A_Const_Ival{Ival: &pg.Integer{Ival: 1}}}}}},
	}
	switch len(rest) {
	case 0:
	case 1:
		grouped.WhereClause = rest[0]
	default:
		grouped.WhereClause = &pg.Node{Node: &pg.Node_BoolExpr{BoolExpr: &pg.BoolExpr{Boolop: pg.BoolExprType_AND_EXPR, Args: rest}}}
	}
	join := &pg.JoinExpr{
		Jointype: pg.JoinType_JOIN_LEFT,
		Rarg: &pg.Node{Node: &pg.Node_RangeSubselect{RangeSubselect: &pg.RangeSubselect{
			Subquery: &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: grouped}},
			Alias:    &pg.Alias{Aliasname: sqAlias},
		}}},
		Quals: &pg.Node{Node: &pg.Node_AExpr{AExpr: &pg.A_Expr{Kind: pg.A_Expr_Kind_AEXPR_OP, Name: []*pg.Node{str("=")},
			Lexpr: col(sqAlias, "k"), Rexpr: outerKey}}},
	}
	v := col(sqAlias, "v")
	if isCount {
		// count of no rows is 0, not NULL.
		zero := &pg.Node{Node: &pg.Node_AConst{AConst: &pg.A_Const{Val: &pg.A_Const_Ival{Ival: &pg.Integer{Ival: 0}}}}}
		v = &pg.Node{Node: &pg.Node_CoalesceExpr{CoalesceExpr: &pg.CoalesceExpr{Args: []*pg.Node{v, zero}}}}
	}
	return join, v, true
}

// strictOverAggregates reports whether a subquery's value is NULL when
// it aggregates no rows, as a LEFT JOIN that finds no group makes it: an
// aggregate other than count, or arithmetic over such aggregates and
// constants. A bare count is allowed too (isCount), which the join reads
// as 0 when it finds no group.
func strictOverAggregates(n *pg.Node) (isCount, ok bool) {
	if fc := n.GetFuncCall(); fc != nil {
		name := operatorName(fc.Funcname)
		if !aggregates[name] || fc.Over != nil {
			return false, false
		}
		return name == "count", true
	}
	var walk func(n *pg.Node) bool
	walk = func(n *pg.Node) bool {
		switch {
		case n.GetAConst() != nil:
			return true
		case n.GetFuncCall() != nil:
			fc := n.GetFuncCall()
			name := operatorName(fc.Funcname)
			return aggregates[name] && name != "count" && fc.Over == nil && !exec.IsOrderedSetAgg(name) &&
				name != "string_agg" && name != "array_agg" && name != "approx_count_distinct"
		case n.GetTypeCast() != nil:
			return walk(n.GetTypeCast().Arg)
		case n.GetAExpr() != nil:
			ae := n.GetAExpr()
			switch operatorName(ae.Name) {
			case "+", "-", "*", "/":
			default:
				return false
			}
			return ae.Kind == pg.A_Expr_Kind_AEXPR_OP && (ae.Lexpr == nil || walk(ae.Lexpr)) && walk(ae.Rexpr)
		}
		return false
	}
	return false, walk(n)
}
