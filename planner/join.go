package planner

import (
	"context"
	"fmt"
	"slices"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/pgcatalog"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

// Joins. A FROM clause of several relations (JOIN … ON/USING, CROSS
// JOIN, or a comma list joined by WHERE equalities) is planned as one
// derived relation: each leaf (a stored table, a subquery, a WITH query)
// is planned on its own, reading only the columns the statement names
// and, where that cannot change the result, filtered by the WHERE
// conjuncts that concern it alone, which also gives its fragments their
// time range; the leaves' rows are joined on the query node by hash
// joins on the equalities between them. The query above reads the joined
// rows like any derived relation.

// relRange is one leaf's columns within the joined relation.
type relRange struct {
	alias    string
	first, n int
	oid      int64        // the relation's OID, for tableoid; 0 for a subquery
	hidden   map[int]bool // USING columns of a right side: not in * nor unqualified
}

// joinNode is a join of two subtrees, or a leaf.
type joinNode struct {
	// leaf
	leaf  *selectPlan
	rel   int // index in binder.rels
	first int // first column in the joined relation
	n     int // columns
	// join
	kind        pg.JoinType
	left, right *joinNode
	quals       *pg.Node
	using       []string
	keys        [][2]*scalar // left = right, over the joined relation's columns
	residual    []*scalar    // the rest of the ON, over the joined relation (not for FULL joins)
	// sideFilter holds the conditions of an outer join's ON that concern
	// only its nullable side (right of LEFT, left of RIGHT): they filter
	// that side's rows before the join.
	sideFilter []*scalar
}

// span is the columns [first, first+n) a subtree covers.
func (j *joinNode) span() (int, int) { return j.first, j.n }

// columnRefs collects every column reference in a node tree: qualified
// (alias, name) pairs, unqualified names, and the aliases whose columns
// are all used (alias.*; "" for *).
type columnRefs struct {
	qualified map[[2]string]bool
	bare      map[string]bool
	stars     map[string]bool
}

func collectRefs(msg reflected) columnRefs {
	r := columnRefs{qualified: map[[2]string]bool{}, bare: map[string]bool{}, stars: map[string]bool{}}
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		if cr, ok := m.Interface().(*pg.ColumnRef); ok {
			var parts []string
			star := false
			for _, f := range cr.Fields {
				if f.GetAStar() != nil {
					star = true
				} else {
					parts = append(parts, f.GetString_().Sval)
				}
			}
			switch {
			case star && len(parts) == 0:
				r.stars[""] = true
			case star:
				r.stars[parts[len(parts)-1]] = true
			case len(parts) >= 2:
				r.qualified[[2]string{parts[len(parts)-2], parts[len(parts)-1]}] = true
			case len(parts) == 1:
				r.bare[parts[0]] = true
			}
			return
		}
		if je, ok := m.Interface().(*pg.JoinExpr); ok {
			for _, u := range je.UsingClause {
				r.bare[u.GetString_().Sval] = true
			}
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Kind() == protoreflect.MessageKind:
				l := v.List()
				for i := range l.Len() {
					walk(l.Get(i).Message())
				}
			case fd.Kind() == protoreflect.MessageKind && !fd.IsMap():
				walk(v.Message())
			}
			return true
		})
	}
	walk(msg.ProtoReflect())
	return r
}

// reflected is what collectRefs walks: any pg_query node.
type reflected interface{ ProtoReflect() protoreflect.Message }

// leafItem is one relation of a FROM clause before planning.
type leafItem struct {
	node  *pg.Node
	alias string
}

func leafAlias(n *pg.Node) string {
	switch {
	case n.GetRangeVar() != nil:
		rv := n.GetRangeVar()
		if rv.Alias != nil {
			return rv.Alias.Aliasname
		}
		return rv.Relname
	case n.GetRangeSubselect() != nil && n.GetRangeSubselect().Alias != nil:
		return n.GetRangeSubselect().Alias.Aliasname
	case n.GetRangeFunction() != nil:
		rf := n.GetRangeFunction()
		if rf.Alias != nil {
			return rf.Alias.Aliasname
		}
		if items := rf.Functions[0].GetList().GetItems(); len(items) > 0 && items[0].GetFuncCall() != nil {
			return strings.ToLower(operatorName(items[0].GetFuncCall().Funcname))
		}
	}
	return ""
}

// joinTree turns FROM items into a tree of joins (comma items are inner
// joins whose keys come from WHERE) and lists the leaves left to right.
func joinTree(items []*pg.Node, leaves *[]leafItem) (*joinNode, error) {
	var tree *joinNode
	for _, it := range items {
		n, err := joinSubtree(it, leaves)
		if err != nil {
			return nil, err
		}
		if tree == nil {
			tree = n
		} else {
			tree = &joinNode{kind: pg.JoinType_JOIN_INNER, left: tree, right: n}
		}
	}
	return tree, nil
}

func joinSubtree(n *pg.Node, leaves *[]leafItem) (*joinNode, error) {
	je := n.GetJoinExpr()
	if je == nil {
		alias := leafAlias(n)
		for _, l := range *leaves {
			if l.alias == alias {
				return nil, sqlerr.New("42712", "table name %q specified more than once", alias)
			}
		}
		*leaves = append(*leaves, leafItem{node: n, alias: alias})
		return &joinNode{rel: len(*leaves) - 1}, nil
	}
	if je.IsNatural {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "NATURAL JOIN is not supported yet")
	}
	if je.Alias != nil {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "an alias for a join is not supported yet")
	}
	switch je.Jointype {
	case pg.JoinType_JOIN_INNER, pg.JoinType_JOIN_LEFT, pg.JoinType_JOIN_RIGHT, pg.JoinType_JOIN_FULL:
	default:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "join type %s is not supported yet", je.Jointype)
	}
	l, err := joinSubtree(je.Larg, leaves)
	if err != nil {
		return nil, err
	}
	r, err := joinSubtree(je.Rarg, leaves)
	if err != nil {
		return nil, err
	}
	j := &joinNode{kind: je.Jointype, left: l, right: r, quals: je.Quals}
	for _, u := range je.UsingClause {
		j.using = append(j.using, u.GetString_().Sval)
	}
	return j, nil
}

// nullableRels marks the leaves whose rows a LEFT or RIGHT join may pad
// with NULLs: WHERE conjuncts on them cannot move below the join.
func nullableRels(j *joinNode, nullable bool, out map[int]bool) {
	if j.left == nil {
		if nullable {
			out[j.rel] = true
		}
		return
	}
	full := j.kind == pg.JoinType_JOIN_FULL
	nullableRels(j.left, nullable || full || j.kind == pg.JoinType_JOIN_RIGHT, out)
	nullableRels(j.right, nullable || full || j.kind == pg.JoinType_JOIN_LEFT, out)
}

// bindJoin plans the FROM clause of sel as a joined relation and makes it
// the query's relation.
func (p *Planner) bindJoin(sel *pg.SelectStmt, b *binder) error {
	var leaves []leafItem
	tree, err := joinTree(sel.FromClause, &leaves)
	if err != nil {
		return err
	}
	refs := collectRefs(sel)
	nullable := map[int]bool{}
	nullableRels(tree, false, nullable)

	// Each leaf's table, to know its columns before planning it.
	tables := make([]*schema.Table, len(leaves))
	for i, l := range leaves {
		if rv := l.node.GetRangeVar(); rv != nil && (rv.Schemaname == "" || pgcatalog.IsSystemSchema(rv.Schemaname)) {
			if _, cte := b.ctes[rv.Relname]; !cte {
				if r, ok := systemRelation(rv); ok {
					tables[i] = r.Table
				} else if t, ok := p.cat.Table(rv.Relname); ok {
					tables[i] = t
				}
			}
		}
	}
	// Unqualified names a single leaf has: its WHERE conjuncts can move
	// down to it.
	owner := func(name string) int {
		found := -1
		for i, t := range tables {
			if t == nil {
				return -2 // a subquery's columns are not known here
			}
			if t.ColumnIndex(name) >= 0 {
				if found >= 0 {
					return -2
				}
				found = i
			}
		}
		return found
	}
	var conjuncts []*pg.Node
	if w := sel.WhereClause; w != nil {
		if be := w.GetBoolExpr(); be != nil && be.Boolop == pg.BoolExprType_AND_EXPR {
			conjuncts = be.Args
		} else {
			conjuncts = []*pg.Node{w}
		}
	}

	b.rels = nil
	var descCols []schema.Column
	plans := make([]*selectPlan, len(leaves))
	for i, l := range leaves {
		var plan *selectPlan
		var err error
		cb := b.child()
		if t := tables[i]; t != nil {
			plan, err = p.planLeafTable(l, t, refs, conjuncts, owner, i, nullable[i], cb)
		} else {
			plan, err = p.planLeafRelation(l, cb)
		}
		b.absorb(cb)
		if err != nil {
			return err
		}
		plans[i] = plan
		rel := relRange{alias: l.alias, first: len(descCols), n: len(plan.columns), oid: leafOID(l.node, tables[i])}
		if strings.HasPrefix(l.alias, "*subquery") {
			// A decorrelated subquery's join (decorrelate.go): its
			// columns are the planner's, out of SELECT *.
			rel.hidden = map[int]bool{}
			for c := range rel.n {
				rel.hidden[rel.first+c] = true
			}
		}
		b.rels = append(b.rels, rel)
		for _, c := range plan.columns {
			descCols = append(descCols, schema.Column{Name: c.Name, Type: c.Type})
		}
	}
	desc := &schema.Table{Name: "*JOIN*", TimeColumn: -1, Columns: descCols}
	b.table, b.alias = desc, ""

	// Place the leaves and bind each join's condition over the joined
	// relation.
	var place func(j *joinNode) error
	place = func(j *joinNode) error {
		if j.left == nil {
			r := b.rels[j.rel]
			j.leaf, j.first, j.n = plans[j.rel], r.first, r.n
			return nil
		}
		if err := place(j.left); err != nil {
			return err
		}
		if err := place(j.right); err != nil {
			return err
		}
		j.first, j.n = j.left.first, j.left.n+j.right.n
		return b.bindJoinCondition(j)
	}
	if err := place(tree); err != nil {
		return err
	}
	plan := &selectPlan{columns: make([]Column, len(descCols))}
	for i, c := range descCols {
		plan.columns[i] = Column{Name: c.Name, Type: c.Type}
	}
	plan.start = func(ctx context.Context) (exec.Operator, error) { return startJoin(ctx, tree, descCols) }
	plan.explain = func(ctx context.Context, depth int) []string { return explainJoin(ctx, tree, depth) }
	b.derived = &derived{desc: desc, plan: plan}
	b.joinTree = tree
	return nil
}

// planLeafTable plans a stored table of a join: the columns the
// statement names (all of them under * or alias.*), filtered by the WHERE
// conjuncts that concern this table alone when it is not padded by an
// outer join.
func (p *Planner) planLeafTable(l leafItem, t *schema.Table, refs columnRefs, conjuncts []*pg.Node, owner func(string) int, idx int, nullable bool, b *binder) (*selectPlan, error) {
	var cols []*pg.Node
	all := refs.stars[""] || refs.stars[l.alias]
	for _, c := range t.Columns {
		if all || refs.qualified[[2]string{l.alias, c.Name}] || refs.bare[c.Name] {
			cols = append(cols, &pg.Node{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: &pg.Node{Node: &pg.Node_ColumnRef{
				ColumnRef: &pg.ColumnRef{Fields: []*pg.Node{{Node: &pg.Node_String_{String_: &pg.String{Sval: c.Name}}}}}}}}}})
		}
	}
	if len(cols) == 0 {
		// Only the rows count: one small column will do.
		cols = append(cols, &pg.Node{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: &pg.Node{Node: &pg.Node_ColumnRef{
			ColumnRef: &pg.ColumnRef{Fields: []*pg.Node{{Node: &pg.Node_String_{String_: &pg.String{Sval: t.Columns[max(t.TimeColumn, 0)].Name}}}}}}}}}})
	}
	leafSel := &pg.SelectStmt{TargetList: cols, FromClause: []*pg.Node{l.node}}
	if !nullable {
		var mine []*pg.Node
		for _, c := range conjuncts {
			r := collectRefs(c)
			if len(r.stars) > 0 || len(r.qualified)+len(r.bare) == 0 {
				continue
			}
			ok := true
			for q := range r.qualified {
				ok = ok && q[0] == l.alias && t.ColumnIndex(q[1]) >= 0
			}
			for name := range r.bare {
				ok = ok && owner(name) == idx
			}
			if ok && !hasSubLinkOrAgg(c) {
				mine = append(mine, c)
			}
		}
		switch len(mine) {
		case 0:
		case 1:
			leafSel.WhereClause = mine[0]
		default:
			leafSel.WhereClause = &pg.Node{Node: &pg.Node_BoolExpr{BoolExpr: &pg.BoolExpr{Boolop: pg.BoolExprType_AND_EXPR, Args: mine}}}
		}
	}
	return p.planSelect(leafSel, b)
}

// leafOID is the OID of a join leaf that is a stored table or a system
// relation (t its descriptor), else 0.
func leafOID(n *pg.Node, t *schema.Table) int64 {
	rv := n.GetRangeVar()
	if rv == nil || t == nil {
		return 0
	}
	if r, ok := systemRelation(rv); ok {
		return r.OID
	}
	return pgcatalog.TableOID(t.Name)
}

// hasSubLinkOrAgg reports whether n holds a subquery or a function call
// (which might be an aggregate): such conjuncts stay above the join.
func hasSubLinkOrAgg(n *pg.Node) bool {
	found := false
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		switch m.Interface().(type) {
		case *pg.SubLink, *pg.FuncCall:
			found = true
			return
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Kind() == protoreflect.MessageKind:
				for i := range v.List().Len() {
					walk(v.List().Get(i).Message())
				}
			case fd.Kind() == protoreflect.MessageKind && !fd.IsMap():
				walk(v.Message())
			}
			return !found
		})
	}
	walk(n.ProtoReflect())
	return found
}

// planLeafRelation plans a subquery or WITH query of a join, all columns.
func (p *Planner) planLeafRelation(l leafItem, b *binder) (*selectPlan, error) {
	if err := p.bindFrom(l.node, b); err != nil {
		return nil, err
	}
	// The relation's columns under the names its alias gives them.
	plan := *b.derived.plan
	plan.columns = make([]Column, len(b.derived.desc.Columns))
	for i, c := range b.derived.desc.Columns {
		plan.columns[i] = Column{Name: c.Name, Type: c.Type}
	}
	return &plan, nil
}

// bindJoinCondition binds a join's ON or USING over the joined relation
// and splits it into key equalities between its two sides and the rest.
func (b *binder) bindJoinCondition(j *joinNode) error {
	lf, ln := j.left.span()
	rf, rn := j.right.span()
	side := func(s *scalar) int { // 0 left, 1 right, -1 both or neither
		l, r := false, false
		s.walk(func(x *scalar) {
			if x.kind == kindColumn {
				if x.col >= lf && x.col < lf+ln {
					l = true
				} else if x.col >= rf && x.col < rf+rn {
					r = true
				}
			}
		})
		switch {
		case l && !r:
			return 0
		case r && !l:
			return 1
		}
		return -1
	}
	var conds []*scalar
	if len(j.using) > 0 {
		for _, name := range j.using {
			lc, lok := b.findIn(name, lf, ln)
			rc, rok := b.findIn(name, rf, rn)
			if !lok || !rok {
				return sqlerr.New(sqlerr.UndefinedColumn, "column %q specified in USING clause does not exist in both tables", name)
			}
			eq, err := b.compare("=", colScalar(lc, name, b.table.Columns[lc].Type), colScalar(rc, name, b.table.Columns[rc].Type), -1)
			if err != nil {
				return err
			}
			conds = append(conds, eq)
			b.usingLeft = append(b.usingLeft, lc)
			// The right one is merged into the left: out of * and of
			// unqualified names.
			for i := range b.rels {
				r := &b.rels[i]
				if rc >= r.first && rc < r.first+r.n {
					if r.hidden == nil {
						r.hidden = map[int]bool{}
					}
					r.hidden[rc] = true
				}
			}
		}
	} else if j.quals != nil {
		b.aggAllowed, b.clause = false, "JOIN conditions"
		q, err := b.bind(j.quals)
		if err != nil {
			return err
		}
		if err := b.settle(q, coldata.Bool); err != nil {
			return err
		}
		if q.typ != coldata.Bool {
			return sqlerr.New(sqlerr.DatatypeMismatch, "argument of JOIN/ON must be type boolean, not type %s", q.typ)
		}
		conds = conjunctsOf(q)
	}
	for _, c := range conds {
		if c.kind == kindCall && c.op == "=" && len(c.args) == 2 {
			a, bb := side(c.args[0]), side(c.args[1])
			if a == 0 && bb == 1 {
				j.keys = append(j.keys, [2]*scalar{c.args[0], c.args[1]})
				continue
			}
			if a == 1 && bb == 0 {
				j.keys = append(j.keys, [2]*scalar{c.args[1], c.args[0]})
				continue
			}
		}
		if sd := side(c); (j.kind == pg.JoinType_JOIN_LEFT && sd == 1) || (j.kind == pg.JoinType_JOIN_RIGHT && sd == 0) {
			j.sideFilter = append(j.sideFilter, c)
			continue
		}
		if j.kind == pg.JoinType_JOIN_FULL {
			return sqlerr.New(sqlerr.FeatureNotSupported, "full join conditions other than equalities between the two sides are not supported yet")
		}
		j.residual = append(j.residual, c)
	}
	return nil
}

// findIn finds a column by name among the joined relation's columns
// [first, first+n).
func (b *binder) findIn(name string, first, n int) (int, bool) {
	for i := first; i < first+n; i++ {
		if b.table.Columns[i].Name == name && !b.hiddenCol(i) {
			return i, true
		}
	}
	return 0, false
}

func (b *binder) hiddenCol(i int) bool {
	if b.applied[i] {
		return true
	}
	for _, r := range b.rels {
		if r.hidden[i] {
			return true
		}
	}
	return false
}

// conjunctsOf splits a condition at its top-level ANDs.
func conjunctsOf(s *scalar) []*scalar {
	if s.kind == kindCall && s.op == "and" {
		var out []*scalar
		for _, a := range s.args {
			out = append(out, conjunctsOf(a)...)
		}
		return out
	}
	return []*scalar{s}
}

// addWhereKeys makes the WHERE equalities between the two sides of an
// inner join without keys (a comma list) its keys, so that FROM a, b
// WHERE a.x = b.y hashes rather than pairing every row.
func addWhereKeys(j *joinNode, where *scalar) {
	if j == nil || j.left == nil || where == nil {
		return
	}
	addWhereKeys(j.left, where)
	addWhereKeys(j.right, where)
	if j.kind != pg.JoinType_JOIN_INNER {
		return
	}
	lf, ln := j.left.span()
	rf, rn := j.right.span()
	in := func(s *scalar, first, n int) bool {
		ok := true
		s.walk(func(x *scalar) {
			if x.kind == kindColumn && (x.col < first || x.col >= first+n) {
				ok = false
			}
			if x.kind == kindAgg {
				ok = false
			}
		})
		return ok
	}
	for _, c := range conjunctsOf(where) {
		if c.kind != kindCall || c.op != "=" || len(c.args) != 2 {
			continue
		}
		l, r := c.args[0], c.args[1]
		if in(r, lf, ln) && in(l, rf, rn) {
			l, r = r, l
		}
		if in(l, lf, ln) && in(r, rf, rn) && hasColumn(l) && hasColumn(r) {
			j.keys = append(j.keys, [2]*scalar{l, r})
		}
	}
}

func hasColumn(s *scalar) bool {
	found := false
	s.walk(func(x *scalar) { found = found || x.kind == kindColumn })
	return found
}

// startJoin runs a join tree: each leaf's plan, then hash joins.
func startJoin(ctx context.Context, j *joinNode, cols []schema.Column) (exec.Operator, error) {
	if j.left == nil {
		return j.leaf.start(ctx)
	}
	left, err := startJoin(ctx, j.left, cols)
	if err != nil {
		return nil, err
	}
	right, err := startJoin(ctx, j.right, cols)
	if err != nil {
		left.Close()
		return nil, err
	}
	op, err := joinOperator(j, left, right, cols)
	if err != nil {
		left.Close()
		right.Close()
		return nil, err
	}
	return op, nil
}

func joinOperator(j *joinNode, left, right exec.Operator, cols []schema.Column) (exec.Operator, error) {
	lf, ln := j.left.span()
	rf, rn := j.right.span()
	types := func(first, n int) []coldata.Type {
		out := make([]coldata.Type, n)
		for i := range out {
			out[i] = cols[first+i].Type
		}
		return out
	}
	lt, rt := types(lf, ln), types(rf, rn)
	if len(j.sideFilter) > 0 {
		cond := j.sideFilter[0]
		if len(j.sideFilter) > 1 {
			cond = callScalar("and", coldata.Bool, j.sideFilter...)
		}
		first, ts, in := rf, rt, &right
		if j.kind == pg.JoinType_JOIN_RIGHT {
			first, ts, in = lf, lt, &left
		}
		e, err := exec.CompileExpr(shifted(cond, first).toProto(nil), ts)
		if err != nil {
			return nil, err
		}
		f, err := exec.NewFilter(*in, e)
		if err != nil {
			return nil, err
		}
		*in = f
	}
	var lk, rk []exec.Expr
	for _, k := range j.keys {
		l, r := k[0], k[1]
		if l.typ != r.typ {
			t, ok := exec.CommonType([]coldata.Type{l.typ, r.typ})
			if !ok {
				return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s = %s", l.typ, r.typ)
			}
			if l.typ != t {
				l = callScalar("cast", t, l)
			}
			if r.typ != t {
				r = callScalar("cast", t, r)
			}
		}
		le, err := exec.CompileExpr(shifted(l, lf).toProto(nil), lt)
		if err != nil {
			return nil, err
		}
		re, err := exec.CompileExpr(shifted(r, rf).toProto(nil), rt)
		if err != nil {
			return nil, err
		}
		lk, rk = append(lk, le), append(rk, re)
	}
	var op exec.Operator
	switch j.kind {
	case pg.JoinType_JOIN_RIGHT:
		// The right side's rows are kept: probe with it, then put the
		// left columns first again.
		hj, err := exec.NewHashJoin(exec.LeftJoin, right, left, rt, lt, rk, lk)
		if err != nil {
			return nil, err
		}
		if len(j.residual) > 0 {
			// Over the right columns, then the left ones.
			remap := map[int]int{}
			for i := range rn {
				remap[rf+i] = i
			}
			for i := range ln {
				remap[lf+i] = rn + i
			}
			e, err := exec.CompileExpr(andAll(j.residual).toProto(remap), append(slices.Clone(rt), lt...))
			if err != nil {
				return nil, err
			}
			if err := hj.SetResidual(e); err != nil {
				return nil, err
			}
		}
		all := append(slices.Clone(rt), lt...)
		exprs := make([]exec.Expr, 0, ln+rn)
		for i := range ln {
			e, err := exec.CompileExpr(colScalar(rn+i, "", lt[i]).toProto(nil), all)
			if err != nil {
				return nil, err
			}
			exprs = append(exprs, e)
		}
		for i := range rn {
			e, err := exec.CompileExpr(colScalar(i, "", rt[i]).toProto(nil), all)
			if err != nil {
				return nil, err
			}
			exprs = append(exprs, e)
		}
		op = exec.NewProject(hj, exprs)
	default:
		kind := exec.InnerJoin
		switch j.kind {
		case pg.JoinType_JOIN_LEFT:
			kind = exec.LeftJoin
		case pg.JoinType_JOIN_FULL:
			kind = exec.FullJoin
		}
		hj, err := exec.NewHashJoin(kind, left, right, lt, rt, lk, rk)
		if err != nil {
			return nil, err
		}
		op = hj
		if kind == exec.LeftJoin && len(j.residual) > 0 {
			e, err := exec.CompileExpr(shifted(andAll(j.residual), lf).toProto(nil), append(slices.Clone(lt), rt...))
			if err != nil {
				return nil, err
			}
			if err := hj.SetResidual(e); err != nil {
				return nil, err
			}
		}
	}
	if len(j.residual) > 0 && j.kind == pg.JoinType_JOIN_INNER {
		cond := j.residual[0]
		if len(j.residual) > 1 {
			cond = callScalar("and", coldata.Bool, j.residual...)
		}
		e, err := exec.CompileExpr(shifted(cond, lf).toProto(nil), append(slices.Clone(lt), rt...))
		if err != nil {
			return nil, err
		}
		f, err := exec.NewFilter(op, e)
		if err != nil {
			return nil, err
		}
		op = f
	}
	return op, nil
}

// andAll is the conjunction of conds.
func andAll(conds []*scalar) *scalar {
	if len(conds) == 1 {
		return conds[0]
	}
	return callScalar("and", coldata.Bool, conds...)
}

// shifted returns s with its column positions moved down by first: from
// the joined relation to a subtree's own columns.
func shifted(s *scalar, first int) *scalar {
	if first == 0 {
		return s
	}
	switch s.kind {
	case kindColumn:
		c := *s
		c.col -= first
		return &c
	case kindCall:
		c := *s
		c.args = make([]*scalar, len(s.args))
		for i, a := range s.args {
			c.args[i] = shifted(a, first)
		}
		return &c
	}
	return s
}

// explainJoin renders a join tree.
func explainJoin(ctx context.Context, j *joinNode, depth int) []string {
	if j.left == nil {
		return j.leaf.describe2(ctx, depth)
	}
	kind := map[pg.JoinType]string{pg.JoinType_JOIN_INNER: "Inner", pg.JoinType_JOIN_LEFT: "Left", pg.JoinType_JOIN_RIGHT: "Right",
		pg.JoinType_JOIN_FULL: "Full"}[j.kind]
	what := fmt.Sprintf("Hash %s Join (%d keys", kind, len(j.keys))
	if len(j.keys) == 0 {
		what = fmt.Sprintf("Nested Loop %s Join (cross product", kind)
	}
	if len(j.residual) > 0 {
		what += fmt.Sprintf(", %d more conditions", len(j.residual))
	}
	if len(j.sideFilter) > 0 {
		what += fmt.Sprintf(", %d conditions on the nullable side", len(j.sideFilter))
	}
	lines := []string{indent(depth, "%s)", what)}
	lines = append(lines, explainJoin(ctx, j.left, depth+1)...)
	return append(lines, explainJoin(ctx, j.right, depth+1)...)
}
