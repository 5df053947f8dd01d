package test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the armorlake binary built once for the package's tests.
var binary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "armorlake-test-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "armorlake")
	build := exec.Command("go", "build", "-o", binary, "../cmd/armorlake")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build armorlake:", err)
		return 1
	}
	return m.Run()
}

// freeAddr returns a loopback address whose port is free right now and
// was never returned before in this process: the kernel may hand a port
// just released to the next caller, and two servers of one cluster given
// the same port make a client reach the wrong one.
func freeAddr(t *testing.T) string {
	t.Helper()
	for {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		givenMu.Lock()
		taken := given[addr]
		given[addr] = true
		givenMu.Unlock()
		if !taken {
			return addr
		}
	}
}

var (
	givenMu sync.Mutex
	given   = map[string]bool{}
)

// proc is one armorlake process of a test cluster.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	done chan struct{}
}

// start runs armorlake with args; the test's cleanup stops it.
func start(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, log: &bytes.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(binary, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop(syscall.SIGTERM)
		if t.Failed() {
			t.Logf("--- %s output:\n%s", name, p.log.String())
		}
	})
	return p
}

// pause stops the process with SIGSTOP and returns once every one of its
// threads is stopped (a thread in a system call stops only when the call
// returns), so that what the test does next meets a stopped process.
func (p *proc) pause(t *testing.T) {
	t.Helper()
	pid := p.cmd.Process.Pid
	p.cmd.Process.Signal(syscall.SIGSTOP)
	waitFor(t, 5*time.Second, fmt.Sprintf("%s stopped", p.name), func() error {
		stats, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
		if err != nil || len(stats) == 0 {
			return fmt.Errorf("no threads listed: %v", err)
		}
		for _, f := range stats {
			b, err := os.ReadFile(f)
			if err != nil {
				continue // a thread that just ended
			}
			// The state follows the parenthesised command name.
			if i := bytes.LastIndexByte(b, ')'); i < 0 || i+2 >= len(b) || (b[i+2] != 'T' && b[i+2] != 't') {
				return fmt.Errorf("%s still running", f)
			}
		}
		return nil
	})
}

// stop signals the process and waits for it to exit, killing it if it
// does not within 10 s.
func (p *proc) stop(sig syscall.Signal) {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// waitFor polls cond until it returns nil or the deadline passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for {
		if err = cond(); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %v", what, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cluster is the seed topology as separate processes: one master, one
// query node, three operators, each with its own simulator sending a
// fixed count of events.
type cluster struct {
	etcd      string // the catalog's client URL
	master    *proc
	pgAddr    string
	operators []*proc
	metrics   []string // each operator's HTTP address
	start     time.Time
	count     int
	queryDir  string // the query node's --data-dir: its TLS certificate
}

// startCluster starts the seed topology: a master, three simulators
// (seeds 1 to 3, count events each) and three operators each pulling from
// one of them, and a query node.
func startCluster(t *testing.T, count int) *cluster {
	return startTopology(t, count, 3, "")
}

// startTopology starts a master, three simulators, operators operators
// (3: one per simulator; 1: pulling from all three, so that it holds the
// same events as three would) and a query node. prefix names the
// processes in logs.
func startTopology(t *testing.T, count, operators int, prefix string, queryArgs ...string) *cluster {
	return startTopologyWith(t, count, operators, prefix, nil, queryArgs...)
}

// startTopologyWith is startTopology where opArgs, when not nil, gives
// operator i (1-based), listening on listen, more arguments: another
// address to advertise (a proxy in front of it), a replica group.
func startTopologyWith(t *testing.T, count, operators int, prefix string, opArgs func(i int, listen string) []string, queryArgs ...string) *cluster {
	t.Helper()
	dir := t.TempDir()
	c := &cluster{start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), count: count}
	etcd := "http://" + freeAddr(t)
	c.etcd = etcd
	c.master = start(t, prefix+"master", "master", "--data-dir", filepath.Join(dir, "master"),
		"--client-url", etcd, "--peer-url", "http://"+freeAddr(t), "--http-listen", "", "--log-level", "warn")
	var sims []string
	for i := 1; i <= 3; i++ {
		simAddr := freeAddr(t)
		start(t, fmt.Sprintf("%ssim-%d", prefix, i), "kubearmor-sim", "--listen", simAddr,
			"--seed", fmt.Sprint(i), "--count", fmt.Sprint(count),
			"--start", c.start.Format(time.RFC3339), "--span", "24h",
			"--wait-subscribers", "--lossless", "--log-level", "warn")
		sims = append(sims, simAddr)
	}
	for i := 1; i <= operators; i++ {
		sources := sims[i-1]
		if operators == 1 {
			sources = strings.Join(sims, ",")
		}
		httpAddr, listen := freeAddr(t), freeAddr(t)
		args := []string{"operator", "--id", fmt.Sprintf("operator-%d", i),
			"--listen", listen, "--data-dir", filepath.Join(dir, fmt.Sprintf("operator-%d", i)),
			"--etcd-endpoints", etcd, "--kubearmor", sources, "--lease-ttl", "2s",
			// Merge small blocks often, so that queries run during merges.
			"--merge-interval", "200ms",
			"--http-listen", httpAddr, "--log-level", "warn"}
		if opArgs != nil {
			args = append(args, opArgs(i, listen)...)
		}
		op := start(t, fmt.Sprintf("%soperator-%d", prefix, i), args...)
		c.operators = append(c.operators, op)
		c.metrics = append(c.metrics, httpAddr)
	}
	c.pgAddr, c.queryDir = freeAddr(t), t.TempDir()
	start(t, prefix+"query", append([]string{"query", "--listen", c.pgAddr, "--etcd-endpoints", etcd, "--data-dir", c.queryDir, "--http-listen", "", "--log-level", "warn"}, queryArgs...)...)
	return c
}

func (c *cluster) dsn() string {
	host, port, _ := net.SplitHostPort(c.pgAddr)
	return fmt.Sprintf("postgres://armorlake@%s:%s/armorlake?sslmode=disable", host, port)
}

// psql runs one command through the real psql client, unaligned and
// tuples-only, and returns its output.
func (c *cluster) psql(ctx context.Context, sql string) (string, error) {
	host, port, _ := net.SplitHostPort(c.pgAddr)
	cmd := exec.CommandContext(ctx, "psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
		"-h", host, "-p", port, "-U", "armorlake", "-d", "armorlake", "-c", sql)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=5")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("psql %q: %v: %s", sql, err, out)
	}
	return strings.TrimRight(string(out), "\n"), nil
}
