package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	pb "github.com/kubearmor/KubeArmor/protobuf"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"
)

type streamKind int

const (
	alertStream streamKind = iota
	logStream
	messageStream
)

func (k streamKind) String() string {
	switch k {
	case alertStream:
		return "WatchAlerts"
	case logStream:
		return "WatchLogs"
	}
	return "WatchMessages"
}

const (
	// healthTimeout bounds the HealthCheck before each stream opens.
	healthTimeout = 10 * time.Second
	// badFilterWindow: a stream that ends cleanly within this time of
	// opening, without one event, was rejected by the server (KubeArmor's
	// answer to an unknown filter).
	badFilterWindow = 2 * time.Second
	// keepaliveTime is the client ping interval. KubeArmor closes
	// connections that ping more often than every 5 minutes, and its own
	// pings every second keep the connection alive anyway; ours only
	// detect a silent peer.
	keepaliveTime = 6 * time.Minute
)

func (in *Ingester) dialOptions(creds credentials.TransportCredentials) []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: keepaliveTime, Timeout: 20 * time.Second}),
		// The channel's own reconnect backoff must not outgrow ours, or a
		// long outage would delay recovery past BackoffMax.
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff: backoff.Config{
				BaseDelay:  in.cfg.BackoffMin,
				Multiplier: 1.6,
				Jitter:     0.2,
				MaxDelay:   in.cfg.BackoffMax,
			},
			MinConnectTimeout: 10 * time.Second,
		}),
	}
}

// watch keeps one stream of one endpoint open until ctx ends: HealthCheck,
// open, read until the stream ends, wait, again.
func (in *Ingester) watch(ctx context.Context, st *endpointState, client pb.LogServiceClient, kind streamKind) {
	bo := retryBackoff{min: in.cfg.BackoffMin, max: in.cfg.BackoffMax}
	failing := false
	var timer *time.Timer
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			st.reconnects.Add(1)
		}
		start := time.Now()
		up := func() {
			if failing {
				in.log.Info("kubearmor stream up", "endpoint", st.ep.Addr, "stream", kind.String())
			}
		}
		got, err := in.session(ctx, st, client, kind, up)
		if ctx.Err() != nil {
			return
		}
		lived := time.Since(start)
		empty := err == nil && got == 0 && lived < badFilterWindow
		var msg string
		switch {
		case empty:
			st.emptyStreams.Add(1)
			msg = fmt.Sprintf("%s ended at once without an event: filter %q rejected", kind, in.filter(st, kind))
		case err == nil:
			msg = fmt.Sprintf("%s ended by the server", kind)
		default:
			msg = fmt.Sprintf("%s: %v%s", kind, err, st.tls.hint(&st.ep.TLS, err))
		}
		st.setErr(msg)
		if got > 0 || lived >= in.cfg.BackoffMax {
			bo.reset()
			failing = false
		}
		wait := bo.next()
		// Say it once per run of failures; repeats go to debug.
		level := slog.LevelWarn
		if failing {
			level = slog.LevelDebug
		}
		if empty {
			in.log.Log(ctx, level, "kubearmor stream ended at once without an event: the server rejected its filter",
				"endpoint", st.ep.Addr, "stream", kind.String(), "filter", in.filter(st, kind), "retry_in", wait.Round(time.Millisecond))
		} else {
			in.log.Log(ctx, level, "kubearmor stream down", "endpoint", st.ep.Addr, "stream", kind.String(),
				"reason", msg, "events", got, "retry_in", wait.Round(time.Millisecond))
		}
		failing = true
		if timer == nil {
			timer = time.NewTimer(wait)
		} else {
			timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
	}
}

func (in *Ingester) filter(st *endpointState, kind streamKind) string {
	switch kind {
	case alertStream:
		return st.ep.AlertFilter
	case logStream:
		return st.ep.LogFilter
	}
	return ""
}

// session runs one HealthCheck and one stream until it ends. It returns
// the number of events read and nil when the server ended the stream.
// up is called when the first event arrives.
func (in *Ingester) session(ctx context.Context, st *endpointState, client pb.LogServiceClient, kind streamKind, up func()) (int64, error) {
	hctx, cancel := context.WithTimeout(ctx, healthTimeout)
	nonce := rand.Int32()
	reply, err := client.HealthCheck(hctx, &pb.NonceMessage{Nonce: nonce})
	cancel()
	if err != nil {
		return 0, fmt.Errorf("health check: %w", err)
	}
	if got := reply.GetRetval(); got != nonce {
		return 0, fmt.Errorf("health check: nonce %d echoed as %d", nonce, got)
	}

	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req := &pb.RequestMessage{Filter: in.filter(st, kind)}
	switch kind {
	case alertStream:
		s, err := client.WatchAlerts(sctx, req)
		if err != nil {
			return 0, err
		}
		return read(in, st, s, up, func(a *pb.Alert) item { return item{ep: st, alert: a} })
	case logStream:
		s, err := client.WatchLogs(sctx, req)
		if err != nil {
			return 0, err
		}
		return read(in, st, s, up, func(l *pb.Log) item { return item{ep: st, log: l} })
	default:
		s, err := client.WatchMessages(sctx, req)
		if err != nil {
			return 0, err
		}
		return read(in, st, s, up, func(m *pb.Message) item { return item{ep: st, msg: m} })
	}
}

// read drains a stream into the buffer without ever blocking on it: a
// full buffer drops the event, as KubeArmor itself would for a slow
// subscriber.
//
// The stream counts as open (EndpointStats.Connected) once it has
// delivered an event or outlived badFilterWindow: a stream the server is
// about to reject must not look connected.
func read[T any](in *Ingester, st *endpointState, s grpc.ServerStreamingClient[T], up func(), wrap func(*T) item) (int64, error) {
	var opened atomic.Bool
	markOpen := func() {
		if opened.CompareAndSwap(false, true) {
			st.open.Add(1)
		}
	}
	timer := time.AfterFunc(badFilterWindow, markOpen)
	defer func() {
		timer.Stop()
		// Either undo markOpen, or stop a concurrent one from counting.
		if !opened.CompareAndSwap(false, true) {
			st.open.Add(-1)
		}
	}()
	var got int64
	for {
		m, err := s.Recv()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return got, nil
			}
			return got, err
		}
		if got == 0 {
			markOpen()
			up()
		}
		got++
		st.received.Add(1)
		now := time.Now().UnixNano()
		it := wrap(m)
		st.lastEvent.Store(now)
		st.lag.Store(now - it.eventTime()*1000)
		select {
		case in.buf <- it:
		default:
			st.dropped.Add(1)
		}
	}
}

// retryBackoff doubles from min to max; each wait is jittered by ±20%
// (and kept within [min, max]) so that many operators do not reconnect
// in step.
type retryBackoff struct {
	min, max, cur time.Duration
}

func (b *retryBackoff) reset() { b.cur = 0 }

func (b *retryBackoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	j := time.Duration(float64(b.cur) * 0.4 * (rand.Float64() - 0.5))
	return min(max(b.cur+j, b.min), b.max)
}
