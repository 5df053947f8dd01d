package planner

import (
	"context"
	"maps"
	"runtime"
	"slices"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/pgcatalog"
	"github.com/armorlake/armorlake/rpcpb"
	"github.com/armorlake/armorlake/sqlerr"
)

// Session and catalog functions: values the session knows when the
// statement is planned (version(), current_user, current_setting), and
// lookups into the catalogs it sees (pg_get_userbyid, regclass output,
// obj_description), bound as constants or as CASE expressions over the
// few objects there are. Functions of the catalogs that do not depend on
// the session (format_type, pg_table_is_visible) are exec's.

func textDatum(s string) *rpcpb.Datum {
	return &rpcpb.Datum{Type: uint32(coldata.Text), Value: &rpcpb.Datum_S{S: s}}
}

func textConst(s string) *scalar { return constScalar(textDatum(s)) }

func intConst(t coldata.Type, v int64) *scalar {
	return constScalar(&rpcpb.Datum{Type: uint32(t), Value: &rpcpb.Datum_I{I: v}})
}

func boolConst(v bool) *scalar {
	return constScalar(&rpcpb.Datum{Type: uint32(coldata.Bool), Value: &rpcpb.Datum_B{B: v}})
}

func textArrayConst(elems ...string) *scalar {
	return constScalar(&rpcpb.Datum{Type: uint32(coldata.TextArray), Value: &rpcpb.Datum_S{S: string(coldata.AppendTextArrayLiteral(nil, elems))}})
}

// serverVersion is the session's server_version ("16.4 (armorlake)").
func (b *binder) setting(name string) (string, bool) {
	if b.sess == nil || b.sess.Setting == nil {
		return "", false
	}
	return b.sess.Setting(name)
}

func (b *binder) sessionUser() string {
	if b.sess != nil && b.sess.User != "" {
		return b.sess.User
	}
	return pgcatalog.SuperuserName
}

func (b *binder) sessionDatabase() string {
	if b.sess != nil && b.sess.Database != "" {
		return b.sess.Database
	}
	return "armorlake"
}

// versionString is version(): "PostgreSQL 16.4 (armorlake) on …", the
// form drivers parse the major and minor version from.
func (b *binder) versionString() string {
	v, ok := b.setting("server_version")
	if !ok {
		v = "16.4 (armorlake)"
	}
	return "PostgreSQL " + v + " on " + runtime.GOARCH + "-" + runtime.GOOS + ", compiled by " + runtime.Version() + ", 64-bit"
}

// readPrivileges are the privileges a read-only database grants.
var readPrivileges = map[string]bool{"select": true, "usage": true, "connect": true, "execute": true,
	"references": false, "temp": false, "temporary": false}

// bindCatalogFunc binds name(args) when it is a session or catalog
// function; handled is false for other names.
func (b *binder) bindCatalogFunc(name string, f *pg.FuncCall) (s *scalar, handled bool, err error) {
	if strings.HasPrefix(name, "pg_") && strings.HasSuffix(name, "_is_visible") && name != "pg_table_is_visible" {
		// pg_type_is_visible, pg_operator_is_visible, …: every object
		// armorlake's catalogs list is in pg_catalog or public, both on
		// the search path.
		name = "pg_function_is_visible"
	}
	switch name {
	case "version", "current_database", "current_catalog", "current_schema", "current_schemas", "current_user",
		"session_user", "current_setting", "pg_backend_pid", "pg_typeof", "pg_get_userbyid", "obj_description",
		"col_description", "shobj_description", "pg_get_expr", "pg_table_size", "pg_total_relation_size",
		"pg_relation_size", "pg_indexes_size", "pg_function_is_visible", "pg_type_is_visible",
		"pg_collation_is_visible", "pg_relation_is_publishable", "pg_get_function_result",
		"pg_get_function_arguments", "pg_get_function_identity_arguments", "pg_get_constraintdef",
		"pg_get_indexdef", "pg_get_statisticsobjdef_columns", "pg_get_partkeydef", "pg_get_viewdef",
		"pg_get_triggerdef", "pg_get_ruledef", "pg_get_serial_sequence", "has_table_privilege",
		"has_schema_privilege", "has_database_privilege", "has_any_column_privilege", "has_column_privilege",
		"has_function_privilege", "to_regclass", "to_regtype", "to_regnamespace", "pg_is_in_recovery",
		"pg_get_partition_constraintdef", "pg_partition_root", "pg_cancel_backend", "pg_terminate_backend",
		"pg_tablespace_location", "pg_get_functiondef", "pg_database_size":
	default:
		return nil, false, nil
	}
	if f.AggStar || f.AggDistinct || f.Over != nil || f.AggFilter != nil || len(f.AggOrder) > 0 {
		return nil, true, errAt(sqlerr.New(sqlerr.WrongObjectType, "%s is not an aggregate function", name), f.Location)
	}
	args := make([]*scalar, len(f.Args))
	for i, a := range f.Args {
		if args[i], err = b.bind(a); err != nil {
			return nil, true, err
		}
	}
	arity := func(counts ...int) error {
		for _, c := range counts {
			if len(args) == c {
				return nil
			}
		}
		return errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s with %d arguments does not exist", name, len(args)).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts."), f.Location)
	}
	// constText returns argument i as a constant string.
	constText := func(i int) (string, bool, error) {
		a := args[i]
		if a.kind != kindConst {
			return "", false, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "%s of a non-constant argument is not supported yet", name), f.Location)
		}
		if a.datum.Null {
			return "", true, nil
		}
		return a.datum.GetS(), false, nil
	}
	oidArg := func(i int) (*scalar, error) {
		a := args[i]
		if a.unknownLit {
			if err := b.settle(a, coldata.Int64); err != nil {
				return nil, errAt(sqlerr.As(err), f.Location)
			}
		}
		if !a.typ.IsInteger() {
			return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function %s(%s) does not exist", name, a.typ).
				WithHint("No function matches the given name and argument types. You might need to add explicit type casts."), f.Location)
		}
		return a, nil
	}
	nullText := constScalar(nullDatum(coldata.Text))

	switch name {
	case "pg_cancel_backend", "pg_terminate_backend":
		if err := arity(1, 2); err != nil {
			return nil, true, err
		}
		s, err := b.bindSignal(args[0], name == "pg_terminate_backend", f.Location)
		return s, true, err
	case "version":
		if err := arity(0); err != nil {
			return nil, true, err
		}
		return textConst(b.versionString()), true, nil
	case "current_database", "current_catalog":
		if err := arity(0); err != nil {
			return nil, true, err
		}
		return textConst(b.sessionDatabase()), true, nil
	case "current_schema":
		if err := arity(0); err != nil {
			return nil, true, err
		}
		return textConst("public"), true, nil
	case "current_schemas":
		if err := arity(1); err != nil {
			return nil, true, err
		}
		if err := b.settle(args[0], coldata.Bool); err != nil {
			return nil, true, err
		}
		if args[0].kind == kindConst && !args[0].datum.Null && args[0].datum.GetB() {
			return textArrayConst("pg_catalog", "public"), true, nil
		}
		return textArrayConst("public"), true, nil
	case "current_user", "session_user":
		if err := arity(0); err != nil {
			return nil, true, err
		}
		return textConst(b.sessionUser()), true, nil
	case "pg_backend_pid":
		if err := arity(0); err != nil {
			return nil, true, err
		}
		var pid int64
		if b.sess != nil {
			pid = int64(b.sess.PID)
		}
		return intConst(coldata.Int32, pid), true, nil
	case "pg_is_in_recovery":
		if err := arity(0); err != nil {
			return nil, true, err
		}
		return boolConst(false), true, nil
	case "current_setting":
		if err := arity(1, 2); err != nil {
			return nil, true, err
		}
		if args[0].kind != kindConst {
			// Per row (pg_settings' names, say): a lookup over the
			// session's settings, NULL for a name it does not have.
			if err := b.settle(args[0], coldata.Text); err != nil {
				return nil, true, err
			}
			if args[0].typ != coldata.Text {
				return nil, true, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function current_setting(%s) does not exist", args[0].typ), f.Location)
			}
			s, err := b.settingsLookup(args[0], f.Location)
			return s, true, err
		}
		param, isNull, err := constText(0)
		if err != nil || isNull {
			return nullText, true, err
		}
		missingOK := false
		if len(args) == 2 {
			if err := b.settle(args[1], coldata.Bool); err != nil {
				return nil, true, err
			}
			missingOK = args[1].kind == kindConst && !args[1].datum.Null && args[1].datum.GetB()
		}
		if v, ok := b.setting(param); ok {
			return textConst(v), true, nil
		}
		if missingOK {
			return nullText, true, nil
		}
		return nil, true, errAt(sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter %q", param), f.Location)
	case "pg_typeof":
		if err := arity(1); err != nil {
			return nil, true, err
		}
		if args[0].unknownLit {
			return textConst("unknown"), true, nil
		}
		return textConst(pgcatalog.FormatType(int64(args[0].typ.OID()), -1)), true, nil
	case "pg_get_userbyid":
		if err := arity(1); err != nil {
			return nil, true, err
		}
		a, err := oidArg(0)
		if err != nil {
			return nil, true, err
		}
		in := b.catalogInfo()
		var keys []int64
		var names []string
		for _, u := range []string{pgcatalog.SuperuserName, in.User} {
			if u != "" {
				keys, names = append(keys, pgcatalog.RoleOID(u)), append(names, u)
			}
		}
		// An unknown role prints as PostgreSQL prints it.
		s, err := b.lookupText(a, keys, names, b.concatUnknown(a, "unknown (OID=", ")"), f.Location)
		return s, true, err
	case "obj_description", "shobj_description", "col_description":
		if err := arity(1, 2); err != nil {
			return nil, true, err
		}
		a, err := oidArg(0)
		if err != nil {
			return nil, true, err
		}
		if name != "obj_description" {
			// armorlake keeps no comments on columns or shared objects.
			return nullText, true, nil
		}
		var keys []int64
		var descs []string
		for _, t := range b.catalogInfo().Tables {
			if d := pgcatalog.TableDescription(t); d != "" {
				keys, descs = append(keys, pgcatalog.TableOID(t.Name)), append(descs, d)
			}
		}
		s, err := b.lookupText(a, keys, descs, nullText, f.Location)
		return s, true, err
	case "pg_get_expr":
		if err := arity(2, 3); err != nil {
			return nil, true, err
		}
		// Expressions are kept as their text: defaults and partition
		// bounds, of which armorlake has none.
		if err := b.settle(args[0], coldata.Text); err != nil {
			return nil, true, err
		}
		return args[0], true, nil
	case "pg_table_size", "pg_total_relation_size", "pg_relation_size", "pg_indexes_size":
		if err := arity(1, 2); err != nil {
			return nil, true, err
		}
		a, err := oidArg(0)
		if err != nil {
			return nil, true, err
		}
		in := b.catalogInfo()
		var keys []int64
		var sizes []*scalar
		if name != "pg_indexes_size" {
			for _, t := range in.Tables {
				if in.Bytes != nil {
					if n := in.Bytes(t.Name); n >= 0 {
						keys, sizes = append(keys, pgcatalog.TableOID(t.Name)), append(sizes, intConst(coldata.Int64, n))
					}
				}
			}
		}
		s, err := b.lookup(a, keys, sizes, intConst(coldata.Int64, 0), f.Location)
		return s, true, err
	case "pg_function_is_visible", "pg_type_is_visible", "pg_collation_is_visible":
		if err := arity(1); err != nil {
			return nil, true, err
		}
		if _, err := oidArg(0); err != nil {
			return nil, true, err
		}
		return boolConst(true), true, nil
	case "pg_relation_is_publishable":
		if err := arity(1); err != nil {
			return nil, true, err
		}
		if _, err := oidArg(0); err != nil {
			return nil, true, err
		}
		return boolConst(false), true, nil
	case "pg_get_function_result", "pg_get_function_arguments", "pg_get_function_identity_arguments",
		"pg_get_constraintdef", "pg_get_indexdef", "pg_get_statisticsobjdef_columns", "pg_get_partkeydef",
		"pg_get_viewdef", "pg_get_triggerdef", "pg_get_ruledef", "pg_get_partition_constraintdef", "pg_get_functiondef":
		// The objects these describe (functions, constraints, indexes,
		// statistics, partitions, views, triggers, rules) are not in
		// armorlake's catalogs: like PostgreSQL for an OID it does not
		// know, NULL.
		if len(args) == 0 {
			return nil, true, arity(1)
		}
		if name == "pg_get_viewdef" && args[0].typ == coldata.Text {
			return nullText, true, nil
		}
		if _, err := oidArg(0); err != nil {
			return nil, true, err
		}
		return nullText, true, nil
	case "pg_database_size":
		// Every table's stored bytes, whatever database name is asked:
		// armorlake has one database.
		if err := arity(1); err != nil {
			return nil, true, err
		}
		in := b.catalogInfo()
		var total int64
		for _, t := range in.Tables {
			if in.Bytes != nil {
				total += max(in.Bytes(t.Name), 0)
			}
		}
		return intConst(coldata.Int64, total), true, nil
	case "pg_tablespace_location":
		// The built-in tablespaces live in the data directory: ''.
		if err := arity(1); err != nil {
			return nil, true, err
		}
		if _, err := oidArg(0); err != nil {
			return nil, true, err
		}
		return textConst(""), true, nil
	case "pg_get_serial_sequence":
		if err := arity(2); err != nil {
			return nil, true, err
		}
		return nullText, true, nil // armorlake has no sequences
	case "pg_partition_root":
		if err := arity(1); err != nil {
			return nil, true, err
		}
		return intConst(coldata.Int64, 0), true, nil
	case "has_table_privilege", "has_schema_privilege", "has_database_privilege", "has_any_column_privilege",
		"has_column_privilege", "has_function_privilege":
		if len(args) < 2 || len(args) > 4 {
			return nil, true, arity(2, 3)
		}
		priv, isNull, err := constText(len(args) - 1)
		if err != nil || isNull {
			return constScalar(nullDatum(coldata.Bool)), true, err
		}
		// Every object is readable by every user; nothing is writable.
		ok := true
		for _, p := range strings.Split(priv, ",") {
			p = strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(p), "WITH GRANT OPTION")))
			ok = ok && readPrivileges[strings.TrimSpace(p)]
		}
		return boolConst(ok), true, nil
	case "to_regclass", "to_regtype", "to_regnamespace":
		if err := arity(1); err != nil {
			return nil, true, err
		}
		text, isNull, err := constText(0)
		if err != nil || isNull {
			return constScalar(nullDatum(coldata.Int64)), true, err
		}
		var oid int64
		var ok bool
		switch name {
		case "to_regclass":
			oid, ok = pgcatalog.RelationOID(b.catalogInfo(), text)
		case "to_regtype":
			oid, ok = pgcatalog.TypeOID(text)
		default:
			oid, ok = pgcatalog.NamespaceOID(text)
		}
		if !ok {
			return constScalar(nullDatum(coldata.Int64)), true, nil
		}
		return intConst(coldata.Int64, oid), true, nil
	}
	return nil, false, nil
}

// concatUnknown is prefix || x || suffix, for lookups' misses.
func (b *binder) concatUnknown(x *scalar, prefix, suffix string) *scalar {
	return callScalar("concat", coldata.Text, textConst(prefix), callScalar("cast", coldata.Text, x), textConst(suffix))
}

// lookup is CASE x WHEN keys[0] THEN vals[0] … ELSE def END, over
// values of def's type.
func (b *binder) lookup(x *scalar, keys []int64, vals []*scalar, def *scalar, loc int32) (*scalar, error) {
	var args []*scalar
	for i, k := range keys {
		eq, err := b.compare("=", x, intConst(x.typ, k), loc)
		if err != nil {
			return nil, err
		}
		args = append(args, eq, vals[i])
	}
	if len(args) == 0 {
		return def, nil
	}
	return callScalar("case", def.typ, append(args, def)...), nil
}

// lookupText is lookup over text values.
func (b *binder) lookupText(x *scalar, keys []int64, vals []string, def *scalar, loc int32) (*scalar, error) {
	consts := make([]*scalar, len(vals))
	for i, v := range vals {
		consts[i] = textConst(v)
	}
	return b.lookup(x, keys, consts, def, loc)
}

// regCast binds x::regclass (regtype, regnamespace, regrole, regproc): a
// name, given as a constant, becomes its OID; an OID becomes the name it
// stands for, as PostgreSQL prints a reg* value.
func (b *binder) regCast(x *scalar, target string, loc int32) (*scalar, error) {
	if x.typ == coldata.Text || x.unknownLit {
		if x.kind != kindConst {
			return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "casting a non-constant text to %s is not supported yet", target), loc)
		}
		if x.datum.Null {
			return constScalar(nullDatum(coldata.Int64)), nil
		}
		name := x.datum.GetS()
		var oid int64
		var ok bool
		var missing *sqlerr.Error
		switch target {
		case "regclass":
			oid, ok = pgcatalog.RelationOID(b.catalogInfo(), name)
			missing = sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", name)
		case "regtype":
			oid, ok = pgcatalog.TypeOID(name)
			missing = sqlerr.New(sqlerr.UndefinedObject, "type %q does not exist", name)
		case "regnamespace":
			oid, ok = pgcatalog.NamespaceOID(name)
			missing = sqlerr.New(sqlerr.UndefinedSchema, "schema %q does not exist", name)
		case "regrole":
			oid, ok = pgcatalog.RoleOID(name), name == pgcatalog.SuperuserName || name == b.sessionUser()
			missing = sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", name)
		default:
			oid, ok = pgcatalog.ProcOID(name), true
			if name == "-" {
				oid = 0
			}
		}
		if !ok {
			return nil, errAt(missing, loc)
		}
		return intConst(coldata.Int64, oid), nil
	}
	if !x.typ.IsInteger() {
		return nil, errAt(sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", x.typ, target), loc)
	}
	switch target {
	case "regclass":
		in := b.catalogInfo()
		var keys []int64
		var names []string
		for _, r := range pgcatalog.AllRelations(in) {
			name := r.Name
			if !r.Visible {
				name = r.Schema + "." + name
			}
			keys, names = append(keys, r.OID), append(names, name)
		}
		return b.lookupText(x, keys, names, callScalar("cast", coldata.Text, x), loc)
	case "regtype":
		return b.call("regtype_text", []*scalar{x}, loc)
	case "regnamespace":
		return b.call("regnamespace_text", []*scalar{x}, loc)
	case "regrole":
		keys := []int64{pgcatalog.SuperuserOID, pgcatalog.RoleOID(b.sessionUser())}
		names := []string{pgcatalog.SuperuserName, b.sessionUser()}
		return b.lookupText(x, keys, names, callScalar("cast", coldata.Text, x), loc)
	}
	// regproc: the functions pg_type names.
	keys, names := []int64{0}, []string{"-"}
	procs := pgcatalog.ProcNames()
	for _, oid := range slices.Sorted(maps.Keys(procs)) {
		keys, names = append(keys, oid), append(names, procs[oid])
	}
	return b.lookupText(x, keys, names, callScalar("cast", coldata.Text, x), loc)
}

// bindSignal binds pg_cancel_backend(pid) (terminate: pg_terminate_backend):
// of a constant, signalled when the statement runs; of a column of a
// relation planned here (SELECT pg_cancel_backend(pid) FROM
// pg_stat_activity WHERE …), for each row, as a column computed beside
// the relation (exec.Apply).
func (b *binder) bindSignal(pid *scalar, terminate bool, loc int32) (*scalar, error) {
	if err := b.settle(pid, coldata.Int32); err != nil {
		return nil, err
	}
	if !pid.typ.IsInteger() {
		return nil, errAt(sqlerr.New(sqlerr.UndefinedFunction, "function pg_cancel_backend(%s) does not exist", pid.typ), loc)
	}
	signal := func(p int64) bool {
		return b.sess != nil && b.sess.SignalBackend != nil && b.sess.SignalBackend(int32(p), terminate)
	}
	switch {
	case b.describe:
		return constScalar(nullDatum(coldata.Bool)), nil
	case pid.kind == kindConst:
		if pid.datum.Null {
			return constScalar(nullDatum(coldata.Bool)), nil
		}
		return boolConst(signal(pid.datum.GetI())), nil
	case pid.kind == kindColumn && b.derived != nil:
		src := pid.col
		return b.applyColumn("?signal?", coldata.Bool, []int{src}, func(ctx context.Context, v map[int]*rpcpb.Datum) (*rpcpb.Datum, error) {
			if v[src].Null {
				return nullDatum(coldata.Bool), nil
			}
			return &rpcpb.Datum{Type: uint32(coldata.Bool), Value: &rpcpb.Datum_B{B: signal(v[src].GetI())}}, nil
		}), nil
	}
	return nil, errAt(sqlerr.New(sqlerr.FeatureNotSupported, "pg_cancel_backend of this expression is not supported yet: give a process ID or a column of pg_stat_activity"), loc)
}

func isSignalCall(n *pg.Node) bool {
	fc := n.GetFuncCall()
	if fc == nil {
		return false
	}
	name := strings.ToLower(operatorName(fc.Funcname))
	return name == "pg_cancel_backend" || name == "pg_terminate_backend"
}

// filterBeforeSignals moves the FROM item and WHERE of a query whose
// select list signals sessions into a subquery, so that only the rows
// WHERE keeps are signalled: SELECT pg_cancel_backend(pid) FROM
// pg_stat_activity a WHERE w becomes … FROM (SELECT * FROM
// pg_stat_activity a WHERE w) a.
func filterBeforeSignals(sel *pg.SelectStmt) *pg.SelectStmt {
	if sel.WhereClause == nil || len(sel.FromClause) != 1 {
		return sel
	}
	found := false
	for _, t := range sel.TargetList {
		if rt := t.GetResTarget(); rt != nil && containsNode(rt.Val, isSignalCall) {
			found = true
		}
	}
	alias := leafAlias(sel.FromClause[0])
	if !found || alias == "" {
		return sel
	}
	out := proto.Clone(sel).(*pg.SelectStmt)
	star := &pg.Node{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: &pg.Node{Node: &pg.Node_ColumnRef{
		ColumnRef: &pg.ColumnRef{Fields: []*pg.Node{{Node: &pg.Node_AStar{AStar: &pg.A_Star{}}}}}}}}}}
	inner := &pg.SelectStmt{TargetList: []*pg.Node{star}, FromClause: out.FromClause, WhereClause: out.WhereClause}
	out.FromClause = []*pg.Node{{Node: &pg.Node_RangeSubselect{RangeSubselect: &pg.RangeSubselect{
		Subquery: &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: inner}}, Alias: &pg.Alias{Aliasname: alias}}}}}
	out.WhereClause = nil
	return out
}

// settingsLookup is current_setting(x) for a non-constant x: CASE over
// the session's settings, by name as SHOW matches them (any case).
func (b *binder) settingsLookup(x *scalar, loc int32) (*scalar, error) {
	if b.sess == nil || b.sess.Settings == nil {
		return constScalar(nullDatum(coldata.Text)), nil
	}
	lower, err := b.call("lower", []*scalar{x}, loc)
	if err != nil {
		return nil, err
	}
	var args []*scalar
	for _, st := range b.sess.Settings() {
		eq, err := b.compare("=", lower, textConst(strings.ToLower(st.Name)), loc)
		if err != nil {
			return nil, err
		}
		args = append(args, eq, textConst(st.Value))
	}
	return callScalar("case", coldata.Text, append(args, constScalar(nullDatum(coldata.Text)))...), nil
}
