package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/ingest"
	"github.com/armorlake/armorlake/kawire"
	"github.com/armorlake/armorlake/schema"
	"github.com/armorlake/armorlake/sim"
	pb "github.com/kubearmor/KubeArmor/protobuf"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
)

// memSink keeps every batch in memory.
type memSink struct {
	mu      sync.Mutex
	batches map[string][]*coldata.Batch
	rows    map[string]int
	fail    bool
	block   chan struct{} // when set, Append waits until it is closed
}

func newMemSink() *memSink {
	return &memSink{batches: map[string][]*coldata.Batch{}, rows: map[string]int{}}
}

func (s *memSink) Append(t *schema.Table, b *coldata.Batch) error {
	if s.block != nil {
		<-s.block
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return errors.New("disk full")
	}
	for i, v := range b.Vecs {
		if v.Type != t.Columns[i].Type || v.Len() != b.Len {
			return errors.New("malformed batch")
		}
	}
	// The ingester reuses b once Append returns: keep a copy.
	s.batches[t.Name] = append(s.batches[t.Name], b.Slice(0, b.Len).Gather(identity(b.Len)))
	s.rows[t.Name] += b.Len
	return nil
}

func identity(n int) []int {
	sel := make([]int, n)
	for i := range sel {
		sel[i] = i
	}
	return sel
}

func (s *memSink) count(table string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rows[table]
}

func (s *memSink) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.rows {
		n += r
	}
	return n
}

// column returns every value of an int64 column of table, in order.
func (s *memSink) column(table string, col int) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int64
	for _, b := range s.batches[table] {
		out = append(out, b.Vecs[col].Int64...)
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startSim serves a simulator on addr ("127.0.0.1:0" for a free port)
// and returns its address and a stop function that waits for it to end.
func startSim(t *testing.T, cfg sim.Config, addr string) (*sim.Server, string, func()) {
	t.Helper()
	var lis net.Listener
	var err error
	// The port of a server just stopped can take a moment to free.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if lis, err = net.Listen("tcp", addr); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	srv := sim.NewServer(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("sim Serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return srv, lis.Addr().String(), stop
}

// runIngester runs in until the test ends (or stop is called) and
// returns stop, which cancels Run and waits for it.
func runIngester(t *testing.T, in *ingest.Ingester) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func newIngester(t *testing.T, cfg ingest.Config, sink ingest.Sink) *ingest.Ingester {
	t.Helper()
	if cfg.OperatorID == "" {
		cfg.OperatorID = "op-test"
	}
	in, err := ingest.New(cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func stats(in *ingest.Ingester) ingest.EndpointStats { return in.Stats()[0] }

var simStart = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

// expected returns, per table, the ts of every event a fresh generator
// produces for cfg.
func expected(t *testing.T, cfg sim.Config) map[string][]int64 {
	t.Helper()
	parse := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixMicro()
	}
	want := map[string][]int64{}
	g := sim.NewGenerator(cfg)
	for range cfg.Count {
		switch e := g.Next(); {
		case e.Alert != nil:
			want[schema.AlertsTable] = append(want[schema.AlertsTable], parse(e.Alert.UpdatedTime))
		case e.Log != nil:
			want[schema.LogsTable] = append(want[schema.LogsTable], parse(e.Log.UpdatedTime))
		default:
			want[schema.MessagesTable] = append(want[schema.MessagesTable], parse(e.Message.UpdatedTime))
		}
	}
	return want
}

// Everything a lossless simulator sends arrives in the sink exactly once,
// in order per table, over real gRPC.
func TestEndToEnd(t *testing.T) {
	cfg := sim.Config{Seed: 7, Start: simStart, Span: time.Hour, Count: 30000,
		WaitForSubscribers: true, WaitForMessages: true, Lossless: true}
	srv, addr, _ := startSim(t, cfg, "127.0.0.1:0")
	sink := newMemSink()
	in := newIngester(t, ingest.Config{
		OperatorID: "op-e2e", Endpoints: []ingest.Endpoint{{Addr: addr, Messages: true}},
		FlushRows: 4096, FlushInterval: 50 * time.Millisecond,
	}, sink)
	stop := runIngester(t, in)
	waitFor(t, time.Minute, "the sink to hold Count rows", func() bool { return sink.total() >= cfg.Count })
	stop()
	if n := sink.total(); n != cfg.Count {
		t.Fatalf("sink holds %d rows, want %d", n, cfg.Count)
	}
	if srv.Sent() != int64(cfg.Count) || srv.Dropped() != 0 {
		t.Errorf("server sent %d, dropped %d", srv.Sent(), srv.Dropped())
	}
	want := expected(t, cfg)
	for _, tbl := range schema.KubeArmor() {
		got := sink.column(tbl.Name, tbl.TimeColumn)
		if len(got) != len(want[tbl.Name]) {
			t.Errorf("%s: %d rows, generator made %d", tbl.Name, len(got), len(want[tbl.Name]))
			continue
		}
		for i := range got {
			if got[i] != want[tbl.Name][i] {
				t.Fatalf("%s row %d: ts %d, generator %d", tbl.Name, i, got[i], want[tbl.Name][i])
			}
		}
	}
	if len(want[schema.MessagesTable]) == 0 || len(want[schema.AlertsTable]) == 0 {
		t.Errorf("generator made no messages or alerts: %v", map[string]int{"alerts": len(want[schema.AlertsTable]), "messages": len(want[schema.MessagesTable])})
	}
	b := sink.batches[schema.AlertsTable][0]
	op, ep := schema.Alerts.ColumnIndex(schema.IngestOperatorColumn), schema.Alerts.ColumnIndex(schema.IngestEndpointColumn)
	if got := b.Vecs[op].Bytes.GetString(0); got != "op-e2e" {
		t.Errorf("ingest_operator %q", got)
	}
	if got := b.Vecs[ep].Bytes.GetString(0); got != addr {
		t.Errorf("ingest_endpoint %q, want %q", got, addr)
	}
	s := stats(in)
	if s.Received != int64(cfg.Count) || s.Stored != int64(cfg.Count) || s.Dropped != 0 || s.Reconnects != 0 ||
		s.EmptyStreams != 0 || s.LastEvent.IsZero() {
		t.Errorf("stats %+v", s)
	}
	// The last event received lies somewhere in the simulated hour.
	if lo, hi := s.LastEvent.Sub(cfg.Start.Add(cfg.Span)), s.LastEvent.Sub(cfg.Start); s.Lag < lo || s.Lag > hi {
		t.Errorf("lag %s outside [%s, %s]", s.Lag, lo, hi)
	}
}

// Lag is how far behind the source's clock the last event arrived: small
// for a simulator stamping events with the wall clock.
func TestLag(t *testing.T) {
	_, addr, _ := startSim(t, sim.Config{Seed: 3, Rate: 1000}, "127.0.0.1:0")
	in := newIngester(t, ingest.Config{Endpoints: []ingest.Endpoint{{Addr: addr}}}, newMemSink())
	if s := stats(in); s.Lag != 0 {
		t.Errorf("lag %s before any event", s.Lag)
	}
	runIngester(t, in)
	waitFor(t, 30*time.Second, "events", func() bool { return stats(in).Received > 100 })
	if s := stats(in); s.Lag < 0 || s.Lag > 5*time.Second {
		t.Errorf("lag %s for events stamped with the wall clock", s.Lag)
	}
}

// When the KubeArmor server restarts, every stream comes back on its own.
func TestReconnectAfterServerRestart(t *testing.T) {
	cfg := sim.Config{Seed: 2, Rate: 2000}
	_, addr, stopA := startSim(t, cfg, "127.0.0.1:0")
	sink := newMemSink()
	in := newIngester(t, ingest.Config{Endpoints: []ingest.Endpoint{{Addr: addr}}, FlushInterval: 20 * time.Millisecond}, sink)
	runIngester(t, in)
	waitFor(t, 30*time.Second, "events from the first server", func() bool {
		s := stats(in)
		return s.Connected && s.Received > 100
	})
	stopA()
	waitFor(t, 30*time.Second, "the ingester to notice", func() bool { return !stats(in).Connected })
	before := stats(in).Received
	startSim(t, cfg, addr)
	waitFor(t, 30*time.Second, "events from the restarted server", func() bool {
		s := stats(in)
		return s.Connected && s.Reconnects >= 2 && s.Received > before+100
	})
	waitFor(t, 30*time.Second, "rows from the restarted server to be stored", func() bool {
		return sink.total() > int(before)+100
	})
	if s := stats(in); s.LastError == "" {
		t.Errorf("no LastError after a restart: %+v", s)
	}
}

// A filter the server rejects ends that stream at once: the ingester
// says so, backs off exponentially instead of spinning, and the other
// streams keep flowing.
func TestBadFilterBacksOff(t *testing.T) {
	_, addr, _ := startSim(t, sim.Config{Seed: 4, Rate: 2000}, "127.0.0.1:0")
	sink := newMemSink()
	var logs syncBuffer
	in := newIngester(t, ingest.Config{Endpoints: []ingest.Endpoint{{Addr: addr, AlertFilter: "bogus"}}, FlushInterval: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}, sink)
	start := time.Now()
	runIngester(t, in)
	waitFor(t, 30*time.Second, "three reconnects", func() bool { return stats(in).Reconnects >= 3 })
	// Waits of at least 250ms, 400ms and 800ms (250ms doubling, -20%
	// jitter) separate the four attempts.
	if elapsed := time.Since(start); elapsed < 1400*time.Millisecond {
		t.Errorf("three reconnects within %s: not backing off", elapsed)
	}
	s := stats(in)
	if s.Reconnects > 4 {
		t.Errorf("%d reconnects", s.Reconnects)
	}
	// Every attempt so far ended empty; the one under way may not have.
	if s.EmptyStreams < s.Reconnects || s.EmptyStreams > s.Reconnects+1 {
		t.Errorf("%d empty streams after %d reconnects", s.EmptyStreams, s.Reconnects)
	}
	if s.Connected || !strings.Contains(s.LastError, `filter "bogus" rejected`) {
		t.Errorf("stats after a rejected filter: %+v", s)
	}
	// Said once, at warning level; repeats are debug.
	const line = `level=WARN msg="kubearmor stream ended at once without an event: the server rejected its filter"`
	if got := logs.String(); strings.Count(got, line) != 1 || !strings.Contains(got, `stream=WatchAlerts filter=bogus`) {
		t.Errorf("log:\n%s", got)
	}
	waitFor(t, 30*time.Second, "logs to keep flowing", func() bool { return sink.count(schema.LogsTable) > 100 })
	if n := sink.count(schema.AlertsTable); n != 0 {
		t.Errorf("%d alerts stored through a rejected filter", n)
	}
}

// FlushInterval bounds how long a received row stays unflushed, which is
// what a crash can lose.
func TestFlushIntervalBoundsUnflushedWindow(t *testing.T) {
	const interval = 200 * time.Millisecond
	cfg := sim.Config{Seed: 5, Start: simStart, Count: 2000, WaitForSubscribers: true, Lossless: true}
	_, addr, _ := startSim(t, cfg, "127.0.0.1:0")
	sink := newMemSink()
	in := newIngester(t, ingest.Config{Endpoints: []ingest.Endpoint{{Addr: addr}}, FlushRows: 1 << 20, FlushInterval: interval}, sink)
	runIngester(t, in)
	var received time.Time
	waitFor(t, 30*time.Second, "all events received", func() bool {
		s := stats(in)
		received = s.LastEvent
		return s.Received == int64(cfg.Count)-int64(messages(t, cfg))
	})
	waitFor(t, 30*time.Second, "all rows flushed", func() bool { return stats(in).Stored == stats(in).Received })
	if window := time.Since(received); window > interval+time.Second {
		t.Errorf("last row flushed %s after it arrived, FlushInterval %s", window, interval)
	}
}

func messages(t *testing.T, cfg sim.Config) int {
	return len(expected(t, cfg)[schema.MessagesTable])
}

// A clean stop flushes what is buffered, however far the thresholds.
func TestRunFlushesOnStop(t *testing.T) {
	cfg := sim.Config{Seed: 6, Start: simStart, Count: 3000, WaitForSubscribers: true, WaitForMessages: true, Lossless: true}
	_, addr, _ := startSim(t, cfg, "127.0.0.1:0")
	sink := newMemSink()
	in := newIngester(t, ingest.Config{Endpoints: []ingest.Endpoint{{Addr: addr, Messages: true}}, FlushRows: 1 << 20, FlushInterval: time.Hour}, sink)
	stop := runIngester(t, in)
	waitFor(t, 30*time.Second, "all events received", func() bool { return stats(in).Received == int64(cfg.Count) })
	if n := sink.total(); n != 0 {
		t.Fatalf("%d rows flushed before any threshold", n)
	}
	stop()
	if n := sink.total(); n != cfg.Count {
		t.Errorf("sink holds %d rows after stop, want %d", n, cfg.Count)
	}
	if s := stats(in); s.Stored != int64(cfg.Count) {
		t.Errorf("stats %+v", s)
	}
}

// A stalled sink never stalls the gRPC readers: the overflow is counted
// as dropped.
func TestFullBufferDropsWithoutBlockingReaders(t *testing.T) {
	cfg := sim.Config{Seed: 8, Start: simStart, Count: 5000, WaitForSubscribers: true, Lossless: true}
	_, addr, _ := startSim(t, cfg, "127.0.0.1:0")
	sink := newMemSink()
	sink.block = make(chan struct{})
	in := newIngester(t, ingest.Config{Endpoints: []ingest.Endpoint{{Addr: addr}}, FlushRows: 10, BufferEvents: 100}, sink)
	stop := runIngester(t, in)
	want := int64(cfg.Count - messages(t, cfg))
	waitFor(t, 30*time.Second, "every event read while the sink is stalled", func() bool { return stats(in).Received == want })
	if s := stats(in); s.Dropped < want-200 {
		t.Errorf("stalled sink: %+v", s)
	}
	close(sink.block)
	stop()
	s := stats(in)
	if s.Received != s.Stored+s.Dropped || s.Stored == 0 {
		t.Errorf("received %d != stored %d + dropped %d", s.Received, s.Stored, s.Dropped)
	}
}

// Rows the sink refuses are counted as dropped; ingestion goes on.
func TestSinkErrorCountsDropped(t *testing.T) {
	cfg := sim.Config{Seed: 9, Start: simStart, Count: 1000, WaitForSubscribers: true, Lossless: true}
	_, addr, _ := startSim(t, cfg, "127.0.0.1:0")
	sink := newMemSink()
	sink.fail = true
	in := newIngester(t, ingest.Config{Endpoints: []ingest.Endpoint{{Addr: addr}}, FlushRows: 100, FlushInterval: 20 * time.Millisecond}, sink)
	stop := runIngester(t, in)
	want := int64(cfg.Count - messages(t, cfg))
	waitFor(t, 30*time.Second, "every event counted as dropped", func() bool { return stats(in).Dropped == want })
	stop()
	if s := stats(in); s.Stored != 0 || s.Received != want {
		t.Errorf("stats %+v", s)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	ok := ingest.Config{OperatorID: "op", Endpoints: []ingest.Endpoint{{Addr: "a:1"}}}
	for name, mutate := range map[string]func(c *ingest.Config){
		"no operator":     func(c *ingest.Config) { c.OperatorID = "" },
		"no endpoints":    func(c *ingest.Config) { c.Endpoints = nil },
		"empty addr":      func(c *ingest.Config) { c.Endpoints = []ingest.Endpoint{{}} },
		"duplicate addr":  func(c *ingest.Config) { c.Endpoints = []ingest.Endpoint{{Addr: "a:1"}, {Addr: "a:1"}} },
		"negative flush":  func(c *ingest.Config) { c.FlushRows = -1 },
		"negative buffer": func(c *ingest.Config) { c.BufferEvents = -1 },
		"backoff inverted": func(c *ingest.Config) {
			c.BackoffMin, c.BackoffMax = time.Second, time.Millisecond
		},
	} {
		c := ok
		c.Endpoints = append([]ingest.Endpoint(nil), ok.Endpoints...)
		mutate(&c)
		if _, err := ingest.New(c, newMemSink()); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ingest.New(ok, nil); err == nil {
		t.Error("nil sink: no error")
	}
	if _, err := ingest.New(ok, newMemSink()); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

// discardSink counts rows.
type discardSink struct{ rows atomic.Int64 }

func (s *discardSink) Append(_ *schema.Table, b *coldata.Batch) error {
	s.rows.Add(int64(b.Len))
	return nil
}

// BenchmarkEndToEnd measures events/s from a lossless simulator through
// gRPC, the row mapping and the batcher, simulator included.
func BenchmarkEndToEnd(b *testing.B) {
	n := max(b.N, 1000)
	cfg := sim.Config{Seed: 1, Start: simStart, Count: n, WaitForSubscribers: true, WaitForMessages: true, Lossless: true}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sim.NewServer(cfg).Serve(ctx, lis)
	sink := &discardSink{}
	in, err := ingest.New(ingest.Config{OperatorID: "bench", Endpoints: []ingest.Endpoint{{Addr: lis.Addr().String(), Messages: true}}}, sink)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	for in.Stats()[0].Received < int64(n) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
	if s := in.Stats()[0]; s.Dropped != 0 {
		b.Logf("dropped %d", s.Dropped)
	}
}

// multiSink is a memSink that also takes several tables in one write.
type multiSink struct {
	*memSink
	calls, tablesInCall int
}

func (s *multiSink) AppendAll(ts []*schema.Table, bs []*coldata.Batch) error {
	s.mu.Lock()
	s.calls++
	s.tablesInCall = max(s.tablesInCall, len(ts))
	s.mu.Unlock()
	for i, t := range ts {
		if err := s.Append(t, bs[i]); err != nil {
			return err
		}
	}
	return nil
}

// TestIntervalFlushIsOneWrite: when the flush interval ends, every
// table's pending rows go to a MultiSink in one AppendAll.
func TestIntervalFlushIsOneWrite(t *testing.T) {
	cfg := sim.Config{Seed: 3, Start: simStart, Span: time.Hour, Count: 5000,
		WaitForSubscribers: true, WaitForMessages: true, Lossless: true}
	_, addr, _ := startSim(t, cfg, "127.0.0.1:0")
	sink := &multiSink{memSink: newMemSink()}
	in := newIngester(t, ingest.Config{
		OperatorID: "op-multi", Endpoints: []ingest.Endpoint{{Addr: addr, Messages: true}},
		FlushRows: 1 << 20, FlushInterval: 50 * time.Millisecond,
	}, sink)
	stop := runIngester(t, in)
	waitFor(t, time.Minute, "the sink to hold Count rows", func() bool { return sink.total() >= cfg.Count })
	stop()
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if sink.calls == 0 || sink.tablesInCall < 2 {
		t.Fatalf("AppendAll called %d times, at most %d tables at once: want interval flushes of several tables in one write", sink.calls, sink.tablesInCall)
	}
	if got := in.Stats()[0].Stored; got != int64(cfg.Count) {
		t.Errorf("stored %d, want %d", got, cfg.Count)
	}
}

// freezer is a TCP proxy whose link can go silent: frozen, it keeps every
// connection open and forwards nothing, as a cut cable or a dropped route
// looks to both ends.
type freezer struct {
	ln     net.Listener
	target string
	frozen atomic.Bool
}

func startFreezer(t *testing.T, target string) *freezer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(t, c)
		}
	}()
	return f
}

func (f *freezer) serve(t *testing.T, c net.Conn) {
	up, err := net.Dial("tcp", f.target)
	if err != nil {
		c.Close()
		return
	}
	t.Cleanup(func() { c.Close(); up.Close() })
	pipe := func(dst, src net.Conn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if err != nil {
				// Frozen, not even a close gets through: the server
				// giving up on the link must not tell the client.
				if !f.frozen.Load() {
					dst.Close()
				}
				return
			}
			// Frozen: swallow the bytes, as a black hole would.
			if !f.frozen.Load() {
				if _, err := dst.Write(buf[:n]); err != nil {
					src.Close()
					return
				}
			}
		}
	}
	go pipe(up, c)
	go pipe(c, up)
}

// A link that goes silent without closing is noticed by the keepalive
// (KeepaliveTime of silence, then an unanswered ping), not after the
// kernel's TCP timeouts, and the streams reconnect once it is back.
func TestSilentLinkIsDetected(t *testing.T) {
	_, addr, _ := startSim(t, sim.Config{Seed: 6, Rate: 2000}, "127.0.0.1:0")
	proxy := startFreezer(t, addr)
	in := newIngester(t, ingest.Config{Endpoints: []ingest.Endpoint{{Addr: proxy.ln.Addr().String()}},
		KeepaliveTime: 10 * time.Second, KeepaliveTimeout: time.Second}, newMemSink())
	runIngester(t, in)
	waitFor(t, 30*time.Second, "events", func() bool { s := stats(in); return s.Connected && s.Received > 100 })
	proxy.frozen.Store(true)
	frozeAt := time.Now()
	// gRPC's keepalive checks run at KeepaliveTime granularity: allow two
	// periods plus the ping timeout.
	waitFor(t, 25*time.Second, "the silent link to be noticed", func() bool { return !stats(in).Connected })
	t.Logf("silent link noticed after %s", time.Since(frozeAt).Round(100*time.Millisecond))
	if s := stats(in); s.LastError == "" {
		t.Errorf("no LastError for a dead link: %+v", s)
	}
	proxy.frozen.Store(false)
	before := stats(in).Received
	waitFor(t, 30*time.Second, "events after the link is back", func() bool {
		s := stats(in)
		return s.Connected && s.Received > before+100
	})
}

// rawServer is a LogService that sends fixed wire messages on WatchLogs,
// including ones the real protobuf runtime would refuse to build.
type rawServer struct {
	pb.UnimplementedLogServiceServer
	logs [][]byte
}

func (s *rawServer) HealthCheck(_ context.Context, req *pb.NonceMessage) (*pb.ReplyMessage, error) {
	return &pb.ReplyMessage{Retval: req.GetNonce()}, nil
}

func (s *rawServer) WatchLogs(_ *pb.RequestMessage, stream grpc.ServerStreamingServer[pb.Log]) error {
	for _, b := range s.logs {
		if err := stream.SendMsg(kawire.Encoded{Buf: mem.SliceBuffer(b)}); err != nil {
			return err
		}
	}
	<-stream.Context().Done()
	return nil
}

func (s *rawServer) WatchAlerts(_ *pb.RequestMessage, stream grpc.ServerStreamingServer[pb.Alert]) error {
	<-stream.Context().Done()
	return nil
}

// Events with invalid UTF-8 are stored repaired, and a message that is not
// protobuf at all is counted and dropped; the stream goes on either way.
func TestBadEventsOverTheWire(t *testing.T) {
	enc := func(l *pb.Log) []byte { return kawire.AppendLog(nil, l) }
	garbage := []byte{0x0a, 0xff, 0xff, 0xff} // field 1 as bytes with a length past the end
	srv := &rawServer{logs: [][]byte{
		enc(&pb.Log{HostName: "node-1", UpdatedTime: "2026-11-01T00:00:00.000001Z"}),
		enc(&pb.Log{HostName: "node-\xff", Resource: "/tmp/\xc3(", UpdatedTime: "2026-11-01T00:00:00.000002Z"}),
		garbage,
		enc(&pb.Log{HostName: "node-3", UpdatedTime: "not a time", Timestamp: 1793491200}),
	}}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer(grpc.ForceServerCodecV2(kawire.Codec{}))
	pb.RegisterLogServiceServer(gs, srv)
	go gs.Serve(lis)
	t.Cleanup(gs.Stop)

	sink := newMemSink()
	var logs syncBuffer
	in := newIngester(t, ingest.Config{Endpoints: []ingest.Endpoint{{Addr: lis.Addr().String()}},
		FlushInterval: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, sink)
	runIngester(t, in)
	waitFor(t, 30*time.Second, "the good events to be stored", func() bool { return sink.count("logs") == 3 })
	s := stats(in)
	if s.Received != 4 || s.Stored != 3 || s.Dropped != 1 || s.Invalid != 1 || s.Repaired != 2 {
		t.Errorf("stats %+v, want 4 received, 3 stored, 1 dropped, 1 invalid, 2 repaired", s)
	}
	if !strings.Contains(logs.String(), "not a valid protobuf message") {
		t.Errorf("no log of the malformed event: %s", logs.String())
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	var got []string
	for _, b := range sink.batches["logs"] {
		v := b.Vecs[schema.Logs.ColumnIndex("host_name")]
		for i := range b.Len {
			got = append(got, string(v.Bytes.Get(i)))
		}
	}
	if want := []string{"node-1", "node-\uFFFD", "node-3"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("host_name %q, want %q", got, want)
	}
}

// floorServer streams one pre-encoded Log over and over: the cost of gRPC
// alone, with nothing generated, decoded or stored.
type floorServer struct {
	pb.UnimplementedLogServiceServer
	msg []byte
	n   int
}

func (s *floorServer) WatchLogs(_ *pb.RequestMessage, stream grpc.ServerStreamingServer[pb.Log]) error {
	buf := mem.SliceBuffer(s.msg)
	for range s.n {
		if err := stream.SendMsg(kawire.Encoded{Buf: buf}); err != nil {
			return err
		}
	}
	return nil
}

// cpuTime is the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStreamFloor measures what one KubeArmor event costs gRPC alone
// on this machine, server and client together, over loopback with the
// ingester's and simulator's transport settings: the floor under the
// ingest benchmark, since KubeArmor sends one message per event.
func BenchmarkStreamFloor(b *testing.B) {
	l := &pb.Log{Timestamp: 1793491201, UpdatedTime: "2026-11-01T00:00:01.123456Z", ClusterName: "default",
		HostName: "worker-node-01", NamespaceName: "payments", PodName: "payments-api-7d9f8c6b5d-x2k4p",
		Labels: "app=payments-api,tier=backend", ContainerID: strings.Repeat("3f2a9c1e", 8), ContainerName: "api",
		ContainerImage: "registry.example.com/payments/api:v2.14.3", HostPID: 5678, PID: 42, ProcessName: "/usr/bin/curl",
		ParentProcessName: "/bin/bash", Source: "/bin/bash", Resource: "/usr/bin/curl -s http://inventory:8080/health",
		Operation: "Process", Data: "syscall=SYS_EXECVE", Result: "Passed", Type: "ContainerLog"}
	msg := kawire.AppendLog(nil, l)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	gs := grpc.NewServer(sim.GRPCServerOptions()...)
	pb.RegisterLogServiceServer(gs, &floorServer{msg: msg, n: b.N})
	go gs.Serve(lis)
	defer gs.Stop()
	cc, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithInitialWindowSize(ingest.DefaultStreamWindow), grpc.WithInitialConnWindowSize(4*ingest.DefaultStreamWindow),
		grpc.WithReadBufferSize(256<<10))
	if err != nil {
		b.Fatal(err)
	}
	defer cc.Close()
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	cpu0 := cpuTime()
	s, err := cc.NewStream(context.Background(), &pb.LogService_ServiceDesc.Streams[2], pb.LogService_WatchLogs_FullMethodName,
		grpc.ForceCodecV2(kawire.Codec{}))
	if err != nil {
		b.Fatal(err)
	}
	if err := s.SendMsg(&pb.RequestMessage{Filter: "all"}); err != nil {
		b.Fatal(err)
	}
	s.CloseSend()
	var f kawire.Frame
	got := 0
	for s.RecvMsg(&f) == nil {
		got++
	}
	b.StopTimer()
	if got != b.N {
		b.Fatalf("received %d of %d", got, b.N)
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
