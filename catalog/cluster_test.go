package catalog

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/armorlake/armorlake/schema"
)

// etcdMember is one member of a real etcd cluster run from Debian's
// etcd-server package (scripts/test.sh installs it).
type etcdMember struct {
	name, client, peer string
	args               []string
	cmd                *exec.Cmd
}

func (m *etcdMember) start(t *testing.T) {
	t.Helper()
	m.cmd = exec.Command("etcd", m.args...)
	if err := m.cmd.Start(); err != nil {
		t.Fatalf("start etcd %s: %v", m.name, err)
	}
	t.Cleanup(func() { m.kill() })
}

func (m *etcdMember) kill() {
	if m.cmd != nil && m.cmd.Process != nil {
		m.cmd.Process.Signal(syscall.SIGKILL)
		m.cmd.Wait()
		m.cmd = nil
	}
}

// startEtcdCluster starts a three-member etcd cluster on free loopback
// ports.
func startEtcdCluster(t *testing.T) []*etcdMember {
	t.Helper()
	if _, err := exec.LookPath("etcd"); err != nil {
		t.Fatal("no etcd binary: install Debian's etcd-server (scripts/test.sh does)")
	}
	dir := t.TempDir()
	var ms []*etcdMember
	var initial []string
	for i := 1; i <= 3; i++ {
		m := &etcdMember{name: fmt.Sprintf("m%d", i), client: "http://" + freeAddr(), peer: "http://" + freeAddr()}
		ms = append(ms, m)
		initial = append(initial, m.name+"="+m.peer)
	}
	for _, m := range ms {
		m.args = []string{"--name", m.name, "--data-dir", filepath.Join(dir, m.name),
			"--listen-client-urls", m.client, "--advertise-client-urls", m.client,
			"--listen-peer-urls", m.peer, "--initial-advertise-peer-urls", m.peer,
			"--initial-cluster", strings.Join(initial, ","), "--initial-cluster-state", "new",
			"--initial-cluster-token", "armorlake-test", "--log-level", "error",
			"--heartbeat-interval", "50", "--election-timeout", "500"}
		m.start(t)
	}
	return ms
}

// TestExternalCluster runs the catalog against a real three-member etcd
// cluster: registration, placements and the watch cache work through it,
// go on when one member is lost, and when the cluster loses its quorum the
// cache keeps serving its last view and catches up once a member returns.
func TestExternalCluster(t *testing.T) {
	ms := startEtcdCluster(t)
	var endpoints []string
	for _, m := range ms {
		endpoints = append(endpoints, m.client)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var cat *Catalog
	poll(t, 30*time.Second, "the cluster serves", func() error {
		octx, ocancel := context.WithTimeout(ctx, 2*time.Second)
		defer ocancel()
		var err error
		cat, err = Open(octx, Config{Endpoints: endpoints, LeaseTTL: 2 * time.Second, DialTimeout: time.Second, Logger: testLogger()})
		return err
	})
	defer cat.Close()
	if err := cat.PutTables(ctx, schema.All()); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.Register(ctx, Node{ID: "op-1", Role: RoleOperator, Addr: "10.0.0.1:7070"}); err != nil {
		t.Fatal(err)
	}
	cache, err := NewCache(ctx, cat)
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	put := func(id string) error {
		pctx, pcancel := context.WithTimeout(ctx, 3*time.Second)
		defer pcancel()
		return cat.PutPlacement(pctx, Placement{Table: schema.AlertsTable, NodeID: id, MinTs: 1, MaxTs: 2, Rows: 10})
	}
	sees := func(what string, ids ...string) {
		t.Helper()
		poll(t, 10*time.Second, what, func() error {
			for _, id := range ids {
				if _, ok := cache.Node(id); !ok {
					return fmt.Errorf("the cache does not list %s", id)
				}
			}
			return nil
		})
	}
	if err := put("op-1"); err != nil {
		t.Fatal(err)
	}
	sees("op-1 registered", "op-1")

	// One member lost: the other two are a quorum.
	ms[0].kill()
	if _, err := cat.Register(ctx, Node{ID: "op-2", Role: RoleOperator, Addr: "10.0.0.2:7070"}); err != nil {
		t.Fatalf("register with a member down: %v", err)
	}
	if err := put("op-2"); err != nil {
		t.Fatalf("placement with a member down: %v", err)
	}
	sees("op-2 registered with a member down", "op-1", "op-2")
	// op-1's lease is still renewed: it outlives several TTLs.
	deadline := time.Now().Add(3 * 2 * time.Second)
	for time.Now().Before(deadline) {
		if _, ok := cache.Node("op-1"); !ok {
			t.Fatal("op-1 expired while a quorum remained")
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Quorum lost: writes fail within their deadline, the cache serves
	// what it had.
	ms[1].kill()
	if err := put("op-3"); err == nil {
		t.Error("a placement was written without a quorum")
	}
	if _, ok := cache.Node("op-2"); !ok || len(cache.Placements(schema.AlertsTable)) != 2 {
		t.Errorf("without a quorum the cache lost its view: %v", cache.Placements(schema.AlertsTable))
	}
	// A member back: the quorum returns and so does everything else.
	ms[1].start(t)
	poll(t, 30*time.Second, "writes work again", func() error { return put("op-3") })
	if _, err := cat.Register(ctx, Node{ID: "op-3", Role: RoleOperator, Addr: "10.0.0.3:7070"}); err != nil {
		t.Fatal(err)
	}
	sees("op-3 registered after the quorum returned", "op-1", "op-2", "op-3")
}

// poll calls f until it returns nil or timeout passes.
func poll(t *testing.T, timeout time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %v", what, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
