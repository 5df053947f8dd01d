package planner

import (
	"math/big"
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/sqlerr"
)

// Scalar functions and the expression forms PostgreSQL's grammar gives
// their own nodes (CASE, COALESCE, GREATEST, NULLIF, CURRENT_TIMESTAMP,
// LIKE, regular expression matches, ||).

// funcAliases maps names the grammar or users use to the function exec
// knows by another.
var funcAliases = map[string]string{
	"position": "strpos", // position(a IN b) arrives as position(b, a)
	"trim":     "btrim",
	"ceiling":  "ceil",
	"pow":      "power",
	"substr":   "substring",
}

// zonedFuncs take the session's time zone as a last argument.
var zonedFuncs = map[string]bool{"date_trunc": true, "date_part": true, "extract": true}

// nowFuncs are the current time: the statement's start.
var nowFuncs = map[string]bool{"now": true, "statement_timestamp": true, "transaction_timestamp": true, "current_timestamp": true}

// bindScalarFunc binds a call of a scalar function, or reports ok false
// when exec has no function of that name.
func (b *binder) bindScalarFunc(name string, argNodes []*pg.Node, loc int32) (*scalar, bool, error) {
	if alias, ok := funcAliases[name]; ok {
		name = alias
	}
	if nowFuncs[name] {
		if len(argNodes) != 0 {
			return nil, true, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s with arguments does not exist", name), loc)
		}
		return b.now(), true, nil
	}
	if !exec.HasFunc(name) {
		return nil, false, nil
	}
	args := make([]*scalar, len(argNodes))
	for i, a := range argNodes {
		s, err := b.bind(a)
		if err != nil {
			return nil, true, err
		}
		args[i] = s
	}
	if name == "date_bin" {
		s, err := b.bindDateBin(args, loc)
		return s, true, err
	}
	if (name == "extract" || name == "date_part") && len(args) == 2 && args[1].typ == typeInterval {
		s, err := foldIntervalField(name, args[0], *args[1].iv, loc)
		if err == nil || sqlerr.Code(err) != sqlerr.FeatureNotSupported {
			return s, true, err
		}
		if args[1], err = realize(args[1], loc); err != nil {
			return nil, true, err
		}
	}
	if (name == "extract" || name == "date_part") && len(args) == 2 && args[1].typ == coldata.Interval {
		fn := "iv_part"
		if name == "extract" {
			fn = "iv_extract"
		}
		s, err := b.call(fn, args, loc)
		return s, true, err
	}
	if zonedFuncs[name] {
		// Of a timestamp without time zone (and of a date, read as
		// one), the fields are the wall clock's: UTC. date_trunc of a
		// date is of the timestamptz it casts to.
		zone := b.zoneConst()
		if len(args) == 2 {
			if args[1].typ == coldata.Date {
				to := coldata.Timestamp
				if name == "date_trunc" {
					to = coldata.Timestamptz
				}
				args[1], _ = b.convertDatetime(args[1], to)
			}
			if args[1].typ == coldata.Timestamp {
				zone = constScalar(&rpcpb.Datum{Type: uint32(coldata.Text), Value: &rpcpb.Datum_S{S: "UTC"}})
			}
		}
		args = append(args, zone)
	}
	s, err := b.call(name, args, loc)
	if err == nil && name == "floor" {
		s = epochBucket(s)
	}
	return s, true, err
}

// now is the statement's start time as a constant.
func (b *binder) now() *scalar {
	return constScalar(&rpcpb.Datum{Type: uint32(coldata.Timestamptz), Value: &rpcpb.Datum_I{I: b.start.UnixMicro()}})
}

// zoneConst is the session's time zone name as a text constant.
func (b *binder) zoneConst() *scalar {
	name := "UTC"
	if b.loc != nil {
		name = b.loc.String()
	}
	return constScalar(&rpcpb.Datum{Type: uint32(coldata.Text), Value: &rpcpb.Datum_S{S: name}})
}

// call types a call of exec function name over bound arguments: untyped
// literals take the types the function asks for, numbers are cast up.
func (b *binder) call(name string, args []*scalar, loc int32) (*scalar, error) {
	for i, a := range args {
		r, err := realize(a, loc)
		if err != nil {
			return nil, err
		}
		args[i] = r
	}
	types := make([]coldata.Type, len(args))
	for i, a := range args {
		types[i] = a.typ
		if a.unknownLit {
			types[i] = coldata.Unknown
		}
	}
	want, result, ok := exec.ResolveFunc(name, types)
	if !ok {
		names := make([]string, len(args))
		for i, t := range types {
			names[i] = t.String()
			if t == coldata.Unknown {
				names[i] = "unknown"
			}
		}
		return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(names, ", ")).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts."), loc)
	}
	for i := range args {
		c, err := b.coerce(args[i], want[i], loc)
		if err != nil {
			return nil, err
		}
		args[i] = c
	}
	if (name == "||" || name == "concat") && anyType(args, coldata.Timestamptz) {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "%s of timestamp with time zone values is not supported yet", name), loc)
	}
	return callScalar(name, result, args...), nil
}

func anyType(args []*scalar, t coldata.Type) bool {
	for _, a := range args {
		if a.typ == t {
			return true
		}
	}
	return false
}

// coerce brings s to type t: an untyped literal is read as t, a number
// is cast to another number type.
func (b *binder) coerce(s *scalar, t coldata.Type, loc int32) (*scalar, error) {
	if s.unknownLit {
		if err := b.settle(s, t); err != nil {
			return nil, errAt(sqlerr.As(err), loc)
		}
		return s, nil
	}
	switch {
	case s.typ == t:
		return s, nil
	case s.typ.IsNumber() && t.IsNumber():
		return callScalar("cast", t, s), nil
	}
	return nil, errAt(sqlerr.New(sqlerr.DatatypeMismatch, "%s cannot be used as %s", s.typ, t), loc)
}

// bindCase binds CASE [arg] WHEN … THEN … [ELSE …] END: a simple CASE
// compares arg with each WHEN value.
func (b *binder) bindCase(c *pg.CaseExpr) (*scalar, error) {
	var arg *scalar
	if c.Arg != nil {
		a, err := b.bind(c.Arg)
		if err != nil {
			return nil, err
		}
		arg = a
	}
	var conds, vals []*scalar
	for _, w := range c.Args {
		cw := w.GetCaseWhen()
		if cw == nil {
			return nil, sqlerr.New(sqlerr.InternalError, "CASE: unexpected %s", nodeName(w))
		}
		cond, err := b.bind(cw.Expr)
		if err != nil {
			return nil, err
		}
		if arg != nil {
			if cond, err = b.compare("=", arg, cond, cw.Location); err != nil {
				return nil, err
			}
		}
		if err := b.settle(cond, coldata.Bool); err != nil {
			return nil, errAt(sqlerr.As(err), cw.Location)
		}
		if cond.typ != coldata.Bool {
			return nil, errAt(sqlerr.New(sqlerr.DatatypeMismatch, "argument of CASE/WHEN must be type boolean, not type %s", cond.typ), cw.Location)
		}
		v, err := b.bind(cw.Result)
		if err != nil {
			return nil, err
		}
		conds, vals = append(conds, cond), append(vals, v)
	}
	results := vals
	if c.Defresult != nil {
		d, err := b.bind(c.Defresult)
		if err != nil {
			return nil, err
		}
		results = append(append([]*scalar(nil), vals...), d)
	}
	t, err := b.commonType(results, "CASE", c.Location)
	if err != nil {
		return nil, err
	}
	var args []*scalar
	for i := range conds {
		v, err := b.coerce(results[i], t, c.Location)
		if err != nil {
			return nil, err
		}
		args = append(args, conds[i], v)
	}
	if c.Defresult != nil {
		d, err := b.coerce(results[len(results)-1], t, c.Location)
		if err != nil {
			return nil, err
		}
		args = append(args, d)
	}
	return callScalar("case", t, args...), nil
}

// commonType is the type the values of a CASE, COALESCE or GREATEST
// meet in; PostgreSQL's 42804 when they cannot.
func (b *binder) commonType(vals []*scalar, what string, loc int32) (coldata.Type, error) {
	types := make([]coldata.Type, len(vals))
	for i, v := range vals {
		types[i] = v.typ
		if v.unknownLit {
			types[i] = coldata.Unknown
		}
	}
	t, ok := exec.CommonType(types)
	if ok {
		return t, nil
	}
	first := coldata.Unknown
	for _, x := range types {
		if x == coldata.Unknown {
			continue
		}
		if first != coldata.Unknown && x != first {
			return coldata.Unknown, errAt(sqlerr.New(sqlerr.DatatypeMismatch, "%s types %s and %s cannot be matched", what, first, x), loc)
		}
		first = x
	}
	return coldata.Unknown, errAt(sqlerr.New(sqlerr.DatatypeMismatch, "%s types cannot be matched", what), loc)
}

// bindVariadic binds COALESCE, GREATEST and LEAST over their arguments'
// common type.
func (b *binder) bindVariadic(name string, nodes []*pg.Node, loc int32) (*scalar, error) {
	args := make([]*scalar, len(nodes))
	for i, n := range nodes {
		s, err := b.bind(n)
		if err != nil {
			return nil, err
		}
		args[i] = s
	}
	t, err := b.commonType(args, strings.ToUpper(name), loc)
	if err != nil {
		return nil, err
	}
	for i := range args {
		if args[i], err = b.coerce(args[i], t, loc); err != nil {
			return nil, err
		}
	}
	return b.call(name, args, loc)
}

// bindSQLValue binds CURRENT_TIMESTAMP and its kin.
func (b *binder) bindSQLValue(f *pg.SQLValueFunction) (*scalar, error) {
	switch f.Op {
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
		return b.now(), nil
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_DATE, pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		// The statement's start on the session's wall clock, folded.
		now := b.start
		if b.loc != nil {
			now = now.In(b.loc)
		}
		_, off := now.Zone()
		wall := b.start.UnixMicro() + int64(off)*1e6
		if f.Op == pg.SQLValueFunctionOp_SVFOP_CURRENT_DATE {
			return constScalar(&rpcpb.Datum{Type: uint32(coldata.Date), Value: &rpcpb.Datum_I{I: coldata.FloorDiv(wall, 86400e6)}}), nil
		}
		return constScalar(&rpcpb.Datum{Type: uint32(coldata.Timestamp), Value: &rpcpb.Datum_I{I: wall}}), nil
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_USER, pg.SQLValueFunctionOp_SVFOP_USER, pg.SQLValueFunctionOp_SVFOP_SESSION_USER,
		pg.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
		return textConst(b.sessionUser()), nil
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		return textConst(b.sessionDatabase()), nil
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
		return textConst("public"), nil
	}
	return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "%s is not supported yet",
		strings.TrimPrefix(f.Op.String(), "SVFOP_")), f.Location)
}

// matchOps maps the operators of LIKE, ILIKE and regular expressions to
// exec functions.
var matchOps = map[string]string{
	"~~": "like", "!~~": "not_like", "~~*": "ilike", "!~~*": "not_ilike",
	"~": "regex", "!~": "not_regex", "~*": "iregex", "!~*": "not_iregex",
}

// bindMatch binds value LIKE/ILIKE/~ pattern.
func (b *binder) bindMatch(op string, l, r *pg.Node, loc int32) (*scalar, error) {
	fn, ok := matchOps[op]
	if !ok {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "operator %s is not supported yet", op), loc)
	}
	if fc := r.GetFuncCall(); fc != nil && operatorName(fc.Funcname) == "like_escape" {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "LIKE ... ESCAPE is not supported yet"), loc)
	}
	ls, err := b.bind(l)
	if err != nil {
		return nil, err
	}
	rs, err := b.bind(r)
	if err != nil {
		return nil, err
	}
	return b.call(fn, []*scalar{ls, rs}, loc)
}

// bindSimilar binds x [NOT] SIMILAR TO pattern [ESCAPE e], which the
// parser hands over as x ~ similar_to_escape(pattern [, e]): a constant
// pattern becomes its regular expression here, once.
func (b *binder) bindSimilar(op string, l, r *pg.Node, loc int32) (*scalar, error) {
	fc := r.GetFuncCall()
	if fc == nil || operatorName(fc.Funcname) != "similar_to_escape" || len(fc.Args) == 0 || len(fc.Args) > 2 {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "this form of SIMILAR TO is not supported"), loc)
	}
	var parts []*scalar
	for _, a := range fc.Args {
		s, err := b.bind(a)
		if err != nil {
			return nil, err
		}
		if err := b.settle(s, coldata.Text); err != nil {
			return nil, errAt(sqlerr.As(err), loc)
		}
		if s.typ != coldata.Text {
			return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function similar_to_escape(%s) does not exist", s.typ), loc)
		}
		if s.kind != kindConst {
			return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "SIMILAR TO takes a constant pattern and escape"), loc)
		}
		parts = append(parts, s)
	}
	ls, err := b.bind(l)
	if err != nil {
		return nil, err
	}
	pattern := constScalar(nullDatum(coldata.Text))
	escape := `\`
	if len(parts) == 2 {
		if parts[1].datum.Null {
			return b.call(matchOps[op], []*scalar{ls, pattern}, loc)
		}
		escape = parts[1].datum.GetS()
	}
	if !parts[0].datum.Null {
		re, err := exec.SimilarToRegex(parts[0].datum.GetS(), escape)
		if err != nil {
			return nil, errAt(sqlerr.As(err), loc)
		}
		pattern = constScalar(&rpcpb.Datum{Type: uint32(coldata.Text), Value: &rpcpb.Datum_S{S: re}})
	}
	return b.call(matchOps[op], []*scalar{ls, pattern}, loc)
}

// foldIntervalField folds extract(epoch FROM interval) and date_part of
// it: seconds, counting a month as 30 days and a year as 365.25, as
// PostgreSQL does.
func foldIntervalField(name string, field *scalar, iv interval, loc int32) (*scalar, error) {
	if field.kind != kindConst || field.datum.Null || strings.ToLower(field.datum.GetS()) != "epoch" {
		return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "%s of an interval is supported for epoch only", name), loc)
	}
	years, months := iv.months/12, iv.months%12
	// Seconds as an exact decimal with six places.
	us := new(big.Int).SetInt64(iv.us)
	us.Add(us, new(big.Int).Mul(big.NewInt(iv.days+months*30), big.NewInt(86400e6)))
	us.Add(us, new(big.Int).Mul(big.NewInt(years), big.NewInt(31557600e6))) // 365.25 days
	text := exec.FormatScaled(us, 6)
	if name == "date_part" {
		f, _ := strconv.ParseFloat(text, 64)
		return constScalar(&rpcpb.Datum{Type: uint32(coldata.Float64), Value: &rpcpb.Datum_F{F: f}}), nil
	}
	return constScalar(&rpcpb.Datum{Type: uint32(coldata.Numeric), Value: &rpcpb.Datum_S{S: text}}), nil
}

// bindDistinctFrom binds a IS [NOT] DISTINCT FROM b: equality where NULL
// equals NULL and nothing else.
func (b *binder) bindDistinctFrom(e *pg.A_Expr) (*scalar, error) {
	l, err := b.bind(e.Lexpr)
	if err != nil {
		return nil, err
	}
	r, err := b.bind(e.Rexpr)
	if err != nil {
		return nil, err
	}
	ne, err := b.compare("<>", l, r, e.Location)
	if err != nil {
		return nil, err
	}
	lnull := callScalar("is_null", coldata.Bool, ne.args[0])
	rnull := callScalar("is_null", coldata.Bool, ne.args[1])
	f := func(v bool) *scalar {
		return constScalar(&rpcpb.Datum{Type: uint32(coldata.Bool), Value: &rpcpb.Datum_B{B: v}})
	}
	// CASE WHEN l IS NULL THEN NOT r IS NULL WHEN r IS NULL THEN true ELSE l <> r END
	distinct := callScalar("case", coldata.Bool, lnull, callScalar("not", coldata.Bool, rnull), rnull, f(true), ne)
	if e.Kind == pg.A_Expr_Kind_AEXPR_NOT_DISTINCT {
		return callScalar("not", coldata.Bool, distinct), nil
	}
	return distinct, nil
}

// bindBooleanTest binds x IS [NOT] TRUE / FALSE / UNKNOWN: never NULL.
func (b *binder) bindBooleanTest(t *pg.BooleanTest) (*scalar, error) {
	x, err := b.bind(t.Arg)
	if err != nil {
		return nil, err
	}
	if err := b.settle(x, coldata.Bool); err != nil {
		return nil, err
	}
	if x.typ != coldata.Bool {
		return nil, errAt(sqlerr.New(sqlerr.DatatypeMismatch, "argument of IS %s must be type boolean, not type %s",
			strings.TrimPrefix(t.Booltesttype.String(), "IS_"), x.typ), t.Location)
	}
	f := func(v bool) *scalar {
		return constScalar(&rpcpb.Datum{Type: uint32(coldata.Bool), Value: &rpcpb.Datum_B{B: v}})
	}
	not := func(s *scalar) *scalar { return callScalar("not", coldata.Bool, s) }
	isNull := callScalar("is_null", coldata.Bool, x)
	switch t.Booltesttype {
	case pg.BoolTestType_IS_TRUE:
		return callScalar("case", coldata.Bool, isNull, f(false), x), nil
	case pg.BoolTestType_IS_NOT_TRUE:
		return callScalar("case", coldata.Bool, isNull, f(true), not(x)), nil
	case pg.BoolTestType_IS_FALSE:
		return callScalar("case", coldata.Bool, isNull, f(false), not(x)), nil
	case pg.BoolTestType_IS_NOT_FALSE:
		return callScalar("case", coldata.Bool, isNull, f(true), x), nil
	case pg.BoolTestType_IS_UNKNOWN:
		return isNull, nil
	}
	return callScalar("is_not_null", coldata.Bool, x), nil
}
