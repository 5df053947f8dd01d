package sim

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/armorlake/armorlake/kawire"
	pb "github.com/kubearmor/KubeArmor/protobuf"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// Server serves KubeArmor's feeder.LogService from a Generator. It
// mimics the daemon's behaviour that clients must survive: one bounded
// queue per subscriber filled without blocking (events dropped when it is
// full, unless Config.Lossless), no replay, filters validated by ending
// the stream at once without an error.
type Server struct {
	pb.UnimplementedLogServiceServer

	cfg     Config
	log     *slog.Logger
	alerts  *fanout
	logs    *fanout
	msgs    *fanout
	changed chan struct{}
	stopped chan struct{} // closed when Run returns: streams end
	running atomic.Bool
	sent    atomic.Int64
	dropped atomic.Int64
}

var _ pb.LogServiceServer = (*Server)(nil)

// NewServer returns a server for cfg (defaults applied to a copy). It
// emits nothing until Run.
func NewServer(cfg Config) *Server {
	cfg.EnsureDefaults()
	changed := make(chan struct{}, 1)
	return &Server{
		cfg:     cfg,
		log:     cfg.Logger,
		alerts:  newFanout(changed),
		logs:    newFanout(changed),
		msgs:    newFanout(changed),
		changed: changed,
		stopped: make(chan struct{}),
	}
}

// GRPCServerOptions are the options of the simulator's gRPC server, which
// the Server needs: KubeArmor's keepalive settings (the server pings every
// second and closes connections whose client pings more often than every
// 5 minutes); the kawire codec, which sends events encoded once by Run
// (the bytes are what the proto codec would send); and a 256 KiB write
// buffer, so that small events are written in few system calls.
func GRPCServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ForceServerCodecV2(kawire.Codec{}),
		grpc.WriteBufferSize(256 << 10),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: time.Second, Timeout: 5 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 5 * time.Minute, PermitWithoutStream: true}),
	}
}

// Sent returns the number of events generated and offered to the
// subscribers so far.
func (s *Server) Sent() int64 { return s.sent.Load() }

// Dropped returns the number of (event, subscriber) deliveries lost to
// full queues.
func (s *Server) Dropped() int64 { return s.dropped.Load() }

// Serve runs the simulator on lis until ctx ends: a gRPC server with
// ServerOptions (TLS if the Config asks) serving s, and Run. It returns
// nil when ctx ends, and an error at once if the TLS files cannot be
// loaded.
func (s *Server) Serve(ctx context.Context, lis net.Listener) error {
	opts, err := ServerOptions(s.cfg)
	if err != nil {
		lis.Close()
		return err
	}
	gs := grpc.NewServer(opts...)
	pb.RegisterLogServiceServer(gs, s)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	serveErr := make(chan error, 1)
	go func() {
		serveErr <- gs.Serve(lis)
		cancel()
	}()
	runErr := s.Run(ctx)
	gs.Stop()
	if err := <-serveErr; err != nil {
		return err
	}
	return runErr
}

// Run generates events and fans them out to the subscribers until ctx
// ends. In count mode it stops generating after Count events and keeps
// the streams open, idle, until ctx ends. Run may be called once; when it
// returns, every open stream ends.
func (s *Server) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("sim server: Run called twice")
	}
	defer close(s.stopped)
	g := NewGenerator(s.cfg)
	if s.cfg.WaitForSubscribers && !s.waitForSubscribers(ctx) {
		return nil
	}
	s.log.Info("kubearmor simulator emitting", "seed", s.cfg.Seed, "count", s.cfg.Count, "rate", s.cfg.Rate)

	done := ctx.Done()
	lossless := s.cfg.Lossless
	count := int64(s.cfg.Count)
	parts, part := int64(max(s.cfg.Parts, 1)), int64(s.cfg.Part)
	var pace *time.Timer
	start := time.Now()
	for n := int64(0); count == 0 || n < count; n++ {
		select {
		case <-done:
			return nil
		default:
		}
		if s.cfg.Rate > 0 {
			due := start.Add(time.Duration(float64(n) / s.cfg.Rate * float64(time.Second)))
			if wait := time.Until(due); wait > time.Millisecond {
				if pace == nil {
					pace = time.NewTimer(wait)
				} else {
					pace.Reset(wait)
				}
				select {
				case <-done:
					pace.Stop()
					return nil
				case <-pace.C:
				}
			}
		}
		// Each event is encoded once, whatever the number of subscribers.
		e := g.NextShared()
		if n%parts != part {
			continue // another server's part of the sequence
		}
		var f *fanout
		var m any
		switch {
		case e.Alert != nil:
			f, m = s.alerts, e.Alert
		case e.Log != nil:
			f, m = s.logs, e.Log
		default:
			f, m = s.msgs, e.Message
		}
		var dropped int
		if f.count() > 0 {
			buf, _ := kawire.Encode(m)
			dropped = f.publish(ctx, buf, lossless)
			buf.Free()
		}
		s.sent.Add(1)
		if dropped > 0 {
			s.dropped.Add(int64(dropped))
		}
	}
	s.log.Info("kubearmor simulator sent all events", "count", count, "dropped", s.dropped.Load())
	<-done
	return nil
}

func (s *Server) waitForSubscribers(ctx context.Context) bool {
	for {
		if s.alerts.count() > 0 && s.logs.count() > 0 && (!s.cfg.WaitForMessages || s.msgs.count() > 0) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-s.changed:
		}
	}
}

// Subscribers returns the number of open WatchAlerts, WatchLogs and
// WatchMessages streams.
func (s *Server) Subscribers() (alerts, logs, messages int) {
	return s.alerts.count(), s.logs.count(), s.msgs.count()
}

// HealthCheck echoes the nonce, as KubeArmor does.
func (s *Server) HealthCheck(_ context.Context, req *pb.NonceMessage) (*pb.ReplyMessage, error) {
	return &pb.ReplyMessage{Retval: req.GetNonce()}, nil
}

// WatchAlerts streams alerts. Filters other than "all" and "policy" end
// the stream at once, without an error, as KubeArmor does.
func (s *Server) WatchAlerts(req *pb.RequestMessage, stream grpc.ServerStreamingServer[pb.Alert]) error {
	if f := req.GetFilter(); f != "all" && f != "policy" {
		return nil
	}
	return serveStream(s, s.alerts, stream)
}

// WatchLogs streams logs. Filters other than "all" and "system" end the
// stream at once, without an error.
func (s *Server) WatchLogs(req *pb.RequestMessage, stream grpc.ServerStreamingServer[pb.Log]) error {
	if f := req.GetFilter(); f != "all" && f != "system" {
		return nil
	}
	return serveStream(s, s.logs, stream)
}

// WatchMessages streams daemon messages; the filter is ignored.
func (s *Server) WatchMessages(_ *pb.RequestMessage, stream grpc.ServerStreamingServer[pb.Message]) error {
	return serveStream(s, s.msgs, stream)
}

func serveStream(s *Server, f *fanout, stream grpc.ServerStream) error {
	sub := f.subscribe()
	defer f.unsubscribe(sub)
	ctx := stream.Context()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.stopped:
			return nil
		case b := <-sub.queue:
			// The codec sends b as is and frees it once written.
			if err := stream.SendMsg(kawire.Encoded{Buf: b}); err != nil {
				return err
			}
		}
	}
}
