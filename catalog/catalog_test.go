package catalog

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/armorlake/armorlake/schema"
)

func TestOpenValidates(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{Endpoints: []string{""}},
		{Endpoints: []string{"http://127.0.0.1:1"}, LeaseTTL: -time.Second},
	} {
		if c, err := Open(context.Background(), cfg); err == nil {
			c.Close()
			t.Errorf("Open(%+v) succeeded", cfg)
		}
	}
}

func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	c, err := Open(ctx, Config{Endpoints: []string{"http://" + freeAddr()}})
	if err == nil {
		c.Close()
		t.Fatal("Open of an etcd nobody serves succeeded")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Open took %s to give up, past its context", d)
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg := Config{Prefix: "/x"}
	cfg.EnsureDefaults()
	if cfg.Prefix != "/x/" || cfg.DialTimeout != DefaultDialTimeout || cfg.LeaseTTL != DefaultLeaseTTL || cfg.Logger == nil {
		t.Fatalf("EnsureDefaults gave %+v", cfg)
	}
	cfg = Config{}
	cfg.EnsureDefaults()
	if cfg.Prefix != DefaultPrefix {
		t.Fatalf("default prefix %q", cfg.Prefix)
	}
	for ttl, want := range map[time.Duration]int64{time.Second: 1, 1500 * time.Millisecond: 2, 10 * time.Second: 10} {
		cfg.LeaseTTL = ttl
		if got := cfg.leaseSeconds(); got != want {
			t.Errorf("LeaseTTL %s → %d s, want %d", ttl, got, want)
		}
	}
}

func TestLayoutVersion(t *testing.T) {
	prefix := testPrefix(t)
	c := openTest(t, Config{Prefix: prefix})
	resp, err := c.cli.Get(testContext(t), prefix+"version")
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "1" {
		t.Fatalf("version key = %v, want 1", resp.Kvs)
	}
	// Reopening a prefix of the same version works.
	openTest(t, Config{Prefix: prefix})

	if _, err := c.cli.Put(testContext(t), prefix+"version", "2"); err != nil {
		t.Fatal(err)
	}
	c2, err := Open(testContext(t), Config{Endpoints: sharedEndpoints, Prefix: prefix})
	if err == nil {
		c2.Close()
		t.Fatal("Open of a version-2 layout succeeded")
	}
	if !strings.Contains(err.Error(), "layout version") {
		t.Fatalf("error %q does not name the layout version", err)
	}
}

// TestKeyLayout pins the keys to the layout documented in the package doc
// and docs/catalog.md.
func TestKeyLayout(t *testing.T) {
	p := testPrefix(t)
	c := openTest(t, Config{Prefix: p})
	ctx := testContext(t)
	if _, err := c.Register(ctx, Node{ID: "op-1", Role: RoleOperator}); err != nil {
		t.Fatal(err)
	}
	if err := c.PutTables(ctx, []*schema.Table{schema.Alerts}); err != nil {
		t.Fatal(err)
	}
	if err := c.PutPlacement(ctx, Placement{Table: "alerts", NodeID: "op-1"}); err != nil {
		t.Fatal(err)
	}
	resp, err := c.cli.Get(ctx, p, clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, kv := range resp.Kvs {
		keys = append(keys, strings.TrimPrefix(string(kv.Key), p))
		if kv.Lease != 0 != strings.HasPrefix(string(kv.Key), p+"nodes/") {
			t.Errorf("key %s has lease %x: only node keys are leased", kv.Key, kv.Lease)
		}
	}
	want := []string{"nodes/op-1", "placement/alerts/op-1", "tables/alerts", "version"}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys under %s = %v, want %v", p, keys, want)
	}
}

func TestParseKey(t *testing.T) {
	c := &Catalog{cfg: Config{Prefix: "/p/"}}
	for _, tc := range []struct {
		key  string
		kind keyKind
		a, b string
	}{
		{"/p/nodes/op-1", keyNode, "op-1", ""},
		{"/p/tables/alerts", keyTable, "alerts", ""},
		{"/p/placement/alerts/op-1", keyPlacement, "alerts", "op-1"},
		{"/p/version", keyOther, "", ""},
		{"/p/nodes/", keyOther, "", ""},
		{"/p/nodes/a/b", keyOther, "", ""},
		{"/p/placement/alerts", keyOther, "", ""},
		{"/p/placement/alerts/", keyOther, "", ""},
		{"/p/placement/alerts/op/1", keyOther, "", ""},
		{"/q/nodes/op-1", keyOther, "", ""},
		{"/p/clusters/c1", keyOther, "", ""},
	} {
		kind, a, b := c.parseKey(tc.key)
		if kind != tc.kind || a != tc.a || b != tc.b {
			t.Errorf("parseKey(%q) = %d %q %q, want %d %q %q", tc.key, kind, a, b, tc.kind, tc.a, tc.b)
		}
	}
}

func TestCheckName(t *testing.T) {
	for name, ok := range map[string]bool{
		"alerts":                 true,
		"op-1.example.com:7070":  true,
		"":                       false,
		"a/b":                    false,
		"tab\tname":              false,
		strings.Repeat("x", 255): true,
		strings.Repeat("x", 256): false,
	} {
		if err := checkName("name", name); (err == nil) != ok {
			t.Errorf("checkName(%.30q) = %v, want ok=%v", name, err, ok)
		}
	}
}
