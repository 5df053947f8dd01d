package planner

import (
	"cmp"
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sqlerr"
)

// binder resolves names and types of one statement's expressions.
type binder struct {
	table *schema.Table // nil without FROM
	alias string        // the name the table goes by in this query
	loc   *time.Location
	start time.Time // when the statement runs: now()

	// derived is the planned relation the query reads when it is not a
	// stored table; ctes the WITH queries visible here.
	derived *derived
	ctes    map[string]cteEntry
	// rels are the leaves of a joined relation, joinTree its joins.
	rels     []relRange
	joinTree *joinNode

	// planner plans subqueries in expressions; ctx runs them, unless
	// describe says the statement is only being prepared.
	planner   *Planner
	ctx       context.Context
	describe  bool
	usingLeft []int // the columns USING merged, listed first by *

	// params holds the parameters' values when the statement runs (nil
	// while preparing); paramTypes the declared or inferred types.
	params     *coldata.Batch
	paramTypes []coldata.Type

	// inAgg is set while binding an aggregate's argument, to reject
	// nested aggregates; aggAllowed is cleared for WHERE.
	inAgg      bool
	aggAllowed bool
	clause     string
	// windowAllowed is set while binding the select list and ORDER BY;
	// inWindow inside a window function's call.
	windowAllowed, inWindow bool
	// namedWindows are the query's WINDOW clause entries.
	namedWindows map[string]*pg.WindowDef
	// noPushdown plans every query with fragments that only read
	// columns (armorlake.pushdown = off), for comparison.
	noPushdown bool
	// partial answers from the operators that can (partial results).
	partial bool
	// sess is the session planning the statement.
	sess *Session
	// outer resolves the names a correlated subquery takes from the
	// query around it (apply.go); applied marks the relation's columns
	// that hold correlated subqueries' values, hidden from *.
	outer   *outerScope
	applied map[int]bool
	// noSRF and noSignal say the statement's text names no set-returning
	// function (unnest, generate_subscripts) and no pg_cancel_backend or
	// pg_terminate_backend, so that the rewrites looking for them can be
	// skipped: walking a parse tree costs more than planning SELECT 1.
	noSRF, noSignal bool
	// relOID is the OID of the query's relation when it is a stored
	// table or a system relation (the tableoid system column).
	relOID int64
}

// scanText sets noSRF and noSignal from the statement's text.
func (b *binder) scanText(text string) *binder {
	lower := strings.ToLower(text)
	b.noSRF = !strings.Contains(lower, "unnest") && !strings.Contains(lower, "generate_subscripts")
	b.noSignal = !strings.Contains(lower, "_backend")
	return b
}

func errAt(e *sqlerr.Error, loc int32) *sqlerr.Error {
	if loc >= 0 {
		e.Position = loc + 1
	}
	return e
}

func (b *binder) bind(n *pg.Node) (*scalar, error) {
	if n == nil {
		return nil, sqlerr.New(sqlerr.InternalError, "bind: missing expression")
	}
	switch {
	case n.GetColumnRef() != nil:
		return b.bindColumnRef(n.GetColumnRef())
	case n.GetAConst() != nil:
		return b.bindConst(n.GetAConst())
	case n.GetAExpr() != nil:
		return b.bindAExpr(n.GetAExpr())
	case n.GetBoolExpr() != nil:
		return b.bindBoolExpr(n.GetBoolExpr())
	case n.GetNullTest() != nil:
		nt := n.GetNullTest()
		arg, err := b.bind(nt.Arg)
		if err != nil {
			return nil, err
		}
		b.settle(arg, coldata.Text)
		op := "is_null"
		if nt.Nulltesttype == pg.NullTestType_IS_NOT_NULL {
			op = "is_not_null"
		}
		return callScalar(op, coldata.Bool, arg), nil
	case n.GetFuncCall() != nil:
		return b.bindFuncCall(n.GetFuncCall())
	case n.GetTypeCast() != nil:
		return b.bindTypeCast(n.GetTypeCast())
	case n.GetParamRef() != nil:
		return b.bindParam(n.GetParamRef())
	case n.GetCaseExpr() != nil:
		return b.bindCase(n.GetCaseExpr())
	case n.GetCoalesceExpr() != nil:
		c := n.GetCoalesceExpr()
		return b.bindVariadic("coalesce", c.Args, c.Location)
	case n.GetMinMaxExpr() != nil:
		m := n.GetMinMaxExpr()
		name := "greatest"
		if m.Op == pg.MinMaxOp_IS_LEAST {
			name = "least"
		}
		return b.bindVariadic(name, m.Args, m.Location)
	case n.GetSqlvalueFunction() != nil:
		return b.bindSQLValue(n.GetSqlvalueFunction())
	case n.GetSubLink() != nil:
		return b.bindSubLink(n.GetSubLink())
	case n.GetCollateClause() != nil:
		// Text compares byte-wise, as under the C collation; a COLLATE
		// clause (psql writes COLLATE pg_catalog.default) changes
		// nothing.
		return b.bind(n.GetCollateClause().Arg)
	case n.GetBooleanTest() != nil:
		return b.bindBooleanTest(n.GetBooleanTest())
	case n.GetAIndirection() != nil:
		ind := n.GetAIndirection()
		arg, err := b.bind(ind.Arg)
		if err != nil {
			return nil, err
		}
		for _, sub := range ind.Indirection {
			idx := sub.GetAIndices()
			if idx == nil || idx.IsSlice || idx.Uidx == nil {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "array slices and field selection are not supported yet")
			}
			k, err := b.bind(idx.Uidx)
			if err != nil {
				return nil, err
			}
			if arg, err = b.call("array_elem", []*scalar{arg, k}, -1); err != nil {
				return nil, err
			}
		}
		return arg, nil
	case n.GetAArrayExpr() != nil:
		return b.bindArray(n.GetAArrayExpr())
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "expression %s is not supported yet", nodeName(n))
}

// bindArray binds ARRAY[e, …] of text elements: a constant when every
// element is one, else a call building the array row by row.
func (b *binder) bindArray(a *pg.A_ArrayExpr) (*scalar, error) {
	if len(a.Elements) == 0 {
		return nil, errAt(sqlerr.New("42P18", "cannot determine type of empty array").
			WithHint("Explicitly cast to the desired type, for example ARRAY[]::integer[]."), a.Location)
	}
	elems := make([]*scalar, len(a.Elements))
	consts := make([]string, 0, len(a.Elements))
	for i, n := range a.Elements {
		e, err := b.bind(n)
		if err != nil {
			return nil, err
		}
		if err := b.settle(e, coldata.Text); err != nil {
			return nil, errAt(sqlerr.As(err), a.Location)
		}
		if e.typ != coldata.Text {
			return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "arrays of %s are not supported yet: armorlake has text[] only", e.typ).
				WithHint("Cast the elements to text."), a.Location)
		}
		if e.kind == kindConst && e.datum.Null {
			return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "arrays with NULL elements are not supported yet"), a.Location)
		}
		if e.kind == kindConst {
			consts = append(consts, e.datum.GetS())
		}
		elems[i] = e
	}
	if len(consts) == len(elems) {
		lit := string(coldata.AppendTextArrayLiteral(nil, consts))
		return constScalar(&rpcpb.Datum{Type: uint32(coldata.TextArray), Value: &rpcpb.Datum_S{S: lit}}), nil
	}
	return b.call("array", elems, a.Location)
}

// nodeName names an AST node kind for error messages: "SubLink", "CaseExpr".
func nodeName(n *pg.Node) string {
	s := strings.TrimPrefix(strings.TrimPrefix(strings.Split(strings.TrimSpace(n.String()), ":")[0], "node:{"), "{")
	if s == "" {
		return "of this kind"
	}
	return s
}

func (b *binder) bindColumnRef(c *pg.ColumnRef) (*scalar, error) {
	s, err := b.bindOwnColumnRef(c)
	if err != nil && b.outer != nil && isUnresolved(err) {
		if o, oerr := b.outer.resolve(c); oerr == nil {
			return o, nil
		}
	}
	return s, err
}

// bindOwnColumnRef resolves a column of the query's own relation.
func (b *binder) bindOwnColumnRef(c *pg.ColumnRef) (*scalar, error) {
	var parts []string
	for _, f := range c.Fields {
		if f.GetAStar() != nil {
			return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "* is only supported as the whole select list"), c.Location)
		}
		parts = append(parts, f.GetString_().Sval)
	}
	name := parts[len(parts)-1]
	if len(b.rels) > 0 {
		return b.bindJoinedColumn(parts, c.Location)
	}
	if len(parts) > 1 {
		qual := parts[len(parts)-2]
		if b.table == nil || (qual != b.alias && qual != b.table.Name) {
			return nil, errAt(sqlerr.New(sqlerr.UndefinedTable, "missing FROM-clause entry for table %q", qual), c.Location)
		}
	}
	if b.table != nil {
		if i := b.table.ColumnIndex(name); i >= 0 {
			return colScalar(i, name, b.table.Columns[i].Type), nil
		}
		if name == "tableoid" && b.relOID != 0 {
			// The system column: the OID of the row's table.
			return intConst(coldata.Int64, b.relOID), nil
		}
	}
	return nil, errAt(sqlerr.New(sqlerr.UndefinedColumn, "column %q does not exist", strings.Join(parts, ".")), c.Location)
}

// bindJoinedColumn resolves a column of a joined relation: qualified by
// its relation's alias, or unqualified when one relation has it.
func (b *binder) bindJoinedColumn(parts []string, loc int32) (*scalar, error) {
	name := parts[len(parts)-1]
	if len(parts) > 1 {
		qual := parts[len(parts)-2]
		for _, r := range b.rels {
			if r.alias != qual {
				continue
			}
			for i := r.first; i < r.first+r.n; i++ {
				if b.table.Columns[i].Name == name {
					return colScalar(i, name, b.table.Columns[i].Type), nil
				}
			}
			if name == "tableoid" && r.oid != 0 {
				// The system column: the OID of the row's table.
				return intConst(coldata.Int64, r.oid), nil
			}
			return nil, errAt(sqlerr.New(sqlerr.UndefinedColumn, "column %s.%s does not exist", qual, name), loc)
		}
		return nil, errAt(sqlerr.New(sqlerr.UndefinedTable, "missing FROM-clause entry for table %q", qual), loc)
	}
	found := -1
	for i, c := range b.table.Columns {
		if c.Name != name || b.hiddenCol(i) {
			continue
		}
		if found >= 0 {
			return nil, errAt(sqlerr.New(sqlerr.AmbiguousColumn, "column reference %q is ambiguous", name), loc)
		}
		found = i
	}
	if found < 0 {
		return nil, errAt(sqlerr.New(sqlerr.UndefinedColumn, "column %q does not exist", name), loc)
	}
	return colScalar(found, name, b.table.Columns[found].Type), nil
}

// qualifier names the relation column i belongs to, for messages.
func (b *binder) qualifier(i int) string {
	for _, r := range b.rels {
		if i >= r.first && i < r.first+r.n {
			return r.alias
		}
	}
	return b.alias
}

func (b *binder) bindConst(c *pg.A_Const) (*scalar, error) {
	if c.Isnull {
		s := constScalar(nullDatum(coldata.Text))
		s.unknownLit = true
		return s, nil
	}
	switch v := c.Val.(type) {
	case *pg.A_Const_Ival:
		return constScalar(&rpcpb.Datum{Type: uint32(coldata.Int32), Value: &rpcpb.Datum_I{I: int64(v.Ival.Ival)}}), nil
	case *pg.A_Const_Fval:
		// The parser hands integers too large for int4 over as Fval;
		// other numbers with a point or an exponent are numeric, as in
		// PostgreSQL.
		if i, err := strconv.ParseInt(v.Fval.Fval, 10, 64); err == nil {
			return constScalar(&rpcpb.Datum{Type: uint32(coldata.Int64), Value: &rpcpb.Datum_I{I: i}}), nil
		}
		d, err := exec.ParseNumeric(v.Fval.Fval)
		if err != nil {
			return nil, errAt(sqlerr.As(err), c.Location)
		}
		return constScalar(&rpcpb.Datum{Type: uint32(coldata.Numeric), Value: &rpcpb.Datum_S{S: d}}), nil
	case *pg.A_Const_Boolval:
		return constScalar(&rpcpb.Datum{Type: uint32(coldata.Bool), Value: &rpcpb.Datum_B{B: v.Boolval.Boolval}}), nil
	case *pg.A_Const_Sval:
		s := constScalar(&rpcpb.Datum{Type: uint32(coldata.Text), Value: &rpcpb.Datum_S{S: v.Sval.Sval}})
		s.unknownLit = true
		return s, nil
	}
	return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "constants of this kind are not supported yet"), c.Location)
}

func (b *binder) bindParam(p *pg.ParamRef) (*scalar, error) {
	n := int(p.Number)
	if n < 1 || n > 65535 {
		return nil, errAt(sqlerr.New(sqlerr.UndefinedParameter, "there is no parameter $%d", n), p.Location)
	}
	for len(b.paramTypes) < n {
		b.paramTypes = append(b.paramTypes, coldata.Unknown)
	}
	t := b.paramTypes[n-1]
	s := &scalar{kind: kindConst, typ: t, param: n}
	if t == coldata.Unknown {
		s.unknownLit = true
		s.typ = coldata.Text
	}
	s.datum = nullDatum(s.typ)
	if b.params != nil {
		if n > len(b.params.Vecs) {
			return nil, errAt(sqlerr.New(sqlerr.UndefinedParameter, "there is no parameter $%d", n), p.Location)
		}
		d := exec.VecDatum(b.params.Vecs[n-1], 0)
		s.datum, s.typ = d, coldata.Type(d.Type)
	}
	return s, nil
}

// settle gives an unknown-typed literal or parameter the type t, parsing a
// literal's text as that type, the way PostgreSQL resolves 'text' against
// a typed operand.
func (b *binder) settle(s *scalar, t coldata.Type) error {
	if !s.unknownLit {
		return nil
	}
	s.unknownLit = false
	if s.param > 0 && s.param <= len(b.paramTypes) && b.paramTypes[s.param-1] == coldata.Unknown {
		b.paramTypes[s.param-1] = t
	}
	if s.datum.Null {
		s.typ, s.datum = t, nullDatum(t)
		return nil
	}
	if t == coldata.Text || t == coldata.Unknown {
		s.typ = coldata.Text
		return nil
	}
	d, err := parseLiteral(s.datum.GetS(), t, b.loc)
	if err != nil {
		return err
	}
	s.typ, s.datum = t, d
	return nil
}

// parseLiteral reads text as a value of type t.
func parseLiteral(text string, t coldata.Type, loc *time.Location) (*rpcpb.Datum, error) {
	d := &rpcpb.Datum{Type: uint32(t)}
	invalid := func() error {
		return sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: %q", t, text)
	}
	s := strings.TrimSpace(text)
	switch {
	case t.IsInteger():
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, invalid()
		}
		if lo, hi := intBounds(t); i < lo || i > hi {
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value %q is out of range for type %s", text, t)
		}
		d.Value = &rpcpb.Datum_I{I: i}
	case t.IsFloat():
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, invalid()
		}
		d.Value = &rpcpb.Datum_F{F: f}
	case t == coldata.Bool:
		switch strings.ToLower(s) {
		case "t", "true", "yes", "y", "on", "1":
			d.Value = &rpcpb.Datum_B{B: true}
		case "f", "false", "no", "n", "off", "0":
			d.Value = &rpcpb.Datum_B{B: false}
		default:
			return nil, invalid()
		}
	case t == coldata.Timestamptz:
		us, err := coldata.ParseTimestamptz(s, loc)
		if err != nil {
			return nil, err
		}
		d.Value = &rpcpb.Datum_I{I: us}
	case t == coldata.Numeric:
		v, err := exec.ParseNumeric(s)
		if err != nil {
			return nil, err
		}
		d.Value = &rpcpb.Datum_S{S: v}
	case t == coldata.Text || t == coldata.Jsonb:
		d.Value = &rpcpb.Datum_S{S: text}
	case t == coldata.Date || t == coldata.Timestamp || t == coldata.Interval:
		return parseDatetimeLiteral(text, t)
	case t == coldata.TextArray:
		elems, err := coldata.ParseTextArray(text)
		switch {
		case errors.Is(err, coldata.ErrArrayNull) || errors.Is(err, coldata.ErrArrayDims):
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%v", err)
		case err != nil:
			return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "%v", err)
		}
		d.Value = &rpcpb.Datum_S{S: string(coldata.AppendTextArrayLiteral(nil, elems))}
	default:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "literals of type %s are not supported yet", t)
	}
	return d, nil
}

func intBounds(t coldata.Type) (int64, int64) {
	switch t {
	case coldata.Int16:
		return -1 << 15, 1<<15 - 1
	case coldata.Int32:
		return -1 << 31, 1<<31 - 1
	}
	return -1 << 63, 1<<63 - 1
}

func operatorName(names []*pg.Node) string {
	if len(names) == 0 {
		return ""
	}
	return names[len(names)-1].GetString_().Sval
}

func (b *binder) bindAExpr(e *pg.A_Expr) (*scalar, error) {
	op := operatorName(e.Name)
	switch e.Kind {
	case pg.A_Expr_Kind_AEXPR_OP:
		if _, ok := matchOps[op]; ok {
			return b.bindMatch(op, e.Lexpr, e.Rexpr, e.Location)
		}
	case pg.A_Expr_Kind_AEXPR_LIKE, pg.A_Expr_Kind_AEXPR_ILIKE:
		return b.bindMatch(op, e.Lexpr, e.Rexpr, e.Location)
	case pg.A_Expr_Kind_AEXPR_SIMILAR:
		return b.bindSimilar(op, e.Lexpr, e.Rexpr, e.Location)
	case pg.A_Expr_Kind_AEXPR_DISTINCT, pg.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		return b.bindDistinctFrom(e)
	case pg.A_Expr_Kind_AEXPR_NULLIF:
		return b.bindVariadic("nullif", []*pg.Node{e.Lexpr, e.Rexpr}, e.Location)
	case pg.A_Expr_Kind_AEXPR_OP_ANY, pg.A_Expr_Kind_AEXPR_OP_ALL:
		return b.bindQuantified(op, e.Kind == pg.A_Expr_Kind_AEXPR_OP_ANY, e)
	case pg.A_Expr_Kind_AEXPR_BETWEEN, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN:
		arg, err := b.bind(e.Lexpr)
		if err != nil {
			return nil, err
		}
		bounds := e.Rexpr.GetList().GetItems()
		if len(bounds) != 2 {
			return nil, errAt(sqlerr.New(sqlerr.SyntaxError, "BETWEEN needs two bounds"), e.Location)
		}
		lo, err := b.bind(bounds[0])
		if err != nil {
			return nil, err
		}
		hi, err := b.bind(bounds[1])
		if err != nil {
			return nil, err
		}
		ge, err := b.compare(">=", arg, lo, e.Location)
		if err != nil {
			return nil, err
		}
		le, err := b.compare("<=", arg, hi, e.Location)
		if err != nil {
			return nil, err
		}
		both := callScalar("and", coldata.Bool, ge, le)
		if e.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN {
			return callScalar("not", coldata.Bool, both), nil
		}
		return both, nil
	case pg.A_Expr_Kind_AEXPR_IN:
		arg, err := b.bind(e.Lexpr)
		if err != nil {
			return nil, err
		}
		var ors []*scalar
		for _, item := range e.Rexpr.GetList().GetItems() {
			v, err := b.bind(item)
			if err != nil {
				return nil, err
			}
			eq, err := b.compare("=", arg, v, e.Location)
			if err != nil {
				return nil, err
			}
			ors = append(ors, eq)
		}
		if len(ors) == 0 {
			return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "IN (subquery) is not supported yet"), e.Location)
		}
		in := ors[0]
		if len(ors) > 1 {
			in = callScalar("or", coldata.Bool, ors...)
		}
		if op == "<>" {
			return callScalar("not", coldata.Bool, in), nil
		}
		return in, nil
	default:
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "operator kind %s is not supported yet", strings.TrimPrefix(e.Kind.String(), "AEXPR_")), e.Location)
	}
	if e.Lexpr == nil {
		arg, err := b.bind(e.Rexpr)
		if err != nil {
			return nil, err
		}
		switch op {
		case "-":
			if err := b.settle(arg, coldata.Float64); err != nil {
				return nil, err
			}
			if arg.kind == kindConst && !arg.datum.Null {
				switch v := arg.datum.Value.(type) {
				case *rpcpb.Datum_I:
					return constScalar(&rpcpb.Datum{Type: arg.datum.Type, Value: &rpcpb.Datum_I{I: -v.I}}), nil
				case *rpcpb.Datum_F:
					return constScalar(&rpcpb.Datum{Type: arg.datum.Type, Value: &rpcpb.Datum_F{F: -v.F}}), nil
				case *rpcpb.Datum_S:
					if arg.typ == coldata.Numeric {
						neg := "-" + v.S
						if strings.HasPrefix(v.S, "-") {
							neg = v.S[1:]
						} else if strings.Trim(v.S, "0.") == "" {
							neg = v.S // -0 is 0
						}
						return constScalar(&rpcpb.Datum{Type: arg.datum.Type, Value: &rpcpb.Datum_S{S: neg}}), nil
					}
				}
			}
			switch arg.typ {
			case typeInterval:
				return intervalScalar(arg.iv.neg()), nil
			case coldata.Interval:
				return callScalar("iv_neg", coldata.Interval, arg), nil
			}
			return callScalar("neg", arg.typ, arg), nil
		case "+":
			return arg, nil
		}
		return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %s", op, arg.typ), e.Location)
	}
	l, err := b.bind(e.Lexpr)
	if err != nil {
		return nil, err
	}
	r, err := b.bind(e.Rexpr)
	if err != nil {
		return nil, err
	}
	switch op {
	case "=", "<>", "!=", "<", "<=", ">", ">=":
		if op == "!=" {
			op = "<>"
		}
		return b.compare(op, l, r, e.Location)
	case "+", "-", "*", "/", "%":
		return b.arith(op, l, r, e.Location)
	case "||":
		if l.typ == coldata.TextArray || r.typ == coldata.TextArray {
			for _, x := range []*scalar{l, r} {
				if x.unknownLit {
					if err := b.settle(x, coldata.TextArray); err != nil {
						return nil, err
					}
				}
			}
			return b.call("array_cat", []*scalar{l, r}, e.Location)
		}
		return b.call("||", []*scalar{l, r}, e.Location)
	case "^":
		for _, x := range []*scalar{l, r} {
			if err := b.settle(x, coldata.Float64); err != nil {
				return nil, errAt(sqlerr.As(err), e.Location)
			}
		}
		if l.typ == coldata.Numeric && r.typ == coldata.Numeric {
			return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "numeric ^ numeric is not supported yet"), e.Location)
		}
		return b.call("power", []*scalar{l, r}, e.Location)
	case "->", "->>", "?":
		fn := map[string]string{"->": "jsonb_get", "->>": "jsonb_get_text", "?": "jsonb_exists"}[op]
		if l.unknownLit {
			if err := b.settle(l, coldata.Jsonb); err != nil {
				return nil, errAt(sqlerr.As(err), e.Location)
			}
		}
		return b.call(fn, []*scalar{l, r}, e.Location)
	}
	return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "operator %s is not supported yet", op), e.Location)
}

// unify brings two operands to one type for comparison: literals take the
// other side's type, integers widen, integers meet floats as floats.
func (b *binder) unify(l, r *scalar, op string, loc int32) (*scalar, *scalar, error) {
	switch {
	case l.unknownLit && r.unknownLit:
		b.settle(l, coldata.Text)
		b.settle(r, coldata.Text)
	case l.unknownLit:
		if err := b.settle(l, r.typ); err != nil {
			return nil, nil, errAt(sqlerr.As(err), loc)
		}
	case r.unknownLit:
		if err := b.settle(r, l.typ); err != nil {
			return nil, nil, errAt(sqlerr.As(err), loc)
		}
	}
	if l2, r2, ok := b.unifyDatetime(l, r); ok {
		return l2, r2, nil
	}
	lt, rt := l.typ, r.typ
	switch {
	case lt == rt, lt.IsInteger() && rt.IsInteger(), lt.IsFloat() && rt.IsFloat():
		return l, r, nil
	case (lt.IsInteger() || lt == coldata.Numeric) && rt.IsFloat():
		return callScalar("cast", coldata.Float64, l), r, nil
	case lt.IsFloat() && (rt.IsInteger() || rt == coldata.Numeric):
		return l, callScalar("cast", coldata.Float64, r), nil
	case lt.IsInteger() && rt == coldata.Numeric:
		return callScalar("cast", coldata.Numeric, l), r, nil
	case lt == coldata.Numeric && rt.IsInteger():
		return l, callScalar("cast", coldata.Numeric, r), nil
	}
	return nil, nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %s %s", lt, op, rt).
		WithHint("No operator matches the given name and argument types. You might need to add explicit type casts."), loc)
}

func (b *binder) compare(op string, l, r *scalar, loc int32) (*scalar, error) {
	l, err := realize(l, loc)
	if err != nil {
		return nil, err
	}
	if r, err = realize(r, loc); err != nil {
		return nil, err
	}
	// An element of the catalogs' oid[] and int2[] arrays, kept as
	// text[], compares as the number it is.
	if isArrayElem(r) && l.typ.IsInteger() {
		r = callScalar("cast", l.typ, r)
	} else if isArrayElem(l) && r.typ.IsInteger() {
		l = callScalar("cast", r.typ, l)
	}
	l, r, err = b.unify(l, r, op, loc)
	if err != nil {
		return nil, err
	}
	switch l.typ {
	case coldata.TextArray:
		if op == "=" || op == "<>" || op == "!=" {
			eq, err := b.call("array_eq", []*scalar{l, r}, loc)
			if err != nil || op == "=" {
				return eq, err
			}
			return callScalar("not", coldata.Bool, eq), nil
		}
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "comparison of %s values is not supported yet", l.typ), loc)
	case coldata.Jsonb:
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "comparison of %s values is not supported yet", l.typ), loc)
	}
	return callScalar(op, coldata.Bool, l, r), nil
}

// bindQuantified binds x op ANY (array) (any) and x op ALL (array). Over
// a constant array they are the ORs, or the ANDs, of x op each element,
// which is what they mean, NULLs included (and x = ANY('{a,b}') becomes
// an IN list, which scans use to skip blocks); over an array column only
// x = ANY (arr) is built.
func (b *binder) bindQuantified(op string, any bool, e *pg.A_Expr) (*scalar, error) {
	what := "ALL"
	if any {
		what = "ANY"
	}
	l, err := b.bind(e.Lexpr)
	if err != nil {
		return nil, err
	}
	r, err := b.bind(e.Rexpr)
	if err != nil {
		return nil, err
	}
	untyped := r.unknownLit // '{…}' takes its elements' type from the left side
	if r.unknownLit {
		if err := b.settle(r, coldata.TextArray); err != nil {
			return nil, errAt(sqlerr.As(err), e.Location)
		}
	}
	if r.typ != coldata.TextArray {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "%s %s (array) is supported over text[] only yet", op, what), e.Location)
	}
	if r.kind != kindConst {
		if op != "=" || !any {
			return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "%s %s (array) is supported over a constant array only yet", op, what), e.Location)
		}
		if l.typ.IsInteger() {
			// The catalogs' oid[] and int2[] columns are text[].
			l = callScalar("cast", coldata.Text, l)
		}
		return b.call("any_eq", []*scalar{l, r}, e.Location)
	}
	if r.datum.Null {
		return constScalar(nullDatum(coldata.Bool)), nil
	}
	elems, err := coldata.ParseTextArray(r.datum.GetS())
	if err != nil {
		return nil, errAt(sqlerr.New(sqlerr.InternalError, "%v", err), e.Location)
	}
	if len(elems) == 0 {
		return boolConst(!any), nil
	}
	if err := b.settle(l, coldata.Text); err != nil {
		return nil, errAt(sqlerr.As(err), e.Location)
	}
	var parts []*scalar
	for _, x := range elems {
		elem := textConst(x)
		elem.unknownLit = untyped && l.typ != coldata.Text
		c, err := b.compare(op, l, elem, e.Location)
		if err != nil {
			return nil, err
		}
		parts = append(parts, c)
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	if any {
		return callScalar("or", coldata.Bool, parts...), nil
	}
	return callScalar("and", coldata.Bool, parts...), nil
}

func isArrayElem(s *scalar) bool { return s.kind == kindCall && s.op == "array_elem" }

func (b *binder) arith(op string, l, r *scalar, loc int32) (*scalar, error) {
	if s, ok, err := b.intervalArith(op, l, r, loc); ok {
		return s, err
	}
	if l.unknownLit && r.unknownLit {
		return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "operator is not unique: unknown %s unknown", op), loc)
	}
	l, r, err := b.unify(l, r, op, loc)
	if err != nil {
		return nil, err
	}
	t := l.typ
	switch {
	case t.IsInteger():
		// The wider of the two: smallint + integer is integer.
		if wt, ok := exec.CommonType([]coldata.Type{l.typ, r.typ}); ok {
			t = wt
		}
	case t.IsFloat():
		t = coldata.Float64
		if op == "%" {
			return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %% %s", l.typ, r.typ), loc)
		}
	case t == coldata.Numeric:
	default:
		return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %s %s", l.typ, op, r.typ).
			WithHint("No operator matches the given name and argument types. You might need to add explicit type casts."), loc)
	}
	return callScalar(op, t, l, r), nil
}

func (b *binder) bindBoolExpr(e *pg.BoolExpr) (*scalar, error) {
	args := make([]*scalar, len(e.Args))
	for i, a := range e.Args {
		s, err := b.bind(a)
		if err != nil {
			return nil, err
		}
		if err := b.settle(s, coldata.Bool); err != nil {
			return nil, errAt(sqlerr.As(err), e.Location)
		}
		if s.typ != coldata.Bool {
			return nil, errAt(sqlerr.New(sqlerr.DatatypeMismatch, "argument of %s must be type boolean, not type %s", boolOpName(e.Boolop), s.typ), e.Location)
		}
		args[i] = s
	}
	switch e.Boolop {
	case pg.BoolExprType_AND_EXPR:
		return callScalar("and", coldata.Bool, args...), nil
	case pg.BoolExprType_OR_EXPR:
		return callScalar("or", coldata.Bool, args...), nil
	}
	return callScalar("not", coldata.Bool, args...), nil
}

func boolOpName(t pg.BoolExprType) string {
	switch t {
	case pg.BoolExprType_AND_EXPR:
		return "AND"
	case pg.BoolExprType_OR_EXPR:
		return "OR"
	}
	return "NOT"
}

var aggregates = map[string]bool{"count": true, "sum": true, "min": true, "max": true, "avg": true,
	"bool_and": true, "bool_or": true, "every": true, "var_pop": true, "var_samp": true, "variance": true,
	"stddev_pop": true, "stddev_samp": true, "stddev": true, "string_agg": true, "array_agg": true,
	"percentile_cont": true, "percentile_disc": true, "mode": true,
	// armorlake's own, from mergeable sketches
	"approx_count_distinct": true, "approx_percentile": true}

func (b *binder) bindFuncCall(f *pg.FuncCall) (*scalar, error) {
	name := strings.ToLower(operatorName(f.Funcname))
	if len(f.Funcname) == 2 && f.Funcname[0].GetString_().Sval != "pg_catalog" {
		return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s.%s does not exist", f.Funcname[0].GetString_().Sval, name), f.Location)
	}
	if name == "timezone" && len(f.Args) == 2 && f.Over == nil && !f.AggStar && !f.AggDistinct {
		args := make([]*scalar, 2)
		for i, a := range f.Args {
			s, err := b.bind(a)
			if err != nil {
				return nil, err
			}
			args[i] = s
		}
		return b.bindAtTimeZone(args, f.Location)
	}
	if s, ok, err := b.bindCatalogFunc(name, f); ok {
		return s, err
	}
	if name == "unnest" {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "set-returning functions are not allowed in %s", cmp.Or(b.clause, "this context")), f.Location)
	}
	if f.Over != nil && (rankingFuncs[name] || name == "lag" || name == "lead" || aggregates[name] ||
		name == "first_value" || name == "last_value" || name == "nth_value") {
		return b.bindWindow(name, f)
	}
	if !aggregates[name] && (exec.HasFunc(name) || exec.HasFunc(funcAliases[name]) || nowFuncs[name]) {
		if f.AggStar || f.AggDistinct || f.Over != nil || f.AggFilter != nil || len(f.AggOrder) > 0 {
			return nil, errAt(sqlerr.New(sqlerr.WrongObjectType, "%s is not an aggregate function", name), f.Location)
		}
		s, _, err := b.bindScalarFunc(name, f.Args, f.Location)
		return s, err
	}
	if !aggregates[name] && postgresFunctions[name] {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "function %s is not supported yet", name), f.Location)
	}
	if !aggregates[name] {
		return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s does not exist", name).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts."), f.Location)
	}
	if f.AggWithinGroup != exec.IsOrderedSetAgg(name) {
		if f.AggWithinGroup {
			return nil, errAt(sqlerr.New(sqlerr.WrongObjectType, "%s is not an ordered-set aggregate, so it cannot have WITHIN GROUP", name), f.Location)
		}
		// PostgreSQL finds no function of that name taking only the
		// direct arguments.
		return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s without WITHIN GROUP does not exist", name).
			WithHint(name+" is an ordered-set aggregate: write "+name+"(…) WITHIN GROUP (ORDER BY …)."), f.Location)
	}
	if !b.aggAllowed {
		return nil, errAt(sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in %s", b.clause), f.Location)
	}
	if b.inAgg {
		return nil, errAt(sqlerr.New(sqlerr.GroupingError, "aggregate function calls cannot be nested"), f.Location)
	}
	b.inAgg = true
	call, err := b.bindAggCall(name, f)
	b.inAgg = false
	if err != nil {
		return nil, err
	}
	def, err := call.def()
	if err != nil {
		return nil, errAt(sqlerr.As(err), f.Location)
	}
	return &scalar{kind: kindAgg, typ: def.Result, agg: call}, nil
}

// bindAggCall binds an aggregate's arguments, ORDER BY or WITHIN GROUP,
// and FILTER.
func (b *binder) bindAggCall(name string, f *pg.FuncCall) (*aggCall, error) {
	call := &aggCall{name: name, distinct: f.AggDistinct}
	if f.AggStar && name != "count" {
		return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s(*) does not exist", name), f.Location)
	}
	var direct []*scalar
	for _, a := range f.Args {
		arg, err := b.bind(a)
		if err != nil {
			return nil, err
		}
		b.settle(arg, coldata.Text)
		if f.AggWithinGroup {
			direct = append(direct, arg)
		} else {
			call.args = append(call.args, arg)
		}
	}
	for _, n := range f.AggOrder {
		// Unlike a query's ORDER BY, a number here is a constant and a
		// name is an input column.
		sb := n.GetSortBy()
		item, err := sortDirection(sb)
		if err != nil {
			return nil, errAt(sqlerr.As(err), f.Location)
		}
		if item.expr, err = b.bind(sb.Node); err != nil {
			return nil, err
		}
		b.settle(item.expr, coldata.Text)
		call.order = append(call.order, item)
	}
	if f.AggFilter != nil {
		cond, err := b.bind(f.AggFilter)
		if err != nil {
			return nil, err
		}
		if err := b.settle(cond, coldata.Bool); err != nil {
			return nil, errAt(sqlerr.As(err), f.Location)
		}
		if cond.typ != coldata.Bool {
			return nil, errAt(sqlerr.New(sqlerr.DatatypeMismatch, "argument of FILTER must be type boolean, not type %s", cond.typ), f.Location)
		}
		call.filter = cond
	}
	if call.distinct && len(call.order) > 0 {
		for _, o := range call.order {
			found := false
			for _, a := range call.args {
				found = found || a.key() == o.expr.key()
			}
			if !found {
				return nil, errAt(sqlerr.New(sqlerr.InvalidColumnReference, "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list"), f.Location)
			}
		}
	}
	if !exec.IsOrderSensitiveAgg(name) && !f.AggWithinGroup {
		call.order = nil // it cannot change the result
	}
	if f.AggWithinGroup {
		return call, b.bindWithinGroup(call, direct, f)
	}
	if name == "approx_percentile" {
		// approx_percentile(value, fraction): the value as double
		// precision, the fraction a constant.
		if len(call.args) != 2 || !call.args[0].typ.IsNumber() {
			return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function approx_percentile(%s) does not exist", scalarTypes(call.args)).
				WithHint("approx_percentile(value, fraction) takes a number and a constant fraction between 0 and 1."), f.Location)
		}
		if call.args[0].typ != coldata.Float64 {
			call.args[0] = callScalar("cast", coldata.Float64, call.args[0])
		}
		frac, err := constFraction(call.name, call.args[1], f.Location)
		if err != nil {
			return nil, err
		}
		call.args, call.fraction = call.args[:1], frac
	}
	return call, nil
}

func scalarTypes(args []*scalar) string {
	var names []string
	for _, a := range args {
		names = append(names, a.typ.String())
	}
	return strings.Join(names, ", ")
}

// constFraction reads a percentile's fraction, which must be a constant.
func constFraction(name string, frac *scalar, loc int32) (float64, error) {
	if frac.typ == coldata.TextArray {
		return 0, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "%s over an array of fractions is not supported yet", name), loc)
	}
	if !frac.typ.IsNumber() {
		return 0, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s(%s) does not exist", name, frac.typ), loc)
	}
	if frac.kind != kindConst || frac.datum.Null {
		return 0, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "%s takes a constant, non-NULL fraction", name), loc)
	}
	switch v := frac.datum.Value.(type) {
	case *rpcpb.Datum_F:
		return v.F, nil
	case *rpcpb.Datum_I:
		return float64(v.I), nil
	case *rpcpb.Datum_S:
		x, err := strconv.ParseFloat(v.S, 64)
		if err != nil {
			return 0, errAt(sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid fraction %q", v.S), loc)
		}
		return x, nil
	}
	return 0, errAt(sqlerr.New(sqlerr.InternalError, "fraction of type %s", frac.typ), loc)
}

// bindWithinGroup checks an ordered-set aggregate's direct argument (a
// constant fraction for the percentiles, none for mode) and brings
// percentile_cont's sort key to double precision, as PostgreSQL does.
func (b *binder) bindWithinGroup(call *aggCall, direct []*scalar, f *pg.FuncCall) error {
	want := 1
	if call.name == "mode" {
		want = 0
	}
	if len(direct) != want || len(call.order) != 1 {
		return errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s with %d direct and %d ordered arguments does not exist", call.name, len(direct), len(call.order)), f.Location)
	}
	if call.name == "percentile_cont" {
		key := call.order[0].expr
		if !key.typ.IsNumber() {
			return errAt(sqlerr.New(sqlerr.UndefinedFunction, "function percentile_cont(double precision ORDER BY %s) does not exist", key.typ).
				WithHint("No function matches the given name and argument types. You might need to add explicit type casts."), f.Location)
		}
		if key.typ != coldata.Float64 {
			call.order[0].expr = callScalar("cast", coldata.Float64, key)
		}
	}
	if want == 0 {
		return nil
	}
	frac, err := constFraction(call.name, direct[0], f.Location)
	call.fraction = frac
	return err
}

func (b *binder) bindTypeCast(c *pg.TypeCast) (*scalar, error) {
	arg, err := b.bind(c.Arg)
	if err != nil {
		return nil, err
	}
	if strings.ToLower(operatorName(c.TypeName.Names)) == "interval" && len(c.TypeName.ArrayBounds) == 0 {
		if len(c.TypeName.Typmods) > 0 {
			return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "interval field qualifiers are not supported yet"), c.Location)
		}
		return b.bindIntervalCast(arg, c.Location)
	}
	switch tn := strings.ToLower(operatorName(c.TypeName.Names)); {
	case len(c.TypeName.ArrayBounds) > 0:
	case tn == "regclass" || tn == "regtype" || tn == "regnamespace" || tn == "regrole" || tn == "regproc" || tn == "regprocedure":
		return b.regCast(arg, tn, c.Location)
	}
	if len(c.TypeName.ArrayBounds) > 0 && arg.typ == coldata.TextArray && !arg.unknownLit {
		// Arrays of the catalogs' OIDs and attribute numbers are kept
		// as text[]: casting one to oid[] or int2[] keeps it.
		switch strings.ToLower(operatorName(c.TypeName.Names)) {
		case "int2", "smallint", "int4", "integer", "int", "oid", "int8", "bigint", "char", "name", "text", "varchar":
			return arg, nil
		}
	}
	t, err := typeFromName(c.TypeName)
	if err != nil {
		return nil, errAt(sqlerr.As(err), c.Location)
	}
	if arg.unknownLit {
		if err := b.settle(arg, t); err != nil {
			return nil, errAt(sqlerr.As(err), c.Location)
		}
		return arg, nil
	}
	if arg.typ == t {
		return arg, nil
	}
	if c, ok := b.convertDatetime(arg, t); ok {
		return c, nil
	}
	if (arg.typ.IsNumber() && t.IsNumber()) || (arg.typ == coldata.Text && (t.IsNumber() || t == coldata.Bool)) {
		return callScalar("cast", t, arg), nil
	}
	if t == coldata.Text && arg.typ == coldata.Timestamptz {
		return b.call("ts_text", []*scalar{arg, b.zoneConst()}, c.Location)
	}
	if t == coldata.Text && arg.typ != coldata.Timestamptz {
		// The value's text form, as PostgreSQL prints it.
		return callScalar("cast", t, arg), nil
	}
	if arg.typ == coldata.Bool && t.IsInteger() && t != coldata.Int16 {
		return callScalar("cast", t, arg), nil
	}
	return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "cast from %s to %s is not supported yet", arg.typ, t), c.Location)
}

// typeFromName resolves a SQL type name as PostgreSQL spells it.
func typeFromName(tn *pg.TypeName) (coldata.Type, error) {
	name := strings.ToLower(operatorName(tn.Names))
	if len(tn.ArrayBounds) > 0 {
		if name == "text" || name == "varchar" {
			return coldata.TextArray, nil
		}
		return coldata.Unknown, sqlerr.New(sqlerr.FeatureNotSupported, "type %s[] is not supported yet", name)
	}
	switch name {
	case "bool", "boolean":
		return coldata.Bool, nil
	case "int2", "smallint":
		return coldata.Int16, nil
	case "int4", "int", "integer":
		return coldata.Int32, nil
	case "int8", "bigint", "oid", "xid":
		return coldata.Int64, nil
	case "float4", "real":
		return coldata.Float32, nil
	case "float8", "double precision":
		return coldata.Float64, nil
	case "text", "varchar", "bpchar", "name", "character varying", "char", "pg_node_tree":
		return coldata.Text, nil
	case "timestamptz", "timestamp with time zone":
		return coldata.Timestamptz, nil
	case "timestamp", "timestamp without time zone":
		return coldata.Timestamp, nil
	case "date":
		return coldata.Date, nil
	case "jsonb":
		return coldata.Jsonb, nil
	case "numeric", "decimal":
		return coldata.Numeric, nil
	}
	if postgresTypes[name] {
		return coldata.Unknown, sqlerr.New(sqlerr.FeatureNotSupported, "type %s is not supported yet", name)
	}
	return coldata.Unknown, sqlerr.New(sqlerr.UndefinedObject, "type %q does not exist", name)
}

// postgresFunctions names functions PostgreSQL has and armorlake does not
// yet: calling one is "not supported yet" (0A000), not "does not exist"
// (42883), which would tell the user the query is wrong.
var postgresFunctions = setOf(
	// strings
	"lower", "upper", "length", "char_length", "character_length", "octet_length", "substring", "substr",
	"position", "strpos", "split_part", "concat", "concat_ws", "replace", "trim", "btrim", "ltrim", "rtrim",
	"left", "right", "lpad", "rpad", "repeat", "reverse", "initcap", "starts_with", "md5", "format",
	"regexp_replace", "regexp_match", "regexp_matches", "regexp_split_to_array", "regexp_like", "to_char",
	"quote_ident", "quote_literal", "string_to_array", "array_to_string",
	// numbers
	"abs", "ceil", "ceiling", "floor", "round", "trunc", "sqrt", "power", "pow", "exp", "ln", "log", "mod",
	"sign", "random", "width_bucket", "div",
	// time
	"date_trunc", "date_bin", "date_part", "extract", "to_timestamp", "now", "clock_timestamp",
	"statement_timestamp", "transaction_timestamp", "timezone", "age", "make_interval", "make_timestamptz",
	"to_date", "justify_interval",
	// conditionals
	"coalesce", "nullif", "greatest", "least",
	// arrays and json
	"array_length", "cardinality", "unnest", "array_position", "array_remove", "jsonb_extract_path",
	"jsonb_extract_path_text", "jsonb_typeof", "jsonb_array_length", "jsonb_object_keys", "to_jsonb",
	"jsonb_build_object", "json_build_object",
	// aggregates and window functions
	"string_agg", "array_agg", "bool_and", "bool_or", "every", "stddev", "stddev_pop", "stddev_samp",
	"variance", "var_pop", "var_samp", "percentile_cont", "percentile_disc", "mode", "json_agg", "jsonb_agg",
	"row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value",
	"last_value", "nth_value",
	// session and catalog
	"version", "current_database", "current_schema", "current_schemas", "current_user", "session_user",
	"current_setting", "set_config", "pg_typeof", "format_type", "pg_get_expr", "pg_table_is_visible",
	"has_table_privilege", "has_schema_privilege", "pg_get_userbyid", "obj_description", "col_description",
	"pg_encoding_to_char", "pg_backend_pid", "pg_postmaster_start_time", "generate_series",
)

// postgresTypes names types PostgreSQL has and armorlake does not yet.
var postgresTypes = setOf(
	"time", "timetz", "time without time zone",
	"time with time zone", "uuid", "inet", "cidr", "bytea", "json", "character", "money", "bit",
	"varbit", "xml", "point", "tsvector", "int4range", "tstzrange",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
