package catalog

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/armorlake/armorlake/schema"
)

func newTestCache(t *testing.T, c *Catalog) *Cache {
	t.Helper()
	ca, err := NewCache(testContext(t), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ca.Close() })
	return ca
}

func cacheNodeIDs(ca *Cache) []string {
	var ids []string
	for _, n := range ca.Nodes() {
		ids = append(ids, n.ID)
	}
	return ids
}

func TestCacheFollowsNodes(t *testing.T) {
	c := openTest(t, Config{})
	ca := newTestCache(t, c)
	if n := ca.Nodes(); len(n) != 0 {
		t.Fatalf("empty catalog, cache Nodes = %v", n)
	}
	want := Node{ID: "op-1", Role: RoleOperator, Addr: "10.0.0.1:7070", Version: "v1", Started: time.Unix(1700000000, 0).UTC()}
	r, err := c.Register(testContext(t), want)
	if err != nil {
		t.Fatal(err)
	}
	took := waitFor(t, time.Second, "cache sees the new node", func() bool { _, ok := ca.Node("op-1"); return ok })
	t.Logf("cache saw Register after %s", took)
	if got, _ := ca.Node("op-1"); got != want {
		t.Fatalf("cache Node = %+v, want %+v", got, want)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	took = waitFor(t, time.Second, "cache drops the closed node", func() bool { _, ok := ca.Node("op-1"); return !ok })
	t.Logf("cache saw Registration.Close after %s", took)
}

func TestCacheLoadsAndFollowsTablesAndPlacements(t *testing.T) {
	c := openTest(t, Config{})
	ctx := testContext(t)
	if err := c.PutTables(ctx, schema.KubeArmor()); err != nil {
		t.Fatal(err)
	}
	p1 := Placement{Table: "alerts", NodeID: "op-1", MinTs: 1, MaxTs: 9, Rows: 5, Bytes: 50, Updated: time.Unix(1, 0).UTC()}
	if err := c.PutPlacement(ctx, p1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Register(ctx, Node{ID: "op-1", Role: RoleOperator}); err != nil {
		t.Fatal(err)
	}

	ca := newTestCache(t, c)
	// Everything written before NewCache is there when it returns.
	if got := ca.Tables(); len(got) != 3 || got[0].Name != "alerts" || got[1].Name != "logs" || got[2].Name != "messages" {
		t.Fatalf("cache Tables = %v", got)
	}
	if tb, ok := ca.Table("logs"); !ok || len(tb.Columns) != len(schema.Logs.Columns) {
		t.Fatalf("cache Table(logs) = %v, %v", tb, ok)
	}
	if _, ok := ca.Table("nope"); ok {
		t.Fatal("cache has table nope")
	}
	if got := ca.Placements("alerts"); len(got) != 1 || got[0] != p1 {
		t.Fatalf("cache Placements(alerts) = %+v, want [%+v]", got, p1)
	}
	if ids := cacheNodeIDs(ca); !slices.Equal(ids, []string{"op-1"}) {
		t.Fatalf("cache Nodes = %v", ids)
	}

	// Changes arrive.
	p2 := Placement{Table: "alerts", NodeID: "op-0", MinTs: 3, MaxTs: 4, Rows: 1, Updated: time.Unix(2, 0).UTC()}
	if err := c.PutPlacement(ctx, p2); err != nil {
		t.Fatal(err)
	}
	extra := &schema.Table{Name: "audit", Columns: schema.Messages.Columns}
	if err := c.PutTables(ctx, []*schema.Table{extra}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "cache sees the new placement and table", func() bool {
		_, ok := ca.Table("audit")
		return ok && len(ca.Placements("alerts")) == 2
	})
	if got := ca.Placements("alerts"); got[0] != p2 || got[1] != p1 {
		t.Fatalf("cache Placements(alerts) = %+v, want sorted [op-0 op-1]", got)
	}
	// Deletes arrive too (nothing in this package deletes tables or
	// placements, but an operator with etcdctl may).
	if _, err := c.cli.Delete(ctx, c.tableKey("audit")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.cli.Delete(ctx, c.placementPrefix("alerts")+"op-1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "cache sees the deletes", func() bool {
		_, ok := ca.Table("audit")
		return !ok && len(ca.Placements("alerts")) == 1
	})
	// An undecodable value is skipped, not served stale, and breaks nothing.
	if _, err := c.cli.Put(ctx, c.tableKey("logs"), "{not json"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "cache drops the undecodable table", func() bool { _, ok := ca.Table("logs"); return !ok })
	if _, ok := ca.Table("alerts"); !ok {
		t.Fatal("a bad table value took another table with it")
	}
}

// TestCacheWatchCompacted: a watch that starts behind a compaction ends
// with ErrCompacted, which is what makes run reload.
func TestCacheWatchCompacted(t *testing.T) {
	c := openTest(t, Config{})
	ctx := testContext(t)
	ca := newTestCache(t, c)
	from := revision(t, c)
	for i := range 3 {
		if err := c.PutPlacement(ctx, Placement{Table: "logs", NodeID: "op-1", Rows: int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	now := revision(t, c)
	if _, err := c.cli.Compact(ctx, now); err != nil {
		t.Fatal(err)
	}
	err := ca.watch(ctx, from)
	if !errors.Is(err, rpctypes.ErrCompacted) {
		t.Fatalf("watch from compacted revision %d (compacted at %d): %v, want ErrCompacted", from, now, err)
	}
	// The running cache, already past the compaction, is unaffected.
	waitFor(t, time.Second, "cache sees the last placement", func() bool {
		ps := ca.Placements("logs")
		return len(ps) == 1 && ps[0].Rows == 2
	})
}

// TestCacheReloadReplacesView: a reload swaps in the listed view whole, so
// what was missed while the watch was down (here, a stale entry) is gone.
func TestCacheReloadReplacesView(t *testing.T) {
	c := openTest(t, Config{})
	ca := newTestCache(t, c)
	if err := ca.Close(); err != nil {
		t.Fatal(err)
	}
	ca.mu.Lock()
	ca.view.nodes["ghost"] = Node{ID: "ghost", Role: RoleQuery}
	ca.mu.Unlock()
	if _, err := c.Register(testContext(t), Node{ID: "real", Role: RoleQuery}); err != nil {
		t.Fatal(err)
	}
	if ids := cacheNodeIDs(ca); !slices.Equal(ids, []string{"ghost"}) {
		t.Fatalf("closed cache Nodes = %v, want only its last view [ghost]", ids)
	}
	if _, err := ca.load(testContext(t)); err != nil {
		t.Fatal(err)
	}
	if ids := cacheNodeIDs(ca); !slices.Equal(ids, []string{"real"}) {
		t.Fatalf("after reload, Nodes = %v, want [real]", ids)
	}
}

// TestEtcdOutage runs its own etcd and stops it: caches keep serving,
// registrations that outlive their lease come back with a new one, and
// caches catch up once etcd is back.
func TestEtcdOutage(t *testing.T) {
	t.Parallel()
	const ttl = 2 * time.Second
	e, ecfg, err := startEtcd(filepath.Join(t.TempDir(), "etcd"), testLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { e.Close() }()
	cfg := Config{Endpoints: e.Endpoints(), LeaseTTL: ttl, DialTimeout: time.Second}
	operator, query := openTest(t, cfg), openTest(t, cfg)
	ctx := testContext(t)
	if err := operator.PutTables(ctx, schema.KubeArmor()); err != nil {
		t.Fatal(err)
	}
	r, err := operator.Register(ctx, Node{ID: "op-1", Role: RoleOperator, Addr: "a:1"})
	if err != nil {
		t.Fatal(err)
	}
	ca := newTestCache(t, query)
	if _, ok := ca.Node("op-1"); !ok {
		t.Fatal("cache lacks op-1")
	}
	lease, _ := r.state()

	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	checkServing := func(when string) {
		t.Helper()
		if _, ok := ca.Node("op-1"); !ok || len(ca.Tables()) != 3 {
			t.Fatalf("%s: cache Nodes = %v, %d tables; want its last view", when, cacheNodeIDs(ca), len(ca.Tables()))
		}
	}
	checkServing("etcd just closed")
	waitFor(t, 3*ttl, "registration gives its lease up", func() bool { _, lost := r.state(); return lost })
	checkServing("etcd down past the lease TTL")

	e2, err := StartEmbedded(t.Context(), ecfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	start := time.Now()
	waitFor(t, 10*time.Second, "node re-registers under a new lease", func() bool {
		l, lost := r.state()
		return !lost && l != lease
	})
	t.Logf("re-registered %s after etcd restarted", time.Since(start).Round(time.Millisecond))

	p := Placement{Table: "alerts", NodeID: "op-1", MinTs: 1, MaxTs: 2, Rows: 1}
	pctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := operator.PutPlacement(pctx, p); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "cache catches up after etcd restarted", func() bool { return len(ca.Placements("alerts")) == 1 })
	t.Logf("cache caught up %s after etcd restarted", time.Since(start).Round(time.Millisecond))

	// The old lease, restored by etcd with a fresh TTL, expires without
	// taking the node with it.
	waitFor(t, 3*ttl, "old lease expires", func() bool {
		resp, err := operator.cli.TimeToLive(pctx, clientv3.LeaseID(lease))
		return err == nil && resp.TTL == -1
	})
	if ids := nodeIDs(t, operator); !slices.Equal(ids, []string{"op-1"}) {
		t.Fatalf("after the old lease expired, Nodes = %v, want [op-1]", ids)
	}
	checkServing("after the outage")
	for _, c := range []*Catalog{operator, query} {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	}
}
