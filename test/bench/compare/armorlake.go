package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// proc is one armorlake process of a topology.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  *os.File
	done chan error
}

func startProc(binary, logDir, name string, args ...string) (*proc, error) {
	f, err := os.Create(filepath.Join(logDir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = f, f
	// Killed with the benchmark, however it ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: f, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	return p, nil
}

// stop asks the process to end, then kills it if it has not within 10 s.
func (p *proc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	p.log.Close()
}

// exited reports the process's end, if it has ended.
func (p *proc) exited() error {
	select {
	case err := <-p.done:
		p.done <- err
		return fmt.Errorf("%s exited: %v (log: %s)", p.name, err, p.log.Name())
	default:
		return nil
	}
}

// freePort returns a loopback port nothing listens on now. Ports handed
// out are remembered so that two calls never return the same one.
var givenPorts = map[int]bool{}

func freePort() (int, error) {
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if !givenPorts[port] {
			givenPorts[port] = true
			return port, nil
		}
	}
	return 0, errors.New("no free port")
}

func freeAddr() (string, error) {
	p, err := freePort()
	return fmt.Sprintf("127.0.0.1:%d", p), err
}

// startArmorlake starts a topology of n operators (a master with embedded
// etcd, a query node, and per operator a kubearmor-sim process serving
// its part of the sequence), loads the dataset through it and returns it
// as a system.
func startArmorlake(ctx context.Context, c *config, dir string, n int, mem *memSampler) (*system, error) {
	name := fmt.Sprintf("armorlake, %d operator", n)
	short := fmt.Sprintf("armorlake ×%d", n)
	if n > 1 {
		name += "s"
	}
	// A fresh topology: data left by an earlier run would be counted.
	base := filepath.Join(dir, fmt.Sprintf("armorlake-%d", n))
	if err := os.RemoveAll(base); err != nil {
		return nil, err
	}
	logDir := filepath.Join(base, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	var procs []*proc
	s := &system{name: name, short: short, nodes: map[string]string{}}
	var conn *pgx.Conn
	s.close = func() {
		if conn != nil {
			conn.Close(context.Background())
		}
		for i := len(procs) - 1; i >= 0; i-- {
			procs[i].stop()
		}
	}
	fail := func(err error) (*system, error) {
		s.close()
		return nil, err
	}
	start := func(name string, args ...string) (*proc, error) {
		p, err := startProc(c.binary, logDir, name, append(args, "--log-level", "warn")...)
		if err == nil {
			procs = append(procs, p)
		}
		return p, err
	}
	addrs := func(k int) ([]string, error) {
		out := make([]string, k)
		for i := range out {
			a, err := freeAddr()
			if err != nil {
				return nil, err
			}
			out[i] = a
		}
		return out, nil
	}
	a, err := addrs(4)
	if err != nil {
		return fail(err)
	}
	etcdURL := "http://" + a[0]
	master, err := start("master", "master", "--data-dir", filepath.Join(base, "master"), "--client-url", etcdURL,
		"--peer-url", "http://"+a[1], "--http-listen", "")
	if err != nil {
		return fail(err)
	}
	if err := waitListening(ctx, a[0], master); err != nil {
		return fail(err)
	}
	queryAddr, queryHTTP := a[2], a[3]
	query, err := start("query", "query", "--id", "query-1", "--listen", queryAddr, "--etcd-endpoints", etcdURL,
		"--data-dir", filepath.Join(base, "query"), "--tls", "off", "--http-listen", queryHTTP)
	if err != nil {
		return fail(err)
	}
	s.nodes["query"] = queryHTTP
	var sims, ops []string // HTTP addresses
	var opProcs []*proc
	for k := 1; k <= n; k++ {
		a, err := addrs(4)
		if err != nil {
			return fail(err)
		}
		simArgs := []string{"kubearmor-sim", "--listen", a[0], "--http-listen", a[1], "--seed", "1", "--count", strconv.Itoa(c.events),
			"--start", datasetStart.Format(time.RFC3339), "--span", "24h", "--wait-subscribers", "--lossless"}
		if n > 1 {
			simArgs = append(simArgs, "--part", fmt.Sprintf("%d/%d", k, n))
		}
		if _, err := start(fmt.Sprintf("sim-%d", k), simArgs...); err != nil {
			return fail(err)
		}
		op, err := start(fmt.Sprintf("operator-%d", k), "operator", "--id", fmt.Sprintf("operator-%d", k), "--listen", a[2],
			"--data-dir", filepath.Join(base, fmt.Sprintf("operator-%d", k)), "--etcd-endpoints", etcdURL,
			"--kubearmor", a[0], "--http-listen", a[3], "--ingest-buffer", strconv.Itoa(c.buffer),
			"--block-cache", strconv.Itoa(c.blockCache/n))
		if err != nil {
			return fail(err)
		}
		sims, ops = append(sims, a[1]), append(ops, a[3])
		opProcs = append(opProcs, op)
		s.nodes[fmt.Sprintf("operator-%d", k)] = a[3]
	}
	// Memory counts armorlake's own processes, not the simulators
	// standing in for KubeArmor.
	mine := append([]*proc{master, query}, opProcs...)
	s.pids = func() []int {
		var pids []int
		for _, p := range mine {
			pids = append(pids, p.cmd.Process.Pid)
		}
		return pids
	}
	mem.watch(s.name, s.pids)
	mem.phase("load")
	logf("%s: loading %d events over gRPC from %d simulator process(es)", name, c.events, n)

	// The clock starts at the first event a simulator generates (they
	// wait for their operator's streams) and stops when the operators
	// have stored every event.
	var first time.Time
	lastLog := time.Now()
	deadline := time.Now().Add(time.Duration(c.events/10_000+120) * time.Second)
	for {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		for _, p := range procs {
			if err := p.exited(); err != nil {
				return fail(err)
			}
		}
		if first.IsZero() {
			gen, err := sumMetric(sims, "armorlake_sim_events_generated_total")
			if err == nil && gen > 0 {
				first = time.Now()
			}
		}
		stored, err1 := sumMetric(ops, "armorlake_ingest_events_stored_total")
		dropped, err2 := sumMetric(ops, "armorlake_ingest_events_dropped_total")
		if err := errors.Join(err1, err2); err == nil {
			if dropped > 0 {
				return fail(fmt.Errorf("the operators dropped %.0f events: their ingest buffers overflowed", dropped))
			}
			if int(stored) >= c.events {
				break
			}
			if time.Since(lastLog) > 10*time.Second {
				logf("  %.0f events stored", stored)
				lastLog = time.Now()
			}
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("not every event stored after %s", time.Since(first).Round(time.Second)))
		}
		time.Sleep(200 * time.Millisecond)
	}
	ingest := time.Since(first)
	logf("%s: %d events stored in %s (%.0f events/s)", name, c.events, ingest.Round(time.Millisecond), float64(c.events)/ingest.Seconds())

	// The query node sees every event once the operators' placements
	// are in the catalog.
	dsn := fmt.Sprintf("host=127.0.0.1 port=%s user=armorlake dbname=armorlake sslmode=disable", strings.Split(queryAddr, ":")[1])
	for {
		if err := query.exited(); err != nil {
			return fail(err)
		}
		conn, err = pgx.Connect(ctx, dsn)
		if err == nil {
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fail(fmt.Errorf("query node: %w", err))
		}
		time.Sleep(50 * time.Millisecond)
	}
	for {
		var total int64
		err := conn.QueryRow(ctx, "SELECT (SELECT count(*) FROM alerts) + (SELECT count(*) FROM logs) + (SELECT count(*) FROM messages)").Scan(&total)
		if err == nil && total == int64(c.events) {
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fail(fmt.Errorf("the query node counts %d events (%v), want %d", total, err, c.events))
		}
		time.Sleep(100 * time.Millisecond)
	}
	ready := time.Since(first)
	var files, sorted, allocated int64
	for k := 1; k <= n; k++ {
		b, ss, al, err := dirSize(filepath.Join(base, fmt.Sprintf("operator-%d", k)))
		if err != nil {
			return fail(err)
		}
		files, sorted, allocated = files+b, sorted+ss, allocated+al
	}
	encoded, err := sumMetric(ops, "armorlake_storage_bytes")
	if err != nil {
		return fail(err)
	}
	logf("%s: %.0f bytes of blocks; data directories %d bytes (%d in sorted files), %d allocated", name, encoded, files, sorted, allocated)
	s.load = loadStats{
		how: fmt.Sprintf("%d kubearmor-sim process(es) → gRPC → %d operator(s), synced Pebble writes, --ingest-buffer %d, --block-cache %d (MiB each)",
			n, n, c.buffer, c.blockCache/n),
		events:   int64(c.events),
		ingest:   ingest,
		ready:    ready,
		bytes:    int64(encoded),
		bytesHow: "the stored blocks (armorlake_storage_bytes): column chunks, metadata, bloom filters",
		disk:     allocated,
	}
	s.query = pgxQuery(conn)
	return s, nil
}

// waitListening waits until addr accepts connections or p exits.
func waitListening(ctx context.Context, addr string, p *proc) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if err := p.exited(); err != nil {
			return err
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s not listening on %s after 60 s", p.name, addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sumMetric adds the values of a Prometheus metric (every label set) over
// the /metrics pages of the given HTTP addresses.
func sumMetric(addrs []string, name string) (float64, error) {
	var sum float64
	for _, a := range addrs {
		resp, err := http.Get("http://" + a + "/metrics")
		if err != nil {
			return 0, err
		}
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, name) {
				continue
			}
			rest := line[len(name):]
			if rest == "" || (rest[0] != ' ' && rest[0] != '{') {
				continue
			}
			f := strings.Fields(rest[strings.LastIndexByte(rest, '}')+1:])
			if len(f) == 0 {
				continue
			}
			v, err := strconv.ParseFloat(f[0], 64)
			if err == nil {
				sum += v
			}
		}
		resp.Body.Close()
	}
	return sum, nil
}

// dirSize returns the bytes of every file under dir, of its Pebble
// sorted files (*.sst), and the bytes the file system allocated to them.
func dirSize(dir string) (all, sst, allocated int64, err error) {
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		all += info.Size()
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			allocated += st.Blocks * 512
		}
		if strings.HasSuffix(path, ".sst") {
			sst += info.Size()
		}
		return nil
	})
	return all, sst, allocated, err
}

// pgxQuery runs queries on one connection of a PostgreSQL-protocol
// server.
func pgxQuery(conn *pgx.Conn) func(ctx context.Context, sql string, collect bool) ([][]string, error) {
	return func(ctx context.Context, sql string, collect bool) ([][]string, error) {
		rows, err := conn.Query(ctx, sql)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out [][]string
		for rows.Next() {
			if !collect {
				continue
			}
			vals, err := rows.Values()
			if err != nil {
				return nil, err
			}
			out = append(out, canonicalRow(vals))
		}
		return out, rows.Err()
	}
}
