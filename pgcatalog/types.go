package pgcatalog

import (
	"strconv"
	"strings"

	"github.com/armorlake/armorlake/coldata"
)

// TypeInfo is one row of pg_type: the built-in types armorlake's columns
// and catalogs use, those clients name in casts and catalog queries, and
// their arrays. The figures are PostgreSQL 16's own (TestPgType compares
// them with a real PostgreSQL).
type TypeInfo struct {
	OID      int64
	Name     string // typname
	Len      int16
	ByVal    bool
	Kind     byte // typtype: b base, p pseudo
	Category byte
	Prefer   bool
	Elem     int64 // element type of an array, else 0
	Array    int64 // array type, else 0
	IO       string
	Align    byte
	Storage  byte
	Coll     int64 // typcollation
	// SQL is the name format_type prints ("timestamp with time zone").
	SQL string
}

// types is pg_type, ordered by OID. IO names the input/output function
// stem (boolin/boolout...); "" means array_in/array_out.
var types = []TypeInfo{
	{16, "bool", 1, true, 'b', 'B', true, 0, 1000, "bool", 'c', 'p', 0, "boolean"},
	{17, "bytea", -1, false, 'b', 'U', false, 0, 1001, "bytea", 'i', 'x', 0, "bytea"},
	{18, "char", 1, true, 'b', 'Z', false, 0, 1002, "char", 'c', 'p', 0, `"char"`},
	{19, "name", 64, false, 'b', 'S', false, 18, 1003, "name", 'c', 'p', 950, "name"},
	{20, "int8", 8, true, 'b', 'N', false, 0, 1016, "int8", 'd', 'p', 0, "bigint"},
	{21, "int2", 2, true, 'b', 'N', false, 0, 1005, "int2", 's', 'p', 0, "smallint"},
	{22, "int2vector", -1, false, 'b', 'A', false, 21, 1006, "int2vector", 'i', 'p', 0, "int2vector"},
	{23, "int4", 4, true, 'b', 'N', false, 0, 1007, "int4", 'i', 'p', 0, "integer"},
	{24, "regproc", 4, true, 'b', 'N', false, 0, 1008, "regproc", 'i', 'p', 0, "regproc"},
	{25, "text", -1, false, 'b', 'S', true, 0, 1009, "text", 'i', 'x', 100, "text"},
	{26, "oid", 4, true, 'b', 'N', true, 0, 1028, "oid", 'i', 'p', 0, "oid"},
	{28, "xid", 4, true, 'b', 'U', false, 0, 1011, "xid", 'i', 'p', 0, "xid"},
	{30, "oidvector", -1, false, 'b', 'A', false, 26, 1013, "oidvector", 'i', 'p', 0, "oidvector"},
	{114, "json", -1, false, 'b', 'U', false, 0, 199, "json_", 'i', 'x', 0, "json"},
	{194, "pg_node_tree", -1, false, 'b', 'Z', false, 0, 0, "pg_node_tree_", 'i', 'x', 100, "pg_node_tree"},
	{199, "_json", -1, false, 'b', 'A', false, 114, 0, "", 'i', 'x', 0, "json[]"},
	{700, "float4", 4, true, 'b', 'N', false, 0, 1021, "float4", 'i', 'p', 0, "real"},
	{701, "float8", 8, true, 'b', 'N', true, 0, 1022, "float8", 'd', 'p', 0, "double precision"},
	{705, "unknown", -2, false, 'p', 'X', false, 0, 0, "unknown", 'c', 'p', 0, "unknown"},
	{869, "inet", -1, false, 'b', 'I', true, 0, 1041, "inet_", 'i', 'm', 0, "inet"},
	{1000, "_bool", -1, false, 'b', 'A', false, 16, 0, "", 'i', 'x', 0, "boolean[]"},
	{1001, "_bytea", -1, false, 'b', 'A', false, 17, 0, "", 'i', 'x', 0, "bytea[]"},
	{1002, "_char", -1, false, 'b', 'A', false, 18, 0, "", 'i', 'x', 0, `"char"[]`},
	{1003, "_name", -1, false, 'b', 'A', false, 19, 0, "", 'i', 'x', 950, "name[]"},
	{1005, "_int2", -1, false, 'b', 'A', false, 21, 0, "", 'i', 'x', 0, "smallint[]"},
	{1007, "_int4", -1, false, 'b', 'A', false, 23, 0, "", 'i', 'x', 0, "integer[]"},
	{1009, "_text", -1, false, 'b', 'A', false, 25, 0, "", 'i', 'x', 100, "text[]"},
	{1014, "_bpchar", -1, false, 'b', 'A', false, 1042, 0, "", 'i', 'x', 100, "character[]"},
	{1015, "_varchar", -1, false, 'b', 'A', false, 1043, 0, "", 'i', 'x', 100, "character varying[]"},
	{1016, "_int8", -1, false, 'b', 'A', false, 20, 0, "", 'd', 'x', 0, "bigint[]"},
	{1021, "_float4", -1, false, 'b', 'A', false, 700, 0, "", 'i', 'x', 0, "real[]"},
	{1022, "_float8", -1, false, 'b', 'A', false, 701, 0, "", 'd', 'x', 0, "double precision[]"},
	{1028, "_oid", -1, false, 'b', 'A', false, 26, 0, "", 'i', 'x', 0, "oid[]"},
	{1033, "aclitem", 12, false, 'b', 'U', false, 0, 1034, "aclitem", 'i', 'p', 0, "aclitem"},
	{1034, "_aclitem", -1, false, 'b', 'A', false, 1033, 0, "", 'i', 'x', 0, "aclitem[]"},
	{1042, "bpchar", -1, false, 'b', 'S', false, 0, 1014, "bpchar", 'i', 'x', 100, "character"},
	{1043, "varchar", -1, false, 'b', 'S', false, 0, 1015, "varchar", 'i', 'x', 100, "character varying"},
	{1082, "date", 4, true, 'b', 'D', false, 0, 1182, "date_", 'i', 'p', 0, "date"},
	{1083, "time", 8, true, 'b', 'D', false, 0, 1183, "time_", 'd', 'p', 0, "time without time zone"},
	{1114, "timestamp", 8, true, 'b', 'D', false, 0, 1115, "timestamp_", 'd', 'p', 0, "timestamp without time zone"},
	{1115, "_timestamp", -1, false, 'b', 'A', false, 1114, 0, "", 'd', 'x', 0, "timestamp without time zone[]"},
	{1182, "_date", -1, false, 'b', 'A', false, 1082, 0, "", 'i', 'x', 0, "date[]"},
	{1184, "timestamptz", 8, true, 'b', 'D', true, 0, 1185, "timestamptz_", 'd', 'p', 0, "timestamp with time zone"},
	{1185, "_timestamptz", -1, false, 'b', 'A', false, 1184, 0, "", 'd', 'x', 0, "timestamp with time zone[]"},
	{1186, "interval", 16, false, 'b', 'T', true, 0, 1187, "interval_", 'd', 'p', 0, "interval"},
	{1187, "_interval", -1, false, 'b', 'A', false, 1186, 0, "", 'd', 'x', 0, "interval[]"},
	{1231, "_numeric", -1, false, 'b', 'A', false, 1700, 0, "", 'i', 'x', 0, "numeric[]"},
	{1700, "numeric", -1, false, 'b', 'N', false, 0, 1231, "numeric_", 'i', 'm', 0, "numeric"},
	{2205, "regclass", 4, true, 'b', 'N', false, 0, 2210, "regclass", 'i', 'p', 0, "regclass"},
	{2206, "regtype", 4, true, 'b', 'N', false, 0, 2211, "regtype", 'i', 'p', 0, "regtype"},
	{2249, "record", -1, false, 'p', 'P', false, 0, 2287, "record_", 'd', 'x', 0, "record"},
	{2276, "any", 4, true, 'p', 'P', false, 0, 0, "any_", 'i', 'p', 0, `"any"`},
	{2277, "anyarray", -1, false, 'p', 'P', false, 0, 0, "anyarray_", 'd', 'x', 0, "anyarray"},
	{2278, "void", 4, true, 'p', 'P', false, 0, 0, "void_", 'i', 'p', 0, "void"},
	{2279, "trigger", 4, true, 'p', 'P', false, 0, 0, "trigger_", 'i', 'p', 0, "trigger"},
	{2283, "anyelement", 4, true, 'p', 'P', false, 0, 0, "anyelement_", 'i', 'p', 0, "anyelement"},
	{2950, "uuid", 16, false, 'b', 'U', false, 0, 2951, "uuid_", 'c', 'p', 0, "uuid"},
	{2951, "_uuid", -1, false, 'b', 'A', false, 2950, 0, "", 'i', 'x', 0, "uuid[]"},
	{3802, "jsonb", -1, false, 'b', 'U', false, 0, 3807, "jsonb_", 'i', 'x', 0, "jsonb"},
	{3807, "_jsonb", -1, false, 'b', 'A', false, 3802, 0, "", 'i', 'x', 0, "jsonb[]"},
	{4089, "regnamespace", 4, true, 'b', 'N', false, 0, 4090, "regnamespace", 'i', 'p', 0, "regnamespace"},
	{4096, "regrole", 4, true, 'b', 'N', false, 0, 4097, "regrole", 'i', 'p', 0, "regrole"},
}

var typeByOID, typeByName, typeBySQL = func() (map[int64]*TypeInfo, map[string]*TypeInfo, map[string]*TypeInfo) {
	byOID := make(map[int64]*TypeInfo, len(types))
	byName := make(map[string]*TypeInfo, len(types))
	bySQL := make(map[string]*TypeInfo, len(types))
	for i := range types {
		t := &types[i]
		byOID[t.OID] = t
		byName[t.Name] = t
		bySQL[t.SQL] = t
	}
	// The grammar's own spellings: char is character, as in a cast.
	for alias, name := range map[string]string{"int": "int4", "integer": "int4", "smallint": "int2", "bigint": "int8",
		"boolean": "bool", "float": "float8", "real": "float4", "double precision": "float8", "decimal": "numeric",
		"character varying": "varchar", "character": "bpchar", "char": "bpchar",
		"timestamp with time zone": "timestamptz", "timestamp without time zone": "timestamp",
		"time without time zone": "time"} {
		bySQL[alias] = byName[name]
	}
	return byOID, byName, bySQL
}()

// Types lists pg_type's rows, by OID.
func Types() []TypeInfo { return types }

// TypeByOID returns the type with OID oid.
func TypeByOID(oid int64) (*TypeInfo, bool) {
	t, ok := typeByOID[oid]
	return t, ok
}

// TypeOID resolves a type name as regtype input does: the grammar's
// spellings (integer, character varying, char meaning character), else a
// pg_type name; a double-quoted name is only a pg_type name ("char");
// "pg_catalog." may lead and "[]" may follow.
func TypeOID(name string) (int64, bool) {
	n := strings.TrimSpace(name)
	n = strings.TrimPrefix(n, "pg_catalog.")
	if base, ok := strings.CutSuffix(n, "[]"); ok {
		t, ok := TypeOID(base)
		if !ok || typeByOID[t].Array == 0 {
			return 0, false
		}
		return typeByOID[t].Array, true
	}
	if q, ok := strings.CutPrefix(n, `"`); ok {
		if t, ok := typeByName[strings.TrimSuffix(q, `"`)]; ok {
			return t.OID, true
		}
		return 0, false
	}
	n = strings.ToLower(n)
	if t, ok := typeBySQL[n]; ok {
		return t.OID, true
	}
	if t, ok := typeByName[n]; ok {
		return t.OID, true
	}
	return 0, false
}

// FormatType is format_type(oid, typmod): the type's SQL name, with its
// modifier where it has one (varchar(n), numeric(p,s), timestamp(p)).
// Unknown OIDs print as "???" as in PostgreSQL.
func FormatType(oid int64, typmod int64) string {
	t, ok := typeByOID[oid]
	if !ok {
		return "???"
	}
	if typmod < 0 {
		return t.SQL
	}
	switch t.Name {
	case "varchar", "bpchar":
		return t.SQL + "(" + strconv.FormatInt(typmod-4, 10) + ")"
	case "numeric":
		tm := typmod - 4
		return "numeric(" + strconv.FormatInt(tm>>16&0xffff, 10) + "," + strconv.FormatInt(tm&0xffff, 10) + ")"
	case "timestamp", "timestamptz", "time":
		base, zone, _ := strings.Cut(t.SQL, " ")
		return base + "(" + strconv.FormatInt(typmod, 10) + ") " + zone
	}
	return t.SQL
}

// ColumnType is the pg_type OID of a column of coldata type t.
func ColumnType(t coldata.Type) int64 { return int64(t.OID()) }

// IOProcs are the names of a type's input, output, receive and send
// functions, as pg_type's regproc columns name them.
func (t *TypeInfo) IOProcs() (in, out, recv, send string) {
	switch {
	case t.IO == "":
		return "array_in", "array_out", "array_recv", "array_send"
	case strings.HasSuffix(t.IO, "_"):
		return t.IO + "in", t.IO + "out", t.IO + "recv", t.IO + "send"
	}
	return t.IO + "in", t.IO + "out", t.IO + "recv", t.IO + "send"
}

// ProcOID is the OID armorlake gives the function called name (regproc
// input): armorlake's catalogs list no functions, but pg_type names its
// I/O functions, and clients compare them (typinput =
// 'array_in'::regproc). A hash of the name, stable everywhere.
func ProcOID(name string) int64 {
	return TableOID("function " + strings.TrimPrefix(name, "pg_catalog."))
}

// ProcNames lists the functions pg_type names, by OID, for regproc
// output.
func ProcNames() map[int64]string {
	m := map[int64]string{}
	for i := range types {
		in, out, recv, send := types[i].IOProcs()
		for _, n := range []string{in, out, recv, send} {
			m[ProcOID(n)] = n
		}
	}
	return m
}
