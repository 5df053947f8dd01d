// Command federation measures one query node over many operators: the
// latency of planning, of the fan-out to every operator holding the rows
// and of the merge, and the query node's memory, for a query that needs
// all of them and for one over the last hour, which time pruning sends
// only to the operators holding that hour.
//
// The operators (lightweight: each a gRPC operator service over a small
// in-memory table, registered in the catalog with its placement) and the
// catalog's etcd run in a child process; this process is the query node,
// so its memory is the query node's.
//
//	go run ./test/bench/federation --operators 1000
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"

	"github.com/armorlake/armorlake/catalog"
	"github.com/armorlake/armorlake/cmd"
	"github.com/armorlake/armorlake/coldata"
	aexec "github.com/armorlake/armorlake/exec"
	"github.com/armorlake/armorlake/planner"
	"github.com/armorlake/armorlake/rpc"
	"github.com/armorlake/armorlake/schema"
)

var (
	operators = flag.Int("operators", 1000, "operators to register")
	rows      = flag.Int("rows", 200, "alerts each operator holds, within one hour of the day")
	queries   = flag.Int("queries", 200, "timed runs of each query, after 10 warm-up runs")
	role      = flag.String("role", "", "internal: 'operators' hosts etcd and the operators")
)

var day = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func main() {
	flag.Parse()
	var err error
	if *role == "operators" {
		err = hostOperators()
	} else {
		err = measure()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "federation bench:", err)
		os.Exit(1)
	}
}

// hostOperators runs etcd and the operators, prints "etcd <url>" and
// "ready", and serves until stdin closes.
func hostOperators() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "armorlake-federation-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	client, peer := freeAddr(), freeAddr()
	etcd, err := catalog.StartEmbedded(ctx, catalog.EmbedConfig{DataDir: filepath.Join(dir, "etcd"), ClientURL: "http://" + client, PeerURL: "http://" + peer})
	if err != nil {
		return err
	}
	defer etcd.Close()
	fmt.Println("etcd", etcd.Endpoints()[0])
	cat, err := catalog.Open(ctx, catalog.Config{Endpoints: etcd.Endpoints(), LeaseTTL: 30 * time.Second})
	if err != nil {
		return err
	}
	defer cat.Close()
	if err := cat.PutTables(ctx, schema.All()); err != nil {
		return err
	}
	resolve := func(name string) (*schema.Table, bool) {
		for _, t := range schema.All() {
			if t.Name == name {
				return t, true
			}
		}
		return nil, false
	}
	rng := rand.New(rand.NewPCG(1, 2))
	namespaces := []string{"default", "kube-system", "logging", "payments", "web"}
	for i := range *operators {
		hour := i % 24
		b := coldata.NewBatch(schema.Alerts.Types(), *rows)
		lo := day.Add(time.Duration(hour) * time.Hour).UnixMicro()
		for r := range *rows {
			for c, v := range b.Vecs {
				switch schema.Alerts.Columns[c].Name {
				case "ts":
					v.Int64 = append(v.Int64, lo+int64(r)*int64(time.Hour/time.Microsecond)/int64(*rows))
				case "pid":
					v.Int64 = append(v.Int64, int64(rng.IntN(100000)))
				case "namespace_name":
					v.Bytes.AppendString(namespaces[rng.IntN(len(namespaces))])
				default:
					v.AppendNull()
				}
			}
		}
		b.Len = *rows
		src := aexec.NewMemSource()
		src.Append(schema.Alerts, b)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		g := grpc.NewServer()
		rpc.NewServer(src, resolve, nil).Register(g)
		go g.Serve(ln)
		id := fmt.Sprintf("op-%04d", i)
		if _, err := cat.Register(ctx, catalog.Node{ID: id, Role: catalog.RoleOperator, Addr: ln.Addr().String(), Started: time.Now()}); err != nil {
			return err
		}
		if err := cat.PutPlacement(ctx, catalog.Placement{Table: schema.AlertsTable, NodeID: id, MinTs: lo,
			MaxTs: lo + int64(time.Hour/time.Microsecond) - 1, Rows: int64(*rows)}); err != nil {
			return err
		}
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return nil
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type sample struct{ plan, fanout, total time.Duration }

func measure() error {
	ctx := context.Background()
	child := exec.Command(os.Args[0], "--role", "operators", "--operators", strconv.Itoa(*operators), "--rows", strconv.Itoa(*rows))
	child.Stderr = os.Stderr
	stdin, err := child.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		return err
	}
	start := time.Now()
	if err := child.Start(); err != nil {
		return err
	}
	defer func() { stdin.Close(); child.Wait() }()
	lines := bufio.NewScanner(stdout)
	var endpoint string
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) == 2 && f[0] == "etcd" {
			endpoint = f[1]
		}
		if len(f) == 1 && f[0] == "ready" {
			break
		}
	}
	if endpoint == "" {
		return fmt.Errorf("the operators' process did not start")
	}
	fmt.Printf("%d operators registered in %s\n", *operators, time.Since(start).Round(time.Millisecond))

	cat, err := catalog.Open(ctx, catalog.Config{Endpoints: []string{endpoint}})
	if err != nil {
		return err
	}
	defer cat.Close()
	cache, err := catalog.NewCache(ctx, cat)
	if err != nil {
		return err
	}
	defer cache.Close()
	for deadline := time.Now().Add(time.Minute); len(cache.Placements(schema.AlertsTable)) < *operators; {
		if time.Now().After(deadline) {
			return fmt.Errorf("the cache lists %d placements", len(cache.Placements(schema.AlertsTable)))
		}
		time.Sleep(50 * time.Millisecond)
	}
	client := rpc.NewClient(rpc.ClientConfig{})
	defer client.Close()
	p := planner.New(planner.Config{}, cmd.PlannerCatalog(cache), client)

	lastHour := day.Add(23 * time.Hour).Format(time.RFC3339)
	for _, q := range []struct{ name, sql string }{
		{"every operator", "SELECT namespace_name, count(*), max(pid) FROM alerts GROUP BY 1"},
		{"the last hour", "SELECT count(*), max(pid) FROM alerts WHERE ts >= '" + lastHour + "'"},
	} {
		var samples []sample
		var touched int
		var rowsSeen int64
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := range 10 + *queries {
			s, n, r, err := runOnce(ctx, p, q.sql)
			if err != nil {
				return fmt.Errorf("%s: %w", q.name, err)
			}
			if i >= 10 {
				samples = append(samples, s)
			}
			touched, rowsSeen = n, r
		}
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		fmt.Printf("\n%s: %s\n  operators queried %d of %d; rows out %d\n", q.name, q.sql, touched, *operators, rowsSeen)
		pct := func(get func(sample) time.Duration, p float64) time.Duration {
			v := make([]time.Duration, len(samples))
			for i, s := range samples {
				v[i] = get(s)
			}
			slices.Sort(v)
			return v[min(len(v)-1, int(p*float64(len(v))))]
		}
		for _, m := range []struct {
			name string
			get  func(sample) time.Duration
		}{{"plan", func(s sample) time.Duration { return s.plan }},
			{"fan-out (to the last stream's end)", func(s sample) time.Duration { return s.fanout }},
			{"merge (after the fan-out)", func(s sample) time.Duration { return s.total - s.plan - s.fanout }},
			{"total", func(s sample) time.Duration { return s.total }}} {
			fmt.Printf("  %-40s p50 %8s  p99 %8s\n", m.name, pct(m.get, 0.5).Round(10*time.Microsecond), pct(m.get, 0.99).Round(10*time.Microsecond))
		}
		fmt.Printf("  allocated per query %.1f MiB\n", float64(after.TotalAlloc-before.TotalAlloc)/float64(10+*queries)/(1<<20))
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("\nquery node: heap in use %.1f MiB, peak RSS %s\n", float64(ms.HeapInuse)/(1<<20), peakRSS())
	return nil
}

// runOnce plans and runs sql, and returns its timings, how many operators
// it queried and how many rows it returned.
func runOnce(ctx context.Context, p *planner.Planner, sql string) (sample, int, int64, error) {
	var s sample
	prof := &aexec.Profile{}
	ctx = aexec.WithProfile(ctx, prof)
	t0 := time.Now()
	stmts, err := p.Prepare(ctx, &planner.Session{}, sql, nil)
	if err != nil {
		return s, 0, 0, err
	}
	s.plan = time.Since(t0)
	op, err := stmts[0].Run(ctx, nil)
	if err != nil {
		return s, 0, 0, err
	}
	var n int64
	for {
		b, err := op.Next(ctx)
		if err != nil {
			op.Close()
			return s, 0, 0, err
		}
		if b == nil {
			break
		}
		n += int64(b.Len)
	}
	op.Close()
	s.total = time.Since(t0)
	touched := 0
	for _, g := range prof.Gathers {
		touched += len(g.Targets)
		s.fanout = max(s.fanout, g.FanOut())
	}
	return s, touched, n, nil
}

func peakRSS() string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "?"
}
