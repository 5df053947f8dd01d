package pgcatalog

import (
	"testing"

	"github.com/armorlake/armorlake/schema"
)

func testInfo() *Info {
	return &Info{Tables: schema.KubeArmor(), User: "grafana", Database: "armorlake",
		Settings: []Setting{{Name: "TimeZone", Value: "UTC", Category: "Client Connection Defaults", Description: "zone"}},
		RowCount: func(string) int64 { return 42 }}
}

// TestRelationRows builds every relation's rows and checks each value
// landed in a column of its type.
func TestRelationRows(t *testing.T) {
	in := testInfo()
	for _, r := range Relations() {
		b := r.Rows(in)
		for i, v := range b.Vecs {
			if v.Len() != b.Len {
				t.Errorf("%s.%s column %s (%s): %d values for %d rows", r.Schema, r.Table.Name, r.Table.Columns[i].Name, v.Type, v.Len(), b.Len)
			}
		}
	}
	attrs := mustLookup(t, "", "pg_attribute").Rows(in)
	want := len(in.Tables[0].Columns) + len(in.Tables[1].Columns) + len(in.Tables[2].Columns)
	for _, r := range Relations() {
		want += len(r.Table.Columns)
	}
	if attrs.Len != want {
		t.Errorf("pg_attribute: %d rows, want %d", attrs.Len, want)
	}
}

func mustLookup(t *testing.T, sch, name string) *Relation {
	t.Helper()
	r, ok := Lookup(sch, name)
	if !ok {
		t.Fatalf("no relation %s.%s", sch, name)
	}
	return r
}

func TestOIDs(t *testing.T) {
	in := testInfo()
	seen := map[int64]string{}
	for _, r := range AllRelations(in) {
		if prev, dup := seen[r.OID]; dup {
			t.Errorf("OID %d: %s and %s.%s", r.OID, prev, r.Schema, r.Name)
		}
		seen[r.OID] = r.Schema + "." + r.Name
	}
	if o := TableOID("alerts"); o < 16384 || o != TableOID("alerts") {
		t.Errorf("TableOID(alerts) = %d", o)
	}
	for name, want := range map[string]int64{"pg_class": 1259, "pg_catalog.pg_class": 1259, `"pg_class"`: 1259,
		"alerts": TableOID("alerts"), "public.alerts": TableOID("alerts"), "PUBLIC.Alerts": TableOID("alerts"),
		"information_schema.tables": 13210} {
		if got, ok := RelationOID(in, name); !ok || got != want {
			t.Errorf("RelationOID(%s) = %d, %v; want %d", name, got, ok, want)
		}
	}
	for _, name := range []string{"nope", "information_schema.alerts", `"Alerts"`, "a.b.c", "tables"} {
		if got, ok := RelationOID(in, name); ok {
			t.Errorf("RelationOID(%s) = %d", name, got)
		}
	}
}

func TestTypes(t *testing.T) {
	for name, want := range map[string]int64{"integer": 23, "int4": 23, "int": 23, "text": 25, "pg_catalog.text": 25,
		"char": 1042, `"char"`: 18, "character varying": 1043, "timestamp with time zone": 1184,
		"timestamptz": 1184, "text[]": 1009, "trigger": 2279, "pg_catalog.trigger": 2279, "double precision": 701,
		"Boolean": 16} {
		if got, ok := TypeOID(name); !ok || got != want {
			t.Errorf("TypeOID(%s) = %d, %v; want %d", name, got, ok, want)
		}
	}
	for _, tc := range []struct {
		oid, mod int64
		want     string
	}{{23, -1, "integer"}, {1184, -1, "timestamp with time zone"}, {1043, 36, "character varying(32)"},
		{1700, (10<<16 | 2) + 4, "numeric(10,2)"}, {1184, 3, "timestamp(3) with time zone"}, {1009, -1, "text[]"},
		{18, -1, `"char"`}, {99999, -1, "???"}} {
		if got := FormatType(tc.oid, tc.mod); got != tc.want {
			t.Errorf("FormatType(%d, %d) = %q, want %q", tc.oid, tc.mod, got, tc.want)
		}
	}
	for _, ty := range Types() {
		if ty.Array != 0 {
			if a, ok := TypeByOID(ty.Array); ok && a.Elem != ty.OID {
				t.Errorf("%s: array %s has element %d", ty.Name, a.Name, a.Elem)
			}
		}
	}
}
