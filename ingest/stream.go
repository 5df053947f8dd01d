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

	"github.com/armorlake/armorlake/coldata"
	"github.com/armorlake/armorlake/kawire"
	"github.com/armorlake/armorlake/schema"
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

// table is where the stream's events go.
func (k streamKind) table() *schema.Table {
	switch k {
	case alertStream:
		return schema.Alerts
	case logStream:
		return schema.Logs
	}
	return schema.Messages
}

// method is the stream's gRPC method.
func (k streamKind) method() (string, *grpc.StreamDesc) {
	var name string
	switch k {
	case alertStream:
		name = pb.LogService_WatchAlerts_FullMethodName
	case logStream:
		name = pb.LogService_WatchLogs_FullMethodName
	default:
		name = pb.LogService_WatchMessages_FullMethodName
	}
	for i := range pb.LogService_ServiceDesc.Streams {
		d := &pb.LogService_ServiceDesc.Streams[i]
		if "/"+pb.LogService_ServiceDesc.ServiceName+"/"+d.StreamName == name {
			return name, d
		}
	}
	panic("ingest: no stream " + name + " in feeder.LogService")
}

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
)

func (in *Ingester) dialOptions(creds credentials.TransportCredentials) []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		// Flow-control windows large enough that the server never waits
		// for a WINDOW_UPDATE at full rate (Config.StreamWindow), and a
		// larger read buffer: fewer system calls per event.
		grpc.WithInitialWindowSize(in.cfg.StreamWindow),
		grpc.WithInitialConnWindowSize(4 * in.cfg.StreamWindow),
		grpc.WithReadBufferSize(256 << 10),
		// Pings only after KeepaliveTime of silence (Config): KubeArmor's
		// own pings every second mean that never happens on a live link.
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: in.cfg.KeepaliveTime, Timeout: in.cfg.KeepaliveTimeout}),
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
func (in *Ingester) watch(ctx context.Context, st *endpointState, cc *grpc.ClientConn, buf *rowBuf, kind streamKind) {
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
		got, err := in.session(ctx, st, cc, buf, kind, up)
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
func (in *Ingester) session(ctx context.Context, st *endpointState, cc *grpc.ClientConn, buf *rowBuf, kind streamKind, up func()) (int64, error) {
	hctx, cancel := context.WithTimeout(ctx, healthTimeout)
	nonce := rand.Int32()
	reply, err := pb.NewLogServiceClient(cc).HealthCheck(hctx, &pb.NonceMessage{Nonce: nonce})
	cancel()
	if err != nil {
		return 0, fmt.Errorf("health check: %w", err)
	}
	if got := reply.GetRetval(); got != nonce {
		return 0, fmt.Errorf("health check: nonce %d echoed as %d", nonce, got)
	}

	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The stream's events arrive undecoded (kawire.Frame) and are decoded
	// straight into the batch: no message or string is allocated per
	// event, and invalid UTF-8 is repaired instead of failing the stream.
	method, desc := kind.method()
	s, err := cc.NewStream(sctx, desc, method, grpc.ForceCodecV2(kawire.Codec{}))
	if err != nil {
		return 0, err
	}
	if err := s.SendMsg(&pb.RequestMessage{Filter: in.filter(st, kind)}); err != nil {
		return 0, err
	}
	if err := s.CloseSend(); err != nil {
		return 0, err
	}
	return in.read(st, s, buf, kind, up)
}

// read drains a stream into buf without ever blocking on storage: past
// the memory bound an event is dropped, as KubeArmor itself would drop
// for a slow subscriber.
//
// The stream counts as open (EndpointStats.Connected) once it has
// delivered an event or outlived badFilterWindow: a stream the server is
// about to reject must not look connected.
func (in *Ingester) read(st *endpointState, s grpc.ClientStream, buf *rowBuf, kind streamKind, up func()) (int64, error) {
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
	var (
		frame   kawire.Frame
		dec     kawire.Decoder
		got     int64
		invalid int64
	)
	op, addr := in.cfg.OperatorID, st.ep.Addr
	for {
		if err := s.RecvMsg(&frame); err != nil {
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
		if !in.admit(st) {
			continue
		}
		var err error
		switch kind {
		case alertStream:
			var a *pb.Alert
			if a, err = dec.Alert(frame.B); err == nil {
				in.add(buf, func(b *coldata.Batch) int { return appendAlert(b, a, op, addr) })
			}
		case logStream:
			var l *pb.Log
			if l, err = dec.Log(frame.B); err == nil {
				in.add(buf, func(b *coldata.Batch) int { return appendLog(b, l, op, addr) })
			}
		default:
			var m *pb.Message
			if m, err = dec.Message(frame.B); err == nil {
				in.add(buf, func(b *coldata.Batch) int { return appendMessage(b, m, op, addr) })
			}
		}
		if err != nil {
			st.invalid.Add(1)
			st.dropped.Add(1)
			// Say it once per stream; the count is in the metrics.
			if invalid++; invalid == 1 {
				in.log.Warn("kubearmor event dropped: not a valid protobuf message", "endpoint", addr,
					"stream", kind.String(), "bytes", len(frame.B), "err", err)
			}
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
