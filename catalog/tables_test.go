package catalog

import (
	"fmt"
	"reflect"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/schema"
)

func TestTablesRoundTrip(t *testing.T) {
	c := openTest(t, Config{})
	ctx := testContext(t)
	want := schema.KubeArmor()
	if err := c.PutTables(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := c.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by name: alerts, logs, messages — the order KubeArmor() uses.
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Tables differ from what was put:\n got %+v\nwant %+v", got, want)
	}
	if got[0] == want[0] {
		t.Fatal("Tables returned the caller's own pointer")
	}

	// Idempotent: the same tables again write nothing.
	before := revision(t, c)
	if err := c.PutTables(ctx, schema.KubeArmor()); err != nil {
		t.Fatal(err)
	}
	if after := revision(t, c); after != before {
		t.Fatalf("PutTables of unchanged tables moved the revision %d → %d", before, after)
	}

	// A changed table is replaced; the others are left alone.
	changed := *schema.Messages
	changed.Columns = append(changed.Columns[:len(changed.Columns):len(changed.Columns)],
		schema.Column{Name: "extra", Type: coldata.Int64})
	if err := c.PutTables(ctx, []*schema.Table{schema.Alerts, &changed}); err != nil {
		t.Fatal(err)
	}
	if after := revision(t, c); after != before+1 {
		t.Fatalf("PutTables of one changed table: revision %d → %d, want one write", before, after)
	}
	got, err = c.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got[2], &changed) || !reflect.DeepEqual(got[0], schema.Alerts) {
		t.Fatalf("after the change, Tables = %+v", got)
	}
}

func TestPutTablesManyAndInvalid(t *testing.T) {
	c := openTest(t, Config{})
	ctx := testContext(t)
	var many []*schema.Table
	for i := range 2*maxTxnOps + 7 {
		many = append(many, &schema.Table{
			Name:    fmt.Sprintf("t%03d", i),
			Columns: []schema.Column{{Name: "ts", Type: coldata.Timestamptz}},
		})
	}
	if err := c.PutTables(ctx, many); err != nil {
		t.Fatal(err)
	}
	got, err := c.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, many) {
		t.Fatalf("got %d tables back, want %d equal ones", len(got), len(many))
	}
	for _, name := range []string{"", "a/b", "tab\x00"} {
		if err := c.PutTables(ctx, []*schema.Table{{Name: name}}); err == nil {
			t.Errorf("PutTables with table name %q succeeded", name)
		}
	}
}

// revision is etcd's current revision.
func revision(t *testing.T, c *Catalog) int64 {
	t.Helper()
	resp, err := c.cli.Get(testContext(t), c.cfg.Prefix+versionKey, clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	return resp.Header.Revision
}
