package sim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	pb "github.com/kubearmor/KubeArmor/protobuf"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// startServer serves cfg on a free local port until the test ends.
func startServer(t *testing.T, cfg Config) (*Server, pb.LogServiceClient) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, lis) }()
	cc, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cc.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s, pb.NewLogServiceClient(cc)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestServerHealthCheckEchoesNonce(t *testing.T) {
	_, c := startServer(t, Config{Seed: 1, Count: 1})
	for _, n := range []int32{0, 1, -7, 1 << 30} {
		r, err := c.HealthCheck(t.Context(), &pb.NonceMessage{Nonce: n})
		if err != nil || r.Retval != n {
			t.Fatalf("HealthCheck(%d) = %v, %v", n, r, err)
		}
	}
}

func TestServerRejectsBadFilterByEndingStream(t *testing.T) {
	_, c := startServer(t, Config{Seed: 1, Rate: 1000})
	ctx := t.Context()
	expectEOF := func(what string, recv func() error) {
		t.Helper()
		start := time.Now()
		if err := recv(); !errors.Is(err, io.EOF) {
			t.Errorf("%s: Recv = %v, want io.EOF", what, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: stream took %s to end", what, d)
		}
	}
	for _, f := range []string{"", "bogus", "system"} {
		s, err := c.WatchAlerts(ctx, &pb.RequestMessage{Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		expectEOF("WatchAlerts "+f, func() error { _, err := s.Recv(); return err })
	}
	for _, f := range []string{"", "bogus", "policy"} {
		s, err := c.WatchLogs(ctx, &pb.RequestMessage{Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		expectEOF("WatchLogs "+f, func() error { _, err := s.Recv(); return err })
	}
}

func collect[T any](t *testing.T, s grpc.ServerStreamingClient[T], n int) []string {
	t.Helper()
	out := make([]string, 0, n)
	for len(out) < n {
		m, err := s.Recv()
		if err != nil {
			t.Errorf("Recv after %d of %d: %v", len(out), n, err)
			return out
		}
		b, _ := json.Marshal(m)
		out = append(out, string(b))
	}
	return out
}

// A lossless count-mode server delivers exactly what a fresh generator
// with the same config produces, in order, per stream.
func TestServerLosslessDeliversGeneratorSequence(t *testing.T) {
	expectSequence(t, Config{Seed: 11, Start: testStart, Span: time.Hour, Count: 5000})
}

// Servers given the parts of one sequence send each event of it once:
// part k, the events whose index is k modulo the parts.
func TestServerPartsSplitTheSequence(t *testing.T) {
	for part := range 3 {
		expectSequence(t, Config{Seed: 11, Start: testStart, Span: time.Hour, Count: 5000, Part: part, Parts: 3})
	}
	for _, bad := range []Config{{Count: 10, Part: 3, Parts: 3}, {Count: 10, Part: 1}, {Count: 10, Parts: -1}, {Rate: 10, Parts: 2}} {
		if bad.Validate() == nil {
			t.Errorf("Validate(part %d of %d, count %d) = nil, want an error", bad.Part, bad.Parts, bad.Count)
		}
	}
}

// expectSequence serves cfg losslessly and checks that each stream
// carries, in order, the events of cfg's part of a fresh generator's
// sequence.
func expectSequence(t *testing.T, cfg Config) {
	t.Helper()
	cfg.WaitForSubscribers, cfg.WaitForMessages, cfg.Lossless = true, true, true
	var want [3][]string
	g := NewGenerator(cfg)
	for i := range cfg.Count {
		e := g.Next()
		if cfg.Parts > 1 && i%cfg.Parts != cfg.Part {
			continue
		}
		var b []byte
		var k int
		switch {
		case e.Alert != nil:
			b = must(json.Marshal(e.Alert))
		case e.Log != nil:
			b, k = must(json.Marshal(e.Log)), 1
		default:
			b, k = must(json.Marshal(e.Message)), 2
		}
		want[k] = append(want[k], string(b))
	}
	srv, c := startServer(t, cfg)
	ctx := t.Context()
	as, err := c.WatchAlerts(ctx, &pb.RequestMessage{Filter: "policy"})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := c.WatchLogs(ctx, &pb.RequestMessage{Filter: "system"})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := c.WatchMessages(ctx, &pb.RequestMessage{Filter: "anything"})
	if err != nil {
		t.Fatal(err)
	}
	var got [3][]string
	done := make(chan struct{})
	go func() {
		defer close(done)
		got[1] = collect(t, ls, len(want[1]))
	}()
	got[0] = collect(t, as, len(want[0]))
	got[2] = collect(t, ms, len(want[2]))
	<-done
	sent := 0
	for k := range want {
		sent += len(want[k])
		if len(got[k]) != len(want[k]) {
			t.Fatalf("stream %d: got %d events, want %d", k, len(got[k]), len(want[k]))
		}
		for i := range want[k] {
			if got[k][i] != want[k][i] {
				t.Fatalf("stream %d event %d:\n got %s\nwant %s", k, i, got[k][i], want[k][i])
			}
		}
	}
	waitFor(t, "Sent to reach the part's count", func() bool { return srv.Sent() == int64(sent) })
	if srv.Dropped() != 0 {
		t.Errorf("lossless server dropped %d", srv.Dropped())
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// A subscriber that does not read loses events once its queue is full;
// the server neither blocks nor stops serving the others.
func TestServerDropsForSlowSubscriber(t *testing.T) {
	cfg := Config{Seed: 3, Start: testStart, Count: 20000, WaitForSubscribers: true}
	srv, c := startServer(t, cfg)
	ctx := t.Context()
	as, err := c.WatchAlerts(ctx, &pb.RequestMessage{Filter: "all"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WatchLogs(ctx, &pb.RequestMessage{Filter: "all"}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			if _, err := as.Recv(); err != nil {
				return
			}
		}
	}()
	waitFor(t, "all events sent", func() bool { return srv.Sent() == int64(cfg.Count) })
	if srv.Dropped() == 0 {
		t.Error("no event dropped for a subscriber that never reads")
	}
}
