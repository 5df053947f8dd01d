package catalog

import (
	"slices"
	"testing"
	"time"
)

// abandon stops the keepalive without revoking the lease, as a crash would.
func (r *Registration) abandon() {
	r.cancel()
	<-r.done
}

func (r *Registration) state() (lease int64, lost bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return int64(r.lease), r.lost
}

func nodeIDs(t *testing.T, c *Catalog) []string {
	t.Helper()
	nodes, err := c.Nodes(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID
	}
	return ids
}

func TestRegisterThenClose(t *testing.T) {
	c := openTest(t, Config{})
	ctx := testContext(t)
	started := time.Date(2026, 5, 19, 7, 25, 23, 123456000, time.UTC)
	want := Node{ID: "op-1", Role: RoleOperator, Addr: "10.0.0.1:7070", Version: "v0.1.0", Started: started}
	r, err := c.Register(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	// Left open: the catalog's Close revokes it.
	if _, err := c.Register(ctx, Node{ID: "query-1", Role: RoleQuery, Addr: "127.0.0.1:5432"}); err != nil {
		t.Fatal(err)
	}
	nodes, err := c.Nodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 2 || nodes[0] != want || nodes[1].ID != "query-1" {
		t.Fatalf("Nodes = %+v, want op-1 %+v and query-1", nodes, want)
	}
	if nodes[1].Started.IsZero() {
		t.Error("Register did not fill in Started")
	}

	// Close revokes: gone on the very next read, no TTL wait.
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if ids := nodeIDs(t, c); !slices.Equal(ids, []string{"query-1"}) {
		t.Fatalf("after Close, Nodes = %v, want [query-1]", ids)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestRegisterRejectsBadNodes(t *testing.T) {
	c := openTest(t, Config{})
	for _, n := range []Node{
		{ID: "", Role: RoleQuery},
		{ID: "a/b", Role: RoleQuery},
		{ID: "a\nb", Role: RoleQuery},
		{ID: "ok", Role: "coordinator"},
	} {
		if r, err := c.Register(testContext(t), n); err == nil {
			r.Close()
			t.Errorf("Register(%+v) succeeded", n)
		}
	}
	if ids := nodeIDs(t, c); len(ids) != 0 {
		t.Fatalf("Nodes = %v after rejected registrations", ids)
	}
}

func TestLeaseExpiresWithoutKeepAlive(t *testing.T) {
	t.Parallel()
	const ttl = 2 * time.Second
	c := openTest(t, Config{LeaseTTL: ttl})
	r, err := c.Register(testContext(t), Node{ID: "op-crash", Role: RoleOperator})
	if err != nil {
		t.Fatal(err)
	}
	r.abandon()
	if ids := nodeIDs(t, c); !slices.Equal(ids, []string{"op-crash"}) {
		t.Fatalf("right after the keepalive stopped, Nodes = %v, want [op-crash]", ids)
	}
	took := waitFor(t, ttl+5*time.Second, "node expires", func() bool { return len(nodeIDs(t, c)) == 0 })
	t.Logf("expired %s after the keepalive stopped (TTL %s)", took.Round(time.Millisecond), ttl)
}

func TestKeepAliveOutlivesTTL(t *testing.T) {
	t.Parallel()
	const ttl = 2 * time.Second
	c := openTest(t, Config{LeaseTTL: ttl})
	if _, err := c.Register(testContext(t), Node{ID: "op-live", Role: RoleOperator}); err != nil {
		t.Fatal(err)
	}
	// The node must stay listed throughout, well past one TTL.
	for end := time.Now().Add(ttl + time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if ids := nodeIDs(t, c); !slices.Equal(ids, []string{"op-live"}) {
			t.Fatalf("Nodes = %v while the keepalive runs", ids)
		}
	}
}

func TestCatalogCloseRevokesRegistrations(t *testing.T) {
	c := openTest(t, Config{})
	other := openTest(t, Config{Prefix: testPrefix(t)})
	if _, err := other.Register(testContext(t), Node{ID: "query-9", Role: RoleQuery}); err != nil {
		t.Fatal(err)
	}
	if ids := nodeIDs(t, c); !slices.Equal(ids, []string{"query-9"}) {
		t.Fatalf("Nodes = %v, want [query-9]", ids)
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	if ids := nodeIDs(t, c); len(ids) != 0 {
		t.Fatalf("after the registering catalog closed, Nodes = %v", ids)
	}
	if _, err := other.Register(testContext(t), Node{ID: "query-9", Role: RoleQuery}); err == nil {
		t.Fatal("Register on a closed catalog succeeded")
	}
}

func TestDuplicateIDTakesOver(t *testing.T) {
	c := openTest(t, Config{})
	old, err := c.Register(testContext(t), Node{ID: "op-1", Role: RoleOperator, Addr: "old:1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Register(testContext(t), Node{ID: "op-1", Role: RoleOperator, Addr: "new:1"}); err != nil {
		t.Fatal(err)
	}
	// Closing the replaced registration revokes its lease, which no longer
	// holds the key: the new registration stays.
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	nodes, err := c.Nodes(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 1 || nodes[0].Addr != "new:1" {
		t.Fatalf("Nodes = %+v, want op-1 at new:1", nodes)
	}
}
