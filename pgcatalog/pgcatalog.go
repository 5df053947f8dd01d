// Package pgcatalog is armorlake's pg_catalog and information_schema: the
// PostgreSQL system catalogs that psql, Grafana, JDBC, SQLAlchemy and the
// other clients query to learn what the database holds. They are virtual
// tables: each query computes their rows from the armorlake catalog (the
// tables, their columns) and the session (user, database, settings), and
// the SQL engine answers the client's query over them like any other,
// joins, subqueries and all. Nothing here recognises a client's query.
//
// The relations carry PostgreSQL 16's columns, in its order, so that
// queries written for PostgreSQL find what they name. Types follow
// armorlake's: oid, regproc and xid columns are bigint, name and "char"
// columns are text, arrays of any kind are text[].
//
// OIDs are stable: PostgreSQL's own for built-in objects (pg_class is
// 1259, pg_catalog 11, text 25), and for armorlake's tables a hash of the
// name at 16384 or above, the same on every query node.
package pgcatalog

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
)

// Namespace OIDs, PostgreSQL's.
const (
	CatalogNamespace = 11    // pg_catalog
	PublicNamespace  = 2200  // public
	InfoNamespace    = 13183 // information_schema
)

// SuperuserOID owns every object: PostgreSQL's bootstrap superuser.
const SuperuserOID = 10

// SuperuserName is the name of the role that owns every object.
const SuperuserName = "armorlake"

// Info is what the catalogs show: armorlake's tables and the session
// asking.
type Info struct {
	Tables   []*schema.Table // the tables of schema public
	User     string
	Database string
	// Settings are the session's parameters, for pg_settings.
	Settings []Setting
	// RowCount estimates a table's rows (pg_class.reltuples,
	// n_live_tup); nil or -1 for unknown.
	RowCount func(table string) int64
	// Bytes is a table's stored size (pg_table_size); nil or -1 for
	// unknown.
	Bytes func(table string) int64
	// PID is the session's backend process ID.
	PID int64
	// Activity lists the query node's sessions, for pg_stat_activity.
	Activity []Activity
}

// Activity is one session of pg_stat_activity.
type Activity struct {
	PID            int64
	User, Database string
	Application    string
	ClientAddr     string
	ClientPort     int64
	BackendStart   time.Time
	QueryStart     time.Time
	State, Query   string
}

// Setting is one row of pg_settings.
type Setting struct {
	Name, Value, Category, Description string
}

// Relation is one system relation: a table or view of pg_catalog or
// information_schema.
type Relation struct {
	Schema string
	Table  *schema.Table
	OID    int64
	Kind   byte // relkind: 'r' table, 'v' view
	rows   func(in *Info, b *rowsBuilder)
}

// Rows computes the relation's rows for in.
func (r *Relation) Rows(in *Info) *coldata.Batch {
	b := newRowsBuilder(r.Table)
	if r.rows != nil {
		r.rows(in, b)
	}
	return b.batch
}

var relations []*Relation

var relationsByName = map[string]*Relation{} // "schema.name"

// define adds a relation; cols lists "name type" pairs as PostgreSQL's
// format_type prints them.
func define(schemaName, name string, oid int64, kind byte, cols string, rows func(*Info, *rowsBuilder)) {
	t := &schema.Table{Name: name, TimeColumn: -1}
	for _, c := range strings.Split(cols, ",") {
		c = strings.TrimSpace(c)
		colName, typ, _ := strings.Cut(c, " ")
		ct, ok := columnTypes[typ]
		if !ok {
			panic(fmt.Sprintf("pgcatalog: %s.%s: column %s has unmapped type %q", schemaName, name, colName, typ))
		}
		t.Columns = append(t.Columns, schema.Column{Name: colName, Type: ct, From: typ})
	}
	r := &Relation{Schema: schemaName, Table: t, OID: oid, Kind: kind, rows: rows}
	relations = append(relations, r)
	relationsByName[schemaName+"."+name] = r
	relationsByOID[oid] = r
}

// columnTypes maps PostgreSQL's column types to armorlake's; the
// PostgreSQL type is kept in schema.Column.From, for pg_attribute.
var columnTypes = map[string]coldata.Type{
	"oid": coldata.Int64, "regproc": coldata.Int64, "xid": coldata.Int64, "regtype": coldata.Int64,
	"name": coldata.Text, `"char"`: coldata.Text, "text": coldata.Text, "pg_node_tree": coldata.Text,
	"inet": coldata.Text, "bytea": coldata.Text,
	"smallint": coldata.Int16, "integer": coldata.Int32, "bigint": coldata.Int64, "real": coldata.Float32,
	"boolean": coldata.Bool, "timestamp with time zone": coldata.Timestamptz,
	"aclitem[]": coldata.TextArray, "text[]": coldata.TextArray, "oid[]": coldata.TextArray,
	"smallint[]": coldata.TextArray, `"char"[]`: coldata.TextArray, "int2vector": coldata.TextArray,
	"oidvector": coldata.TextArray, "anyarray": coldata.TextArray,
	"sql_identifier": coldata.Text, "character_data": coldata.Text, "yes_or_no": coldata.Text,
	"cardinal_number": coldata.Int32, "time_stamp": coldata.Timestamptz,
}

// Lookup finds a system relation. schemaName "" searches pg_catalog only,
// as PostgreSQL does for an unqualified name before the search path.
func Lookup(schemaName, name string) (*Relation, bool) {
	if schemaName == "" {
		schemaName = "pg_catalog"
	}
	r, ok := relationsByName[schemaName+"."+name]
	return r, ok
}

// IsSystemSchema reports whether name is pg_catalog or information_schema.
func IsSystemSchema(name string) bool { return name == "pg_catalog" || name == "information_schema" }

// Relations lists every system relation.
func Relations() []*Relation { return relations }

// TableOID is the OID of armorlake table name: a hash of the name in
// [16384, 2^31), the same on every node.
func TableOID(name string) int64 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return 16384 + int64(h.Sum32()%(1<<31-16384))
}

// VisibleOID is pg_table_is_visible: whether the relation with OID oid is
// found by its unqualified name on the default search path: armorlake's
// tables (OIDs from 16384) and pg_catalog's relations, not
// information_schema's.
func VisibleOID(oid int64) bool {
	if oid >= 16384 {
		return true
	}
	r, ok := relationsByOID[oid]
	return ok && r.Schema == "pg_catalog"
}

var relationsByOID = map[int64]*Relation{}

// RelationInfo describes one relation for the OID lookups of regclass
// and pg_table_is_visible.
type RelationInfo struct {
	OID     int64
	Schema  string
	Name    string
	Visible bool // found by an unqualified name on the search path
}

// AllRelations lists armorlake's tables and the system relations.
func AllRelations(in *Info) []RelationInfo {
	var out []RelationInfo
	for _, t := range sortedTables(in) {
		out = append(out, RelationInfo{TableOID(t.Name), "public", t.Name, true})
	}
	for _, r := range relations {
		out = append(out, RelationInfo{r.OID, r.Schema, r.Table.Name, r.Schema == "pg_catalog"})
	}
	return out
}

// RelationOID resolves a relation name as regclass input does: an
// optionally schema-qualified, optionally quoted name, unqualified names
// searched in pg_catalog then public.
func RelationOID(in *Info, name string) (int64, bool) {
	parts := splitQualified(name)
	var sch, rel string
	switch len(parts) {
	case 1:
		rel = parts[0]
	case 2:
		sch, rel = parts[0], parts[1]
	default:
		return 0, false
	}
	if sch == "" || IsSystemSchema(sch) {
		if r, ok := Lookup(sch, rel); ok {
			return r.OID, true
		}
	}
	if sch == "" || sch == "public" {
		for _, t := range in.Tables {
			if t.Name == rel {
				return TableOID(t.Name), true
			}
		}
	}
	return 0, false
}

// splitQualified splits a.b into its identifiers, folding unquoted ones
// to lower case.
func splitQualified(s string) []string {
	var parts []string
	var cur strings.Builder
	quoted, wasQuoted := false, false
	flush := func() {
		p := cur.String()
		if !wasQuoted {
			p = strings.ToLower(strings.TrimSpace(p))
		}
		parts = append(parts, p)
		cur.Reset()
		wasQuoted = false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' && quoted && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			quoted = !quoted
			wasQuoted = true
		case c == '.' && !quoted:
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return parts
}

// NamespaceOID resolves a schema name (regnamespace input).
func NamespaceOID(name string) (int64, bool) {
	switch name {
	case "pg_catalog":
		return CatalogNamespace, true
	case "public":
		return PublicNamespace, true
	case "information_schema":
		return InfoNamespace, true
	}
	return 0, false
}

// NamespaceName is the schema of OID oid.
func NamespaceName(oid int64) (string, bool) {
	switch oid {
	case CatalogNamespace:
		return "pg_catalog", true
	case PublicNamespace:
		return "public", true
	case InfoNamespace:
		return "information_schema", true
	}
	return "", false
}

// sortedTables returns in's tables by name.
func sortedTables(in *Info) []*schema.Table {
	ts := slices.Clone(in.Tables)
	slices.SortFunc(ts, func(a, b *schema.Table) int { return strings.Compare(a.Name, b.Name) })
	return ts
}

// rowsBuilder appends rows of Go values to a batch.
type rowsBuilder struct {
	batch *coldata.Batch
}

func newRowsBuilder(t *schema.Table) *rowsBuilder {
	return &rowsBuilder{batch: coldata.NewBatch(t.Types(), 16)}
}

// add appends one row: nil is NULL; int, int64, int16, int32, float32,
// bool, string, byte ("char") and []string as the column's type needs.
func (b *rowsBuilder) add(vals ...any) {
	if len(vals) != len(b.batch.Vecs) {
		panic(fmt.Sprintf("pgcatalog: row of %d values for %d columns", len(vals), len(b.batch.Vecs)))
	}
	for i, v := range vals {
		vec := b.batch.Vecs[i]
		if v == nil {
			vec.AppendNull()
			continue
		}
		switch x := v.(type) {
		case int:
			appendInt(vec, int64(x))
		case int64:
			appendInt(vec, x)
		case int16:
			appendInt(vec, int64(x))
		case int32:
			appendInt(vec, int64(x))
		case float32:
			vec.Float64 = append(vec.Float64, float64(x))
		case float64:
			vec.Float64 = append(vec.Float64, x)
		case bool:
			vec.Bool = append(vec.Bool, x)
		case string:
			vec.Bytes.AppendString(x)
		case byte:
			vec.Bytes.Append([]byte{x})
		case []string:
			vec.AppendStrings(x)
		default:
			panic(fmt.Sprintf("pgcatalog: value %T", v))
		}
	}
	b.batch.Len++
}

func appendInt(vec *coldata.Vec, x int64) {
	switch {
	case vec.Type.IsFloat():
		vec.Float64 = append(vec.Float64, float64(x))
	case vec.Type.InInt64():
		vec.Int64 = append(vec.Int64, x)
	default:
		panic(fmt.Sprintf("pgcatalog: integer for a %s column", vec.Type))
	}
}

// nulls returns n NULLs, to pad rows.
func nulls(n int) []any { return make([]any, n) }
