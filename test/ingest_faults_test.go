package test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	pb "github.com/kubearmor/KubeArmor/protobuf"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sim"
)

// Ingest under faults (issue 3). KubeArmor never replays, so what these
// tests can demand is exact only where no event is in flight: an operator
// that survives restarts of its sources and cuts of its network stores
// every event sent while it was connected, once; an operator killed with
// SIGKILL keeps every row it flushed and loses at most its flush window.

var kubearmorTables = []string{schema.AlertsTable, schema.LogsTable, schema.MessagesTable}

// genEvent is what the checks need of one generated event.
type genEvent struct {
	table string
	us    int64 // ts: UpdatedTime in µs since the epoch
	host  string
	pid   int32 // 0 for messages, which have none
}

// key is the duplicate-check key: (ts, host_name, pid) in the table.
func (e genEvent) key() string {
	return fmt.Sprintf("%s/%d/%s/%d", e.table, e.us, e.host, e.pid)
}

// generatedEvents returns the events a count-mode simulator with cfg sends, in
// order.
func generatedEvents(t *testing.T, cfg sim.Config) []genEvent {
	t.Helper()
	g := sim.NewGenerator(cfg)
	out := make([]genEvent, 0, cfg.Count)
	for range cfg.Count {
		var e genEvent
		var updated string
		switch ev := g.Next(); {
		case ev.Alert != nil:
			e, updated = genEvent{table: schema.AlertsTable, host: ev.Alert.HostName, pid: ev.Alert.PID}, ev.Alert.UpdatedTime
		case ev.Log != nil:
			e, updated = genEvent{table: schema.LogsTable, host: ev.Log.HostName, pid: ev.Log.PID}, ev.Log.UpdatedTime
		default:
			e, updated = genEvent{table: schema.MessagesTable, host: ev.Message.HostName}, ev.Message.UpdatedTime
		}
		us, err := updatedMicros(updated)
		if err != nil {
			t.Fatal(err)
		}
		e.us = us
		out = append(out, e)
	}
	return out
}

func updatedMicros(s string) (int64, error) {
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("UpdatedTime %q: %w", s, err)
	}
	return ts.UnixMicro(), nil
}

// startReady starts a process with args() and waits until ready()
// passes. The harness picks ports with freeAddr, and another process can
// take one before the new process binds it: a process that exits before
// it is ready is started again with new args, so new ports, up to three
// times.
func startReady(t *testing.T, name string, args func() []string, ready func() error) {
	t.Helper()
	for attempt := 1; attempt <= 3; attempt++ {
		p := start(t, name, args()...)
		deadline := time.Now().Add(30 * time.Second)
		for err := ready(); err != nil; err = ready() {
			select {
			case <-p.done:
			case <-time.After(100 * time.Millisecond):
				if time.Now().After(deadline) {
					t.Fatalf("%s: not ready within 30s: %v", name, err)
				}
				continue
			}
			break
		}
		select {
		case <-p.done:
			t.Logf("%s exited before it was ready (attempt %d): %s", name, attempt, strings.TrimSpace(p.log.String()))
		default:
			return
		}
	}
	t.Fatalf("%s: exited before it was ready three times", name)
}

// startCatalog runs a master and returns its etcd client URL.
func startCatalog(t *testing.T, dir string) string {
	t.Helper()
	var etcd string
	attempt := 0
	startReady(t, "master", func() []string {
		attempt++
		etcd = "http://" + freeAddr(t)
		return []string{"master", "--data-dir", filepath.Join(dir, fmt.Sprintf("master-%d", attempt)),
			"--client-url", etcd, "--peer-url", "http://" + freeAddr(t), "--http-listen", "", "--log-level", "warn"}
	}, func() error {
		resp, err := metricsClient.Get(etcd + "/health")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("etcd /health: %s", resp.Status)
		}
		return nil
	})
	return etcd
}

// connectQueryNode runs a query node and returns a pgx connection to it.
func connectQueryNode(t *testing.T, ctx context.Context, etcd string) *pgx.Conn {
	t.Helper()
	var addr string
	var conn *pgx.Conn
	dir := t.TempDir()
	startReady(t, "query", func() []string {
		addr = freeAddr(t)
		return []string{"query", "--listen", addr, "--etcd-endpoints", etcd, "--data-dir", dir, "--http-listen", "", "--log-level", "warn"}
	}, func() error {
		host, port, _ := net.SplitHostPort(addr)
		var err error
		conn, err = pgx.Connect(ctx, fmt.Sprintf("postgres://armorlake@%s:%s/armorlake?sslmode=disable", host, port))
		return err
	})
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// tableRows counts every KubeArmor table through SQL.
func tableRows(ctx context.Context, conn *pgx.Conn) (map[string]int64, error) {
	got := map[string]int64{}
	for _, table := range kubearmorTables {
		var n int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", table, err)
		}
		got[table] = n
	}
	return got, nil
}

// checkNoDuplicates asks, per table, for the most repeated key, (ts,
// host_name, pid) or for messages (ts, host_name): it must occur once.
func checkNoDuplicates(t *testing.T, ctx context.Context, conn *pgx.Conn) {
	t.Helper()
	for _, table := range kubearmorTables {
		key := "ts, host_name, pid"
		if table == schema.MessagesTable {
			key = "ts, host_name"
		}
		q := fmt.Sprintf("SELECT count(*), %s FROM %s GROUP BY %s ORDER BY 1 DESC LIMIT 1", key, table, key)
		rows, err := conn.Query(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		var n int64
		var most []any
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Errorf("%s: %v", q, err)
				break
			}
			n, most = vals[0].(int64), vals[1:]
		}
		if err := rows.Err(); err != nil {
			t.Errorf("%s: %v", q, err)
		}
		if n != 1 {
			t.Errorf("%s: the row with (%s) = %v is stored %d times", table, key, most, n)
		}
	}
}

// pgTimestamptz renders ts as a timestamptz literal with µs.
func pgTimestamptz(ts time.Time) string {
	return ts.UTC().Format("2006-01-02 15:04:05.000000") + "+00"
}

// Ingest series of an operator's /metrics.
const (
	metricReceived   = "armorlake_ingest_events_received_total"
	metricStored     = "armorlake_ingest_events_stored_total"
	metricDropped    = "armorlake_ingest_events_dropped_total"
	metricReconnects = "armorlake_ingest_reconnects_total"
	metricConnected  = "armorlake_ingest_connected"
	metricLastEvent  = "armorlake_ingest_last_event_timestamp_seconds"
)

// ingestStats is one scrape of the armorlake_ingest_* series: metric →
// endpoint label → value.
type ingestStats map[string]map[string]float64

var metricsClient = &http.Client{Timeout: 5 * time.Second}

func scrapeIngest(addr string) (ingestStats, error) {
	resp, err := metricsClient.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	s := ingestStats{}
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, "armorlake_ingest_") {
			continue
		}
		name, rest, ok := strings.Cut(line, "{")
		labels, value, ok2 := strings.Cut(rest, "} ")
		_, ep, ok3 := strings.Cut(labels, `endpoint="`)
		ep, _, ok4 := strings.Cut(ep, `"`)
		v, err := strconv.ParseFloat(value, 64)
		if !ok || !ok2 || !ok3 || !ok4 || err != nil {
			return nil, fmt.Errorf("unexpected /metrics line %q", line)
		}
		if s[name] == nil {
			s[name] = map[string]float64{}
		}
		s[name][ep] = v
	}
	return s, nil
}

// TestIngestSurvivesRestartsAndCuts runs one operator pulling from three
// simulators, the third behind a TCP proxy. Each simulator is restarted
// twice, each time on the same address with a new seed and a new day of
// events: first stopped cleanly, then killed. The network to the third is
// cut (its connections reset) while it restarts the first time. Every
// fault lands between phases, once the operator has stored all a phase
// sent, so that no event is in flight; then every table must hold the
// sum of what each simulator run generated, each row once, and the
// operator must report the reconnects.
func TestIngestSurvivesRestartsAndCuts(t *testing.T) {
	const perRun = 4000
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	etcd := startCatalog(t, dir)

	var simAddr [3]string
	for i := range simAddr {
		simAddr[i] = freeAddr(t)
	}
	proxy := startProxy(t, simAddr[2])
	endpoint := [3]string{simAddr[0], simAddr[1], proxy.Addr()}

	var (
		sims   [3]*proc
		runs   [3]int
		want   = map[string]int64{}            // rows per table
		wantEp = map[string]map[string]int64{} // rows per endpoint and table
		keys   = map[string]bool{}
	)
	// runSim starts simulator i's next run: its own seed and its own day,
	// so that no two runs share an event and ts alone tells them apart.
	runSim := func(i int) {
		j := runs[i]
		runs[i]++
		cfg := sim.Config{Seed: int64(10*(i+1) + j), Count: perRun, Span: 24 * time.Hour,
			Start: time.Date(2026, 11, 1+3*i+j, 0, 0, 0, 0, time.UTC)}
		if wantEp[endpoint[i]] == nil {
			wantEp[endpoint[i]] = map[string]int64{}
		}
		for _, e := range generatedEvents(t, cfg) {
			if keys[e.key()] {
				t.Fatalf("simulator %d run %d repeats event %s: the duplicate check would mean nothing", i+1, j, e.key())
			}
			keys[e.key()] = true
			want[e.table]++
			wantEp[endpoint[i]][e.table]++
		}
		sims[i] = start(t, fmt.Sprintf("sim-%d run %d", i+1, j), "kubearmor-sim", "--listen", simAddr[i],
			"--seed", fmt.Sprint(cfg.Seed), "--count", fmt.Sprint(cfg.Count),
			"--start", cfg.Start.Format(time.RFC3339), "--span", cfg.Span.String(),
			"--wait-subscribers", "--lossless", "--log-level", "warn")
	}
	// restart stops simulator i with sig, a clean stop (SIGTERM) or a
	// crash (SIGKILL), and starts its next run on the same address.
	restart := func(i int, sig syscall.Signal) {
		sims[i].stop(sig)
		runSim(i)
	}

	for i := range sims {
		runSim(i)
	}
	httpAddr := freeAddr(t)
	start(t, "operator", "operator", "--id", "operator-1", "--listen", freeAddr(t),
		"--data-dir", filepath.Join(dir, "operator"), "--etcd-endpoints", etcd,
		"--kubearmor", strings.Join(endpoint[:], ","), "--lease-ttl", "2s",
		"--http-listen", httpAddr, "--log-level", "warn")
	conn := connectQueryNode(t, ctx, etcd)

	phaseStart := time.Now()
	// allStored waits until SQL counts every event sent so far: only then
	// is nothing in flight, and the next fault may come.
	allStored := func(phase string) {
		t.Helper()
		waitFor(t, 45*time.Second, phase+": every event stored", func() error {
			got, err := tableRows(ctx, conn)
			if err != nil {
				return err
			}
			for _, table := range kubearmorTables {
				if got[table] != want[table] {
					return fmt.Errorf("rows %v, want %v", got, want)
				}
			}
			return nil
		})
		t.Logf("%s: stored in %s", phase, time.Since(phaseStart).Round(time.Millisecond))
		phaseStart = time.Now()
	}
	scrape := func() ingestStats {
		t.Helper()
		s, err := scrapeIngest(httpAddr)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	allStored("first runs")

	restart(0, syscall.SIGTERM)
	restart(1, syscall.SIGTERM)
	allStored("simulators 1 and 2 restarted")

	// Cut the network to simulator 3, restart it behind the cut (its new
	// run waits for a subscriber that cannot reach it), then heal.
	before := scrape()
	proxy.Cut()
	waitFor(t, 20*time.Second, "the operator sees the cut and retries into it", func() error {
		s, err := scrapeIngest(httpAddr)
		if err != nil {
			return err
		}
		if c := s[metricConnected][endpoint[2]]; c != 0 {
			return fmt.Errorf("%s connected = %v", endpoint[2], c)
		}
		// Each of the three streams is reopened at least once.
		if r := s[metricReconnects][endpoint[2]]; r < before[metricReconnects][endpoint[2]]+3 {
			return fmt.Errorf("%s reconnects = %v, was %v", endpoint[2], r, before[metricReconnects][endpoint[2]])
		}
		if _, refused := proxy.Stats(); refused == 0 {
			return errors.New("no connection attempt reached the cut network yet")
		}
		return nil
	})
	restart(2, syscall.SIGTERM)
	acceptedBeforeHeal, _ := proxy.Stats()
	proxy.Heal()
	allStored("network to simulator 3 cut and healed, simulator 3 restarted")
	after := scrape()
	if accepted, _ := proxy.Stats(); accepted <= acceptedBeforeHeal {
		t.Errorf("no connection through the proxy after the heal: %d accepted before, %d after", acceptedBeforeHeal, accepted)
	}
	for _, ep := range endpoint[:2] {
		if b, a := before[metricReconnects][ep], after[metricReconnects][ep]; a != b {
			t.Errorf("%s reconnects went from %v to %v while only %s was cut", ep, b, a, endpoint[2])
		}
	}

	for i := range sims {
		restart(i, syscall.SIGKILL)
	}
	allStored("all three simulators killed and restarted")

	// Rows per endpoint: each simulator's runs, no more, no less.
	for _, table := range kubearmorTables {
		rows, err := conn.Query(ctx, "SELECT ingest_endpoint, count(*) FROM "+table+" GROUP BY 1")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for rows.Next() {
			var ep string
			var n int64
			if err := rows.Scan(&ep, &n); err != nil {
				t.Fatal(err)
			}
			got[ep] = n
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		for _, ep := range endpoint {
			if got[ep] != wantEp[ep][table] {
				t.Errorf("%s rows from %s = %d, want %d (all: %v)", table, ep, got[ep], wantEp[ep][table], got)
			}
		}
		if len(got) != len(endpoint) {
			t.Errorf("%s has rows from %d endpoints, want %d: %v", table, len(got), len(endpoint), got)
		}
	}
	checkNoDuplicates(t, ctx, conn)

	// Every simulator went away twice (three streams each) and the third
	// also lost its network once: /metrics must show the reconnects, and
	// that nothing was dropped on the way to storage.
	final := scrape()
	for i, ep := range endpoint {
		var sent int64
		for _, n := range wantEp[ep] {
			sent += n
		}
		if r := final[metricReconnects][ep]; r < 6 {
			t.Errorf("simulator %d (%s): %v reconnects, want at least 6 (two restarts or a restart and a cut, three streams)", i+1, ep, r)
		}
		if s := final[metricStored][ep]; s != float64(sent) {
			t.Errorf("simulator %d (%s): %v events stored, want %d", i+1, ep, s, sent)
		}
		if d := final[metricDropped][ep]; d != 0 {
			t.Errorf("simulator %d (%s): %v events dropped", i+1, ep, d)
		}
		t.Logf("simulator %d (%s): %d runs, %d events, %v reconnects", i+1, ep, runs[i], sent, final[metricReconnects][ep])
	}
	t.Logf("rows %v in %s", want, time.Since(began).Round(time.Millisecond))
}

// witness is the test's own subscriber on a simulator, never killed: it
// records when each event was delivered, the clock on which a killed
// operator's flush window is measured.
type witness struct {
	got  atomic.Int64
	mu   sync.Mutex
	recv map[int64]time.Time // event ts in µs (unique in the stream) → delivery time
	errs []error
}

// watchSimulator subscribes to the three streams of the simulator at
// addr. It waits for the simulator to listen.
func watchSimulator(t *testing.T, addr string) *witness {
	t.Helper()
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &witness{recv: map[int64]time.Time{}}
	client := pb.NewLogServiceClient(cc)
	req := &pb.RequestMessage{Filter: "all"}
	var wg sync.WaitGroup
	wg.Go(func() {
		s, err := client.WatchAlerts(ctx, req, grpc.WaitForReady(true))
		followStream(ctx, w, s, err, (*pb.Alert).GetUpdatedTime)
	})
	wg.Go(func() {
		s, err := client.WatchLogs(ctx, req, grpc.WaitForReady(true))
		followStream(ctx, w, s, err, (*pb.Log).GetUpdatedTime)
	})
	wg.Go(func() {
		s, err := client.WatchMessages(ctx, req, grpc.WaitForReady(true))
		followStream(ctx, w, s, err, (*pb.Message).GetUpdatedTime)
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		cc.Close()
	})
	return w
}

func followStream[T any](ctx context.Context, w *witness, s grpc.ServerStreamingClient[T], err error, updated func(*T) string) {
	for err == nil {
		var e *T
		if e, err = s.Recv(); err != nil {
			break
		}
		at := time.Now()
		var us int64
		if us, err = updatedMicros(updated(e)); err != nil {
			break
		}
		w.mu.Lock()
		if _, dup := w.recv[us]; dup {
			err = fmt.Errorf("two events at %d µs", us)
		}
		w.recv[us] = at
		w.mu.Unlock()
		w.got.Add(1)
	}
	if ctx.Err() == nil {
		w.mu.Lock()
		w.errs = append(w.errs, err)
		w.mu.Unlock()
	}
}

// TestOperatorKill9 kills an ingesting operator with SIGKILL ten times
// and restarts it on the same data directory and ID. The simulator sends
// a steady stream in count mode (its events are known in advance), and a
// witness subscriber of the test's own records when each was delivered.
// Then:
//
//   - rows flushed before a kill are all there after the restart and at
//     the end: the count up to the newest row seen before the kill never
//     drops (and no later row can fall under it: ts grows with the stream);
//   - no row is stored twice;
//   - every event lost was delivered either before the operator was
//     receiving again after a restart (KubeArmor does not replay; allowing
//     startGrace for its three streams to open and for polling), or within
//     flush-interval + crashGrace before a kill: the crash window. The
//     documented window is the flush interval plus the flush in progress:
//     a row waits at most the flush interval for the flush that takes it,
//     and that flush is one synced Pebble write of every table (seen to
//     take up to 0.6 s on two shared cores under load); readers keep
//     draining meanwhile. crashGrace (1 s) covers that write and the
//     delivery skew between the witness and the operator. So each kill
//     loses at most rate × (flush-interval + crashGrace) = 1,500 events
//     delivered before it (unloaded, it stayed under rate × flush-interval
//     in our runs: at most 294).
func TestOperatorKill9(t *testing.T) {
	const (
		rate       = 1000 // events per second
		count      = 40 * rate
		kills      = 10
		flush      = 500 * time.Millisecond // the operator's --flush-interval
		crashGrace = time.Second
		startGrace = 500 * time.Millisecond
	)
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	etcd := startCatalog(t, dir)
	conn := connectQueryNode(t, ctx, etcd)

	// A step of 2.16 s between events, far above the per-host lag (under
	// 0.2 s): ts strictly grows along the stream, so it identifies an
	// event and orders the stream.
	cfg := sim.Config{Seed: 7, Count: count, Rate: rate, Span: 24 * time.Hour,
		Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	gen := generatedEvents(t, cfg)
	for i := 1; i < len(gen); i++ {
		if gen[i].us <= gen[i-1].us {
			t.Fatalf("event %d at %d µs is not after event %d at %d µs: ts does not order the stream", i, gen[i].us, i-1, gen[i-1].us)
		}
	}

	simAddr := freeAddr(t)
	start(t, "sim", "kubearmor-sim", "--listen", simAddr, "--seed", fmt.Sprint(cfg.Seed),
		"--count", fmt.Sprint(cfg.Count), "--rate", fmt.Sprint(cfg.Rate),
		"--start", cfg.Start.Format(time.RFC3339), "--span", cfg.Span.String(),
		"--wait-subscribers", "--lossless", "--log-level", "warn")
	// The witness subscribes first, so that it sees every event: the
	// simulator starts once it has a subscriber to each stream, and the
	// witness's first event proves that all three of its own were open
	// before the operator's.
	w := watchSimulator(t, simAddr)
	waitFor(t, 30*time.Second, "the witness receives", func() error {
		if w.got.Load() == 0 {
			return errors.New("no event yet")
		}
		return nil
	})

	opListen, opHTTP, opData := freeAddr(t), freeAddr(t), filepath.Join(dir, "operator")
	startOperator := func(life int) *proc {
		return start(t, fmt.Sprintf("operator life %d", life), "operator", "--id", "operator-1",
			"--listen", opListen, "--data-dir", opData, "--etcd-endpoints", etcd, "--kubearmor", simAddr,
			"--flush-interval", flush.String(), "--lease-ttl", "2s", "--http-listen", opHTTP, "--log-level", "warn")
	}
	// receiving waits until this life of the operator has received an
	// event and returns when it saw that: an upper bound on when its
	// streams opened.
	receiving := func(life int) time.Time {
		waitFor(t, 30*time.Second, fmt.Sprintf("operator life %d receives", life), func() error {
			s, err := scrapeIngest(opHTTP)
			if err != nil {
				return err
			}
			if s[metricReceived][simAddr] == 0 {
				return errors.New("nothing received yet")
			}
			return nil
		})
		return time.Now()
	}

	var ks []operatorKill
	op := startOperator(0)
	firstBack := receiving(0)
	for k := 1; k <= kills; k++ {
		// Kill at evenly spread points of the stream, once this life has
		// flushed and has run longer than its grace and crash windows, so
		// that each life has events that must be stored.
		target := int64(count * k / (kills + 2))
		lifeStart := firstBack
		if len(ks) > 0 {
			lifeStart = ks[len(ks)-1].back
		}
		var dropped float64
		waitFor(t, 30*time.Second, fmt.Sprintf("kill %d: the stream reaches event %d with the operator flushing", k, target), func() error {
			if n := w.got.Load(); n < target {
				return fmt.Errorf("the witness has %d events", n)
			}
			if since := time.Since(lifeStart); since < startGrace+flush+crashGrace+250*time.Millisecond {
				return fmt.Errorf("this life has received for %s only", since)
			}
			s, err := scrapeIngest(opHTTP)
			if err != nil {
				return err
			}
			if s[metricStored][simAddr] == 0 {
				return errors.New("this life has not flushed yet")
			}
			dropped = s[metricDropped][simAddr]
			return nil
		})
		if dropped != 0 {
			t.Errorf("kill %d: this life of the operator dropped %v events", k, dropped)
		}
		kl := operatorKill{rows: map[string]int64{}, newest: map[string]time.Time{}, kept: map[string]int64{}}
		for _, table := range kubearmorTables {
			var n int64
			var newest pgtype.Timestamptz
			if err := conn.QueryRow(ctx, "SELECT count(*), max(ts) FROM "+table).Scan(&n, &newest); err != nil {
				t.Fatalf("kill %d: %v", k, err)
			}
			kl.rows[table] = n
			if newest.Valid {
				kl.newest[table] = newest.Time
			}
		}
		if n := w.got.Load(); n >= count {
			t.Fatalf("kill %d: the stream has ended: the kill would not be mid-ingest; the kills are slower than the stream", k)
		}
		if s, err := scrapeIngest(opHTTP); err == nil {
			kl.unflushed = int64(s[metricReceived][simAddr] - s[metricStored][simAddr] - s[metricDropped][simAddr])
		}
		kl.at = time.Now()
		op.stop(syscall.SIGKILL)
		kl.delivered = w.got.Load()

		op = startOperator(k)
		kl.back = receiving(k)
		// What was flushed before the kill is there at once: the count up
		// to the newest row seen before the kill.
		waitFor(t, 30*time.Second, fmt.Sprintf("kill %d: query node answers again", k), func() error {
			for table, newest := range kl.newest {
				q := fmt.Sprintf("SELECT count(*) FROM %s WHERE ts <= '%s'", table, pgTimestamptz(newest))
				var n int64
				if err := conn.QueryRow(ctx, q).Scan(&n); err != nil {
					return err
				}
				kl.kept[table] = n
			}
			return nil
		})
		for table, n := range kl.rows {
			if kl.kept[table] < n {
				t.Errorf("kill %d: %s had %d rows up to %s before the kill, %d after the restart",
					k, table, n, pgTimestamptz(kl.newest[table]), kl.kept[table])
			}
		}
		ks = append(ks, kl)
	}

	waitFor(t, 60*time.Second, "the stream ends", func() error {
		if n := w.got.Load(); n < count {
			w.mu.Lock()
			defer w.mu.Unlock()
			return fmt.Errorf("the witness has %d of %d events (errors: %v)", n, count, w.errs)
		}
		return nil
	})
	// The last life has stored all it will once it stored all it received
	// and receives nothing more.
	waitFor(t, 30*time.Second, "the operator stores everything it received", func() error {
		s, err := scrapeIngest(opHTTP)
		if err != nil {
			return err
		}
		rec, stored, last := s[metricReceived][simAddr], s[metricStored][simAddr], s[metricLastEvent][simAddr]
		if rec != stored {
			return fmt.Errorf("received %v, stored %v", rec, stored)
		}
		if idle := time.Since(time.Unix(0, int64(last*1e9))); idle < 2*flush {
			return fmt.Errorf("last event %s ago", idle)
		}
		return nil
	})
	w.mu.Lock()
	if len(w.errs) > 0 {
		t.Fatalf("witness: %v", errors.Join(w.errs...))
	}
	recv := w.recv
	w.mu.Unlock()
	if len(recv) != len(gen) {
		t.Fatalf("the witness has %d events, the generator %d", len(recv), len(gen))
	}

	// Everything stored, through SQL.
	stored := map[int64]int{} // ts µs → rows
	var total int
	for _, table := range kubearmorTables {
		rows, err := conn.Query(ctx, "SELECT ts FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var ts time.Time
			if err := rows.Scan(&ts); err != nil {
				t.Fatal(err)
			}
			stored[ts.UnixMicro()]++
			total++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	checkNoDuplicates(t, ctx, conn)
	byTs := make(map[int64]genEvent, len(gen))
	for i, e := range gen {
		if _, ok := recv[e.us]; !ok {
			t.Fatalf("the witness never received event %d (%s at %d µs)", i, e.table, e.us)
		}
		byTs[e.us] = e
	}
	for us, n := range stored {
		if _, ok := byTs[us]; !ok {
			t.Errorf("a row at %d µs that the simulator never sent", us)
		} else if n > 1 {
			t.Errorf("the row at %d µs is stored %d times", us, n)
		}
	}
	// Rows flushed before a kill are still there, and nothing came under
	// them since the restart.
	for k, kl := range ks {
		for table, newest := range kl.newest {
			var n int64
			for _, e := range gen {
				if e.table == table && e.us <= newest.UnixMicro() && stored[e.us] > 0 {
					n++
				}
			}
			if n != kl.kept[table] {
				t.Errorf("kill %d: %s has %d rows up to %s at the end, %d right after the restart (%d before the kill)",
					k+1, table, n, pgTimestamptz(newest), kl.kept[table], kl.rows[table])
			}
		}
	}

	// Account for every lost event.
	var (
		beforeFirst      int
		crashLost, downs = make([]int, kills), make([]int, kills)
		oldestLost       = make([]time.Duration, kills) // how long before its kill the oldest event lost to it was delivered
		unexplained      int
	)
	for i, e := range gen {
		if stored[e.us] > 0 {
			continue
		}
		at := recv[e.us]
		if !at.After(firstBack.Add(startGrace)) {
			beforeFirst++
			continue
		}
		found := false
		for k := len(ks) - 1; k >= 0 && !found; k-- {
			kl := ks[k]
			switch {
			case at.After(kl.at.Add(-flush-crashGrace)) && at.Before(kl.at):
				crashLost[k]++
				oldestLost[k] = max(oldestLost[k], kl.at.Sub(at))
				found = true
			case !at.Before(kl.at) && !at.After(kl.back.Add(startGrace)):
				downs[k]++
				found = true
			}
		}
		if !found {
			if unexplained < 10 {
				t.Errorf("lost event %d (%s, %d µs), delivered at %s, is in no kill's window", i, e.table, e.us, at.Format("15:04:05.000000"))
			}
			unexplained++
		}
	}
	if unexplained > 0 {
		t.Errorf("%d lost events in no kill's window; kills at %s", unexplained, killTimes(ks))
	}
	bound := int(rate * (flush + crashGrace).Seconds())
	for k, kl := range ks {
		t.Logf("kill %d: %d events delivered, %d rows stored; lost %d delivered up to %s before it (bound %d; the operator had %d unflushed just before), %d while down for %s",
			k+1, kl.delivered, totalRows(kl.rows), crashLost[k], oldestLost[k].Round(time.Millisecond), bound, kl.unflushed,
			downs[k], kl.back.Sub(kl.at).Round(time.Millisecond))
		if crashLost[k] > bound {
			t.Errorf("kill %d lost %d events delivered before it, more than rate × (flush interval + crash grace) = %d", k+1, crashLost[k], bound)
		}
	}
	t.Logf("%d events sent, %d stored, %d lost before the operator first received; %s", len(gen), total, beforeFirst, time.Since(began).Round(time.Millisecond))
}

// operatorKill is what TestOperatorKill9 records of one SIGKILL.
type operatorKill struct {
	at        time.Time            // just before SIGKILL
	back      time.Time            // when the next life was seen receiving
	rows      map[string]int64     // count(*) per table just before the kill
	newest    map[string]time.Time // max(ts) per table just before the kill
	kept      map[string]int64     // count(*) up to newest, after the restart
	delivered int64                // events the witness had when the operator died
	unflushed int64                // received - stored - dropped on /metrics just before the kill
}

func killTimes(ks []operatorKill) string {
	var b strings.Builder
	for _, k := range ks {
		fmt.Fprintf(&b, " %s (back %s)", k.at.Format("15:04:05.000"), k.back.Format("15:04:05.000"))
	}
	return b.String()
}

func totalRows(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
